// The projector page (/w/<code>/screen, facilitators only): the join address and QR code (drawn by
// the server), the current step, the one countdown (timer or rooms'), the open rooms,
// announcements, the plenary's top ideas and live poll results. Large type, read from the back
// of a room; it follows the workshop over the same socket client as the other pages.
import { LivePage } from "./live.js";
import { $, h, setText } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { personName } from "./labels.js";
import { BreakoutCountdown, currentRooms } from "./rooms.js";
import { runningBreakout } from "./state.js";
import { PollSlot, shownPoll, topIdeas } from "./screen-view.js";

const root = document.getElementById("app");
const page = new LivePage(root, { board: false });
const client = page.client;
const countdown = new BreakoutCountdown($("#screen-countdown", root), () => client.state);
page.countdowns.push(countdown);
const poll = new PollSlot($("#screen-poll", root), $("#screen-poll-body", root));

function renderRooms() {
  const b = runningBreakout(client.state);
  const line = $("#screen-rooms", root);
  line.hidden = !b;
  if (b) {
    setText(line, b.status === "closing" ? gettext("The rooms are closing.")
      : ngettext("%(count)s room is open.", "%(count)s rooms are open.", currentRooms(client.state).length));
  }
  countdown.render();
}

function renderTop() {
  const ideas = topIdeas(client.state);
  $("#screen-top-empty", root).hidden = ideas.length > 0;
  $("#screen-top-list", root).replaceChildren(...ideas.map((idea) => h("li", {},
    h("p", { class: "screen-idea-text" }, idea.text || ""),
    h("p", { class: "screen-idea-meta" }, personName(idea.author?.name), " · ",
      ngettext("%(count)s agrees", "%(count)s agree", idea.reactions?.agree ?? 0)))));
}

page.onSnapshot(() => {
  renderRooms();
  renderTop();
  poll.show(shownPoll(client.state));
});
page.store.watch(["breakout.*", "room.assigned"], renderRooms);
page.store.watch(["idea.*", "participant.erased"], renderTop);
page.store.watch(["poll.*"], () => poll.show(shownPoll(client.state)));
const refused = () => page.showFatal(0, gettext("To open the projector view, log in on the front page with a staff account that facilitates this workshop."));
client.addEventListener("need-join", refused);
client.addEventListener("refused", refused);
page.start();
