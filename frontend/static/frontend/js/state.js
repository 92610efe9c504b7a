// The local picture of a workshop: built from a `welcome` snapshot, then changed by events.
// Every event payload is absolute (protocol 3.6), so applying one twice is harmless.

/** An empty local picture of a workshop. */
export function emptyState() {
  return {
    me: null,
    workshop: null,
    participants: new Map(),
    rooms: new Map(), // room id -> {id, name, board, breakout, top}
    boards: new Map(),
    ideas: new Map(),
    myReactions: new Map(),
    myEndorsements: new Map(), // proposal id -> "agree" | "disagree" | "pass"
    surveyAnswered: false,
    proposals: [],
    announcements: [],
    flags: new Map(), // flag id -> FLAG (moderators and facilitators only)
    appeals: new Map(), // idea id -> appeal
    myFlags: new Set(), // idea ids this page flagged (the server does not tell citizens)
    waiting: new Map(), // participant id -> {id, name}: the waiting room (facilitators and moderators only)
  };
}

/** The state a full `welcome` describes; announcements and own flags of this page are kept. */
export function stateFromSnapshot(frame, previous) {
  const s = emptyState();
  s.me = frame.me || null;
  s.workshop = frame.workshop || null;
  for (const p of frame.participants || []) s.participants.set(p.id, p);
  for (const r of frame.rooms || []) s.rooms.set(r.id, r);
  for (const b of frame.boards || []) s.boards.set(b.id, b);
  for (const idea of frame.ideas || []) s.ideas.set(idea.id, idea);
  for (const [id, value] of Object.entries(frame.my_reactions || {})) s.myReactions.set(Number(id), value);
  for (const [id, value] of Object.entries(frame.my_endorsements || {})) s.myEndorsements.set(Number(id), value);
  s.surveyAnswered = frame.my_survey === true;
  for (const flag of frame.flags || []) s.flags.set(flag.id, flag);
  for (const appeal of frame.appeals || []) s.appeals.set(appeal.idea, appeal);
  s.proposals = frame.proposals || [];
  for (const person of frame.waiting || []) s.waiting.set(person.id, person);
  // Announcements are not part of the snapshot; keep the ones this page already showed.
  s.announcements = previous ? previous.announcements : [];
  s.myFlags = previous ? previous.myFlags : new Set();
  return s;
}

const STAFF = new Set(["facilitator", "moderator", "official"]);

export function isStaff(person) {
  return !!person && STAFF.has(person.role);
}

/** The breakout that is open or closing, or null. */
export function runningBreakout(s) {
  return s.workshop?.breakout || null;
}

/** Whether a room belongs to the breakout that is running now. */
export function roomRunning(s, room) {
  const b = runningBreakout(s);
  return !!(room && b && room.breakout === b.id);
}

/** The room a board belongs to (null for the plenary). */
export function roomOfBoard(s, board) {
  return board && board.room != null ? s.rooms.get(board.room) || null : null;
}

function plenaryColumns(s) {
  for (const board of s.boards.values()) if (board.room === null) return board.columns || [];
  return [];
}

function setParticipantRoom(s, id, room) {
  const p = s.participants.get(id);
  if (p) s.participants.set(id, { ...p, room });
  if (s.me && s.me.id === id) s.me = { ...s.me, room };
}

function setIdea(s, id, change) {
  const idea = s.ideas.get(id);
  if (idea) s.ideas.set(id, { ...idea, ...change });
}

function breakoutOpened(s, ev) {
  if (s.workshop) {
    s.workshop = { ...s.workshop, breakout: { id: ev.breakout, status: "open", mode: ev.mode, ends_at: ev.ends_at || null, closes_at: null, capacity: ev.capacity ?? null } };
  }
  const assignments = ev.assignments || {};
  for (const [pid, room] of Object.entries(assignments)) setParticipantRoom(s, Number(pid), room);
  const columns = plenaryColumns(s);
  const myRoom = s.me ? assignments[String(s.me.id)] : undefined;
  for (const room of ev.rooms || []) {
    s.rooms.set(room.id, { ...room, breakout: ev.breakout, top: null });
    // Each room gets its own board with the plenary's columns; a citizen reads only their own.
    if (room.board != null && (isStaff(s.me) || room.id === myRoom)) {
      s.boards.set(room.board, { id: room.board, title: room.name, room: room.id, columns });
    }
  }
}

function roomAssigned(s, ev) {
  if (!s.me) return;
  setParticipantRoom(s, s.me.id, ev.room ?? null);
  if (isStaff(s.me)) return;
  // A citizen reads only their own running room: other running rooms' boards and ideas go.
  const room = ev.room != null ? s.rooms.get(ev.room) : null;
  for (const [id, board] of [...s.boards]) {
    const boardRoom = roomOfBoard(s, board);
    if (boardRoom && roomRunning(s, boardRoom) && boardRoom.id !== ev.room) {
      s.boards.delete(id);
      for (const [ideaId, idea] of [...s.ideas]) if (idea.board === id) s.ideas.delete(ideaId);
    }
  }
  if (room && room.board != null && !s.boards.has(room.board)) {
    s.boards.set(room.board, { id: room.board, title: room.name, room: room.id, columns: plenaryColumns(s) });
  }
}

