// The waiting room, for facilitators and moderators: who waits, with Admit and Reject. In a join
// storm only the first LARGE_WORKSHOP are listed; the next move up as those are let in.
import { $, h, setText, showStatus, announce, setUnavailable, isUnavailable } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { LARGE_WORKSHOP } from "./people.js";

const MAY_ADMIT = new Set(["facilitator", "moderator"]);

export class WaitingRoom {
  /** `section` is the #waiting-room card of the page; `client` its WorkshopClient. */
  constructor(client, section) {
    this.client = client;
    client.store.on("participant.waiting", (ev) => {
      if (ev.participant && MAY_ADMIT.has(client.state.me?.role)) {
        announce(gettext("%(name)s is waiting to be let in.", { name: ev.participant.name }));
      }
    });
    client.store.watch(["participant.*", "presence.changed"], () => this.render());
    this.section = section;
    this.list = $("#waiting-list", section);
    this.status = $("#waiting-status", section);
    this.list.addEventListener("click", (e) => {
      const button = e.target.closest("button[data-action]");
      if (button) this.decide(button);
    });
  }

  render() {
    const s = this.client.state;
    const people = [...s.waiting.values()].sort((a, b) => a.id - b.id);
    this.section.hidden = !MAY_ADMIT.has(s.me?.role) || (!s.workshop?.waiting_room && people.length === 0);
    if (this.section.hidden) return;
    setText($("#waiting-count", this.section), people.length
      ? ngettext("%(count)s person is waiting.", "%(count)s people are waiting.", people.length)
      : gettext("Nobody is waiting."));
    const more = $("#waiting-more", this.section);
    setText(more, people.length > LARGE_WORKSHOP ? ngettext("And %(count)s more.", "And %(count)s more.", people.length - LARGE_WORKSHOP) : "");
    more.hidden = people.length <= LARGE_WORKSHOP;
    const existing = new Map(Array.from(this.list.children).map((li) => [li.dataset.id, li]));
    people.slice(0, LARGE_WORKSHOP).forEach((person, index) => {
      const key = String(person.id);
      let li = existing.get(key);
      if (!li) li = this.item(person);
      existing.delete(key);
      if (this.list.children[index] !== li) this.list.insertBefore(li, this.list.children[index] || null);
    });
    for (const li of existing.values()) this.forget(li);
  }

  item(person) {
    const named = (text) => [text, h("span", { class: "visually-hidden" }, ` ${person.name}`)];
    return h("li", { dataset: { id: person.id } },
      h("span", { class: "person-name" }, person.name),
      h("span", { class: "waiting-actions" },
        h("button", { type: "button", class: "small primary", dataset: { action: "participant.admit" } }, named(gettext("Admit"))),
        h("button", { type: "button", class: "small danger", dataset: { action: "participant.reject" } }, named(gettext("Reject")))));
  }

  /** Remove a line; keep keyboard focus in the list (or on its heading) when it was on that line. */
  forget(li) {
    const hadFocus = li.contains(document.activeElement);
    const next = li.nextElementSibling || li.previousElementSibling;
    li.remove();
    if (hadFocus) (next?.querySelector("button") || $("#waiting-title", this.section)).focus();
  }

  decide(button) {
    if (isUnavailable(button)) return;
    const li = button.closest("li");
    const person = this.client.state.waiting.get(Number(li.dataset.id));
    if (!person) return;
    const admit = button.dataset.action === "participant.admit";
    setUnavailable(button, true);
    showStatus(this.status, gettext("Sending…"));
    this.client.send(button.dataset.action, { participant: person.id }).then(() => {
      showStatus(this.status, admit ? gettext("%(name)s was let in.", { name: person.name })
        : gettext("%(name)s was not let in.", { name: person.name }), "ok");
    }, (err) => {
      showStatus(this.status, describeError(err), "error");
    }).finally(() => setUnavailable(button, false));
  }
}
