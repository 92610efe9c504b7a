// The projector page's parts that are not wiring (screen.js): the top ideas and the poll slot.
import { h } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";

/** How many of the plenary's ideas the screen shows. */
export const TOP_IDEAS = 5;

/** The plenary's visible ideas with the most agreement, most first (older first on a tie). */
export function topIdeas(state, limit = TOP_IDEAS) {
  const plenary = new Set([...state.boards.values()].filter((b) => b.room === null).map((b) => b.id));
  return [...state.ideas.values()]
    .filter((idea) => plenary.has(idea.board) && idea.status === "visible")
    .sort((a, b) => (b.reactions?.agree ?? 0) - (a.reactions?.agree ?? 0) || a.id - b.id)
    .slice(0, limit);
}

/** The poll the projector shows: the newest open one, else the newest closed one (its final results). */
export function shownPoll(state) {
  const polls = [...(state.polls?.values() || [])].sort((a, b) => b.id - a.id);
  return polls.find((p) => p.status === "open") || polls[0] || null;
}

/**
 * Where live poll results show (PROTOCOL 3.4), from the store: `welcome.polls` and the `poll.*`
 * events keep `state.polls`. Counts (single, multiple) and totals (points) are drawn per option;
 * other kinds show how many answered. Hidden while the workshop has no poll.
 */
export class PollSlot {
  constructor(section, body) {
    this.section = section;
    this.body = body;
    this.poll = null;
  }

  show(poll) {
    this.poll = poll;
    this.render();
  }

  render() {
    const poll = this.poll;
    this.section.hidden = !poll;
    if (!poll) return;
    const results = poll.results;
    const perOption = results && (results.counts || results.totals);
    const rows = perOption ? (poll.options || []).map((o) => h("li", {},
      h("span", { class: "poll-option" }, o.label || ""), " ", h("strong", { class: "poll-count" }, String(perOption[o.id] ?? 0)))) : [];
    this.body.replaceChildren(
      h("p", { class: "poll-question" }, poll.question || ""),
      rows.length ? h("ol", { class: "plain poll-results" }, rows) : null,
      results ? h("p", { class: "poll-n" }, ngettext("%(count)s person answered.", "%(count)s people answered.", results.n ?? 0)) : null,
      poll.status === "closed" ? h("p", { class: "poll-closed" }, gettext("The poll is closed.")) : null);
  }
}
