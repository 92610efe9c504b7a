// Readable labels for a workshop's status, a connection's state and a role, shared by the pages
// (the front page needs one without loading the live page's code).
import { gettext } from "./i18n.js";
import { Conn } from "./client.js";

const STATUS_LABELS = {
  draft: () => gettext("Not started yet"),
  scheduled: () => gettext("Not started yet"),
  open: () => gettext("Open"),
  live: () => gettext("Live"),
  paused: () => gettext("Paused"),
  ended: () => gettext("Ended"),
};

const CONN_LABELS = {
  [Conn.CONNECTING]: () => gettext("Connecting…"),
  [Conn.LIVE]: () => gettext("Connected"),
  [Conn.RECONNECTING]: () => gettext("Reconnecting…"),
  [Conn.OFFLINE]: () => gettext("Offline"),
};

// The word that goes in a sentence ("in the role of facilitator"); a citizen has none.
const ROLE_LABELS = {
  facilitator: () => gettext("facilitator"),
  moderator: () => gettext("moderator"),
  official: () => gettext("official"),
  citizen: () => "",
};

/** A workshop's status ("live") in words; an unknown one as it is. */
export function statusLabel(status) {
  return (STATUS_LABELS[status] || (() => status || ""))();
}

/** A connection state (Conn) in words. */
export function connLabel(state) {
  return (CONN_LABELS[state] || (() => state))();
}

/** A person's name, or "a former participant" for someone who erased themselves (their name is ""). */
export function personName(name) {
  return name || gettext("a former participant");
}

/** A role in words for a sentence; "" for a citizen. */
export function roleLabel(role) {
  return (ROLE_LABELS[role] || (() => role || ""))();
}
