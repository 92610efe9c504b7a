// The live board: columns of ideas with build-on threads, rendered incrementally by idea id so
// that focus, open forms and typed text survive every update. User text goes in via textContent.
// Which boards show and which take new ideas is the page's policy (breakout rooms, report-back).
import { h, setText, showStatus, uniqueId, announce, announceIdea } from "./dom.js";
import { gettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { composeForm } from "./idea-forms.js";
import { appealStatusText } from "./moderation-text.js";
import { createItem, fillItem } from "./idea-card.js";
import { isStaff } from "./state.js";

const STAFF_ROLES = new Set(["facilitator", "moderator"]);

/** Every board shown and open for posting, plenary first: what a page without breakouts needs. */
const DEFAULT_POLICY = {
  shown: () => true,
  writable: () => true,
  note: () => "",
  order: (board) => (board.room === null ? 0 : 1),
  title: (board) => board.title,
};

export class BoardView {
  /** @param {import("./client.js").WorkshopClient} client */
  constructor(client, root, policy = {}) {
    this.client = client;
    this.root = root;
    this.policy = { ...DEFAULT_POLICY, ...policy };
    this.boards = new Map(); // board id -> {section, lists: Map(column|"" -> ol), form, note, writable}
    this.items = new Map(); // idea id -> item record
    this.readOnly = false;
    this.subscribe();
  }

  get me() {
    return this.client.state.me;
  }

  isMine(idea) {
    return !!(this.me && idea.author && idea.author.id === this.me.id);
  }

  isModerating() {
    return STAFF_ROLES.has(this.me?.role);
  }

  /** Whether this viewer sees the idea itself (not only a placeholder). */
  isShown(idea) {
    if (idea.status === "visible") return true;
    if (idea.status === "held" || idea.status === "hidden") return this.isMine(idea) || this.isModerating();
    return false;
  }

  /** Whether the idea a reply answers was taken away from this viewer (hidden, so not even a placeholder). */
  parentRemoved(idea) {
    if (idea.builds_on == null) return false;
    const parent = this.client.state.ideas.get(idea.builds_on);
    return !parent || (parent.status !== "withdrawn" && !this.isShown(parent));
  }

  /** Bring the whole view in line with the client's state (after a full snapshot). */
  sync() {
    const state = this.client.state;
    this.readOnly = state.workshop?.status === "ended";
    this.syncBoards();
    for (const [id] of this.items) if (!state.ideas.has(id)) this.removeItem(id);
    const ideas = [...state.ideas.values()].sort((a, b) => a.id - b.id);
    for (const idea of ideas) this.upsert(idea);
    this.refreshAll();
  }

  /** Add boards the state has gained and drop those it lost (with their ideas). */
  syncBoards() {
    const state = this.client.state;
    for (const board of state.boards.values()) this.ensureBoard(board);
    for (const [id, view] of this.boards) {
      if (state.boards.has(id)) continue;
      for (const [ideaId, item] of this.items) if (item.idea.board === id) this.items.delete(ideaId);
      view.section.remove();
      this.boards.delete(id);
    }
  }

  /** Take each event (already in the store's state) and this page's reactions as they change. */
  subscribe() {
    const on = (types, fn) => this.client.store.on(types, fn);
    on("idea.posted", (ev) => this.ideaArrived(ev, { posted: true }));
    on(["idea.held", "idea.edited"], (ev) => this.ideaArrived(ev));
    on("idea.restored", (ev) => this.ideaArrived(ev, { restored: true }));
    on(["idea.withdrawn", "idea.hidden", "idea.reacted"], (ev) => this.refill(ev.idea));
    // Someone erased themselves: their ideas stay, now by "a former participant".
    on("participant.erased", (ev) => {
      for (const idea of this.client.state.ideas.values()) if (idea.author?.id === ev.participant) this.refill(idea.id);
    });
    on("idea.hidden", (ev) => {
      const idea = this.client.state.ideas.get(ev.idea);
      if (idea && this.isMine(idea)) announce(gettext("A moderator hid one of your ideas."));
    });
    on(["appeal.filed", "appeal.decided"], (ev) => {
      const item = ev.appeal ? this.items.get(ev.appeal.idea) : null;
      if (item) this.fill(item);
    });
    on("appeal.decided", (ev) => {
      const item = ev.appeal ? this.items.get(ev.appeal.idea) : null;
      if (!item || !this.isMine(item.idea)) return;
      // "Your appeal was sent." must not stay under the decision that answers it.
      showStatus(item.status, "");
      announce(appealStatusText(ev.appeal));
    });
    // New columns (board.updated) rebuild that board: its ideas go back in, in the columns they are in now.
    on(["breakout.opened", "breakout.closed", "room.assigned", "board.updated"], () => {
      this.syncBoards();
      const ideas = [...this.client.state.ideas.values()];
      for (const idea of ideas.filter((i) => !this.items.has(i.id)).sort((a, b) => a.id - b.id)) this.upsert(idea);
      this.refreshAll();
    });
    // The policy follows my room and the breakout; a batch of presence changes redraws once.
    this.client.store.watch(["breakout.closing", "presence.changed", "participant.muted"], () => this.refreshAll());
    on(["workshop.started", "workshop.ended"], () => {
      this.readOnly = this.client.state.workshop?.status === "ended";
      this.refreshAll();
    });
    on(["reaction.sent", "reaction.refused"], (action) => {
      const item = this.items.get(action.idea);
      if (item) this.fill(item);
    });
  }

  /** Show an idea that was posted, held, edited or restored, and say what is news. */
  ideaArrived(ev, { posted = false, restored = false } = {}) {
    if (!ev.idea) return;
    const idea = this.client.state.ideas.get(ev.idea.id) || ev.idea;
    const before = this.items.get(idea.id);
    const wasHeld = before && before.idea.status === "held";
    this.upsert(idea);
    const item = this.items.get(idea.id);
    if (!before && item) {
      item.li.classList.add("is-new");
      setTimeout(() => item.li.classList.remove("is-new"), 1500);
      this.adoptReplies(idea.id);
    }
    const onShownBoard = !this.boards.get(idea.board)?.section.hidden;
    // A replay (?since=) brings ideas as they are now: one hidden or withdrawn since is not news.
    const visible = idea.status === "visible";
    if (posted && !before && visible && !this.isMine(idea) && onShownBoard) {
      announceIdea(idea.author?.name || gettext("someone"), { reply: idea.builds_on != null });
    } else if (posted && wasHeld && visible && this.isMine(idea)) {
      announce(gettext("A moderator approved your idea; everyone can see it now."));
    } else if (restored && this.isMine(idea)) {
      announce(gettext("Your idea was restored."));
    }
  }

  /** Draw one idea again from the state. */
  refill(id) {
    const idea = this.client.state.ideas.get(id);
    if (idea) this.upsert(idea);
  }

  /** Replies shown without their parent (it was hidden) go back under it when it returns. */
  adoptReplies(parentId) {
    const parent = this.items.get(parentId);
    if (!parent) return;
    for (const item of [...this.items.values()]) {
      if (item.idea.builds_on === parentId && item.container !== parent.thread) {
        this.place(item);
        this.fill(item);
      }
    }
  }

  /** Re-apply the page's policy (shown, writable, note) and every item's fields. */
  refreshAll() {
    for (const view of this.boards.values()) this.applyPolicy(view);
    this.orderBoards();
    for (const item of this.items.values()) this.fill(item);
  }

  applyPolicy(view) {
    const board = this.client.state.boards.get(view.board.id) || view.board;
    view.section.hidden = !this.policy.shown(board);
    view.writable = !this.readOnly && this.policy.writable(board);
    if (!view.writable && view.form.contains(document.activeElement)) view.heading.focus();
    // A board that takes no ideas has no form at all (kept aside, with any typed text, for later).
    if (!view.writable) view.form.remove();
    else if (!view.form.isConnected) view.section.insertBefore(view.form, view.columnsEl);
    // Before the start a citizen's form is there but takes nothing, and says why (staff may post).
    const state = this.client.state;
    const waiting = view.writable && state.workshop?.status === "draft" && !isStaff(state.me);
    for (const field of view.form.querySelectorAll("textarea, select, button")) field.disabled = waiting;
    const note = this.readOnly ? gettext("The workshop has ended. The board can still be read.")
      : waiting ? gettext("The workshop has not started yet. You can post ideas as soon as the facilitator starts it.")
        : this.policy.note(board);
    setText(view.note, note || "");
    view.note.hidden = !note;
    setText(view.heading, this.policy.title(board) || gettext("Ideas"));
  }

  /** Show or hide boards after the page changed its selection, without touching the ideas. */
  applyPolicies() {
    for (const view of this.boards.values()) this.applyPolicy(view);
    this.orderBoards();
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
    const headingId = `board-${board.id}-title`;
    const heading = h("h2", { id: headingId, tabindex: "-1" }, this.policy.title(board) || gettext("Ideas"));
    const form = composeForm(this, board, columns);
    const note = h("p", { class: "note board-note", id: `board-${board.id}-note`, hidden: true });
    const text = form.querySelector("textarea");
    text.setAttribute("aria-describedby", `${text.getAttribute("aria-describedby")} ${note.id}`);
    const columnsEl = h("div", { class: columns.length > 1 ? "columns" : "columns single" });
    const view = { board, columns, section: null, heading, lists: new Map(), columnsEl, form, note, writable: true };
    if (columns.length) for (const column of columns) this.columnList(view, column);
    else this.columnList(view, "");
    view.section = h("section", { class: "board", id: `board-${board.id}`, "aria-labelledby": headingId, dataset: { board: board.id, room: board.room ?? "" } },
      heading, note, form, columnsEl);
    this.boards.set(board.id, view);
    this.root.append(view.section);
    this.applyPolicy(view);
    this.orderBoards();
    return view;
  }

  /** Boards in the policy's order, then by id; only nodes out of place are moved. */
  orderBoards() {
    const state = this.client.state;
    const key = (view) => this.policy.order(state.boards.get(view.board.id) || view.board);
    const sorted = [...this.boards.values()].sort((a, b) => key(a) - key(b) || a.board.id - b.board.id);
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
    // A keyboard user skips a column's cards (5 or 6 stops each) with the button under its heading.
    const skip = h("button", { type: "button", class: "skip-column", hidden: true });
    skip.addEventListener("click", () => wrapper.nextElementSibling?.querySelector("h3")?.focus());
    const wrapper = h("section", { class: "column", "aria-labelledby": label ? headingId : null, "aria-label": label ? null : gettext("Ideas") },
      label ? h("h3", { id: headingId, tabindex: "-1" }, label) : null, skip, list, empty);
    list.emptyNote = empty;
    view.columnsEl.append(wrapper);
    view.lists.set(key, list);
    this.labelSkips(view);
    return list;
  }

  /** Each column but the last offers a skip to the next one, by its name. */
  labelSkips(view) {
    for (const column of view.columnsEl.children) {
      const skip = column.querySelector(":scope > .skip-column");
      const next = column.nextElementSibling?.querySelector(":scope > h3");
      skip.hidden = !next;
      setText(skip, next ? gettext("Skip to the column %(name)s", { name: next.textContent }) : "");
    }
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
    // A withdrawn idea keeps its place (a placeholder) while replies hang on it; a hidden one goes.
    if (!shown && (!item || !item.thread.children.length || idea.status !== "withdrawn")) {
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
    return createItem(this, idea);
  }

  fill(item) {
    fillItem(this, item);
  }

  /** Put the item in its parent's thread (or its column) in id order; move it only if needed. */
  place(item) {
    const idea = item.idea;
    let container = null;
    let parent = idea.builds_on != null ? this.items.get(idea.builds_on) : null;
    const parentIdea = idea.builds_on != null ? this.client.state.ideas.get(idea.builds_on) : null;
    if (!parent && parentIdea && parentIdea.id !== idea.id && parentIdea.status === "withdrawn") {
      // A reply to a withdrawn idea: show it under a placeholder that keeps the thread.
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
    const hadFocus = item.li.contains(document.activeElement) ? document.activeElement : null;
    let next = null;
    for (const sibling of container.children) {
      if (Number(sibling.dataset.id) > idea.id) { next = sibling; break; }
    }
    container.insertBefore(item.li, next);
    hadFocus?.focus();
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
        this.fill(childItem);
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

  closeSlot(item, restoreFocus = true) {
    const mode = item.mode;
    item.slot.replaceChildren();
    item.editSlot.replaceChildren();
    item.text.hidden = false;
    item.mode = null;
    if (restoreFocus) {
      const back = { reply: item.buildOn, edit: item.edit, withdraw: item.withdraw, flag: item.flag, appeal: item.appeal }[mode] || null;
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
}
