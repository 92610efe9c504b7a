// Whom the people card names for N participants: everyone in a small workshop, counts and the
// people of one's own room (or the staff) in a large one, and what a staff search finds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LARGE_WORKSHOP, companionsText, fold, foundText, peopleShown, peopleTexts, searchPeople } from "../static/frontend/js/people.js";
import { emptyState } from "../static/frontend/js/state.js";

const BREAKOUT = { id: 1, status: "open", mode: "random" };

/**
 * A workshop of `citizens` citizens (every other one online, those with an odd id in room 11, the
 * others in room 12 when a breakout runs) and two facilitators and a moderator, one of them offline.
 */
function workshop(citizens, { me = { id: 1, role: "citizen" }, breakout = BREAKOUT, extra = [] } = {}) {
  const s = emptyState();
  s.workshop = { status: "live", breakout };
  s.rooms.set(11, { id: 11, name: "Room 1", board: 21, breakout: 1 });
  s.rooms.set(12, { id: 12, name: "Room 2", board: 22, breakout: 1 });
  for (let id = 1; id <= citizens; id += 1) {
    s.participants.set(id, { id, name: `Citizen ${String(id).padStart(5, "0")}`, role: "citizen", online: id % 2 === 1 || id === 2,
      room: breakout ? (id % 2 ? 11 : 12) : null });
  }
  const staff = [{ id: 90001, name: "Fatima", role: "facilitator", online: true }, { id: 90002, name: "Gert", role: "facilitator", online: false },
    { id: 90003, name: "Mo", role: "moderator", online: true }, ...extra];
  for (const p of staff) s.participants.set(p.id, { room: null, ...p });
  const mine = s.participants.get(me.id);
  s.me = { ...mine, ...me };
  return s;
}

test("a workshop of up to LARGE_WORKSHOP people names everyone on the console and everyone online for a citizen", () => {
  assert.equal(LARGE_WORKSHOP, 60);
  const s = workshop(LARGE_WORKSHOP - 3); // 57 citizens and 3 staff: 60
  const citizen = peopleShown(s);
  assert.equal(citizen.large, false);
  assert.equal(citizen.scope, "online");
  assert.equal(citizen.total, 60);
  assert.deepEqual(citizen.listed.map((p) => p.online), Array(citizen.online).fill(true));
  assert.equal(citizen.listed.length, citizen.online);
  const staff = peopleShown(s, { console: true, query: "Fatima" });
  assert.equal(staff.scope, "everyone", "no search in a small workshop");
  assert.equal(staff.listed.length, 60);
  assert.equal(staff.more, 0);
  assert.equal(staff.listed.at(-1).online, false, "online first");
  assert.deepEqual(peopleTexts(citizen).count, `${citizen.online} online`);
  assert.equal(peopleTexts(citizen).roles, "");
});

test("past LARGE_WORKSHOP a citizen in an open room sees the counts and the people of that room only", () => {
  const s = workshop(LARGE_WORKSHOP); // 63 people
  const view = peopleShown(s);
  assert.equal(view.large, true);
  assert.equal(view.scope, "room");
  assert.equal(view.room.id, 11);
  assert.ok(view.listed.length > 0);
  assert.ok(view.listed.every((p) => p.room === 11 && p.online && p.role === "citizen"));
  assert.equal(view.listed.length, 30, "the 30 citizens with an odd id, all online");
  assert.deepEqual(view.roomCounts.total, 30);
  assert.deepEqual(view.roles, [
    { role: "facilitator", total: 2, online: 1 },
    { role: "moderator", total: 1, online: 1 },
    { role: "citizen", total: 60, online: 31 },
  ]);
  const texts = peopleTexts(view);
  assert.equal(texts.count, "33 of 63 online");
  assert.equal(texts.roles, "2 facilitators, 1 online · 1 moderator, 1 online · 60 citizens, 31 online");
  assert.equal(texts.scope, "In Room 1: 30 of 30 online");
  assert.equal(texts.more, "");
  assert.equal(texts.empty, "");
});

