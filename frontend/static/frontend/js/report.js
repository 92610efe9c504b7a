// The impact report of one workshop (docs/protocol.md 1.1 and 1b), for its facilitators and
// officials: key figures, server-rendered charts, each with a table of the same numbers.
import { $, h, setText } from "./dom.js";
import { gettext, ngettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { api } from "./api.js";
import { statusLabel } from "./labels.js";
import { statGrid, dataTable, chartFigure } from "./report-figures.js";
import { formatNumber, kindLabel, resultRows, resultSummary } from "./poll-logic.js";
import {
  RUNG_KEYS, PARTICIPATION_KEYS, rungLabel, factorLabel, participationLabel,
  formatCount, formatShare, formatMean, formatHours, formatMoment, formatGini,
} from "./report-format.js";

const NOT_SHOWN = () => gettext("fewer than 5 people — not shown");

class ReportPage {
  constructor(root) {
    this.root = root;
    this.code = root.dataset.code;
  }

  async start() {
    $("#print", this.root).addEventListener("click", () => window.print());
    let report;
    try {
      report = await api.report(this.code);
    } catch (err) {
      this.refuse(err);
      return;
    }
    try {
      const workshop = await api.workshop(this.code);
      setText($("#workshop-title", this.root), workshop.title || "");
      document.title = `${gettext("Impact report")}: ${workshop.title || ""} · Inspraak`;
      const badge = $("#workshop-status", this.root);
      setText(badge, statusLabel(workshop.status));
      badge.dataset.status = workshop.status || "";
    } catch {
      setText($("#workshop-title", this.root), this.code);
    }
    setText($("#generated", this.root), gettext("Figures as of %(when)s", { when: formatMoment(new Date().toISOString()) }));
    $("#download-report-csv", this.root).href = api.reportCsvUrl(this.code);
    $("#download-export-json", this.root).href = api.exportUrl(this.code, "json");
    $("#download-export-csv", this.root).href = api.exportUrl(this.code, "csv");
    this.render(report);
    $("#loading", this.root).hidden = true;
    $("#report", this.root).hidden = false;
  }

  refuse(err) {
    let title = gettext("This report cannot be opened");
    let text = describeError(err);
    let link = gettext("Go to the front page");
    if (err.status === 401) {
      title = gettext("Log in to see this report");
      text = gettext("The impact report is for the facilitators and officials of this workshop. Log in with your staff account on the front page, then open this page again.");
      link = gettext("Log in on the front page");
    } else if (err.status === 403) {
      title = gettext("Not allowed");
      text = gettext("Only the facilitators and officials of this workshop can see its impact report. If you should have access, ask the facilitator to add you.");
    } else if (err.status === 404) {
      title = gettext("No such workshop");
      text = gettext("There is no workshop with this code. Check the link or the code you were given.");
    }
    setText($("#fatal-title", this.root), title);
    setText($("#fatal-text", this.root), text);
    setText($("#fatal-link", this.root), link);
    $("#loading", this.root).hidden = true;
    const fatal = $("#fatal", this.root);
    fatal.hidden = false;
    fatal.focus();
  }

  section(id) {
    const section = $(`#sec-${id}`, this.root);
    return { stats: $("[data-slot=stats]", section), figures: $("[data-slot=figures]", section) };
  }

  render(r) {
    this.participation(r.participation);
    this.ladder(r.ladder);
    this.collaboration(r.collaboration);
    this.responsiveness(r.responsiveness);
    this.inclusiveness(r.inclusiveness);
    this.voice(r.voice || {}, r.contribution_bands || {});
    this.representativeness(r.representativeness || {}, r.reference || {});
    this.survey(r.survey || {});
    this.polls(r.polls || []);
  }

  participation(p) {
    const { stats, figures } = this.section("participation");
    stats.replaceChildren(statGrid([
      { label: gettext("Citizens who joined"), value: formatCount(p.joined) },
      { label: gettext("Active citizens"), value: formatCount(p.active),
        note: p.joined ? gettext("%(share)s of those who joined", { share: formatShare(p.active / p.joined) }) : null },
      { label: gettext("Ideas"), value: formatCount(p.ideas) },
      { label: gettext("Builds on other ideas"), value: formatCount(p.builds) },
      { label: gettext("Reactions"), value: formatCount(p.reactions) },
      { label: gettext("Endorsements"), value: formatCount(p.endorsements) },
    ]));
    figures.replaceChildren(chartFigure({
      code: this.code, name: "participation", caption: gettext("What people did"),
      table: (id) => dataTable({ labelledBy: id, columns: [gettext("What"), gettext("Number")],
        rows: PARTICIPATION_KEYS.map((key) => [participationLabel(key), formatCount(p[key])]) }),
      note: gettext("“Active” counts citizens who posted, reacted, endorsed or flagged. Ideas include replies that build on another idea."),
    }));
  }

  ladder(l) {
    const { stats, figures } = this.section("ladder");
    const joined = RUNG_KEYS.reduce((sum, key) => sum + (l.end[key] || 0), 0);
    const collaboratingNow = (l.end.collaborating || 0) + (l.end.empowered || 0);
    stats.replaceChildren(statGrid([
      { label: gettext("Moved up at least one rung"), value: formatShare(l.moved_up), note: gettext("of the citizens who joined") },
      { label: gettext("Collaborating or empowered now"), value: formatCount(collaboratingNow),
        note: joined ? gettext("%(share)s of the citizens", { share: formatShare(collaboratingNow / joined) }) : null },
    ]));
    figures.replaceChildren(chartFigure({
      code: this.code, name: "ladder", caption: gettext("Citizens on each rung, at the start and now"),
      table: (id) => dataTable({ labelledBy: id,
        columns: [gettext("Rung"), gettext("At the start"), gettext("Now"), gettext("Change")],
        rows: RUNG_KEYS.map((key) => {
          const diff = (l.end[key] || 0) - (l.start[key] || 0);
          return [rungLabel(key), formatCount(l.start[key] || 0), formatCount(l.end[key] || 0),
            diff > 0 ? `+${formatCount(diff)}` : diff < 0 ? `−${formatCount(-diff)}` : "0"];
        }) }),
    }));
  }

  collaboration(c) {
    this.section("collaboration").stats.replaceChildren(statGrid([
      { label: gettext("Ideas that build on another idea"), value: formatShare(c.build_share) },
      { label: gettext("Proposals with two or more contributors"), value: formatShare(c.multi_contributor_proposals) },
    ]));
  }

  responsiveness(r) {
    const hours = formatHours(r.median_hours_to_response);
    this.section("responsiveness").stats.replaceChildren(statGrid([
      { label: gettext("Published proposals"), value: formatCount(r.proposals) },
      { label: gettext("Proposals with an official response"), value: formatCount(r.responded),
        note: r.proposals ? gettext("%(share)s of the published proposals", { share: formatShare(r.responded / r.proposals) }) : null },
      { label: gettext("Median time to the first response"), value: hours ?? gettext("No responses yet"),
        note: hours ? gettext("from publishing to the first official response") : null },
      { label: gettext("Contributors who were told the answer"),
        value: r.contributors_told === null || r.contributors_told === undefined
          ? gettext("No answered proposals yet") : formatShare(r.contributors_told),
        note: gettext("authors of the ideas behind answered proposals who heard an answer: on screen when it came, or by mail") },
    ]));
  }

  inclusiveness(i) {
    this.section("inclusiveness").stats.replaceChildren(statGrid([
      { label: gettext("Ideas flagged"), value: formatShare(i.flagged_share) },
      { label: gettext("Ideas ever hidden"), value: formatShare(i.hidden_share) },
      { label: gettext("Ideas ever held for review"), value: formatShare(i.held_share) },
      { label: gettext("Appeals"), value: formatCount(i.appeals),
        note: i.appeals ? ngettext("%(count)s granted", "%(count)s granted", i.appeals_granted) : null },
    ]));
  }

  voice(v, bands) {
    const { stats, figures } = this.section("voice");
    stats.replaceChildren(statGrid([
      { label: gettext("Turns on the floor"), value: formatCount(v.turns || 0) },
      { label: gettext("Speakers"), value: formatCount(v.speakers || 0), note: gettext("different people given the floor") },
      { label: gettext("Inequality of contributions (Gini)"), value: formatGini(v.contribution_gini || 0),
        note: gettext("0 when every citizen contributed as much, near 1 when a few did everything") },
      { label: gettext("Quiet citizens"), value: formatShare(v.quiet_share || 0),
        note: gettext("of the citizens who joined: no idea, reaction or turn") },
    ]));
    figures.replaceChildren(chartFigure({
      code: this.code, name: "voice", caption: gettext("Citizens by number of contributions"),
      table: (id) => dataTable({ labelledBy: id, columns: [gettext("Contributions"), gettext("Citizens")],
        rows: Object.entries(bands).map(([band, n]) => [band, formatCount(n)]) }),
      note: gettext("A contribution is an idea, a reaction or a turn on the floor. Poll answers, questions and upvotes are not counted."),
    }));
  }

  representativeness(shares, reference) {
    const { figures } = this.section("representativeness");
    const keys = Object.keys(shares);
    if (!keys.length) {
      figures.replaceChildren(h("p", { class: "empty" }, gettext("This workshop asked no profile questions, so there is nothing to compare.")));
      return;
    }
    const cell = (value) => (value === null || value === undefined ? h("span", { class: "not-shown" }, NOT_SHOWN()) : formatShare(value));
    figures.replaceChildren(chartFigure({
      code: this.code, name: "representativeness", caption: gettext("Who took part, against the reference"),
      table: (id) => dataTable({ labelledBy: id,
        columns: [gettext("Answer"), gettext("In the workshop"), gettext("Reference")],
        groups: keys.map((key) => ({
          label: key,
          rows: Object.entries(shares[key]).map(([option, share]) => {
            const ref = reference[key] ? reference[key][option] : undefined;
            return [option, cell(share), ref === undefined || ref === null ? gettext("no reference") : formatShare(ref)];
          }),
        })) }),
    }));
  }

  polls(polls) {
    const { figures } = this.section("polls");
    if (!polls.length) {
      figures.replaceChildren(h("p", { class: "empty" }, gettext("No poll was closed in this workshop.")));
      return;
    }
    figures.replaceChildren(...polls.map((poll) => {
      const made = resultRows(poll);
      return chartFigure({
        code: this.code, name: `poll-${poll.id}`, caption: `${poll.question} (${kindLabel(poll.kind)})`,
        table: (id) => dataTable({ labelledBy: id,
          columns: [poll.kind === "words" ? gettext("Word") : poll.kind === "scale" ? gettext("Value") : gettext("Option"), made.measure],
          rows: made.rows.map((row) => [row.label, formatNumber(row.value)]) }),
        note: resultSummary(poll),
      });
    }));
  }

  survey(s) {
    const { figures } = this.section("survey");
    const group = (name, rows, caption) => chartFigure({
      code: this.code, name, caption,
      table: (id) => dataTable({ labelledBy: id,
        columns: [gettext("Factor"), gettext("Mean"), gettext("7 or more"), gettext("Answers")],
        rows: Object.entries(rows || {}).map(([factor, row]) => {
          // Under 5 answers the server gives no figures (privacy), only how many answered.
          const hidden = row.n && (row.mean === null || row.mean === undefined);
          const notShown = () => h("span", { class: "not-shown" }, NOT_SHOWN());
          return [
            factorLabel(factor),
            !row.n ? gettext("no answers") : hidden ? notShown() : formatMean(row.mean),
            !row.n ? "–" : hidden ? notShown() : formatShare(row.agree_share),
            formatCount(row.n)];
        }) }),
    });
    figures.replaceChildren(
      group("survey_citizens", s.citizens, gettext("Citizens' survey, from 0 to 10")),
      group("survey_officials", s.officials, gettext("Officials' survey, from 0 to 10")));
  }
}

const root = document.getElementById("app");
if (root) new ReportPage(root).start().catch((err) => {
  setText($("#loading", root), describeError(err));
});
