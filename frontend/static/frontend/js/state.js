// The one store of a workshop page: the local picture of a workshop, built from a `welcome`
// snapshot, then changed by events from the server and by this page's own actions (optimistic
// changes and their answers). Views read `store.state`, dispatch actions and subscribe by type
// (to each change, or to be told once per batch of them); nothing else writes the state. Every
// event payload is absolute (protocol 2.3), so applying one twice is harmless; the store still
// skips events whose seq it has seen.

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
    deck: undefined, // the idea shown one at a time (deck.next): undefined until asked, null when none is left
    proposals: [],
    announcements: [],
    flags: new Map(), // flag id -> FLAG (moderators and facilitators only)
    appeals: new Map(), // idea id -> appeal
    myFlags: new Set(), // idea ids this page flagged (the server does not tell citizens)
    waiting: new Map(), // participant id -> {id, name}: the waiting room (facilitators and moderators only)
    questions: new Map(), // question id -> QUESTION, those this participant may see
    myUpvotes: new Set(), // question ids this participant upvoted
    hands: [], // participant ids with a raised hand, first raised first (staff, and those in the queue)
    floor: null, // {participant, since}: who has the floor, or null
    lastTurn: null, // {participant, seconds}: the turn that ended last, while nobody has the floor
    nudge: null, // {text, at}: a facilitator's latest invitation to this participant
    polls: new Map(), // poll id -> POLL (protocol 3.4), results null where this reader may not see them yet
    myPollAnswers: new Map(), // poll id -> this participant's answer, as the server stored it
    // This participant's own choices as the server last confirmed them, and the newest unanswered
    // click per idea or proposal: only that click's refusal puts the confirmed choice back.
    confirmed: { reaction: new Map(), endorsement: new Map() },
    clicks: { reaction: new Map(), endorsement: new Map() },
  };
}

/** The state a full `welcome` describes; announcements, own flags and the idea shown one at a time are kept. */
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
  for (const q of frame.questions || []) s.questions.set(q.id, q);
  s.myUpvotes = new Set(frame.my_upvotes || []);
  s.hands = frame.hands || [];
  s.floor = frame.floor || null;
  s.nudge = previous ? previous.nudge : null;
  for (const poll of frame.polls || []) s.polls.set(poll.id, poll);
  for (const [id, answer] of Object.entries(frame.my_poll_answers || {})) s.myPollAnswers.set(Number(id), answer);
  // Announcements are not part of the snapshot; keep the ones this page already showed.
  s.announcements = previous ? previous.announcements : [];
  s.myFlags = previous ? previous.myFlags : new Set();
  s.deck = previous ? previous.deck : undefined;
  s.confirmed = { reaction: new Map(s.myReactions), endorsement: new Map(s.myEndorsements) };
  // Commands still unanswered are resent after the welcome: their answers must still find their click.
  if (previous) s.clicks = previous.clicks;
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

const MODERATING = new Set(["moderator", "facilitator"]);

