// Building blocks of the report pages: key figures, and figures that pair a server-rendered
// SVG chart with a table of the same numbers (the chart's text alternative, also on paper).
import { h, uniqueId } from "./dom.js";
import { gettext } from "./i18n.js";
import { api } from "./api.js";

/** A grid of key figures: [{label, value, note?}]; a value in words is set smaller than a number. */
export function statGrid(items) {
  return h("dl", { class: "stat-grid" }, ...items.map(({ label, value, note }) =>
    h("div", { class: "stat" },
      h("dt", {}, label),
      h("dd", { class: /\d/.test(String(value)) ? "stat-value" : "stat-value in-words" }, value),
      note ? h("dd", { class: "stat-note" }, note) : null)));
}

/**
 * A table: `columns` are header texts (the first heads the row headers); `rows` are arrays whose
 * first cell becomes a row header. `groups` (optional) is [{label, rows}] for one tbody each.
 */
export function dataTable({ labelledBy, columns, rows, groups }) {
  const head = h("thead", {}, h("tr", {}, ...columns.map((text, i) => h("th", { scope: "col", class: i ? "num" : null }, text))));
  const bodyRows = (list) => list.map(([first, ...rest]) =>
    h("tr", {}, h("th", { scope: "row" }, first), ...rest.map((cell) => h("td", { class: "num" }, cell))));
  const bodies = groups
    ? groups.map((group) => h("tbody", {},
      h("tr", { class: "group-row" }, h("th", { scope: "rowgroup", colspan: columns.length }, group.label)),
      ...bodyRows(group.rows)))
    : [h("tbody", {}, ...bodyRows(rows))];
  return scrollable(h("div", { class: "table-wrap" },
    h("table", { class: "data-table", "aria-labelledby": labelledBy }, head, ...bodies)), labelledBy);
}

/**
 * A table's wrapper scrolls sideways when the table does not fit (a phone, 200% zoom); only then
 * is it a named, focusable region, so keyboard users can scroll it without extra tab stops otherwise.
 */
export function scrollable(wrap, labelledBy) {
  const check = () => {
    const overflows = wrap.scrollWidth > wrap.clientWidth + 1;
    if (overflows) {
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-labelledby", labelledBy);
    } else if (wrap.hasAttribute("tabindex") && document.activeElement !== wrap) {
      for (const name of ["tabindex", "role", "aria-labelledby"]) wrap.removeAttribute(name);
    }
  };
  if (typeof ResizeObserver === "function") new ResizeObserver(check).observe(wrap);
  requestAnimationFrame(check);
  return wrap;
}

/**
 * A figure: caption, the chart `name` of this workshop (fetched and inlined), and a table.
 * `table` is a function of the caption's id, so the table is named by the same caption.
 */
export function chartFigure({ code, name, caption, table, note }) {
  const captionId = uniqueId(`fig-${name}`);
  const chart = h("div", { class: "chart", dataset: { chart: name, state: "loading" } },
    h("p", { class: "chart-note" }, gettext("Loading the chart…")));
  const figure = h("figure", { class: "report-figure", "aria-labelledby": captionId },
    h("figcaption", { id: captionId }, caption),
    h("div", { class: "figure-body" }, chart, h("div", { class: "figure-table" }, table(captionId), note ? h("p", { class: "hint" }, note) : null)));
  loadChart(code, name, chart);
  return figure;
}

/** Fetch a chart's SVG and put it in place; the server's SVG carries its own title and desc. */
async function loadChart(code, name, slot) {
  try {
    const text = await api.chart(code, name);
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    const svg = doc.documentElement;
    if (svg.localName !== "svg" || doc.getElementsByTagName("parsererror").length) throw new Error("not an SVG");
    // Trusted server output, but still: nothing in it may run.
    for (const el of svg.querySelectorAll("script, foreignObject")) el.remove();
    const node = document.importNode(svg, true);
    node.removeAttribute("width");
    node.removeAttribute("height");
    node.setAttribute("focusable", "false");
    node.setAttribute("lang", "en"); // the server writes its charts' words in English
    slot.replaceChildren(node);
    slot.dataset.state = "ready";
  } catch {
    slot.replaceChildren(h("p", { class: "chart-note" }, gettext("The chart could not be loaded. The table has the same numbers.")));
    slot.dataset.state = "failed";
  }
}
