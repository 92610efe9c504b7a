// What the page's polite live region says: news that comes in a burst is counted and summed up in
// one message ("3 new ideas from Bram and Anna."), and messages come at most every few seconds, so
// a screen reader is never flooded. Pure (no DOM): `say` is handed in; Node tests it.
import { gettext, ngettext } from "./i18n.js";
import { formatList } from "./format.js";

/** Names in the order they first came, at most three named and the rest counted. */
export function namesText(names) {
  const distinct = [...new Set(names)];
  if (distinct.length <= 3) return formatList(distinct);
  const rest = distinct.length - 3;
  return ngettext("%(names)s and %(count)s other", "%(names)s and %(count)s others", rest, { names: distinct.slice(0, 3).join(", ") });
}

/**
 * One message for queued news. Entries are {kind: "idea", name} (a new idea), {kind: "reply",
 * name} (an idea building on another) or {kind: "text", text} (anything else). Ideas and replies
 * are counted per kind, where the kind first came; a text said twice is said once; after three
 * texts the rest are counted.
 */
export function summarise(entries) {
  const groups = new Map(); // "idea" | "reply" | "text:<text>" -> names (ideas, replies) or null
  for (const entry of entries) {
    const key = entry.kind === "text" ? `text:${entry.text}` : entry.kind;
    if (!groups.has(key)) groups.set(key, entry.kind === "text" ? null : []);
    if (entry.kind !== "text") groups.get(key).push(entry.name || gettext("someone"));
  }
  const parts = [];
  let texts = 0;
  for (const [key, names] of groups) {
    if (key === "idea") {
      parts.push(names.length === 1 ? gettext("New idea from %(name)s.", { name: names[0] })
        : ngettext("%(count)s new idea from %(names)s.", "%(count)s new ideas from %(names)s.", names.length, { names: namesText(names) }));
    } else if (key === "reply") {
      parts.push(names.length === 1 ? gettext("%(name)s built on an idea.", { name: names[0] })
        : ngettext("%(count)s idea built on others, from %(names)s.", "%(count)s ideas built on others, from %(names)s.",
          names.length, { names: namesText(names) }));
    } else {
      texts += 1;
      if (texts <= 3) parts.push(key.slice("text:".length));
    }
  }
  if (texts > 3) parts.push(`(+${texts - 3})`);
  return parts.join(" ");
}

/**
 * Collects news and says it through `say(message)`: a burst is gathered for `delay` ms, and two
 * messages are at least `gap` ms apart; what comes in between waits and is summed up with the rest.
 */
export class AnnounceQueue {
  constructor(say, { delay = 400, gap = 2500, now = () => Date.now() } = {}) {
    this.say = say;
    this.delay = delay;
    this.gap = gap;
    this.now = now;
    this.entries = [];
    this.timer = null;
    this.lastSaid = -Infinity;
  }

  push(entry) {
    this.entries.push(entry);
    if (this.timer) return;
    const wait = Math.max(this.delay, this.lastSaid + this.gap - this.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  flush() {
    this.timer = null;
    const entries = this.entries;
    this.entries = [];
    if (!entries.length) return;
    this.lastSaid = this.now();
    this.say(summarise(entries));
  }
}
