// The live region's summaries: bursts counted, names listed once, no flood.
import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { AnnounceQueue, namesText, summarise } from "../static/frontend/js/announce-summary.js";

globalThis.document = { documentElement: { lang: "en-US" } };

const idea = (name) => ({ kind: "idea", name });
const reply = (name) => ({ kind: "reply", name });
const text = (t) => ({ kind: "text", text: t });

test("one idea is said as before; a burst is counted with its authors once each", () => {
  assert.equal(summarise([idea("Bram")]), "New idea from Bram.");
  assert.equal(summarise([idea("Bram"), idea("Bram"), idea("Anna"), idea("Bram")]), "4 new ideas from Bram and Anna.");
  assert.equal(summarise([reply("Anna")]), "Anna built on an idea.");
  assert.equal(summarise([reply("Anna"), reply("Eva")]), "2 ideas built on others, from Anna and Eva.");
});

test("past three names the rest are counted", () => {
  assert.equal(namesText(["A", "B", "C"]), "A, B, and C");
  assert.equal(namesText(["A", "B", "C", "D", "A", "E"]), "A, B, C and 2 others");
  assert.equal(namesText(["A", "B", "C", "D"]), "A, B, C and 1 other");
});

test("kinds keep the order they first came in; a repeated text is said once; more than three texts are counted", () => {
  assert.equal(summarise([text("The workshop has started."), idea("Bram"), reply("Anna"), idea("Eva"), text("The workshop has started.")]),
    "The workshop has started. 2 new ideas from Bram and Eva. Anna built on an idea.");
  assert.equal(summarise([text("a"), text("b"), text("c"), text("d"), text("e")]), "a b c (+2)");
});

test("plural forms come from the catalogue", () => {
  const calls = [];
  globalThis.ngettext = (s, p, n) => {
    calls.push([s, n]);
    return n === 1 ? s : p.replace("new ideas", "nieuwe ideeën");
  };
  try {
    assert.equal(summarise([idea("Bram"), idea("Anna"), idea("Bram")]), "3 nieuwe ideeën from Bram and Anna.");
    assert.deepEqual(calls, [["%(count)s new idea from %(names)s.", 3]]);
  } finally {
    delete globalThis.ngettext;
  }
});

test("the queue gathers a burst into one message and keeps messages a gap apart", () => {
  mock.timers.enable({ apis: ["setTimeout", "Date"] });
  try {
    const said = [];
    const queue = new AnnounceQueue((m) => said.push(m), { delay: 400, gap: 2500 });
    for (let i = 0; i < 6; i += 1) queue.push(idea("Bram"));
    mock.timers.tick(399);
    assert.deepEqual(said, []);
    mock.timers.tick(1);
    assert.deepEqual(said, ["6 new ideas from Bram."]);
    // More news straight after waits out the gap, then comes as one message.
    queue.push(idea("Anna"));
    mock.timers.tick(500);
    queue.push(text("Time is up."));
    mock.timers.tick(1500);
    assert.equal(said.length, 1);
    mock.timers.tick(500);
    assert.deepEqual(said, ["6 new ideas from Bram.", "New idea from Anna. Time is up."]);
    // Long after, a single message only waits the short delay.
    mock.timers.tick(10_000);
    queue.push(text("The timer was stopped."));
    mock.timers.tick(400);
    assert.equal(said.at(-1), "The timer was stopped.");
  } finally {
    mock.timers.reset();
  }
});