test("past LARGE_WORKSHOP a citizen in no open room sees the counts and the staff online", () => {
  for (const s of [workshop(500, { breakout: null }), workshop(500, { me: { id: 1, role: "citizen", room: null } })]) {
    const view = peopleShown(s);
    assert.equal(view.scope, "staff");
    assert.deepEqual(view.listed.map((p) => p.name), ["Fatima", "Mo"], "online staff only, by name");
    assert.equal(peopleTexts(view).scope, "Staff online");
  }
  const closed = workshop(500);
  closed.workshop = { ...closed.workshop, breakout: null }; // the rooms closed, the room is history
  assert.equal(peopleShown(closed).scope, "staff");
  const nobody = workshop(500, { breakout: null });
  for (const id of [90001, 90003]) nobody.participants.set(id, { ...nobody.participants.get(id), online: false });
  const empty = peopleTexts(peopleShown(nobody));
  assert.equal(empty.empty, "No staff member is online right now.");
});

test("a room larger than the list is cut at LARGE_WORKSHOP names with how many more", () => {
  const s = workshop(5000);
  const view = peopleShown(s);
  assert.equal(view.scope, "room");
  assert.equal(view.listed.length, LARGE_WORKSHOP);
  assert.equal(view.more, view.roomCounts.online - LARGE_WORKSHOP);
  assert.equal(peopleTexts(view).more, `And ${view.more} more.`);
  assert.equal(peopleTexts(view).count, `${view.online} of 5003 online`);
});

test("staff of a large workshop see the counts and the staff; their search finds anyone by part of a name", () => {
  const s = workshop(2000, { me: { id: 90001, role: "facilitator" }, extra: [
    { id: 90004, name: "Zoë Ångström", role: "citizen", online: false },
    { id: 90005, name: "Zoe Removed", role: "citizen", online: true, removed: true },
  ] });
  const view = peopleShown(s, { console: true });
  assert.equal(view.scope, "staff");
  assert.deepEqual(view.listed.map((p) => p.name), ["Fatima", "Mo", "Gert"], "all staff, online first");
  assert.equal(peopleTexts(view).scope, "Staff");
  assert.equal(view.total, 2004, "a removed participant is not counted");

  const zoe = peopleShown(s, { console: true, query: "  zoe angs" });
  assert.equal(zoe.scope, "found");
  assert.deepEqual(zoe.listed.map((p) => p.id), [90004]);
  assert.equal(peopleTexts(zoe).found, "1 person found.");
  const many = peopleShown(s, { console: true, query: "citizen 01" });
  assert.equal(many.listed.length, LARGE_WORKSHOP);
  assert.equal(many.listed.length + many.more, 1000, "Citizen 01000 to Citizen 01999");
  assert.equal(peopleTexts(many).found, "1000 people found. The first 60 are listed: type more of the name.");
  assert.equal(peopleTexts(many).more, "");
  const none = peopleShown(s, { console: true, query: "nobody like this" });
  assert.deepEqual(none.listed, []);
  assert.equal(peopleTexts(none).found, "Nobody found.");
  assert.equal(peopleTexts(none).empty, "", "the search's status says so");
});

test("search helpers fold case and accents and cut the list", () => {
  assert.equal(fold(" ÉLodie "), "elodie");
  const people = [{ id: 3, name: "Élodie", online: false }, { id: 2, name: "elodie", online: true }, { id: 1, name: "Bo", online: true }];
  assert.deepEqual(searchPeople(people, "Elo").listed.map((p) => p.id), [2, 3]);
  assert.deepEqual(searchPeople(people, "Elo", 1), { listed: [people[1]], count: 2 });
  assert.deepEqual(searchPeople(people, "   ").listed, [], "an empty search finds nobody");
  assert.equal(foundText(2, 2), "2 people found.");
});

test("one's room companions are named, or counted when there are too many", () => {
  assert.equal(companionsText([]), "Nobody else is in this room yet.");
  assert.equal(companionsText(["An", "Bo"]), "With: An, Bo");
  const many = Array.from({ length: LARGE_WORKSHOP + 1 }, (_, i) => `P${i}`);
  assert.equal(companionsText(many), "With 61 other people.");
  assert.equal(companionsText(many.slice(1)).startsWith("With: P1, P2"), true);
});
