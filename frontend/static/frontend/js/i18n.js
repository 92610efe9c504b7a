// Translation helpers over Django's JavaScript catalog (loaded by the page as a classic script).

/** Translate `msgid` and fill in %(name)s placeholders from `params`. */
export function gettext(msgid, params) {
  const g = globalThis.gettext;
  const translated = typeof g === "function" ? g(msgid) : msgid;
  if (!params) return translated;
  const fill = globalThis.interpolate;
  if (typeof fill === "function") return fill(translated, params, true);
  return translated.replace(/%\((\w+)\)s/g, (_, key) => String(params[key] ?? ""));
}

/** Translate with a plural form chosen by `count`. */
export function ngettext(singular, plural, count, params) {
  const ng = globalThis.ngettext;
  const chosen = typeof ng === "function" ? ng(singular, plural, count) : count === 1 ? singular : plural;
  const values = { count, ...(params || {}) };
  const fill = globalThis.interpolate;
  if (typeof fill === "function") return fill(chosen, values, true);
  return chosen.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
}
