// The console's live bar (_live_bar.html): pinned to the top of the window while the workshop is
// live, with the current step, the one countdown (the timer or the rooms', see rooms.js
// shownCountdown) and, while rooms run, their close controls (wired by breakout-panel.js).
import { $, setText } from "./dom.js";
import { ngettext } from "./i18n.js";

export class LiveBar {
  constructor(page) {
    this.page = page;
    this.root = page.root;
    this.bar = $("#live-bar", this.root);
    // Keep the page's scroll-padding-top at the bar's height: what gets focus is scrolled clear of
    // the bar instead of under it (WCAG 2.4.11, focus not obscured). The bar wraps onto more lines
    // at phone width, so its height is measured, not assumed.
    const html = document.documentElement;
    const measure = () => html.style.setProperty("--live-bar-height", `${this.bar.hidden ? 0 : this.bar.offsetHeight}px`);
    if (typeof ResizeObserver === "function") new ResizeObserver(measure).observe(this.bar);
    this.measure = measure;
  }

  render() {
    const s = this.page.client.state;
    const w = s.workshop || {};
    // Other staff on the console see the step and the countdown too; the close controls are the
    // breakout panel's, shown to facilitators only.
    const show = !!s.me && w.status === "live";
    if (this.bar.hidden !== !show) {
      this.bar.hidden = !show;
      this.measure();
    }
    if (!show) return;
    // The same words as the "Now" card (LivePage.renderPhase has drawn them already), with the minutes.
    let text = $("#phase-now", this.root).textContent;
    const minutes = Number(this.page.currentPhase()?.minutes);
    if (minutes) text += ` · ${ngettext("%(count)s min", "%(count)s min", minutes)}`;
    setText($("#live-bar-step", this.root), text);
  }
}
