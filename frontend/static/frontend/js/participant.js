// The participant page: join with a name when needed, then the live board.
import { LivePage } from "./live.js";
import { ParticipantRooms, participantPolicy } from "./participant-rooms.js";
import { ParticipantProposals } from "./proposals.js";
import { MyIdeas } from "./my-ideas.js";
import { Survey } from "./survey.js";
import { ParticipantPolls } from "./poll-card.js";
import { DeckView } from "./deck.js";
import { WayBack } from "./way-back.js";
import { Follow } from "./follow.js";
import { FloorPanel } from "./floor-panel.js";
import { QuestionsPanel } from "./questions-panel.js";
import { api, resetCsrf } from "./api.js";
import { $, h, showStatus, setFieldError, setText, setUnavailable, isUnavailable } from "./dom.js";
import { gettext } from "./i18n.js";
import { describeError } from "./errors.js";

const root = document.getElementById("app");
// Closed rooms' boards this participant opened from the report-back.
const expanded = new Set();
const page = new LivePage(root, {
  policy: participantPolicy(() => page.client.state, expanded),
  forbiddenText: gettext("A moderator removed you from this workshop, so you can no longer take part in it."),
});
const client = page.client;
// Each part draws itself after a snapshot and subscribes to the events it shows, in this order.
new ParticipantRooms(page, expanded);
new ParticipantPolls(page);
new ParticipantProposals(page);
new MyIdeas(page);
new Survey(page);
new DeckView(page);
new FloorPanel(page);
new QuestionsPanel({ client, mount: (section) => $("#floor", root).after(section), onSnapshot: (fn) => page.onSnapshot(fn) });
new Follow(page);
new WayBack(page, {
  // Erased: this browser is nobody in the workshop now; it may join again as someone new.
  onErased: async (text) => {
    client.close();
    await offerJoin();
    showStatus($("#join-status", root), text, "ok");
  },
});

async function offerJoin() {
  let workshop;
  try {
    workshop = await api.workshop(page.code);
  } catch (err) {
    if (err.status === 404) {
      page.showFatal(4404);
      return;
    }
    if (err.status === 0) {
      // The server is unreachable rather than refusing us: keep trying to connect.
      page.showOnly("loading");
      client.scheduleReconnect();
      return;
    }
  }
  const title = $("#join-workshop", root);
  setText(title, workshop?.title || "");
  title.hidden = !workshop?.title;
  const description = $("#join-description", root);
  setText(description, workshop?.description || "");
  description.hidden = !workshop?.description;
  renderQuestions(workshop?.profile_questions || []);
  const ended = workshop?.status === "ended";
  $("#join-ended", root).hidden = !ended;
  page.showOnly("join");
  document.title = workshop?.title ? `${workshop.title} · Inspraak` : document.title;
  $("#join-name", root).focus();
}

/** The workshop's profile questions, each a menu whose first choice is not to answer. */
function renderQuestions(questions) {
  const box = $("#join-questions", root);
  box.hidden = questions.length === 0;
  $("#join-question-list", root).replaceChildren(...questions.map((q, index) => {
    const id = `join-question-${index}`;
    return h("div", { class: "field" },
      h("label", { for: id }, q.label),
      h("select", { id, dataset: { key: q.key }, "aria-describedby": "join-questions-hint" },
        h("option", { value: "" }, gettext("Rather not say")),
        q.options.map((option) => h("option", { value: option }, option))));
  }));
}

/** The answers chosen in the join form, {question key: option}. */
function profileAnswers() {
  const answers = {};
  for (const select of root.querySelectorAll("#join-question-list select")) {
    if (select.value) answers[select.dataset.key] = select.value;
  }
  return answers;
}

client.addEventListener("need-join", offerJoin);
client.addEventListener("refused", offerJoin);

$("#join-form", root).addEventListener("submit", async (e) => {
  e.preventDefault();
  const input = $("#join-name", root);
  const status = $("#join-status", root);
  const name = input.value.trim();
  setFieldError(input, "");
  if (!name) {
    setFieldError(input, gettext("Please enter the name others will see."));
    input.focus();
    return;
  }
  const button = $("#join-submit", root);
  if (isUnavailable(button)) return;
  setUnavailable(button, true);
  showStatus(status, gettext("Joining…"));
  try {
    await api.join(page.code, name, profileAnswers());
    resetCsrf();
    showStatus(status, "");
    page.showOnly("loading");
    client.connect();
  } catch (err) {
    if (err.fields && err.fields.name) setFieldError(input, [].concat(err.fields.name).join(" "));
    showStatus(status, describeError(err), "error");
  } finally {
    setUnavailable(button, false);
  }
});

page.start();
