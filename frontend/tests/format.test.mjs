// Translation and formatting without a browser: the page's language comes from a stand-in
// `document` with only <html lang>; Django's catalog functions are absent or faked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { gettext, ngettext } from "../static/frontend/js/i18n.js";
import { clockTime, clockTimeOf, formatDuration, formatList, pageLang } from "../static/frontend/js/format.js";
import { formatCount, formatGini, formatHours, formatMean, formatMoment, formatShare, responseLabel } from "../static/frontend/js/report-format.js";
import { describeError } from "../static/frontend/js/errors.js";
import { connLabel, roleLabel, statusLabel } from "../static/frontend/js/labels.js";
import { Conn } from "../static/frontend/js/client.js";

globalThis.document = { documentElement: { lang: "en-GB" } };

/** Run `fn` with Django's catalog functions set, then take them away again. */
function withCatalog(catalog, fn) {
  Object.assign(globalThis, catalog);
  try {
    return fn();
  } finally {
    for (const name of Object.keys(catalog)) delete globalThis[name];
  }
}

test("gettext without a catalog fills %(name)s placeholders itself", () => {
  assert.equal(gettext("Hello"), "Hello");
  assert.equal(gettext("Step %(n)s of %(total)s", { n: 2, total: 5 }), "Step 2 of 5");
  assert.equal(gettext("Hi %(missing)s!", {}), "Hi !");
});

test("gettext and ngettext use Django's catalog and interpolate when the page has them", () => {
  const catalog = {
    gettext: (id) => ({ "Hello %(name)s": "Hallo %(name)s" })[id] || id,
    ngettext: (one, many, n) => (n === 1 ? `NL ${one}` : `NL ${many}`),
    interpolate: (text, params, named) => (named ? text.replace(/%\((\w+)\)s/g, (_, k) => `<${params[k]}>`) : text),
  };
  withCatalog(catalog, () => {
    assert.equal(gettext("Hello %(name)s", { name: "Ann" }), "Hallo <Ann>");
    assert.equal(gettext("Hello %(name)s"), "Hallo %(name)s", "without params nothing is filled");
    assert.equal(ngettext("%(count)s idea", "%(count)s ideas", 1), "NL <1> idea");
    assert.equal(ngettext("%(count)s idea", "%(count)s ideas", 3), "NL <3> ideas");
  });
});

test("ngettext without a catalog picks singular for one and fills count", () => {
  assert.equal(ngettext("%(count)s idea", "%(count)s ideas", 1), "1 idea");
  assert.equal(ngettext("%(count)s idea", "%(count)s ideas", 0), "0 ideas");
  assert.equal(ngettext("%(count)s hour", "%(count)s hours", 2, { count: "2,0" }), "2,0 hours", "params override count");
});

test("durations count down in mm:ss and h:mm:ss, never below zero", () => {
  assert.equal(formatDuration(0), "00:00");
  assert.equal(formatDuration(-5), "00:00");
  assert.equal(formatDuration(59.2), "01:00");
  assert.equal(formatDuration(125), "02:05");
  assert.equal(formatDuration(3725), "1:02:05");
});

test("clock times and lists follow the page's language", () => {
  assert.equal(pageLang(), "en-GB");
  const local = new Date(2024, 0, 15, 14, 5);
  assert.equal(clockTime(local), "14:05");
  assert.equal(clockTimeOf(local.toISOString()), "14:05");
  assert.equal(clockTimeOf(""), "");
  assert.equal(clockTimeOf("not a date"), "");
  assert.equal(formatList(["Ann", "Bo", "Cy"]), "Ann, Bo and Cy");
  globalThis.document.documentElement.lang = "nl";
  try {
    assert.equal(formatList(["Ann", "Bo"]), "Ann en Bo");
  } finally {
    globalThis.document.documentElement.lang = "en-GB";
  }
});

test("report numbers: counts, shares, means and missing values", () => {
  assert.equal(formatCount(12345), "12,345");
  assert.equal(formatCount(null), "–");
  assert.equal(formatShare(0.425), "43%");
  assert.equal(formatShare(undefined), "–");
  assert.equal(formatMean(7), "7.0");
  assert.equal(formatMean(6.66), "6.7");
});

test("report durations in words: minutes, hours with a decimal, days from two days on", () => {
  assert.equal(formatHours(null), null);
  assert.equal(formatHours(0.001), "under a minute");
  assert.equal(formatHours(0.5), "30 minutes");
  assert.equal(formatHours(1), "1 hour");
  assert.equal(formatHours(1.26), "1.3 hours");
  assert.equal(formatHours(72), "3 days");
  assert.equal(formatMoment(""), "");
  assert.equal(formatMoment("garbage"), "garbage");
  assert.match(formatMoment(new Date(2024, 0, 15, 14, 5).toISOString()), /15 Jan 2024.*14:05/);
  assert.equal(responseLabel("accepted"), "Accepted");
  assert.equal(responseLabel("other"), "other");
});

test("labels for statuses, connections and roles", () => {
  assert.equal(statusLabel("live"), "Live");
  assert.equal(statusLabel("draft"), "Not started yet");
  assert.equal(statusLabel("weird"), "weird");
  assert.equal(statusLabel(undefined), "");
  assert.equal(connLabel(Conn.RECONNECTING), "Reconnecting…");
  assert.equal(roleLabel("moderator"), "moderator");
  assert.equal(roleLabel("citizen"), "");
});

test("errors read as one sentence: fallbacks, field details, rate limits and mutes", () => {
  assert.equal(describeError({ code: "ended" }), "The workshop has ended.");
  assert.equal(describeError({ code: "forbidden", message: "forbidden" }), "You are not allowed to do that right now.");
  assert.equal(describeError({ code: "nope" }), "Something went wrong. Please try again.");
  assert.equal(describeError({ code: "invalid", message: "Check it.", fields: { text: ["Too long.", "Really."] } }),
    "Check it. (text: Too long. Really.)");
  assert.equal(describeError({ code: "rate_limited", message: "Slow down.", retryAfter: 2.2 }), "Slow down. Try again in 3 seconds.");
  assert.equal(describeError({ code: "muted" }), "A moderator has paused your contributions for a while.");
  const until = clockTime(new Date(Date.now() + 600_000));
  assert.equal(describeError({ code: "muted", message: "raw 2030-01-01", retryAfter: 600 }),
    `A moderator has paused your contributions until ${until}.`);
});

test("a Gini coefficient has two decimals in the page's language", () => {
  assert.equal(formatGini(0.4583), "0.46");
  assert.equal(formatGini(0), "0.00");
  assert.equal(formatGini(null), "–");
  globalThis.document = { documentElement: { lang: "nl" } };
  try {
    assert.equal(formatGini(0.25), "0,25");
  } finally {
    globalThis.document = { documentElement: { lang: "en-GB" } };
  }
});
