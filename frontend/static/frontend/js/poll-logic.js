// What poll cards work out without a page: ranking moves, points left, answers from form values,
// and results as rows for a chart and its table (protocol 3.4). No DOM here: Node tests run it.
import { gettext, ngettext } from "./i18n.js";

export const WITH_OPTIONS = new Set(["single", "multiple", "ranking", "points"]);
export const MAX_WORDS = 3;
export const MAX_WORD_CHARS = 30;

/** The option ids in a new order: the one at `index` moved by `delta` places (a move past an end changes nothing). */
export function moveRanking(order, index, delta) {
  const target = index + delta;
  if (index < 0 || index >= order.length || target < 0 || target >= order.length) return order.slice();
  const next = order.slice();
  const [item] = next.splice(index, 1);
  next.splice(target, 0, item);
  return next;
}

/** The starting order of a ranking card: the earlier answer if it ranks exactly these options, else option order. */
export function initialRanking(poll, answer) {
  const ids = poll.options.map((o) => o.id);
  const earlier = answer?.ranking;
  if (Array.isArray(earlier) && earlier.length === ids.length && ids.every((id) => earlier.includes(id))) return earlier.slice();
  return ids;
}

/** Whole points given so far from the form's raw values (blank is 0), and what is left of `total`. */
export function pointsLeft(total, values) {
  let used = 0;
  for (const raw of values) {
    const text = String(raw ?? "").trim();
    if (text === "") continue;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) return { used: null, left: null, valid: false };
    used += n;
  }
  return { used, left: total - used, valid: used <= total };
}

/** The text of the live "points left" counter. */
export function pointsLeftText(total, values) {
  const { left, valid } = pointsLeft(total, values);
  if (left === null) return gettext("Use whole numbers of 0 or more.");
  if (!valid) return ngettext("%(count)s point too many.", "%(count)s points too many.", -left);
  return ngettext("%(count)s point left of %(total)s.", "%(count)s points left of %(total)s.", left, { total });
}

/**
 * The command's answer field from what the form holds: {choice} | {choices} | {value} | {ranking} |
 * {points} | {words}, or {error} with a message for the person (the server checks again).
 */
export function answerFrom(poll, form) {
  switch (poll.kind) {
    case "single":
      return form.choice == null ? { error: gettext("Choose an option.") } : { choice: Number(form.choice) };
    case "multiple": {
      const choices = (form.choices || []).map(Number);
      if (!choices.length) return { error: gettext("Choose one or more options.") };
      if (poll.max_choices && choices.length > poll.max_choices) {
        return { error: ngettext("Choose at most %(count)s option.", "Choose at most %(count)s options.", poll.max_choices) };
      }
      return { choices };
    }
    case "scale":
      return { value: Number(form.value) };
    case "ranking":
      return { ranking: form.ranking.map(Number) };
    case "points": {
      const { valid, left } = pointsLeft(poll.points, Object.values(form.points || {}));
      if (left === null) return { error: gettext("Use whole numbers of 0 or more.") };
      if (!valid) return { error: gettext("You gave more than %(total)s points.", { total: poll.points }) };
      const points = {};
      for (const [id, raw] of Object.entries(form.points || {})) {
        const n = String(raw ?? "").trim() === "" ? 0 : Number(raw);
        if (n) points[id] = n;
      }
      return { points };
    }
    case "words": {
      const words = (form.words || []).map((w) => String(w).trim()).filter(Boolean);
      if (!words.length) return { error: gettext("Give at least one word.") };
      if (words.length > MAX_WORDS) return { error: gettext("Give at most three words.") };
      if (words.some((w) => w.length > MAX_WORD_CHARS)) return { error: gettext("A word can be up to 30 characters.") };
      return { words };
    }
    default:
      return { error: gettext("This poll cannot be answered here.") };
  }
}

/** An option's label for people: an option whose idea was hidden since has no text left. */
export function optionLabel(option) {
  return option.label || gettext("(an idea that was hidden)");
}

/**
 * RESULTS as rows [{label, value}] in the order to show them, a caption of what the numbers are,
 * and a one-line summary (for the table and a screen reader). Options with nothing count 0.
 */
