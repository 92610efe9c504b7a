// What the participant page and the facilitator console share: header, connection state,
// agenda and phase, timer, announcements, people and the board.
import { WorkshopClient, Conn } from "./client.js";
import { BoardView } from "./board.js";
import { h, setText, announce, $ } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { clockTime, clockTimeOf, formatDuration } from "./format.js";
import { connLabel, roleLabel, statusLabel } from "./labels.js";
import { peopleShown, peopleTexts } from "./people.js";
import { shownCountdown } from "./rooms.js";

// [key, name, what it means, how to get there from the rung below]
export const RUNGS = [
  ["informed", () => gettext("Informed"), () => gettext("You joined and follow the workshop."), () => ""],
  ["consulted", () => gettext("Consulted"), () => gettext("You reacted to ideas or gave your view."),
    () => gettext("React to an idea to be consulted.")],
  ["involved", () => gettext("Involved"), () => gettext("You posted an idea."), () => gettext("Post an idea of your own to be involved.")],
  ["collaborating", () => gettext("Collaborating"), () => gettext("You built on someone else's idea, or someone built on yours."),
    () => gettext("Build on someone else's idea, or have yours built on, to collaborate.")],
  ["empowered", () => gettext("Empowered"), () => gettext("An idea of yours fed a proposal that officials accepted."),
    () => gettext("When officials accept a proposal fed by your ideas, you are empowered.")],
];

export class LivePage {
  constructor(root, { console: isConsole = false, policy = {}, forbiddenText = "", board = true } = {}) {
    this.root = root;
    this.code = root.dataset.code;
    this.isConsole = isConsole;
    this.forbiddenText = forbiddenText;
    this.client = new WorkshopClient(this.code);
    this.board = board ? new BoardView(this.client, $("#boards", root), policy) : null; // the projector has no board
    this.mutedTimer = null;
    this.timerInterval = null;
    this.expiredNotice = null;
    this.snapshotHooks = [];
    this.countdowns = []; // the page's BreakoutCountdowns: they and the timer show one at a time
    this.shownRung = -1;
    this.wire();
    this.subscribe();
  }

  /** The page's store: parts of the page subscribe to its events by type. */
  get store() {
    return this.client.store;
  }

  /** Register a callback run after every full snapshot is rendered (for page-specific parts). */
  onSnapshot(fn) {
    this.snapshotHooks.push(fn);
  }

  wire() {
    const c = this.client;
    c.addEventListener("connection", (e) => this.renderConn(e.detail.state));
    c.addEventListener("snapshot", () => this.renderAll());
    c.addEventListener("me", () => {
      this.renderMe();
      this.renderMuted();
    });
    c.addEventListener("orphan", (e) => this.onOrphan(e.detail));
    c.addEventListener("fatal", (e) => this.showFatal(e.detail.code));
    c.addEventListener("too-many", () => this.showPageStatus(
      gettext("This workshop is open in too many tabs or windows. Close one and this page will reconnect.")));
    window.addEventListener("pagehide", () => c.close());
    $("#people-search", this.root)?.addEventListener("input", () => this.renderPeople());
  }

  start() {
    this.renderConn(Conn.CONNECTING);
    this.client.connect();
  }

  showOnly(id) {
    for (const section of ["loading", "join", "waiting", "fatal", "live"]) {
      const el = $(`#${section}`, this.root);
      if (el) el.hidden = section !== id;
    }
  }

  showFatal(code, text) {
    let message = text;
    if (!message && code === 4404) message = gettext("There is no workshop with this code. Check the link or the code you were given.");
    if (!message && code === 4403 && this.waiting) message = gettext("A host did not let you into this workshop.");
    if (!message && code === 4403) message = this.forbiddenText;
    message = message || gettext("You can no longer take part in this workshop.");
    setText($("#fatal-text", this.root), message);
    this.showOnly("fatal");
    $("#fatal", this.root).focus();
  }

  renderConn(state) {
    const loading = $("#loading", this.root);
    if (loading && !this.client.everWelcomed) {
      setText(loading, state === Conn.RECONNECTING || state === Conn.OFFLINE
        ? gettext("Could not reach the workshop yet. Trying again…")
        : gettext("Connecting to the workshop…"));
    }
    if (state === Conn.LIVE && !this.pageStatusSticky) this.showPageStatus("");
    const el = $("#conn", this.root);
    if (!el) return;
    el.dataset.state = state;
    setText($("#conn-text", this.root), connLabel(state));
  }

