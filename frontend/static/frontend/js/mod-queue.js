// The moderation queue: flagged ideas (grouped per idea), held ideas and open appeals, built
// from the live state and rendered by key so that focus and open prompts survive updates.
import { $, h, setText, announce } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { clockTime } from "./format.js";
import { personName } from "./labels.js";
import { flagReasonLabel, heldReasonLabels, hiddenReasonText } from "./moderation-text.js";
import { ModerationActions } from "./mod-actions.js";
import { roomLabel } from "./rooms.js";

const GROUPS = ["flagged", "held", "appeals"];

/** What needs a decision, oldest first within each group. */
export function queueItems(state) {
  const flagged = new Map();
  for (const flag of state.flags.values()) {
    if (flag.status !== "open") continue;
    let item = flagged.get(flag.idea);
    if (!item) {
      item = { key: `flagged:${flag.idea}`, group: "flagged", ideaId: flag.idea, flags: [], since: flag.created_at || "" };
      flagged.set(flag.idea, item);
    }
    item.flags.push(flag);
    if ((flag.created_at || "") < item.since) item.since = flag.created_at;
  }
  const held = [...state.ideas.values()].filter((idea) => idea.status === "held")
    .map((idea) => ({ key: `held:${idea.id}`, group: "held", ideaId: idea.id, since: idea.created_at || "" }));
  const appeals = [...state.appeals.values()].filter((a) => a.status === "open")
    .map((appeal) => ({ key: `appeal:${appeal.idea}`, group: "appeals", ideaId: appeal.idea, appeal, since: appeal.created_at || "" }));
  const bySince = (a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : a.ideaId - b.ideaId);
  const all = { flagged: [...flagged.values()].sort(bySince), held: held.sort(bySince), appeals: appeals.sort(bySince) };
  for (const list of Object.values(all)) for (const item of list) item.idea = state.ideas.get(item.ideaId) || null;
  return all;
}

/** Whether an item passes the filter ("all", a flag reason, "held" or "appeals"). */
function passes(item, filter) {
  if (filter === "all") return true;
  if (filter === "held" || filter === "appeals") return item.group === filter;
  return item.group === "flagged" && item.flags.some((f) => f.reason === filter);
}

export class ModerationQueue {
  constructor(page, { onChange }) {
    this.page = page;
    this.client = page.client;
    this.root = page.root;
    this.records = new Map(); // key -> record
    this.filter = $("#queue-filter", this.root);
    this.status = $("#queue-status", this.root);
    this.actions = new ModerationActions(this, onChange);
    this.filter.addEventListener("change", () => this.render());
  }

  get state() {
    return this.client.state;
  }

  /** Queue items in document order (only those shown). */
  shownRecords() {
    return [...this.root.querySelectorAll(".queue-item:not([hidden])")].map((li) => this.records.get(li.dataset.key)).filter(Boolean);
  }

  render() {
    const items = queueItems(this.state);
    const filter = this.filter.value;
    const focusedKey = this.root.querySelector(".queue-item:focus-within")?.dataset.key || null;
    const before = this.shownRecords().map((r) => r.key);
    const keep = new Set();
    for (const group of GROUPS) {
      const list = $(`#queue-${group}`, this.root);
      const shown = items[group].filter((item) => passes(item, filter));
      shown.forEach((item, index) => {
        keep.add(item.key);
        const record = this.records.get(item.key) || this.create(item);
        record.item = item;
        this.fill(record);
        if (list.children[index] !== record.li) list.insertBefore(record.li, list.children[index] || null);
      });
      const section = list.closest(".queue-group");
      section.hidden = (filter === "held" && group !== "held") || (filter === "appeals" && group !== "appeals")
        || (!["all", "held", "appeals"].includes(filter) && group !== "flagged");
      $(`[data-empty="${group}"]`, this.root).hidden = shown.length > 0;
    }
    const gone = [...this.records.keys()].filter((key) => !keep.has(key));
    for (const key of gone) {
      this.records.get(key).li.remove();
      this.records.delete(key);
    }
    const total = GROUPS.reduce((n, g) => n + items[g].length, 0);
    setText($("#queue-count", this.root), ngettext("%(count)s item needs a decision", "%(count)s items need a decision", total));
    // The focused item was decided: focus moves to the item that took its place, never to the page.
    if (focusedKey && !keep.has(focusedKey)) {
      const shown = this.shownRecords();
      const index = Math.min(before.indexOf(focusedKey), shown.length - 1);
      if (index >= 0) shown[index].article.focus();
      else $("#queue-title", this.root).focus();
    }
  }

  /** Announce new arrivals politely; never move focus for them. `on` subscribes to the store. */
  subscribe(on) {
    const author = (ideaId) => this.state.ideas.get(ideaId)?.author?.name || gettext("someone");
    on("flag.raised", (ev) => {
      if (!ev.flag) return;
      const open = [...this.state.flags.values()].filter((f) => f.idea === ev.flag.idea && f.status === "open").length;
      announce(open > 1
        ? gettext("Another flag on the idea by %(name)s.", { name: author(ev.flag.idea) })
        : gettext("New in the queue: the idea by %(name)s was flagged.", { name: author(ev.flag.idea) }));
    });
    on("idea.held", (ev) => {
      if (ev.idea) announce(gettext("New in the queue: an idea by %(name)s waits for approval.", { name: ev.idea.author?.name || gettext("someone") }));
    });
    on("appeal.filed", (ev) => {
      if (ev.appeal) announce(gettext("New in the queue: %(name)s appealed.", { name: author(ev.appeal.idea) }));
    });
  }

