// The participant's side of breakout rooms: which boards show and take ideas, the room banner
// with its countdown, the room chooser (self-select) and the report-back after the close.
import { $, h, setText, showStatus, announce, setUnavailable, isUnavailable } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { isStaff, roomOfBoard, roomRunning, runningBreakout } from "./state.js";
import { companionsText } from "./people.js";
import { BreakoutCountdown, boardTitle, closedBreakouts, currentRooms, peopleIn, renderReportBack, roomLabel } from "./rooms.js";

/** The board policy of the participant page; `expanded` holds closed room boards opened to read. */
export function participantPolicy(getState, expanded) {
  const roomOf = (board) => roomOfBoard(getState(), board);
  const running = (board) => roomRunning(getState(), roomOf(board));
  const mine = (board) => board.room != null && getState().me?.room === board.room;
  return {
    shown: (board) => board.room === null || (running(board) && mine(board)) || expanded.has(board.id),
    writable(board) {
      const me = getState().me;
      if (board.room === null) return isStaff(me) || me?.room == null || !runningBreakout(getState());
      return running(board) && (isStaff(me) || mine(board));
    },
    note(board) {
      const s = getState();
      if (board.room === null && s.me?.room != null && !isStaff(s.me) && runningBreakout(s)) {
        return gettext("You are in %(room)s now: post your ideas on your room's board. You can read the plenary.",
          { room: roomLabel(s.rooms.get(s.me.room)) });
      }
      if (board.room !== null && !running(board)) return gettext("This room has closed. Its board can be read but no longer changed.");
      return "";
    },
    order: (board) => (board.room === null ? 1 : running(board) ? 0 : 2),
    title: (board) => boardTitle(getState(), board),
  };
}

export class ParticipantRooms {
  constructor(page, expanded) {
    this.page = page;
    this.client = page.client;
    this.root = page.root;
    this.expanded = expanded;
    this.banner = $("#room-banner", this.root);
    this.countdown = new BreakoutCountdown($("#room-countdown", this.root), () => this.client.state);
    page.countdowns.push(this.countdown);
    this.lastRoom = undefined;
    this.chooserKey = "";
    page.onSnapshot(() => this.render());
    this.subscribe(page.store);
  }

  get state() {
    return this.client.state;
  }

  render() {
    this.renderBanner();
    this.renderChooser();
    this.renderReport();
    this.countdown.render();
    if (this.lastRoom === undefined && this.state.me) this.lastRoom = this.state.me.room ?? null;
  }

  renderBanner() {
    const s = this.state;
    const b = runningBreakout(s);
    this.banner.hidden = !b;
    if (!b) return;
    const room = s.me?.room != null ? s.rooms.get(s.me.room) : null;
    this.banner.dataset.state = b.status;
    let title;
    if (room) title = gettext("You are in %(room)s", { room: roomLabel(room) });
    else if (b.mode === "self_select" && b.status === "open" && !isStaff(s.me)) title = gettext("Choose a breakout room");
    else title = gettext("Breakout rooms are open");
    setText($("#room-banner-title", this.root), title);
    const others = room ? peopleIn(s, room.id).filter((p) => p.id !== s.me.id).map((p) => p.name) : [];
    let who = "";
    if (room) who = companionsText(others);
    else if (isStaff(s.me)) who = gettext("Staff are in no room. The console shows every room.");
    setText($("#room-with", this.root), who);
    const hint = room ? gettext("Post your ideas on your room's board. Announcements from the facilitator reach every room.") : "";
    setText($("#room-hint", this.root), hint);
  }

