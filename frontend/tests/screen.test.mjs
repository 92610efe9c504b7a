// One countdown at a time (rooms.js shownCountdown) and the projector's top ideas (screen-view.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { shownCountdown } from "../static/frontend/js/rooms.js";
import { topIdeas } from "../static/frontend/js/screen-view.js";
import { emptyState } from "../static/frontend/js/state.js";

const SOON = "2030-01-01T10:00:00Z";
const LATER = "2030-01-01T10:20:00Z";

function stateWith({ timer = null, breakout = null } = {}) {
  const s = emptyState();
  s.workshop = { status: "live", timer, breakout };
  return s;
}

test("nothing runs: no countdown, or the timer's 'time is up' after it ran out", () => {
  assert.equal(shownCountdown(stateWith()), null);
  assert.equal(shownCountdown(stateWith(), { expired: true }), "expired");
});

test("a running timer wins over the rooms' time left, and over 'time is up'", () => {
  const timed = { id: 1, status: "open", ends_at: LATER };
  assert.equal(shownCountdown(stateWith({ timer: { label: "", ends_at: SOON }, breakout: timed })), "timer");
  assert.equal(shownCountdown(stateWith({ breakout: timed }), { expired: true }), "rooms");
  assert.equal(shownCountdown(stateWith({ breakout: { id: 1, status: "open", ends_at: null } }), { expired: true }), "expired");
});

test("the rooms' closing countdown wins over everything", () => {
  const closing = { id: 1, status: "closing", closes_at: SOON, ends_at: null };
  assert.equal(shownCountdown(stateWith({ timer: { label: "Ideas", ends_at: LATER }, breakout: closing }), { expired: true }), "rooms");
});

test("top ideas: the plenary's visible ideas, most agreement first, older first on a tie, at most five", () => {
  const s = emptyState();
  s.boards.set(1, { id: 1, room: null });
  s.boards.set(2, { id: 2, room: 7 });
  const add = (id, board, agree, status = "visible") => s.ideas.set(id, { id, board, status, reactions: { agree } });
  add(1, 1, 2);
  add(2, 1, 5);
  add(3, 1, 2);
  add(4, 2, 9); // a room's board
  add(5, 1, 9, "hidden");
  add(6, 1, 0);
  add(7, 1, 1);
  add(8, 1, 0);
  assert.deepEqual(topIdeas(s).map((i) => i.id), [2, 1, 3, 7, 6]);
  assert.deepEqual(topIdeas(s, 2).map((i) => i.id), [2, 1]);
});

test("the projector shows the newest open poll, else the newest closed one, else none", async () => {
  const { shownPoll } = await import("../static/frontend/js/screen-view.js");
  const poll = (id, status) => ({ id, status, question: `Q${id}`, options: [], results: null });
  assert.equal(shownPoll({ polls: new Map() }), null);
  assert.equal(shownPoll({}), null);
  assert.equal(shownPoll({ polls: new Map([[1, poll(1, "closed")], [2, poll(2, "closed")]]) }).id, 2);
  assert.equal(shownPoll({ polls: new Map([[1, poll(1, "open")], [2, poll(2, "closed")], [3, poll(3, "open")]]) }).id, 3);
  assert.equal(shownPoll({ polls: new Map([[4, poll(4, "closed")], [1, poll(1, "open")]]) }).id, 1);
});
