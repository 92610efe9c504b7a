// The one HTTP client: the JSON API (sessions, workshops, staff, outcomes and reports; protocol
// 1.1), with CSRF handling and errors as ApiError. Uses `fetch` and the page's cookie when called.
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

/** The error for a request that never reached the server. */
function networkError() {
  return new ApiError(0, { error: "network", message: gettext("Could not reach the server. Check your connection and try again.") });
}

let csrfToken = null;

function cookie(name) {
  const match = (globalThis.document?.cookie || "").split("; ").find((part) => part.startsWith(`${name}=`));
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
  } catch {
    throw networkError();
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

const ws = (code) => `/api/workshops/${encodeURIComponent(code)}`;

export const api = {
  session: () => request("GET", "/api/session"),
  login: (username, password) => request("POST", "/api/session/login", { username, password }),
  logout: () => request("POST", "/api/session/logout", {}),
  workshops: () => request("GET", "/api/workshops"),
  createWorkshop: (body) => request("POST", "/api/workshops", body),
  workshop: (code) => request("GET", ws(code)),
  updateWorkshop: (code, changes) => request("PATCH", ws(code), changes),
  join: (code, name, profile = {}) => request("POST", `${ws(code)}/join`, Object.keys(profile).length ? { name, profile } : { name }),
  returnLink: (code) => request("GET", `${ws(code)}/me/return-link`),
  renewReturnLink: (code) => request("POST", `${ws(code)}/me/return-link`),
  returnLinkQrUrl: (code, version) => `${ws(code)}/me/return-link.svg?v=${version}`,
  erase: (code) => request("POST", `${ws(code)}/me/erase`),
  moderationLog: (code) => request("GET", `${ws(code)}/moderation-log`),
  staff: (code) => request("GET", `${ws(code)}/staff`),
  setStaff: (code, username, role) => request("POST", `${ws(code)}/staff`, { username, role }),
  removeStaff: (code, username) => request("DELETE", `${ws(code)}/staff/${encodeURIComponent(username)}`),
  outcomes: (code) => request("GET", `${ws(code)}/outcomes`),
  respond: (code, proposal, status, message) =>
    request("POST", `${ws(code)}/proposals/${encodeURIComponent(proposal)}/response`, { status, message }),
  report: (code) => request("GET", `${ws(code)}/report`),
  myData: (code) => request("GET", `${ws(code)}/me/data`),
  setContact: (code, email) => request("POST", `${ws(code)}/me/contact`, { email }),
  removeContact: (code) => request("DELETE", `${ws(code)}/me/contact`),
  mailReport: (code) => request("GET", `${ws(code)}/mail`),
  confirmContact: (token) => request("POST", "/api/contact/confirm", { token }),
  organisation: () => request("GET", "/api/report"),
  officialsAwaiting: () => request("GET", "/api/officials/awaiting"),
  reportCsvUrl: (code) => `${ws(code)}/report?format=csv`,
  exportUrl: (code, format) => `${ws(code)}/export?format=${format}`,

  /** One report chart's SVG text (trusted server output). */
  async chart(code, name) {
    let response;
    try {
      response = await fetch(`${ws(code)}/report/charts/${encodeURIComponent(name)}.svg`, {
        credentials: "same-origin", headers: { Accept: "image/svg+xml" },
      });
    } catch {
      throw networkError();
    }
    if (!response.ok) throw new ApiError(response.status, null);
    return response.text();
  },
};
