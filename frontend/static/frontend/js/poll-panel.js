// The console's poll panel (protocol 3.4): open a poll from typed options or from ideas on the
// board, then follow each poll's results live and close it.
import { $, $$, h, setText, showStatus, setUnavailable, isUnavailable, uniqueId } from "./dom.js";
import { gettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { WITH_OPTIONS, pollFields } from "./poll-logic.js";
import { pollMeta, resultsBlock } from "./poll-card.js";

export class PollPanel {
  constructor(page) {
    this.page = page;
    this.client = page.client;
    this.root = page.root;
    this.form = $("#poll-form", this.root);
    this.chosen = new Set(); // idea ids ticked as options
    this.items = new Map(); // poll id -> {el, results, close}
    if (!this.form) return;
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    $("#poll-kind", this.root).addEventListener("change", () => this.showFields());
    for (const radio of $$("input[name=poll-source]", this.root)) radio.addEventListener("change", () => this.showFields());
    page.onSnapshot(() => this.render());
    page.store.watch(["poll.opened", "poll.closed", "idea.hidden"], () => this.render());
    page.store.watch(["idea.*"], () => this.renderIdeas());
    page.store.on("poll.results", (ev) => this.showResults(ev.poll));
    this.showFields();
  }

  kind() {
    return $("#poll-kind", this.root).value;
  }

  source() {
    return $("input[name=poll-source]:checked", this.root)?.value || "typed";
  }

  /** Only the settings of the chosen kind are shown (and sent). */
  showFields() {
    const kind = this.kind();
    const withOptions = WITH_OPTIONS.has(kind);
    for (const el of $$("[data-for]", this.form)) {
      const wanted = el.dataset.for;
      el.hidden = wanted === "options" ? !withOptions : wanted !== kind;
    }
    if (withOptions) {
      const ideas = this.source() === "ideas";
      $("#poll-options-field", this.root).hidden = ideas;
      $("#poll-ideas", this.root).hidden = !ideas;
    }
  }

  /** The visible ideas a facilitator may make options of, oldest first. */
  renderIdeas() {
    const ideas = [...this.client.state.ideas.values()].filter((i) => i.status === "visible" && i.text);
    const known = new Set(ideas.map((i) => i.id));
    for (const id of [...this.chosen]) if (!known.has(id)) this.chosen.delete(id);
    $("#poll-ideas-empty", this.root).hidden = ideas.length > 0;
    const list = $("#poll-idea-list", this.root);
    const shown = [...list.querySelectorAll("input")].map((i) => Number(i.dataset.idea)).join();
    if (shown === ideas.map((i) => i.id).join()) return; // unchanged: keep focus and ticks as they are
    list.replaceChildren(...ideas.map((idea) => {
      const id = uniqueId(`poll-idea-${idea.id}`);
      const box = h("input", { type: "checkbox", id, dataset: { idea: idea.id }, checked: this.chosen.has(idea.id) });
      box.addEventListener("change", () => {
        if (box.checked) this.chosen.add(idea.id);
        else this.chosen.delete(idea.id);
      });
      return h("div", { class: "choice" }, box, h("label", { for: id }, idea.text));
    }));
  }

  render() {
    if (!this.form) return;
    this.renderIdeas();
    const polls = [...this.client.state.polls.values()].sort((a, b) => b.id - a.id);
    $("#poll-admin-empty", this.root).hidden = polls.length > 0;
    const list = $("#poll-admin-list", this.root);
    const els = polls.map((poll) => this.item(poll).el);
    if (els.some((el, i) => list.children[i] !== el) || list.children.length !== els.length) {
      const active = document.activeElement;
      list.replaceChildren(...els);
      if (active && list.contains(active)) active.focus();
    }
  }

  /** A poll in the list: kept while its status stays, redrawn when it closes. */
  item(poll) {
    const known = this.items.get(poll.id);
    if (known && known.status === poll.status) {
      setText(known.meta, pollMeta(poll));
      known.results.replaceChildren(resultsBlock(poll));
      return known;
    }
    const headingId = `poll-admin-${poll.id}-q`;
    const meta = h("p", { class: "hint poll-meta" }, pollMeta(poll));
    const results = h("div", { class: "poll-results" }, resultsBlock(poll));
    const status = h("p", { class: "form-status", role: "status" });
    let close = null;
    if (poll.status === "open") {
      close = h("button", { type: "button", class: "small", "aria-label": gettext("Close the poll: %(question)s", { question: poll.question }) },
        gettext("Close the poll"));
      close.addEventListener("click", () => this.close(poll.id, close, status));
    }
    const el = h("article", { class: "poll-card poll-admin", "aria-labelledby": headingId },
      h("h4", { id: headingId, tabindex: "-1" }, poll.question), meta,
      close ? h("div", { class: "form-actions" }, close) : null, status, results);
    const entry = { el, meta, results, status: poll.status };
    if (known && known.el.contains(document.activeElement)) queueMicrotask(() => el.querySelector("h4")?.focus());
    this.items.set(poll.id, entry);
    return entry;
  }

  showResults(pollId) {
    const poll = this.client.state.polls.get(pollId);
    const entry = this.items.get(pollId);
    if (poll && entry) entry.results.replaceChildren(resultsBlock(poll));
  }

  close(pollId, button, status) {
    if (isUnavailable(button)) return;
    setUnavailable(button, true);
    showStatus(status, gettext("Sending…"));
    this.client.send("poll.close", { poll: pollId }).then(() => {
      showStatus(status, gettext("The poll is closed."), "ok");
    }, (err) => showStatus(status, describeError(err), "error"))
      .finally(() => setUnavailable(button, false));
  }

  values() {
    const value = (id) => $(id, this.root).value;
    return {
      question: value("#poll-question"), kind: this.kind(), source: this.source(), options: value("#poll-options"),
      ideas: [...this.chosen], max_choices: value("#poll-max-choices"), scale_min: value("#poll-scale-min"),
      scale_max: value("#poll-scale-max"), points: value("#poll-points"), anonymous: $("#poll-anonymous", this.root).checked,
      results: $("input[name=poll-results]:checked", this.root)?.value, duration_min: value("#poll-duration"),
    };
  }

  fieldInput(field) {
    return $({
      question: "#poll-question", options: "#poll-options", ideas: "#poll-idea-list input", max_choices: "#poll-max-choices",
      scale: "#poll-scale-min", points: "#poll-points", duration: "#poll-duration", duration_s: "#poll-duration",
    }[field] || "#poll-question", this.root);
  }

  submit() {
    const button = $("#poll-submit", this.root);
    const status = $("#poll-status", this.root);
    if (isUnavailable(button)) return;
    const made = pollFields(this.values());
    if (made.error) {
      showStatus(status, made.error, "error");
      this.fieldInput(made.field)?.focus();
      return;
    }
    setUnavailable(button, true);
    showStatus(status, this.client.ready ? gettext("Sending…") : gettext("Offline: this will be sent when the connection is back."));
    this.client.send("poll.open", made.fields).then(() => {
      showStatus(status, gettext("The poll is open."), "ok");
      $("#poll-question", this.root).value = "";
      $("#poll-options", this.root).value = "";
      this.chosen.clear();
      for (const box of $$("#poll-idea-list input", this.root)) box.checked = false;
    }, (err) => {
      const fields = err.fields || {};
      const first = Object.keys(fields)[0];
      showStatus(status, [describeError({ ...err, fields: {} }), ...Object.values(fields).flat()].join(" "), "error");
      if (first) this.fieldInput(first)?.focus();
    }).finally(() => setUnavailable(button, false));
  }
}
