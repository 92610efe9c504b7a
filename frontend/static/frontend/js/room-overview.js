// The console's view of breakout rooms: which board is shown, and a live overview of every
// room (who is in it, how many ideas) where people are moved with the keyboard or by dragging.
// Past LARGE_WORKSHOP citizens the rooms show counts, and a search finds the person to move.
import { $, h, setText, showStatus, uniqueId, announce } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { roomOfBoard, roomRunning, runningBreakout } from "./state.js";
import { LARGE_WORKSHOP, fold, foundText, isLarge, searchPeople } from "./people.js";
import { boardTitle, closedBreakouts, currentRooms, ideaCount, peopleIn, renderReportBack, roomLabel, roomsOf } from "./rooms.js";

const MODE_LABELS = {
  random: () => gettext("placed at random"),
  self_select: () => gettext("people choose their room"),
  manual: () => gettext("placed by hand"),
  diverse: () => gettext("a diverse mix"),
};
const NO_ROOM = "none";

/** The console shows one board at a time: the plenary or the room chosen in the picker. */
export function consolePolicy(getState, getSelected) {
  const running = (board) => roomRunning(getState(), roomOfBoard(getState(), board));
  return {
    shown: (board) => board.id === getSelected(),
    writable: (board) => board.room === null || running(board),
    note: (board) => (board.room !== null && !running(board)
      ? gettext("This room has closed. Its board can be read but no longer changed.") : ""),
    order: (board) => (board.room === null ? 0 : 1),
    title: (board) => boardTitle(getState(), board),
  };
}

/** After a close: each room's top ideas, with a button that shows the room's board. */
export function renderConsoleReport(page, picker) {
  const s = page.client.state;
  const section = $("#report-back", page.root);
  const show = !runningBreakout(s) && closedBreakouts(s).length > 0;
  section.hidden = !show;
  if (!show) return;
  renderReportBack($("#report-rounds", page.root), s, (room, board) => {
    const button = h("button", { type: "button", class: "small", id: `report-show-${room.id}` },
      gettext("Show the board of %(room)s", { room: roomLabel(room) }));
    button.addEventListener("click", () => picker.show(board.id, { focus: true }));
    return button;
  });
}

export class BoardPicker {
  constructor(page) {
    this.page = page;
    this.state = () => page.client.state;
    this.box = $("#board-picker", page.root);
    this.select = $("#board-select", page.root);
    this.chosen = null;
    this.key = "";
    this.select.addEventListener("change", () => this.show(Number(this.select.value)));
  }

  plenaryId() {
    for (const board of this.state().boards.values()) if (board.room === null) return board.id;
    return null;
  }

  /** The board shown now: the chosen one while it exists, else the plenary. */
  selected() {
    return this.chosen !== null && this.state().boards.has(this.chosen) ? this.chosen : this.plenaryId();
  }

  /** Show a board; with `focus`, move to its heading (from a "show board" button). */
  show(boardId, { focus = false } = {}) {
    this.chosen = boardId;
    this.render();
    this.page.board.applyPolicies();
    if (focus) document.getElementById(`board-${boardId}-title`)?.focus();
  }

  render() {
    const s = this.state();
    const groups = [];
    const running = currentRooms(s).filter((r) => s.boards.has(r.board));
    if (running.length) groups.push([gettext("Rooms open now"), running]);
    const rounds = closedBreakouts(s);
    rounds.slice().reverse().forEach((id) => {
      const rooms = roomsOf(s, id).filter((r) => s.boards.has(r.board));
      const label = rounds.length > 1 ? gettext("Closed rooms, round %(n)s", { n: rounds.indexOf(id) + 1 }) : gettext("Closed rooms");
      if (rooms.length) groups.push([label, rooms]);
    });
    this.box.hidden = groups.length === 0;
    const key = JSON.stringify(groups.map(([label, rooms]) => [label, rooms.map((r) => [r.board, r.name])]));
    if (key !== this.key) {
      this.key = key;
      this.select.replaceChildren(h("option", { value: String(this.plenaryId()) }, gettext("Plenary")),
        ...groups.map(([label, rooms]) => h("optgroup", { label }, rooms.map((r) => h("option", { value: String(r.board) }, roomLabel(r))))));
    }
    this.select.value = String(this.selected());
  }
}

export class RoomOverview {
  constructor(page, picker) {
    this.page = page;
    this.client = page.client;
    this.picker = picker;
    this.root = page.root;
    this.section = $("#rooms-overview", this.root);
    this.list = $("#room-cards", this.root);
    this.status = $("#rooms-status", this.root);
    this.cards = new Map(); // room id | "none" -> card record
    this.people = new Map(); // participant id -> li
    this.search = $("#rooms-search", this.root);
    this.foundList = $("#rooms-found-list", this.root);
    this.search.addEventListener("input", () => this.render());
  }

