// Agreement across groups (bridging, deliberation/synthesis.py) in words, and how it is counted.
// With few endorsements or reactions the score mostly shows the formula's starting point rather than
// people, so below MIN_RESPONSES it is not shown as a number.
import { gettext } from "./i18n.js";

export const MIN_RESPONSES = 5;

function total(counts) {
  return (counts?.agree || 0) + (counts?.disagree || 0) + (counts?.pass || 0);
}

/** A proposal's score in words: {score, words}; the score is "not enough endorsements yet" below the minimum. */
export function proposalBridging(bridging, endorsements) {
  const n = total(endorsements);
  if (n < MIN_RESPONSES) {
    return {
      score: gettext("Agreement across groups: not enough endorsements yet"),
      words: n === 0 ? gettext("Nobody has endorsed this proposal yet.")
        : gettext("%(count)s of the %(min)s endorsements needed for a score.", { count: n, min: MIN_RESPONSES }),
      shown: false,
    };
  }
  let words;
  if (bridging >= 0.6) words = gettext("Broad support: people in the different groups mostly agree.");
  else if (bridging >= 0.35) words = gettext("Mixed: support differs between groups.");
  else words = gettext("Little shared support: in at least one group most people do not agree.");
  return { score: gettext("Agreement across groups: %(score)s out of 100", { score: Math.round(bridging * 100) }), words, shown: true };
}

/** How a proposal's score is counted, for where it is shown. */
export function proposalBridgingExplained() {
  return gettext("How this is counted: the score is high only when people in every group of the workshop (the rooms of the last breakout) mostly agree, so no single group can carry it. It shows from %(min)s endorsements on.", { min: MIN_RESPONSES });
}

/** An idea's score (0..1) in words, given its reactions; "not enough reactions yet" below the minimum. */
export function ideaBridgingWords(score, reactions) {
  const n = total(reactions);
  if (n < MIN_RESPONSES) return gettext("not enough reactions yet (%(count)s of %(min)s)", { count: n, min: MIN_RESPONSES });
  let words;
  if (score >= 0.6) words = gettext("broad agreement across groups");
  else if (score >= 0.35) words = gettext("mixed support");
  else words = gettext("little shared support");
  return gettext("%(score)s out of 100: %(words)s", { score: Math.round(score * 100), words });
}

/** How the ideas' ranking is counted, for the synthesis panel. */
export function ideaBridgingExplained() {
  return gettext("Ranked by agreement across groups: an idea ranks high only when people in every group of the workshop (the rooms of the last breakout) mostly agree with it. A score shows from %(min)s reactions on.", { min: MIN_RESPONSES });
}
