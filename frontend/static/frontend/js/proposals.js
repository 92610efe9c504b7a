// Published proposals on the participant page: text, the ideas they came from (linked to the
// board), the people behind them, endorsement toggles, bridging in words and the latest official
// response. Cards are keyed by proposal id and filled in place, so focus survives every update.
import { $, h, setText, showStatus, announce, setUnavailable, isUnavailable } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { proposalBridging, proposalBridgingExplained } from "./bridging.js";
import { responseLabel, formatMoment } from "./report-format.js";
import { formatList } from "./format.js";
import { newRef } from "./client.js";

const VALUES = [
  ["agree", () => gettext("Agree")],
  ["disagree", () => gettext("Disagree")],
  ["pass", () => gettext("Pass")],
];

/** Names for participant ids, "you" for oneself, joined in the page's language. */
export function namesOf(state, ids) {
  const names = (ids || []).map((id) => {
    const p = state.participants.get(id);
    if (state.me && id === state.me.id) return gettext("you");
    return p ? p.name : null;
  }).filter(Boolean);
  return formatList(names);
}

/** Move to an idea on the board and focus it (when this participant can see it). */
export function goToIdea(id) {
  const li = document.getElementById(`idea-${id}`);
  const card = li?.querySelector(".idea-card");
  if (!card || card.closest("[hidden]")) return false;
  card.scrollIntoView({ block: "center" });
  card.focus();
  return true;
}

export class ParticipantProposals {
  constructor(page) {
    this.page = page;
    this.client = page.client;
    this.root = page.root;
    this.section = $("#proposals", this.root);
    this.list = $("#proposal-list", this.root);
    this.cards = new Map();
    page.onSnapshot(() => this.render());
    this.subscribe(page.store);
  }

  get state() {
    return this.client.state;
  }

  published() {
    return this.state.proposals.filter((p) => p.status === "published");
  }

  render() {
    const proposals = this.published();
    this.section.hidden = proposals.length === 0;
    setText($("#proposals-count", this.root), ngettext("%(count)s proposal was published.", "%(count)s proposals were published.", proposals.length));
    const seen = new Set();
    proposals.forEach((proposal, index) => {
      seen.add(proposal.id);
      let card = this.cards.get(proposal.id);
      if (!card) {
        card = this.build(proposal);
        this.cards.set(proposal.id, card);
      }
      this.fill(card, proposal);
      if (this.list.children[index] !== card.el) this.list.insertBefore(card.el, this.list.children[index] || null);
    });
    for (const [id, card] of this.cards) {
      if (!seen.has(id)) {
        card.el.remove();
        this.cards.delete(id);
      }
    }
  }

  /** Say what was published or answered; redraw on proposals, people, ideas and own endorsements. */
  subscribe(store) {
    store.on("proposal.published", (ev) => {
      if (ev.proposal) announce(gettext("A proposal was published: “%(title)s”.", { title: ev.proposal.title }));
    });
    store.on("proposal.responded", (ev) => {
      if (!ev.proposal?.response) return;
      announce(gettext("New response to “%(title)s”: %(status)s.", { title: ev.proposal.title, status: responseLabel(ev.proposal.response.status) }));
    });
    store.watch(["proposal.*", "presence.changed", "idea.*", "endorsement.*"], () => this.render());
  }

  build(proposal) {
    const base = `proposal-${proposal.id}`;
    const title = h("h3", { id: `${base}-title`, class: "pp-title" });
    const edited = h("span", { class: "edited", hidden: true }, gettext("edited after publishing"));
    const published = h("span", { class: "pp-published" });
    const body = h("p", { class: "pp-body" });
    const sources = h("ul", { class: "pp-sources", "aria-labelledby": `${base}-sources` });
    const people = h("p", { class: "pp-people" });
    const buttons = {};
    const group = h("div", { class: "reactions pp-endorse", role: "group", "aria-labelledby": `${base}-endorse` });
    for (const [value, label] of VALUES) {
      const count = h("span", { class: "count" }, "0");
      const btn = h("button", { type: "button", class: `react react-${value}`, "aria-pressed": "false", dataset: { value } },
        h("span", { class: "react-check", "aria-hidden": "true" }, "✓"), h("span", { class: "react-label" }, label()), " ", count);
      btn.addEventListener("click", () => this.endorse(proposal.id, value));
      buttons[value] = { btn, count };
      group.append(btn);
    }
    const bridging = h("p", { class: "pp-bridging" });
    const response = h("div", { class: "pp-response" });
    const status = h("p", { class: "form-status", role: "status" });
    const el = h("article", { class: "pp-card", id: base, "aria-labelledby": `${base}-title`, dataset: { id: proposal.id } },
      title,
      h("p", { class: "pp-meta" }, published, " ", edited),
      body,
      h("h4", { id: `${base}-sources` }, gettext("The ideas it came from")),
      sources,
      h("h4", {}, gettext("The people behind it")),
      people,
      h("h4", { id: `${base}-endorse` }, gettext("Your endorsement")),
      group, status, bridging, h("p", { class: "hint bridging-how" }, proposalBridgingExplained()),
      h("h4", {}, gettext("Official response")),
      response);
    return { el, title, edited, published, body, sources, people, buttons, bridging, response, status, sourcesKey: "" };
  }

