// Translation helpers over Django's JavaScript catalog (loaded by the page as a classic script).

// French elides "de" and "que" (and "jusque", "lorsque", "puisque") before a vowel: "d’Anna",
// "d’animateur". A catalogue cannot know the value it will be given, so the elision is made when a
// value is filled in. An "h" is left alone: an aspirated h ("de Hollande") keeps "de".
const ELIDABLE = /\b(de|que|jusque|lorsque|puisque) %\((\w+)\)s/gi;
const VOWEL = /^[aeiouyàâäéèêëîïôöûüùœæ]/i;

function pageIsFrench() {
  return /^fr\b/i.test(globalThis.document?.documentElement?.lang || "");
}

/** In French, "de %(name)s" becomes "d’%(name)s" when that name starts with a vowel. */
export function elide(template, params, french = pageIsFrench()) {
  if (!french || !params) return template;
  return template.replace(ELIDABLE, (whole, word, key) => {
    const value = String(params[key] ?? "").trimStart();
    return VOWEL.test(value) ? `${word.slice(0, -1)}’%(${key})s` : whole;
  });
}

function fill(text, params) {
  const interpolate = globalThis.interpolate;
  if (typeof interpolate === "function") return interpolate(text, params, true);
  return text.replace(/%\((\w+)\)s/g, (_, key) => String(params[key] ?? ""));
}

/** Translate `msgid` and fill in %(name)s placeholders from `params`. */
export function gettext(msgid, params) {
  const g = globalThis.gettext;
  const translated = typeof g === "function" ? g(msgid) : msgid;
  if (!params) return translated;
  return fill(elide(translated, params), params);
}

/** Translate with a plural form chosen by `count`. */
export function ngettext(singular, plural, count, params) {
  const ng = globalThis.ngettext;
  const chosen = typeof ng === "function" ? ng(singular, plural, count) : count === 1 ? singular : plural;
  const values = { count, ...(params || {}) };
  return fill(elide(chosen, values), values);
}
