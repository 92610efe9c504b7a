// Questions to the panel (docs/protocol.md 3.4): ask, upvote (a toggle), see the answers, most
// votes first. Officials and facilitators answer; on a moderating page moderators approve held
// questions and hide any. One card, used by the participant page, the console and the moderation page.
import { h, setText, showStatus, setFieldError, setUnavailable, isUnavailable, announce } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { personName } from "./labels.js";
import { canAnswer, canModerate, isPublic, questionsShown } from "./voice.js";

const MAX_CHARS = 300;

function statusText(question) {
  if (question.status === "held") return gettext("Waiting for a moderator");
  if (question.status === "hidden") return gettext("Hidden by a moderator");
  if (question.status === "answered") return gettext("Answered");
  return "";
}

export class QuestionsPanel {
  /** `mount(section)` puts the card in the page; `moderating`: a moderation page (approve, hide, hidden ones listed). */
  constructor({ client, mount, moderating = false, onSnapshot }) {
    this.client = client;
    this.store = client.store;
    this.moderating = moderating;
    this.items = new Map(); // question id -> {li, parts}
    this.build();
    mount(this.section);
    onSnapshot(() => this.render());
    this.store.watch(["question.*", "upvote.confirmed", "workshop.*"], () => this.render());
  }

  build() {
    this.text = h("textarea", { id: "question-text", rows: "2", maxlength: String(MAX_CHARS), "aria-describedby": "question-hint" });
    this.askStatus = h("p", { id: "question-status", class: "form-status", role: "status" });
    this.askButton = h("button", { type: "submit", id: "question-ask", class: "primary" }, gettext("Ask"));
    this.form = h("form", { id: "question-form", novalidate: "" },
      h("div", { class: "field" },
        h("label", { for: "question-text" }, gettext("Your question")),
        this.text,
        h("p", { id: "question-hint", class: "hint" }, gettext("Up to 300 characters. A moderator may check it before others see it."))),
      h("div", { class: "form-actions" }, this.askButton),
      this.askStatus);
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.ask();
    });
    this.count = h("p", { id: "questions-count", class: "hint" });
    this.list = h("ol", { id: "question-list", class: "plain question-list", "aria-labelledby": "questions-title" });
    this.listStatus = h("p", { id: "questions-status", class: "form-status", role: "status" });
    this.section = h("section", { id: "questions", class: "card questions", "aria-labelledby": "questions-title", hidden: "" },
      h("h2", { id: "questions-title" }, gettext("Questions to the panel")),
      this.moderating ? null : h("p", { class: "hint" }, gettext("Ask the panel, and upvote the questions you want answered first.")),
      this.moderating ? null : this.form,
      this.count, this.list, this.listStatus);
  }

  async ask() {
    const text = this.text.value.trim();
    setFieldError(this.text, "");
    if (!text) {
      setFieldError(this.text, gettext("Write your question first."));
      this.text.focus();
      return;
    }
    if (isUnavailable(this.askButton)) return;
    setUnavailable(this.askButton, true);
    showStatus(this.askStatus, gettext("Sending…"));
    try {
      const ack = await this.client.send("question.ask", { text });
      this.text.value = "";
      showStatus(this.askStatus, ack.status === "held"
        ? gettext("Thank you. A moderator will look at your question before others see it.")
        : gettext("Your question is on the list."), "ok");
    } catch (err) {
      if (err.fields?.text) setFieldError(this.text, [].concat(err.fields.text).join(" "));
      showStatus(this.askStatus, describeError(err), "error");
    } finally {
      setUnavailable(this.askButton, false);
    }
  }

  async upvote(question, button) {
    if (isUnavailable(button)) return;
    const value = !this.store.state.myUpvotes.has(question.id);
    setUnavailable(button, true);
    try {
      const ack = await this.client.send("question.upvote", { question: question.id, value });
      this.store.dispatch({ type: "upvote.confirmed", question: question.id, value, votes: ack.votes });
      announce(value ? gettext("Upvoted.") : gettext("Upvote taken back."));
    } catch (err) {
      showStatus(this.listStatus, describeError(err), "error");
    } finally {
      setUnavailable(button, false);
    }
  }

  async act(type, fields, status, done) {
    showStatus(status, gettext("Sending…"));
    try {
      await this.client.send(type, fields);
      showStatus(status, done, "ok");
      return true;
    } catch (err) {
      showStatus(status, describeError(err), "error");
      return false;
    }
  }

  /** A button that opens a small form (a text and a send button) under the question. */
  opener({ id, label, fieldLabel, send, maxlength, multiline = true }) {
    // A one-line field sends with Enter; a text area takes Enter as a new line.
    const input = multiline ? h("textarea", { id: `${id}-text`, rows: "2", maxlength: String(maxlength) })
      : h("input", { id: `${id}-text`, type: "text", maxlength: String(maxlength) });
    const submit = h("button", { type: "submit", class: "small primary" }, send);
    const cancel = h("button", { type: "button", class: "small" }, gettext("Cancel"));
    const form = h("form", { id: `${id}-form`, class: "question-form", hidden: "", novalidate: "" },
      h("div", { class: "field" }, h("label", { for: `${id}-text` }, fieldLabel), input),
      h("div", { class: "form-actions" }, submit, cancel));
    const toggle = h("button", { type: "button", class: "small", "aria-expanded": "false", "aria-controls": `${id}-form` }, label);
    const show = (open) => {
      form.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      if (open) input.focus();
      else toggle.focus();
    };
    toggle.addEventListener("click", () => show(form.hidden));
    cancel.addEventListener("click", () => show(false));
    form.addEventListener("keydown", (e) => {
      if (e.key === "Escape") show(false);
    });
    return { toggle, form, input, submit, show };
  }

  item(question) {
    const id = `q-${question.id}`;
    const text = h("p", { id: `${id}-text-shown`, class: "question-text" });
    const meta = h("p", { class: "idea-meta" });
    const votes = h("span", { class: "question-votes" });
    const upvote = h("button", { type: "button", class: "small upvote", "aria-pressed": "false", "aria-describedby": `${id}-text-shown` },
      gettext("Upvote"));
    upvote.addEventListener("click", () => this.upvote(this.store.state.questions.get(question.id) || question, upvote));
    const answer = h("div", { class: "question-answer" });
    const status = h("p", { class: "form-status", role: "status" });
    const controls = h("div", { class: "question-actions" }, votes, upvote);
    const parts = { text, meta, votes, upvote, answer, status, controls };
    if (canAnswer(this.store.state.me) && !this.moderating) {
      parts.answering = this.opener({ id: `${id}-answer`, label: gettext("Answer"), fieldLabel: gettext("Your answer (optional)"),
        send: gettext("Send answer"), maxlength: 2000 });
      parts.answering.form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const ok = await this.act("question.answer", { question: question.id, text: parts.answering.input.value.trim() }, status,
          gettext("Answered."));
        if (ok) {
          parts.answering.input.value = "";
          parts.answering.show(false);
        }
      });
      controls.append(parts.answering.toggle);
    }
    if (canModerate(this.store.state.me) && this.moderating) {
      parts.approve = h("button", { type: "button", class: "small" }, gettext("Approve"));
      parts.approve.addEventListener("click", () => this.act("question.approve", { question: question.id }, status, gettext("Approved.")));
      parts.hiding = this.opener({ id: `${id}-hide`, label: gettext("Hide"), fieldLabel: gettext("Reason (the author sees it)"),
        send: gettext("Hide question"), maxlength: 300, multiline: false });
      parts.hiding.form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const reason = parts.hiding.input.value.trim();
        setFieldError(parts.hiding.input, "");
        if (!reason) {
          setFieldError(parts.hiding.input, gettext("Give a reason."));
          parts.hiding.input.focus();
          return;
        }
        if (await this.act("question.hide", { question: question.id, reason }, status, gettext("Hidden."))) parts.hiding.show(false);
      });
      controls.append(parts.approve, parts.hiding.toggle);
    }
    const li = h("li", { id, class: "question" }, text, meta, answer, controls,
      parts.answering?.form, parts.hiding?.form, status);
    return { li, parts };
  }

  update({ li, parts }, question) {
    const s = this.store.state;
    li.dataset.status = question.status;
    setText(parts.text, question.text || gettext("(hidden)"));
    const bits = [gettext("by %(name)s", { name: personName(question.author?.name) })];
    const said = statusText(question);
    if (said) bits.push(said);
    if (question.hidden_reason) bits.push(gettext("reason: %(reason)s", { reason: question.hidden_reason }));
    setText(parts.meta, bits.join(" · "));
    setText(parts.votes, ngettext("%(count)s vote", "%(count)s votes", question.votes || 0));
    const open = isPublic(question);
    parts.upvote.hidden = !open || this.moderating;
    parts.upvote.setAttribute("aria-pressed", String(s.myUpvotes.has(question.id)));
    if (parts.answering) parts.answering.toggle.hidden = !open;
    if (parts.approve) parts.approve.hidden = question.status !== "held";
    if (parts.hiding) parts.hiding.toggle.hidden = question.status === "hidden";
    const a = question.answer;
    parts.answer.hidden = !a;
    if (a) {
      parts.answer.replaceChildren(
        h("p", { class: "answer-by" }, gettext("Answer from %(name)s", { name: personName(a.by) })),
        a.text ? h("p", { class: "answer-text" }, a.text) : h("p", { class: "hint" }, gettext("Answered in the session.")));
    }
  }

  render() {
    const s = this.store.state;
    const live = !!s.me && s.me.admitted !== false;
    this.section.hidden = !live || (this.moderating && !canModerate(s.me));
    if (this.section.hidden) return;
    const ended = s.workshop?.status === "ended";
    this.form.hidden = ended;
    const shown = questionsShown(s, { moderating: this.moderating });
    setText(this.count, shown.length
      ? ngettext("%(count)s question, most votes first.", "%(count)s questions, most votes first.", shown.length)
      : gettext("No questions yet."));
    const keep = new Set(shown.map((q) => q.id));
    for (const [id, entry] of this.items) {
      if (!keep.has(id)) {
        entry.li.remove();
        this.items.delete(id);
      }
    }
    for (const question of shown) {
      let entry = this.items.get(question.id);
      if (!entry) {
        entry = this.item(question);
        this.items.set(question.id, entry);
      }
      this.update(entry, question);
    }
    // Reorder only when the order changed, and give focus back to what had it.
    const order = shown.map((q) => this.items.get(q.id).li);
    if (order.some((li, i) => this.list.children[i] !== li)) {
      const focused = document.activeElement;
      this.list.append(...order);
      if (focused && focused !== document.activeElement && focused.isConnected) focused.focus();
    }
  }
}
