// The console's mail panel (PROTOCOL 3.3): how the workshop's mail fares (waiting, sent, refused
// for good) and each mail an SMTP server refused for good, by participant, never by address, so
// that a facilitator can tell that person in the workshop to check what they gave.
import { api } from "./api.js";
import { $, h, setText, showStatus, setUnavailable, isUnavailable } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { pageLang } from "./format.js";
import { personName } from "./labels.js";

const KINDS = {
  confirm: () => gettext("confirmation of their address"),
  notify: () => gettext("news of their ideas"),
};

/** "14 Mar, 14:05" for an ISO timestamp, in the page's language. */
function when(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(pageLang(), { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" })
    .format(date);
}

/** One refused mail as a sentence: who, which mail, when, after how many tries, and the server's reply. */
export function failureText(failure) {
  const name = personName(failure.participant?.name);
  const kind = (KINDS[failure.kind] || (() => failure.kind))();
  return ngettext("%(name)s: %(kind)s, refused on %(when)s after %(count)s attempt.",
    "%(name)s: %(kind)s, refused on %(when)s after %(count)s attempts.", failure.attempts,
    { name, kind, when: when(failure.created_at) });
}

export class MailPanel {
  constructor(page) {
    this.code = page.code;
    this.root = page.root;
    this.list = $("#mail-failures", this.root);
    this.status = $("#mail-status", this.root);
    this.button = $("#mail-refresh", this.root);
    this.button.addEventListener("click", () => this.refresh());
  }

  load() {
    return api.mailReport(this.code).then((report) => this.render(report),
      (err) => showStatus(this.status, describeError(err), "error"));
  }

  async refresh() {
    if (isUnavailable(this.button)) return;
    setUnavailable(this.button, true);
    showStatus(this.status, gettext("Checking…"));
    await this.load();
    if (this.status.dataset.kind !== "error") showStatus(this.status, gettext("Up to date."), "ok");
    setUnavailable(this.button, false);
  }

  render(report) {
    for (const key of ["pending", "sent", "failed"]) setText($(`#mail-${key}`, this.root), String(report[key] ?? 0));
    const failures = report.failures || [];
    this.list.replaceChildren(...failures.map((f) => h("li", { class: "mail-failure" },
      failureText(f), " ", h("span", { class: "mail-error" }, gettext("Server reply: %(error)s", { error: f.error })))));
    this.list.hidden = !failures.length;
    $("#mail-failures-empty", this.root).hidden = failures.length > 0;
  }
}