  render() {
    const s = this.client.state;
    // Only facilitators move people; other staff follow the rooms through the board picker.
    const b = s.me?.role === "facilitator" ? runningBreakout(s) : null;
    this.section.hidden = !b;
    if (!b) {
      this.closeMoveForms();
      return;
    }
    const rooms = currentRooms(s);
    const citizens = [...s.participants.values()].filter((p) => p.role === "citizen" && !p.removed);
    setText($("#rooms-summary", this.root), [
      ngettext("%(count)s room", "%(count)s rooms", rooms.length),
      ngettext("%(count)s person", "%(count)s people", citizens.length),
      (MODE_LABELS[b.mode] || (() => b.mode))(),
    ].join(" · "));
    const keys = rooms.map((r) => r.id);
    const unplaced = peopleIn(s, null);
    if (unplaced.length) keys.push(NO_ROOM);
    const large = isLarge(citizens.length);
    keys.forEach((key, index) => {
      const card = this.card(key);
      if (this.list.children[index] !== card.li) this.list.insertBefore(card.li, this.list.children[index] || null);
      this.fillCard(card, key === NO_ROOM ? null : s.rooms.get(key), large);
    });
    this.renderFound(citizens, large);
    for (const [key, card] of this.cards) {
      if (!keys.includes(key)) {
        card.li.remove();
        this.cards.delete(key);
      }
    }
    for (const [pid, li] of this.people) if (!li.isConnected) this.people.delete(pid);
  }

  card(key) {
    let card = this.cards.get(key);
    if (card) return card;
    const nameId = uniqueId("room-name");
    const name = h("h3", { id: nameId, class: "room-card-name" });
    const stats = h("span", { class: "room-card-stats" });
    const people = h("ul", { class: "room-people", "aria-labelledby": nameId });
    const showBoard = h("button", { type: "button", class: "link-button show-board" });
    const li = h("li", { class: "room-card", dataset: { room: key } },
      h("div", { class: "room-card-head" }, name, stats), people, key === NO_ROOM ? null : showBoard);
    card = { key, li, name, stats, people, showBoard };
    showBoard.addEventListener("click", () => {
      const room = this.client.state.rooms.get(key);
      if (room) this.picker.show(room.board, { focus: true });
    });
    // Drag a name onto a room: a convenience next to the keyboard's move form.
    li.addEventListener("dragover", (e) => {
      if (key === NO_ROOM || !e.dataTransfer.types.includes("application/x-inspraak-person")) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "move";
      li.classList.add("drop-target");
    });
    li.addEventListener("dragleave", (e) => {
      if (!li.contains(e.relatedTarget)) li.classList.remove("drop-target");
    });
    li.addEventListener("drop", (e) => {
      li.classList.remove("drop-target");
      const pid = Number(e.dataTransfer.getData("application/x-inspraak-person"));
      if (key === NO_ROOM || !pid) return;
      e.preventDefault();
      this.move(pid, key);
    });
    this.cards.set(key, card);
    return card;
  }

  /** A room's card: its name, counts, the board button and, unless the workshop is large, its people. */
  fillCard(card, room, large) {
    const s = this.client.state;
    const members = peopleIn(s, room ? room.id : null);
    const people = large ? [] : members;
    setText(card.name, room ? roomLabel(room) : gettext("Not in a room yet"));
    const parts = [ngettext("%(count)s person", "%(count)s people", members.length)];
    if (large) parts.push(ngettext("%(count)s online", "%(count)s online", members.filter((p) => p.online).length));
    if (room) parts.push(ngettext("%(count)s idea", "%(count)s ideas", ideaCount(s, room.board)));
    setText(card.stats, parts.join(" · "));
    if (room) {
      const shown = this.picker.selected() === room.board;
      setText(card.showBoard, shown ? gettext("Board shown below") : gettext("Show board"));
      if (!shown) card.showBoard.append(h("span", { class: "visually-hidden" }, ` ${gettext("of %(room)s", { room: roomLabel(room) })}`));
      card.li.dataset.shown = String(shown);
    }
    this.placePeople(card.people, people);
  }