  /** The waiting room: where they wait and that a host will let them in, said politely. */
  showWaiting() {
    const title = this.client.state.workshop?.title || "";
    const text = gettext("You are in the waiting room of %(title)s; a host will let you in.", { title });
    setText($("#waiting-text", this.root), text);
    document.title = title ? `${title} · Inspraak` : "Inspraak";
    if (!this.waiting) announce(text);
    this.waiting = true;
    this.showOnly("waiting");
  }

  renderAll() {
    if (this.client.state.me?.admitted === false) {
      this.showWaiting();
      return;
    }
    if (this.waiting) {
      this.waiting = false;
      announce(gettext("A host let you in. Welcome to %(title)s.", { title: this.client.state.workshop?.title || "" }));
    }
    this.showOnly("live");
    this.board?.sync();
    this.renderWorkshop();
    this.renderMe();
    this.renderPeople();
    this.renderAnnouncements();
    this.renderMuted();
    for (const fn of this.snapshotHooks) fn();
  }

  /** What the page redraws and says for each event (the board, made first, has taken it already). */
  subscribe() {
    const on = (types, fn) => this.store.on(types, fn);
    on("workshop.started", () => {
      announce(gettext("The workshop has started."));
      this.renderWorkshop();
    });
    on("workshop.ended", () => {
      announce(gettext("The workshop has ended."));
      this.renderWorkshop();
    });
    on("workshop.updated", () => this.renderWorkshop());
    on("phase.changed", () => {
      // A timer that ran out belonged to the step before: it leaves with it.
      this.expiredNotice = null;
      this.renderWorkshop();
      const phase = this.currentPhase();
      if (phase) announce(gettext("Next on the agenda: %(title)s.", { title: phase.title }));
    });
    on("timer.started", () => {
      this.expiredNotice = null;
      this.renderTimer();
      announce(gettext("A timer started: %(time)s.", { time: formatDuration(this.timerRemaining()) }));
    });
    on("timer.stopped", () => {
      this.expiredNotice = null;
      this.renderTimer();
      announce(gettext("The timer was stopped."));
    });
    on("timer.expired", (ev) => {
      this.expiredNotice = ev.label || "";
      this.renderTimer();
      announce(ev.label ? gettext("Time is up: %(label)s.", { label: ev.label }) : gettext("Time is up."));
    });
    on("announcement", (ev) => {
      this.renderAnnouncements();
      announce(gettext("Announcement from %(name)s: %(text)s", { name: ev.from?.name || gettext("the facilitator"), text: ev.text }));
    });
    // Only one countdown shows at a time (rooms.js shownCountdown): a change to either redraws both.
    this.store.watch(["breakout.*", "timer.*", "phase.changed"], () => this.renderCountdowns());
    // A large workshop lists one's room: the rooms opening, closing or a move change it too.
    this.store.watch(["presence.changed", "participant.removed", "participant.erased", "breakout.*", "room.assigned"], () => this.renderPeople());
    on("participant.muted", (ev) => {
      if (!this.client.state.me || ev.participant !== this.client.state.me.id) return;
      this.renderMuted();
      const until = this.mutedUntil();
      announce(until ? gettext("A moderator has paused your contributions until %(time)s.", { time: clockTime(until) })
        : gettext("You can take part again."));
    });
    on("rung.changed", (ev) => {
      const index = RUNGS.findIndex(([key]) => key === ev.rung);
      if (index > this.shownRung) announce(gettext("Your participation rose to: %(rung)s.", { rung: RUNGS[index][1]() }));
      this.renderMe();
    });
  }

  /** A message at the top of the live view; a sticky one stays when the connection comes back. */
  showPageStatus(text, { sticky = false } = {}) {
    const slot = $("#page-status", this.root);
    setText(slot, text || "");
    slot.hidden = !text;
    this.pageStatusSticky = !!text && sticky;
  }

  onOrphan({ frame }) {
    // The answer to a command resent after a reload: its form is gone, so say it at the top.
    if (frame.type !== "error") return;
    const message = describeError({ code: frame.code, message: frame.message, fields: frame.fields, retryAfter: frame.retry_after });
    this.showPageStatus(gettext("An earlier action could not be completed: %(message)s", { message }), { sticky: true });
  }

  currentPhase() {
    const w = this.client.state.workshop;
    if (!w || !Array.isArray(w.agenda) || typeof w.phase !== "number") return null;
    return w.agenda[w.phase] || null;
  }

