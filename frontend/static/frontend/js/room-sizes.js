// How many people each breakout room would get, before the rooms are opened: the console's
// preview and its warning about a room of one. Pure, so Node tests it; it mirrors
// workshops/assignment.py `deal` and breakouts.py `_placement`, and a Python test runs the
// server's own code on the same cases (frontend/tests/room-sizes-cases.json).

/**
 * Room sizes after dealing strata of people into rooms that start at `sizes`, as `deal` does:
 * each stratum goes round in chunks of one person per room, each chunk to the smallest rooms
 * first. `deal` breaks ties at random; ties are between rooms of equal size, so the sizes come
 * out the same whichever way they break (here: the lower index).
 */
export function dealSizes(strata, sizes) {
  const totals = [...sizes];
  const n = totals.length;
  if (!n) return totals;
  for (const count of strata) {
    for (let start = 0; start < count; start += n) {
      const chunk = Math.min(n, count - start);
      const order = [...totals.keys()].sort((a, b) => totals[a] - totals[b] || a - b);
      for (let i = 0; i < chunk; i += 1) totals[order[i]] += 1;
    }
  }
  return totals;
}

/**
 * The sizes of `rooms` rooms for `citizens` (ids of the citizens the server would place: not
 * removed, admitted, not erased), or null when people choose their room themselves.
 * `assignments` (manual mode) maps a citizen id to a room index.
 *
 * "diverse" deals one stratum per group of profile answers, but every chunk of a stratum goes to
 * the smallest rooms, so sizes that start equal stay within one of each other whatever the
 * strata: the sizes are those of "random", and the page needs no one's profile for them.
 */
export function previewSizes({ mode, rooms, citizens, assignments = new Map() }) {
  if (mode === "self_select" || !Number.isInteger(rooms) || rooms < 1) return null;
  const zeros = Array.from({ length: rooms }, () => 0);
  if (mode !== "manual") return dealSizes([citizens.length], zeros);
  const sizes = [...zeros];
  let rest = 0;
  for (const id of citizens) {
    const index = assignments.get(id);
    if (Number.isInteger(index) && index >= 0 && index < rooms) sizes[index] += 1;
    else rest += 1;
  }
  return dealSizes([rest], sizes);
}

/** How many rooms would hold one person, and how many nobody. */
export function sizeWarnings(sizes) {
  return {
    alone: (sizes || []).filter((n) => n === 1).length,
    empty: (sizes || []).filter((n) => n === 0).length,
  };
}
