// The socket client without a browser: a fake WebSocket class and storage are injected, so resume
// with ?since=, resending unanswered commands with their refs, and the close codes can be tested.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Conn, CommandError, WorkshopClient } from "../static/frontend/js/client.js";

/** A WebSocket class that records every socket made; tests play the server's side. */
function fakeSockets() {
  const made = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.sent = [];
      this.readyState = 1;
      made.push(this);
    }
    send(data) { this.sent.push(JSON.parse(data)); }
    close() { this.closed = true; }
    receive(frame) { this.onmessage({ data: JSON.stringify(frame) }); }
    drop(code) { this.onclose({ code }); }
  }
  return { FakeSocket, made, last: () => made[made.length - 1] };
}

function memoryStorage() {
  const items = new Map();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, String(v)), removeItem: (k) => items.delete(k), items };
}

const ME = { id: 1, name: "Me", role: "citizen", room: null };
const welcome = (extra = {}) => ({ type: "welcome", seq: 10, me: ME, workshop: { status: "live", breakout: null }, participants: [], boards: [], ideas: [], ...extra });

/** A client on fake sockets; `t.after` closes it so no ping timer keeps Node running. */
function makeClient(t, { storage = memoryStorage() } = {}) {
  const sockets = fakeSockets();
  const client = new WorkshopClient("abc", { storage, WebSocketImpl: sockets.FakeSocket, location: { protocol: "https:", host: "x.test" } });
  const heard = [];
  for (const type of ["connection", "snapshot", "me", "need-join", "refused", "fatal", "too-many", "orphan"]) {
    client.addEventListener(type, (e) => heard.push([type, e.detail]));
  }
  t.after(() => client.close());
  return { client, sockets, heard, storage };
}

test("the first connection asks for everything; the welcome makes the state and the page live", (t) => {
  const { client, sockets, heard } = makeClient(t);
  client.connect();
  assert.equal(sockets.last().url, "wss://x.test/ws/workshops/abc/");
  assert.equal(client.conn, Conn.CONNECTING);
  sockets.last().receive(welcome());
  assert.equal(client.conn, Conn.LIVE);
  assert.equal(client.state.me.name, "Me");
  assert.equal(client.store.seq, 10);
  assert.ok(heard.some(([type]) => type === "snapshot"));
});

test("events go into the store once; after a drop the client resumes with since", (t) => {
  const { client, sockets } = makeClient(t);
  const seen = [];
  client.store.on("*", (ev) => seen.push(ev.seq));
  client.connect();
  const ws = sockets.last();
  ws.receive(welcome());
  ws.receive({ type: "phase.changed", phase: 1, seq: 11 });
  ws.receive({ type: "phase.changed", phase: 1, seq: 11 });
  ws.receive({ type: "phase.changed", phase: 0, seq: 9 });
  assert.deepEqual(seen, [11]);
  assert.equal(client.state.workshop.phase, 1);
  ws.drop(1006);
  assert.equal(client.conn, Conn.RECONNECTING);
  client.connectNow(); // what the backoff timer does
  assert.equal(sockets.last().url, "wss://x.test/ws/workshops/abc/?since=11");
});

test("a resumed welcome keeps the state and the seq and merges what it says about me", (t) => {
  const { client, sockets, heard } = makeClient(t);
  client.connect();
  sockets.last().receive(welcome());
  sockets.last().receive({ type: "phase.changed", phase: 2, seq: 12 });
  sockets.last().drop(1006);
  client.connectNow();
  sockets.last().receive({ type: "welcome", resumed: true, seq: 40, me: { ...ME, muted_until: "2030-01-01T00:00:00Z" } });
  assert.equal(client.state.workshop.phase, 2);
  assert.equal(client.store.seq, 12, "replayed events follow; the seq does not jump ahead");
  assert.equal(client.state.me.muted_until, "2030-01-01T00:00:00Z");
  assert.ok(heard.some(([type]) => type === "me"));
  assert.equal(heard.filter(([type]) => type === "snapshot").length, 1);
});

test("a command sent while offline waits, is sent after the welcome and resent with its ref after a reconnect", async (t) => {
  const { client, sockets, storage } = makeClient(t);
  client.connect();
  const answer = client.send("idea.post", { board: 1, text: "hello" });
  assert.deepEqual(sockets.last().sent, [], "nothing goes out before the welcome");
  assert.equal(client.unacknowledged, 1);
  sockets.last().receive(welcome());
  const [first] = sockets.last().sent;
  assert.equal(first.type, "idea.post");
  assert.equal(first.text, "hello");
  assert.ok(first.ref);
  assert.ok(storage.getItem("inspraak:pending:abc").includes(first.ref), "kept across a reload");
  sockets.last().drop(1011);
  client.connectNow();
  sockets.last().receive({ type: "welcome", resumed: true, seq: 10, me: ME });
  assert.deepEqual(sockets.last().sent.map((f) => f.ref), [first.ref], "resent with the same ref");
  sockets.last().receive({ type: "ack", ref: first.ref, id: 5, status: "visible" });
  assert.equal((await answer).id, 5);
  assert.equal(client.unacknowledged, 0);
  assert.equal(storage.getItem("inspraak:pending:abc"), null);
});

