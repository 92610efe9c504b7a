"""Server-rendered SVG charts of the impact report, each with a title and a text description.

No chart library: plain horizontal bar charts whose numbers are also in the text,
so a screen reader (and a printout) gets the same facts as the picture.
"""
from xml.sax.saxutils import escape

from .ladder import RUNGS

WIDTH = 640
LABEL_W = 170
BAR_H = 22
GAP = 10
COLOURS = ("#1d4ed8", "#b45309")  # blue and amber: distinguishable in the common colour-vision deficiencies


def bar_chart(*, key: str = "chart", title: str, rows: list[tuple[str, list[float | None]]], series: list[str], maximum: float,
              value_format=lambda v: f"{v:g}", marker: float | None = None, marker_label: str = "") -> str:
    """Rows of one or two bars each (one per series), scaled to `maximum`; None draws no bar."""
    n = len(series)
    plot_w = WIDTH - LABEL_W - 70
    row_h = n * BAR_H + GAP
    legend_h = 24 if n > 1 else 0
    height = legend_h + len(rows) * row_h + 30
    parts = []
    description = []
    y = legend_h + 8
    for label, values in rows:
        parts.append(f'<text x="{LABEL_W - 8}" y="{y + n * BAR_H / 2 + 5:.1f}" text-anchor="end">{escape(label)}</text>')
        said = []
        for i, value in enumerate(values):
            top = y + i * BAR_H
            if value is None:
                parts.append(f'<text x="{LABEL_W + 4}" y="{top + 16}" fill="#4b5563">–</text>')
                said.append(f"{series[i]}: not shown" if n > 1 else "not shown")
                continue
            w = 0 if maximum <= 0 else max(plot_w * min(value, maximum) / maximum, 1)
            parts.append(f'<rect x="{LABEL_W}" y="{top + 2}" width="{w:.1f}" height="{BAR_H - 4}" '
                         f'fill="{COLOURS[i % 2]}"/>')
            parts.append(f'<text x="{LABEL_W + w + 6:.1f}" y="{top + 16}">{escape(value_format(value))}</text>')
            said.append(f"{series[i]}: {value_format(value)}" if n > 1 else value_format(value))
        description.append(f"{label}: {', '.join(said)}")
        y += row_h
    if marker is not None and maximum > 0:
        x = LABEL_W + plot_w * marker / maximum
        parts.append(f'<line x1="{x:.1f}" y1="{legend_h}" x2="{x:.1f}" y2="{y}" stroke="#374151" '
                     'stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{x:.1f}" y="{y + 16}" text-anchor="middle" fill="#4b5563">{escape(marker_label)}</text>')
    if n > 1:
        for i, name in enumerate(series):
            x = LABEL_W + i * 160
            parts.append(f'<rect x="{x}" y="4" width="14" height="14" fill="{COLOURS[i % 2]}"/>')
            parts.append(f'<text x="{x + 20}" y="16">{escape(name)}</text>')
    desc = "; ".join(description) + "."
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
            # Presentation attributes, not a <style> element: the page's CSP allows no inline style.
            f'height="{height}" font-family="system-ui,sans-serif" font-size="14" fill="#111827" '
            f'role="img" aria-labelledby="{key}-title {key}-desc">'
            f'<title id="{key}-title">{escape(title)}</title><desc id="{key}-desc">{escape(desc)}</desc>'
            + "".join(parts) + "</svg>")


def percent(value: float) -> str:
    return f"{round(value * 100)}%"


