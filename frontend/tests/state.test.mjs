// The store: snapshot, every event kind the reducer handles, replays, seq, subscriptions and
// optimistic actions confirmed and refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Store, applyAction, applyEvent, emptyState, stateFromSnapshot } from "../static/frontend/js/state.js";

const idea = (id, extra = {}) => ({ id, board: 1, text: `idea ${id}`, status: "visible", author: { id: 2, name: "Ann" }, reactions: {}, ...extra });

function welcome(extra = {}) {
  return {
    type: "welcome", seq: 10,
    me: { id: 1, name: "Me", role: "citizen", room: null, rung: "informed" },
    workshop: { code: "abc", title: "T", status: "live", phase: 0, timer: null, breakout: null },
    participants: [{ id: 1, name: "Me", role: "citizen", online: true, room: null }, { id: 2, name: "Ann", role: "citizen", online: true, room: null }],
    rooms: [], boards: [{ id: 1, title: "Plenary", room: null, columns: ["Now", "Later"] }],
    ideas: [idea(5)], my_reactions: { 5: "agree" }, my_endorsements: { 7: "pass" }, my_survey: true,
    flags: [], appeals: [], proposals: [], waiting: [],
    ...extra,
  };
}

/** A plain picture of a state, for comparing two of them. */
function plain(s) {
  return JSON.stringify(s, (_, v) => (v instanceof Map ? [...v] : v instanceof Set ? [...v] : v));
}

test("a snapshot fills the state and keeps this page's announcements and flags", () => {
  const before = emptyState();
  before.announcements = [{ text: "hi" }];
  before.myFlags.add(9);
  const s = stateFromSnapshot(welcome(), before);
  assert.equal(s.me.name, "Me");
  assert.equal(s.participants.get(2).name, "Ann");
  assert.equal(s.ideas.get(5).text, "idea 5");
  assert.equal(s.myReactions.get(5), "agree"); // object keys become numbers
  assert.equal(s.myEndorsements.get(7), "pass");
  assert.equal(s.surveyAnswered, true);
  assert.deepEqual(s.announcements, [{ text: "hi" }]);
  assert.ok(s.myFlags.has(9));
  assert.equal(s.confirmed.reaction.get(5), "agree");
});

test("idea events set, withdraw, hide with a reason and count reactions", () => {
  const s = stateFromSnapshot(welcome());
  for (const type of ["idea.posted", "idea.held", "idea.edited", "idea.restored"]) {
    applyEvent(s, { type, idea: idea(6, { text: type }) });
    assert.equal(s.ideas.get(6).text, type);
  }
  applyEvent(s, { type: "idea.reacted", idea: 6, reactions: { agree: 3 } });
  assert.deepEqual(s.ideas.get(6).reactions, { agree: 3 });
  applyEvent(s, { type: "idea.hidden", idea: 6, hidden_reason: "flagged" });
  assert.equal(s.ideas.get(6).status, "hidden");
  assert.equal(s.ideas.get(6).hidden_reason, "flagged");
  applyEvent(s, { type: "idea.withdrawn", idea: 5 });
  assert.equal(s.ideas.get(5).status, "withdrawn");
  applyEvent(s, { type: "idea.withdrawn", idea: 404 }); // unknown: nothing happens
  assert.equal(s.ideas.has(404), false);
});

test("presence, mute, removal and the waiting room", () => {
  const s = stateFromSnapshot(welcome());
  applyEvent(s, { type: "presence.changed", participant: { id: 1, online: true, room: 3 } });
  assert.equal(s.participants.get(1).room, 3);
  assert.equal(s.me.room, 3);
  applyEvent(s, { type: "participant.muted", participant: 1, until: "2030-01-01T00:00:00Z" });
  assert.equal(s.me.muted_until, "2030-01-01T00:00:00Z");
  assert.equal(s.participants.get(1).muted_until, "2030-01-01T00:00:00Z");
  applyEvent(s, { type: "participant.muted", participant: 2, until: null });
  assert.equal(s.me.muted_until, "2030-01-01T00:00:00Z"); // someone else's mute is not mine
  applyEvent(s, { type: "participant.waiting", participant: { id: 8, name: "New" } });
  applyEvent(s, { type: "participant.waiting", participant: { id: 9, name: "Other" } });
  assert.deepEqual([...s.waiting.keys()], [8, 9]);
  applyEvent(s, { type: "participant.admitted", participant: { id: 8 } });
  applyEvent(s, { type: "participant.removed", participant: 9 });
  assert.equal(s.waiting.size, 0);
  applyEvent(s, { type: "participant.removed", participant: 2 });
  assert.equal(s.participants.get(2).removed, true);
  assert.equal(s.participants.get(2).online, false);
});

