// Hands and the floor on the participant page (docs/protocol.md 3.4): who has the floor and for
// how long (everyone), a "raise hand" toggle for citizens, and a facilitator's nudge. "You have
// the floor" and a nudge are said politely through the page's live region.
import { h, setText, showStatus, setUnavailable, isUnavailable, announce } from "./dom.js";
import { gettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { personName } from "./labels.js";
import { formatElapsed, handUp, queuePosition, secondsSince } from "./voice.js";

/** Who has the floor, in words, for the reader `me` (null: nobody). */
export function floorText(state, now = Date.now()) {
  const floor = state.floor;
  if (!floor) return null;
  const elapsed = formatElapsed(secondsSince(floor.since, now));
  if (state.me && floor.participant === state.me.id) return gettext("You have the floor (%(time)s).", { time: elapsed });
  const name = personName(state.participants.get(floor.participant)?.name);
  return gettext("%(name)s has the floor (%(time)s).", { name, time: elapsed });
}

export class FloorPanel {
  constructor(page) {
    this.page = page;
    this.client = page.client;
    this.store = page.store;
    this.tick = null;
    this.build();
    page.onSnapshot(() => this.render());
    this.store.watch(["hands.changed", "hands.confirmed", "floor.*", "nudged", "workshop.*", "presence.changed"], () => this.render());
    this.store.on("floor.given", (ev) => {
      if (ev.participant === this.store.state.me?.id) announce(gettext("You have the floor."));
    });
    this.store.on("nudged", (ev) => announce(ev.text || gettext("The facilitator invites you to take part.")));
  }

  build() {
    this.now = h("p", { id: "floor-now", class: "floor-now" });
    this.banner = h("p", { id: "floor-banner", class: "floor-banner", hidden: "" }, gettext("You have the floor. Go ahead!"));
    this.hand = h("button", { type: "button", id: "hand-toggle", "aria-pressed": "false" }, gettext("Raise hand"));
    this.hand.addEventListener("click", () => this.toggle());
    this.position = h("p", { id: "hand-position", class: "hint" });
    this.status = h("p", { id: "hand-status", class: "form-status", role: "status" });
    this.nudge = h("p", { id: "nudge-note", class: "nudge-note", hidden: "" });
    this.section = h("section", { id: "floor", class: "card floor", "aria-labelledby": "floor-title", hidden: "" },
      h("h2", { id: "floor-title" }, gettext("Speaking")),
      this.banner, this.now, this.nudge,
      h("div", { class: "form-actions" }, this.hand), this.position, this.status);
    document.getElementById("now").after(this.section);
  }

  async toggle() {
    if (isUnavailable(this.hand)) return;
    const up = handUp(this.store.state);
    setUnavailable(this.hand, true);
    showStatus(this.status, "");
    try {
      const ack = await this.client.send(up ? "hand.lower" : "hand.raise", {});
      this.store.dispatch({ type: "hands.confirmed", queue: ack.queue });
      announce(up ? gettext("Hand lowered.") : gettext("Hand raised."));
    } catch (err) {
      showStatus(this.status, describeError(err), "error");
    } finally {
      setUnavailable(this.hand, false);
    }
  }

  render() {
    const s = this.store.state;
    const citizen = s.me?.role === "citizen";
    this.section.hidden = !s.me || s.me.admitted === false || s.workshop?.status === "draft";
    const mine = !!s.floor && s.floor.participant === s.me?.id;
    this.banner.hidden = !mine;
    this.renderNow();
    clearInterval(this.tick);
    this.tick = s.floor ? setInterval(() => this.renderNow(), 1000) : null;
    const up = handUp(s);
    const ended = s.workshop?.status === "ended";
    this.hand.hidden = !citizen || ended || mine;
    setText(this.hand, up ? gettext("Lower hand") : gettext("Raise hand"));
    this.hand.setAttribute("aria-pressed", String(up));
    const position = queuePosition(s);
    setText(this.position, position ? gettext("Your hand is up: number %(n)s in the queue.", { n: position }) : "");
    this.position.hidden = !position;
    this.nudge.hidden = !s.nudge;
    if (s.nudge) setText(this.nudge, s.nudge.text || gettext("The facilitator invites you to take part."));
  }

  renderNow() {
    const s = this.store.state;
    setText(this.now, floorText(s) ?? gettext("Nobody has the floor."));
  }
}