function breakoutClosed(s, ev) {
  if (s.workshop) s.workshop = { ...s.workshop, breakout: null };
  for (const report of ev.reports || []) {
    const room = s.rooms.get(report.room);
    if (room) s.rooms.set(room.id, { ...room, top: report.ideas || [] });
  }
  for (const board of ev.boards || []) s.boards.set(board.id, board);
  for (const idea of ev.ideas || []) {
    const known = s.ideas.get(idea.id);
    // Staff and authors may already know more (a reason); the payload is otherwise the same.
    s.ideas.set(idea.id, known && known.status === idea.status ? { ...known, ...idea } : idea);
  }
  for (const [id, p] of s.participants) if (p.room != null) s.participants.set(id, { ...p, room: null });
  if (s.me) s.me = { ...s.me, room: null };
}

/** Put a PROPOSAL in the list, replacing the one with its id (order: by id). */
export function setProposal(s, proposal) {
  const others = s.proposals.filter((p) => p.id !== proposal.id);
  s.proposals = [...others, proposal].sort((a, b) => a.id - b.id);
}

/** Fold one event into the state. Unknown types change nothing. */
export function applyEvent(s, ev) {
  switch (ev.type) {
    case "idea.posted":
    case "idea.held":
    case "idea.edited":
    case "idea.restored":
      if (ev.idea && typeof ev.idea === "object") s.ideas.set(ev.idea.id, ev.idea);
      break;
    case "idea.withdrawn":
      setIdea(s, ev.idea, { status: "withdrawn" });
      break;
    case "idea.hidden": {
      const change = { status: "hidden" };
      if (ev.hidden_reason !== undefined) change.hidden_reason = ev.hidden_reason;
      setIdea(s, ev.idea, change);
      break;
    }
    case "idea.reacted":
      if (ev.reactions) setIdea(s, ev.idea, { reactions: ev.reactions });
      break;
    case "presence.changed":
      if (ev.participant) {
        const old = s.participants.get(ev.participant.id) || {};
        s.participants.set(ev.participant.id, { ...old, ...ev.participant });
        if (s.me && s.me.id === ev.participant.id && "room" in ev.participant) s.me = { ...s.me, room: ev.participant.room };
      }
      break;
    case "participant.muted": {
      const p = s.participants.get(ev.participant);
      if (p) s.participants.set(p.id, { ...p, muted_until: ev.until });
      if (s.me && (ev.participant === undefined || ev.participant === s.me.id)) s.me = { ...s.me, muted_until: ev.until };
      break;
    }
    case "participant.removed": {
      const p = s.participants.get(ev.participant);
      if (p) s.participants.set(p.id, { ...p, removed: true, online: false, room: null });
      s.waiting.delete(ev.participant);
      break;
    }
    case "participant.waiting":
      if (ev.participant) s.waiting.set(ev.participant.id, ev.participant);
      break;
    case "participant.admitted":
    case "participant.rejected":
      if (ev.participant) s.waiting.delete(ev.participant.id);
      if (s.me && ev.participant && ev.participant.id === s.me.id) s.me = { ...s.me, admitted: ev.type === "participant.admitted" };
      break;
    case "flag.raised":
    case "flag.resolved":
      if (ev.flag) s.flags.set(ev.flag.id, ev.flag);
      break;
    case "appeal.filed":
    case "appeal.decided":
      if (ev.appeal) s.appeals.set(ev.appeal.idea, ev.appeal);
      break;
    case "breakout.opened":
      breakoutOpened(s, ev);
      break;
    case "room.assigned":
      roomAssigned(s, ev);
      break;
    case "breakout.closing": {
      const b = runningBreakout(s);
      if (b && s.workshop) s.workshop = { ...s.workshop, breakout: { ...b, status: "closing", closes_at: ev.closes_at } };
      break;
    }
    case "breakout.closed":
      breakoutClosed(s, ev);
      break;
    case "workshop.started":
    case "workshop.ended":
      if (s.workshop) s.workshop = { ...s.workshop, status: ev.status || (ev.type === "workshop.started" ? "live" : "ended") };
      break;
    case "phase.changed":
      if (s.workshop) s.workshop = { ...s.workshop, phase: ev.phase };
      break;
    case "timer.started":
      if (s.workshop) s.workshop = { ...s.workshop, timer: { label: ev.label ?? "", ends_at: ev.ends_at } };
      break;
    case "timer.stopped":
    case "timer.expired":
      if (s.workshop) s.workshop = { ...s.workshop, timer: null };
      break;
    case "announcement":
      s.announcements = [...s.announcements, { text: ev.text, from: ev.from, at: ev.at, seq: ev.seq }];
      break;
    case "rung.changed":
      if (s.me) s.me = { ...s.me, rung: ev.rung, next: ev.next };
      break;
    case "proposal.drafted":
    case "proposal.published":
    case "proposal.updated":
    case "proposal.responded":
      if (ev.proposal && typeof ev.proposal === "object") setProposal(s, ev.proposal);
      break;
    case "proposal.endorsed": {
      const known = s.proposals.find((p) => p.id === ev.proposal);
      if (known) setProposal(s, { ...known, endorsements: ev.endorsements, bridging: ev.bridging });
      break;
    }
    default:
      break;
  }
}