test("being admitted or rejected changes me", () => {
  const s = stateFromSnapshot(welcome({ me: { id: 1, name: "Me", role: "citizen", admitted: false } }));
  applyEvent(s, { type: "participant.admitted", participant: { id: 1 } });
  assert.equal(s.me.admitted, true);
  applyEvent(s, { type: "participant.rejected", participant: { id: 1 } });
  assert.equal(s.me.admitted, false);
});

test("flags and appeals are kept by id and by idea", () => {
  const s = stateFromSnapshot(welcome());
  applyEvent(s, { type: "flag.raised", flag: { id: 1, idea: 5, status: "open" } });
  applyEvent(s, { type: "flag.resolved", flag: { id: 1, idea: 5, status: "dismissed" } });
  assert.equal(s.flags.get(1).status, "dismissed");
  applyEvent(s, { type: "appeal.filed", appeal: { id: 3, idea: 5, status: "open" } });
  applyEvent(s, { type: "appeal.decided", appeal: { id: 3, idea: 5, status: "granted" } });
  assert.equal(s.appeals.get(5).status, "granted");
});

test("workshop status, phase, timer, announcements and rung", () => {
  const s = stateFromSnapshot(welcome({ workshop: { status: "draft", phase: null, timer: null } }));
  applyEvent(s, { type: "workshop.started" });
  assert.equal(s.workshop.status, "live");
  applyEvent(s, { type: "phase.changed", phase: 2 });
  assert.equal(s.workshop.phase, 2);
  applyEvent(s, { type: "timer.started", ends_at: "2030-01-01T00:05:00Z" });
  assert.deepEqual(s.workshop.timer, { label: "", ends_at: "2030-01-01T00:05:00Z" });
  applyEvent(s, { type: "timer.expired", label: "x" });
  assert.equal(s.workshop.timer, null);
  applyEvent(s, { type: "timer.started", label: "Vote", ends_at: "2030-01-01T00:05:00Z" });
  applyEvent(s, { type: "timer.stopped" });
  assert.equal(s.workshop.timer, null);
  applyEvent(s, { type: "workshop.ended", status: "ended" });
  assert.equal(s.workshop.status, "ended");
  applyEvent(s, { type: "announcement", text: "Break", from: { name: "F" }, at: "t", seq: 11 });
  assert.deepEqual(s.announcements, [{ text: "Break", from: { name: "F" }, at: "t", seq: 11 }]);
  applyEvent(s, { type: "rung.changed", rung: "involved", next: "collaborating" });
  assert.equal(s.me.rung, "involved");
  assert.equal(s.me.next, "collaborating");
});

test("proposals stay sorted by id and take endorsement counts", () => {
  const s = stateFromSnapshot(welcome());
  applyEvent(s, { type: "proposal.published", proposal: { id: 9, title: "B", status: "published" } });
  applyEvent(s, { type: "proposal.drafted", proposal: { id: 4, title: "A", status: "draft" } });
  applyEvent(s, { type: "proposal.updated", proposal: { id: 9, title: "B2", status: "published" } });
  applyEvent(s, { type: "proposal.responded", proposal: { id: 4, title: "A", status: "published", response: { status: "accepted" } } });
  assert.deepEqual(s.proposals.map((p) => [p.id, p.title]), [[4, "A"], [9, "B2"]]);
  applyEvent(s, { type: "proposal.endorsed", proposal: 9, endorsements: { agree: 2 }, bridging: 0.5 });
  assert.deepEqual(s.proposals[1].endorsements, { agree: 2 });
  assert.equal(s.proposals[1].bridging, 0.5);
});

