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

test("French elides de and que before a vowel when the value is filled in, nowhere else", async () => {
  const { elide } = await import("../static/frontend/js/i18n.js");
  assert.equal(elide("le rôle de %(role)s", { role: "animateur" }, true), "le rôle d’%(role)s");
  assert.equal(elide("L’idée de %(name)s", { name: "Anna" }, true), "L’idée d’%(name)s");
  assert.equal(elide("Idée de %(name)s", { name: "Émile" }, true), "Idée d’%(name)s");
  assert.equal(elide("De %(name)s", { name: "Ines" }, true), "D’%(name)s");
  assert.equal(elide("l’idée de %(name)s", { name: "Bram" }, true), "l’idée de %(name)s");
  assert.equal(elide("de %(name)s", { name: "Hugo" }, true), "de %(name)s", "an h keeps de");
  assert.equal(elide("de %(count)s", { count: 11 }, true), "de %(count)s");
  assert.equal(elide("idée de %(name)s", { name: "Anna" }, false), "idée de %(name)s", "only in French");
  assert.equal(elide("Mode %(name)s", { name: "Anna" }, true), "Mode %(name)s", "only the word de");
  const catalog = { gettext: (id) => ({ "Idea by %(name)s": "Idée de %(name)s", "in the role of %(role)s": "dans le rôle de %(role)s" })[id] || id };
  const previous = globalThis.document;
  globalThis.document = { documentElement: { lang: "fr" } };
  try {
    withCatalog(catalog, () => {
      assert.equal(gettext("Idea by %(name)s", { name: "Anna" }), "Idée d’Anna");
      assert.equal(gettext("Idea by %(name)s", { name: "Bram" }), "Idée de Bram");
      assert.equal(gettext("in the role of %(role)s", { role: "animateur" }), "dans le rôle d’animateur");
    });
  } finally {
    globalThis.document = previous;
  }
});

test("a mute in the moderation log is worded in the page's language, also in rows from before", async () => {
  const { muteWords } = await import("../static/frontend/js/moderation-text.js");
  const catalog = {
    gettext: (id) => ({ muted: "dempte", "lifted the mute of": "hief de demping op van" })[id] || id,
    ngettext: (one, many, n) => (n === 1 ? "%(count)s minuut" : "%(count)s minuten"),
  };
  withCatalog(catalog, () => {
    assert.deepEqual(muteWords({ minutes: 10, reason: "" }), { action: "dempte", reason: "10 minuten" });
    assert.deepEqual(muteWords({ minutes: 1, reason: "spam" }), { action: "dempte", reason: "1 minuut · spam" });
    assert.deepEqual(muteWords({ minutes: null, reason: "10 minutes" }), { action: "dempte", reason: "10 minuten" });
    assert.deepEqual(muteWords({ minutes: 0, reason: "" }), { action: "hief de demping op van", reason: "" });
  });
});

test("a board of a room is named in the page's language (the proposals panel's list of boards)", async () => {
  const { boardTitle } = await import("../static/frontend/js/rooms.js");
  const state = { rooms: new Map([[3, { id: 3, name: "Room 1", breakout: 7 }]]), workshop: { breakout: { id: 7, status: "open" } } };
  withCatalog({ gettext: (id) => ({ "Room %(n)s": "Groep %(n)s", Plenary: "Plenaire" })[id] || id }, () => {
    assert.equal(boardTitle(state, { id: 9, room: 3, title: "Room 1" }), "Groep 1");
    assert.equal(boardTitle(state, { id: 1, room: null, title: "Plenary" }), "Plenaire");
  });
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