  renderWorkshop() {
    const w = this.client.state.workshop || {};
    setText($("#workshop-title", this.root), w.title || "");
    const description = $("#workshop-description", this.root); // not on the projector page
    if (description) {
      setText(description, w.description || "");
      description.hidden = !w.description;
    }
    document.title = w.title ? `${w.title} · Inspraak` : "Inspraak";
    const ended = $("#ended-note", this.root); // the participant page's way to the outcomes
    if (ended) ended.hidden = w.status !== "ended";
    const status = $("#workshop-status", this.root);
    setText(status, statusLabel(w.status));
    status.dataset.status = w.status || "";
    this.renderPhase();
    this.renderTimer();
  }

  renderPhase() {
    const w = this.client.state.workshop || {};
    const agenda = Array.isArray(w.agenda) ? w.agenda : [];
    const phase = this.currentPhase();
    const now = $("#phase-now", this.root);
    if (phase) {
      setText(now, gettext("Step %(n)s of %(total)s: %(title)s", { n: w.phase + 1, total: agenda.length, title: phase.title }));
    } else {
      setText(now, agenda.length ? gettext("The agenda has not started yet.") : gettext("This workshop has no agenda."));
    }
    const list = $("#agenda-list", this.root);
    if (!list) return;
    // Rebuilt only when the agenda changes; the current step is a attribute update.
    const key = JSON.stringify(agenda);
    if (list.dataset.key !== key) {
      list.dataset.key = key;
      list.replaceChildren(...agenda.map((item, index) => this.agendaItem(item, index)));
    }
    Array.from(list.children).forEach((li, index) => {
      const current = index === w.phase;
      if (current) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
      const marker = li.querySelector(".current-marker");
      if (marker) marker.hidden = !current;
    });
    $("#agenda", this.root).hidden = agenda.length === 0 && !this.isConsole;
  }

  /** One agenda line; the console adds a "set phase" button through agendaControls. */
  agendaItem(item, index) {
    const minutes = Number(item.minutes);
    return h("li", { dataset: { index } },
      h("span", { class: "agenda-title" }, item.title || ""), " ",
      minutes ? h("span", { class: "agenda-minutes" }, ngettext("%(count)s min", "%(count)s min", minutes)) : null, " ",
      h("span", { class: "current-marker", hidden: true }, gettext("now")),
      this.agendaControls ? this.agendaControls(item, index) : null);
  }

  timerRemaining() {
    const timer = this.client.state.workshop?.timer;
    if (!timer || !timer.ends_at) return 0;
    return (Date.parse(timer.ends_at) - Date.now()) / 1000;
  }

  /** Redraw the timer and the rooms' countdowns, of which only one shows. */
  renderCountdowns() {
    this.renderTimer();
    for (const countdown of this.countdowns) countdown.render();
  }

  renderTimer() {
    const box = $("#timer", this.root);
    const shown = shownCountdown(this.client.state, { expired: this.expiredNotice !== null });
    const timer = shown === "timer" ? this.client.state.workshop?.timer : null;
    clearInterval(this.timerInterval);
    this.timerInterval = null;
    const label = $("#timer-label", this.root);
    const remaining = $("#timer-remaining", this.root);
    if (timer && timer.ends_at) {
      box.hidden = false;
      box.dataset.state = "running";
      setText(label, timer.label || gettext("Timer"));
      const tick = () => {
        const left = this.timerRemaining();
        setText(remaining, formatDuration(left));
        if (left <= 0) {
          clearInterval(this.timerInterval);
          this.timerInterval = null;
        }
      };
      tick();
      this.timerInterval = setInterval(tick, 250);
    } else if (shown === "expired") {
      box.hidden = false;
      box.dataset.state = "expired";
      setText(label, this.expiredNotice || gettext("Timer"));
      setText(remaining, gettext("Time is up"));
    } else {
      box.hidden = true;
      box.dataset.state = "none";
      setText(remaining, "");
    }
  }

