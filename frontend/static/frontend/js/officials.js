// The officials' page: across every workshop of this account as an official, the published proposals
// without a response and those due an update, each with the response form (GET /api/officials/awaiting).
import { $, h, setText } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { api } from "./api.js";
import { respondForm } from "./proposal-card.js";
import { responseLabel, formatMoment } from "./report-format.js";

function refuse(root, err) {
  const unauthenticated = err.status === 401 || err.status === 403;
  setText($("#fatal-title", root), unauthenticated ? gettext("Log in to see the proposals waiting for you")
    : gettext("This page cannot be opened"));
  setText($("#fatal-text", root), unauthenticated
    ? gettext("This page is for officials' staff accounts. Log in on the front page, then open this page again.")
    : describeError(err));
  setText($("#fatal-link", root), unauthenticated ? gettext("Log in on the front page") : gettext("Go to the front page"));
  $("#loading", root).hidden = true;
  $("#fatal", root).hidden = false;
  $("#fatal", root).focus();
}

/** "Published 5 days ago, no response yet" or "Last update 40 days ago (under review)". */
export function waitingText(p) {
  if (p.waiting === "unanswered") {
    return ngettext("Published %(count)s day ago, no response yet.", "Published %(count)s days ago, no response yet.", p.days);
  }
  return ngettext("Last update %(count)s day ago: %(status)s.", "Last update %(count)s days ago: %(status)s.", p.days,
    { status: responseLabel(p.response?.status) });
}

/** Where this list goes by mail each week, or why it does not (no address; refused by the mail server). */
export function digestText(email, digest) {
  if (!email) return gettext("Your account has no e-mail address, so this list does not come to you by mail.");
  if (digest?.status === "failed") {
    return gettext("Your weekly mail with this list to %(email)s could not be delivered: %(error)s", { email: digest.to, error: digest.error });
  }
  return gettext("Once a week, when something waits, this list comes by mail to %(email)s.", { email });
}

function proposalItem(code, p) {
  const headingId = `awaiting-${p.id}-title`;
  const waiting = h("p", { class: "awaiting-waiting", dataset: { waiting: p.waiting } }, waitingText(p));
  const latest = p.response
    ? h("blockquote", { class: "awaiting-latest" },
      h("p", {}, p.response.message || ""),
      h("footer", {}, gettext("by %(name)s", { name: p.response.by || gettext("an official") }), " · ",
        h("time", { datetime: p.response.at || "" }, formatMoment(p.response.at))))
    : null;
  const form = respondForm({
    code, proposalId: p.id, latestStatus: p.response?.status, heading: "h4",
    onPublished: (proposal) => {
      waiting.dataset.waiting = "answered";
      setText(waiting, gettext("Responded just now: %(status)s.", { status: responseLabel(proposal.response?.status) }));
    },
  });
  return h("li", { class: "card awaiting-item", dataset: { id: p.id } },
    h("article", { "aria-labelledby": headingId },
      h("h3", { id: headingId },
        h("a", { href: `/w/${encodeURIComponent(code)}/outcomes#proposal-${p.id}` }, p.title)),
      waiting, latest, form));
}

function workshopSection({ workshop, proposals }) {
  const code = workshop.code;
  const headingId = `awaiting-w-${code}`;
  return h("section", { class: "awaiting-workshop", "aria-labelledby": headingId },
    h("h2", { id: headingId }, workshop.title || code),
    h("p", { class: "hint" },
      ngettext("%(count)s proposal waits here.", "%(count)s proposals wait here.", proposals.length), " ",
      h("a", { href: `/w/${encodeURIComponent(code)}/outcomes` }, gettext("Outcomes"),
        h("span", { class: "visually-hidden" }, ` ${gettext("of %(title)s", { title: workshop.title || code })}`))),
    h("ol", { class: "awaiting-list" }, ...proposals.map((p) => proposalItem(code, p))));
}

async function start(root) {
  let data;
  try {
    data = await api.officialsAwaiting();
  } catch (err) {
    refuse(root, err);
    return;
  }
  const workshops = data.workshops || [];
  const all = workshops.flatMap((w) => w.proposals);
  const unanswered = all.filter((p) => p.waiting === "unanswered").length;
  setText($("#awaiting-lead", root), gettext(
    "In every workshop where you are an official: the published proposals without a response, and those whose last update is older than %(days)s days. Citizens who hear nothing conclude they were ignored; an update that says the decision is still being made tells them otherwise.",
    { days: data.update_due_days }));
  setText($("#awaiting-summary", root), gettext("%(unanswered)s without a response, %(due)s due an update.",
    { unanswered: unanswered, due: all.length - unanswered }));
  $("#awaiting-summary", root).hidden = all.length === 0;
  const note = $("#digest-note", root);
  setText(note, digestText(data.email, data.digest));
  note.dataset.kind = data.digest?.status === "failed" ? "error" : "";
  $("#awaiting-empty", root).hidden = all.length > 0;
  $("#awaiting-workshops", root).replaceChildren(...workshops.map(workshopSection));
  $("#loading", root).hidden = true;
  $("#awaiting", root).hidden = false;
}

const root = document.getElementById("app");
if (root) start(root);