test("an error answer rejects with a CommandError carrying code, fields and retry_after", async (t) => {
  const { client, sockets } = makeClient(t);
  client.connect();
  sockets.last().receive(welcome());
  const answer = client.send("idea.post", { board: 1, text: "" });
  const { ref } = sockets.last().sent[0];
  sockets.last().receive({ type: "error", ref, code: "invalid", message: "No.", fields: { text: ["Required."] }, retry_after: 3 });
  await assert.rejects(answer, (err) => err instanceof CommandError && err.code === "invalid"
    && err.fields.text[0] === "Required." && err.retryAfter === 3 && err.message === "No.");
  assert.equal(client.isPending(ref), false);
});

test("commands stored by an earlier page are resent, and their answers come as orphans", (t) => {
  const storage = memoryStorage();
  storage.setItem("inspraak:pending:abc", JSON.stringify([{ type: "idea.react", idea: 5, value: "agree", ref: "r-1" }, { broken: true }]));
  const { client, sockets, heard } = makeClient(t, { storage });
  assert.equal(client.unacknowledged, 1, "a damaged entry is dropped");
  client.connect();
  sockets.last().receive(welcome());
  assert.deepEqual(sockets.last().sent, [{ type: "idea.react", idea: 5, value: "agree", ref: "r-1" }]);
  sockets.last().receive({ type: "error", ref: "r-1", code: "not_found" });
  const orphan = heard.find(([type]) => type === "orphan");
  assert.equal(orphan[1].command.ref, "r-1");
  assert.equal(orphan[1].frame.code, "not_found");
});

test("4401 after a welcome starts over with a full snapshot; before one it asks to join", (t) => {
  const { client, sockets, heard } = makeClient(t);
  client.connect();
  sockets.last().receive(welcome());
  sockets.last().receive({ type: "phase.changed", phase: 1, seq: 11 });
  sockets.last().drop(4401);
  assert.equal(sockets.made.length, 2, "reconnects at once");
  assert.equal(sockets.last().url, "wss://x.test/ws/workshops/abc/", "without since: nothing kept from the old role");
  sockets.last().drop(4401);
  assert.equal(sockets.made.length, 2, "refused again before a welcome: no more tries");
  assert.equal(client.conn, Conn.OFFLINE);
  assert.ok(heard.some(([type]) => type === "need-join"));
});

test("4403 and 4404 are final; 1006 before any welcome is a refusal for the page to explain", (t) => {
  for (const code of [4403, 4404]) {
    const { client, sockets, heard } = makeClient(t);
    client.connect();
    sockets.last().drop(code);
    assert.equal(client.stopped, true);
    assert.deepEqual(heard.find(([type]) => type === "fatal")[1], { code });
    assert.equal(client.reconnectTimer, null);
  }
  const { client, sockets, heard } = makeClient(t);
  client.connect();
  sockets.last().drop(1006);
  assert.ok(heard.some(([type]) => type === "refused"));
  assert.equal(client.conn, Conn.OFFLINE);
});

test("4408 reconnects at once and keeps since; 4429 says so and backs off", (t) => {
  const { client, sockets, heard } = makeClient(t);
  client.connect();
  sockets.last().receive(welcome());
  sockets.last().receive({ type: "phase.changed", phase: 1, seq: 13 });
  sockets.last().drop(4408);
  assert.equal(sockets.made.length, 2);
  assert.equal(sockets.last().url, "wss://x.test/ws/workshops/abc/?since=13");
  sockets.last().drop(4429);
  assert.ok(heard.some(([type]) => type === "too-many"));
  assert.equal(sockets.made.length, 2, "no socket until the backoff timer");
  assert.ok(client.reconnectTimer !== null);
  assert.ok(client.attempt >= 5);
});

test("a citizen moved to another room while a breakout runs resyncs with a full snapshot", (t) => {
  const { client, sockets } = makeClient(t);
  client.connect();
  sockets.last().receive(welcome({ workshop: { status: "live", breakout: { id: 1, status: "open" } } }));
  sockets.last().receive({ type: "room.assigned", room: 3, seq: 11 });
  assert.equal(sockets.made.length, 2);
  assert.equal(sockets.last().url, "wss://x.test/ws/workshops/abc/");
  assert.equal(sockets.made[0].closed, true);
});

