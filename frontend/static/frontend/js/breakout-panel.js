// The console's breakout controls: open rooms (count or names, mode, places, duration, and a
// room per person when placing by hand), with a preview of the room sizes; while they run, message
// all rooms, and close them from the live bar ("close now" only after a confirmation).
import { $, h, setText, showStatus, setFieldError, setUnavailable, isUnavailable, uniqueId } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { runningBreakout } from "./state.js";
import { BreakoutCountdown, currentRooms, roomLabel } from "./rooms.js";
import { LARGE_WORKSHOP, fold, foundText, isLarge, searchPeople } from "./people.js";
import { previewSizes, sizeWarnings } from "./room-sizes.js";
import { formatList } from "./format.js";

/** Whole number from an input, or null when empty; NaN when not a whole number. */
function wholeNumber(input) {
  const raw = input.value.trim();
  if (!raw) return null;
  const n = Number(raw);
  return Number.isInteger(n) ? n : NaN;
}

export class BreakoutPanel {
  constructor(page, run) {
    this.page = page;
    this.client = page.client;
    this.root = page.root;
    this.run = run; // (statusEl, type, fields, opts) -> Promise, the console's command runner
    this.form = $("#breakout-form", this.root);
    this.running = $("#breakout-running", this.root);
    this.mode = $("#breakout-mode", this.root);
    this.count = $("#breakout-rooms", this.root);
    this.names = $("#breakout-names", this.root);
    this.assignList = $("#breakout-assign", this.root);
    this.assignSearch = $("#breakout-assign-search", this.root);
    this.assigned = new Map(); // participant id -> room index chosen in the manual list
    this.assignKey = "";
    this.countdown = new BreakoutCountdown($("#breakout-countdown", this.root), () => this.client.state);
    page.countdowns.push(this.countdown);
    this.confirm = $("#breakout-close-confirm", this.root);
    this.closeNow = $("#breakout-close-now", this.root);
    this.grace = $("#breakout-grace", this.root);
    this.wire();
  }