test("a breakout opens, a citizen moves rooms, the rooms close with their report", () => {
  const s = stateFromSnapshot(welcome());
  applyEvent(s, {
    type: "breakout.opened", breakout: 1, mode: "assigned", ends_at: null,
    rooms: [{ id: 3, name: "Room A", board: 30 }, { id: 4, name: "Room B", board: 40 }], assignments: { 1: 3, 2: 4 },
  });
  assert.equal(s.workshop.breakout.status, "open");
  assert.equal(s.me.room, 3);
  assert.equal(s.participants.get(2).room, 4);
  // A citizen gets their own room's board, with the plenary's columns, and no other.
  assert.deepEqual(s.boards.get(30).columns, ["Now", "Later"]);
  assert.equal(s.boards.has(40), false);
  applyEvent(s, { type: "idea.posted", idea: idea(50, { board: 30 }) });
  applyEvent(s, { type: "room.assigned", room: 4 });
  assert.equal(s.me.room, 4);
  assert.equal(s.boards.has(30), false, "the old room's board goes");
  assert.equal(s.ideas.has(50), false, "and its ideas with it");
  assert.equal(s.boards.get(40).title, "Room B");
  applyEvent(s, { type: "breakout.closing", closes_at: "2030-01-01T00:00:30Z" });
  assert.equal(s.workshop.breakout.status, "closing");
  assert.equal(s.workshop.breakout.closes_at, "2030-01-01T00:00:30Z");
  applyEvent(s, { type: "breakout.closed", reports: [{ room: 4, ideas: [{ id: 60 }] }], boards: [{ id: 30, title: "Room A", room: 3 }], ideas: [idea(50, { board: 30 })] });
  assert.equal(s.workshop.breakout, null);
  assert.deepEqual(s.rooms.get(4).top, [{ id: 60 }]);
  assert.equal(s.me.room, null);
  assert.equal(s.participants.get(2).room, null);
  assert.ok(s.boards.has(30) && s.ideas.has(50), "closed rooms' boards come back to read");
});

test("staff see every room's board when a breakout opens", () => {
  const s = stateFromSnapshot(welcome({ me: { id: 1, name: "F", role: "facilitator" } }));
  applyEvent(s, { type: "breakout.opened", breakout: 1, rooms: [{ id: 3, name: "A", board: 30 }, { id: 4, name: "B", board: 40 }], assignments: {} });
  assert.ok(s.boards.has(30) && s.boards.has(40));
});

test("an unknown event type changes nothing", () => {
  const s = stateFromSnapshot(welcome());
  const before = plain(s);
  applyEvent(s, { type: "straw.polled", poll: { id: 1 } });
  assert.equal(plain(s), before);
});

test("replaying every event a second time leaves the same state (absolute payloads)", () => {
  const events = [
    { type: "idea.posted", idea: idea(6) },
    { type: "idea.reacted", idea: 6, reactions: { agree: 1 } },
    { type: "idea.hidden", idea: 6, hidden_reason: "moderator" },
    { type: "presence.changed", participant: { id: 2, online: false } },
    { type: "flag.raised", flag: { id: 1, idea: 5, status: "open" } },
    { type: "proposal.published", proposal: { id: 1, status: "published" } },
    { type: "proposal.endorsed", proposal: 1, endorsements: { agree: 1 }, bridging: 0 },
    { type: "phase.changed", phase: 1 },
    { type: "breakout.opened", breakout: 1, rooms: [{ id: 3, name: "A", board: 30 }], assignments: { 1: 3 } },
    { type: "room.assigned", room: 3 },
    { type: "breakout.closed", reports: [], boards: [], ideas: [] },
  ];
  const once = stateFromSnapshot(welcome());
  const twice = stateFromSnapshot(welcome());
  for (const ev of events) applyEvent(once, ev);
  for (const ev of events) {
    applyEvent(twice, ev);
    applyEvent(twice, ev);
  }
  assert.equal(plain(twice), plain(once));
});

test("the store skips events it has seen by seq and follows no seq in the waiting room", () => {
  const store = new Store();
  store.reset(welcome());
  assert.equal(store.seq, 10);
  const heard = [];
  store.on("*", (ev) => heard.push(ev.seq));
  assert.equal(store.apply({ type: "announcement", text: "a", seq: 11 }), true);
  assert.equal(store.apply({ type: "announcement", text: "a", seq: 11 }), false);
  assert.equal(store.apply({ type: "announcement", text: "old", seq: 9 }), false);
  assert.equal(store.state.announcements.length, 1, "a replayed announcement is not shown twice");
  assert.deepEqual(heard, [11]);
  assert.equal(store.seq, 11);

  store.reset(welcome({ seq: 20, me: { id: 1, name: "Me", role: "citizen", admitted: false } }));
  assert.equal(store.seq, null, "in the waiting room the stream is not followed");
  store.apply({ type: "participant.waiting", participant: { id: 3, name: "X" }, seq: 21 });
  assert.equal(store.seq, null);
});

