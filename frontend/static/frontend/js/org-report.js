// The organisation report: one row per workshop of this staff account, with totals (GET /api/report).
import { $, h, setText } from "./dom.js";
import { gettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { api } from "./api.js";
import { statusLabel } from "./labels.js";
import { statGrid } from "./report-figures.js";
import {
  PARTICIPATION_KEYS, participationLabel, formatCount, formatShare, formatHours,
} from "./report-format.js";

function refuse(root, err) {
  const unauthenticated = err.status === 401 || err.status === 403;
  setText($("#fatal-title", root), unauthenticated ? gettext("Log in to see the reports") : gettext("The reports cannot be opened"));
  setText($("#fatal-text", root), unauthenticated
    ? gettext("The organisation report is for staff accounts. Log in on the front page, then open this page again.")
    : describeError(err));
  setText($("#fatal-link", root), unauthenticated ? gettext("Log in on the front page") : gettext("Go to the front page"));
  $("#loading", root).hidden = true;
  $("#fatal", root).hidden = false;
  $("#fatal", root).focus();
}

function workshopRow(w) {
  const p = w.participation || {};
  const r = w.responsiveness || {};
  const code = encodeURIComponent(w.code);
  return h("tr", {},
    h("th", { scope: "row", class: "workshop-cell" },
      h("a", { href: `/w/${code}/report` }, w.title || w.code,
        h("span", { class: "visually-hidden" }, ` (${gettext("impact report")})`)),
      h("span", { class: "workshop-sub" },
        h("span", { class: "status-badge", dataset: { status: w.status || "" } }, statusLabel(w.status)), " ",
        h("a", { href: `/w/${code}/outcomes`, class: "outcomes-link" }, gettext("Outcomes"),
          h("span", { class: "visually-hidden" }, ` ${gettext("of %(title)s", { title: w.title || w.code })}`)))),
    ...PARTICIPATION_KEYS.map((key) => h("td", { class: "num" }, formatCount(p[key]))),
    h("td", { class: "num" }, formatShare(w.moved_up)),
    h("td", { class: "num" }, formatShare(w.build_share)),
    h("td", { class: "num" }, r.proposals
      ? gettext("%(responded)s of %(proposals)s", { responded: formatCount(r.responded || 0), proposals: formatCount(r.proposals) })
      : "–"),
    h("td", { class: "num" }, formatHours(r.median_hours_to_response) ?? "–"),
    h("td", { class: "num" }, r.contributors_told === null || r.contributors_told === undefined
      ? "–" : formatShare(r.contributors_told)));
}

function workshopsTable(workshops, totals) {
  const columns = [gettext("Workshop"), ...PARTICIPATION_KEYS.map(participationLabel), gettext("Moved up"),
    gettext("Ideas that build on another"), gettext("Proposals answered"), gettext("Median time to response"),
    gettext("Contributors told the answer")];
  return h("div", { class: "table-wrap wide", tabindex: 0, role: "region", "aria-labelledby": "workshops-title" },
    h("table", { class: "data-table org-table", "aria-labelledby": "workshops-title" },
      h("thead", {}, h("tr", {}, ...columns.map((text, i) => h("th", { scope: "col", class: i ? "num" : null }, text)))),
      h("tbody", {}, ...workshops.map(workshopRow)),
      h("tfoot", {}, h("tr", {},
        h("th", { scope: "row" }, gettext("Total")),
        ...PARTICIPATION_KEYS.map((key) => h("td", { class: "num" }, formatCount(totals[key] ?? 0))),
        h("td", { colspan: 5 })))));
}

async function start(root) {
  $("#print", root).addEventListener("click", () => window.print());
  let data;
  try {
    data = await api.organisation();
  } catch (err) {
    refuse(root, err);
    return;
  }
  const workshops = data.workshops || [];
  const totals = data.totals || {};
  const responded = workshops.reduce((sum, w) => sum + ((w.responsiveness || {}).responded || 0), 0);
  const proposals = workshops.reduce((sum, w) => sum + ((w.responsiveness || {}).proposals || 0), 0);
  $("#totals", root).replaceChildren(statGrid([
    { label: gettext("Workshops"), value: formatCount(workshops.length) },
    ...PARTICIPATION_KEYS.map((key) => ({ label: participationLabel(key), value: formatCount(totals[key] ?? 0) })),
    { label: gettext("Proposals answered"), value: gettext("%(responded)s of %(proposals)s", { responded: formatCount(responded), proposals: formatCount(proposals) }) },
  ]));
  $("#workshops-empty", root).hidden = workshops.length > 0;
  $("#workshops-table", root).replaceChildren(workshops.length ? workshopsTable(workshops, totals) : "");
  $("#loading", root).hidden = true;
  $("#report", root).hidden = false;
}

const root = document.getElementById("app");
if (root) start(root);
