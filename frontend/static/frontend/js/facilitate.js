// The facilitator console: the live board plus start/end, phase, timer, announcements and invite.
import { LivePage } from "./live.js";
import { statusLabel } from "./labels.js";
import { BoardPicker, RoomOverview, consolePolicy, renderConsoleReport } from "./room-overview.js";
import { BreakoutPanel } from "./breakout-panel.js";
import { SynthesisPanel } from "./synthesis-panel.js";
import { PollPanel } from "./poll-panel.js";
import { WaitingRoom } from "./waiting-room.js";
import { StaffPanel } from "./staff-panel.js";
import { MailPanel } from "./mail-panel.js";
import { LiveBar } from "./live-bar.js";
import { WorkshopEdit } from "./workshop-edit.js";
import { FloorConsole } from "./floor-console.js";
import { QuestionsPanel } from "./questions-panel.js";
import { api } from "./api.js";
import { $, h, showStatus, setText, setFieldError, setUnavailable, isUnavailable } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { describeError } from "./errors.js";

const root = document.getElementById("app");
let picker = null;
const page = new LivePage(root, { console: true, policy: consolePolicy(() => page.client.state, () => picker?.selected()) });
const client = page.client;
picker = new BoardPicker(page);
const overview = new RoomOverview(page, picker);
new FloorConsole(page, (section) => $("#now", root).after(section));
new QuestionsPanel({ client, mount: (section) => $(".main-col", root).append(section), onSnapshot: (fn) => page.onSnapshot(fn) });

/** Run a command from a control: show progress and the outcome in that control's status slot. */
function run(statusEl, type, fields, { done, busy } = {}) {
  if (busy && isUnavailable(busy)) return Promise.reject(new Error("busy"));
  showStatus(statusEl, client.ready ? gettext("Sending…") : gettext("Offline: this will be sent when the connection is back."));
  if (busy) setUnavailable(busy, true);
  return client.send(type, fields).then((ack) => {
    showStatus(statusEl, done || gettext("Done."), "ok");
    return ack;
  }, (err) => {
    showStatus(statusEl, describeError(err), "error");
    throw err;
  }).finally(() => {
    if (busy) setUnavailable(busy, false);
  });
}

page.agendaControls = (item, index) => {
  const button = h("button", { type: "button", class: "small set-phase" },
    gettext("Set as current"), h("span", { class: "visually-hidden" }, gettext("phase: %(title)s", { title: item.title || "" })));
  button.addEventListener("click", () => {
    const minutes = Number(item.minutes);
    const done = minutes ? ngettext("Phase changed. Its %(count)s minute is filled in for the timer and the rooms.",
      "Phase changed. Its %(count)s minutes are filled in for the timer and the rooms.", minutes) : gettext("Phase changed.");
    run($("#agenda-status", root), "phase.set", { index }, { done }).catch(() => {});
  });
  return button;
};

/**
 * The agenda drives the time: when a step becomes current, its minutes are offered to the timer
 * (with the step's title as its label) and to the breakout duration. Fields only: nothing starts
 * until the facilitator says so, and a field someone is typing in is left alone.
 */
function offerStepTimes() {
  const phase = page.currentPhase();
  const minutes = Number(phase?.minutes);
  const fields = [["#timer-minutes", String(minutes)], ["#timer-seconds", "0"], ["#timer-label-input", phase?.title || ""],
    ["#breakout-minutes", String(minutes)]];
  const from = minutes ? ngettext("Filled in from the agenda: %(title)s, %(count)s minute.",
    "Filled in from the agenda: %(title)s, %(count)s minutes.", minutes, { title: phase.title }) : "";
  for (const id of ["#timer-from-step", "#breakout-minutes-from"]) {
    setText($(id, root), from);
    $(id, root).hidden = !from;
  }
  if (!minutes) return;
  for (const [id, value] of fields) {
    const input = $(id, root);
    if (input !== document.activeElement) input.value = value;
  }
}
// Starting the workshop makes its first step current, as "Set as current" does later ones.
page.store.on(["phase.changed", "workshop.started"], offerStepTimes);

async function explainRefusal() {
  try {
    await api.workshop(page.code);
  } catch (err) {
    if (err.status === 404) {
      page.showFatal(4404);
      return;
    }
    if (err.status === 0) {
      page.showOnly("loading");
      client.scheduleReconnect();
      return;
    }
  }
  page.showFatal(0, gettext("To open this console, log in on the front page with a staff account that facilitates this workshop."));
}
client.addEventListener("need-join", explainRefusal);
client.addEventListener("refused", explainRefusal);

// Share link.
const joinLink = $("#join-link", root);
joinLink.value = new URL(`/w/${encodeURIComponent(page.code)}/`, location.origin).href;
$("#copy-link", root).addEventListener("click", async () => {
  const status = $("#share-status", root);
  try {
    await navigator.clipboard.writeText(joinLink.value);
    showStatus(status, gettext("Link copied."), "ok");
  } catch {
    joinLink.select();
    showStatus(status, gettext("Select the link and copy it."), "");
  }
});

