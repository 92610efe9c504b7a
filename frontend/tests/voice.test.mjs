// Questions, hands and the floor without a browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  canAnswer, canModerate, contributionTotal, contributionView, formatElapsed, handUp, isPublic, queuePosition,
  questionsShown, secondsSince, sortQuestions,
} from "../static/frontend/js/voice.js";
import { applyAction, applyEvent, emptyState, stateFromSnapshot } from "../static/frontend/js/state.js";

const q = (id, votes, status = "open", author = 1) => ({ id, text: `Q${id}`, author: { id: author, name: "A" }, votes, status, answer: null });

test("questions sort most votes first, then oldest first", () => {
  assert.deepEqual(sortQuestions([q(1, 0), q(2, 3), q(3, 3), q(4, 1)]).map((x) => x.id), [2, 3, 4, 1]);
});

test("who answers and who moderates questions", () => {
  assert.equal(canAnswer({ role: "official" }), true);
  assert.equal(canAnswer({ role: "facilitator" }), true);
  assert.equal(canAnswer({ role: "citizen" }), false);
  assert.equal(canAnswer({ role: "moderator" }), false);
  assert.equal(canModerate({ role: "moderator" }), true);
  assert.equal(canModerate({ role: "official" }), false);
  assert.equal(canModerate(null), false);
  assert.equal(isPublic(q(1, 0, "answered")), true);
  assert.equal(isPublic(q(1, 0, "held")), false);
});

test("question events keep the list, counts and hiding as each reader may see them", () => {
  const s = stateFromSnapshot({ me: { id: 7, role: "citizen" }, questions: [q(1, 2), q(2, 0, "held", 7)], my_upvotes: [1] });
  assert.deepEqual([...s.myUpvotes], [1]);
  applyEvent(s, { type: "question.asked", question: q(3, 0) });
  applyEvent(s, { type: "question.upvoted", question: 3, votes: 5 });
  assert.deepEqual(questionsShown(s).map((x) => x.id), [3, 1, 2]);
  applyEvent(s, { type: "question.answered", question: { ...q(1, 2, "answered"), answer: { text: "Yes", by: "Off", at: "t" } } });
  assert.equal(s.questions.get(1).answer.text, "Yes");
  applyEvent(s, { type: "question.hidden", question: 3 }); // without a reason: gone for this reader
  assert.equal(s.questions.has(3), false);
  applyEvent(s, { type: "question.hidden", question: 2, hidden_reason: "Rude" }); // their own: kept, marked
  assert.equal(s.questions.get(2).status, "hidden");
  assert.deepEqual(questionsShown(s).map((x) => x.id), [1, 2]);
  applyAction(s, { type: "upvote.confirmed", question: 1, value: false, votes: 1 });
  assert.equal(s.myUpvotes.has(1), false);
  assert.equal(s.questions.get(1).votes, 1);
  applyEvent(s, { type: "question.upvoted", question: 99, votes: 1 }); // unknown: nothing
  assert.equal(s.questions.has(99), false);
});

test("a moderating page lists hidden questions too", () => {
  const s = stateFromSnapshot({ me: { id: 1, role: "moderator" }, questions: [q(1, 0, "hidden", 5), q(2, 0)] });
  assert.deepEqual(questionsShown(s).map((x) => x.id), [2]);
  assert.deepEqual(questionsShown(s, { moderating: true }).map((x) => x.id), [1, 2]);
});

test("hands and the floor", () => {
  const s = stateFromSnapshot({ me: { id: 7, role: "citizen" }, hands: [3, 7], floor: null });
  assert.equal(handUp(s), true);
  assert.equal(queuePosition(s), 2);
  applyEvent(s, { type: "floor.given", participant: 7, at: "2026-01-01T10:00:00Z", seq: 5 });
  assert.deepEqual(s.floor, { participant: 7, since: "2026-01-01T10:00:00Z" });
  assert.equal(handUp(s), false, "given the floor: their hand went down");
  applyEvent(s, { type: "floor.ended", participant: 7, seconds: 42 });
  assert.equal(s.floor, null);
  assert.deepEqual(s.lastTurn, { participant: 7, seconds: 42 });
  applyEvent(s, { type: "hands.changed", queue: [3] });
  assert.equal(queuePosition(s), 0);
  applyAction(s, { type: "hands.confirmed", queue: [3, 7] });
  assert.equal(handUp(s), true);
  applyEvent(s, { type: "nudged", text: "", at: "t", seq: 9 });
  assert.deepEqual(s.nudge, { text: "", at: "t", seq: 9 });
  const again = stateFromSnapshot({ me: { id: 7 } }, s);
  assert.equal(again.nudge.seq, 9, "a new welcome keeps the invitation shown");
  assert.deepEqual(emptyState().hands, []);
});

test("elapsed time on the floor", () => {
  assert.equal(secondsSince("2026-01-01T10:00:00Z", Date.parse("2026-01-01T10:01:05Z")), 65);
  assert.equal(secondsSince("2026-01-01T10:00:00Z", Date.parse("2026-01-01T09:00:00Z")), 0);
  assert.equal(secondsSince("nonsense"), 0);
  assert.equal(formatElapsed(65), "1:05");
  assert.equal(formatElapsed(0), "0:00");
  assert.equal(formatElapsed(3725), "1:02:05");
});

test("contributions: everyone in a small workshop, those with none first; in a large one only whom a search finds", () => {
  const row = (participant, ideas = 0, reactions = 0, turns = 0) => ({ participant, ideas, builds: 0, reactions, turns });
  assert.equal(contributionTotal(row(1, 2, 3, 1)), 6);
  assert.equal(contributionTotal({ ...row(5), answers: 2 }), 2, "a poll answer is a contribution");
  const small = contributionView([row(1, 1), row(2), row(3, 0, 0, 1), row(4)], { limit: 10 });
  assert.deepEqual(small.listed.map((r) => r.participant), [2, 4, 1, 3]);
  assert.equal(small.scope, "everyone");
  assert.equal(small.quiet, 2);
  const rows = Array.from({ length: 12 }, (_, i) => row(i + 1, i % 3 === 0 ? 1 : 0));
  const nameOf = (id) => (id <= 6 ? `Zoë ${id}` : `Bram ${id}`);
  const unasked = contributionView(rows, { limit: 5, nameOf });
  assert.equal(unasked.scope, "found");
  assert.equal(unasked.quiet, 8);
  assert.deepEqual(unasked.listed, [], "a large workshop names nobody unasked");
  const found = contributionView(rows, { limit: 5, nameOf, query: "zoe" });
  assert.deepEqual(found.listed.map((r) => r.participant), [2, 3, 5, 6, 1]);
  assert.equal(found.found, 6);
  assert.equal(found.more, 1);
});
