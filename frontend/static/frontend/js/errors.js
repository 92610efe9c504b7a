// Human text for command and API errors.
import { t } from "./i18n.js";

const FALLBACK = {
  bad_json: () => t("The server could not read that request."),
  too_large: () => t("That is too long."),
  unknown_type: () => t("The server does not know this action."),
  invalid: () => t("Please check what you entered."),
  forbidden: () => t("You are not allowed to do that right now."),
  not_found: () => t("That no longer exists."),
  muted: () => t("A moderator has paused your contributions for a while."),
  conflict: () => t("Someone changed this at the same time. Please try again."),
  ended: () => t("The workshop has ended."),
  network: () => t("Could not reach the server. Check your connection and try again."),
};

/** One readable sentence for an error from the socket (CommandError) or the HTTP API (ApiError). */
export function describeError(err) {
  const code = err && err.code;
  const fields = (err && err.fields) || {};
  let message = (err && err.message) || "";
  if (!message || message === code) message = (FALLBACK[code] || (() => t("Something went wrong. Please try again.")))();
  const details = Object.entries(fields)
    .map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(" ") : value}`)
    .join("; ");
  if (details && !message.includes(details)) message = `${message} (${details})`;
  if (code === "rate_limited") {
    const seconds = Math.max(1, Math.ceil(Number(err.retryAfter) || 1));
    message = `${message} ${t("Try again in %(seconds)s seconds.", { seconds })}`.trim();
  }
  return message;
}
