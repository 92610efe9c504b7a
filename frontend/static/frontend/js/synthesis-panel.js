// The console's synthesis panel: ask the server for clusters and a bridging ranking, select ideas,
// draft a proposal from them, then edit and publish drafts. Proposals come from the live state.
import { $, h, setText, showStatus, setFieldError, setUnavailable, isUnavailable } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { responseLabel } from "./report-format.js";
import { ideaBridgingExplained, ideaBridgingWords } from "./bridging.js";
import { boardTitle } from "./rooms.js";

export class SynthesisPanel {
  constructor(page, run) {
    this.page = page;
    this.client = page.client;
    this.root = page.root;
    this.run = run;
    this.selected = new Set();
    this.editing = null; // proposal id with its edit form open
    this.listKey = "";
    this.boardKey = "";
    this.toggle = $("#synthesis-toggle", this.root);
    this.toggle.addEventListener("click", () => this.setOpen(this.toggle.getAttribute("aria-expanded") !== "true"));
    try {
      this.setOpen(sessionStorage.getItem(`inspraak:synthesis:${page.code}`) === "open");
    } catch {
      this.setOpen(false);
    }
    $("#synthesis-suggest", this.root).addEventListener("click", () => this.suggest());
    $("#draft-form", this.root).addEventListener("submit", (e) => {
      e.preventDefault();
      this.draft();
    });
    $("#draft-from-sources", this.root).addEventListener("click", () => this.bodyFromSources());
    const code = encodeURIComponent(page.code);
    $("#outcomes-link", this.root).href = `/w/${code}/outcomes`;
    $("#report-link", this.root).href = `/w/${code}/report`;
  }

  /** Open or close the panel (it stays as it was across reloads of this tab). */
  setOpen(open) {
    this.toggle.setAttribute("aria-expanded", String(open));
    setText(this.toggle.querySelector(".toggle-mark"), open ? "▾" : "▸");
    $("#synthesis-body", this.root).hidden = !open;
    try {
      sessionStorage.setItem(`inspraak:synthesis:${this.page.code}`, open ? "open" : "closed");
    } catch {
      // Storage disabled: the panel starts closed next time.
    }
  }

  get state() {
    return this.client.state;
  }

  ideaText(id) {
    const idea = this.state.ideas.get(id);
    return idea ? idea.text || gettext("(withdrawn)") : gettext("Idea %(id)s", { id });
  }

  /** Whether an idea may still be a source: visible and not flagged (the server refuses others). */
  sourceable(id) {
    if (this.state.ideas.get(id)?.status !== "visible") return false;
    for (const flag of this.state.flags.values()) if (flag.idea === id && flag.status === "open") return false;
    return true;
  }

  render() {
    // An idea hidden, held or flagged since the suggestions were made is no longer offered.
    for (const id of [...this.selected]) if (!this.sourceable(id)) this.selected.delete(id);
    for (const box of this.root.querySelectorAll("input.pick")) {
      const li = box.closest("li");
      const gone = !this.sourceable(Number(box.dataset.idea));
      if (li) li.hidden = gone;
      if (gone) box.checked = false;
    }
    this.renderBoards();
    this.renderSelected();
    this.renderProposals();
  }

  renderBoards() {
    const select = $("#synthesis-board", this.root);
    const boards = [...this.state.boards.values()].sort((a, b) => (a.room === null ? -1 : 0) - (b.room === null ? -1 : 0) || a.id - b.id);
    const key = JSON.stringify(boards.map((b) => [b.id, boardTitle(this.state, b)]));
    if (key === this.boardKey) return;
    this.boardKey = key;
    const value = select.value;
    select.replaceChildren(h("option", { value: "" }, gettext("All boards")),
      ...boards.map((b) => h("option", { value: String(b.id) }, boardTitle(this.state, b) || gettext("Room board"))));
    select.value = [...select.options].some((o) => o.value === value) ? value : "";
  }

  suggest() {
    const button = $("#synthesis-suggest", this.root);
    const board = $("#synthesis-board", this.root).value;
    const fields = board ? { board: Number(board) } : {};
    this.run($("#synthesis-status", this.root), "synthesis.suggest", fields, { done: gettext("Suggestions are ready."), busy: button })
      .then((ack) => this.showSuggestions(ack), () => {});
  }

