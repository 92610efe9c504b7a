// "My ideas" on the participant page: each idea this participant posted, its status (with the
// moderator's reason), and the published proposal it feeds with that proposal's latest response.
import { $, h, setText } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { heldReasonForAuthor, hiddenReasonText } from "./moderation-text.js";
import { responseLabel } from "./report-format.js";
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
    const key = JSON.stringify(rows.map(({ idea, proposals }) => [idea.id, idea.text, idea.status, idea.held_reason, idea.hidden_reason,
      proposals.map((p) => [p.id, p.title, p.response?.status, p.response?.message])]));
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
        return h("p", { class: "my-idea-proposal" },
          gettext("Feeds the proposal:"), " ", to, ". ",
          p.response
            ? gettext("Official response: %(status)s. %(message)s", { status: responseLabel(p.response.status), message: p.response.message || "" })
            : gettext("No official response yet."));
      }));
  }
}
