// The shared status helper: one message per slot, successes fade, errors stay.
import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { STATUS_FADE_MS, STATUS_STAYS_MS, showStatus } from "../static/frontend/js/dom.js";

/** A stand-in for a <p class="form-status">: only what showStatus touches. */
const slot = () => ({ dataset: {}, textContent: "" });

test("a success replaces what was there, fades, then leaves the slot empty", () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const el = slot();
    showStatus(el, "Sending…");
    showStatus(el, "Link copied.", "ok");
    assert.equal(el.textContent, "Link copied.");
    assert.equal(el.dataset.kind, "ok");
    mock.timers.tick(STATUS_STAYS_MS - 1);
    assert.equal(el.dataset.fading, undefined);
    mock.timers.tick(1);
    assert.equal(el.dataset.fading, "true");
    assert.equal(el.textContent, "Link copied.");
    mock.timers.tick(STATUS_FADE_MS);
    assert.equal(el.textContent, "");
    assert.equal(el.dataset.kind, "");
    assert.equal(el.dataset.fading, undefined);
  } finally {
    mock.timers.reset();
  }
});

test("errors and progress stay until the next message replaces them", () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const el = slot();
    showStatus(el, "Not sent.", "error");
    mock.timers.tick(STATUS_STAYS_MS * 10);
    assert.equal(el.textContent, "Not sent.");
    showStatus(el, "Sending…");
    mock.timers.tick(STATUS_STAYS_MS * 10);
    assert.equal(el.textContent, "Sending…");
    showStatus(el, "Kept", "ok", { fade: false });
    mock.timers.tick(STATUS_STAYS_MS * 10);
    assert.equal(el.textContent, "Kept");
  } finally {
    mock.timers.reset();
  }
});

test("a new message cancels the fade of the one it replaces", () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const el = slot();
    showStatus(el, "Timer started.", "ok");
    mock.timers.tick(STATUS_STAYS_MS);
    assert.equal(el.dataset.fading, "true");
    showStatus(el, "Could not stop the timer.", "error");
    assert.equal(el.dataset.fading, undefined);
    mock.timers.tick(STATUS_STAYS_MS * 2);
    assert.equal(el.textContent, "Could not stop the timer.");
    assert.equal(el.dataset.kind, "error");
  } finally {
    mock.timers.reset();
  }
});
