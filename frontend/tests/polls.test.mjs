// Poll logic without a browser: ranking moves, points left, answers from forms, results as rows,
// and the store's poll reducers.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  answerFrom, initialRanking, moveRanking, pointsLeft, pointsLeftText, pollFields, resultRows, resultSummary,
} from "../static/frontend/js/poll-logic.js";
import { Store } from "../static/frontend/js/state.js";

globalThis.document = { documentElement: { lang: "en-GB" } };

const POLL = { id: 4, kind: "ranking", options: [{ id: 1, label: "Trees" }, { id: 2, label: "Water" }, { id: 3, label: "", idea: 9 }] };

test("a ranking move swaps with the neighbour and stops at the ends", () => {
  assert.deepEqual(moveRanking([1, 2, 3], 2, -1), [1, 3, 2]);
  assert.deepEqual(moveRanking([1, 2, 3], 0, 1), [2, 1, 3]);
  assert.deepEqual(moveRanking([1, 2, 3], 0, -1), [1, 2, 3]);
  assert.deepEqual(moveRanking([1, 2, 3], 2, 1), [1, 2, 3]);
  const order = [1, 2, 3];
  moveRanking(order, 0, 1);
  assert.deepEqual(order, [1, 2, 3], "the order given is not changed");
});

test("a ranking starts from the earlier answer only when it ranks these options", () => {
  assert.deepEqual(initialRanking(POLL, { ranking: [3, 1, 2] }), [3, 1, 2]);
  assert.deepEqual(initialRanking(POLL, { ranking: [3, 1] }), [1, 2, 3]);
  assert.deepEqual(initialRanking(POLL, null), [1, 2, 3]);
});

test("points left counts blanks as 0 and refuses what is not a whole number", () => {
  assert.deepEqual(pointsLeft(10, ["3", "", " 4 "]), { used: 7, left: 3, valid: true });
  assert.deepEqual(pointsLeft(10, ["8", "5"]), { used: 13, left: -3, valid: false });
  assert.equal(pointsLeft(10, ["1.5"]).valid, false);
  assert.equal(pointsLeft(10, ["-1"]).valid, false);
  assert.equal(pointsLeftText(10, ["3", "4"]), "3 points left of 10.");
  assert.equal(pointsLeftText(10, ["9"]), "1 point left of 10.");
  assert.equal(pointsLeftText(10, ["8", "5"]), "3 points too many.");
});

test("answers come from form values in the command's shape, or say what is wrong", () => {
  assert.deepEqual(answerFrom({ kind: "single" }, { choice: "2" }), { choice: 2 });
  assert.ok(answerFrom({ kind: "single" }, {}).error);
  assert.deepEqual(answerFrom({ kind: "multiple", max_choices: 2 }, { choices: ["1", "3"] }), { choices: [1, 3] });
  assert.equal(answerFrom({ kind: "multiple", max_choices: 1 }, { choices: ["1", "3"] }).error, "Choose at most 1 option.");
  assert.deepEqual(answerFrom({ kind: "scale" }, { value: "7" }), { value: 7 });
  assert.deepEqual(answerFrom(POLL, { ranking: ["3", "1", "2"] }), { ranking: [3, 1, 2] });
  assert.deepEqual(answerFrom({ kind: "points", points: 10 }, { points: { 1: "6", 2: "", 3: "0" } }), { points: { 1: 6 } });
  assert.equal(answerFrom({ kind: "points", points: 10 }, { points: { 1: "6", 2: "5" } }).error, "You gave more than 10 points.");
  assert.deepEqual(answerFrom({ kind: "words" }, { words: [" shade ", "", "trees"] }), { words: ["shade", "trees"] });
  assert.ok(answerFrom({ kind: "words" }, { words: ["", " "] }).error);
  assert.ok(answerFrom({ kind: "words" }, { words: ["x".repeat(31)] }).error);
});

