// Agreement across groups in words: no number below the minimum of endorsements or reactions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MIN_RESPONSES, ideaBridgingWords, proposalBridging, proposalBridgingExplained } from "../static/frontend/js/bridging.js";

test("a proposal's score is shown from the minimum of endorsements on, with words", () => {
  assert.equal(MIN_RESPONSES, 5);
  assert.deepEqual(proposalBridging(0.25, { agree: 0 }), {
    score: "Agreement across groups: not enough endorsements yet", words: "Nobody has endorsed this proposal yet.", shown: false });
  const one = proposalBridging(0.33, { agree: 1 });
  assert.equal(one.score, "Agreement across groups: not enough endorsements yet");
  assert.equal(one.words, "1 of the 5 endorsements needed for a score.");
  assert.doesNotMatch(one.score + one.words, /33/);
  const five = proposalBridging(0.64, { agree: 4, pass: 1 });
  assert.equal(five.score, "Agreement across groups: 64 out of 100");
  assert.equal(five.words, "Broad support: people in the different groups mostly agree.");
  assert.equal(proposalBridging(0.2, { agree: 2, disagree: 4 }).words, "Little shared support: in at least one group most people do not agree.");
  assert.match(proposalBridgingExplained(), /every group.*from 5 endorsements on/);
});

test("an idea's score needs the minimum of reactions", () => {
  assert.equal(ideaBridgingWords(0.5, { agree: 1, disagree: 0, pass: 0 }), "not enough reactions yet (1 of 5)");
  assert.equal(ideaBridgingWords(0.7, { agree: 5, disagree: 0, pass: 0 }), "70 out of 100: broad agreement across groups");
  assert.equal(ideaBridgingWords(0.1, undefined), "not enough reactions yet (0 of 5)");
});
