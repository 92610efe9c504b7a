// Poll cards (protocol 3.4): the answer form of each kind, by keyboard and screen reader, and the
// results as a chart with a table of the same numbers. Used on the participant page and, for the
// results, in the facilitator's poll panel.
import { $, h, setText, showStatus, setUnavailable, isUnavailable, uniqueId, announce } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { clockTimeOf } from "./format.js";
import {
  MAX_WORDS, MAX_WORD_CHARS, answerFrom, initialRanking, kindLabel, moveRanking, optionLabel, pointsLeftText,
  resultRows, resultSummary, formatNumber,
} from "./poll-logic.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, String(value));
  for (const child of children) el.append(child);
  return el;
}

/** A horizontal bar chart of result rows; its title and description carry the same numbers as the table. */
export function resultChart(rows, title) {
  const width = 480;
  const labelW = 150;
  const barH = 22;
  const gap = 6;
  const plotW = width - labelW - 50;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const height = rows.length * (barH + gap) + 8;
  const titleId = uniqueId("poll-chart-title");
  const descId = uniqueId("poll-chart-desc");
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${titleId} ${descId}`, class: "poll-chart", focusable: "false" },
    svg("title", { id: titleId }, title),
    svg("desc", { id: descId }, rows.map((r) => `${r.label}: ${formatNumber(r.value)}`).join("; ")));
  rows.forEach((row, i) => {
    const y = 4 + i * (barH + gap);
    const w = row.value > 0 ? Math.max((plotW * row.value) / max, 2) : 0;
    const short = row.label.length > 22 ? `${row.label.slice(0, 21)}…` : row.label;
    chart.append(
      svg("text", { x: labelW - 6, y: y + barH / 2 + 5, "text-anchor": "end", class: "poll-chart-label" }, short),
      svg("rect", { x: labelW, y, width: w.toFixed(1), height: barH, rx: 3, class: "poll-chart-bar" }),
      svg("text", { x: labelW + w + 6, y: y + barH / 2 + 5, class: "poll-chart-value" }, formatNumber(row.value)));
  });
  return chart;
}

/** The results block of a poll: a summary line, the chart and the table; or why there are none yet. */
export function resultsBlock(poll) {
  const made = resultRows(poll);
  if (!made) {
    return h("p", { class: "hint poll-waiting" }, gettext("The results are shown when the poll closes."));
  }
  const captionId = uniqueId(`poll-${poll.id}-results`);
  const caption = poll.status === "closed" ? gettext("Final results") : gettext("Results so far");
  return h("div", { class: "poll-results-body" },
    h("p", { class: "poll-summary", id: captionId }, `${caption}: ${resultSummary(poll)}`),
    made.rows.length ? resultChart(made.rows, `${poll.question} — ${caption}`) : null,
    made.rows.length
      ? h("div", { class: "table-wrap" }, h("table", { class: "data-table poll-table", "aria-labelledby": captionId },
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, poll.kind === "words" ? gettext("Word") : poll.kind === "scale" ? gettext("Value") : gettext("Option")),
          h("th", { scope: "col", class: "num" }, made.measure))),
        h("tbody", {}, ...made.rows.map((row) => h("tr", {}, h("th", { scope: "row" }, row.label), h("td", { class: "num" }, formatNumber(row.value)))))))
      : h("p", { class: "hint" }, gettext("No words yet.")));
}

/** What the card says under its question: kind, anonymity, when it closes, when results show. */
export function pollMeta(poll) {
  const bits = [kindLabel(poll.kind)];
  if (poll.anonymous) bits.push(gettext("anonymous"));
  if (poll.status === "closed") bits.push(gettext("closed"));
  else if (poll.closes_at) bits.push(gettext("closes at %(time)s", { time: clockTimeOf(poll.closes_at) }));
  if (poll.status === "open" && poll.results_visibility === "after_close") bits.push(gettext("results after it closes"));
  return bits.join(" · ");
}

/** One poll on the participant page: its question, the answer form while open, and the results. */
export class PollCard {
  constructor(client, poll) {
    this.client = client;
    this.poll = poll;
    this.id = `poll-${poll.id}`;
    this.el = h("article", { class: "poll-card", id: this.id, "aria-labelledby": `${this.id}-q` });
    this.build();
  }

  answer() {
    return this.client.state.myPollAnswers.get(this.poll.id) || null;
  }

  build() {
    const poll = this.poll;
    this.form = null;
    this.results = h("div", { class: "poll-results" }, resultsBlock(poll));
    const mine = this.answer();
    this.el.replaceChildren(
      h("h3", { id: `${this.id}-q` }, poll.question),
      h("p", { class: "hint poll-meta" }, pollMeta(poll)),
      poll.status === "open" ? this.buildForm(mine) : h("p", { class: "poll-closed-note" },
        mine ? gettext("This poll is closed. Thank you for answering.") : gettext("This poll is closed.")),
      this.results);
  }

  /** A new POLL (closed, or labels changed): rebuild, keeping focus inside the card if it was there. */
  update(poll) {
    const structural = poll.status !== this.poll.status
      || JSON.stringify(poll.options) !== JSON.stringify(this.poll.options);
    this.poll = poll;
    if (structural) {
      const hadFocus = this.el.contains(document.activeElement);
      this.build();
      if (hadFocus) {
        const heading = $("h3", this.el);
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    } else {
      this.showResults();
    }
  }

  showResults() {
    this.results.replaceChildren(resultsBlock(this.poll));
  }

  buildForm(mine) {
    const poll = this.poll;
    const status = h("p", { class: "form-status", role: "status", id: `${this.id}-status` });
    const submit = h("button", { type: "submit", class: "primary" }, mine ? gettext("Change my answer") : gettext("Send my answer"));
    const form = h("form", { class: "poll-form", novalidate: true, "aria-labelledby": `${this.id}-q` },
      this.controls(mine),
      h("div", { class: "form-actions" }, submit),
      status);
    if (mine) showStatus(status, gettext("You answered this poll. You can change your answer while it is open."), "ok");
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.send(submit, status);
    });
    this.form = form;
    return form;
  }

  controls(mine) {
    const poll = this.poll;
    const name = `${this.id}-answer`;
    switch (poll.kind) {
      case "single":
      case "multiple": {
        const many = poll.kind === "multiple";
        const chosen = new Set(many ? mine?.choices || [] : mine ? [mine.choice] : []);
        const legend = many
          ? (poll.max_choices ? ngettext("Choose up to %(count)s option", "Choose up to %(count)s options", poll.max_choices) : gettext("Choose one or more options"))
          : gettext("Choose one option");
        return h("fieldset", { class: "poll-options" }, h("legend", {}, legend),
          ...poll.options.map((o) => {
            const id = `${name}-${o.id}`;
            return h("div", { class: "choice" },
              h("input", { type: many ? "checkbox" : "radio", name, id, value: String(o.id), checked: chosen.has(o.id) }),
              h("label", { for: id }, optionLabel(o)));
          }));
      }
      case "scale": {
        const { min, max } = poll.scale;
        const value = mine?.value ?? Math.round((min + max) / 2);
        const id = `${name}-value`;
        const output = h("output", { for: id, class: "poll-scale-value", id: `${id}-out` }, String(value));
        const input = h("input", { type: "range", id, name, min, max, step: 1, value, "aria-describedby": `${id}-ends` });
        input.addEventListener("input", () => setText(output, input.value));
        return h("div", { class: "field poll-scale" },
          h("label", { for: id }, gettext("Your answer, from %(min)s to %(max)s", { min, max })),
          h("div", { class: "poll-scale-row" }, h("span", { "aria-hidden": "true" }, String(min)), input, h("span", { "aria-hidden": "true" }, String(max)), output),
          h("p", { class: "hint", id: `${id}-ends` }, gettext("Use the arrow keys to change the value.")));
      }
      case "ranking":
        this.order = initialRanking(poll, mine);
        this.rankList = h("ol", { class: "poll-ranking", "aria-describedby": `${this.id}-rank-hint` });
        this.rankStatus = h("p", { class: "visually-hidden", role: "status" });
        this.drawRanking();
        return h("div", { class: "field" },
          h("p", { class: "label-like", id: `${this.id}-rank-label` }, gettext("Put the options in your order, best first")),
          h("p", { class: "hint", id: `${this.id}-rank-hint` }, gettext("Use the Up and Down buttons next to an option to move it.")),
          this.rankList, this.rankStatus);
      case "points": {
        const given = mine?.points || {};
        const counter = h("p", { class: "poll-points-left", role: "status", id: `${this.id}-left` });
        const inputs = poll.options.map((o) => h("input", {
          type: "number", id: `${name}-${o.id}`, name: String(o.id), min: 0, max: poll.points, step: 1, inputmode: "numeric",
          value: given[String(o.id)] ?? "", "aria-describedby": `${this.id}-left`, class: "poll-points-input",
        }));
        const recount = () => setText(counter, pointsLeftText(poll.points, inputs.map((i) => i.value)));
        for (const input of inputs) input.addEventListener("input", recount);
        recount();
        return h("fieldset", { class: "poll-points" },
          h("legend", {}, gettext("Spread %(total)s points over the options", { total: poll.points })),
          ...poll.options.map((o, i) => h("div", { class: "poll-points-row" },
            h("label", { for: inputs[i].id }, optionLabel(o)), inputs[i])),
          counter);
      }
      case "words": {
        const words = mine?.words || [];
        return h("fieldset", { class: "poll-words" },
          h("legend", {}, gettext("Up to three words")),
          ...Array.from({ length: MAX_WORDS }, (_, i) => {
            const id = `${name}-${i}`;
            return h("div", { class: "field" },
              h("label", { for: id }, i === 0 ? gettext("Word 1") : gettext("Word %(n)s (optional)", { n: i + 1 })),
              h("input", { type: "text", id, maxlength: MAX_WORD_CHARS, value: words[i] || "", autocomplete: "off", class: "poll-word" }));
          }));
      }
      default:
        return h("p", {}, gettext("This poll cannot be answered here."));
    }
  }

  drawRanking(focus) {
    const n = this.order.length;
    const labels = new Map(this.poll.options.map((o) => [o.id, optionLabel(o)]));
    this.rankList.replaceChildren(...this.order.map((id, index) => {
      const label = labels.get(id);
      // The visible word starts the accessible name (WCAG 2.5.3), which names the option too.
      const up = h("button", { type: "button", class: "small", dataset: { move: "up", option: id }, "aria-disabled": index === 0 ? "true" : null,
        "aria-label": gettext("Up: %(label)s", { label }) }, h("span", { "aria-hidden": "true" }, "↑ "), gettext("Up"));
      const down = h("button", { type: "button", class: "small", dataset: { move: "down", option: id }, "aria-disabled": index === n - 1 ? "true" : null,
        "aria-label": gettext("Down: %(label)s", { label }) }, h("span", { "aria-hidden": "true" }, "↓ "), gettext("Down"));
      up.addEventListener("click", () => this.move(index, -1, "up"));
      down.addEventListener("click", () => this.move(index, 1, "down"));
      // The list's own numbers go with display: flex; these show the place (the <ol> tells it to screen readers).
      return h("li", { class: "poll-rank-item", dataset: { option: id } },
        h("span", { class: "poll-rank-label" }, h("span", { class: "poll-rank-place", "aria-hidden": "true" }, `${index + 1}. `), label),
        h("span", { class: "poll-rank-moves" }, up, down));
    }));
    if (focus) {
      const button = this.rankList.querySelector(`button[data-option="${focus.option}"][data-move="${focus.move}"]`);
      const other = this.rankList.querySelector(`button[data-option="${focus.option}"][data-move="${focus.move === "up" ? "down" : "up"}"]`);
      (isUnavailable(button) ? other : button)?.focus();
    }
  }

  move(index, delta, direction) {
    const next = moveRanking(this.order, index, delta);
    if (next.join() === this.order.join()) return;
    const id = this.order[index];
    this.order = next;
    this.drawRanking({ option: id, move: direction });
    const label = optionLabel(this.poll.options.find((o) => o.id === id));
    setText(this.rankStatus, gettext("%(label)s is now number %(place)s of %(count)s.", { label, place: next.indexOf(id) + 1, count: next.length }));
  }

  formValues() {
    const form = this.form;
    const name = `${this.id}-answer`;
    switch (this.poll.kind) {
      case "single":
        return { choice: form.querySelector(`input[name="${name}"]:checked`)?.value ?? null };
      case "multiple":
        return { choices: [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value) };
      case "scale":
        return { value: form.querySelector("input[type=range]").value };
      case "ranking":
        return { ranking: this.order };
      case "points":
        return { points: Object.fromEntries([...form.querySelectorAll(".poll-points-input")].map((i) => [i.name, i.value])) };
      case "words":
        return { words: [...form.querySelectorAll(".poll-word")].map((i) => i.value) };
      default:
        return {};
    }
  }

  send(button, status) {
    if (isUnavailable(button)) return;
    const answer = answerFrom(this.poll, this.formValues());
    if (answer.error) {
      showStatus(status, answer.error, "error");
      return;
    }
    setUnavailable(button, true);
    showStatus(status, this.client.ready ? gettext("Sending…") : gettext("Offline: this will be sent when the connection is back."));
    this.client.send("poll.answer", { poll: this.poll.id, ...answer }).then((ack) => {
      this.client.store.dispatch({ type: "poll.answered", poll: this.poll.id, answer: ack.answer });
      setText(button, gettext("Change my answer"));
      showStatus(status, gettext("Your answer is in. You can change it while the poll is open."), "ok");
    }, (err) => {
      const detail = err.fields ? Object.values(err.fields).flat().join(" ") : "";
      showStatus(status, err.code === "conflict" ? gettext("This poll is closed.") : [describeError({ ...err, fields: {} }), detail].filter(Boolean).join(" "), "error");
    }).finally(() => setUnavailable(button, false));
  }
}

/** The participant page's polls: open ones first (newest first), then closed ones. */
export class ParticipantPolls {
  constructor(page) {
    this.page = page;
    this.client = page.client;
    this.section = $("#polls", page.root);
    this.list = $("#poll-list", page.root);
    this.cards = new Map();
    page.onSnapshot(() => this.render());
    page.store.on(["poll.opened", "poll.closed", "idea.hidden"], (ev) => {
      this.render();
      if (ev.type === "poll.opened") announce(gettext("New poll: %(question)s", { question: ev.poll.question }));
      if (ev.type === "poll.closed") announce(gettext("Poll closed: %(question)s", { question: ev.poll.question }));
    });
    page.store.on("poll.results", (ev) => {
      const card = this.cards.get(ev.poll);
      const poll = this.client.state.polls.get(ev.poll);
      if (card && poll) card.update(poll);
    });
  }

  render() {
    const polls = [...this.client.state.polls.values()].sort((a, b) =>
      (a.status === b.status ? b.id - a.id : a.status === "open" ? -1 : 1));
    this.section.hidden = polls.length === 0;
    const keep = new Set();
    for (const poll of polls) {
      keep.add(poll.id);
      const card = this.cards.get(poll.id);
      if (card) card.update(poll);
      else this.cards.set(poll.id, new PollCard(this.client, poll));
    }
    for (const id of [...this.cards.keys()]) if (!keep.has(id)) this.cards.delete(id);
    const wanted = polls.map((p) => this.cards.get(p.id).el);
    if (wanted.some((el, i) => this.list.children[i] !== el) || this.list.children.length !== wanted.length) {
      const active = document.activeElement;
      this.list.replaceChildren(...wanted);
      if (active && this.list.contains(active)) active.focus();
    }
  }
}
