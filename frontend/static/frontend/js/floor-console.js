// The console's hands and floor (docs/protocol.md 3.4): the queue in order with "give the floor",
// who has the floor and for how long with "end turn", and each citizen's contributions (ideas,
// builds, reactions, poll answers, turns; `contributions.get`), those with none marked, with a nudge.
import { h, setText, showStatus, setUnavailable, isUnavailable } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { personName } from "./labels.js";
import { floorText } from "./floor-panel.js";
import { contributionTotal, contributionView } from "./voice.js";

const REFRESH_MS = 20000;

/** A citizen's contributions in words. */
export function contributionText(row) {
  if (!contributionTotal(row)) return gettext("No contributions yet");
  return [
    ngettext("%(count)s idea", "%(count)s ideas", row.ideas),
    row.builds ? ngettext("%(count)s builds on another", "%(count)s build on others", row.builds) : null,
    ngettext("%(count)s reaction", "%(count)s reactions", row.reactions),
    row.answers ? ngettext("%(count)s poll answer", "%(count)s poll answers", row.answers) : null,
    ngettext("%(count)s turn", "%(count)s turns", row.turns),
  ].filter(Boolean).join(", ");
}

export class FloorConsole {
  constructor(page, mount) {
    this.page = page;
    this.client = page.client;
    this.store = page.store;
    this.rows = [];
    this.tick = null;
    this.build();
    mount(this.section);
    page.onSnapshot(() => {
      this.render();
      this.refresh();
    });
    this.store.watch(["hands.changed", "floor.*", "presence.changed", "participant.*", "workshop.*"], () => this.render());
    // A turn or an idea changes the counts; reactions are counted when the list is refreshed.
    this.store.watch(["floor.given", "idea.posted"], () => this.refreshSoon());
    setInterval(() => {
      if (document.visibilityState === "visible" && this.client.ready) this.refresh();
    }, REFRESH_MS);
  }

  build() {
    this.now = h("p", { id: "console-floor-now", class: "floor-now" });
    this.end = h("button", { type: "button", id: "floor-end", class: "small" }, gettext("End turn"));
    this.end.addEventListener("click", () => this.run("floor.end", {}, gettext("Turn ended."), this.end));
    this.queue = h("ol", { id: "hand-queue", class: "plain hand-queue", "aria-labelledby": "hand-queue-title" });
    this.queueEmpty = h("p", { class: "empty" }, gettext("No hands up."));
    this.nudgeText = h("input", { id: "nudge-text", type: "text", maxlength: "300", "aria-describedby": "nudge-hint" });
    this.summary = h("p", { id: "contrib-summary" });
    this.search = h("input", { id: "contrib-search", type: "search", "aria-describedby": "contrib-search-hint" });
    this.search.addEventListener("input", () => this.renderContributions());
    this.searchField = h("div", { class: "field", hidden: "" },
      h("label", { for: "contrib-search" }, gettext("Find a citizen")), this.search,
      h("p", { id: "contrib-search-hint", class: "hint" }, gettext("A large workshop lists nobody unasked: type part of a name to see their contributions.")));
    this.list = h("ul", { id: "contrib-list", class: "plain contrib-list", "aria-labelledby": "contrib-title" });
    this.more = h("p", { class: "hint", hidden: "" });
    this.refreshButton = h("button", { type: "button", id: "contrib-refresh", class: "small" }, gettext("Refresh"));
    this.refreshButton.addEventListener("click", () => this.refresh());
    this.status = h("p", { id: "floor-status", class: "form-status", role: "status" });
    this.section = h("section", { id: "floor-console", class: "card floor-console", "aria-labelledby": "floor-console-title", hidden: "" },
      h("h2", { id: "floor-console-title" }, gettext("Hands and the floor")),
      h("div", { class: "floor-line" }, this.now, this.end),
      h("h3", { id: "hand-queue-title" }, gettext("Raised hands")), this.queue, this.queueEmpty,
      h("h3", { id: "contrib-title" }, gettext("Contributions")),
      h("p", { class: "hint" }, gettext("Ideas, reactions, poll answers and turns of each citizen. Invite those with none.")),
      h("div", { class: "field" },
        h("label", { for: "nudge-text" }, gettext("Message with a nudge (optional)")), this.nudgeText,
        h("p", { id: "nudge-hint", class: "hint" }, gettext("Only the person you nudge sees it. Left empty, they are invited to take part."))),
      h("div", { class: "floor-line" }, this.summary, this.refreshButton),
      this.searchField, this.list, this.more, this.status);
  }

