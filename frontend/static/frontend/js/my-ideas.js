// "My ideas" on the participant page: each idea this participant posted, its status (with the
// moderator's reason), and the published proposal it feeds with that proposal's latest response.
// After the workshop has ended (accountability over time, issue 14): each proposal's current
// status and its whole response timeline, every response with its status, message, official and date.
import { $, h, setText } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { heldReasonForAuthor, hiddenReasonText } from "./moderation-text.js";
import { responseLabel, formatMoment } from "./report-format.js";
import { goToIdea } from "./proposals.js";

/** The status of one's own idea in words. */
export function myIdeaStatus(idea) {
  switch (idea.status) {
    case "visible":
      return gettext("Visible to everyone.");
    case "held":
      return gettext("Waiting for a moderator: %(reason)s", { reason: heldReasonForAuthor(idea.held_reason) });
    case "hidden":
      return gettext("Hidden: %(reason)s", { reason: hiddenReasonText(idea.hidden_reason) });
    case "withdrawn":
      return gettext("Withdrawn by you.");
    default:
      return idea.status || "";
  }
}

export class MyIdeas {
  constructor(page) {
    this.client = page.client;
    this.root = page.root;
    this.section = $("#my-ideas", this.root);
    this.list = $("#my-ideas-list", this.root);
    this.key = "";
    page.onSnapshot(() => this.render());
    page.store.watch("*", () => this.render());
  }

  render() {
    const s = this.client.state;
    const meId = s.me?.id;
    const mine = [...s.ideas.values()].filter((i) => meId != null && i.author?.id === meId).sort((a, b) => a.id - b.id);
    const published = s.proposals.filter((p) => p.status === "published");
    const rows = mine.map((idea) => ({ idea, proposals: published.filter((p) => (p.sources || []).includes(idea.id)) }));
    this.ended = s.workshop?.status === "ended";
    const key = JSON.stringify([this.ended, rows.map(({ idea, proposals }) => [idea.id, idea.text, idea.status, idea.held_reason,
      idea.hidden_reason, proposals.map((p) => [p.id, p.title, responsesOf(p).map((r) => [r.status, r.message, r.by, r.at])])])]);
    setText($("#my-ideas-count", this.root), ngettext("You posted %(count)s idea.", "You posted %(count)s ideas.", mine.length));
    if (key === this.key) return;
    this.key = key;
    $("#my-ideas-empty", this.root).hidden = mine.length > 0;
    const focused = this.list.contains(document.activeElement) ? document.activeElement.dataset.target : null;
    this.list.replaceChildren(...rows.map(({ idea, proposals }) => this.item(idea, proposals)));
    if (focused) this.list.querySelector(`[data-target="${focused}"]`)?.focus();
  }

  item(idea, proposals) {
    const text = idea.text || gettext("(no text)");
    const shown = idea.status === "visible" || idea.status === "held" || idea.status === "hidden";
    const link = h("a", { href: `#idea-${idea.id}`, class: "my-idea-text", dataset: { target: `idea-${idea.id}` } }, text);
    link.addEventListener("click", (e) => {
      if (goToIdea(idea.id)) e.preventDefault();
    });
    return h("li", { class: "my-idea", dataset: { status: idea.status, id: idea.id } },
      shown ? link : h("span", { class: "my-idea-text" }, text),
      h("p", { class: "my-idea-status", dataset: { status: idea.status } }, myIdeaStatus(idea)),
      proposals.map((p) => {
        const to = h("a", { href: `#proposal-${p.id}`, dataset: { target: `proposal-${p.id}` } }, p.title);
        if (this.ended) return outcome(idea, p, to);
        return h("p", { class: "my-idea-proposal" },
          gettext("Feeds the proposal:"), " ", to, ". ",
          p.response
            ? gettext("Official response: %(status)s. %(message)s", { status: responseLabel(p.response.status), message: p.response.message || "" })
            : gettext("No official response yet."));
      }));
  }
}

/** A proposal's responses, oldest first (the welcome and `proposal.responded` carry the whole timeline). */
function responsesOf(p) {
  return p.responses || (p.response ? [p.response] : []);
}

/** After the end: what became of the idea in this proposal, with the current status and every response so far. */
function outcome(idea, p, link) {
  const responses = responsesOf(p);
  const latest = responses[responses.length - 1];
  const timelineId = `my-idea-${idea.id}-proposal-${p.id}-timeline`;
  return h("div", { class: "my-idea-proposal my-idea-outcome", dataset: { proposal: p.id } },
    h("p", {}, gettext("Feeds the proposal:"), " ", link, "."),
    h("p", { class: "my-idea-current" },
      latest
        ? gettext("Current status: %(status)s.", { status: responseLabel(latest.status) })
        : gettext("No official response yet.")),
    responses.length
      ? h("ol", { class: "timeline my-idea-timeline", id: timelineId,
        "aria-label": gettext("Responses to “%(title)s”, oldest first", { title: p.title }) },
      ...responses.map((r) => h("li", { class: "timeline-item", dataset: { status: r.status } },
        h("p", { class: "timeline-head" }, h("strong", {}, responseLabel(r.status))),
        h("p", { class: "timeline-message" }, r.message || ""),
        h("p", { class: "timeline-meta" },
          gettext("by %(name)s", { name: r.by || gettext("an official") }), " · ",
          h("time", { datetime: r.at || "" }, formatMoment(r.at))))))
      : null);
}