test("subscriptions match by type, by prefix and '*' (server events only), in order, and unsubscribe", () => {
  const store = new Store();
  store.reset(welcome());
  const calls = [];
  store.on("idea.posted", () => calls.push("exact"));
  const off = store.on("idea.*", () => calls.push("prefix"));
  store.on("*", (change) => calls.push(`any:${change.type}`));
  store.on(["survey.answered", "phase.changed"], () => calls.push("list"));
  store.apply({ type: "idea.posted", idea: idea(6), seq: 11 });
  store.dispatch({ type: "survey.answered" });
  off();
  store.apply({ type: "idea.edited", idea: idea(6), seq: 12 });
  store.apply({ type: "phase.changed", phase: 1, seq: 13 });
  assert.deepEqual(calls, ["exact", "prefix", "any:idea.posted", "list", "any:idea.edited", "any:phase.changed", "list"]);
});

test("a watcher is told once after a change, or once after a whole batch, after the listeners", () => {
  const store = new Store();
  store.reset(welcome());
  const calls = [];
  store.watch(["presence.changed", "participant.*"], () => calls.push(["people", store.state.participants.size]));
  store.watch("*", () => calls.push(["any"]));
  store.watch("deck.shown", () => calls.push(["deck"]));
  store.on("presence.changed", (ev) => calls.push(["each", ev.participant.id]));
  const presence = (id, seq) => ({ type: "presence.changed", participant: { id, name: `P${id}`, role: "citizen", online: true }, seq });

  store.apply(presence(3, 11));
  assert.deepEqual(calls, [["each", 3], ["people", 3], ["any"]]);
  calls.length = 0;
  store.batch(() => {
    for (let i = 0; i < 5; i += 1) store.apply(presence(10 + i, 12 + i));
    store.batch(() => store.apply({ type: "participant.muted", participant: 10, until: null, seq: 17 })); // nested: told at the end
    store.dispatch({ type: "deck.shown", idea: null });
    assert.deepEqual(calls.filter(([kind]) => kind !== "each"), [], "nothing redraws during the batch");
  });
  assert.deepEqual(calls, [["each", 10], ["each", 11], ["each", 12], ["each", 13], ["each", 14], ["people", 8], ["any"], ["deck"]]);
  calls.length = 0;
  store.batch(() => store.apply(presence(3, 17))); // seen: nothing changed
  store.batch(() => {});
  assert.deepEqual(calls, []);
  store.dispatch({ type: "deck.shown", idea: null });
  assert.deepEqual(calls, [["deck"]], "an action is not a server event for '*'");
});

test("a watcher that throws still leaves the batch closed, and unsubscribing stops it", () => {
  const store = new Store();
  store.reset(welcome());
  let told = 0;
  const stop = store.watch("phase.changed", () => {
    told += 1;
  });
  assert.throws(() => store.batch(() => {
    store.apply({ type: "phase.changed", phase: 1, seq: 11 });
    throw new Error("boom");
  }), /boom/);
  assert.equal(told, 1, "the change that happened before the error is still drawn");
  store.apply({ type: "phase.changed", phase: 2, seq: 12 });
  assert.equal(told, 2, "not stuck in a batch");
  stop();
  store.apply({ type: "phase.changed", phase: 3, seq: 13 });
  assert.equal(told, 2);
});

test("an optimistic reaction shows at once, is confirmed, and a refusal puts the confirmed one back", () => {
  const s = stateFromSnapshot(welcome());
  applyAction(s, { type: "reaction.sent", idea: 5, value: "disagree", click: "c1" });
  assert.equal(s.myReactions.get(5), "disagree");
  applyAction(s, { type: "reaction.confirmed", idea: 5, value: "disagree", click: "c1" });
  applyAction(s, { type: "reaction.sent", idea: 5, value: null, click: "c2" });
  assert.equal(s.myReactions.has(5), false, "a second click on the same value takes it away");
  applyAction(s, { type: "reaction.refused", idea: 5, click: "c2" });
  assert.equal(s.myReactions.get(5), "disagree", "the last confirmed reaction comes back");
});

