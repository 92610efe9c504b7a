// What a moderator does to a queue item, by button or by a one-key shortcut: hide (with a
// reason), restore, approve, dismiss, grant or deny an appeal, mute or remove the author.
import { h, showStatus, uniqueId, announce, setUnavailable, isUnavailable } from "./dom.js";
import { gettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { flagReasonLabel, heldReasonLabels } from "./moderation-text.js";

const MUTE_MINUTES = 10;

/** [key, label, shortcut, applies(record, view), run(view, record)] */
const ACTIONS = [
  ["approve", () => gettext("Approve"), "a", (r) => r.item.group === "held", (v, r) => v.simple(r, "idea.approve", { idea: r.item.ideaId }, gettext("Approved: everyone can see the idea now."))],
  ["grant", () => gettext("Grant appeal"), "a", (r) => r.item.group === "appeals", (v, r) => v.simple(r, "appeal.decide", { idea: r.item.ideaId, uphold: true }, gettext("Appeal granted: the idea is shown again."))],
  ["hide", () => gettext("Hide…"), "h", (r) => ["visible", "held"].includes(r.item.idea?.status) && r.item.group !== "appeals", (v, r) => v.promptHide(r)],
  ["restore", () => gettext("Restore"), "r", (r) => r.item.idea?.status === "hidden" && r.item.group === "flagged", (v, r) => v.simple(r, "idea.restore", { idea: r.item.ideaId }, gettext("Restored: everyone can see the idea again."))],
  ["dismiss", () => gettext("Dismiss flags"), "d", (r) => r.item.group === "flagged", (v, r) => v.dismiss(r)],
  ["deny", () => gettext("Deny appeal…"), "d", (r) => r.item.group === "appeals", (v, r) => v.promptDeny(r)],
  ["mute", () => gettext("Mute author 10 min"), "m", (r, v) => v.canAct(r), (v, r) => v.mute(r)],
  ["remove", () => gettext("Remove author…"), "x", (r, v) => v.canAct(r), (v, r) => v.confirmRemove(r)],
];

/** Typing in a field (or a modified key) is never a shortcut. */
function isTyping(e) {
  const el = e.target;
  return e.ctrlKey || e.metaKey || e.altKey || e.isComposing
    || (el instanceof HTMLElement && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName)));
}

export class ModerationActions {
  constructor(queue, onChange) {
    this.queue = queue;
    this.client = queue.client;
    this.onChange = onChange; // after every decision: the page refreshes the log
    this.current = null; // key of the item shortcuts act on
    document.addEventListener("keydown", (e) => this.onKey(e));
  }

  /** Mute and remove apply to an author who is a citizen still in the workshop. */
  canAct(record) {
    const author = this.queue.author(record);
    return !!author && author.role === "citizen" && !author.removed;
  }

  renderButtons(record) {
    const wanted = ACTIONS.filter(([, , , applies]) => applies(record, this));
    const keys = wanted.map(([key]) => key).join(" ");
    if (record.actions.dataset.keys === keys) return;
    record.actions.dataset.keys = keys;
    const focusedKey = record.actions.contains(document.activeElement) ? document.activeElement.dataset.action : null;
    record.buttons = new Map();
    record.actions.replaceChildren(...wanted.map(([key, label, shortcut, , run]) => {
      const danger = key === "remove" || key === "hide";
      const button = h("button", { type: "button", class: danger ? "small danger-outline" : "small", dataset: { action: key },
        "aria-keyshortcuts": shortcut, title: gettext("Shortcut: %(key)s", { key: shortcut }) }, label());
      button.addEventListener("click", () => {
        if (!isUnavailable(button)) run(this, record);
      });
      record.buttons.set(key, button);
      return button;
    }));
    if (focusedKey) (record.buttons.get(focusedKey) || record.article).focus();
  }

  /** The item the shortcuts act on: the one with focus, else the last one used, else the first. */
  target() {
    const shown = this.queue.shownRecords();
    return shown.find((r) => r.li.contains(document.activeElement)) || shown.find((r) => r.key === this.current) || shown[0] || null;
  }

  onKey(e) {
    if (isTyping(e) || e.defaultPrevented) return;
    const key = e.key.toLowerCase();
    if (key === "j" || key === "k") {
      const shown = this.queue.shownRecords();
      if (!shown.length) return;
      e.preventDefault();
      const at = shown.findIndex((r) => r.li.contains(document.activeElement));
      const next = at < 0 ? (key === "j" ? 0 : shown.length - 1) : Math.max(0, Math.min(shown.length - 1, at + (key === "j" ? 1 : -1)));
      shown[next].article.focus();
      shown[next].article.scrollIntoView({ block: "nearest" });
      return;
    }
    const record = this.target();
    if (!record) return;
    const action = ACTIONS.find(([name, , shortcut, applies]) => shortcut === key && applies(record, this) && record.buttons.has(name));
    if (!action) return;
    e.preventDefault();
    this.current = record.key;
    if (!record.li.contains(document.activeElement)) record.article.focus();
    action[4](this, record);
  }

  /** Send one command for an item; say the outcome in the item (or the queue when it is gone). */
  send(record, type, fields, done) {
    showStatus(record.status, gettext("Sending…"));
    return this.client.send(type, fields).then((ack) => {
      const where = record.li.isConnected ? record.status : this.queue.status;
      showStatus(where, done, "ok");
      if (where !== this.queue.status) showStatus(this.queue.status, "");
      announce(done);
      this.onChange();
      return ack;
    }, (err) => {
      showStatus(record.li.isConnected ? record.status : this.queue.status, describeError(err), "error");
      this.onChange();
      throw err;
    });
  }

