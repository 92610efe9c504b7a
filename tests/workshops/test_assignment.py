"""Dealing citizens into rooms: the rules hold for any numbers (hypothesis)."""
import json
import random
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from workshops.assignment import deal, strata_by_profile
from workshops.breakouts import _placement

OPTIONS = {"age": ["<30", "30-60", ">60"], "area": ["north", "south"]}

profiles_st = st.dictionaries(
    st.integers(min_value=1, max_value=10_000),
    st.fixed_dictionaries({}, optional={k: st.sampled_from(v) for k, v in OPTIONS.items()}),
    max_size=300)


@settings(max_examples=200, deadline=None)
@given(people=st.lists(st.integers(), unique=True, max_size=400), rooms=st.integers(2, 50), seed=st.integers())
def test_random_places_everyone_once_and_sizes_differ_by_at_most_one(people, rooms, seed):
    placed = deal([people], [0] * rooms, random.Random(seed))
    assert sorted(placed) == sorted(people)
    sizes = Counter(placed.values())
    counts = [sizes.get(r, 0) for r in range(rooms)]
    assert max(counts) - min(counts) <= 1


@settings(max_examples=200, deadline=None)
@given(profiles=profiles_st, rooms=st.integers(2, 12), seed=st.integers())
def test_diverse_spreads_every_group_evenly_and_keeps_sizes_even(profiles, rooms, seed):
    strata = strata_by_profile(profiles, list(OPTIONS))
    placed = deal(strata, [0] * rooms, random.Random(seed))
    assert sorted(placed) == sorted(profiles)
    counts = [list(placed.values()).count(r) for r in range(rooms)]
    assert max(counts) - min(counts) <= 1
    for stratum in strata:
        per_room = Counter(placed[p] for p in stratum)
        spread = [per_room.get(r, 0) for r in range(rooms)]
        assert max(spread) - min(spread) <= 1, (stratum, spread)


def test_people_without_answers_form_the_last_group():
    profiles = {1: {"age": "<30"}, 2: {}, 3: {"age": "<30"}, 4: {"area": "north"}, 5: {}}
    strata = strata_by_profile(profiles, ["age", "area"])
    assert strata[-1] == [2, 5]
    assert strata[0] == [1, 3]


def test_diverse_rooms_mirror_the_mix_of_answers():
    # 12 young, 6 old, 6 unanswered into 3 rooms: each room 4 young, 2 old, 2 unanswered.
    profiles = {i: {"age": "<30"} for i in range(12)}
    profiles.update({i: {"age": ">60"} for i in range(12, 18)})
    profiles.update({i: {} for i in range(18, 24)})
    placed = deal(strata_by_profile(profiles, ["age"]), [0, 0, 0], random.Random(7))
    for room in range(3):
        members = [p for p, r in placed.items() if r == room]
        mix = Counter(profiles[p].get("age", "none") for p in members)
        assert mix == Counter({"<30": 4, ">60": 2, "none": 2})


@given(sizes=st.lists(st.integers(0, 20), min_size=2, max_size=50), seed=st.integers())
def test_a_late_joiner_goes_to_a_smallest_room(sizes, seed):
    placed = deal([[99]], sizes, random.Random(seed))
    assert sizes[placed[99]] == min(sizes)


ROOM_SIZES_CASES = json.loads(
    (Path(__file__).resolve().parents[2] / "frontend" / "tests" / "room-sizes-cases.json").read_text())


@pytest.mark.parametrize("case", ROOM_SIZES_CASES, ids=[c["what"] for c in ROOM_SIZES_CASES])
@pytest.mark.parametrize("seed", range(8))
def test_room_sizes_agree_with_the_consoles_preview(case, seed):
    """The console's preview (room-sizes.js, Node-tested on the same file) gives the sizes the server deals."""
    citizens = {pid: profile for pid, profile in enumerate(case.get("profiles") or [{}] * case["citizens"], start=1)}
    assert len(citizens) == case["citizens"]
    assignments = {i + 1: room for i, room in enumerate(case.get("assigned") or [])}
    workshop = SimpleNamespace(profile_questions=[{"key": key} for key in case.get("keys", [])])
    placement = _placement(workshop, case["mode"], citizens, case["rooms"], assignments, random.Random(seed))
    if case["sizes"] is None:
        assert placement == {}
        return
    counts = Counter(placement.values())
    assert sorted((counts.get(r, 0) for r in range(case["rooms"])), reverse=True) == case["sizes"]
