// Human text for moderation: flag reasons, why an idea is held or hidden, appeal outcomes.
import { gettext, ngettext } from "./i18n.js";

/** The reasons a participant can give for a flag, in the order they are offered. */
export const FLAG_REASONS = [
  ["spam", () => gettext("Spam or advertising")],
  ["abuse", () => gettext("Abusive or hateful")],
  ["personal_info", () => gettext("Personal information")],
  ["off_topic", () => gettext("Off topic")],
  ["other", () => gettext("Something else")],
];

export function flagReasonLabel(reason) {
  const found = FLAG_REASONS.find(([value]) => value === reason);
  return found ? found[1]() : reason || "";
}

/** Screening's fixed reasons (docs/moderation.md) and pre-moderation. */
const HELD_REASONS = {
  "e-mail address": () => gettext("e-mail address"),
  "phone number": () => gettext("phone number"),
  IBAN: () => gettext("bank account number (IBAN)"),
  "profanity (nl)": () => gettext("possibly offensive words (Dutch)"),
  "profanity (en)": () => gettext("possibly offensive words (English)"),
  "profanity (fr)": () => gettext("possibly offensive words (French)"),
  "profanity (de)": () => gettext("possibly offensive words (German)"),
  "pre-moderation": () => gettext("pre-moderation"),
};

/** The parts of a `held_reason` ("phone number, profanity (nl)"), each in words. */
export function heldReasonLabels(heldReason) {
  return String(heldReason || "").split(",").map((part) => part.trim()).filter(Boolean)
    .map((part) => (HELD_REASONS[part] || (() => part))());
}

/** What the author of a held idea reads about why it waits. */
export function heldReasonForAuthor(heldReason) {
  const parts = String(heldReason || "").split(",").map((part) => part.trim()).filter(Boolean);
  const found = parts.filter((part) => part !== "pre-moderation");
  if (found.length) {
    return gettext("It seems to contain: %(reasons)s. A moderator checks it before others can see it.",
      { reasons: heldReasonLabels(found.join(",")).join(", ") });
  }
  if (parts.length) return gettext("In this workshop a moderator checks every idea before others can see it.");
  return "";
}

/** What a moderator reads on a held idea. */
export function heldReasonForModerator(heldReason) {
  const labels = heldReasonLabels(heldReason);
  return labels.length ? gettext("Held for: %(reasons)s", { reasons: labels.join(", ") }) : "";
}

/** The reason an idea was hidden, in words ("flagged" is the flag threshold). */
export function hiddenReasonText(reason) {
  if (reason === "flagged") return gettext("Several participants flagged it; a moderator will review it.");
  return reason ? gettext("Reason: %(reason)s", { reason }) : "";
}

/** What the author of a hidden idea reads about their appeal. */
export function appealStatusText(appeal) {
  if (!appeal) return "";
  if (appeal.status === "open") return gettext("You appealed. A moderator will decide.");
  if (appeal.status === "granted") return gettext("Your appeal was granted.");
  if (appeal.status === "denied") {
    return appeal.note
      ? gettext("Your appeal was turned down: %(note)s", { note: appeal.note })
      : gettext("Your appeal was turned down.");
  }
  return "";
}

/**
 * A mute in the moderation log, worded in the page's language: {action, duration}. The server gives
 * the length as `minutes` (0 lifts a mute); rows from before that field say "<n> minutes" as reason.
 */
export function muteWords(entry) {
  let minutes = entry.minutes ?? null;
  let reason = entry.reason || "";
  const legacy = /^(\d+) minutes$/.exec(reason);
  if (minutes === null && legacy) {
    minutes = Number(legacy[1]);
    reason = "";
  }
  if (minutes === 0) return { action: gettext("lifted the mute of"), reason };
  const duration = minutes === null ? "" : ngettext("%(count)s minute", "%(count)s minutes", minutes);
  return { action: gettext("muted"), reason: [duration, reason].filter(Boolean).join(" · ") };
}
