// Times, durations and lists in the page's language. Reads the page only when called, so Node
// can import it (and the modules that use it) without a DOM.

/** The page's language (<html lang>), or undefined for the browser's default. */
export function pageLang() {
  return globalThis.document?.documentElement?.lang || undefined;
}

/** "14:05" for a moment. */
export function clockTime(date) {
  return new Intl.DateTimeFormat(pageLang(), { hour: "2-digit", minute: "2-digit" }).format(date);
}

/** "14:05" for an ISO timestamp; "" when there is none or it cannot be read. */
export function clockTimeOf(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : clockTime(date);
}

/** Seconds left as "mm:ss", or "h:mm:ss" from an hour on; never negative. */
export function formatDuration(totalSeconds) {
  const pad = (n) => String(n).padStart(2, "0");
  const s = Math.max(0, Math.ceil(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  return hours ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${pad(minutes)}:${pad(seconds)}`;
}

/** Names joined as a list ("a, b and c"); comma-separated where Intl.ListFormat is missing. */
export function formatList(names) {
  try {
    return new Intl.ListFormat(pageLang(), { type: "conjunction" }).format(names);
  } catch {
    return names.join(", ");
  }
}
