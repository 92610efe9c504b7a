// The texts of the participant page's "follow" section and the console's mail panel, without a
// browser: a refused address or rate limit in the reader's words, a refused mail without an address.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiError } from "../static/frontend/js/api.js";
import { contactErrorText } from "../static/frontend/js/follow.js";
import { failureText } from "../static/frontend/js/mail-panel.js";

globalThis.document = { documentElement: { lang: "en-GB" } };

test("a refused address and too many confirmation mails get their own sentences", () => {
  const invalid = new ApiError(400, { error: "invalid", message: "Invalid.", fields: { email: "Not a valid e-mail address." } });
  assert.equal(contactErrorText(invalid), "This is not a valid e-mail address. Check it and try again.");
  const limited = new ApiError(429, { error: "rate_limited", message: "Too many", retry_after: 1500 });
  assert.equal(contactErrorText(limited), "Too many confirmation mails for now. Try again in 25 minutes.");
  const soon = new ApiError(429, { error: "rate_limited", message: "Too many", retry_after: 20 });
  assert.equal(contactErrorText(soon), "Too many confirmation mails for now. Try again in 1 minute.");
  const other = new ApiError(403, { error: "forbidden", message: "Only participants." });
  assert.equal(contactErrorText(other), "Only participants.");
});

test("a refused mail names the participant, the kind of mail and the attempts, or a former participant", () => {
  const failure = { participant: { id: 3, name: "Bo" }, kind: "notify", error: "550 No such mailbox",
    attempts: 2, created_at: "2026-03-14T14:05:00Z" };
  assert.match(failureText(failure), /^Bo: news of their ideas, refused on 14 Mar.* after 2 attempts\.$/);
  assert.match(failureText({ ...failure, participant: { id: 3, name: "" }, kind: "confirm", attempts: 1 }),
    /^a former participant: confirmation of their address, refused on .* after 1 attempt\.$/);
});
