// The workshop WebSocket client: snapshot and events into local state, resume with ?since=,
// and commands that survive a lost connection or a reload (resent with their original ref).
// The state lives in a Store (state.js); views subscribe to it by event type.
import { Store, isStaff, runningBreakout } from "./state.js";

export const Conn = Object.freeze({
  CONNECTING: "connecting",
  LIVE: "live",
  RECONNECTING: "reconnecting",
  OFFLINE: "offline",
});

const PING_INTERVAL_MS = 25_000;
const PONG_TIMEOUT_MS = 10_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 10_000;

/** A fresh command reference (idempotency key). */
export function newRef() {
  if (globalThis.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/** The events a frame carries: a batch's list, or the frame itself. */
function eventsOf(frame) {
  if (frame.type !== "batch") return [frame];
  return Array.isArray(frame.events) ? frame.events : [];
}

/** Error raised to a command's caller when the server answers `error`. */
export class CommandError extends Error {
  constructor(frame) {
    super(frame.message || frame.code);
    this.code = frame.code;
    this.fields = frame.fields || {};
    this.retryAfter = frame.retry_after;
  }
}

/**
 * One workshop's live connection. Events go into `store`, which tells the views. Dispatches
 * DOM events about the connection: "connection" {state}, "snapshot", "me", "need-join",
 * "refused" {code}, "fatal" {code}, "too-many", "orphan" {command, frame} (outcome of a command
 * resent after a reload). Storage, the WebSocket class and the location are injectable for tests.
 */
export class WorkshopClient extends EventTarget {
  constructor(code, { storage = globalThis.sessionStorage, WebSocketImpl = globalThis.WebSocket, location = globalThis.location } = {}) {
    super();
    this.code = code;
    this.storage = storage;
    this.WebSocketImpl = WebSocketImpl;
    this.location = location;
    this.store = new Store();
    this.conn = Conn.OFFLINE;
    this.ws = null;
    this.ready = false; // welcome received on the current socket
    this.assembling = null; // a split welcome: {welcome, left, held} until its last snapshot.part
    this.everWelcomed = false;
    this.stopped = false;
    this.attempt = 0;
    this.reconnectTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.waiters = new Map(); // ref -> {resolve, reject}
    this.pending = this.loadPending(); // ref -> command frame, in send order
    this.onOnline = () => { if (!this.stopped && !this.ws) this.connectNow(); };
    // Back from the back/forward cache: the old socket is gone, so resume with since.
    this.onPageShow = (e) => { if (e.persisted && this.closedForPageHide) this.connect(); };
    globalThis.addEventListener?.("pageshow", this.onPageShow);
    this.onOffline = () => { if (!this.ready) this.setConn(Conn.OFFLINE); };
    globalThis.addEventListener?.("online", this.onOnline);
    globalThis.addEventListener?.("offline", this.onOffline);
  }

  /** The store's state, for reading: changes go through `store.dispatch`. */
  get state() {
    return this.store.state;
  }

  get storageKey() {
    return `inspraak:pending:${this.code}`;
  }

  loadPending() {
    const pending = new Map();
    try {
      const saved = JSON.parse(this.storage?.getItem(this.storageKey) || "[]");
      for (const command of saved) if (command && command.ref && command.type) pending.set(command.ref, command);
    } catch {
      // A damaged entry is dropped rather than blocking the page.
    }
    return pending;
  }

  savePending() {
    try {
      if (this.pending.size) this.storage?.setItem(this.storageKey, JSON.stringify([...this.pending.values()]));
      else this.storage?.removeItem(this.storageKey);
    } catch {
      // Storage full or disabled: commands are still kept in memory.
    }
  }

  /** Number of commands sent but not yet answered. */
  get unacknowledged() {
    return this.pending.size;
  }

  setConn(state) {
    if (this.conn === state) return;
    this.conn = state;
    this.emit("connection", { state });
  }

  emit(type, detail = {}) {
    // A plain Event with `detail`: the same to listeners as a CustomEvent, and Node has Event.
    const event = new Event(type);
    event.detail = detail;
    this.dispatchEvent(event);
  }

  url() {
    const scheme = this.location.protocol === "https:" ? "wss:" : "ws:";
    const seq = this.store.seq;
    const since = seq === null ? "" : `?since=${encodeURIComponent(seq)}`;
    return `${scheme}//${this.location.host}/ws/workshops/${encodeURIComponent(this.code)}/${since}`;
  }

  /** Open the socket (again). Safe to call after a join or a "need-join". */
  connect() {
    this.stopped = false;
    this.closedForPageHide = false;
    this.connectNow();
  }

  connectNow() {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.ws) return;
    this.setConn(this.everWelcomed ? Conn.RECONNECTING : Conn.CONNECTING);
    const ws = new this.WebSocketImpl(this.url());
    this.ws = ws;
    this.ready = false;
    this.assembling = null;
    ws.onmessage = (e) => this.onFrame(e.data);
    ws.onclose = (e) => this.onClose(ws, e.code);
    ws.onerror = () => {}; // onclose follows and decides
  }

  /** Close when the page is hidden for good or put in the back/forward cache. */
  close() {
    this.closedForPageHide = !this.stopped;
    this.stopped = true;
    this.dropSocket();
    clearTimeout(this.reconnectTimer);
  }

  dropSocket() {
    const ws = this.ws;
    this.ws = null;
    this.ready = false;
    this.assembling = null; // parts of a lost socket's welcome are never applied
    this.stopPing();
    if (ws) {
      ws.onmessage = ws.onclose = ws.onerror = null;
      try { ws.close(); } catch { /* already closed */ }
    }
  }

  onClose(ws, code) {
    if (ws !== this.ws) return;
    const hadWelcome = this.ready;
    this.dropSocket();
    if (this.stopped) return;
    if (code === 4401 && hadWelcome) {
      // A role was changed or taken away: start over with a full snapshot of what the role may see
      // now (nothing kept from the old one). Refused again before a welcome: join first, below.
      this.store.seq = null;
      this.attempt = 0;
      this.connectNow();
      return;
    }
    if (code === 4401) {
      this.stopped = true;
      this.setConn(Conn.OFFLINE);
      this.emit("need-join", { code });
      return;
    }
    if (code === 4403 || code === 4404) {
      this.stopped = true;
      this.setConn(Conn.OFFLINE);
      this.emit("fatal", { code });
      return;
    }
    if (code === 1006 && !hadWelcome && !this.everWelcomed && this.attempt === 0) {
      // Refused before the first welcome (an HTTP-level refusal shows up as 1006): the page
      // decides whether that means "join first", "no such workshop" or "server down".
      this.stopped = true;
      this.setConn(Conn.OFFLINE);
      this.emit("refused", { code });
      return;
    }
    if (code === 4429) {
      // Too many sockets for this participant: keep trying, more slowly, and say why.
      this.emit("too-many", { code });
      this.attempt = Math.max(this.attempt, 4);
      this.scheduleReconnect();
      return;
    }
    if (code === 4408) {
      this.attempt = 0;
      this.connectNow();
      return;
    }
    this.scheduleReconnect();
  }

  /** Try again after an exponential, jittered delay (capped at 10 s). */
  scheduleReconnect() {
    this.stopped = false;
    clearTimeout(this.reconnectTimer);
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.attempt += 1;
    this.setConn(globalThis.navigator?.onLine === false ? Conn.OFFLINE : Conn.RECONNECTING);
    this.reconnectTimer = setTimeout(() => this.connectNow(), delay);
  }

  startPing() {
    this.stopPing();
    this.pingTimer = setInterval(() => {
      if (!this.ready) return;
      this.rawSend({ type: "ping", ref: newRef() });
      clearTimeout(this.pongTimer);
      // No answer at all: the connection is half-open, so start over with since.
      this.pongTimer = setTimeout(() => {
        this.dropSocket();
        this.scheduleReconnect();
      }, PONG_TIMEOUT_MS);
    }, PING_INTERVAL_MS);
  }

  stopPing() {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.pingTimer = this.pongTimer = null;
  }

  rawSend(frame) {
    if (!this.ws || this.ws.readyState !== 1) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /**
   * Send a command; resolves with the ack frame, rejects with CommandError. The command is
   * kept (also across a reload) until answered and resent with the same ref after reconnecting.
   */
  send(type, fields = {}) {
    const command = { ...fields, type, ref: newRef() };
    this.pending.set(command.ref, command);
    this.savePending();
    const answer = new Promise((resolve, reject) => this.waiters.set(command.ref, { resolve, reject }));
    if (this.ready) this.rawSend(command);
    return answer;
  }

  /** Whether a command's ref is still waiting for its answer. */
  isPending(ref) {
    return this.pending.has(ref);
  }

  onFrame(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (!frame || typeof frame !== "object") return;
    clearTimeout(this.pongTimer);
    if (this.assembling && (frame.type === "batch" || (frame.type !== "snapshot.part" && typeof frame.seq === "number"))) {
      this.assembling.held.push(...eventsOf(frame)); // events before the last part wait for the snapshot
      return;
    }
    switch (frame.type) {
      case "welcome":
        if (frame.parts > 0 && !frame.resumed) {
          this.assembling = { welcome: { ...frame }, left: frame.parts, held: [] };
          return;
        }
        this.onWelcome(frame);
        return;
      case "snapshot.part":
        this.onPart(frame);
        return;
      case "ack":
      case "error":
        this.onAnswer(frame);
        return;
      case "pong":
        return;
      case "batch":
        this.onEvents(eventsOf(frame));
        return;
      default:
        if (typeof frame.seq === "number") this.onEvent(frame);
    }
  }

  onWelcome(frame) {
    if (!frame.resumed) {
      this.store.reset(frame);
    } else if (frame.me) {
      if (this.roomChanged(frame.me.room)) {
        // Moved to another room while away: the replay cannot bring that room's board, a snapshot can.
        this.resync();
        return;
      }
      // Resumed: local state stays; replayed events follow, so the seq must not jump ahead.
      this.store.dispatch({ type: "me.resumed", me: frame.me });
      this.emit("me");
    }
    this.ready = true;
    this.everWelcomed = true;
    this.attempt = 0;
    this.setConn(Conn.LIVE);
    if (!frame.resumed) this.emit("snapshot");
    this.startPing();
    for (const command of this.pending.values()) this.rawSend(command);
  }

  /** A part of a split welcome: its lists go after the welcome's; the last one makes the snapshot. */
  onPart(frame) {
    const assembling = this.assembling;
    if (!assembling) return;
    for (const [name, items] of Object.entries(frame)) {
      if (Array.isArray(items)) assembling.welcome[name] = (assembling.welcome[name] || []).concat(items);
    }
    assembling.left -= 1;
    if (!frame.last && assembling.left > 0) return;
    this.assembling = null;
    delete assembling.welcome.parts;
    const ws = this.ws;
    this.onWelcome(assembling.welcome);
    if (this.ws === ws) this.onEvents(assembling.held);
  }

  onAnswer(frame) {
    const command = this.pending.get(frame.ref);
    if (!command) return; // a ping's pong-like answer, or already settled
    this.pending.delete(frame.ref);
    this.savePending();
    const waiter = this.waiters.get(frame.ref);
    this.waiters.delete(frame.ref);
    if (waiter) {
      if (frame.type === "ack") waiter.resolve(frame);
      else waiter.reject(new CommandError(frame));
    } else {
      this.emit("orphan", { command, frame });
    }
  }

  /**
   * Events in seq order (a batch, or those held back while a welcome was assembled): each goes
   * in as if it had come alone, but views that redraw from the state do so once, at the end.
   */
  onEvents(events) {
    const ws = this.ws;
    this.store.batch(() => {
      for (const event of events) {
        if (this.ws !== ws) return; // a resync started over: its snapshot brings the rest
        if (event && typeof event === "object" && typeof event.seq === "number") this.onEvent(event);
      }
    });
  }

  onEvent(frame) {
    if (this.store.seen(frame)) return;
    // A citizen moved into a room (or choosing one) gets none of its earlier ideas as events, and a
    // breakout.closed too large to carry the room boards' ideas leaves them out (2.9): start over.
    const resync = (frame.type === "room.assigned" && this.roomChanged(frame.room))
      || (frame.type === "breakout.closed" && !("ideas" in frame) && !isStaff(this.state.me));
    this.store.apply(frame);
    if (resync) this.resync();
  }

  /** Whether a citizen's room differs from the one this page shows (staff read every room). */
  roomChanged(room) {
    const me = this.state.me;
    if (!me || isStaff(me) || room === undefined || room === null) return false;
    return (me.room ?? null) !== room && !!runningBreakout(this.state);
  }

  /** Start over with a full snapshot (no ?since=); unanswered commands are resent as usual. */
  resync() {
    this.store.seq = null;
    this.dropSocket();
    this.connectNow();
  }
}
