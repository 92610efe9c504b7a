// One idea at a time, for workshops too large to read whole: the server picks the next idea
// (`deck.next`), the participant agrees, disagrees or passes (buttons or keys a, d, p), and the
// next one comes. The shown idea lives in the store (`deck.shown`).
import { $, h, setText, showStatus, setUnavailable, isUnavailable, announce } from "./dom.js";
import { gettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { newRef } from "./client.js";
import { personName } from "./labels.js";

const KEYS = { a: "agree", d: "disagree", p: "pass" };
const CHOICES = [
  ["agree", "a", () => gettext("Agree")],
  ["disagree", "d", () => gettext("Disagree")],
  ["pass", "p", () => gettext("Pass")],
];

/** The reaction a key press asks for: a, d or p without modifiers, and never while typing in a field. */
export function deckKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return null;
  const target = event.target;
  const tag = target?.tagName;
  if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target?.isContentEditable) return null;
  return KEYS[String(event.key || "").toLowerCase()] || null;
}

export class DeckView {
  constructor(page) {
    this.page = page;
    this.client = page.client;
    this.store = page.store;
    this.on = false;
    this.busy = false;
    this.build();
    page.onSnapshot(() => this.render());
    this.store.watch(["*", "deck.shown"], () => this.render());
    document.addEventListener("keydown", (e) => {
      const value = this.on ? deckKey(e) : null;
      if (!value || this.section.hidden) return;
      e.preventDefault();
      this.choose(value);
    });
  }

  build() {
    this.toggle = h("button", { type: "button", id: "deck-toggle", "aria-pressed": "false", "aria-controls": "deck-body" },
      gettext("One idea at a time"));
    this.text = h("p", { id: "deck-text", class: "deck-text" });
    this.author = h("p", { id: "deck-author", class: "idea-meta" });
    this.card = h("article", { id: "deck-idea", class: "idea deck-idea", "aria-labelledby": "deck-text" }, this.text, this.author);
    this.empty = h("p", { id: "deck-empty", hidden: "" }, gettext("No ideas left. Thank you!"));
    this.buttons = new Map(CHOICES.map(([value, key, label]) => {
      const btn = h("button", { type: "button", class: `deck-${value}`, "data-value": value, "aria-keyshortcuts": key },
        label(), h("kbd", { "aria-hidden": "true" }, key));
      btn.addEventListener("click", () => this.choose(value));
      return [value, btn];
    }));
    this.group = h("div", { class: "deck-actions", role: "group", "aria-label": gettext("Your reaction") }, ...this.buttons.values());
    this.status = h("p", { id: "deck-status", class: "form-status", role: "status" });
    this.body = h("div", { id: "deck-body", hidden: "" },
      h("p", { class: "hint" }, gettext("Keys: a to agree, d to disagree, p to pass.")),
      this.card, this.empty, this.group, this.status);
    this.section = h("section", { id: "deck", class: "card deck", "aria-labelledby": "deck-title", hidden: "" },
      h("h2", { id: "deck-title" }, gettext("Read and react")),
      h("p", { class: "hint" }, gettext("Too many ideas to read? See them one by one, those with the fewest reactions first.")),
      this.toggle, this.body);
    const now = $("#now", this.page.root);
    now.after(this.section);
    this.toggle.addEventListener("click", () => this.setMode(!this.on));
  }

  setMode(on) {
    this.on = on;
    this.toggle.setAttribute("aria-pressed", String(on));
    this.body.hidden = !on;
    if (on) this.next();
  }

  /** Ask the server for the next idea; the answer goes into the store. */
  async next() {
    try {
      const answer = await this.client.send("deck.next", {});
      this.store.dispatch({ type: "deck.shown", idea: answer.idea ?? null });
      const idea = answer.idea;
      announce(idea ? gettext("Next idea, by %(name)s: %(text)s", { name: personName(idea.author?.name), text: idea.text })
        : gettext("No ideas left. Thank you!"));
    } catch (err) {
      showStatus(this.status, describeError(err), "error");
    }
  }

  async choose(value) {
    const idea = this.store.state.deck;
    if (!this.on || !idea || this.busy || isUnavailable(this.buttons.get(value))) return;
    this.busy = true;
    showStatus(this.status, "");
    const click = newRef();
    this.store.dispatch({ type: "reaction.sent", idea: idea.id, value, click });
    try {
      await this.client.send("idea.react", { idea: idea.id, value });
      this.store.dispatch({ type: "reaction.confirmed", idea: idea.id, value, click });
      await this.next();
    } catch (err) {
      this.store.dispatch({ type: "reaction.refused", idea: idea.id, click });
      showStatus(this.status, describeError(err), "error");
    } finally {
      this.busy = false;
    }
  }

  render() {
    const s = this.client.state;
    const live = s.workshop?.status === "live";
    this.section.hidden = !s.me || !live;
    const idea = s.deck;
    this.card.hidden = !idea;
    this.empty.hidden = idea !== null;
    this.group.hidden = !idea;
    if (idea) {
      setText(this.text, idea.text);
      setText(this.author, gettext("Idea by %(name)s", { name: personName(idea.author?.name) }));
    }
    for (const btn of this.buttons.values()) setUnavailable(btn, !idea);
  }
}