/** An idea that was hidden (moderators still read it) or withdrawn takes its text out of every poll option made from it. */
function blankPollOptions(s, ideaId, { forModerators = false } = {}) {
  if (!forModerators && MODERATING.has(s.me?.role)) return;
  for (const poll of s.polls.values()) {
    if (poll.options.some((o) => o.idea === ideaId && o.label)) {
      s.polls.set(poll.id, { ...poll, options: poll.options.map((o) => (o.idea === ideaId ? { ...o, label: "" } : o)) });
    }
  }
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

/** A board's new columns: its ideas in a column it no longer has are in none (protocol 3.5). */
function boardUpdated(s, board) {
  if (!board) return;
  const known = s.boards.get(board.id);
  if (known) s.boards.set(board.id, { ...known, ...board });
  const columns = new Set(board.columns || []);
  for (const [id, idea] of s.ideas) {
    if (idea.board === board.id && idea.column != null && !columns.has(idea.column)) s.ideas.set(id, { ...idea, column: null });
  }
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
      blankPollOptions(s, ev.idea, { forModerators: true });
      break;
    case "idea.hidden": {
      const change = { status: "hidden" };
      if (ev.hidden_reason !== undefined) change.hidden_reason = ev.hidden_reason;
      setIdea(s, ev.idea, change);
      blankPollOptions(s, ev.idea);
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
    case "participant.erased": {
      // Their ideas stay, by nobody named; they leave the people list.
      for (const idea of s.ideas.values()) {
        if (idea.author?.id === ev.participant && idea.author.name) s.ideas.set(idea.id, { ...idea, author: { ...idea.author, name: "" } });
      }
      s.participants.delete(ev.participant);
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
    case "workshop.updated":
      // The whole workshop as the welcome has it; a waiting page's short one grows no settings.
      if (s.workshop) s.workshop = { ...s.workshop, ...ev.workshop };
      break;
    case "board.updated":
      boardUpdated(s, ev.board);
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
    case "question.asked":
    case "question.answered":
      if (ev.question && typeof ev.question === "object") s.questions.set(ev.question.id, ev.question);
      break;
    case "question.upvoted": {
      const q = s.questions.get(ev.question);
      if (q) s.questions.set(q.id, { ...q, votes: ev.votes });
      break;
    }
    case "question.hidden":
      // With the reason: its author or a moderator, who still sees it; without: it is gone.
      if (ev.hidden_reason === undefined) s.questions.delete(ev.question);
      else {
        const q = s.questions.get(ev.question);
        if (q) s.questions.set(q.id, { ...q, status: "hidden", hidden_reason: ev.hidden_reason });
      }
      break;
    case "hands.changed":
      s.hands = Array.isArray(ev.queue) ? ev.queue : [];
      break;
    case "floor.given":
      s.floor = { participant: ev.participant, since: ev.at };
      s.lastTurn = null;
      s.hands = s.hands.filter((id) => id !== ev.participant);
      break;
    case "floor.ended":
      if (!s.floor || s.floor.participant === ev.participant) s.floor = null;
      s.lastTurn = { participant: ev.participant, seconds: ev.seconds };
      break;
    case "nudged":
      s.nudge = { text: ev.text || "", at: ev.at, seq: ev.seq };
      break;
    case "poll.opened":
    case "poll.closed":
      if (ev.poll && typeof ev.poll === "object") {
        // A facilitator already has results of an after_close poll from poll.results; poll.opened carries none.
        const known = s.polls.get(ev.poll.id);
        s.polls.set(ev.poll.id, ev.poll.results === null && known ? { ...ev.poll, results: known.results } : ev.poll);
      }
      break;
    case "poll.results": {
      const known = s.polls.get(ev.poll);
      if (known && known.status === "open") s.polls.set(known.id, { ...known, results: ev.results });
      break;
    }
    default:
      break;
  }
}

// Own choices: the action's kind -> [the state's map of shown choices, the field naming the item].
const MINE = { reaction: ["myReactions", "idea"], endorsement: ["myEndorsements", "proposal"] };

function choose(s, kind, id, value) {
  const shown = s[MINE[kind][0]];
  if (value) shown.set(id, value);
  else shown.delete(id);
}

/**
 * Fold one action of this page into the state. Optimistic choices come in three steps:
 * "<kind>.sent" {id field, value, click} shows the choice at once, "<kind>.confirmed" records the
 * server's ack, "<kind>.refused" puts the confirmed choice back if that click was the newest.
 */
export function applyAction(s, action) {
  const [kind, step] = action.type.split(".");
  if (MINE[kind]) {
    const id = action[MINE[kind][1]];
    const newest = s.clicks[kind].get(id) === action.click;
    if (step === "sent") {
      choose(s, kind, id, action.value ?? null);
      s.clicks[kind].set(id, action.click);
    } else if (step === "confirmed") {
      s.confirmed[kind].set(id, action.value ?? null);
      if (newest) s.clicks[kind].delete(id);
      const known = kind === "endorsement" && action.endorsements ? s.proposals.find((p) => p.id === id) : null;
      if (known) {
        const bridging = typeof action.bridging === "number" ? action.bridging : known.bridging;
        setProposal(s, { ...known, endorsements: action.endorsements, bridging });
      }
    } else if (step === "refused" && newest) {
      choose(s, kind, id, s.confirmed[kind].get(id) ?? null);
      s.clicks[kind].delete(id);
    }
    return;
  }
  switch (action.type) {
    case "flag.sent":
      s.myFlags.add(action.idea);
      break;
    case "appeal.sent":
      // appeal.filed may come after the ack: the appeal shows as open until it does.
      if (!s.appeals.has(action.appeal.idea)) s.appeals.set(action.appeal.idea, action.appeal);
      break;
    case "upvote.confirmed": {
      if (action.value) s.myUpvotes.add(action.question);
      else s.myUpvotes.delete(action.question);
      const q = s.questions.get(action.question);
      if (q && typeof action.votes === "number") s.questions.set(q.id, { ...q, votes: action.votes });
      break;
    }
    case "hands.confirmed":
      s.hands = Array.isArray(action.queue) ? action.queue : s.hands;
      break;
    case "deck.shown":
      s.deck = action.idea ?? null;
      break;
    case "survey.answered":
      s.surveyAnswered = true;
      break;
    case "poll.answered":
      s.myPollAnswers.set(action.poll, action.answer);
      break;
    case "me.resumed":
      s.me = { ...s.me, ...action.me };
      break;
    default:
      break;
  }
}

/** Whether a subscription pattern ("idea.posted", "idea.*", or "*": every server event) covers a change. */
function matches(pattern, type, isEvent) {
  if (pattern === "*") return isEvent;
  return pattern === type || (pattern.endsWith(".*") && type.startsWith(pattern.slice(0, -1)));
}

/** The state, the seq of the last event applied, and the views subscribed to what changes. */
export class Store {
  constructor() {
    this.state = emptyState();
    this.seq = null; // null: start from a full snapshot on the next connection
    this.listeners = []; // told of every change, with the change
    this.watchers = []; // told once after a change, or once after a whole batch of changes
    this.batching = 0;
    this.due = new Set(); // watchers to tell when the batch ends
  }

  /** Call `fn(event or action)` after each change of the given types or patterns; returns the unsubscribe. */
  on(types, fn) {
    const entry = { patterns: [].concat(types), fn };
    this.listeners.push(entry);
    return () => {
      this.listeners = this.listeners.filter((e) => e !== entry);
    };
  }

  /**
   * Call `fn()` after a change of the given types or patterns, but only once for a whole batch of
   * them (`batch`): for views that redraw from the state, so that a batch of 200 presence changes
   * costs one redraw, not 200. Returns the unsubscribe.
   */
  watch(types, fn) {
    const entry = { patterns: [].concat(types), fn };
    this.watchers.push(entry);
    return () => {
      this.watchers = this.watchers.filter((e) => e !== entry);
      this.due.delete(entry);
    };
  }

  notify(change, isEvent) {
    const hit = ({ patterns }) => patterns.some((p) => matches(p, change.type, isEvent));
    for (const entry of this.listeners) if (hit(entry)) entry.fn(change);
    for (const entry of this.watchers) if (hit(entry)) this.due.add(entry);
    if (!this.batching) this.flush();
  }

  /** Run `work`, which applies changes; the watchers it concerns are told once, when it ends. */
  batch(work) {
    this.batching += 1;
    try {
      return work();
    } finally {
      this.batching -= 1;
      if (!this.batching) this.flush();
    }
  }

  /** Tell the watchers that are due, in the order they subscribed. */
  flush() {
    if (!this.due.size) return;
    const due = this.due;
    this.due = new Set();
    for (const entry of this.watchers) if (due.has(entry)) entry.fn();
  }

  /** Replace the state with a full `welcome`; in the waiting room no seq is kept. */
  reset(frame) {
    this.state = stateFromSnapshot(frame, this.state);
    this.seq = typeof frame.seq === "number" && frame.me?.admitted !== false ? frame.seq : null;
  }

  /** Whether an event was already applied (its seq is not past the last one). */
  seen(ev) {
    return this.seq !== null && typeof ev.seq === "number" && ev.seq <= this.seq;
  }

  /** Apply a server event and tell the views; an event already seen changes nothing. */
  apply(ev) {
    if (this.seen(ev)) return false;
    // In the waiting room the stream is not followed: once let in, a full snapshot comes.
    if (typeof ev.seq === "number" && this.state.me?.admitted !== false) this.seq = ev.seq;
    applyEvent(this.state, ev);
    this.notify(ev, true);
    return true;
  }

  /** Apply one of this page's actions (see applyAction) and tell the views. */
  dispatch(action) {
    applyAction(this.state, action);
    this.notify(action, false);
  }
}