  name(id) {
    return personName(this.store.state.participants.get(id)?.name);
  }

  run(type, fields, done, button) {
    if (button && isUnavailable(button)) return Promise.resolve();
    if (button) setUnavailable(button, true);
    showStatus(this.status, gettext("Sending…"));
    return this.client.send(type, fields).then(() => showStatus(this.status, done, "ok"),
      (err) => showStatus(this.status, describeError(err), "error")).finally(() => {
      if (button) setUnavailable(button, false);
    });
  }

  give(id, button) {
    return this.run("floor.give", { participant: id }, gettext("%(name)s has the floor.", { name: this.name(id) }), button);
  }

  nudge(id, button) {
    return this.run("participant.nudge", { participant: id, text: this.nudgeText.value.trim() },
      gettext("%(name)s was nudged.", { name: this.name(id) }), button);
  }

  button(label, who, action) {
    const btn = h("button", { type: "button", class: "small" }, label, h("span", { class: "visually-hidden" }, `: ${who}`));
    btn.addEventListener("click", () => action(btn));
    return btn;
  }

  refreshSoon() {
    clearTimeout(this.soon);
    this.soon = setTimeout(() => this.refresh(), 1000);
  }

  async refresh() {
    if (this.section.hidden) return;
    try {
      const ack = await this.client.send("contributions.get", {});
      this.rows = ack.contributions || [];
      this.renderContributions();
    } catch (err) {
      showStatus(this.status, describeError(err), "error");
    }
  }

  render() {
    const s = this.store.state;
    this.section.hidden = s.me?.role !== "facilitator";
    if (this.section.hidden) return;
    this.renderNow();
    clearInterval(this.tick);
    this.tick = s.floor ? setInterval(() => this.renderNow(), 1000) : null;
    this.end.hidden = !s.floor;
    // Drawn again only when what it shows changed: a redraw in the middle of a drag or a click
    // elsewhere on the console must not move the page.
    const queueKey = JSON.stringify(s.hands.map((id) => [id, this.name(id)]));
    if (queueKey !== this.queueKey) {
      this.queueKey = queueKey;
      this.queue.replaceChildren(...s.hands.map((id, i) => h("li", { class: "hand" },
        h("span", {}, gettext("%(n)s. %(name)s", { n: i + 1, name: this.name(id) })),
        this.button(gettext("Give the floor"), this.name(id), (btn) => this.give(id, btn)))));
    }
    this.queueEmpty.hidden = s.hands.length > 0;
    this.renderContributions();
  }

  renderNow() {
    const s = this.store.state;
    const last = s.lastTurn;
    setText(this.now, floorText(s) ?? (last
      ? gettext("Nobody has the floor. %(name)s spoke for %(seconds)s s.", { name: this.name(last.participant), seconds: last.seconds })
      : gettext("Nobody has the floor.")));
  }

  renderContributions() {
    const rows = this.rows.filter((r) => this.store.state.participants.get(r.participant)?.removed !== true);
    const view = contributionView(rows, { query: this.search.value, nameOf: (id) => this.name(id) });
    this.searchField.hidden = view.scope !== "found";
    setText(this.summary, view.total
      ? ngettext("%(count)s of %(total)s citizens has not contributed yet.", "%(count)s of %(total)s citizens have not contributed yet.",
        view.quiet, { count: view.quiet, total: view.total })
      : gettext("No citizens yet."));
    const listKey = JSON.stringify(view.listed.map((row) => [row, this.name(row.participant)]));
    if (listKey !== this.listKey) this.list.replaceChildren(...view.listed.map((row) => {
      const who = this.name(row.participant);
      const quiet = !contributionTotal(row);
      return h("li", { class: quiet ? "contrib quiet" : "contrib", dataset: { participant: row.participant } },
        h("span", { class: "contrib-name" }, who),
        h("span", { class: "contrib-counts" }, contributionText(row)),
        h("span", { class: "contrib-actions" },
          this.button(gettext("Nudge"), who, (btn) => this.nudge(row.participant, btn)),
          this.button(gettext("Give the floor"), who, (btn) => this.give(row.participant, btn))));
    }));
    this.listKey = listKey;
    this.more.hidden = !view.more;
    setText(this.more, ngettext("%(count)s more are not listed.", "%(count)s more are not listed.", view.more));
  }
}
