// The audit log from GET /api/workshops/<code>/moderation-log, newest first.
import { $, h, showStatus } from "./dom.js";
import { gettext } from "./i18n.js";
import { api } from "./api.js";
import { pageLang } from "./format.js";
import { personName } from "./labels.js";
import { describeError } from "./errors.js";
import { flagReasonLabel, heldReasonLabels, muteWords } from "./moderation-text.js";

const ACTION_LABELS = {
  hold: () => gettext("held for review"),
  approve: () => gettext("approved"),
  hide: () => gettext("hid"),
  restore: () => gettext("restored"),
  flag_dismiss: () => gettext("dismissed a flag"),
  appeal_grant: () => gettext("granted an appeal"),
  appeal_deny: () => gettext("denied an appeal"),
  mute: () => gettext("muted"),
  remove: () => gettext("removed"),
  admit: () => gettext("let in"),
  reject: () => gettext("turned away"),
};

const SHORT = 60;

function short(text) {
  const t = String(text || "");
  return t.length > SHORT ? `${t.slice(0, SHORT - 1)}…` : t;
}

function when(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(pageLang(), { hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(date);
}

export class ModerationLog {
  constructor(page) {
    this.page = page;
    this.root = page.root;
    this.rows = $("#log-rows", this.root);
    this.status = $("#log-status", this.root);
    this.timer = null;
    this.loading = null;
    this.again = false;
    this.entries = [];
    $("#log-refresh", this.root).addEventListener("click", () => this.load({ say: true }));
  }

  /** Load again soon: several events in a burst cost one request. */
  refreshSoon() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.load(), 250);
  }

  async load({ say = false } = {}) {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    if (say) showStatus(this.status, gettext("Loading…"));
    this.loading = api.moderationLog(this.page.code).then((entries) => {
      this.entries = Array.isArray(entries) ? entries : [];
      this.render();
      showStatus(this.status, say ? gettext("The log is up to date.") : "", say ? "ok" : "");
    }, (err) => {
      showStatus(this.status, describeError(err), "error");
    }).finally(() => {
      this.loading = null;
      if (this.again) {
        this.again = false;
        this.load();
      }
    });
    return this.loading;
  }

  /** "idea:12" etc. in words, from what the page knows now. */
  target(target) {
    const state = this.page.client.state;
    const [kind, raw] = String(target || "").split(":");
    const id = Number(raw);
    if (kind === "idea") {
      const idea = state.ideas.get(id);
      return idea ? gettext("the idea by %(name)s: “%(text)s”", { name: personName(idea.author?.name), text: short(idea.text) }) : gettext("idea #%(id)s", { id });
    }
    if (kind === "participant") {
      const p = state.participants.get(id);
      return p ? p.name : gettext("participant #%(id)s", { id });
    }
    if (kind === "question") {
      const question = state.questions.get(id);
      return question ? gettext("the question by %(name)s: “%(text)s”", { name: personName(question.author?.name), text: short(question.text) })
        : gettext("question #%(id)s", { id });
    }
    if (kind === "flag") {
      const flag = state.flags.get(id);
      const idea = flag ? state.ideas.get(flag.idea) : null;
      return idea ? gettext("a flag (%(reason)s) on the idea by %(name)s", { reason: flagReasonLabel(flag.reason), name: personName(idea.author?.name) })
        : gettext("flag #%(id)s", { id });
    }
    return target || "";
  }

  reason(entry) {
    if (entry.action === "mute") return muteWords(entry).reason;
    if (entry.action === "hold") return heldReasonLabels(entry.reason).join(", ");
    if (entry.action === "flag_dismiss") return "";
    if (entry.reason === "flagged") return gettext("flagged by several participants");
    return entry.reason || "";
  }

  actor(entry) {
    if (entry.actor === "screening" && entry.actor_id == null) return gettext("Automatic screening");
    if (entry.actor === "flags" && entry.actor_id == null) return gettext("Flag threshold");
    return entry.actor || "";
  }

  render() {
    const entries = this.entries.slice().reverse();
    $("#log-empty", this.root).hidden = entries.length > 0;
    $("#log-table", this.root).hidden = entries.length === 0;
    this.rows.replaceChildren(...entries.map((entry) => h("tr", {},
      h("td", {}, h("time", { datetime: entry.at }, when(entry.at))),
      h("td", {}, this.actor(entry)),
      h("td", {}, entry.action === "mute" ? muteWords(entry).action : (ACTION_LABELS[entry.action] || (() => entry.action))()),
      h("td", {}, this.target(entry.target)),
      h("td", {}, this.reason(entry)))));
  }
}
