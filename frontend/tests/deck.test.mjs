// One idea at a time: which key presses react, and how the shown idea is kept in the store.
import { test } from "node:test";
import assert from "node:assert/strict";
import { deckKey } from "../static/frontend/js/deck.js";
import { Store, applyAction, emptyState, stateFromSnapshot } from "../static/frontend/js/state.js";

const key = (k, extra = {}) => ({ key: k, target: { tagName: "BUTTON" }, ...extra });

test("a, d and p react; other keys do not", () => {
  assert.equal(deckKey(key("a")), "agree");
  assert.equal(deckKey(key("d")), "disagree");
  assert.equal(deckKey(key("p")), "pass");
  assert.equal(deckKey(key("A")), "agree");
  assert.equal(deckKey(key("x")), null);
  assert.equal(deckKey(key("Enter")), null);
});

test("keys typed into a text field, with a modifier or held down do not react", () => {
  for (const tagName of ["INPUT", "TEXTAREA", "SELECT"]) assert.equal(deckKey(key("a", { target: { tagName } })), null);
  assert.equal(deckKey(key("a", { target: { tagName: "DIV", isContentEditable: true } })), null);
  assert.equal(deckKey(key("a", { ctrlKey: true })), null);
  assert.equal(deckKey(key("d", { metaKey: true })), null);
  assert.equal(deckKey(key("p", { altKey: true })), null);
  assert.equal(deckKey(key("a", { repeat: true })), null);
});

test("deck.shown keeps the idea, null when none is left, and survives a new snapshot", () => {
  const s = emptyState();
  assert.equal(s.deck, undefined);
  const idea = { id: 4, text: "Trees", author: { id: 2, name: "Bo" } };
  applyAction(s, { type: "deck.shown", idea });
  assert.deepEqual(s.deck, idea);
  const again = stateFromSnapshot({ me: { id: 1 }, workshop: { status: "live" } }, s);
  assert.deepEqual(again.deck, idea);
  applyAction(s, { type: "deck.shown", idea: null });
  assert.equal(s.deck, null);
});

test("the store tells the views that subscribe to deck.shown", () => {
  const store = new Store();
  const seen = [];
  store.on("deck.shown", (action) => seen.push(action.idea));
  store.dispatch({ type: "deck.shown", idea: null });
  assert.deepEqual(seen, [null]);
  assert.equal(store.state.deck, null);
});