export function resultRows(poll, results = poll.results) {
  if (!results) return null;
  const label = new Map(poll.options.map((o) => [o.id, optionLabel(o)]));
  const num = (map, id) => Number((map || {})[String(id)] || 0);
  switch (poll.kind) {
    case "single":
    case "multiple":
      return { measure: gettext("Answers"), rows: poll.options.map((o) => ({ label: label.get(o.id), value: num(results.counts, o.id) })) };
    case "points":
      return { measure: gettext("Points"), rows: poll.options.map((o) => ({ label: label.get(o.id), value: num(results.totals, o.id) })) };
    case "ranking":
      return {
        measure: gettext("Borda points"),
        rows: (results.order || poll.options.map((o) => o.id)).map((id, i) => ({
          label: gettext("%(place)s. %(label)s", { place: i + 1, label: label.get(id) ?? `#${id}` }), value: num(results.borda, id) })),
      };
    case "scale": {
      const rows = [];
      for (let v = poll.scale.min; v <= poll.scale.max; v += 1) rows.push({ label: String(v), value: num(results.histogram, v) });
      return { measure: gettext("Answers"), rows };
    }
    case "words":
      return { measure: gettext("Times given"), rows: (results.words || []).map((w) => ({ label: w.word, value: w.count })) };
    default:
      return { measure: "", rows: [] };
  }
}

/** A number as people of the page's language write it (one decimal at most). */
export function formatNumber(value) {
  if (value === null || value === undefined) return "–";
  const lang = globalThis.document?.documentElement?.lang || "en";
  return new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(value);
}

/** One line on top of the results: how many answered, and for a scale its mean and median. */
export function resultSummary(poll, results = poll.results) {
  if (!results) return "";
  const answered = ngettext("%(count)s person answered.", "%(count)s people answered.", results.n);
  if (poll.kind === "scale" && results.n) {
    return `${answered} ${gettext("Mean %(mean)s, median %(median)s.", { mean: formatNumber(results.mean), median: formatNumber(results.median) })}`;
  }
  if (poll.kind === "ranking" && results.n) {
    return `${answered} ${gettext("The order is by the Schulze method; Borda points are beside it.")}`;
  }
  return answered;
}

/** The kind of a poll, for people. */
export function kindLabel(kind) {
  return {
    single: () => gettext("One choice"),
    multiple: () => gettext("Several choices"),
    scale: () => gettext("Scale"),
    ranking: () => gettext("Ranking"),
    points: () => gettext("Points to spread"),
    words: () => gettext("Words"),
  }[kind]?.() ?? kind;
}

/** The poll.open fields from the console's form values, or {error, field} for the first thing wrong. */
export function pollFields(form) {
  const question = String(form.question || "").trim();
  if (!question) return { error: gettext("Write the question."), field: "question" };
  const fields = { question, kind: form.kind, results: form.results || "live", anonymous: !!form.anonymous };
  if (WITH_OPTIONS.has(form.kind)) {
    if (form.source === "ideas") {
      const ideas = (form.ideas || []).map(Number);
      if (ideas.length < 2 || ideas.length > 20) return { error: gettext("Select 2 to 20 ideas."), field: "ideas" };
      fields.ideas = ideas;
    } else {
      const options = String(form.options || "").split("\n").map((line) => line.trim()).filter(Boolean);
      if (options.length < 2 || options.length > 20) return { error: gettext("Write 2 to 20 options, one per line."), field: "options" };
      fields.options = options;
    }
  }
  const whole = (raw) => (String(raw ?? "").trim() === "" ? null : Number(raw));
  if (form.kind === "multiple" && whole(form.max_choices) !== null) fields.max_choices = whole(form.max_choices);
  if (form.kind === "scale") {
    const min = whole(form.scale_min) ?? 0;
    const max = whole(form.scale_max) ?? 10;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min >= max) return { error: gettext("The lowest value must be below the highest."), field: "scale" };
    fields.scale = { min, max };
  }
  if (form.kind === "points" && whole(form.points) !== null) fields.points = whole(form.points);
  if (whole(form.duration_min) !== null) {
    const minutes = whole(form.duration_min);
    if (!(minutes > 0)) return { error: gettext("The duration is a number of minutes."), field: "duration" };
    fields.duration_s = Math.round(minutes * 60);
  }
  return { fields };
}
