// One published proposal on the outcomes page: text, sources, people, endorsements, bridging,
// the officials' response timeline and, for officials, a response form. Updated in place, so
// a live change never moves focus or wipes what an official is typing.
import { h, setText, showStatus, setFieldError, setUnavailable, isUnavailable } from "./dom.js";
import { proposalBridging, proposalBridgingExplained } from "./bridging.js";
import { gettext, ngettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { api } from "./api.js";
import { formatList } from "./format.js";
import { personName } from "./labels.js";
import { RESPONSE_STATUSES, responseLabel, formatMoment, formatCount } from "./report-format.js";

const ENDORSEMENT_LABELS = {
  agree: () => gettext("Agree"),
  disagree: () => gettext("Disagree"),
  pass: () => gettext("Pass"),
};

const REMOVED_SOURCE = {
  hidden: () => gettext("An idea that moderators hid."),
  held: () => gettext("An idea that is waiting for a moderator."),
  withdrawn: () => gettext("An idea that its author withdrew."),
  other: () => gettext("Removed: this idea is no longer shown."),
};

export class ProposalCard {
  constructor(proposal, { code }) {
    this.code = code;
    this.id = proposal.id;
    this.proposal = null;
    this.official = false;
    this.build();
    this.update(proposal);
  }

  build() {
    const id = this.id;
    const p = (suffix) => `proposal-${id}-${suffix}`;
    this.title = h("h2", { id: p("title"), class: "proposal-title" });
    this.currentStatus = h("span", { class: "response-badge" });
    this.published = h("span", { class: "proposal-published" });
    this.edited = h("span", { class: "edited" });
    this.body = h("p", { class: "proposal-body" });

    this.counts = {};
    const countItems = ["agree", "disagree", "pass"].map((key) => {
      this.counts[key] = h("dd", { class: "count" });
      return h("div", { class: "endorse-count", dataset: { kind: key } }, h("dt", {}, ENDORSEMENT_LABELS[key]()), this.counts[key]);
    });
    this.bar = h("div", { class: "endorse-bar", "aria-hidden": "true" },
      ...["agree", "disagree", "pass"].map((key) => h("span", { dataset: { kind: key } })));
    this.bridgingScore = h("strong", { class: "bridging-score" });
    this.bridgingMeter = h("span", { class: "bridging-meter", "aria-hidden": "true" }, h("span", { class: "bridging-fill" }));
    this.bridgingWords = h("span", { class: "bridging-words" });
    this.bridgingHow = h("p", { class: "hint bridging-how" }, proposalBridgingExplained());
    this.sources = h("ul", { class: "sources", "aria-labelledby": p("sources") });
    this.people = h("p", { class: "people-line" });
    this.timeline = h("ol", { class: "timeline", "aria-labelledby": p("responses") });
    this.noResponse = h("p", { class: "empty" }, gettext("No official response yet."));
    this.formSlot = h("div", { class: "respond-slot" });

    this.el = h("article", { class: "card proposal", id: `proposal-${id}`, "aria-labelledby": p("title"), dataset: { id } },
      h("header", { class: "proposal-head" },
        this.title,
        h("p", { class: "proposal-meta" }, this.currentStatus, this.published, this.edited)),
      this.body,
      h("div", { class: "proposal-grid" },
        h("section", { class: "support", "aria-labelledby": p("support") },
          h("h3", { id: p("support") }, gettext("Support")),
          h("dl", { class: "endorse-counts" }, ...countItems),
          this.bar,
          h("p", { class: "bridging" },
            h("span", { class: "bridging-line" }, this.bridgingScore, this.bridgingMeter),
            this.bridgingWords),
          this.bridgingHow),
        h("section", { class: "origin", "aria-labelledby": p("sources") },
          h("h3", { id: p("sources") }, gettext("The ideas it came from")),
          this.sources,
          h("h3", { id: p("people") }, gettext("The people behind it")),
          this.people)),
      h("section", { class: "responses", "aria-labelledby": p("responses") },
        h("h3", { id: p("responses") }, gettext("Official response"), " ",
          h("span", { class: "heading-note" }, gettext("(latest first)"))),
        this.noResponse,
        this.timeline),
      this.formSlot);
  }

  /**
   * Show a proposal's current state; `proposal` may be a full outcomes entry or a PROPOSAL from
   * an event (without source_ideas and people, which are then kept). Returns what changed.
   */
  update(proposal) {
    const before = this.proposal;
    const next = { ...(before || {}), ...proposal };
    if (!proposal.source_ideas && before) next.source_ideas = before.source_ideas;
    if (!proposal.people && before) next.people = before.people;
    this.proposal = next;

    setText(this.title, next.title || "");
    setText(this.body, next.body || "");
    setText(this.published, next.published_at ? gettext("Published %(when)s", { when: formatMoment(next.published_at) }) : "");
    setText(this.edited, next.edited ? gettext("(changed after publishing)") : "");
    this.renderSupport(next);
    if (proposal.source_ideas) this.renderSources(next.source_ideas || []);
    if (proposal.people) this.renderPeople(next.people || []);
    const responses = next.responses || (next.response ? [next.response] : []);
    this.renderTimeline(responses);

    const earlier = before ? (before.responses || (before.response ? [before.response] : [])).length : responses.length;
    const e0 = before?.endorsements || {};
    const e1 = next.endorsements || {};
    return {
      newResponses: responses.slice(earlier),
      endorsementsChanged: !!before && ["agree", "disagree", "pass"].some((k) => (e0[k] || 0) !== (e1[k] || 0)),
    };
  }

  /** Apply `proposal.endorsed {proposal, endorsements, bridging}`; true when the counts changed. */
  endorse(endorsements, bridging) {
    return this.update({ endorsements, bridging }).endorsementsChanged;
  }

  renderSupport(p) {
    const e = p.endorsements || { agree: 0, disagree: 0, pass: 0 };
    const total = (e.agree || 0) + (e.disagree || 0) + (e.pass || 0);
    for (const key of ["agree", "disagree", "pass"]) {
      setText(this.counts[key], formatCount(e[key] || 0));
      const segment = this.bar.querySelector(`[data-kind="${key}"]`);
      segment.style.flexGrow = String(total ? e[key] || 0 : 0);
    }
    this.bar.dataset.empty = total ? "false" : "true";
    const bridging = proposalBridging(p.bridging ?? 0, e);
    setText(this.bridgingScore, bridging.score);
    this.bridgingMeter.hidden = !bridging.shown;
    this.bridgingMeter.firstChild.style.width = `${bridging.shown ? Math.round((p.bridging ?? 0) * 100) : 0}%`;
    setText(this.bridgingWords, bridging.words);
  }

  renderSources(sources) {
    if (!sources.length) {
      this.sources.replaceChildren(h("li", { class: "empty" }, gettext("No source ideas.")));
      return;
    }
    this.sources.replaceChildren(...sources.map((idea) => {
      if (!idea.text) {
        // Neither the text nor the author of a source that is not public: only what became of it.
        return h("li", { class: "source removed", dataset: { status: idea.status || "" } },
          h("span", { class: "source-removed" }, (REMOVED_SOURCE[idea.status] || REMOVED_SOURCE.other)()));
      }
      return h("li", { class: "source", dataset: { status: idea.status || "" } },
        h("q", { class: "source-text" }, idea.text),
        h("span", { class: "source-author" }, gettext("by %(name)s", { name: personName(idea.author) })));
    }));
  }

  renderPeople(people) {
    if (!people.length) {
      setText(this.people, gettext("Nobody is named."));
      return;
    }
    // People who erased themselves have no name: counted, not listed one by one.
    const names = people.map((person) => person.name).filter(Boolean);
    const former = people.length - names.length;
    if (former === 1) names.push(personName(""));
    if (former > 1) names.push(ngettext("%(count)s former participant", "%(count)s former participants", former));
    setText(this.people, formatList(names));
  }

  renderTimeline(responses) {
    this.noResponse.hidden = responses.length > 0;
    this.timeline.hidden = responses.length === 0;
    const latest = responses[responses.length - 1];
    setText(this.currentStatus, latest ? responseLabel(latest.status) : gettext("Awaiting a response"));
    this.currentStatus.dataset.status = latest ? latest.status : "none";
    // Newest first; existing items are kept so nothing flickers when one arrives.
    const shown = this.timeline.children.length;
    if (shown === responses.length) return;
    const items = responses.map((r, index) => h("li", { class: "timeline-item", dataset: { status: r.status } },
      h("p", { class: "timeline-head" },
        h("span", { class: "response-badge", dataset: { status: r.status } }, responseLabel(r.status)),
        index === responses.length - 1 && responses.length > 1 ? h("span", { class: "latest" }, gettext("latest")) : null),
      h("p", { class: "timeline-message" }, r.message || ""),
      h("p", { class: "timeline-meta" },
        gettext("by %(name)s", { name: r.by || gettext("an official") }), " · ",
        h("time", { datetime: r.at || "" }, formatMoment(r.at)))));
    const fresh = shown > 0;
    items.reverse();
    if (fresh) for (let i = 0; i < responses.length - shown; i += 1) items[i].classList.add("is-new");
    this.timeline.replaceChildren(...items);
  }

  /** Show or hide the response form (officials of this workshop only). */
  setOfficial(official) {
    if (official === this.official) return;
    this.official = official;
    this.formSlot.replaceChildren(official ? this.buildForm() : "");
  }

  buildForm() {
    return respondForm({ code: this.code, proposalId: this.id, latestStatus: this.proposal?.response?.status,
      onPublished: (proposal) => this.update(proposal) });
  }
}

/**
 * An official's response form for one proposal (status and message), posted to the respond API;
 * `onPublished` gets the proposal as everyone is told it. Used on the outcomes page and the
 * officials' page.
 */
export function respondForm({ code, proposalId, latestStatus, onPublished, heading = "h3" }) {
  const id = proposalId;
  const statusId = `respond-${id}-status`;
  const messageId = `respond-${id}-message`;
  const headingId = `respond-${id}-title`;
  const select = h("select", { id: statusId, name: "status" },
    ...RESPONSE_STATUSES.map((s) => h("option", { value: s }, responseLabel(s))));
  if (latestStatus && RESPONSE_STATUSES.includes(latestStatus)) select.value = latestStatus;
  const message = h("textarea", { id: messageId, name: "message", rows: 4, maxlength: 5000, required: true,
    "aria-describedby": `${messageId}-hint` });
  const button = h("button", { type: "submit", class: "primary" }, gettext("Publish response"));
  const status = h("p", { class: "form-status", role: "status" });
  const form = h("form", { class: "respond-form", novalidate: true, "aria-labelledby": headingId },
    h(heading, { id: headingId }, gettext("Respond as an official")),
    h("div", { class: "field-row" },
      h("div", { class: "field respond-status" }, h("label", { for: statusId }, gettext("Status")), select),
      h("div", { class: "field respond-message" }, h("label", { for: messageId }, gettext("Message to the participants")), message,
        h("p", { class: "hint", id: `${messageId}-hint` }, gettext("Explain what happens next and why. Everyone can read it.")))),
    h("div", { class: "form-actions" }, button),
    status);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submitResponse({ code, proposalId, onPublished, select, message, button, status });
  });
  return form;
}

async function submitResponse({ code, proposalId, onPublished, select, message, button, status }) {
  setFieldError(select, "");
  setFieldError(message, "");
  const text = message.value.trim();
  if (!text) {
    setFieldError(message, gettext("Write a message that explains the status."));
    message.focus();
    return;
  }
  if (isUnavailable(button)) return;
  setUnavailable(button, true);
  showStatus(status, gettext("Publishing…"));
  try {
    const { proposal } = await api.respond(code, proposalId, select.value, text);
    if (proposal) onPublished(proposal);
    message.value = "";
    showStatus(status, gettext("Your response was published."), "ok");
  } catch (err) {
    const inputs = { status: select, message };
    let focused = false;
    for (const [name, value] of Object.entries(err.fields || {})) {
      const input = inputs[name];
      if (!input) continue;
      setFieldError(input, [].concat(value).map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" "));
      if (!focused) {
        input.focus();
        focused = true;
      }
    }
    showStatus(status, describeError({ ...err, fields: focused ? {} : err.fields, message: err.message }), "error");
  } finally {
    setUnavailable(button, false);
  }
}

/** "3 proposals were published." */
export function proposalCount(n) {
  return ngettext("%(count)s proposal was published.", "%(count)s proposals were published.", n);
}
