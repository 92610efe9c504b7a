// The workshop's settings as a person types them (the front page's create form and the console's
// edit form): agenda steps, board columns and profile questions, each in a plain text field.
import { gettext } from "./i18n.js";

const MAX_COLUMNS = 10;
const MAX_COLUMN_CHARS = 80; // an idea's column (deliberation Idea.column)
const MAX_QUESTIONS = 10;
const MAX_OPTIONS = 20;

/** Parse agenda lines "title, minutes" into [{title, minutes}] or throw with the bad line. */
export function parseAgenda(text) {
  const items = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const match = line.match(/^(.*\S)\s*,\s*(\d{1,4})\s*(?:min(?:utes?)?)?\.?$/i);
    if (!match) {
      throw new Error(gettext("Line %(n)s: write each step as “title, minutes”, for example “Welcome, 10”.", { n: index + 1 }));
    }
    items.push({ title: match[1].trim(), minutes: Number(match[2]) });
  });
  return items;
}

/** The agenda as the text parseAgenda reads. */
export function formatAgenda(agenda) {
  return (agenda || []).map((item) => `${item.title}, ${item.minutes}`).join("\n");
}

/** Board columns, one per line or separated by commas; throw when one is too long, twice there or too many. */
export function parseColumns(text) {
  const columns = text.split(/[\n,]/).map((c) => c.trim()).filter(Boolean);
  const seen = new Set();
  for (const column of columns) {
    if (column.length > MAX_COLUMN_CHARS) {
      throw new Error(gettext("“%(name)s” is too long: a column name has at most %(max)s characters.", { name: column.slice(0, 20) + "…", max: MAX_COLUMN_CHARS }));
    }
    const key = column.toLocaleLowerCase();
    if (seen.has(key)) throw new Error(gettext("“%(name)s” is there twice: give each column once.", { name: column }));
    seen.add(key);
  }
  if (columns.length > MAX_COLUMNS) throw new Error(gettext("At most %(max)s columns.", { max: MAX_COLUMNS }));
  return columns;
}

/** The columns as the text parseColumns reads. */
export function formatColumns(columns) {
  return (columns || []).join("\n");
}

/** A question key from its label: lower-case letters, digits and _ (what the server takes). */
function keyOf(label) {
  return label.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 40);
}

/**
 * Profile questions, one per line as “question: option, option, …”, into [{key, label, options}];
 * throw with the bad line. A question kept from `previous` (same label) keeps its key, so the
 * reference shares given for it stay.
 */
export function parseQuestions(text, previous = []) {
  const questions = [];
  const keys = new Set();
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const at = line.lastIndexOf(":");
    const label = at > 0 ? line.slice(0, at).trim() : "";
    const options = at > 0 ? line.slice(at + 1).split(",").map((o) => o.trim()).filter(Boolean) : [];
    if (!label || options.length < 2) {
      throw new Error(gettext("Line %(n)s: write each question as “question: option, option”, with at least two options.", { n: index + 1 }));
    }
    if (options.length > MAX_OPTIONS) throw new Error(gettext("Line %(n)s: at most %(max)s options.", { n: index + 1, max: MAX_OPTIONS }));
    if (new Set(options).size !== options.length) throw new Error(gettext("Line %(n)s: each option once.", { n: index + 1 }));
    const kept = previous.find((q) => q.label === label);
    let key = kept?.key || keyOf(label) || `q${questions.length + 1}`;
    for (let i = 2; keys.has(key); i += 1) key = `${key.slice(0, 36)}_${i}`;
    keys.add(key);
    questions.push({ key, label, options });
  });
  if (questions.length > MAX_QUESTIONS) throw new Error(gettext("At most %(max)s questions.", { max: MAX_QUESTIONS }));
  return questions;
}

/** The questions as the text parseQuestions reads. */
export function formatQuestions(questions) {
  return (questions || []).map((q) => `${q.label}: ${q.options.join(", ")}`).join("\n");
}

/** The form field a server's field error is about: "columns.0" is the columns field. */
export function fieldOf(name) {
  return String(name).split(".")[0];
}