  renderMe() {
    const me = this.client.state.me;
    const line = $("#me-line", this.root);
    if (!me || !line) return;
    const role = roleLabel(me.role);
    setText(line, role ? gettext("You take part as %(name)s, in the role of %(role)s.", { name: me.name, role }) : gettext("You take part as %(name)s.", { name: me.name }));
    const ladder = $("#ladder", this.root);
    if (!ladder) return;
    if (!ladder.children.length) {
      ladder.append(...RUNGS.map(([key, label, description]) =>
        h("li", { dataset: { rung: key } }, h("span", { class: "rung-name" }, label()), h("span", { class: "rung-desc" }, description()))));
    }
    const index = RUNGS.findIndex(([key]) => key === me.rung);
    Array.from(ladder.children).forEach((li, i) => {
      li.dataset.reached = String(index >= 0 && i <= index);
      if (i === index) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    });
    this.shownRung = index;
    setText($("#rung-badge", this.root), index >= 0
      ? gettext("Level %(n)s of %(total)s: %(rung)s", { n: index + 1, total: RUNGS.length, rung: RUNGS[index][1]() }) : "");
    Array.from(ladder.children).forEach((li, i) => {
      const here = li.querySelector(".rung-here") || li.appendChild(h("span", { class: "rung-here" }));
      setText(here, i === index ? gettext("You are here") : "");
    });
    const next = index >= 0 && RUNGS[index + 1] ? RUNGS[index + 1][3]() : "";
    setText($("#rung-next", this.root), next ? gettext("Next step: %(hint)s", { hint: next })
      : index === RUNGS.length - 1 ? gettext("You reached the top of the ladder.") : "");
  }

  /** The people card: everyone (or everyone online) in a small workshop; counts and a few in a large one. */
  renderPeople() {
    const list = $("#people-list", this.root);
    if (!list) return;
    const search = $("#people-search", this.root);
    const view = peopleShown(this.client.state, { console: this.isConsole, query: search?.value || "" });
    const texts = peopleTexts(view);
    setText($("#people-count", this.root), texts.count);
    for (const [id, text] of [["people-roles", texts.roles], ["people-scope", texts.scope], ["people-more", texts.more], ["people-empty", texts.empty]]) {
      const el = $(`#${id}`, this.root);
      setText(el, text);
      el.hidden = !text;
    }
    const find = $("#people-find", this.root);
    if (find) {
      // The search stays while someone types in it, even if the workshop shrinks below the threshold.
      find.hidden = !view.large && !search.value;
      setText($("#people-found", this.root), texts.found);
    }
    list.setAttribute("aria-labelledby", texts.scope ? "people-scope" : view.scope === "found" ? "people-found" : "people-title");
    // Keyed update: one li per participant id, reused.
    const existing = new Map(Array.from(list.children).map((li) => [li.dataset.id, li]));
    const meId = this.client.state.me?.id;
    view.listed.forEach((p, index) => {
      const key = String(p.id);
      let li = existing.get(key);
      if (!li) {
        li = h("li", { dataset: { id: key } }, h("span", { class: "presence-dot", "aria-hidden": "true" }), h("span", { class: "person-name" }), h("span", { class: "person-role" }), h("span", { class: "person-state" }));
      }
      existing.delete(key);
      li.dataset.online = String(!!p.online);
      const name = p.id === meId ? gettext("%(name)s (you)", { name: p.name }) : p.name;
      setText(li.querySelector(".person-name"), name || "");
      setText(li.querySelector(".person-role"), roleLabel(p.role));
      setText(li.querySelector(".person-state"), this.isConsole ? (p.online ? gettext("online") : gettext("offline")) : "");
      if (list.children[index] !== li) list.insertBefore(li, list.children[index] || null);
    });
    for (const li of existing.values()) li.remove();
  }

  /** The moment this participant's mute ends, or null when they are not muted. */
  mutedUntil() {
    const until = this.client.state.me?.muted_until;
    const at = until ? Date.parse(until) : NaN;
    return Number.isNaN(at) || at <= Date.now() ? null : new Date(at);
  }

  renderMuted() {
    const note = $("#muted-note", this.root);
    if (!note) return;
    clearTimeout(this.mutedTimer);
    const until = this.mutedUntil();
    note.hidden = !until;
    setText(note, until ? gettext("A moderator has paused your contributions until %(time)s. You can still read along.", { time: clockTime(until) }) : "");
    // Lift the note by itself when the mute ends (the server needs no event for that).
    if (until) this.mutedTimer = setTimeout(() => this.renderMuted(), Math.min(until - Date.now() + 500, 2 ** 31 - 1));
  }

  renderAnnouncements() {
    const list = $("#announcement-list", this.root);
    const items = this.client.state.announcements;
    $("#announcements", this.root).hidden = items.length === 0;
    while (list.children.length < items.length) {
      const a = items[list.children.length];
      const time = clockTimeOf(a.at);
      list.prepend(h("li", {},
        h("p", { class: "announcement-text" }, a.text || ""),
        h("p", { class: "announcement-meta" }, gettext("From %(name)s", { name: a.from?.name || gettext("the facilitator") }),
          time ? [" · ", h("time", { datetime: a.at }, time)] : null)));
    }
  }
}
