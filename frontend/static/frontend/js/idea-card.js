// One idea on the board: its card (author, text, status, reasons, reactions, actions) and the
// thread of replies under it. BoardView places items; these functions build and fill them.
import { h, setText, showStatus, setUnavailable, isUnavailable } from "./dom.js";
import { gettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { openAppeal, openEdit, openFlag, openReply, openWithdraw } from "./idea-forms.js";
import { appealStatusText, heldReasonForAuthor, heldReasonForModerator, hiddenReasonText } from "./moderation-text.js";
import { clockTimeOf } from "./format.js";
import { personName } from "./labels.js";
import { newRef } from "./client.js";

// [value, visible label, the rest of the button's name: which idea it is about]
const REACTIONS = [
  ["agree", () => gettext("Agree"), (name) => gettext("with the idea by %(name)s", { name })],
  ["disagree", () => gettext("Disagree"), (name) => gettext("with the idea by %(name)s", { name })],
  ["pass", () => gettext("Pass"), (name) => gettext("on the idea by %(name)s", { name })],
];

/** The DOM of one idea: its card, actions and the thread for replies. */
export function createItem(view, idea) {
  const base = `idea-${idea.id}`;
  const author = h("span", { class: "author" });
  const time = h("time", {});
  const edited = h("span", { class: "edited", hidden: true }, gettext("edited"));
  const badge = h("span", { class: "badge", hidden: true });
  const meta = h("p", { class: "idea-meta", id: `${base}-meta` }, author, " ", time, " ", edited, " ", badge);
  const parentNote = h("p", { class: "idea-parent-note", hidden: true }, gettext("The idea this answers was removed."));
  const text = h("p", { class: "idea-text", id: `${base}-text` });
  const reason = h("p", { class: "idea-reason", hidden: true });
  const appealNote = h("p", { class: "idea-appeal", hidden: true });
  const reactions = {};
  const reactGroup = h("div", { class: "reactions", role: "group" });
  for (const [value, label] of REACTIONS) {
    const count = h("span", { class: "count" }, "0");
    // Named after its idea ("Agree with the idea by Bram 2"), described by the idea's text: a
    // screen reader jumping from button to button knows which idea each one is about.
    const about = h("span", { class: "visually-hidden react-about" });
    const btn = h("button", { type: "button", class: `react react-${value}`, "aria-pressed": "false", dataset: { value },
      "aria-describedby": `${base}-text` },
    h("span", { class: "react-check", "aria-hidden": "true" }, "✓"), h("span", { class: "react-label" }, label()), about, " ", count);
    btn.addEventListener("click", () => react(view, item, value));
    reactions[value] = { btn, count, about };
    reactGroup.append(btn);
  }
  const whose = () => h("span", { class: "visually-hidden idea-whose" });
  const buildOn = h("button", { type: "button", class: "link-button" }, gettext("Build on this"), whose());
  const edit = h("button", { type: "button", class: "link-button" }, gettext("Edit"));
  const withdraw = h("button", { type: "button", class: "link-button" }, gettext("Withdraw"));
  const flag = h("button", { type: "button", class: "link-button flag-button" }, gettext("Flag"), whose());
  const flagged = h("span", { class: "flagged-note", hidden: true }, gettext("You flagged this idea."));
  const appeal = h("button", { type: "button", class: "link-button" }, gettext("Appeal"));
  const actions = h("div", { class: "idea-actions" }, buildOn, edit, withdraw, appeal, flag, flagged);
  const status = h("p", { class: "form-status", role: "status" });
  const slot = h("div", { class: "idea-slot" });
  const editSlot = h("div", { class: "idea-slot" });
  const body = h("div", { class: "idea-body" }, meta, parentNote, text, editSlot, reason, appealNote, reactGroup, actions, status, slot);
  const placeholder = h("p", { class: "idea-placeholder", hidden: true });
  const article = h("article", { class: "idea-card", tabindex: "-1", "aria-labelledby": `${base}-meta`, "aria-describedby": `${base}-text` },
    body, placeholder);
  const thread = h("ol", { class: "thread", hidden: true });
  const li = h("li", { class: "idea", id: base, dataset: { id: idea.id } }, article, thread);
  const item = { idea, li, article, author, time, edited, badge, parentNote, text, reason, appealNote, reactions,
    reactGroup, buildOn, edit, withdraw, flag, flagged, appeal, actions, status, slot, editSlot, body, placeholder, thread,
    mode: null, container: null };
  thread.ownerItem = item;
  buildOn.addEventListener("click", () => openReply(view, item));
  edit.addEventListener("click", () => openEdit(view, item));
  withdraw.addEventListener("click", () => openWithdraw(view, item));
  flag.addEventListener("click", () => openFlag(view, item));
  appeal.addEventListener("click", () => openAppeal(view, item));
  return item;
}

/** Write an item's fields from its idea, touching only what changed. */
export function fillItem(view, item) {
  const idea = view.client.state.ideas.get(item.idea.id) || item.idea;
  item.idea = idea;
  const shown = view.isShown(idea);
  item.body.hidden = !shown;
  item.placeholder.hidden = shown;
  if (!shown) {
    // What the viewer may no longer see does not stay in the page, not even hidden.
    setText(item.text, "");
    setText(item.author, "");
    setText(item.placeholder, idea.status === "withdrawn" ? gettext("This idea was withdrawn by its author.") : gettext("This idea is no longer shown."));
    view.closeSlot(item, false);
    return;
  }
  const mine = view.isMine(idea);
  const name = personName(idea.author?.name);
  setText(item.author, mine ? gettext("%(name)s (you)", { name }) : name);
  if (item.time.dateTime !== (idea.created_at || "")) {
    item.time.dateTime = idea.created_at || "";
    setText(item.time, clockTimeOf(idea.created_at));
  }
  item.edited.hidden = !idea.edited;
  item.li.dataset.status = idea.status;
  let badge = "";
  if (idea.status === "held") badge = mine ? gettext("Waiting for a moderator") : gettext("Held for moderation");
  else if (idea.status === "hidden") badge = idea.hidden_reason === "flagged" ? gettext("Hidden for review") : gettext("Hidden by a moderator");
  setText(item.badge, badge);
  item.badge.hidden = !badge;
  item.badge.dataset.kind = idea.status;
  item.parentNote.hidden = !view.parentRemoved(idea);
  setText(item.text, idea.text || "");
  let reasonText = "";
  if (idea.status === "hidden") reasonText = hiddenReasonText(idea.hidden_reason);
  else if (idea.status === "held") reasonText = mine ? heldReasonForAuthor(idea.held_reason) : heldReasonForModerator(idea.held_reason);
  setText(item.reason, reasonText);
  item.reason.hidden = !reasonText;
  const appeal = mine ? view.client.state.appeals.get(idea.id) : null;
  const appealText = appeal && (idea.status === "hidden" || appeal.status === "granted") ? appealStatusText(appeal) : "";
  setText(item.appealNote, appealText);
  item.appealNote.hidden = !appealText;
  item.appealNote.dataset.kind = appeal?.status || "";
  const groupLabel = gettext("Reactions to the idea by %(name)s", { name });
  if (item.reactGroup.getAttribute("aria-label") !== groupLabel) item.reactGroup.setAttribute("aria-label", groupLabel);
  item.thread.setAttribute("aria-label", gettext("Ideas building on the idea by %(name)s", { name }));
  const visible = idea.status === "visible";
  const interactive = visible && !view.readOnly;
  const writable = interactive && !!view.boards.get(idea.board)?.writable;
  item.reactGroup.hidden = !visible;
  const mineValue = view.client.state.myReactions.get(idea.id) || null;
  for (const [value, { btn, count, about }] of Object.entries(item.reactions)) {
    setText(count, String(idea.reactions?.[value] ?? 0));
    setText(about, ` ${REACTIONS.find(([v]) => v === value)[2](name)}`);
    btn.setAttribute("aria-pressed", String(mineValue === value));
    setUnavailable(btn, !interactive);
  }
  item.buildOn.hidden = !writable;
  for (const whose of item.actions.querySelectorAll(".idea-whose")) setText(whose, ` ${gettext("idea by %(name)s", { name })}`);
  const canChange = mine && !view.readOnly && (idea.status === "visible" || idea.status === "held");
  item.edit.hidden = !canChange;
  item.withdraw.hidden = !canChange;
  const flaggedByMe = view.client.state.myFlags.has(idea.id);
  const canFlag = interactive && !mine && !view.isModerating();
  item.flag.hidden = !canFlag || flaggedByMe;
  item.flagged.hidden = !canFlag || !flaggedByMe;
  const canAppeal = mine && idea.status === "hidden" && !appeal && !view.readOnly;
  item.appeal.hidden = !canAppeal;
  item.actions.hidden = [item.buildOn, item.edit, item.flag, item.flagged, item.appeal].every((el) => el.hidden);
  if (!writable && item.mode === "reply") view.closeSlot(item, false);
  if (!canChange && (item.mode === "edit" || item.mode === "withdraw")) view.closeSlot(item, false);
  if ((!canFlag || flaggedByMe) && item.mode === "flag") view.closeSlot(item, false);
  if (!canAppeal && item.mode === "appeal") view.closeSlot(item, false);
}

/** Set (or clear) this participant's reaction at once; the server's refusal puts it back. */
export function react(view, item, value) {
  if (isUnavailable(item.reactions[value].btn)) return;
  const id = item.idea.id;
  const store = view.client.store;
  const next = (store.state.myReactions.get(id) || null) === value ? null : value;
  // The board redraws the card when the store takes the click (and again on a refusal).
  const click = newRef();
  store.dispatch({ type: "reaction.sent", idea: id, value: next, click });
  showStatus(item.status, "");
  view.client.send("idea.react", { idea: id, value: next }).then(() => {
    store.dispatch({ type: "reaction.confirmed", idea: id, value: next, click });
  }, (err) => {
    store.dispatch({ type: "reaction.refused", idea: id, click });
    const current = view.items.get(id);
    if (current) showStatus(current.status, describeError(err), "error");
  });
}