  checkbox(id, prefix) {
    const inputId = `${prefix}-${id}`;
    const idea = this.state.ideas.get(id);
    const box = h("input", { type: "checkbox", id: inputId, class: "pick", dataset: { idea: id }, checked: this.selected.has(id) });
    box.addEventListener("change", () => {
      if (box.checked) this.selected.add(id);
      else this.selected.delete(id);
      for (const other of this.root.querySelectorAll(`input.pick[data-idea="${id}"]`)) other.checked = box.checked;
      this.renderSelected();
    });
    return [box, h("label", { for: inputId }, this.ideaText(id),
      idea?.author?.name ? h("span", { class: "hint" }, ` · ${idea.author.name}`) : null)];
  }

  showSuggestions(ack) {
    const clusters = ack.clusters || [];
    const ranking = ack.bridging || [];
    const box = $("#synthesis-results", this.root);
    box.hidden = false;
    setText($("#bridging-how", this.root), ideaBridgingExplained());
    $("#cluster-list", this.root).replaceChildren(...(clusters.length ? clusters.map((c, i) => h("li", { class: "cluster" },
      h("h4", { id: `cluster-${i}` }, c.label || gettext("Group %(n)s", { n: i + 1 })),
      h("ul", { class: "picks", "aria-labelledby": `cluster-${i}` },
        ...(c.ideas || []).map((id) => h("li", { class: "choice" }, ...this.checkbox(id, `pick-c${i}`))))))
      : [h("li", { class: "empty" }, gettext("No groups of ideas yet."))]));
    $("#bridging-list", this.root).replaceChildren(...(ranking.length ? ranking.map(({ idea, score }) => h("li", { class: "choice" },
      ...this.checkbox(idea, "pick-b"), h("span", { class: "bridging-words" }, ideaBridgingWords(score, this.state.ideas.get(idea)?.reactions))))
      : [h("li", { class: "empty" }, gettext("No visible ideas yet."))]));
  }

  renderSelected() {
    const ids = [...this.selected];
    setText($("#draft-selected", this.root), ids.length
      ? ngettext("%(count)s idea selected as a source.", "%(count)s ideas selected as sources.", ids.length)
      : gettext("Select ideas above to use them as sources."));
  }

  /** Put the selected ideas' texts in the draft's body, one per line, after what is there already. */
  bodyFromSources() {
    const body = $("#draft-body", this.root);
    const texts = [...this.selected].sort((a, b) => a - b).map((id) => this.state.ideas.get(id)?.text).filter(Boolean);
    if (!texts.length) {
      showStatus($("#draft-status", this.root), gettext("Select ideas above first: their texts start the proposal."), "error");
      return;
    }
    showStatus($("#draft-status", this.root), "");
    const lines = texts.map((text) => `- ${text}`).join("\n");
    body.value = body.value.trim() ? `${body.value.trimEnd()}\n${lines}` : lines;
    setFieldError(body, "");
    body.focus();
  }

  draft() {
    const title = $("#draft-title", this.root);
    const body = $("#draft-body", this.root);
    setFieldError(title, "");
    setFieldError(body, "");
    if (!title.value.trim()) {
      setFieldError(title, gettext("Give the proposal a title."));
      title.focus();
      return;
    }
    if (!body.value.trim()) {
      setFieldError(body, gettext("Describe the proposal."));
      body.focus();
      return;
    }
    const fields = { title: title.value.trim(), body: body.value.trim(), sources: [...this.selected] };
    this.run($("#draft-status", this.root), "proposal.draft", fields, { done: gettext("Draft saved. Publish it below when it is ready."), busy: $("#draft-submit", this.root) })
      .then(() => {
        title.value = "";
        body.value = "";
        this.selected.clear();
        for (const box of this.root.querySelectorAll("input.pick")) box.checked = false;
        this.renderSelected();
      }, (err) => {
        if (err.fields?.title) setFieldError(title, [].concat(err.fields.title).join(" "));
        if (err.fields?.body) setFieldError(body, [].concat(err.fields.body).join(" "));
      });
  }

  renderProposals() {
    const list = $("#proposal-admin-list", this.root);
    const proposals = this.state.proposals;
    const key = JSON.stringify([this.editing, proposals.map((p) => [p.id, p.title, p.body, p.status, p.sources, p.response?.status, p.edited]), this.state.ideas.size]);
    if (key === this.listKey) return;
    this.listKey = key;
    $("#proposal-admin-empty", this.root).hidden = proposals.length > 0;
    const focusedId = list.contains(document.activeElement) ? document.activeElement.id : null;
    list.replaceChildren(...proposals.map((p) => this.proposalItem(p)));
    if (focusedId) document.getElementById(focusedId)?.focus();
  }

