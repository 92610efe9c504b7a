// The pure logic of questions, hands and the floor (docs/protocol.md 3.4), shared by the
// participant page, the console and the moderation page, and tested under Node.
import { LARGE_WORKSHOP, isLarge, nameMatches } from "./people.js";

const ANSWERING = new Set(["official", "facilitator"]);
const MODERATING = new Set(["moderator", "facilitator"]);
const PUBLIC = new Set(["open", "answered"]);

/** Whether this person may answer questions (officials and facilitators). */
export function canAnswer(me) {
  return !!me && ANSWERING.has(me.role);
}

/** Whether this person may hide and approve questions (moderators and facilitators). */
export function canModerate(me) {
  return !!me && MODERATING.has(me.role);
}

/** Whether a question is public (it takes upvotes and answers). */
export function isPublic(question) {
  return PUBLIC.has(question?.status);
}

/** Questions most votes first, then oldest (lowest id) first, as the welcome lists them. */
export function sortQuestions(questions) {
  return [...questions].sort((a, b) => (b.votes || 0) - (a.votes || 0) || a.id - b.id);
}

/** The questions a page lists: hidden ones only on a moderating page, held ones for their author and moderators. */
export function questionsShown(state, { moderating = false } = {}) {
  const all = [...state.questions.values()];
  return sortQuestions(moderating ? all : all.filter((q) => q.status !== "hidden" || q.author?.id === state.me?.id));
}

/** Whether this participant's hand is up. */
export function handUp(state) {
  return !!state.me && state.hands.includes(state.me.id);
}

/** Where this participant is in the queue, from 1, or 0 when their hand is down. */
export function queuePosition(state) {
  return state.me ? state.hands.indexOf(state.me.id) + 1 : 0;
}

/** Whole seconds from an ISO moment to `now` (milliseconds), never below 0. */
export function secondsSince(iso, now = Date.now()) {
  const start = Date.parse(iso);
  return Number.isNaN(start) ? 0 : Math.max(0, Math.floor((now - start) / 1000));
}

/** A duration as m:ss, or h:mm:ss from an hour on. */
export function formatElapsed(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n) => String(n).padStart(2, "0");
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  return hours ? `${hours}:${pad(minutes)}:${pad(s % 60)}` : `${minutes}:${pad(s % 60)}`;
}

/** A citizen's contributions as one number: ideas (builds among them), reactions, poll answers and turns. */
export function contributionTotal(row) {
  return (row.ideas || 0) + (row.reactions || 0) + (row.answers || 0) + (row.turns || 0);
}

/**
 * What the console's contributions list shows. Rows are {participant, ideas, builds, reactions,
 * answers, turns}. A small workshop lists everyone, those with none first. A large one (more than `limit`
 * citizens) names nobody unasked, as the people card (people.js): it counts those with none, and
 * lists the citizens whose name (`nameOf`) matches `query`, those with none first, at most `limit`.
 */
export function contributionView(rows, { limit = LARGE_WORKSHOP, query = "", nameOf = () => "" } = {}) {
  const quietFirst = (list) => [...list.filter((r) => contributionTotal(r) === 0), ...list.filter((r) => contributionTotal(r) > 0)];
  const quiet = rows.filter((r) => contributionTotal(r) === 0).length;
  const large = isLarge(rows.length, limit);
  const candidates = large ? rows.filter((r) => nameMatches({ name: nameOf(r.participant) }, query)) : rows;
  const ordered = quietFirst(candidates);
  return { scope: large ? "found" : "everyone", total: rows.length, quiet, found: large ? ordered.length : null,
    listed: ordered.slice(0, limit), more: Math.max(0, ordered.length - limit) };
}
