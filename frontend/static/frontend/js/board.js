// The live board: columns of ideas with build-on threads, rendered incrementally by idea id so
// that focus, open forms and typed text survive every update. User text goes in via textContent.
import { h, setText, showStatus, uniqueId, announce, setUnavailable, isUnavailable } from "./dom.js";
import { gettext } from "./i18n.js";
import { describeError } from "./errors.js";

const REACTIONS = [
  ["agree", () => gettext("Agree")],
  ["disagree", () => gettext("Disagree")],
  ["pass", () => gettext("Pass")],
];
const STAFF_ROLES = new Set(["facilitator", "moderator"]);
const MAX_IDEA_CHARS = 500;

function formatTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit" }).format(date);
}

/** Enter sends, Shift+Enter makes a new line (as in chat), IME composition left alone. */
function submitOnEnter(textarea) {
  textarea.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      textarea.form.requestSubmit();
    }
  });
}

export class BoardView {
  /** @param {import("./client.js").WorkshopClient} client */
  constructor(client, root) {
    this.client = client;
    this.root = root;
    this.boards = new Map(); // board id -> {section, lists: Map(column|"" -> ol), empty, form}
    this.items = new Map(); // idea id -> item record
    this.readOnly = false;
    this.confirmed = new Map(); // idea id -> this participant's reaction as the server last confirmed it
    this.reactClicks = new Map(); // idea id -> number of reaction clicks so far
  }

  get me() {
    return this.client.state.me;
  }

  isMine(idea) {
    return !!(this.me && idea.author && idea.author.id === this.me.id);
  }

  /** Whether this viewer sees the idea itself (not only a placeholder). */
  isShown(idea) {
    if (idea.status === "visible") return true;
    if (idea.status === "held" || idea.status === "hidden") {
      return this.isMine(idea) || STAFF_ROLES.has(this.me?.role);
    }
    return false;
  }

  /** Bring the whole view in line with the client's state (after a full snapshot). */
  sync() {
    const state = this.client.state;
    this.confirmed = new Map(state.myReactions);
    this.readOnly = state.workshop?.status === "ended";
    for (const board of state.boards.values()) this.ensureBoard(board);
    for (const [id, view] of this.boards) {
      if (!state.boards.has(id)) {
        view.section.remove();
        this.boards.delete(id);
      }
    }
    for (const [id] of this.items) if (!state.ideas.has(id)) this.removeItem(id);
    const ideas = [...state.ideas.values()].sort((a, b) => a.id - b.id);
    for (const idea of ideas) this.upsert(idea);
    this.refreshAll();
  }

  /** Apply one event that the client has already folded into state. */
  onEvent(ev) {
    const ideas = this.client.state.ideas;
    switch (ev.type) {
      case "idea.posted":
      case "idea.held":
      case "idea.edited":
      case "idea.restored": {
        if (!ev.idea) return;
        const idea = ideas.get(ev.idea.id) || ev.idea;
        const before = this.items.get(idea.id);
        const wasHeld = before && before.idea.status === "held";
        this.upsert(idea);
        const item = this.items.get(idea.id);
        if (!before && item) {
          item.li.classList.add("is-new");
          setTimeout(() => item.li.classList.remove("is-new"), 1500);
        }
        if (ev.type === "idea.posted" && !before && !this.isMine(idea)) {
          const name = idea.author?.name || gettext("someone");
          announce(idea.builds_on ? gettext("%(name)s built on an idea.", { name }) : gettext("New idea from %(name)s.", { name }));
        } else if (ev.type === "idea.posted" && wasHeld && this.isMine(idea)) {
          announce(gettext("A moderator approved your idea; everyone can see it now."));
        } else if (ev.type === "idea.restored" && this.isMine(idea)) {
          announce(gettext("Your idea was restored."));
        }
        break;
      }
      case "idea.withdrawn":
      case "idea.hidden":
      case "idea.reacted": {
        const idea = ideas.get(ev.idea);
        if (idea) this.upsert(idea);
        if (ev.type === "idea.hidden" && idea && this.isMine(idea)) announce(gettext("A moderator hid one of your ideas."));
        break;
      }
      case "workshop.started":
      case "workshop.ended":
        this.readOnly = this.client.state.workshop?.status === "ended";
        this.refreshAll();
        break;
      default:
        break;
    }
  }