  proposalItem(p) {
    const published = p.status === "published";
    const headingId = `admin-proposal-${p.id}`;
    const edit = h("button", { type: "button", class: "small", id: `edit-proposal-${p.id}` }, gettext("Edit"),
      h("span", { class: "visually-hidden" }, ` ${p.title}`));
    edit.addEventListener("click", () => {
      this.editing = p.id;
      this.renderProposals();
      document.getElementById(`edit-title-${p.id}`)?.focus();
    });
    let publish = null;
    if (!published) {
      publish = h("button", { type: "button", class: "primary small", id: `publish-proposal-${p.id}` }, gettext("Publish"),
        h("span", { class: "visually-hidden" }, ` ${p.title}`));
      publish.addEventListener("click", () => {
        this.run($(`#proposal-status-${p.id}`, this.root), "proposal.publish", { proposal: p.id },
          { done: gettext("Published. Everyone can see and endorse it now."), busy: publish }).catch(() => {});
      });
    }
    return h("li", { class: "admin-proposal", dataset: { id: p.id, status: p.status } },
      h("h4", { id: headingId }, p.title),
      h("p", {}, h("span", { class: "status-badge", dataset: { status: published ? "live" : "draft" } }, published ? gettext("Published") : gettext("Draft")),
        p.edited ? [" ", h("span", { class: "edited" }, gettext("edited after publishing"))] : null,
        p.response ? [" ", h("span", { class: "response-badge" }, responseLabel(p.response.status))] : null),
      h("p", { class: "pp-body" }, p.body),
      h("p", { class: "hint", id: `admin-sources-${p.id}` }, ngettext("%(count)s source idea", "%(count)s source ideas", (p.sources || []).length)),
      (p.sources || []).length ? h("ul", { class: "admin-sources", "aria-labelledby": `admin-sources-${p.id}` },
        ...p.sources.map((id) => {
          const idea = this.state.ideas.get(id);
          return h("li", {}, this.ideaText(id), idea?.author?.name ? h("span", { class: "hint" }, ` · ${idea.author.name}`) : null);
        })) : null,
      this.editing === p.id ? this.editForm(p) : h("div", { class: "form-actions" }, edit, publish),
      h("p", { class: "form-status", role: "status", id: `proposal-status-${p.id}` }));
  }

  editForm(p) {
    const title = h("input", { type: "text", id: `edit-title-${p.id}`, maxlength: "200", value: p.title });
    const body = h("textarea", { id: `edit-body-${p.id}`, rows: "4", maxlength: "5000" });
    body.value = p.body || "";
    const useSelected = h("input", { type: "checkbox", id: `edit-sources-${p.id}` });
    const save = h("button", { type: "submit", class: "primary small", id: `save-proposal-${p.id}` }, gettext("Save changes"));
    const cancel = h("button", { type: "button", class: "small" }, gettext("Cancel"));
    const close = () => {
      this.editing = null;
      this.renderProposals();
      document.getElementById(`edit-proposal-${p.id}`)?.focus();
    };
    cancel.addEventListener("click", close);
    const form = h("form", { class: "edit-proposal", novalidate: true, "aria-label": gettext("Edit the proposal “%(title)s”", { title: p.title }) },
      h("div", { class: "field" }, h("label", { for: title.id }, gettext("Title")), title),
      h("div", { class: "field" }, h("label", { for: body.id }, gettext("Text")), body),
      h("div", { class: "choice" }, useSelected, h("label", { for: useSelected.id }, gettext("Replace the sources with the selected ideas"))),
      h("div", { class: "form-actions" }, save, cancel));
    form.addEventListener("keydown", (e) => {
      if (e.key === "Escape") close();
    });
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const fields = { proposal: p.id, title: title.value.trim(), body: body.value.trim() };
      if (useSelected.checked) fields.sources = [...this.selected];
      if (isUnavailable(save)) return;
      setUnavailable(save, true);
      this.client.send("proposal.update", fields).then(() => {
        this.editing = null;
        this.renderProposals();
        showStatus($(`#proposal-status-${p.id}`, this.root), gettext("Saved."), "ok");
        document.getElementById(`edit-proposal-${p.id}`)?.focus();
      }, (err) => {
        setUnavailable(save, false);
        showStatus($(`#proposal-status-${p.id}`, this.root), describeError(err), "error");
      });
    });
    return form;
  }
}
