// The HTTP JSON API: CSRF handling and error normalisation.
import { gettext } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || gettext("Something went wrong (HTTP %(status)s).", { status }));
    this.status = status;
    this.code = (body && body.error) || `http_${status}`;
    this.fields = (body && body.fields) || {};
    this.retryAfter = body && body.retry_after;
  }
}

let csrfToken = null;

function cookie(name) {
  const match = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
  return match ? decodeURIComponent(match.slice(name.length + 1)) : null;
}

async function csrf(refresh = false) {
  if (refresh || !csrfToken) {
    const body = await request("GET", "/api/csrf");
    csrfToken = body.csrf;
  }
  // Logging in rotates the token; the cookie always carries the current one.
  return cookie("csrftoken") || csrfToken;
}

/** Forget the cached CSRF token (after login, logout or join the server may rotate it). */
export function resetCsrf() {
  csrfToken = null;
}

/** Send a JSON request; resolve with the decoded body or reject with ApiError. */
export async function request(method, path, body, { retry = true } = {}) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin" };
  if (method !== "GET" && method !== "HEAD") {
    headers["X-CSRFToken"] = await csrf();
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body ?? {});
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, { error: "network", message: gettext("Could not reach the server. Check your connection and try again.") });
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    // Django's own CSRF failure page is HTML: fetch a fresh token once and try again.
    if (response.status === 403 && data === null && method !== "GET" && retry) {
      await csrf(true);
      return request(method, path, body, { retry: false });
    }
    const retryAfter = Number(response.headers.get("Retry-After"));
    const err = new ApiError(response.status, data);
    if (!err.retryAfter && retryAfter) err.retryAfter = retryAfter;
    throw err;
  }
  return data ?? {};
}

export const api = {
  session: () => request("GET", "/api/session"),
  login: (username, password) => request("POST", "/api/session/login", { username, password }),
  logout: () => request("POST", "/api/session/logout", {}),
  workshops: () => request("GET", "/api/workshops"),
  createWorkshop: (body) => request("POST", "/api/workshops", body),
  workshop: (code) => request("GET", `/api/workshops/${encodeURIComponent(code)}`),
  join: (code, name) => request("POST", `/api/workshops/${encodeURIComponent(code)}/join`, { name }),
  moderationLog: (code) => request("GET", `/api/workshops/${encodeURIComponent(code)}/moderation-log`),
  staff: (code) => request("GET", `/api/workshops/${encodeURIComponent(code)}/staff`),
  setStaff: (code, username, role) => request("POST", `/api/workshops/${encodeURIComponent(code)}/staff`, { username, role }),
  removeStaff: (code, username) =>
    request("DELETE", `/api/workshops/${encodeURIComponent(code)}/staff/${encodeURIComponent(username)}`),
};