  renderChooser() {
    const s = this.state;
    const b = runningBreakout(s);
    const box = $("#room-chooser", this.root);
    const show = !!b && b.mode === "self_select" && b.status === "open" && !isStaff(s.me);
    box.hidden = !show;
    if (!show) return;
    const rooms = currentRooms(s);
    const list = $("#room-choices", this.root);
    const entries = rooms.map((room) => {
      const n = peopleIn(s, room.id).length;
      const full = !!b.capacity && n >= b.capacity;
      return { room, n, full, current: s.me?.room === room.id };
    });
    setText($("#room-chooser-title", this.root), s.me?.room != null ? gettext("Switch to another room") : gettext("Choose a room"));
    const key = JSON.stringify([b.capacity, entries.map((e) => [e.room.id, e.room.name, e.n, e.current])]);
    if (key === this.chooserKey) return;
    this.chooserKey = key;
    const focused = list.contains(document.activeElement) ? document.activeElement.id : null;
    list.replaceChildren(...entries.map(({ room, n, full, current }) => {
      const seats = b.capacity
        ? gettext("%(taken)s of %(seats)s places taken", { taken: n, seats: b.capacity })
        : ngettext("%(count)s person", "%(count)s people", n);
      const button = h("button", { type: "button", id: `choose-room-${room.id}`, class: current ? "room-choice primary" : "room-choice",
        "aria-current": current ? "true" : null, dataset: { room: room.id } },
      h("span", { class: "room-choice-name" }, roomLabel(room)),
      h("span", { class: "room-choice-seats" }, current ? gettext("your room") : full ? gettext("full") : seats));
      button.addEventListener("click", () => this.choose(room, button));
      return h("li", {}, button);
    }));
    if (focused) document.getElementById(focused)?.focus();
  }

  choose(room, button) {
    const status = $("#room-chooser-status", this.root);
    if (isUnavailable(button) || this.state.me?.room === room.id) return;
    setUnavailable(button, true);
    showStatus(status, gettext("Joining %(room)s…", { room: roomLabel(room) }));
    this.client.send("room.choose", { room: room.id }).then(() => {
      showStatus(status, gettext("You are in %(room)s.", { room: roomLabel(room) }), "ok");
    }, (err) => {
      const message = err.code === "conflict" ? gettext("%(room)s is full. Choose another room.", { room: roomLabel(room) }) : describeError(err);
      showStatus(status, message, "error");
    }).finally(() => {
      const again = document.getElementById(`choose-room-${room.id}`) || button;
      setUnavailable(again, false);
    });
  }

  renderReport() {
    const s = this.state;
    const section = $("#report-back", this.root);
    const show = !runningBreakout(s) && closedBreakouts(s).length > 0;
    section.hidden = !show;
    if (!show) return;
    renderReportBack($("#report-rounds", this.root), s, (room, board) => {
      const open = this.expanded.has(board.id);
      const button = h("button", { type: "button", class: "small report-toggle", id: `report-toggle-${room.id}`,
        "aria-expanded": String(open), "aria-controls": `board-${board.id}` },
      h("span", { class: "toggle-mark", "aria-hidden": "true" }, open ? "▾ " : "▸ "),
      gettext("Read the whole board of %(room)s", { room: roomLabel(room) }));
      button.addEventListener("click", () => this.toggleBoard(board));
      return button;
    });
  }

  toggleBoard(board) {
    if (this.expanded.has(board.id)) this.expanded.delete(board.id);
    else this.expanded.add(board.id);
    this.page.board.applyPolicies();
    this.renderReport();
    if (this.expanded.has(board.id)) {
      const heading = document.getElementById(`board-${board.id}-title`);
      heading?.scrollIntoView({ block: "start" });
    }
  }

  /** Say what happened to the rooms, then redraw. */
  subscribe(store) {
    store.on("breakout.opened", (ev) => {
      const s = this.state;
      const room = s.me?.room != null ? s.rooms.get(s.me.room) : null;
      if (room) announce(gettext("Breakout rooms are open. You are in %(room)s.", { room: roomLabel(room) }));
      else if (ev.mode === "self_select" && !isStaff(s.me)) announce(gettext("Breakout rooms are open. Choose a room."));
      this.lastRoom = s.me?.room ?? null;
    });
    store.on("room.assigned", (ev) => {
      if (ev.room != null && ev.room !== this.lastRoom) {
        announce(gettext("You are now in %(room)s.", { room: roomLabel(this.state.rooms.get(ev.room)) }));
      }
      this.lastRoom = ev.room ?? null;
    });
    store.on("breakout.closing", (ev) => {
      const left = Math.max(0, Math.round((Date.parse(ev.closes_at) - Date.now()) / 1000));
      announce(ngettext("The rooms close in %(count)s second.", "The rooms close in %(count)s seconds.", left));
    });
    store.on("breakout.closed", () => {
      this.lastRoom = null;
      announce(gettext("The rooms have closed and everyone is back in the plenary. The report-back shows each room's top ideas."));
    });
    store.watch(["breakout.*", "room.assigned", "presence.changed", "idea.*"], () => this.render());
  }
}
