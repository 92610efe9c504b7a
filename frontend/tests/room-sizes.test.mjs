// The console's preview of room sizes, on the cases the server's own dealing is tested with
// (tests/workshops/test_assignment.py reads the same file).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dealSizes, previewSizes, sizeWarnings } from "../static/frontend/js/room-sizes.js";

const cases = JSON.parse(readFileSync(new URL("./room-sizes-cases.json", import.meta.url)));

for (const c of cases) {
  test(`room sizes: ${c.what}`, () => {
    const citizens = Array.from({ length: c.citizens }, (_, i) => i + 1);
    const assignments = new Map((c.assigned || []).map((room, i) => [i + 1, room]));
    const sizes = previewSizes({ mode: c.mode, rooms: c.rooms, citizens, assignments });
    assert.deepEqual(sizes && [...sizes].sort((a, b) => b - a), c.sizes);
  });
}

test("dealing goes round one per room, smallest rooms first", () => {
  assert.deepEqual(dealSizes([4], [3, 0]), [5, 2]);
  assert.deepEqual(dealSizes([1, 1], [0, 0, 0]), [1, 1, 0]);
  assert.deepEqual(dealSizes([2], []), []);
});

test("manual choices for rooms that are no longer asked for count as unplaced", () => {
  const sizes = previewSizes({ mode: "manual", rooms: 2, citizens: [1, 2, 3], assignments: new Map([[1, 5], [2, 1]]) });
  assert.deepEqual(sizes, [1, 2]);
});

test("warnings count rooms of one and empty rooms", () => {
  assert.deepEqual(sizeWarnings([1, 1, 1]), { alone: 3, empty: 0 });
  assert.deepEqual(sizeWarnings([2, 1, 0]), { alone: 1, empty: 1 });
  assert.deepEqual(sizeWarnings(null), { alone: 0, empty: 0 });
});