  /** Put these people's items in a list, in order, keeping keyboard focus; drop the others. */
  placePeople(list, people) {
    people.forEach((p, index) => {
      const li = this.personItem(p);
      if (list.children[index] !== li) {
        const focused = li.contains(document.activeElement) ? document.activeElement : null;
        list.insertBefore(li, list.children[index] || null);
        focused?.focus();
      }
    });
    for (const li of [...list.children]) {
      if (!people.some((p) => String(p.id) === li.dataset.person)) li.remove();
    }
  }

  /** A large workshop: the people whose name matches the search, each with their room, to move. */
  renderFound(citizens, large) {
    $("#rooms-hint", this.root).hidden = large;
    $("#rooms-find", this.root).hidden = !large;
    const query = large ? this.search.value : "";
    const { listed, count } = fold(query) ? searchPeople(citizens, query, LARGE_WORKSHOP) : { listed: [], count: 0 };
    setText($("#rooms-found", this.root), fold(query) ? foundText(count, listed.length) : "");
    this.placePeople(this.foundList, listed);
  }

  personItem(p) {
    let li = this.people.get(p.id);
    if (!li) {
      const chip = h("button", { type: "button", class: "person-chip", "aria-expanded": "false" },
        h("span", { class: "presence-dot", "aria-hidden": "true" }),
        h("span", { class: "visually-hidden" }, `${gettext("Move")} `),
        h("span", { class: "chip-name" }), h("span", { class: "chip-room" }));
      li = h("li", { class: "room-person", draggable: "true", dataset: { person: p.id } }, chip, h("div", { class: "move-slot" }));
      chip.addEventListener("click", () => this.openMove(Number(li.dataset.person), li));
      li.addEventListener("dragstart", (e) => {
        e.dataTransfer.setData("application/x-inspraak-person", li.dataset.person);
        e.dataTransfer.effectAllowed = "move";
        li.classList.add("dragging");
      });
      li.addEventListener("dragend", () => li.classList.remove("dragging"));
      this.people.set(p.id, li);
    }
    li.dataset.online = String(!!p.online);
    setText(li.querySelector(".chip-name"), p.name || "");
    // Said in the search's results (a card already says which room); hidden inside a card.
    const room = p.room != null ? this.client.state.rooms.get(p.room) : null;
    setText(li.querySelector(".chip-room"), ` (${room ? roomLabel(room) : gettext("Not in a room yet")})`);
    li.querySelector(".person-chip").title = p.online ? gettext("online") : gettext("offline");
    return li;
  }

  closeMoveForms() {
    for (const li of this.people.values()) li.querySelector(".move-slot").replaceChildren();
  }

  /** The keyboard way: a room chooser under the person's name. */
  openMove(pid, li) {
    const s = this.client.state;
    const p = s.participants.get(pid);
    const slot = li.querySelector(".move-slot");
    const chip = li.querySelector(".person-chip");
    if (slot.firstChild) {
      slot.replaceChildren();
      chip.setAttribute("aria-expanded", "false");
      return;
    }
    this.closeMoveForms();
    const selectId = uniqueId("move-to");
    const rooms = currentRooms(s).filter((r) => r.id !== p?.room);
    const select = h("select", { id: selectId }, rooms.map((r) => h("option", { value: String(r.id) }, roomLabel(r))));
    const cancel = h("button", { type: "button", class: "small" }, gettext("Cancel"));
    const form = h("form", { class: "move-form", novalidate: true },
      h("label", { for: selectId }, gettext("Move %(name)s to", { name: p?.name || "" })), select,
      h("div", { class: "form-actions" }, h("button", { type: "submit", class: "small primary" }, gettext("Move")), cancel));
    const close = () => {
      slot.replaceChildren();
      chip.setAttribute("aria-expanded", "false");
      chip.focus();
    };
    cancel.addEventListener("click", close);
    form.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        close();
      } else if (e.key === "Enter" && e.target === select) {
        // A select does not submit on Enter by itself; here Enter means "move".
        e.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.move(pid, Number(select.value)).then(close, () => {});
    });
    slot.replaceChildren(form);
    chip.setAttribute("aria-expanded", "true");
    select.focus();
  }

  move(pid, roomId) {
    const s = this.client.state;
    const p = s.participants.get(pid);
    const room = s.rooms.get(roomId);
    if (!p || !room || p.room === roomId) return Promise.resolve();
    showStatus(this.status, gettext("Moving %(name)s…", { name: p.name }));
    return this.client.send("breakout.move", { participant: pid, room: roomId }).then(() => {
      const message = gettext("%(name)s moved to %(room)s.", { name: p.name, room: roomLabel(room) });
      showStatus(this.status, message, "ok");
      announce(message);
    }, (err) => {
      showStatus(this.status, describeError(err), "error");
      throw err;
    });
  }
}
