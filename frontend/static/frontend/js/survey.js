// The end-of-workshop survey on the participant page: citizens and officials rate their own
// factors from 0 to 10 (each optional, as a radio group the arrow keys walk), plus a comment.
// Once answered (or refused with `conflict`) the form gives way to a thank-you.
import { $, h, setText, showStatus, setFieldError, setUnavailable, isUnavailable, announce } from "./dom.js";
import { gettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { factorLabel } from "./report-format.js";

export const FACTORS = {
  citizen: ["collaboration", "accessibility", "safety", "information", "influence"],
  official: ["influence", "engagement", "alignment", "implementation", "relevance"],
};

const QUESTIONS = {
  citizen: {
    collaboration: () => gettext("How well did people work together?"),
    accessibility: () => gettext("How easy was it for you to take part?"),
    safety: () => gettext("How safe did you feel to say what you think?"),
    information: () => gettext("How well were you informed about the topic?"),
    influence: () => gettext("How much influence do you expect this workshop to have?"),
  },
  official: {
    influence: () => gettext("How much will the results influence decisions?"),
    engagement: () => gettext("How engaged were the participants?"),
    alignment: () => gettext("How well do the results fit the questions you are working on?"),
    implementation: () => gettext("How feasible is it to carry out the proposals?"),
    relevance: () => gettext("How relevant were the contributions?"),
  },
};

export class Survey {
  constructor(page) {
    this.page = page;
    this.client = page.client;
    this.root = page.root;
    this.section = $("#survey", this.root);
    this.form = $("#survey-form", this.root);
    this.built = "";
    page.onSnapshot(() => this.render());
    page.store.watch("*", () => this.render());
    page.store.on("workshop.ended", () => {
      if (!this.answered()) announce(gettext("The survey is open: tell us how the workshop went."));
    });
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
  }

  /** The server says so in `welcome.my_survey`; an ack says so until the next welcome. */
  answered() {
    return this.client.state.surveyAnswered === true;
  }

  render() {
    const s = this.client.state;
    const role = s.me?.role;
    const status = s.workshop?.status;
    const show = !!FACTORS[role] && (status === "live" || status === "ended");
    this.section.hidden = !show;
    if (!show) return;
    if (this.built !== role) this.build(role);
    const ended = status === "ended";
    this.section.classList.toggle("prominent", ended);
    // After the end the survey goes first, where people look.
    const main = this.section.parentElement;
    if (ended && main.firstElementChild !== this.section && !this.section.contains(document.activeElement)) main.prepend(this.section);
    setText($("#survey-intro", this.root), ended
      ? gettext("The workshop has ended. Please tell us how it went: it takes a minute.")
      : gettext("You can tell us how the workshop went at any time, also after it ends."));
    const done = this.answered();
    this.form.hidden = done;
    $("#survey-thanks", this.root).hidden = !done;
  }

  build(role) {
    this.built = role;
    const groups = FACTORS[role].map((factor) => {
      const name = `survey-${factor}`;
      const legendId = `${name}-legend`;
      const numbers = [];
      for (let n = 0; n <= 10; n += 1) {
        numbers.push(h("label", { class: "scale-option" }, h("input", { type: "radio", name, value: String(n) }), h("span", {}, String(n))));
      }
      // One radio group (same name): the arrow keys go from "No answer" through 0 to 10.
      const options = [h("label", { class: "scale-option scale-none" },
        h("input", { type: "radio", name, value: "", checked: true }), h("span", {}, gettext("No answer"))),
      h("div", { class: "scale-numbers" }, numbers)];
      return h("fieldset", { class: "scale", id: `${name}-group`, dataset: { factor }, "aria-describedby": "survey-scale-hint" },
        h("legend", { id: legendId }, h("span", { class: "scale-factor" }, factorLabel(factor)), " ", QUESTIONS[role][factor]()),
        h("div", { class: "scale-options" }, options),
        h("p", { class: "field-error", id: `${name}-error`, hidden: true }));
    });
    $("#survey-questions", this.root).replaceChildren(...groups);
  }

  answers() {
    const answers = {};
    for (const factor of FACTORS[this.built] || []) {
      const checked = this.form.querySelector(`input[name="survey-${factor}"]:checked`);
      if (checked && checked.value !== "") answers[factor] = Number(checked.value);
    }
    return answers;
  }

  showFieldErrors(fields) {
    const general = $("#survey-answers-error", this.root);
    setText(general, "");
    general.hidden = true;
    for (const slot of this.form.querySelectorAll(".scale .field-error")) {
      slot.hidden = true;
      setText(slot, "");
    }
    setFieldError($("#survey-comment", this.root), "");
    let first = null;
    for (const [name, value] of Object.entries(fields || {})) {
      const text = [].concat(value).join(" ");
      const factor = name.startsWith("answers.") ? name.slice(8) : null;
      const slot = factor ? document.getElementById(`survey-${factor}-error`) : null;
      if (name === "comment") {
        setFieldError($("#survey-comment", this.root), gettext("The comment can be up to 2000 characters."));
        first = first || $("#survey-comment", this.root);
      } else if (slot) {
        setText(slot, gettext("Choose a whole number from 0 to 10."));
        slot.hidden = false;
        first = first || slot.closest("fieldset").querySelector("input");
      } else {
        setText(general, name === "answers" ? gettext("Rate at least one question from 0 to 10.") : text);
        general.hidden = false;
        first = first || this.form.querySelector("input[type=radio]");
      }
    }
    first?.focus();
  }

  submit() {
    const button = $("#survey-submit", this.root);
    const status = $("#survey-status", this.root);
    if (isUnavailable(button)) return;
    const fields = { answers: this.answers() };
    const comment = $("#survey-comment", this.root).value.trim();
    if (comment) fields.comment = comment;
    this.showFieldErrors({});
    setUnavailable(button, true);
    showStatus(status, gettext("Sending…"));
    this.client.send("survey.answer", fields).then(() => {
      this.finish(gettext("Thank you for answering the survey."));
    }, (err) => {
      if (err.code === "conflict") {
        this.finish(gettext("You already answered the survey. Thank you."));
        return;
      }
      if (err.code === "invalid") this.showFieldErrors(err.fields);
      showStatus(status, describeError({ ...err, fields: {} }), "error");
    }).finally(() => setUnavailable(button, false));
  }

  finish(message) {
    this.client.store.dispatch({ type: "survey.answered" });
    showStatus($("#survey-status", this.root), "");
    setText($("#survey-thanks-text", this.root), message);
    this.render();
    $("#survey-thanks", this.root).focus();
  }
}