  wire() {
    this.mode.addEventListener("change", () => this.render());
    for (const input of [this.count, this.names]) {
      input.addEventListener("input", () => {
        this.renderAssignments();
        this.renderPreview();
      });
    }
    this.assignList.addEventListener("change", () => this.renderPreview());
    this.grace.addEventListener("input", () => this.renderGraceHint());
    this.assignSearch.addEventListener("input", () => this.renderAssignments());
    // Enter in the search finds; it must not open the rooms.
    this.assignSearch.addEventListener("keydown", (e) => {
      if (e.key === "Enter") e.preventDefault();
    });
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.open();
    });
    $("#breakout-message-form", this.root).addEventListener("submit", (e) => {
      e.preventDefault();
      this.message();
    });
    $("#breakout-close", this.root).addEventListener("click", () => this.close(false));
    // "Close now" cuts every room off mid-sentence: it asks first, and is kept apart from the countdown.
    this.closeNow.addEventListener("click", () => this.confirmCloseNow(this.confirm.hidden));
    $("#breakout-close-now-no", this.root).addEventListener("click", () => this.confirmCloseNow(false));
    $("#breakout-close-now-yes", this.root).addEventListener("click", () => {
      this.confirmCloseNow(false, { focus: false });
      this.close(true);
    });
    this.confirm.addEventListener("keydown", (e) => {
      if (e.key === "Escape") this.confirmCloseNow(false);
    });
  }

  confirmCloseNow(open, { focus = true } = {}) {
    this.confirm.hidden = !open;
    this.closeNow.setAttribute("aria-expanded", String(open));
    if (focus) (open ? $("#breakout-close-now-no", this.root) : this.closeNow).focus();
  }

  /** "Everyone gets 60 seconds." next to "Close with countdown", from the countdown field. */
  renderGraceHint() {
    const value = wholeNumber(this.grace);
    const seconds = value === null ? 60 : value;
    setText($("#breakout-close-hint", this.root), Number.isInteger(seconds) && seconds >= 0
      ? ngettext("Everyone gets %(count)s second.", "Everyone gets %(count)s seconds.", seconds) : "");
  }

  /** The citizens the server would deal into rooms (not removed; the page lists no waiting or erased people). */
  citizenIds() {
    return [...this.client.state.participants.values()].filter((p) => p.role === "citizen" && !p.removed).map((p) => p.id);
  }

  /** Before opening: how many people each room would get, and a warning for a room of one. */
  renderPreview() {
    const preview = $("#breakout-preview", this.root);
    const warning = $("#breakout-warning", this.root);
    const count = this.roomNames().length;
    const sizes = count >= 2 && count <= 50 ? previewSizes({ mode: this.mode.value, rooms: count, citizens: this.citizenIds(), assignments: this.assigned }) : null;
    preview.hidden = !sizes;
    if (sizes) {
      const ordered = [...sizes].sort((a, b) => b - a).map(String);
      setText(preview, gettext("Room sizes: %(sizes)s.", { sizes: formatList(ordered) }));
    }
    const { alone, empty } = sizeWarnings(sizes);
    const warnings = [];
    if (alone) warnings.push(ngettext("%(count)s room would have one person alone in it.", "%(count)s rooms would have one person alone in them.", alone));
    if (empty) warnings.push(ngettext("%(count)s room would be empty.", "%(count)s rooms would be empty.", empty));
    if (warnings.length) warnings.push(gettext("Open fewer rooms?"));
    setText(warning, warnings.join(" "));
    warning.hidden = !warnings.length;
  }

  /** The room names the form asks for: typed names, else "Room 1".."Room n" (in the page's language). */
  roomNames() {
    const names = this.names.value.split("\n").map((n) => n.trim()).filter(Boolean);
    if (names.length) return names;
    const n = wholeNumber(this.count);
    const count = Number.isInteger(n) && n >= 2 && n <= 50 ? n : 0;
    return Array.from({ length: count }, (_, i) => roomLabel({ name: `Room ${i + 1}` }));
  }

  render() {
    const s = this.client.state;
    const b = runningBreakout(s);
    const heading = $("#session-title", this.root);
    const live = s.workshop?.status === "live";
    // Opening hides the form and closing hides the running controls: focus moves along.
    const formHadFocus = this.form.contains(document.activeElement);
    const bar = $("#live-bar-close", this.root);
    const runningHadFocus = [this.running, bar, this.confirm].some((el) => el.contains(document.activeElement));
    this.running.hidden = !b;
    bar.hidden = !b;
    if (!b) this.confirmCloseNow(false, { focus: false });
    this.form.hidden = !!b || s.workshop?.status === "ended";
    // "The rooms are open." belongs to the last opening, not to the form shown again after the close.
    if (!b && this.wasRunning) showStatus($("#breakout-status", this.root), "");
    this.wasRunning = !!b;
    if (b && formHadFocus) $("#breakout-running-title", this.root).focus();
    if (!b && runningHadFocus) (this.form.hidden ? heading : $("#breakout-rooms", this.root)).focus();
    $("#breakout-needs-live", this.root).hidden = live;
    const mode = this.mode.value;
    $("#breakout-capacity-field", this.root).hidden = mode !== "self_select";
    $("#breakout-manual", this.root).hidden = mode !== "manual";
    if (mode === "manual") this.renderAssignments();
    this.renderPreview();
    this.renderGraceHint();
    this.countdown.render();
    if (!b) return;
    const rooms = currentRooms(s);
    setText($("#breakout-summary", this.root), b.status === "closing"
      ? gettext("The rooms are closing.")
      : ngettext("%(count)s room is open.", "%(count)s rooms are open.", rooms.length));
    const closing = b.status === "closing";
    const closeBtn = $("#breakout-close", this.root);
    if (closing && closeBtn.contains(document.activeElement)) this.closeNow.focus();
    closeBtn.hidden = closing;
    $("#breakout-close-hint", this.root).hidden = closing;
    $("#breakout-grace-field", this.root).hidden = closing;
  }

  /**
   * Manual mode: one select per citizen, keyed so that choices and focus survive updates. Past
   * LARGE_WORKSHOP citizens only those found by name and those already placed are listed.
   */
  renderAssignments() {
    if (this.mode.value !== "manual") return;
    const names = this.roomNames();
    const citizens = [...this.client.state.participants.values()].filter((p) => p.role === "citizen" && !p.removed);
    const large = isLarge(citizens.length);
    const query = large ? this.assignSearch.value : "";
    $("#breakout-assign-find", this.root).hidden = !large;
    let people = citizens;
    if (large && fold(query)) {
      const { listed, count } = searchPeople(citizens, query, LARGE_WORKSHOP);
      people = listed;
      setText($("#breakout-assign-found", this.root), foundText(count, listed.length));
    } else if (large) {
      people = citizens.filter((p) => this.assigned.has(p.id));
      setText($("#breakout-assign-found", this.root), ngettext("%(count)s person placed by hand.", "%(count)s people placed by hand.", people.length));
    }
    people.sort((a, b) => String(a.name).localeCompare(String(b.name)) || a.id - b.id);
    const key = JSON.stringify([names, people.map((p) => [p.id, p.name])]);
    if (key === this.assignKey) return;
    this.assignKey = key;
    const focused = this.assignList.contains(document.activeElement) ? document.activeElement.dataset.person : null;
    if (!people.length) {
      this.assignList.replaceChildren(...(large ? [] : [h("li", { class: "note" }, gettext("Nobody has joined yet."))]));
      return;
    }
    this.assignList.replaceChildren(...people.map((p) => {
      const id = uniqueId("assign");
      const chosen = this.assigned.get(p.id);
      const select = h("select", { id, dataset: { person: p.id } },
        h("option", { value: "" }, gettext("Any room")),
        names.map((name, i) => h("option", { value: String(i), selected: chosen === i }, name)));
      select.addEventListener("change", () => {
        if (select.value === "") this.assigned.delete(p.id);
        else this.assigned.set(p.id, Number(select.value));
      });
      return h("li", { class: "assign-row" }, h("label", { for: id }, p.name), select);
    }));
    if (focused) this.assignList.querySelector(`select[data-person="${focused}"]`)?.focus();
  }

  open() {
    const status = $("#breakout-status", this.root);
    const fields = { mode: this.mode.value };
    for (const input of [this.count, this.names, $("#breakout-minutes", this.root), $("#breakout-capacity", this.root)]) setFieldError(input, "");
    const names = this.names.value.split("\n").map((n) => n.trim()).filter(Boolean);
    if (names.length) {
      if (names.length < 2 || names.length > 50) {
        setFieldError(this.names, gettext("Give between 2 and 50 names, one per line."));
        this.names.focus();
        return;
      }
      fields.names = names;
    } else {
      const n = wholeNumber(this.count);
      if (!Number.isInteger(n) || n < 2 || n > 50) {
        setFieldError(this.count, gettext("Choose between 2 and 50 rooms."));
        this.count.focus();
        return;
      }
      fields.rooms = n;
    }
    const minutesInput = $("#breakout-minutes", this.root);
    const minutes = wholeNumber(minutesInput);
    if (minutes !== null) {
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
        setFieldError(minutesInput, gettext("Minutes must be a whole number from 1 to 1440, or empty."));
        minutesInput.focus();
        return;
      }
      fields.duration_s = minutes * 60;
    }
    if (fields.mode === "self_select") {
      const capacityInput = $("#breakout-capacity", this.root);
      const capacity = wholeNumber(capacityInput);
      if (capacity !== null) {
        if (!Number.isInteger(capacity) || capacity < 1) {
          setFieldError(capacityInput, gettext("Places must be a whole number of at least 1, or empty."));
          capacityInput.focus();
          return;
        }
        fields.capacity = capacity;
      }
    }
    if (fields.mode === "manual") {
      const count = (fields.names || []).length || fields.rooms;
      const assignments = {};
      for (const [pid, index] of this.assigned) {
        const p = this.client.state.participants.get(pid);
        if (p && !p.removed && index < count) assignments[pid] = index;
      }
      fields.assignments = assignments;
    }
    this.run(status, "breakout.open", fields, { done: gettext("The rooms are open."), busy: $("#breakout-open", this.root) })
      .then(() => {
        this.assigned.clear();
        this.assignKey = "";
      }, () => {});
  }

  message() {
    const input = $("#breakout-message", this.root);
    const status = $("#breakout-message-status", this.root);
    const text = input.value.trim();
    setFieldError(input, "");
    if (!text) {
      setFieldError(input, gettext("Write the message first."));
      input.focus();
      return;
    }
    this.run(status, "announce", { text }, { done: gettext("Sent to every room."), busy: $("#breakout-message-send", this.root) })
      .then(() => {
        if (input.value.trim() === text) input.value = "";
      }, () => {});
  }

  close(now) {
    const status = $("#breakout-close-status", this.root);
    const button = $(now ? "#breakout-close-now" : "#breakout-close", this.root);
    if (isUnavailable(button)) return;
    let grace = 0;
    if (!now) {
      const input = $("#breakout-grace", this.root);
      setFieldError(input, "");
      const value = wholeNumber(input);
      grace = value === null ? 60 : value;
      if (!Number.isInteger(grace) || grace < 0 || grace > 3600) {
        setFieldError(input, gettext("Seconds must be a whole number from 0 to 3600."));
        input.focus();
        return;
      }
    }
    setUnavailable(button, true);
    this.run(status, "breakout.close", { grace_s: grace }, {
      done: grace ? gettext("The countdown has started.") : gettext("The rooms are closed."),
    }).catch(() => {}).finally(() => setUnavailable(button, false));
  }
}