  refreshAll() {
    for (const view of this.boards.values()) {
      view.form.hidden = this.readOnly;
      view.closedNote.hidden = !this.readOnly;
    }
    for (const item of this.items.values()) this.fill(item);
  }

  ensureBoard(board) {
    const existing = this.boards.get(board.id);
    const columns = Array.isArray(board.columns) ? board.columns : [];
    if (existing && JSON.stringify(existing.columns) === JSON.stringify(columns)) return existing;
    if (existing) {
      existing.section.remove();
      this.boards.delete(board.id);
      for (const [id, item] of this.items) if (item.idea.board === board.id) this.items.delete(id);
    }
    const headingId = uniqueId("board-title");
    const title = board.title || (board.room === null ? gettext("Ideas") : gettext("Room board"));
    const heading = h("h2", { id: headingId, tabindex: "-1" }, title);
    const form = this.composeForm(board, columns);
    const closedNote = h("p", { class: "note", hidden: true }, gettext("The workshop has ended. The board can still be read."));
    const columnsEl = h("div", { class: columns.length > 1 ? "columns" : "columns single" });
    const view = { board, columns, section: null, heading, lists: new Map(), columnsEl, form, closedNote };
    if (columns.length) for (const column of columns) this.columnList(view, column);
    else this.columnList(view, "");
    view.section = h("section", { class: "board", "aria-labelledby": headingId, dataset: { board: board.id } },
      heading, closedNote, form, columnsEl);
    this.boards.set(board.id, view);
    this.root.append(view.section);
    this.orderBoards();
    return view;
  }

  /** Plenary board first, then room boards by id; only nodes out of place are moved. */
  orderBoards() {
    const sorted = [...this.boards.values()].sort((a, b) =>
      (a.board.room === null ? 0 : 1) - (b.board.room === null ? 0 : 1) || a.board.id - b.board.id);
    sorted.forEach((view, index) => {
      const at = this.root.children[index];
      if (at !== view.section) this.root.insertBefore(view.section, at || null);
    });
  }

  /** The list for a column, creating it (e.g. an "Other" column for unknown names) when missing. */
  columnList(view, column) {
    const key = column || "";
    let list = view.lists.get(key);
    if (list) return list;
    const label = key || (view.columns.length ? gettext("Other") : "");
    const headingId = uniqueId("column");
    list = h("ol", { class: "ideas", "aria-labelledby": label ? headingId : null, "aria-label": label ? null : gettext("Ideas") });
    const empty = h("p", { class: "empty" }, gettext("No ideas yet."));
    const wrapper = h("section", { class: "column", "aria-labelledby": label ? headingId : null, "aria-label": label ? null : gettext("Ideas") },
      label ? h("h3", { id: headingId }, label) : null, list, empty);
    list.emptyNote = empty;
    view.columnsEl.append(wrapper);
    view.lists.set(key, list);
    return list;
  }

