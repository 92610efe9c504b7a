// Breakout rooms as both pages see them: names, who is where, countdowns and the report-back.
import { h, setText } from "./dom.js";
import { formatDuration } from "./format.js";
import { gettext, ngettext } from "./i18n.js";
import { runningBreakout, roomRunning, roomOfBoard } from "./state.js";
import { personName } from "./labels.js";

/** A room's name; the server's default "Room 3" is said in the reader's language. */
export function roomLabel(room) {
  if (!room) return "";
  const match = /^Room (\d+)$/.exec(room.name || "");
  return match ? gettext("Room %(n)s", { n: match[1] }) : room.name || "";
}

/** The rooms of one breakout, in the order they were made. */
export function roomsOf(state, breakoutId) {
  return [...state.rooms.values()].filter((r) => r.breakout === breakoutId).sort((a, b) => a.id - b.id);
}

/** The rooms of the breakout that runs now (empty when none does). */
export function currentRooms(state) {
  const b = runningBreakout(state);
  return b ? roomsOf(state, b.id) : [];
}

/** Ids of closed breakouts (their rooms have a report-back), oldest first. */
export function closedBreakouts(state) {
  const ids = new Set();
  for (const room of state.rooms.values()) if (Array.isArray(room.top)) ids.add(room.breakout);
  return [...ids].sort((a, b) => a - b);
}

/** Citizens (not removed) in a room; `null` gives those in no room. */
export function peopleIn(state, roomId) {
  return [...state.participants.values()]
    .filter((p) => p.role === "citizen" && !p.removed && (p.room ?? null) === roomId)
    .sort((a, b) => String(a.name).localeCompare(String(b.name)) || a.id - b.id);
}

/** Ideas on a board that the room counts as its own (not withdrawn, hidden or held). */
export function ideaCount(state, boardId) {
  let n = 0;
  for (const idea of state.ideas.values()) if (idea.board === boardId && idea.status === "visible") n += 1;
  return n;
}

/** A board's heading: "Plenary", a room's name, or a closed room with its round. */
export function boardTitle(state, board) {
  if (board.room === null) return gettext("Plenary");
  const room = roomOfBoard(state, board) || { name: board.title };
  if (roomRunning(state, room)) return roomLabel(room);
  const rounds = closedBreakouts(state);
  if (rounds.length > 1) {
    return gettext("%(room)s (round %(n)s, closed)", { room: roomLabel(room), n: rounds.indexOf(room.breakout) + 1 });
  }
  return gettext("%(room)s (closed)", { room: roomLabel(room) });
}

/** When the running breakout ends: its closing countdown, else a timed breakout's end. */
export function breakoutDeadline(state) {
  const b = runningBreakout(state);
  if (!b) return null;
  if (b.status === "closing" && b.closes_at) return { at: Date.parse(b.closes_at), closing: true };
  if (b.ends_at) return { at: Date.parse(b.ends_at), closing: false };
  return null;
}

/**
 * Which countdown a page shows, since only one may show at a time: "rooms", "timer", "expired"
 * (the timer's "Time is up", not a countdown) or null. The rooms' closing countdown wins over
 * everything: it is the one that calls everyone back. Otherwise a running timer wins over the
 * rooms' time left (the facilitator started it for what happens now, inside the rooms too), and
 * a timer that ran out only shows when no countdown does.
 */
export function shownCountdown(state, { expired = false } = {}) {
  const rooms = breakoutDeadline(state);
  if (rooms?.closing) return "rooms";
  if (state.workshop?.timer?.ends_at) return "timer";
  if (rooms) return "rooms";
  return expired ? "expired" : null;
}

/** A countdown to the breakout's end in `box` (label + time), ticking while one is due and shown. */
export class BreakoutCountdown {
  constructor(box, getState) {
    this.box = box;
    this.getState = getState;
    this.label = box.querySelector(".countdown-label");
    this.time = box.querySelector(".countdown-time");
    this.interval = null;
  }

  render() {
    clearInterval(this.interval);
    this.interval = null;
    const state = this.getState();
    const deadline = shownCountdown(state) === "rooms" ? breakoutDeadline(state) : null;
    this.box.hidden = !deadline;
    if (!deadline) return;
    this.box.dataset.state = deadline.closing ? "closing" : "running";
    setText(this.label, deadline.closing ? gettext("Rooms close in") : gettext("Time left in the rooms"));
    const tick = () => {
      const left = (deadline.at - Date.now()) / 1000;
      setText(this.time, formatDuration(left));
      if (left <= 0) {
        clearInterval(this.interval);
        this.interval = null;
      }
    };
    tick();
    this.interval = setInterval(tick, 250);
  }
}

/**
 * The report-back: each closed room's top ideas, newest round first, each room with a button
 * that opens its (read-only) board. `boardButton(room, board)` makes that button.
 */
export function renderReportBack(container, state, boardButton) {
  const rounds = closedBreakouts(state).reverse();
  const focusedId = container.contains(document.activeElement) ? document.activeElement.id : null;
  const total = closedBreakouts(state).length;
  const sections = rounds.map((breakoutId, index) => {
    const rooms = roomsOf(state, breakoutId);
    const roundNo = total - index;
    const list = h("ol", { class: "report-rooms" }, rooms.map((room) => reportRoom(state, room, boardButton, total > 1)));
    if (total === 1) return list;
    return h("section", { class: "report-round", "aria-labelledby": `report-round-${breakoutId}` },
      h("h3", { id: `report-round-${breakoutId}` }, gettext("Round %(n)s", { n: roundNo })), list);
  });
  container.replaceChildren(...sections);
  if (focusedId) document.getElementById(focusedId)?.focus();
  return rounds.length;
}

function reportRoom(state, room, boardButton, nested) {
  const top = (room.top || []).map((id) => state.ideas.get(id)).filter((idea) => idea && idea.status === "visible");
  const headingId = `report-room-${room.id}`;
  const board = room.board != null ? state.boards.get(room.board) : null;
  return h("li", { class: "report-room", dataset: { room: room.id } },
    h(nested ? "h4" : "h3", { id: headingId, class: "report-room-name" }, roomLabel(room)),
    top.length
      ? h("ol", { class: "top-ideas", "aria-labelledby": headingId }, top.map((idea) => h("li", {},
        h("p", { class: "top-idea-text" }, idea.text || ""),
        h("p", { class: "top-idea-meta" }, gettext("by %(name)s", { name: personName(idea.author?.name) }), " · ",
          ngettext("%(count)s agrees", "%(count)s agree", idea.reactions?.agree ?? 0)))))
      : h("p", { class: "note" }, gettext("No ideas from this room.")),
    board ? boardButton(room, board) : null);
}