  fill(card, p) {
    setText(card.title, p.title || "");
    setText(card.body, p.body || "");
    card.edited.hidden = !p.edited;
    setText(card.published, p.published_at ? gettext("Published %(when)s", { when: formatMoment(p.published_at) }) : "");
    this.fillSources(card, p);
    setText(card.people, p.contributors?.length ? namesOf(this.state, p.contributors) : gettext("Nobody is named."));
    const e = p.endorsements || {};
    const mine = this.state.myEndorsements.get(p.id) || null;
    const ended = this.state.workshop?.status === "ended";
    for (const [value, { btn, count }] of Object.entries(card.buttons)) {
      setText(count, String(e[value] || 0));
      btn.setAttribute("aria-pressed", String(mine === value));
      setUnavailable(btn, ended);
    }
    const bridging = proposalBridging(p.bridging ?? 0, e);
    setText(card.bridging, `${bridging.score}. ${bridging.words}`);
    const r = p.response;
    if (!r) {
      card.response.replaceChildren(h("p", { class: "empty" }, gettext("No official response yet.")));
    } else {
      card.response.replaceChildren(
        h("p", {}, h("span", { class: "response-badge", dataset: { status: r.status } }, responseLabel(r.status))),
        h("p", { class: "pp-response-message" }, r.message || ""),
        h("p", { class: "hint" }, gettext("by %(name)s", { name: r.by || gettext("an official") }), " · ",
          h("time", { datetime: r.at || "" }, formatMoment(r.at))));
    }
  }

  fillSources(card, p) {
    const ideas = this.state.ideas;
    const key = JSON.stringify((p.sources || []).map((id) => [id, ideas.get(id)?.text, ideas.get(id)?.status]));
    if (key === card.sourcesKey) return;
    card.sourcesKey = key;
    if (!p.sources?.length) {
      card.sources.replaceChildren(h("li", { class: "empty" }, gettext("No source ideas.")));
      return;
    }
    card.sources.replaceChildren(...p.sources.map((id) => {
      const idea = ideas.get(id);
      if (!idea || idea.status !== "visible") {
        return h("li", { class: "empty" }, gettext("Removed: this idea is no longer shown."));
      }
      const link = h("a", { href: `#idea-${id}`, class: "pp-source" }, idea.text);
      link.addEventListener("click", (e) => {
        if (goToIdea(id)) e.preventDefault();
      });
      return h("li", {}, link, " ", h("span", { class: "hint" }, gettext("by %(name)s", { name: idea.author?.name || "" })));
    }));
  }

  /** Toggle this participant's endorsement; the server's refusal puts the old value back. */
  endorse(id, value) {
    const card = this.cards.get(id);
    if (!card || isUnavailable(card.buttons[value].btn)) return;
    const store = this.client.store;
    const next = (this.state.myEndorsements.get(id) || null) === value ? null : value;
    // Each step goes through the store, which redraws the cards (subscribe above).
    const click = newRef();
    showStatus(card.status, "");
    store.dispatch({ type: "endorsement.sent", proposal: id, value: next, click });
    this.client.send("proposal.endorse", { proposal: id, value: next }).then((ack) => {
      store.dispatch({ type: "endorsement.confirmed", proposal: id, value: next, click, endorsements: ack.endorsements, bridging: ack.bridging });
    }, (err) => {
      store.dispatch({ type: "endorsement.refused", proposal: id, click });
      showStatus(card.status, describeError(err), "error");
    });
  }
}
