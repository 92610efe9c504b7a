// Small DOM helpers. User data only ever goes in through textContent or attributes.
import { AnnounceQueue } from "./announce-summary.js";

/**
 * Create an element: h("button", {type: "button", class: "x", dataset: {id: 1}}, "text", child).
 * Strings become text nodes; attributes named on* are refused so no handler can come from data.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) throw new Error(`refusing attribute ${key}`);
    if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace an element's children with text only. */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function $$(selector, root = document) {
  return Array.from(root.querySelectorAll(selector));
}

let uid = 0;
/** A page-unique id for label/aria wiring. */
export function uniqueId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** How long a status that reports success stays before it fades, and how long the fade takes. */
export const STATUS_STAYS_MS = 6000;
export const STATUS_FADE_MS = 600;
const statusTimers = new WeakMap(); // status slot -> its pending fade

/**
 * Show a message in a place's status slot (one slot per place: a new message replaces the old);
 * kind is "error", "ok" or "" (neutral). A success ("ok") fades out after STATUS_STAYS_MS, once
 * its role="status" slot has announced it: it must not stay beside what happens next. Errors and
 * progress ("Sending…") stay until the next message replaces them; `fade` overrides the default.
 */
export function showStatus(el, text, kind = "", { fade = kind === "ok" } = {}) {
  if (!el) return;
  clearTimeout(statusTimers.get(el));
  statusTimers.delete(el);
  delete el.dataset.fading;
  el.dataset.kind = kind;
  el.textContent = text || "";
  if (!text || !fade) return;
  statusTimers.set(el, setTimeout(() => {
    el.dataset.fading = "true"; // CSS fades it; the text goes when the fade is over
    statusTimers.set(el, setTimeout(() => {
      statusTimers.delete(el);
      delete el.dataset.fading;
      el.dataset.kind = "";
      el.textContent = "";
    }, STATUS_FADE_MS));
  }, STATUS_STAYS_MS));
}

/** Mark a field invalid with a message wired through aria-describedby, or clear it. */
export function setFieldError(input, message) {
  const id = `${input.id}-error`;
  let slot = document.getElementById(id);
  if (!slot) {
    slot = h("p", { id, class: "field-error" });
    input.insertAdjacentElement("afterend", slot);
    const described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    described.push(id);
    input.setAttribute("aria-describedby", described.join(" "));
  }
  slot.textContent = message || "";
  slot.hidden = !message;
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

let announcer = null;

/** The page's one queue for its polite live region (#live-announcer). */
function announceQueue() {
  if (!announcer) {
    announcer = new AnnounceQueue((message) => {
      const region = document.getElementById("live-announcer");
      if (!region) return;
      region.textContent = "";
      // A fresh text node a moment later makes repeated identical messages announce again.
      setTimeout(() => { region.textContent = message; }, 50);
    });
  }
  return announcer;
}

/**
 * Say something through the page's polite live region. Messages close together are said as one,
 * at most one message every few seconds (announce-summary.js), so a burst does not flood a
 * screen reader.
 */
export function announce(text) {
  if (!text || !document.getElementById("live-announcer")) return;
  announceQueue().push({ kind: "text", text });
}

/** Say that someone posted an idea (or built on one): a burst is counted ("3 new ideas from Bram and Anna."). */
export function announceIdea(name, { reply = false } = {}) {
  if (!document.getElementById("live-announcer")) return;
  announceQueue().push({ kind: reply ? "reply" : "idea", name });
}

/**
 * Mark a button unavailable without `disabled`: a disabled button drops keyboard focus to the
 * page body, so it stays focusable with aria-disabled and its handlers check isUnavailable().
 */
export function setUnavailable(button, unavailable) {
  if (unavailable) button.setAttribute("aria-disabled", "true");
  else button.removeAttribute("aria-disabled");
}

export function isUnavailable(button) {
  return button.getAttribute("aria-disabled") === "true";
}