test("only the newest click's refusal restores a reaction", () => {
  const s = stateFromSnapshot(welcome());
  applyAction(s, { type: "reaction.sent", idea: 5, value: "pass", click: "c1" });
  applyAction(s, { type: "reaction.sent", idea: 5, value: "disagree", click: "c2" });
  applyAction(s, { type: "reaction.refused", idea: 5, click: "c1" });
  assert.equal(s.myReactions.get(5), "disagree", "an older click's refusal does not undo the newer one");
  // A snapshot in between (reconnect) keeps the unanswered click, so its refusal still counts.
  const again = stateFromSnapshot(welcome({ my_reactions: { 5: "agree" } }), s);
  applyAction(again, { type: "reaction.refused", idea: 5, click: "c2" });
  assert.equal(again.myReactions.get(5), "agree");
});

test("an endorsement is optimistic; its ack carries the new counts into the proposal", () => {
  const s = stateFromSnapshot(welcome({ proposals: [{ id: 7, status: "published", endorsements: { pass: 1 }, bridging: 0.1 }] }));
  applyAction(s, { type: "endorsement.sent", proposal: 7, value: "agree", click: "c1" });
  assert.equal(s.myEndorsements.get(7), "agree");
  applyAction(s, { type: "endorsement.confirmed", proposal: 7, value: "agree", click: "c1", endorsements: { agree: 1 }, bridging: 0.4 });
  assert.deepEqual(s.proposals[0].endorsements, { agree: 1 });
  assert.equal(s.proposals[0].bridging, 0.4);
  applyAction(s, { type: "endorsement.sent", proposal: 7, value: "disagree", click: "c2" });
  applyAction(s, { type: "endorsement.refused", proposal: 7, click: "c2" });
  assert.equal(s.myEndorsements.get(7), "agree");
});

test("flag, appeal, survey and resumed-me actions", () => {
  const store = new Store();
  store.reset(welcome({ my_survey: false }));
  const seen = [];
  store.on(["flag.sent", "appeal.sent", "survey.answered", "me.resumed"], (a) => seen.push(a.type));
  store.dispatch({ type: "flag.sent", idea: 5 });
  assert.ok(store.state.myFlags.has(5));
  store.dispatch({ type: "appeal.sent", appeal: { id: 1, idea: 5, status: "open" } });
  store.apply({ type: "appeal.decided", appeal: { id: 1, idea: 5, status: "denied" }, seq: 11 });
  store.dispatch({ type: "appeal.sent", appeal: { id: 1, idea: 5, status: "open" } });
  assert.equal(store.state.appeals.get(5).status, "denied", "a late ack does not undo the decision");
  store.dispatch({ type: "survey.answered" });
  assert.equal(store.state.surveyAnswered, true);
  store.dispatch({ type: "me.resumed", me: { room: 3, role: "citizen" } });
  assert.equal(store.state.me.room, 3);
  assert.equal(store.state.me.name, "Me");
  assert.deepEqual(seen, ["flag.sent", "appeal.sent", "appeal.sent", "survey.answered", "me.resumed"]);
});

test("an erased participant's ideas stay, nameless, and they leave the people", () => {
  const s = stateFromSnapshot(welcome({ ideas: [idea(5), idea(6, { author: { id: 1, name: "Me" } })] }));
  applyEvent(s, { type: "participant.erased", participant: 2 });
  assert.deepEqual(s.ideas.get(5).author, { id: 2, name: "" });
  assert.equal(s.ideas.get(5).text, "idea 5");
  assert.deepEqual(s.ideas.get(6).author, { id: 1, name: "Me" });
  assert.equal(s.participants.has(2), false);
  assert.equal(s.participants.has(1), true);
});

test("workshop.updated replaces the workshop's settings; board.updated moves ideas out of a column that is gone", () => {
  const s = stateFromSnapshot(welcome({
    ideas: [{ ...idea(5), column: "Now" }, { ...idea(6), column: "Later" }, { ...idea(7), column: null }, { ...idea(8), board: 2, column: "Now" }],
  }));
  applyEvent(s, { type: "workshop.updated", workshop: { code: "abc", title: "New", description: "The empty lot", status: "live", phase: 0, timer: null, breakout: null, agenda: [] } });
  assert.equal(s.workshop.title, "New");
  assert.equal(s.workshop.description, "The empty lot");
  applyEvent(s, { type: "board.updated", board: { id: 1, title: "Plenary", room: null, columns: ["Later", "Soon"] } });
  assert.deepEqual(s.boards.get(1).columns, ["Later", "Soon"]);
  assert.deepEqual([5, 6, 7, 8].map((id) => s.ideas.get(id).column), [null, "Later", null, "Now"]);
});