test("results become rows: the Schulze order with Borda points, zeros for options with nothing", () => {
  const ranking = resultRows(POLL, { n: 2, order: [2, 3, 1], borda: { 1: 1, 2: 4, 3: 1 } });
  assert.deepEqual(ranking.rows, [{ label: "1. Water", value: 4 }, { label: "2. (an idea that was hidden)", value: 1 },
    { label: "3. Trees", value: 1 }]);
  const single = resultRows({ kind: "single", options: POLL.options.slice(0, 2) }, { n: 1, counts: { 2: 1 } });
  assert.deepEqual(single.rows.map((r) => r.value), [0, 1]);
  const scale = { kind: "scale", options: [], scale: { min: 1, max: 3 } };
  assert.deepEqual(resultRows(scale, { n: 2, mean: 2, median: 2, histogram: { 1: 1, 3: 1 } }).rows.map((r) => r.value), [1, 0, 1]);
  assert.equal(resultSummary(scale, { n: 2, mean: 2.25, median: 2.5, histogram: {} }), "2 people answered. Mean 2.3, median 2.5.");
  assert.equal(resultRows(POLL, null), null);
});

test("the console's form becomes poll.open fields, or the field that is wrong", () => {
  assert.deepEqual(pollFields({ question: " Q ", kind: "single", source: "typed", options: "A\n\n B \n", results: "live" }).fields,
    { question: "Q", kind: "single", results: "live", anonymous: false, options: ["A", "B"] });
  assert.equal(pollFields({ question: "Q", kind: "single", options: "A" }).field, "options");
  assert.deepEqual(pollFields({ question: "Q", kind: "ranking", source: "ideas", ideas: ["4", "5"], results: "after_close", anonymous: true }).fields,
    { question: "Q", kind: "ranking", results: "after_close", anonymous: true, ideas: [4, 5] });
  assert.deepEqual(pollFields({ question: "Q", kind: "scale", scale_min: "1", scale_max: "5", duration_min: "2" }).fields,
    { question: "Q", kind: "scale", results: "live", anonymous: false, scale: { min: 1, max: 5 }, duration_s: 120 });
  assert.equal(pollFields({ question: "Q", kind: "scale", scale_min: "5", scale_max: "5" }).field, "scale");
  assert.equal(pollFields({ question: "", kind: "words" }).field, "question");
});

test("the store keeps polls from the welcome and the events, and blanks options of a hidden idea", () => {
  const store = new Store();
  const poll = { ...POLL, options: [{ id: 1, label: "Trees", idea: 8 }, { id: 2, label: "Water" }], status: "open", results_visibility: "live", results: { n: 0, order: [1, 2], borda: {} } };
  store.reset({ seq: 5, me: { id: 3, role: "citizen" }, polls: [poll], my_poll_answers: { 4: { ranking: [2, 1] } } });
  assert.deepEqual(store.state.myPollAnswers.get(4), { ranking: [2, 1] });
  store.apply({ type: "poll.results", seq: 6, poll: 4, results: { n: 1, order: [2, 1], borda: { 2: 1 } } });
  assert.equal(store.state.polls.get(4).results.n, 1);
  store.apply({ type: "idea.hidden", seq: 7, idea: 8 });
  assert.equal(store.state.polls.get(4).options[0].label, "");
  store.apply({ type: "poll.closed", seq: 8, poll: { ...poll, options: store.state.polls.get(4).options, status: "closed", results: { n: 1, order: [2, 1], borda: { 2: 1 } } } });
  store.apply({ type: "poll.results", seq: 9, poll: 4, results: { n: 0, order: [1, 2], borda: {} } });
  assert.equal(store.state.polls.get(4).results.n, 1, "results after the close change nothing");
  store.dispatch({ type: "poll.answered", poll: 4, answer: { ranking: [1, 2] } });
  assert.deepEqual(store.state.myPollAnswers.get(4), { ranking: [1, 2] });
});

test("a facilitator keeps the results they have when poll.opened carries none", () => {
  const store = new Store();
  const poll = { id: 5, kind: "single", options: [], status: "open", results_visibility: "after_close", results: { n: 2, counts: {} } };
  store.reset({ seq: 1, me: { id: 1, role: "facilitator" }, polls: [poll] });
  store.apply({ type: "poll.opened", seq: 2, poll: { ...poll, results: null } });
  assert.equal(store.state.polls.get(5).results.n, 2);
  store.apply({ type: "idea.hidden", seq: 3, idea: 8 });
  store.state.polls.set(6, { ...poll, id: 6, options: [{ id: 7, label: "Shade", idea: 9 }] });
  store.apply({ type: "idea.hidden", seq: 4, idea: 9 });
  assert.equal(store.state.polls.get(6).options[0].label, "Shade", "a facilitator still reads a hidden idea");
  store.apply({ type: "idea.withdrawn", seq: 5, idea: 9 });
  assert.equal(store.state.polls.get(6).options[0].label, "", "a withdrawn idea's text goes to nobody");
});
