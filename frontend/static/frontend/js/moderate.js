// The moderation page: a live queue of flagged, held and appealed ideas with one-key actions,
// and the audit log. The socket's welcome says whether this person may moderate.
import { WorkshopClient, Conn } from "./client.js";
import { $, setText } from "./dom.js";
import { gettext } from "./i18n.js";
import { api } from "./api.js";
import { connLabel, statusLabel } from "./labels.js";
import { ModerationQueue } from "./mod-queue.js";
import { ModerationLog } from "./mod-log.js";
import { WaitingRoom } from "./waiting-room.js";
import { QuestionsPanel } from "./questions-panel.js";

const MODERATING = new Set(["moderator", "facilitator"]);
// Events after which the queue or the log may have changed.
const QUEUE_EVENTS = new Set(["flag.raised", "flag.resolved", "appeal.filed", "appeal.decided", "participant.muted",
  "participant.removed", "presence.changed", "breakout.opened", "breakout.closed"]);
const LOG_EVENTS = new Set(["flag.resolved", "idea.held", "idea.hidden", "question.asked", "question.hidden", "idea.restored", "appeal.decided",
  "participant.muted", "participant.removed", "participant.admitted", "participant.rejected"]);

class ModeratePage {
  constructor(root) {
    this.root = root;
    this.code = root.dataset.code;
    this.client = new WorkshopClient(this.code);
    this.log = new ModerationLog(this);
    this.queue = new ModerationQueue(this, { onChange: () => this.log.refreshSoon() });
    this.waitingRoom = new WaitingRoom(this.client, $("#waiting-room", root));
    this.questions = new QuestionsPanel({ client: this.client, moderating: true, mount: (section) => $("#queue", root).after(section),
      onSnapshot: (fn) => this.client.addEventListener("snapshot", fn) });
    this.allowed = false;
    this.wire();
    this.subscribe();
  }

  wire() {
    const c = this.client;
    c.addEventListener("connection", (e) => this.renderConn(e.detail.state));
    c.addEventListener("snapshot", () => this.renderAll());
    c.addEventListener("fatal", (e) => this.showFatal(e.detail.code));
    c.addEventListener("need-join", () => this.explainRefusal());
    c.addEventListener("refused", () => this.explainRefusal());
    window.addEventListener("pagehide", () => c.close());
  }

  start() {
    this.renderConn(Conn.CONNECTING);
    this.client.connect();
  }

  showOnly(id) {
    for (const section of ["loading", "fatal", "live"]) $(`#${section}`, this.root).hidden = section !== id;
  }

  showFatal(code, text) {
    let message = text;
    if (!message && code === 4404) message = gettext("There is no workshop with this code. Check the link or the code you were given.");
    setText($("#fatal-text", this.root), message || gettext("You can no longer take part in this workshop."));
    this.showOnly("fatal");
    $("#fatal", this.root).focus();
  }

  async explainRefusal() {
    try {
      await api.workshop(this.code);
    } catch (err) {
      if (err.status === 404) {
        this.showFatal(4404);
        return;
      }
      if (err.status === 0) {
        this.showOnly("loading");
        this.client.scheduleReconnect();
        return;
      }
    }
    this.showFatal(0, gettext("Not allowed: to moderate this workshop, log in on the front page with a staff account that moderates or facilitates it."));
  }

  renderConn(state) {
    const el = $("#conn", this.root);
    el.dataset.state = state;
    setText($("#conn-text", this.root), connLabel(state));
    if (!this.client.everWelcomed) {
      setText($("#loading", this.root), state === Conn.RECONNECTING || state === Conn.OFFLINE
        ? gettext("Could not reach the workshop yet. Trying again…") : gettext("Connecting to the workshop…"));
    }
  }

  renderAll() {
    this.showOnly("live");
    const s = this.client.state;
    const w = s.workshop || {};
    setText($("#workshop-title", this.root), w.title || "");
    document.title = w.title ? `${gettext("Moderation")}: ${w.title} · Inspraak` : document.title;
    const status = $("#workshop-status", this.root);
    setText(status, statusLabel(w.status));
    status.dataset.status = w.status || "";
    $("#console-link", this.root).hidden = s.me?.role !== "facilitator";
    const wasAllowed = this.allowed;
    this.allowed = MODERATING.has(s.me?.role);
    $("#not-moderator", this.root).hidden = this.allowed;
    $("#mod", this.root).hidden = !this.allowed;
    if (!this.allowed) {
      $("#not-moderator", this.root).focus();
      return;
    }
    this.queue.render();
    this.waitingRoom.render();
    if (!wasAllowed) this.log.load();
    else this.log.refreshSoon();
  }

  /** The status badge for everyone; the queue, its announcements and the log for moderators. */
  subscribe() {
    const store = this.client.store;
    store.on(["workshop.started", "workshop.ended", "workshop.updated"], () => {
      const w = this.client.state.workshop || {};
      setText($("#workshop-title", this.root), w.title || "");
      const status = $("#workshop-status", this.root);
      setText(status, statusLabel(this.client.state.workshop?.status));
      status.dataset.status = this.client.state.workshop?.status || "";
    });
    const on = (types, fn) => store.on(types, (ev) => {
      if (this.allowed) fn(ev);
    });
    // A held idea approved: the log shows it (asked before the queue drops the held record).
    on("idea.posted", (ev) => {
      if (this.queue.records.has(`held:${ev.idea?.id}`)) this.log.refreshSoon();
    });
    // Redrawn once per batch (a burst of reactions or presence changes is one redraw).
    store.watch([...QUEUE_EVENTS, "idea.*"], () => {
      if (this.allowed) this.queue.render();
    });
    this.queue.subscribe(on);
    on([...LOG_EVENTS], () => this.log.refreshSoon());
  }
}

const page = new ModeratePage(document.getElementById("app"));
page.start();
