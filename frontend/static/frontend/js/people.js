// Whom a page names. A small workshop lists everyone (the console) or everyone online (the
// participant page). A large one gives counts and names only the people near the reader: their
// own room while a breakout runs, else the staff; staff find anyone else by name. A list of
// thousands helps nobody and would be drawn again at every change of presence.
import { gettext, ngettext } from "./i18n.js";
import { roomLabel } from "./rooms.js";
import { isStaff, roomRunning } from "./state.js";

/** Above this many participants a page gives counts instead of every name; no list names more. */
export const LARGE_WORKSHOP = 60;

const ROLE_ORDER = ["facilitator", "moderator", "official", "citizen"];

/** Whether a workshop of `count` people is too large to name everyone. */
export function isLarge(count, limit = LARGE_WORKSHOP) {
  return count > limit;
}

/** Text folded for a search: case and accents aside, so that "zoe" finds "Zoë". */
export function fold(text) {
  return String(text ?? "").normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase().trim();
}

/** Whether a person's name contains the search (an empty search matches nobody). */
export function nameMatches(person, query) {
  const wanted = fold(query);
  return wanted !== "" && fold(person.name).includes(wanted);
}

/** Online first, then by name, then by id, so that the order is stable. */
export function byPresenceAndName(a, b) {
  return Number(!!b.online) - Number(!!a.online) || String(a.name).localeCompare(String(b.name)) || a.id - b.id;
}

/** The people whose name contains `query`, online first: at most `limit` of them, and how many match. */
export function searchPeople(people, query, limit = LARGE_WORKSHOP) {
  const found = people.filter((p) => nameMatches(p, query)).sort(byPresenceAndName);
  return { listed: found.slice(0, limit), count: found.length };
}

/** The participants still in the workshop (not removed). */
export function present(state) {
  return [...state.participants.values()].filter((p) => !p.removed);
}

/** How many people, how many online, and the same per role (staff roles first, only roles someone has). */
export function peopleCounts(people) {
  const roles = new Map();
  let online = 0;
  for (const p of people) {
    const count = roles.get(p.role) || { role: p.role, total: 0, online: 0 };
    count.total += 1;
    if (p.online) {
      count.online += 1;
      online += 1;
    }
    roles.set(p.role, count);
  }
  const rank = (role) => (ROLE_ORDER.includes(role) ? ROLE_ORDER.indexOf(role) : ROLE_ORDER.length);
  return { total: people.length, online, roles: [...roles.values()].sort((a, b) => rank(a.role) - rank(b.role)) };
}

/** This citizen's room in the breakout that runs now, or null. */
export function myRunningRoom(state) {
  const me = state.me;
  if (!me || isStaff(me) || me.room == null) return null;
  const room = state.rooms.get(me.room);
  return room && roomRunning(state, room) ? room : null;
}

/**
 * What the people card shows. `scope` says whom `listed` names: "everyone" (the console of a
 * small workshop), "online" (the participant page of a small one), "room" (the online people of
 * the reader's room), "staff" (online staff for a citizen, all staff on the console) or "found"
 * (the console's search). At most `limit` are listed; `more` says how many of that group are not.
 */
export function peopleShown(state, { console = false, query = "", limit = LARGE_WORKSHOP } = {}) {
  const people = present(state);
  const large = isLarge(people.length, limit);
  const room = large && !console ? myRunningRoom(state) : null;
  let scope;
  let group;
  let roomCounts = null;
  if (!large) {
    scope = console ? "everyone" : "online";
    group = console ? people : people.filter((p) => p.online);
  } else if (console && fold(query)) {
    scope = "found";
    group = people.filter((p) => nameMatches(p, query));
  } else if (console) {
    scope = "staff";
    group = people.filter(isStaff);
  } else if (room) {
    scope = "room";
    const members = people.filter((p) => p.room === room.id);
    roomCounts = peopleCounts(members);
    group = members.filter((p) => p.online);
  } else {
    scope = "staff";
    group = people.filter((p) => isStaff(p) && p.online);
  }
  group.sort(byPresenceAndName);
  return { large, console, ...peopleCounts(people), scope, room, roomCounts, listed: group.slice(0, limit),
    more: Math.max(0, group.length - limit) };
}

/** What a search found, in words, and when the list stops short of it, that typing more narrows it. */
export function foundText(count, listed) {
  if (!count) return gettext("Nobody found.");
  const found = ngettext("%(count)s person found.", "%(count)s people found.", count);
  if (listed >= count) return found;
  return `${found} ${ngettext("The first %(count)s are listed: type more of the name.", "The first %(count)s are listed: type more of the name.", listed)}`;
}

// A role's count in words: "3 moderators, 2 online".
const ROLE_COUNTS = {
  citizen: (n, online) => ngettext("%(count)s citizen, %(online)s online", "%(count)s citizens, %(online)s online", n, { online }),
  facilitator: (n, online) => ngettext("%(count)s facilitator, %(online)s online", "%(count)s facilitators, %(online)s online", n, { online }),
  moderator: (n, online) => ngettext("%(count)s moderator, %(online)s online", "%(count)s moderators, %(online)s online", n, { online }),
  official: (n, online) => ngettext("%(count)s official, %(online)s online", "%(count)s officials, %(online)s online", n, { online }),
};

/**
 * The words of the people card for what `peopleShown` gave: `count` (how many online), `roles`
 * (large workshops: per role), `scope` (whom the list names), `found` (the console's search),
 * `more` (those not listed) and `empty` (when the list is empty); "" where there is nothing to say.
 */
export function peopleTexts(view) {
  const { large, scope } = view;
  const texts = { count: "", roles: "", scope: "", found: "", more: "", empty: "" };
  texts.count = large
    ? ngettext("%(online)s of %(count)s online", "%(online)s of %(count)s online", view.total, { online: view.online })
    : ngettext("%(count)s online", "%(count)s online", view.online);
  if (large) {
    texts.roles = view.roles.filter((r) => ROLE_COUNTS[r.role]).map((r) => ROLE_COUNTS[r.role](r.total, r.online)).join(" · ");
  }
  if (scope === "room") {
    texts.scope = ngettext("In %(room)s: %(online)s of %(count)s online", "In %(room)s: %(online)s of %(count)s online",
      view.roomCounts.total, { room: roomLabel(view.room), online: view.roomCounts.online });
  } else if (scope === "staff") {
    texts.scope = view.console ? gettext("Staff") : gettext("Staff online");
  }
  if (scope === "found") texts.found = foundText(view.listed.length + view.more, view.listed.length);
  else if (view.more) texts.more = ngettext("And %(count)s more.", "And %(count)s more.", view.more);
  if (!view.listed.length && scope !== "found") {
    texts.empty = scope === "staff" ? gettext("No staff member is online right now.")
      : scope === "room" ? gettext("Nobody in your room is online.") : gettext("Nobody has joined yet.");
  }
  return texts;
}

/** Who else is in one's room, by name, or as a count when there are too many to read. */
export function companionsText(names, limit = LARGE_WORKSHOP) {
  if (!names.length) return gettext("Nobody else is in this room yet.");
  if (isLarge(names.length, limit)) return ngettext("With %(count)s other person.", "With %(count)s other people.", names.length);
  return gettext("With: %(names)s", { names: names.join(", ") });
}