  create(item) {
    const base = `q-${item.key.replace(":", "-")}`;
    const title = h("h4", { class: "queue-kind", id: `${base}-title` });
    const meta = h("p", { class: "queue-meta" });
    const text = h("blockquote", { class: "queue-text", id: `${base}-text` });
    const details = h("div", { class: "queue-details" });
    const state = h("p", { class: "queue-state" });
    const actions = h("div", { class: "form-actions queue-actions" });
    const slot = h("div", { class: "queue-slot" });
    const status = h("p", { class: "form-status", role: "status" });
    const article = h("article", { class: "queue-card", tabindex: "-1", "aria-labelledby": `${base}-title`, "aria-describedby": `${base}-text` },
      title, meta, text, details, state, actions, slot, status);
    const li = h("li", { class: "queue-item", dataset: { key: item.key, group: item.group } }, article);
    const record = { key: item.key, item, li, article, title, meta, text, details, state, actions, slot, status, buttons: new Map(), prompt: null };
    article.addEventListener("focusin", () => { this.actions.current = record.key; });
    this.records.set(item.key, record);
    return record;
  }

  /** The author as a participant (for mute and remove), if still in the workshop. */
  author(record) {
    const id = record.item.idea?.author?.id;
    return id != null ? this.state.participants.get(id) || null : null;
  }

  fill(record) {
    const { item } = record;
    const idea = item.idea;
    const name = personName(idea?.author?.name);
    let title = "";
    if (item.group === "flagged") {
      title = ngettext("Flagged %(count)s time", "Flagged %(count)s times", item.flags.length);
    } else if (item.group === "held") {
      const reasons = heldReasonLabels(idea?.held_reason);
      title = reasons.length ? gettext("Held for: %(reasons)s", { reasons: reasons.join(", ") }) : gettext("Held for approval");
    } else {
      title = gettext("Appeal against hiding");
    }
    setText(record.title, title);
    const parts = [gettext("Idea by %(name)s", { name })];
    if (idea?.created_at) parts.push(clockTime(new Date(idea.created_at)));
    const board = idea ? this.state.boards.get(idea.board) : null;
    const room = board?.room != null ? this.state.rooms.get(board.room) : null;
    if (room) parts.push(roomLabel(room));
    setText(record.meta, parts.join(" · "));
    setText(record.text, idea ? idea.text || gettext("(withdrawn by its author)") : gettext("Idea #%(id)s", { id: item.ideaId }));
    record.details.replaceChildren(...this.details(item));
    setText(record.state, this.stateLine(record));
    record.li.dataset.status = idea?.status || "";
    this.actions.renderButtons(record);
  }

  details(item) {
    const people = this.state.participants;
    if (item.group === "flagged") {
      const counts = new Map();
      for (const f of item.flags) counts.set(f.reason, (counts.get(f.reason) || 0) + 1);
      const summary = [...counts].map(([reason, n]) => `${flagReasonLabel(reason)} (${n})`).join(", ");
      return [
        h("p", { class: "queue-reasons" }, gettext("Reasons: %(reasons)s", { reasons: summary })),
        h("ul", { class: "flag-list", "aria-label": gettext("Who flagged it") }, item.flags.map((f) => h("li", {},
          h("span", { class: "flagger" }, people.get(f.by)?.name || gettext("a participant")), ": ", flagReasonLabel(f.reason),
          f.note ? [" — ", h("q", {}, f.note)] : null))),
      ];
    }
    if (item.group === "appeals") {
      return [
        h("p", {}, hiddenReasonText(item.idea?.hidden_reason) || gettext("Hidden by a moderator.")),
        h("p", { class: "appeal-text" }, gettext("The author writes:"), " ", h("q", {}, item.appeal.text || "")),
      ];
    }
    return [];
  }

  stateLine(record) {
    const idea = record.item.idea;
    const author = this.author(record);
    const lines = [];
    if (idea?.status === "hidden") {
      lines.push(idea.hidden_reason === "flagged"
        ? gettext("Hidden automatically: it reached the flag threshold.")
        : gettext("Hidden from everyone but its author."));
    } else if (idea?.status === "visible" && record.item.group === "flagged") {
      lines.push(gettext("Still visible to everyone."));
    }
    const until = author?.muted_until ? Date.parse(author.muted_until) : NaN;
    if (idea && (!author || author.removed)) lines.push(gettext("The author is no longer in the workshop."));
    else if (!Number.isNaN(until) && until > Date.now()) {
      lines.push(gettext("%(name)s is muted until %(time)s.", { name: author.name, time: clockTime(new Date(until)) }));
    }
    return lines.join(" ");
  }
}