// Start / end.
const startBtn = $("#start-btn", root);
const endBtn = $("#end-btn", root);
const endConfirm = $("#end-confirm", root);
const sessionStatus = $("#session-status", root);
startBtn.addEventListener("click", () => {
  run(sessionStatus, "workshop.start", {}, { done: gettext("The workshop has started."), busy: startBtn }).catch(() => {});
});
endBtn.addEventListener("click", () => {
  endConfirm.hidden = false;
  $("#end-cancel", root).focus();
});
$("#end-cancel", root).addEventListener("click", () => {
  endBtn.focus();
  endConfirm.hidden = true;
});
$("#end-now", root).addEventListener("click", () => {
  setHidden(endConfirm, true, $("#session-title", root));
  run(sessionStatus, "workshop.end", {}, { done: gettext("The workshop has ended.") }).catch(() => {});
});

// Timer.
const timerForm = $("#timer-form", root);
const timerStop = $("#timer-stop", root);
timerForm.addEventListener("submit", (e) => {
  e.preventDefault();
  const minutesInput = $("#timer-minutes", root);
  const secondsInput = $("#timer-seconds", root);
  const minutes = Number(minutesInput.value || 0);
  const secs = Number(secondsInput.value || 0);
  const status = $("#timer-status", root);
  setFieldError(minutesInput, "");
  setFieldError(secondsInput, "");
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > 600) {
    setFieldError(minutesInput, gettext("Minutes must be a whole number from 0 to 600."));
    minutesInput.focus();
    return;
  }
  if (!Number.isInteger(secs) || secs < 0 || secs > 59) {
    setFieldError(secondsInput, gettext("Seconds must be a whole number from 0 to 59."));
    secondsInput.focus();
    return;
  }
  const seconds = minutes * 60 + secs;
  if (seconds <= 0) {
    showStatus(status, gettext("Set a duration longer than zero."), "error");
    minutesInput.focus();
    return;
  }
  const fields = { seconds };
  const label = $("#timer-label-input", root).value.trim();
  if (label) fields.label = label;
  run(status, "timer.start", fields, { done: gettext("Timer started."), busy: $("#timer-start", root) }).catch(() => {});
});
timerStop.addEventListener("click", () => {
  if (isUnavailable(timerStop)) return;
  run($("#timer-status", root), "timer.stop", {}, { done: gettext("Timer stopped.") }).catch(() => {});
});

// Announcements.
$("#announce-form", root).addEventListener("submit", (e) => {
  e.preventDefault();
  const input = $("#announce-text", root);
  const text = input.value.trim();
  const status = $("#announce-status", root);
  setFieldError(input, "");
  if (!text) {
    setFieldError(input, gettext("Write the announcement first."));
    input.focus();
    return;
  }
  run(status, "announce", { text }, { done: gettext("Announcement sent."), busy: $("#announce-submit", root) }).then(() => {
    if (input.value.trim() === text) input.value = "";
  }, () => {});
});

/** Hide or show an element; if it held focus, hand focus to `fallback` first. */
function setHidden(el, hidden, fallback) {
  if (hidden && !el.hidden && el.contains(document.activeElement) && fallback) fallback.focus();
  el.hidden = hidden;
}

const breakoutPanel = new BreakoutPanel(page, run);
new PollPanel(page);
const synthesisPanel = new SynthesisPanel(page, run);
const staffPanel = new StaffPanel(page);
const mailPanel = new MailPanel(page);
const liveBar = new LiveBar(page);
new WorkshopEdit(page);

function renderControls() {
  const state = client.state;
  const w = state.workshop || {};
  const isFacilitator = state.me?.role === "facilitator";
  $("#controls", root).hidden = !isFacilitator;
  $("#not-facilitator", root).hidden = isFacilitator || !state.me;
  $("#not-facilitator-moderate", root).hidden = state.me?.role !== "moderator";
  picker.render();
  overview.render();
  renderConsoleReport(page, picker);
  if (isFacilitator) breakoutPanel.render();
  if (isFacilitator) synthesisPanel.render();
  liveBar.render();
  $("#synthesis", root).hidden = !isFacilitator;
  setText($("#session-status-text", root), statusLabel(w.status));
  const heading = $("#session-title", root);
  setHidden(startBtn, w.status === "live" || w.status === "ended", heading);
  setHidden(endBtn, w.status !== "live", heading);
  if (endBtn.hidden) setHidden(endConfirm, true, heading);
  $("#session-ended", root).hidden = w.status !== "ended";
  setUnavailable(timerStop, !w.timer);
  const buttons = Array.from(root.querySelectorAll(".set-phase"));
  buttons.forEach((button, i) => {
    const current = Number(button.closest("li").dataset.index) === w.phase;
    // Stepping through the agenda: focus moves on to the next step's button.
    const next = buttons.slice(i + 1).find((b) => !b.hidden) || $("#agenda-title", root);
    setHidden(button, current, next);
  });
}
page.onSnapshot(() => {
  renderControls();
  // After a snapshot (first load, reconnect) the staff list is read again.
  if (client.state.me?.role === "facilitator") {
    staffPanel.load();
    mailPanel.load();
  }
});
page.store.watch("*", renderControls);
const waitingRoom = new WaitingRoom(client, $("#waiting-room", root));
page.onSnapshot(() => waitingRoom.render());

page.start();