  composeForm(board, columns) {
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
      this.submit(fields, { status, textarea, sentText: textarea.value });
    });
    return form;
  }

  /** Send idea.post; clear the field right away and put the text back if the server refuses. */
  submit(fields, { status, textarea, sentText, onDone }) {
    textarea.value = "";
    const answer = this.client.send("idea.post", fields);
    showStatus(status, this.client.ready ? gettext("Posting…") : gettext("Offline: your idea will be sent when the connection is back."));
    answer.then((ack) => {
      showStatus(status, ack.status === "held"
        ? gettext("Posted. A moderator will look at it before others can see it.")
        : gettext("Posted."), "ok");
      onDone?.();
    }, (err) => {
      if (!textarea.value) textarea.value = sentText;
      showStatus(status, describeError(err), "error");
    });
  }

  upsert(idea) {
    const shown = this.isShown(idea);
    let item = this.items.get(idea.id);
    if (!shown && (!item || !item.thread.children.length)) {
      if (item) this.removeItem(idea.id);
      return;
    }
    if (!item) {
      item = this.createItem(idea);
      this.items.set(idea.id, item);
    }
    item.idea = idea;
    this.place(item);
    this.fill(item);
  }

  createItem(idea) {
    const base = `idea-${idea.id}`;
    const author = h("span", { class: "author" });
    const time = h("time", {});
    const edited = h("span", { class: "edited", hidden: true }, gettext("edited"));
    const badge = h("span", { class: "badge", hidden: true });
    const meta = h("p", { class: "idea-meta", id: `${base}-meta` }, author, " ", time, " ", edited, " ", badge);
    const text = h("p", { class: "idea-text", id: `${base}-text` });
    const reason = h("p", { class: "idea-reason", hidden: true });
    const reactions = {};
    const reactGroup = h("div", { class: "reactions", role: "group" });
    for (const [value, label] of REACTIONS) {
      const count = h("span", { class: "count" }, "0");
      const btn = h("button", { type: "button", class: `react react-${value}`, "aria-pressed": "false", dataset: { value } },
        h("span", { class: "react-check", "aria-hidden": "true" }, "✓"), h("span", { class: "react-label" }, label()), " ", count);
      btn.addEventListener("click", () => this.react(item, value));
      reactions[value] = { btn, count };
      reactGroup.append(btn);
    }
    const buildOnWhose = h("span", { class: "visually-hidden" });
    const buildOn = h("button", { type: "button", class: "link-button" }, gettext("Build on this"), buildOnWhose);
    const edit = h("button", { type: "button", class: "link-button" }, gettext("Edit"));
    const withdraw = h("button", { type: "button", class: "link-button" }, gettext("Withdraw"));
    const actions = h("div", { class: "idea-actions" }, buildOn, edit, withdraw);
    const status = h("p", { class: "form-status", role: "status" });
    const slot = h("div", { class: "idea-slot" });
    const editSlot = h("div", { class: "idea-slot" });
    const body = h("div", { class: "idea-body" }, meta, text, editSlot, reason, reactGroup, actions, status, slot);
    const placeholder = h("p", { class: "idea-placeholder", hidden: true });
    const article = h("article", { class: "idea-card", tabindex: "-1", "aria-labelledby": `${base}-meta`, "aria-describedby": `${base}-text` },
      body, placeholder);
    const thread = h("ol", { class: "thread", hidden: true });
    const li = h("li", { class: "idea", id: base, dataset: { id: idea.id } }, article, thread);
    const item = { idea, li, article, author, time, edited, badge, text, reason, reactions,
      reactGroup, buildOn, buildOnWhose, edit, withdraw, actions, status, slot, editSlot, body, placeholder, thread, mode: null, container: null };
    thread.ownerItem = item;
    buildOn.addEventListener("click", () => this.openReply(item));
    edit.addEventListener("click", () => this.openEdit(item));
    withdraw.addEventListener("click", () => this.openWithdraw(item));
    return item;
  }

  /** Put the item in its parent's thread (or its column) in id order; move it only if needed. */
  place(item) {
    const idea = item.idea;
    let container = null;
    let parent = idea.builds_on != null ? this.items.get(idea.builds_on) : null;
    const parentIdea = idea.builds_on != null ? this.client.state.ideas.get(idea.builds_on) : null;
    if (!parent && parentIdea && parentIdea.id !== idea.id) {
      // A reply to an idea this viewer does not see (withdrawn): show it under a placeholder.
      parent = this.createItem(parentIdea);
      this.items.set(parentIdea.id, parent);
      this.place(parent);
      this.fill(parent);
    }
    if (parent && parent !== item) container = parent.thread;
    else {
      const view = this.boards.get(idea.board) || this.ensureBoardFor(idea.board);
      if (!view) return;
      const column = view.columns.length ? (view.columns.includes(idea.column) ? idea.column : "") : "";
      container = this.columnList(view, column);
    }
    if (item.container === container && item.li.parentNode === container) return;
    const oldContainer = item.container;
    let next = null;
    for (const sibling of container.children) {
      if (Number(sibling.dataset.id) > idea.id) { next = sibling; break; }
    }
    container.insertBefore(item.li, next);
    item.container = container;
    this.updateEmpty(container);
    if (oldContainer) this.updateEmpty(oldContainer);
  }

  ensureBoardFor(boardId) {
    const board = this.client.state.boards.get(boardId);
    return board ? this.ensureBoard(board) : null;
  }

  updateEmpty(container) {
    if (container.emptyNote) container.emptyNote.hidden = container.children.length > 0;
    const owner = container.ownerItem;
    if (owner && this.items.get(owner.idea.id) === owner) {
      owner.thread.hidden = container.children.length === 0;
      if (!this.isShown(owner.idea) && container.children.length === 0) this.removeItem(owner.idea.id);
      else this.fill(owner);
    }
  }

  /** Write an item's fields from its idea, touching only what changed. */
  fill(item) {
    const idea = item.idea;
    const shown = this.isShown(idea);
    item.body.hidden = !shown;
    item.placeholder.hidden = shown;
    if (!shown) {
      // What the viewer may no longer see does not stay in the page, not even hidden.
      setText(item.text, "");
      setText(item.author, "");
      setText(item.placeholder, idea.status === "withdrawn" ? gettext("This idea was withdrawn by its author.") : gettext("This idea is no longer shown."));
      this.closeSlot(item, false);
      return;
    }
    const mine = this.isMine(idea);
    const name = idea.author?.name || gettext("Anonymous");
    setText(item.author, mine ? gettext("%(name)s (you)", { name }) : name);
    if (item.time.dateTime !== (idea.created_at || "")) {
      item.time.dateTime = idea.created_at || "";
      setText(item.time, formatTime(idea.created_at));
    }
    item.edited.hidden = !idea.edited;
    item.li.dataset.status = idea.status;
    let badge = "";
    if (idea.status === "held") badge = mine ? gettext("Waiting for a moderator") : gettext("Held for moderation");
    else if (idea.status === "hidden") badge = gettext("Hidden by a moderator");
    setText(item.badge, badge);
    item.badge.hidden = !badge;
    item.badge.dataset.kind = idea.status;
    setText(item.text, idea.text || "");
    const reasonText = idea.status === "hidden" && idea.hidden_reason ? gettext("Reason: %(reason)s", { reason: idea.hidden_reason }) : "";
    setText(item.reason, reasonText);
    item.reason.hidden = !reasonText;
    const groupLabel = gettext("Reactions to the idea by %(name)s", { name });
    if (item.reactGroup.getAttribute("aria-label") !== groupLabel) item.reactGroup.setAttribute("aria-label", groupLabel);
    item.thread.setAttribute("aria-label", gettext("Ideas building on the idea by %(name)s", { name }));
    const visible = idea.status === "visible";
    const interactive = visible && !this.readOnly;
    item.reactGroup.hidden = !visible;
    const mineValue = this.client.state.myReactions.get(idea.id) || null;
    for (const [value, { btn, count }] of Object.entries(item.reactions)) {
      setText(count, String(idea.reactions?.[value] ?? 0));
      btn.setAttribute("aria-pressed", String(mineValue === value));
      setUnavailable(btn, !interactive);
    }
    item.buildOn.hidden = !interactive;
    setText(item.buildOnWhose, ` ${gettext("idea by %(name)s", { name })}`);
    const canChange = mine && !this.readOnly && (idea.status === "visible" || idea.status === "held");
    item.edit.hidden = !canChange;
    item.withdraw.hidden = !canChange;
    item.actions.hidden = item.buildOn.hidden && item.edit.hidden;
    if (!interactive && item.mode === "reply") this.closeSlot(item, false);
    if (!canChange && (item.mode === "edit" || item.mode === "withdraw")) this.closeSlot(item, false);
  }

  removeItem(id) {
    const item = this.items.get(id);
    if (!item) return;
    if (item.li.contains(document.activeElement)) this.rescueFocus(item);
    this.items.delete(id);
    const container = item.container;
    item.li.remove();
    // Replies of a removed idea that are still shown move up to the column.
    for (const child of [...item.thread.children]) {
      const childItem = this.items.get(Number(child.dataset.id));
      if (childItem) {
        childItem.container = null;
        child.remove();
        this.place(childItem);
      }
    }
    if (container) this.updateEmpty(container);
  }

  /** The focused idea is about to go: move focus to its neighbour, parent or board heading. */
  rescueFocus(item) {
    const target = item.li.nextElementSibling || item.li.previousElementSibling;
    if (target) {
      target.querySelector(".idea-card")?.focus();
      return;
    }
    const parentLi = item.li.parentElement?.closest("li.idea");
    if (parentLi) {
      parentLi.querySelector(".idea-card")?.focus();
      return;
    }
    this.boards.get(item.idea.board)?.heading.focus();
  }

  react(item, value) {
    if (isUnavailable(item.reactions[value].btn)) return;
    const id = item.idea.id;
    const mine = () => this.client.state.myReactions;
    const put = (v) => (v === null ? mine().delete(id) : mine().set(id, v));
    const next = (mine().get(id) || null) === value ? null : value;
    put(next);
    this.fill(item);
    showStatus(item.status, "");
    // Answers come in send order; only the newest click on an idea decides what a refusal restores.
    const click = (this.reactClicks.get(id) || 0) + 1;
    this.reactClicks.set(id, click);
    this.client.send("idea.react", { idea: id, value: next }).then(() => {
      this.confirmed.set(id, next);
    }, (err) => {
      const current = this.items.get(id);
      if (this.reactClicks.get(id) === click) {
        put(this.confirmed.get(id) ?? null);
        if (current) this.fill(current);
      }
      if (current) showStatus(current.status, describeError(err), "error");
    });
  }

  closeSlot(item, restoreFocus = true) {
    const mode = item.mode;
    item.slot.replaceChildren();
    item.editSlot.replaceChildren();
    item.text.hidden = false;
    item.mode = null;
    if (restoreFocus) {
      const back = { reply: item.buildOn, edit: item.edit, withdraw: item.withdraw }[mode] || null;
      if (back && !back.hidden) back.focus();
      else item.article.focus();
    }
  }

  slotForm(item, mode, form, focusEl) {
    if (item.mode) this.closeSlot(item, false);
    item.mode = mode;
    item.text.hidden = mode === "edit";
    form.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        this.closeSlot(item);
      }
    });
    (mode === "edit" ? item.editSlot : item.slot).replaceChildren(form);
    showStatus(item.status, "");
    focusEl.focus();
  }

  openReply(item) {
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
    cancel.addEventListener("click", () => this.closeSlot(item));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = textarea.value.trim();
      if (!text) {
        showStatus(status, gettext("Write your reply first."), "error");
        return;
      }
      const fields = { board: item.idea.board, text, builds_on: item.idea.id };
      if (item.idea.column) fields.column = item.idea.column;
      this.submit(fields, {
        status,
        textarea,
        sentText: textarea.value,
        onDone: () => {
          if (item.mode === "reply" && item.slot.contains(form)) {
            const hadFocus = form.contains(document.activeElement);
            this.closeSlot(item, hadFocus);
            showStatus(item.status, gettext("Your reply was posted."), "ok");
          }
        },
      });
    });
    this.slotForm(item, "reply", form, textarea);
  }

  openEdit(item) {
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
    cancel.addEventListener("click", () => this.closeSlot(item));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = textarea.value.trim();
      if (!text) {
        showStatus(status, gettext("An idea cannot be empty. Withdraw it instead."), "error");
        return;
      }
      showStatus(status, gettext("Saving…"));
      this.client.send("idea.edit", { idea: item.idea.id, text }).then(() => {
        if (item.mode === "edit" && item.editSlot.contains(form)) {
          this.closeSlot(item, form.contains(document.activeElement));
          showStatus(item.status, gettext("Saved."), "ok");
        }
      }, (err) => showStatus(status, describeError(err), "error"));
    });
    this.slotForm(item, "edit", form, textarea);
  }

  openWithdraw(item) {
    const keep = h("button", { type: "button" }, gettext("Keep it"));
    const confirm = h("button", { type: "button", class: "danger" }, gettext("Withdraw idea"));
    const status = h("p", { class: "form-status", role: "status" });
    const form = h("div", { class: "confirm", role: "group", "aria-label": gettext("Confirm withdrawal") },
      h("p", {}, gettext("Withdraw this idea? Others will no longer see it.")),
      h("div", { class: "form-actions" }, confirm, keep),
      status);
    keep.addEventListener("click", () => this.closeSlot(item));
    confirm.addEventListener("click", () => {
      if (isUnavailable(confirm)) return;
      setUnavailable(confirm, true);
      showStatus(status, gettext("Withdrawing…"));
      this.client.send("idea.withdraw", { idea: item.idea.id }).then(() => {
        announce(gettext("Your idea was withdrawn."));
      }, (err) => {
        setUnavailable(confirm, false);
        showStatus(status, describeError(err), "error");
      });
    });
    this.slotForm(item, "withdraw", form, keep);
  }
}
