// The forms of the board: post an idea, and on an idea build on it, edit, withdraw, flag or
// appeal. Each opens in the idea's slot (BoardView.slotForm) and Escape closes it.
import { h, showStatus, uniqueId, announce, setUnavailable, isUnavailable } from "./dom.js";
import { gettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { FLAG_REASONS } from "./moderation-text.js";

const MAX_IDEA_CHARS = 500;

/** Enter sends, Shift+Enter makes a new line (as in chat), IME composition left alone. */
function submitOnEnter(textarea) {
  textarea.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      textarea.form.requestSubmit();
    }
  });
}

/** The form on top of a board that posts a new idea there. */
export function composeForm(view, board, columns) {
  const textId = uniqueId("idea-text");
  const hintId = uniqueId("idea-hint");
  const textarea = h("textarea", { id: textId, name: "text", rows: "3", maxlength: String(MAX_IDEA_CHARS), required: true, "aria-describedby": hintId });
  submitOnEnter(textarea);
  let select = null;
  if (columns.length) {
    const selectId = uniqueId("idea-column");
    select = h("select", { id: selectId, name: "column" }, columns.map((c) => h("option", { value: c }, c)));
    select.labelEl = h("label", { for: selectId }, gettext("Column"));
  }
  const status = h("p", { class: "form-status", role: "status" });
  const button = h("button", { type: "submit", class: "primary" }, gettext("Post idea"));
  const form = h("form", { class: "compose", novalidate: true },
    h("label", { for: textId }, gettext("Your idea")),
    textarea,
    h("p", { id: hintId, class: "hint" }, gettext("Press Enter to post, Shift+Enter for a new line. Up to 500 characters.")),
    select ? h("div", { class: "field" }, select.labelEl, select) : null,
    h("div", { class: "form-actions" }, button),
    status);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = textarea.value.trim();
    if (!text) {
      showStatus(status, gettext("Write your idea first."), "error");
      textarea.focus();
      return;
    }
    const fields = { board: board.id, text };
    if (select) fields.column = select.value;
    view.submit(fields, { status, textarea, sentText: textarea.value });
  });
  return form;
}

export function openReply(view, item) {
  if (item.mode === "reply") {
    item.slot.querySelector("textarea")?.focus();
    return;
  }
  const id = uniqueId("reply");
  const name = item.idea.author?.name || "";
  const textarea = h("textarea", { id, rows: "2", maxlength: String(MAX_IDEA_CHARS), required: true });
  submitOnEnter(textarea);
  const status = h("p", { class: "form-status", role: "status" });
  const cancel = h("button", { type: "button" }, gettext("Cancel"));
  const form = h("form", { class: "reply-form", novalidate: true },
    h("label", { for: id }, gettext("Build on the idea by %(name)s", { name })),
    textarea,
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary" }, gettext("Post reply")), cancel),
    status);
  cancel.addEventListener("click", () => view.closeSlot(item));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = textarea.value.trim();
    if (!text) {
      showStatus(status, gettext("Write your reply first."), "error");
      return;
    }
    const fields = { board: item.idea.board, text, builds_on: item.idea.id };
    if (item.idea.column) fields.column = item.idea.column;
    view.submit(fields, {
      status,
      textarea,
      sentText: textarea.value,
      onDone: () => {
        if (item.mode === "reply" && item.slot.contains(form)) {
          const hadFocus = form.contains(document.activeElement);
          view.closeSlot(item, hadFocus);
          showStatus(item.status, gettext("Your reply was posted."), "ok");
        }
      },
    });
  });
  view.slotForm(item, "reply", form, textarea);
}

export function openEdit(view, item) {
  const id = uniqueId("edit");
  const textarea = h("textarea", { id, rows: "3", maxlength: String(MAX_IDEA_CHARS), required: true });
  textarea.value = item.idea.text || "";
  submitOnEnter(textarea);
  const status = h("p", { class: "form-status", role: "status" });
  const cancel = h("button", { type: "button" }, gettext("Cancel"));
  const form = h("form", { class: "edit-form", novalidate: true },
    h("label", { for: id }, gettext("Edit your idea")),
    textarea,
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary" }, gettext("Save")), cancel),
    status);
  cancel.addEventListener("click", () => view.closeSlot(item));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = textarea.value.trim();
    if (!text) {
      showStatus(status, gettext("An idea cannot be empty. Withdraw it instead."), "error");
      return;
    }
    showStatus(status, gettext("Saving…"));
    view.client.send("idea.edit", { idea: item.idea.id, text }).then(() => {
      if (item.mode === "edit" && item.editSlot.contains(form)) {
        view.closeSlot(item, form.contains(document.activeElement));
        showStatus(item.status, gettext("Saved."), "ok");
      }
    }, (err) => showStatus(status, describeError(err), "error"));
  });
  view.slotForm(item, "edit", form, textarea);
}

