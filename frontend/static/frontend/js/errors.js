// Human text for command and API errors.
import { gettext } from "./i18n.js";
import { clockTime } from "./format.js";

const FALLBACK = {
  bad_json: () => gettext("The server could not read that request."),
  too_large: () => gettext("That is too long."),
  unknown_type: () => gettext("The server does not know this action."),
  invalid: () => gettext("Please check what you entered."),
  forbidden: () => gettext("You are not allowed to do that right now."),
  not_found: () => gettext("That no longer exists."),
  muted: () => gettext("A moderator has paused your contributions for a while."),
  conflict: () => gettext("Someone changed this at the same time. Please try again."),
  ended: () => gettext("The workshop has ended."),
  network: () => gettext("Could not reach the server. Check your connection and try again."),
};

/** One readable sentence for an error from the socket (CommandError) or the HTTP API (ApiError). */
export function describeError(err) {
  const code = err && err.code;
  const fields = (err && err.fields) || {};
  let message = (err && err.message) || "";
  if (code === "muted") {
    // The server's text carries a raw timestamp; say the time in the reader's language instead.
    const seconds = Number(err.retryAfter);
    return seconds > 0
      ? gettext("A moderator has paused your contributions until %(time)s.", { time: clockTime(new Date(Date.now() + seconds * 1000)) })
      : FALLBACK.muted();
  }
  if (!message || message === code) message = (FALLBACK[code] || (() => gettext("Something went wrong. Please try again.")))();
  const details = Object.entries(fields)
    .map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(" ") : value}`)
    .join("; ");
  if (details && !message.includes(details)) message = `${message} (${details})`;
  if (code === "rate_limited") {
    const seconds = Math.max(1, Math.ceil(Number(err.retryAfter) || 1));
    message = `${message} ${gettext("Try again in %(seconds)s seconds.", { seconds })}`.trim();
  }
  return message;
}
