// The HTTP endpoints of outcomes and reports (docs/protocol.md 3.7), over api.js's request().
import { ApiError, request } from "./api.js";
import { gettext } from "./i18n.js";

const ws = (code) => `/api/workshops/${encodeURIComponent(code)}`;

export const reportsApi = {
  workshop: (code) => request("GET", ws(code)),
  outcomes: (code) => request("GET", `${ws(code)}/outcomes`),
  respond: (code, proposal, status, message) =>
    request("POST", `${ws(code)}/proposals/${encodeURIComponent(proposal)}/response`, { status, message }),
  report: (code) => request("GET", `${ws(code)}/report`),
  organisation: () => request("GET", "/api/report"),
  session: () => request("GET", "/api/session"),
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
      throw new ApiError(0, { error: "network", message: gettext("Could not reach the server. Check your connection and try again.") });
    }
    if (!response.ok) throw new ApiError(response.status, null);
    return response.text();
  },
};
