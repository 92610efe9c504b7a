// The public outcomes page: published proposals, their sources, support and official responses.
// Live over the workshop socket for anyone with a participant in this workshop; everyone else
// (the socket closes 4401) gets the HTTP endpoint again every 30 seconds.
import { WorkshopClient, Conn } from "./client.js";
import { $, setText, announce, showStatus } from "./dom.js";
import { gettext } from "./i18n.js";
import { describeError } from "./errors.js";
import { api } from "./api.js";
import { ProposalCard, proposalCount } from "./proposal-card.js";
import { responseLabel } from "./report-format.js";
import { statusLabel } from "./labels.js";

const POLL_MS = 30_000;
const REPORT_ROLES = new Set(["facilitator", "official"]);

class OutcomesPage {
  constructor(root) {
    this.root = root;
    this.code = root.dataset.code;
    this.cards = new Map(); // proposal id -> ProposalCard
    this.me = null;
    this.loaded = false;
    this.loading = null;
    this.reloadAgain = false;
    this.pollTimer = null;
    // No stored commands: this page only listens, and must not resend the participant page's.
    this.client = new WorkshopClient(this.code, { storage: null });
    this.wire();
  }

  wire() {
    const c = this.client;
    c.addEventListener("connection", (e) => this.onConnection(e.detail.state));
    c.addEventListener("snapshot", () => this.onSnapshot());
    this.subscribe(c.store);
    for (const type of ["need-join", "refused", "fatal"]) c.addEventListener(type, () => this.startPolling());
    window.addEventListener("pagehide", () => c.close());
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && this.polling) this.refresh();
    });
  }

  async start() {
    let workshop;
    try {
      workshop = await api.workshop(this.code);
    } catch (err) {
      this.showFatal(err.status === 404
        ? gettext("There is no workshop with this code. Check the link or the code you were given.")
        : describeError(err));
      return;
    }
    this.setWorkshop(workshop);
    await this.refresh();
    $("#loading", this.root).hidden = true;
    $("#content", this.root).hidden = false;
    this.client.connect();
  }

  showFatal(text) {
    setText($("#fatal-text", this.root), text);
    $("#loading", this.root).hidden = true;
    $("#fatal", this.root).hidden = false;
    $("#fatal", this.root).focus();
  }

  setWorkshop(workshop) {
    this.workshop = { ...this.workshop, ...workshop };
    setText($("#workshop-title", this.root), workshop.title || "");
    const description = $("#workshop-description", this.root);
    setText(description, this.workshop.description || "");
    description.hidden = !this.workshop.description;
    document.title = `${gettext("Outcomes")}: ${workshop.title || ""} · Inspraak`;
    const badge = $("#workshop-status", this.root);
    setText(badge, statusLabel(workshop.status));
    badge.dataset.status = workshop.status || "";
  }

  // --- live or polled ---

  get polling() {
    return this.pollTimer !== null;
  }

  startPolling() {
    if (!this.polling) {
      this.pollTimer = setInterval(() => {
        if (!document.hidden) this.refresh();
      }, POLL_MS);
    }
    this.renderLiveNote();
  }

  stopPolling() {
    clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  onConnection(state) {
    if (state === Conn.LIVE) this.stopPolling();
    // While the socket is down and trying again, the page keeps itself up to date over HTTP.
    else if (state === Conn.RECONNECTING || (state === Conn.OFFLINE && this.client.everWelcomed)) this.startPolling();
    this.renderLiveNote();
  }

  renderLiveNote() {
    const live = this.client.conn === Conn.LIVE;
    setText($("#live-note", this.root), live
      ? gettext("Updates appear here as they happen.")
      : this.polling ? gettext("This page checks for updates every 30 seconds.") : "");
  }

  onSnapshot() {
    this.me = this.client.state.me;
    $("#report-link", this.root).hidden = !(this.me && REPORT_ROLES.has(this.me.role));
    $("#officials-link", this.root).hidden = !this.isOfficial();
    if (this.client.state.workshop) this.setWorkshop({ ...this.client.state.workshop });
    this.renderForms();
    // Whatever happened while the socket was away: read the outcomes again.
    this.refresh();
  }

  subscribe(store) {
    store.on("proposal.endorsed", (ev) => {
      const card = this.cards.get(ev.proposal);
      if (card && card.endorse(ev.endorsements, ev.bridging)) this.announceEndorsements(card);
    });
    store.on("proposal.responded", (ev) => {
      const card = ev.proposal && this.cards.get(ev.proposal.id);
      if (card) this.announceChanges(card, card.update(ev.proposal));
      else this.refresh();
    });
    store.on(["proposal.published", "proposal.updated"], (ev) => {
      // Sources and people come only with the outcomes endpoint.
      if (!ev.proposal || ev.proposal.status === "published") this.refresh();
    });
    store.on(["workshop.started", "workshop.ended"], (ev) => {
      this.setWorkshop({ title: $("#workshop-title", this.root).textContent, status: ev.status });
    });
    store.on("workshop.updated", (ev) => {
      const { title, description, status } = ev.workshop;
      this.setWorkshop({ title, description, status });
    });
  }

  // --- rendering ---

  /** Read the outcomes over HTTP and show them; changes since the last read are announced. */
  async refresh() {
    if (this.loading) {
      this.reloadAgain = true;
      return this.loading;
    }
    this.loading = (async () => {
      try {
        const data = await api.outcomes(this.code);
        if (data.workshop) this.setWorkshop(data.workshop);
        this.render(data.proposals || []);
        showStatus($("#page-status", this.root), "");
      } catch (err) {
        if (err.status === 404) this.render([]);
        else showStatus($("#page-status", this.root), describeError(err), "error");
      }
    })();
    try {
      await this.loading;
    } finally {
      this.loading = null;
    }
    if (this.reloadAgain) {
      this.reloadAgain = false;
      await this.refresh();
    }
    return undefined;
  }

  render(proposals) {
    const first = !this.loaded;
    this.loaded = true;
    $("#empty", this.root).hidden = proposals.length > 0;
    $("#published", this.root).hidden = proposals.length === 0;
    setText($("#proposal-count", this.root), proposalCount(proposals.length));
    const list = $("#proposals", this.root);
    const seen = new Set();
    proposals.forEach((proposal, index) => {
      seen.add(proposal.id);
      let card = this.cards.get(proposal.id);
      if (card) {
        this.announceChanges(card, card.update(proposal));
      } else {
        card = new ProposalCard(proposal, { code: this.code });
        this.cards.set(proposal.id, card);
        card.setOfficial(this.isOfficial());
        if (!first) announce(gettext("A proposal was published: “%(title)s”.", { title: proposal.title }));
      }
      // Keep the server's order without re-inserting cards that are already in place.
      if (list.children[index] !== card.el) list.insertBefore(card.el, list.children[index] || null);
    });
    for (const [id, card] of this.cards) {
      if (!seen.has(id)) {
        card.el.remove();
        this.cards.delete(id);
      }
    }
  }

  isOfficial() {
    return !!this.me && this.me.role === "official";
  }

  renderForms() {
    for (const card of this.cards.values()) card.setOfficial(this.isOfficial());
  }

  announceChanges(card, changes) {
    for (const response of changes.newResponses) {
      announce(gettext("New response to “%(title)s”: %(status)s.", { title: card.proposal.title, status: responseLabel(response.status) }));
    }
    if (changes.endorsementsChanged) this.announceEndorsements(card);
  }

  announceEndorsements(card) {
    const e = card.proposal.endorsements || {};
    announce(gettext("Support for “%(title)s”: %(agree)s agree, %(disagree)s disagree, %(pass)s pass.", {
      title: card.proposal.title, agree: e.agree || 0, disagree: e.disagree || 0, pass: e.pass || 0,
    }));
  }
}

const root = document.getElementById("app");
if (root) new OutcomesPage(root).start();