test("a breakout.closed that left its ideas out makes a citizen start over; with them, or for staff, it does not", (t) => {
  const closed = { type: "breakout.closed", breakout: 1, reports: [], boards: [] };
  const { client, sockets } = makeClient(t);
  client.connect();
  sockets.last().receive(welcome({ workshop: { status: "live", breakout: { id: 1, status: "open" } } }));
  sockets.last().receive({ ...closed, ideas: [], seq: 11 });
  assert.equal(sockets.made.length, 1, "the ideas came with the event");
  sockets.last().receive({ ...closed, seq: 12 });
  assert.equal(sockets.made.length, 2);
  assert.equal(sockets.last().url, "wss://x.test/ws/workshops/abc/");

  const staff = makeClient(t);
  staff.client.connect();
  staff.sockets.last().receive(welcome({ me: { ...ME, role: "facilitator" } }));
  staff.sockets.last().receive({ ...closed, seq: 12 });
  assert.equal(staff.sockets.made.length, 1, "staff read every room already");
});

test("in the waiting room no seq is kept, so being let in brings a full snapshot", (t) => {
  const { client, sockets } = makeClient(t);
  client.connect();
  sockets.last().receive(welcome({ me: { ...ME, admitted: false } }));
  assert.equal(client.store.seq, null);
  sockets.last().receive({ type: "participant.admitted", participant: { id: 1 }, seq: 30 });
  assert.equal(client.state.me.admitted, true);
  sockets.last().drop(4401);
  assert.equal(sockets.last().url, "wss://x.test/ws/workshops/abc/");
});

test("a split welcome is assembled from its parts before the page goes live; events after it follow", (t) => {
  const { client, sockets, heard } = makeClient(t);
  const seen = [];
  client.store.on("*", (ev) => seen.push(ev.seq));
  client.connect();
  const ws = sockets.last();
  const idea = (id) => ({ id, board: 1, text: `idea ${id}`, status: "visible", reactions: { agree: 0, disagree: 0, pass: 0 } });
  ws.receive(welcome({ parts: 2, ideas: [idea(1)] }));
  assert.equal(client.conn, Conn.CONNECTING);
  assert.equal(client.store.seq, null);
  ws.receive({ type: "snapshot.part", ideas: [idea(2), idea(3)], participants: [{ id: 2, name: "Bo" }], last: false });
  ws.receive({ type: "phase.changed", phase: 1, seq: 11 }); // out of order: kept until the snapshot is whole
  assert.ok(!heard.some(([type]) => type === "snapshot"));
  ws.receive({ type: "snapshot.part", ideas: [idea(4)], last: true });
  assert.equal(client.conn, Conn.LIVE);
  assert.ok(heard.some(([type]) => type === "snapshot"));
  assert.deepEqual([...client.state.ideas.keys()].sort(), [1, 2, 3, 4]);
  assert.deepEqual(client.state.participants.get(2)?.name, "Bo");
  ws.receive({ type: "phase.changed", phase: 2, seq: 12 });
  assert.deepEqual(seen, [11, 12]);
  assert.equal(client.state.workshop.phase, 2);
  assert.equal(client.store.seq, 12);
});

test("a socket lost in the middle of a split welcome starts over; none of its parts are kept", (t) => {
  const { client, sockets } = makeClient(t);
  client.connect();
  sockets.last().receive(welcome({ parts: 2, ideas: [{ id: 1, board: 1, text: "one" }] }));
  sockets.last().receive({ type: "snapshot.part", ideas: [{ id: 2, board: 1, text: "two" }], last: false });
  sockets.last().drop(1006);
  assert.equal(client.store.seq, null);
  client.connectNow();
  assert.equal(sockets.last().url, "wss://x.test/ws/workshops/abc/"); // no since: nothing was applied
  const ws = sockets.last();
  ws.receive({ type: "snapshot.part", ideas: [{ id: 9, board: 1, text: "stray" }], last: true }); // no welcome yet
  ws.receive(welcome({ seq: 20, parts: 1, ideas: [{ id: 1, board: 1, text: "one" }] }));
  ws.receive({ type: "snapshot.part", ideas: [{ id: 3, board: 1, text: "three" }], last: true });
  assert.equal(client.conn, Conn.LIVE);
  assert.equal(client.store.seq, 20);
  assert.deepEqual([...client.state.ideas.keys()].sort(), [1, 3]);
});

const reactions = (agree) => ({ agree, disagree: 0, pass: 0 });
const anIdea = (id, agree = 0) => ({ id, board: 1, text: `idea ${id}`, status: "visible", reactions: reactions(agree) });
const presence = (id, online, seq) => ({ type: "presence.changed", participant: { id, name: `P${id}`, role: "citizen", online, room: null }, seq });