  simple(record, type, fields, done) {
    return this.send(record, type, fields, done).catch(() => {});
  }

  dismiss(record) {
    const flags = record.item.flags.filter((f) => f.status === "open");
    const hidden = record.item.idea?.status === "hidden";
    showStatus(record.status, gettext("Sending…"));
    Promise.all(flags.map((f) => this.client.send("flag.dismiss", { flag: f.id }))).then(() => {
      const done = hidden ? gettext("Flags closed; the idea stays hidden.") : gettext("Flags dismissed; the idea stays up.");
      showStatus(record.li.isConnected ? record.status : this.queue.status, done, "ok");
      announce(done);
    }, (err) => showStatus(record.li.isConnected ? record.status : this.queue.status, describeError(err), "error"))
      .finally(() => this.onChange());
  }

  mute(record) {
    const author = this.queue.author(record);
    if (!author) return;
    this.simple(record, "participant.mute", { participant: author.id, minutes: MUTE_MINUTES },
      gettext("%(name)s is muted for %(minutes)s minutes.", { name: author.name, minutes: MUTE_MINUTES }));
  }

  /** A small form in the item's slot; Escape (or Cancel) closes it and returns focus. */
  openPrompt(record, form, focusEl, back) {
    this.closePrompt(record, false);
    record.prompt = { form, back };
    form.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        this.closePrompt(record, true);
      }
    });
    record.slot.replaceChildren(form);
    focusEl.focus();
    focusEl.select?.();
  }

  closePrompt(record, restoreFocus) {
    const prompt = record.prompt;
    record.prompt = null;
    record.slot.replaceChildren();
    if (restoreFocus && prompt) (record.buttons.get(prompt.back) || record.article).focus();
  }

  textPrompt(record, { label, value, required, submitLabel, back, onSubmit }) {
    const id = uniqueId("prompt");
    const input = h("input", { id, type: "text", maxlength: "300", required: required || null });
    input.value = value || "";
    const cancel = h("button", { type: "button", class: "small" }, gettext("Cancel"));
    const submit = h("button", { type: "submit", class: "small primary" }, submitLabel);
    const form = h("form", { class: "queue-prompt", novalidate: true },
      h("label", { for: id }, label), input, h("div", { class: "form-actions" }, submit, cancel));
    cancel.addEventListener("click", () => this.closePrompt(record, true));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (required && !text) {
        showStatus(record.status, gettext("Give a reason first."), "error");
        input.focus();
        return;
      }
      if (isUnavailable(submit)) return;
      setUnavailable(submit, true);
      onSubmit(text).then(() => this.closePrompt(record, false), () => setUnavailable(submit, false));
    });
    this.openPrompt(record, form, input, back);
  }

  promptHide(record) {
    const { item } = record;
    let value = "";
    if (item.group === "flagged") {
      const counts = new Map();
      for (const f of item.flags) counts.set(f.reason, (counts.get(f.reason) || 0) + 1);
      value = flagReasonLabel([...counts].sort((a, b) => b[1] - a[1])[0]?.[0]);
    } else if (item.group === "held") {
      value = heldReasonLabels(item.idea?.held_reason).filter((r) => r !== gettext("pre-moderation")).join(", ");
    }
    this.textPrompt(record, {
      label: gettext("Reason for hiding (the author reads it)"),
      value,
      required: true,
      submitLabel: gettext("Hide idea"),
      back: "hide",
      onSubmit: (reason) => this.send(record, "idea.hide", { idea: item.ideaId, reason }, gettext("Hidden. The author can appeal.")),
    });
  }

  promptDeny(record) {
    this.textPrompt(record, {
      label: gettext("Note for the author (optional)"),
      value: "",
      required: false,
      submitLabel: gettext("Deny appeal"),
      back: "deny",
      onSubmit: (note) => this.send(record, "appeal.decide", { idea: record.item.ideaId, uphold: false, ...(note ? { note } : {}) },
        gettext("Appeal denied: the idea stays hidden.")),
    });
  }

  confirmRemove(record) {
    const author = this.queue.author(record);
    if (!author) return;
    const remove = h("button", { type: "button", class: "small danger" }, gettext("Remove %(name)s", { name: author.name }));
    const cancel = h("button", { type: "button", class: "small" }, gettext("Cancel"));
    const form = h("div", { class: "confirm queue-prompt", role: "group", "aria-label": gettext("Confirm removal") },
      h("p", {}, gettext("Remove %(name)s from the workshop? They are disconnected at once and cannot join again. Their ideas stay.", { name: author.name })),
      h("div", { class: "form-actions" }, remove, cancel));
    cancel.addEventListener("click", () => this.closePrompt(record, true));
    remove.addEventListener("click", () => {
      if (isUnavailable(remove)) return;
      setUnavailable(remove, true);
      this.send(record, "participant.remove", { participant: author.id }, gettext("%(name)s was removed from the workshop.", { name: author.name }))
        .then(() => this.closePrompt(record, record.li.contains(document.activeElement)), () => setUnavailable(remove, false));
    });
    this.openPrompt(record, form, remove, "remove");
  }
}