def charts(report: dict, *, labels: dict | None = None) -> dict[str, str]:
    """Every chart of a workshop report, by name."""
    t = {"ladder": "Participation ladder: at the start and now", "start": "At the start", "end": "Now",
         "participation": "What people did", "survey_citizens": "Citizens' survey (mean, 0 to 10)",
         "survey_officials": "Officials' survey (mean, 0 to 10)", "agree": "7 or more",
         "representativeness": "Who took part, against the reference", "room": "In the room",
         "reference": "Reference", "voice": "Citizens by number of contributions (ideas, reactions, turns)",
         **(labels or {})}
    ladder = report["ladder"]
    out = {
        "ladder": bar_chart(key="ladder", title=t["ladder"], series=[t["start"], t["end"]],
                            rows=[(rung, [ladder["start"][rung], ladder["end"][rung]]) for rung in RUNGS],
                            maximum=max([1, *ladder["start"].values(), *ladder["end"].values()])),
        "participation": bar_chart(key="participation", title=t["participation"], series=[""],
                                   rows=[(k, [v]) for k, v in report["participation"].items()],
                                   maximum=max([1, *report["participation"].values()])),
    }
    bands = report.get("contribution_bands")
    if bands is not None:
        out["voice"] = bar_chart(key="voice", title=t["voice"], series=[""], rows=[(k, [v]) for k, v in bands.items()],
                                 maximum=max([1, *bands.values()]))
    for group in ("citizens", "officials"):
        factors = report["survey"][group]
        out[f"survey_{group}"] = bar_chart(
            key=f"survey-{group}", title=t[f"survey_{group}"], series=[""], maximum=10, marker=7, marker_label=t["agree"],
            rows=[(f"{factor} (n={row['n']})", [row["mean"]]) for factor, row in factors.items()])
    rows = []
    for key, shares in report["representativeness"].items():
        reference = report.get("reference", {}).get(key, {})
        for option, share in shares.items():
            rows.append((f"{key}: {option}", [share, reference.get(option)]))
    for poll in report.get("polls", ()):
        out[f"poll-{poll['id']}"] = poll_chart(poll)
    if rows:
        out["representativeness"] = bar_chart(key="representativeness", title=t["representativeness"], series=[t["room"], t["reference"]],
                                              rows=rows, maximum=1, value_format=percent)
    return out


MAX_POLL_ROWS = 20  # a words poll's chart shows its 20 most given words; its table has them all


def poll_rows(poll: dict) -> list[tuple[str, float]]:
    """A closed poll's results as (short label, number) rows: counts, Borda points in the Schulze order,
    points, words, or the scale's histogram from its lowest value to its highest."""
    results, labels = poll["results"] or {}, {o["id"]: _short(o["label"]) or f"#{o['id']}" for o in poll["options"]}
    kind = poll["kind"]
    if kind in ("single", "multiple"):
        return [(labels[o], results.get("counts", {}).get(str(o), 0)) for o in labels]
    if kind == "points":
        return [(labels[o], results.get("totals", {}).get(str(o), 0)) for o in labels]
    if kind == "ranking":
        return [(f"{place}. {labels[o]}", results.get("borda", {}).get(str(o), 0))
                for place, o in enumerate(results.get("order", labels), start=1)]
    if kind == "scale":
        scale = poll["scale"]
        return [(str(v), results.get("histogram", {}).get(str(v), 0)) for v in range(scale["min"], scale["max"] + 1)]
    return [(w["word"], w["count"]) for w in results.get("words", [])[:MAX_POLL_ROWS]]


def _short(label: str, limit: int = 24) -> str:
    """A label that fits beside its bar; the figure's table has it whole."""
    return label if len(label) <= limit else label[:limit - 1].rstrip() + "…"


def poll_chart(poll: dict) -> str:
    """One poll's chart; its title is the question, with what the bars count."""
    measure = {"ranking": "Borda points, in the Schulze order", "points": "points",
               "words": "how often each word was given", "scale": "answers per value"}.get(poll["kind"], "answers")
    rows = poll_rows(poll)
    title = f"{poll['question']} ({measure}; {poll['results']['n'] if poll['results'] else 0} answered)"
    return bar_chart(key=f"poll-{poll['id']}", title=title, series=[""], rows=[(label, [v]) for label, v in rows],
                     maximum=max([1, *(v for _, v in rows)]))
