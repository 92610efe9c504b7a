"""Synthesis: bridging (group-aware consensus) by hand and against Pol.is data, clusters, suggest."""
import csv
import random
from collections import defaultdict
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from deliberation.models import Idea, Reaction
from deliberation.synthesis import STOP_WORDS, bridging, clusters, groups_of, suggest
from tests.factories import citizen, idea, plenary, room_with_board, staff_user, workshop_with_facilitator
from workshops.models import Assignment, Breakout, Room

def closed_breakout(workshop, rooms: dict[str, list], *, status: str = "closed") -> dict[str, Room]:
    """A breakout made directly, its rooms holding the given participants."""
    breakout = Breakout.objects.create(workshop=workshop, mode="manual", status=status)
    made = {}
    for position, (name, members) in enumerate(rooms.items()):
        made[name] = Room.objects.create(workshop=workshop, breakout=breakout, name=name, position=position)
        Assignment.objects.bulk_create(
            [Assignment(breakout=breakout, room=made[name], participant=p) for p in members])
    return made


def suggested_bridging(workshop_id: int) -> dict[int, float]:
    """Bridging score of every visible idea of the workshop, on any board, as synthesis.suggest ranks them."""
    return {row["idea"]: row["score"] for row in suggest(workshop_id)["bridging"]}


def react(target, people: dict, **values):
    for who, value in values.items():
        Reaction.objects.create(idea=target, participant=people[who], value=value)


@pytest.fixture
def two_rooms(db):
    """North (an, bo, cas) and South (dirk, eva) of the latest closed breakout; ed joined later, in no room."""
    workshop, fac = workshop_with_facilitator()
    p = {name: citizen(workshop, name) for name in ("an", "bo", "cas", "dirk", "eva", "ed")} | {"fac": fac}
    # An earlier breakout put everyone in one room; a later one is still running. Neither counts.
    closed_breakout(workshop, {"All": [p["an"], p["bo"], p["cas"], p["dirk"], p["eva"], p["ed"]]})
    rooms = closed_breakout(workshop, {"North": [p["an"], p["bo"], p["cas"]], "South": [p["dirk"], p["eva"]]})
    closed_breakout(workshop, {"Now A": [p["an"]], "Now B": [p["bo"]]}, status="open")
    return workshop, rooms, p


@pytest.mark.django_db
def test_suggested_bridging_multiplies_each_rooms_smoothed_agreement(two_rooms):
    workshop, rooms, people = two_rooms
    board = plenary(workshop)
    x = idea(board, people["an"], "Split in North, lukewarm in South")
    react(x, people, an="agree", bo="agree", cas="disagree", dirk="agree", eva="pass", ed="disagree",
          fac="disagree")
    y = idea(board, people["bo"], "Loved in North, unseen in South")
    react(y, people, an="agree", bo="agree", cas="agree")
    w = idea(board, people["dirk"], "Liked in both")
    react(w, people, dirk="agree", eva="agree", an="agree", bo="disagree")
    z = idea(board, people["eva"], "Nobody reacted")
    hidden = idea(board, people["cas"], "Hidden", status="hidden")
    react(hidden, people, an="agree")
    north_board = room_with_board(workshop, "North board")[1]  # ideas on room boards count too
    r = idea(north_board, people["an"], "On a room board")
    react(r, people, cas="agree", eva="disagree")

    assert groups_of(workshop.pk) == {people[n].pk: rooms["North"].pk for n in ("an", "bo", "cas")} | {
        people[n].pk: rooms["South"].pk for n in ("dirk", "eva")}
    # (agree + 1) / (reactions + 2) per room; ed and the facilitator were in no room and are left out.
    assert suggested_bridging(workshop.pk) == pytest.approx({
        x.pk: (2 + 1) / (3 + 2) * (1 + 1) / (2 + 2),  # 3/5 * 1/2 = 0.3
        y.pk: (3 + 1) / (3 + 2) * (0 + 1) / (0 + 2),  # 4/5 * 1/2 = 0.4
        w.pk: (1 + 1) / (2 + 2) * (2 + 1) / (2 + 2),  # 1/2 * 3/4 = 0.375
        z.pk: (0 + 1) / (0 + 2) * (0 + 1) / (0 + 2),  # 1/4
        r.pk: (1 + 1) / (1 + 2) * (0 + 1) / (1 + 2),  # 2/3 * 1/3
    }, abs=1e-12)


