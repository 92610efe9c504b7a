// The console's workshop settings: title, description, agenda, columns, moderation and, before
// the start, profile questions, changed with PATCH /api/workshops/<code> (protocol 3.5). Everyone's
// pages follow through workshop.updated and board.updated.
import { api } from "./api.js";
import { $, showStatus, setFieldError, setUnavailable, isUnavailable } from "./dom.js";
import { gettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { fieldOf, formatAgenda, formatColumns, formatQuestions, parseAgenda, parseColumns, parseQuestions } from "./workshop-form.js";

const TEXT_FIELDS = {
  title: "#edit-title-input",
  description: "#edit-description",
  agenda: "#edit-agenda",
  columns: "#edit-columns",
  flag_threshold: "#edit-flag-threshold",
  profile_questions: "#edit-questions",
};

export class WorkshopEdit {
  constructor(page) {
    this.page = page;
    this.code = page.code;
    this.root = page.root;
    this.form = $("#edit-form", this.root);
    this.openButton = $("#edit-open", this.root);
    this.status = $("#edit-status", this.root);
    this.saved = $("#edit-saved", this.root);
    this.questions = []; // as last read: kept questions keep their keys
    this.openButton.addEventListener("click", () => (this.form.hidden ? this.open() : this.close()));
    $("#edit-cancel", this.root).addEventListener("click", () => this.close());
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.save();
    });
    page.store.on(["workshop.started", "workshop.updated"], () => this.lockQuestions());
  }

  input(name) {
    return $(TEXT_FIELDS[name], this.root);
  }

  plenaryColumns() {
    for (const board of this.page.client.state.boards.values()) if (board.room === null) return board.columns || [];
    return [];
  }

  /** Fill the form with the workshop as it is now, then show it. */
  async open() {
    const w = this.page.client.state.workshop || {};
    showStatus(this.saved, "");
    showStatus(this.status, gettext("Loading…"));
    let settings;
    try {
      settings = await api.workshop(this.code); // flag threshold and profile questions are not in the welcome
    } catch (err) {
      showStatus(this.status, describeError(err), "error");
      this.form.hidden = false;
      return;
    }
    this.questions = settings.profile_questions || [];
    this.input("title").value = settings.title ?? w.title ?? "";
    this.input("description").value = settings.description ?? w.description ?? "";
    this.input("agenda").value = formatAgenda(settings.agenda ?? w.agenda);
    this.input("columns").value = formatColumns(this.plenaryColumns());
    this.input("flag_threshold").value = String(settings.flag_threshold ?? 3);
    this.input("profile_questions").value = formatQuestions(this.questions);
    const moderation = settings.moderation ?? w.moderation ?? "post";
    $(`#edit-moderation-${moderation}`, this.root).checked = true;
    $("#edit-waiting-room", this.root).checked = !!(settings.waiting_room ?? w.waiting_room);
    for (const name of Object.keys(TEXT_FIELDS)) setFieldError(this.input(name), "");
    this.lockQuestions();
    showStatus(this.status, "");
    this.form.hidden = false;
    this.openButton.setAttribute("aria-expanded", "true");
    this.input("title").focus();
  }

  close() {
    this.form.hidden = true;
    this.openButton.setAttribute("aria-expanded", "false");
    this.openButton.focus();
  }

  /** Profile questions change only before the start. */
  lockQuestions() {
    const started = (this.page.client.state.workshop?.status || "draft") !== "draft";
    this.input("profile_questions").readOnly = started;
    $("#edit-questions-locked", this.root).hidden = !started;
  }

  /** What the form says, as the fields PATCH takes; a field that cannot be read throws {name, message}. */
  read() {
    const changes = {
      title: this.input("title").value.trim(),
      description: this.input("description").value.trim(),
      moderation: this.form.querySelector("input[name=edit-moderation]:checked")?.value || "post",
      waiting_room: $("#edit-waiting-room", this.root).checked,
    };
    if (!changes.title) throw { name: "title", message: gettext("Give the workshop a title.") };
    const threshold = Number(this.input("flag_threshold").value);
    if (!Number.isInteger(threshold) || threshold < 1 || threshold > 100) {
      throw { name: "flag_threshold", message: gettext("A whole number from 1 to 100.") };
    }
    changes.flag_threshold = threshold;
    const parsers = { agenda: parseAgenda, columns: parseColumns };
    if (!this.input("profile_questions").readOnly) parsers.profile_questions = (text) => parseQuestions(text, this.questions);
    for (const [name, parse] of Object.entries(parsers)) {
      try {
        changes[name] = parse(this.input(name).value);
      } catch (err) {
        throw { name, message: err.message };
      }
    }
    // Columns that did not change are not sent: the boards then stay as they are.
    if (JSON.stringify(changes.columns) === JSON.stringify(this.plenaryColumns())) delete changes.columns;
    if (changes.profile_questions && JSON.stringify(changes.profile_questions) === JSON.stringify(this.questions)) delete changes.profile_questions;
    return changes;
  }

  async save() {
    const button = $("#edit-submit", this.root);
    if (isUnavailable(button)) return;
    for (const name of Object.keys(TEXT_FIELDS)) setFieldError(this.input(name), "");
    let changes;
    try {
      changes = this.read();
    } catch (problem) {
      setFieldError(this.input(problem.name), problem.message);
      this.input(problem.name).focus();
      return;
    }
    setUnavailable(button, true);
    showStatus(this.status, gettext("Saving…"));
    try {
      await api.updateWorkshop(this.code, changes);
      showStatus(this.status, "");
      this.close();
      showStatus(this.saved, gettext("The workshop's settings were saved. Everyone's page shows them now."), "ok");
    } catch (err) {
      let focused = false;
      for (const [name, message] of Object.entries(err.fields || {})) {
        const input = TEXT_FIELDS[fieldOf(name)] && this.input(fieldOf(name));
        if (!input) continue;
        setFieldError(input, [].concat(message).join(" "));
        if (!focused) input.focus();
        focused = true;
      }
      showStatus(this.status, describeError(err), "error");
    } finally {
      setUnavailable(button, false);
    }
  }
}