test("a batch goes in as its events would one by one: in order, each once, seqs skipped by coalescing are no gap", (t) => {
  const { client, sockets } = makeClient(t);
  const seen = [];
  client.store.on("*", (ev) => seen.push(ev.seq));
  client.connect();
  const ws = sockets.last();
  ws.receive(welcome({ ideas: [anIdea(1), anIdea(2)] }));
  ws.receive({ type: "batch", events: [
    { type: "phase.changed", phase: 1, seq: 11 },
    { type: "idea.reacted", idea: 1, reactions: reactions(3), seq: 14 }, // 12 and 13 were coalesced away
    { type: "idea.reacted", idea: 2, reactions: reactions(1), seq: 15 },
  ] });
  ws.receive({ type: "batch", events: [
    { type: "idea.reacted", idea: 1, reactions: reactions(2), seq: 14 }, // already had: skipped
    { type: "idea.reacted", idea: 1, reactions: reactions(5), seq: 17 },
  ] });
  ws.receive({ type: "phase.changed", phase: 2, seq: 18 });
  assert.deepEqual(seen, [11, 14, 15, 17, 18]);
  assert.equal(client.state.ideas.get(1).reactions.agree, 5);
  assert.equal(client.state.ideas.get(2).reactions.agree, 1);
  assert.equal(client.state.workshop.phase, 2);
  assert.equal(client.store.seq, 18);
  ws.drop(1006);
  client.connectNow();
  assert.equal(sockets.last().url, "wss://x.test/ws/workshops/abc/?since=18");
});

test("a batch of 200 presence changes tells each listener of each one, but each watching view once", (t) => {
  const { client, sockets } = makeClient(t);
  const told = [];
  let redrawn = 0;
  client.store.on("presence.changed", (ev) => told.push(ev.participant.id));
  client.store.watch(["presence.changed", "participant.removed"], () => {
    redrawn += 1;
  });
  client.connect();
  const ws = sockets.last();
  ws.receive(welcome());
  const events = Array.from({ length: 200 }, (_, i) => presence(100 + i, true, 11 + i));
  ws.receive({ type: "batch", events });
  assert.equal(told.length, 200);
  assert.equal(redrawn, 1);
  assert.equal(client.state.participants.size, 200);
  assert.equal(client.store.seq, 210);
  ws.receive(presence(100, false, 211));
  assert.equal(redrawn, 2, "an event alone is told at once");
  assert.equal(client.state.participants.get(100).online, false);
  ws.receive({ type: "batch", events: [{ type: "phase.changed", phase: 1, seq: 212 }] });
  assert.equal(redrawn, 2, "a batch without presence changes does not redraw the people");
});

test("batches that come while a welcome is assembled wait for its last part, then go in once", (t) => {
  const { client, sockets, heard } = makeClient(t);
  const seen = [];
  let redrawn = 0;
  client.store.on("*", (ev) => seen.push(ev.seq));
  client.store.watch("*", () => {
    redrawn += 1;
  });
  client.connect();
  const ws = sockets.last();
  ws.receive(welcome({ parts: 2, ideas: [anIdea(1)] }));
  ws.receive({ type: "snapshot.part", ideas: [anIdea(2)], last: false });
  ws.receive({ type: "batch", events: [
    { type: "idea.reacted", idea: 2, reactions: reactions(4), seq: 9 }, // in the snapshot already
    { type: "idea.reacted", idea: 2, reactions: reactions(7), seq: 12 },
    presence(5, true, 13),
  ] });
  ws.receive({ type: "phase.changed", phase: 1, seq: 14 });
  assert.deepEqual(seen, [], "nothing before the snapshot is whole");
  assert.ok(!heard.some(([type]) => type === "snapshot"));
  ws.receive({ type: "snapshot.part", ideas: [anIdea(3, 1)], last: true });
  assert.ok(heard.some(([type]) => type === "snapshot"));
  assert.deepEqual(seen, [12, 13, 14]);
  assert.equal(redrawn, 1);
  assert.equal(client.state.ideas.get(2).reactions.agree, 7);
  assert.equal(client.state.ideas.get(3).reactions.agree, 1);
  assert.equal(client.state.participants.get(5).online, true);
  assert.equal(client.store.seq, 14);
});

test("a batch that moves a citizen to another room starts over there and applies nothing after", (t) => {
  const { client, sockets } = makeClient(t);
  client.connect();
  sockets.last().receive(welcome({ workshop: { status: "live", breakout: { id: 1, status: "open" }, phase: 0 } }));
  sockets.last().receive({ type: "batch", events: [
    { type: "room.assigned", room: 3, seq: 11 },
    { type: "phase.changed", phase: 4, seq: 12 },
  ] });
  assert.equal(sockets.made.length, 2);
  assert.equal(sockets.last().url, "wss://x.test/ws/workshops/abc/");
  assert.equal(client.state.workshop.phase, 0, "the rest of the batch comes with the new snapshot");
});