@pytest.mark.django_db
def test_without_a_closed_breakout_everyone_is_one_group():
    workshop, fac = workshop_with_facilitator()
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    closed_breakout(workshop, {"A": [an], "B": [bo]}, status="open")
    x = idea(plenary(workshop), an)
    Reaction.objects.create(idea=x, participant=an, value="agree")
    Reaction.objects.create(idea=x, participant=bo, value="pass")
    Reaction.objects.create(idea=x, participant=fac, value="disagree")
    assert groups_of(workshop.pk) is None
    assert suggested_bridging(workshop.pk) == {x.pk: pytest.approx((1 + 1) / (3 + 2))}


@pytest.mark.django_db
def test_a_closed_breakout_nobody_was_placed_in_leaves_one_group_of_everyone():
    workshop, fac = workshop_with_facilitator()
    closed_breakout(workshop, {"Empty A": [], "Empty B": []})
    assert groups_of(workshop.pk) is None


def test_bridging_counts_pass_as_a_reaction_and_leaves_out_people_in_no_group():
    votes = [("x", "an", "agree"), ("x", "bo", "pass"), ("x", "cas", "disagree"), ("x", "out", "agree"),
             ("y", "out", "agree")]
    groups = {"an": 1, "bo": 1, "cas": 2}
    scores = bridging(votes, groups, items=["z"])
    # Group 1: 1 agree of 2 reactions; group 2: 0 of 1. "y" only has a vote from outside the groups.
    assert scores == pytest.approx({"x": (1 + 1) / (2 + 2) * (0 + 1) / (1 + 2), "y": 1 / 4, "z": 1 / 4})
    assert bridging(votes) == pytest.approx({"x": (2 + 1) / (4 + 2), "y": (1 + 1) / (1 + 2)})
    assert all(0 < s < 1 for s in scores.values())


def test_bridging_refuses_an_empty_grouping():
    with pytest.raises(ValueError):
        bridging([("x", "an", "agree")], {})


