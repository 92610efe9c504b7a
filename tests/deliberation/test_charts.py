"""Report charts: valid SVG whose title and description carry the same numbers as the bars."""
import xml.etree.ElementTree as ET

from deliberation import charts

NS = {"svg": "http://www.w3.org/2000/svg"}

REPORT = {
    "participation": {"joined": 6, "active": 3, "ideas": 4, "builds": 1, "reactions": 2, "endorsements": 1},
    "ladder": {"start": {"informed": 6, "consulted": 0, "involved": 0, "collaborating": 0, "empowered": 0},
               "end": {"informed": 3, "consulted": 0, "involved": 0, "collaborating": 2, "empowered": 1},
               "moved_up": 0.5},
    "representativeness": {"age": {"<30": 0.8333, "30-60": None, ">60": None}},
    "reference": {"age": {"<30": 0.3, "30-60": 0.4}},
    "survey": {"citizens": {"influence": {"mean": 6.0, "agree_share": 0.5, "n": 2},
                            "safety": {"mean": None, "agree_share": 0.0, "n": 0}},
               "officials": {"influence": {"mean": 7.0, "agree_share": 1.0, "n": 1}}},
    "contribution_bands": {"0": 2, "1-2": 3, "3-5": 1, "6-10": 0, "11+": 0},
}


def parse(svg: str):
    root = ET.fromstring(svg)
    title, desc = root.find("svg:title", NS), root.find("svg:desc", NS)
    assert root.get("role") == "img" and root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root, title.text, desc.text


def test_every_chart_is_valid_svg_with_a_title_and_the_numbers_in_its_description():
    made = charts.charts(REPORT)
    assert set(made) == {"ladder", "participation", "survey_citizens", "survey_officials", "representativeness",
                         "voice"}
    root, title, desc = parse(made["ladder"])
    assert title == "Participation ladder: at the start and now"
    assert "informed: At the start: 6, Now: 3" in desc and "empowered: At the start: 0, Now: 1" in desc
    root, title, desc = parse(made["representativeness"])
    assert "age: <30: In the room: 83%, Reference: 30%" in desc
    assert "age: >60: In the room: not shown, Reference: not shown" in desc
    root, title, desc = parse(made["survey_citizens"])
    assert "influence (n=2): 6" in desc and "safety (n=0): not shown" in desc
    root, title, desc = parse(made["voice"])
    assert title == "Citizens by number of contributions (ideas, reactions, turns)"
    assert desc == "0: 2; 1-2: 3; 3-5: 1; 6-10: 0; 11+: 0."


def test_bars_are_scaled_to_the_maximum():
    svg = charts.bar_chart(title="T", series=[""], rows=[("a", [5]), ("b", [10])], maximum=10)
    root, _, _ = parse(svg)
    widths = [float(r.get("width")) for r in root.findall("svg:rect", NS)]
    assert widths[1] == 2 * widths[0] > 0


def test_charts_on_one_page_have_distinct_ids():
    ids = [ET.fromstring(svg).find("svg:title", NS).get("id") for svg in charts.charts(REPORT).values()]
    assert len(ids) == len(set(ids))


def test_charts_carry_no_inline_style_that_the_pages_policy_would_block():
    for svg in charts.charts(REPORT).values():
        root = ET.fromstring(svg)
        assert root.find(".//svg:style", NS) is None
        assert not [el for el in root.iter() if el.get("style") is not None]


POLLS = [
    {"id": 7, "question": "Rank the ideas", "kind": "ranking", "status": "closed",
     "options": [{"id": 1, "label": "Shade trees on the whole of the station square", "idea": 3},
                 {"id": 2, "label": "A fountain"}, {"id": 3, "label": ""}],
     "results": {"n": 5, "order": [2, 1, 3], "borda": {"1": 4, "2": 6, "3": 5}}},
    {"id": 8, "question": "How safe?", "kind": "scale", "status": "closed", "options": [], "scale": {"min": 1, "max": 3},
     "results": {"n": 2, "mean": 2.0, "median": 2.0, "histogram": {"1": 1, "3": 1}}},
]


def test_each_closed_poll_has_a_chart_with_its_numbers_in_the_description():
    made = charts.charts({**REPORT, "polls": POLLS})
    root, title, desc = parse(made["poll-7"])
    assert title == "Rank the ideas (Borda points, in the Schulze order; 5 answered)"
    # The Schulze order, even where Borda would put the third option above the first; a long label is cut.
    assert desc == "1. A fountain: 6; 2. Shade trees on the whol…: 4; 3. #3: 5."
    root, title, desc = parse(made["poll-8"])
    assert desc == "1: 1; 2: 0; 3: 1."