export function openWithdraw(view, item) {
  const keep = h("button", { type: "button" }, gettext("Keep it"));
  const confirm = h("button", { type: "button", class: "danger" }, gettext("Withdraw idea"));
  const status = h("p", { class: "form-status", role: "status" });
  const form = h("div", { class: "confirm", role: "group", "aria-label": gettext("Confirm withdrawal") },
    h("p", {}, gettext("Withdraw this idea? Others will no longer see it.")),
    h("div", { class: "form-actions" }, confirm, keep),
    status);
  keep.addEventListener("click", () => view.closeSlot(item));
  confirm.addEventListener("click", () => {
    if (isUnavailable(confirm)) return;
    setUnavailable(confirm, true);
    showStatus(status, gettext("Withdrawing…"));
    view.client.send("idea.withdraw", { idea: item.idea.id }).then(() => {
      announce(gettext("Your idea was withdrawn."));
    }, (err) => {
      setUnavailable(confirm, false);
      showStatus(status, describeError(err), "error");
    });
  });
  view.slotForm(item, "withdraw", form, keep);
}

/** Flag in two clicks: "Flag", then a reason (which sends); an optional note comes before the reasons. */
export function openFlag(view, item) {
  const titleId = uniqueId("flag-title");
  const noteId = uniqueId("flag-note");
  const note = h("textarea", { id: noteId, rows: "2", maxlength: "300", class: "flag-note" });
  const status = h("p", { class: "form-status", role: "status" });
  const cancel = h("button", { type: "button", class: "small" }, gettext("Cancel"));
  const buttons = FLAG_REASONS.map(([reason, label]) =>
    h("button", { type: "button", class: "small flag-reason", dataset: { reason } }, label()));
  const form = h("div", { class: "flag-form", role: "group", "aria-labelledby": titleId },
    h("p", { id: titleId, class: "flag-title" }, gettext("Why should a moderator look at this idea? Choosing a reason sends the flag.")),
    // The note comes first: a reason sends the flag at once, so nothing after it could be filled in.
    h("label", { for: noteId }, gettext("Note for the moderator (optional, before you choose)")),
    note,
    h("div", { class: "flag-reasons" }, buttons),
    h("div", { class: "form-actions" }, cancel),
    status);
  cancel.addEventListener("click", () => view.closeSlot(item));
  const done = (message, kind) => {
    view.client.store.dispatch({ type: "flag.sent", idea: item.idea.id });
    const hadFocus = form.contains(document.activeElement);
    view.closeSlot(item, false);
    view.fill(item);
    if (hadFocus) item.article.focus();
    showStatus(item.status, message, kind);
  };
  for (const button of buttons) {
    button.addEventListener("click", () => {
      if (isUnavailable(button)) return;
      buttons.forEach((b) => setUnavailable(b, true));
      showStatus(status, gettext("Sending…"));
      const fields = { idea: item.idea.id, reason: button.dataset.reason };
      if (note.value.trim()) fields.note = note.value.trim();
      view.client.send("idea.flag", fields).then(() => {
        done(gettext("Thank you. A moderator will look at it."), "ok");
      }, (err) => {
        if (err.code === "conflict") {
          done(gettext("You already flagged this idea."), "");
          return;
        }
        buttons.forEach((b) => setUnavailable(b, false));
        showStatus(status, describeError(err), "error");
      });
    });
  }
  view.slotForm(item, "flag", form, note);
}

/** The author of a hidden idea asks, once, for it to be shown again. */
export function openAppeal(view, item) {
  const id = uniqueId("appeal");
  const textarea = h("textarea", { id, rows: "3", maxlength: "1000", required: true });
  const status = h("p", { class: "form-status", role: "status" });
  const cancel = h("button", { type: "button" }, gettext("Cancel"));
  const send = h("button", { type: "submit", class: "primary" }, gettext("Send appeal"));
  const form = h("form", { class: "appeal-form", novalidate: true },
    h("label", { for: id }, gettext("Why should this idea be shown again?")),
    textarea,
    h("p", { class: "hint" }, gettext("You can appeal once. A moderator reads it and decides.")),
    h("div", { class: "form-actions" }, send, cancel),
    status);
  cancel.addEventListener("click", () => view.closeSlot(item));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (isUnavailable(send)) return;
    const text = textarea.value.trim();
    if (!text) {
      showStatus(status, gettext("Write your appeal first."), "error");
      textarea.focus();
      return;
    }
    setUnavailable(send, true);
    showStatus(status, gettext("Sending…"));
    view.client.send("appeal.file", { idea: item.idea.id, text }).then((ack) => {
      // appeal.filed may come after the ack: show the appeal as open until it does.
      view.client.store.dispatch({ type: "appeal.sent", appeal: { id: ack.id, idea: item.idea.id, text, status: "open" } });
      const hadFocus = form.contains(document.activeElement);
      if (item.mode === "appeal") view.closeSlot(item, false);
      view.fill(item);
      if (hadFocus) item.article.focus();
      showStatus(item.status, gettext("Your appeal was sent."), "ok");
    }, (err) => {
      setUnavailable(send, false);
      showStatus(status, describeError(err), "error");
    });
  });
  view.slotForm(item, "appeal", form, textarea);
}