def _consensus_from_csv(folder: Path) -> dict[int, float]:
    """Pol.is's group-aware consensus, straight from the export: last vote per voter and statement."""
    with open(folder / "participants-votes.csv", newline="", encoding="utf-8") as f:
        group = {row["participant"]: row["group-id"] for row in csv.DictReader(f) if row["group-id"]}
    last: dict[tuple[str, str], tuple[int, str]] = {}
    with open(folder / "votes.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = (row["comment-id"], row["voter-id"])
            if key not in last or int(row["timestamp"]) >= last[key][0]:
                last[key] = (int(row["timestamp"]), row["vote"])
    with open(folder / "comments.csv", newline="", encoding="utf-8") as f:
        shown = [row["comment-id"] for row in csv.DictReader(f) if row["moderated"] != "-1"]
    agree, seen = defaultdict(int), defaultdict(int)
    for (comment, voter), (_, vote) in last.items():
        if voter in group:
            seen[comment, group[voter]] += 1
            agree[comment, group[voter]] += vote == "1"
    scores = {}
    for comment in shown:
        score = 1.0
        for g in sorted(set(group.values())):
            score *= (agree[comment, g] + 1) / (seen[comment, g] + 2)
        scores[int(comment)] = score
    return scores


@pytest.mark.django_db
def test_bridging_of_imported_brexit_conversation_equals_polis_consensus_from_the_csv(polis):
    folder = polis / "brexit-consensus"
    staff_user("fac")
    out = StringIO()
    call_command("import_polis", str(folder), facilitator="fac", stdout=out)
    code = out.getvalue().split()[-1]

    with open(folder / "comments.csv", newline="", encoding="utf-8") as f:
        comment_of_text = {row["comment-body"].strip(): int(row["comment-id"]) for row in csv.DictReader(f)}
    ideas = dict(Idea.objects.filter(board__workshop__code=code).values_list("pk", "text"))
    assert len(comment_of_text) == len(ideas)  # texts are unique, so they identify statements
    scores = suggested_bridging(Idea.objects.get(pk=next(iter(ideas))).board.workshop_id)
    by_comment = {comment_of_text[ideas[pk]]: score for pk, score in scores.items()}

    expected = _consensus_from_csv(folder)
    assert by_comment == pytest.approx(expected, abs=1e-12)

    def ranking(s: dict[int, float]) -> list[int]:
        return sorted(s, key=lambda c: (-round(s[c], 12), c))

    assert ranking(by_comment) == ranking(expected)
    assert len(expected) == 50


TEXTS = {
    1: "Meer bomen in het park", 2: "Meer bomen in de parken", 3: "Meer bomen planten in het park",
    4: "Lower the bus fares", 5: "Lower bus fares for students",
    6: "Een muziekfestival in het park", 7: "A music festival in the park", 8: "Ein Musikfestival im Park",
    9: "Un festival de musique dans le parc",
    10: "Ein Spielplatz am Bahnhof",
}


def test_near_duplicates_and_cognates_cluster_and_unrelated_ideas_stay_apart():
    """Rewordings in one language meet, and so do translations that share word forms (festival,
    music/muziek/Musik/musique, park/parc). What the method cannot see, and is not asked here:
    translations with no shared forms ("bomen" / "trees", "bibliotheek" / "library")."""
    found = clusters(list(TEXTS.items()))
    assert [c["ideas"] for c in found] == [[6, 7, 8, 9], [1, 2, 3], [4, 5], [10]]
    labels = [c["label"] for c in found]
    assert "festival" in labels[0] and "bomen" in labels[1] and "bus" in labels[2]
    for label in labels:
        assert not set(label.split(", ")) & STOP_WORDS  # no "meer", "het", "the", "de", "im", "dans"


def test_clusters_do_not_depend_on_input_order():
    items = list(TEXTS.items())
    shuffled = items[:]
    random.Random(4).shuffle(shuffled)
    assert clusters(shuffled) == clusters(items)


def test_clusters_of_zero_one_and_two_items():
    assert clusters([]) == []
    assert clusters([(7, "Meer bomen in het park")]) == [{"ideas": [7], "label": "bomen, park"}]
    assert [c["ideas"] for c in clusters([(9, "Meer bomen in het park"), (3, "Meer bomen in de parken")])] == [[3, 9]]
    assert [c["ideas"] for c in clusters([(9, "Meer bomen in het park"), (3, "Lower the bus fares")])] == [[3], [9]]


def test_clusters_label_an_idea_of_only_stop_words_by_its_text():
    assert clusters([(1, "Het is wat het is"), (2, "Lower the bus fares")]) == [
        {"ideas": [1], "label": "Het is wat het is"}, {"ideas": [2], "label": "bus, fares, lower"}]


def test_clusters_of_a_real_conversation_partition_it_and_find_its_rewordings(polis):
    with open(polis / "scoop-hivemind.biodiversity" / "comments.csv", newline="", encoding="utf-8") as f:
        items = [(int(row["comment-id"]), row["comment-body"]) for row in csv.DictReader(f)]
    found = clusters(items)
    assert sorted(i for c in found for i in c["ideas"]) == sorted(i for i, _ in items)
    sizes = [len(c["ideas"]) for c in found]
    assert sizes == sorted(sizes, reverse=True)
    descent = sorted(i for i, text in items if text.startswith("I am of ") and text.endswith(" descent"))
    assert len(descent) == 5
    assert any(c["ideas"] == descent for c in found)


@pytest.mark.django_db
def test_suggest_answers_clusters_and_ranked_bridging_of_visible_ideas_of_a_board_or_all(two_rooms):
    workshop, rooms, people = two_rooms
    board = plenary(workshop)
    a = idea(board, people["an"], "Meer bomen in het park")
    b = idea(board, people["bo"], "Meer bomen in de parken")
    c = idea(board, people["cas"], "Lower the bus fares")
    idea(board, people["cas"], "Meer bomen planten in het park", status="hidden")
    idea(board, people["cas"], "Meer bomen bij het station", status="held")
    room_board = room_with_board(workshop, "North board")[1]
    d = idea(room_board, people["dirk"], "Goedkopere bus")
    react(c, people, an="agree", dirk="agree")  # 2/3 * 2/3
    react(b, people, an="agree", bo="agree")  # 3/4 * 1/2

    answer = suggest(workshop.pk, board.pk)
    assert [cl["ideas"] for cl in answer["clusters"]] == [[a.pk, b.pk], [c.pk]]
    assert answer["bridging"] == [{"idea": c.pk, "score": pytest.approx(4 / 9)},
                                  {"idea": b.pk, "score": pytest.approx(3 / 8)},
                                  {"idea": a.pk, "score": pytest.approx(1 / 4)}]

    everything = suggest(workshop.pk)
    assert sorted(i for cl in everything["clusters"] for i in cl["ideas"]) == [a.pk, b.pk, c.pk, d.pk]
    assert [r["idea"] for r in everything["bridging"]] == [c.pk, b.pk, a.pk, d.pk]  # a and d tie at 1/4: by id
    assert suggest(workshop.pk + 1000, board.pk) == {"clusters": [], "bridging": []}
