// The one HTTP client with a fake fetch: JSON in and out, CSRF, and errors as ApiError.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { api, ApiError, request, resetCsrf } from "../static/frontend/js/api.js";

let calls;
/** Answer fetches from a list of [status, body text, headers] in order, recording each request. */
function serve(...answers) {
  calls = [];
  globalThis.fetch = async (path, init) => {
    calls.push({ path, ...init });
    const next = answers.shift();
    if (next instanceof Error) throw next;
    const [status, text = "", headers = {}] = next;
    return { ok: status >= 200 && status < 300, status, text: async () => text, headers: { get: (name) => headers[name] ?? null } };
  };
}

beforeEach(() => {
  resetCsrf();
  globalThis.document = { cookie: "" };
});

test("a GET decodes the JSON body; an empty body is an empty object", async () => {
  serve([200, '{"user": {"username": "ann"}}'], [200, ""]);
  assert.deepEqual(await api.session(), { user: { username: "ann" } });
  assert.deepEqual(await api.workshops(), {});
  assert.equal(calls[0].path, "/api/session");
  assert.equal(calls[0].method, "GET");
  assert.equal(calls[0].body, undefined);
});

test("a POST fetches a CSRF token first and sends it with a JSON body; the cookie wins over the cached token", async () => {
  serve([200, '{"csrf": "tok1"}'], [201, '{"id": 3}'], [200, "{}"]);
  assert.deepEqual(await api.join("ab/c", "Ann"), { id: 3 });
  assert.equal(calls[0].path, "/api/csrf");
  assert.equal(calls[1].path, "/api/workshops/ab%2Fc/join");
  assert.equal(calls[1].headers["X-CSRFToken"], "tok1");
  assert.equal(calls[1].body, '{"name":"Ann"}');
  globalThis.document.cookie = "other=1; csrftoken=fromcookie";
  await api.logout();
  assert.equal(calls.length, 3, "the token is cached");
  assert.equal(calls[2].headers["X-CSRFToken"], "fromcookie");
});

test("Django's HTML CSRF failure refreshes the token and tries once more", async () => {
  serve([200, '{"csrf": "old"}'], [403, "<html>CSRF</html>"], [200, '{"csrf": "new"}'], [200, '{"ok": true}']);
  assert.deepEqual(await request("POST", "/api/x", {}), { ok: true });
  assert.deepEqual(calls.map((c) => c.path), ["/api/csrf", "/api/x", "/api/csrf", "/api/x"]);
  assert.equal(calls[3].headers["X-CSRFToken"], "new");
});

test("an error body becomes an ApiError with code, fields and Retry-After", async () => {
  serve([429, '{"error": "rate_limited", "message": "Slow.", "fields": {"name": ["x"]}}', { "Retry-After": "7" }]);
  await assert.rejects(api.workshop("abc"), (err) => err instanceof ApiError && err.status === 429
    && err.code === "rate_limited" && err.message === "Slow." && err.fields.name[0] === "x" && err.retryAfter === 7);
  serve([404, "not json"]);
  await assert.rejects(api.outcomes("abc"), (err) => err.code === "http_404" && err.message === "Something went wrong (HTTP 404).");
});

test("a request that never reaches the server is a network ApiError with status 0", async () => {
  serve(new TypeError("Failed to fetch"), new TypeError("Failed to fetch"));
  await assert.rejects(api.report("abc"), (err) => err.status === 0 && err.code === "network");
  await assert.rejects(api.chart("abc", "rungs"), (err) => err.status === 0 && err.code === "network");
});

test("report URLs and the chart's SVG text", async () => {
  assert.equal(api.reportCsvUrl("a b"), "/api/workshops/a%20b/report?format=csv");
  assert.equal(api.exportUrl("abc", "json"), "/api/workshops/abc/export?format=json");
  serve([200, "<svg/>"], [500, ""]);
  assert.equal(await api.chart("abc", "rungs"), "<svg/>");
  assert.equal(calls[0].path, "/api/workshops/abc/report/charts/rungs.svg");
  await assert.rejects(api.chart("abc", "rungs"), (err) => err.status === 500);
});
