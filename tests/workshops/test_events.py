"""The event catalogue: one model per event type, the payloads it makes, and the fixture that holds tests to it."""
import re
import subprocess
import sys

import pytest
from pydantic import ValidationError

from harness.events import catalogue, event_problem
from harness.services import REPO_ROOT
from workshops import registry
from workshops.events import Announcement, BreakoutClosed, BreakoutOpened, ParticipantMuted, RoomAssigned, TimerStopped

APPS = ("workshops", "deliberation")
# Deadline kinds that share a name with a wire type; they are stored in Deadline rows, not sent.
DEADLINE_KINDS = {"breakout.closing": "workshops/breakouts.py", "breakout.close": "workshops/breakouts.py"}


def test_the_literal_names_the_type_once_and_stays_out_of_the_payload():
    assert TimerStopped.type_name() == TimerStopped().type == "timer.stopped"
    assert TimerStopped().payload() == {}
    with pytest.raises(ValidationError):
        TimerStopped.model_validate({"type": "timer.started"})


def test_a_field_the_protocol_does_not_name_is_refused():
    with pytest.raises(ValidationError):
        TimerStopped(label="x")
    with pytest.raises(ValidationError):
        Announcement(text="hi", from_={"id": 1, "name": "An", "role": "citizen"})


def test_announcement_keeps_its_protocol_names():
    event = Announcement(text="hi", from_={"id": 1, "name": "An"})
    assert event.type == "announcement" and event.payload() == {"text": "hi", "from": {"id": 1, "name": "An"}}
    assert Announcement.model_validate({"type": "announcement", **event.payload()}) == event


def test_room_assigned_has_three_shapes_and_leaves_out_what_it_does_not_carry():
    placed = RoomAssigned(room=4, breakout=2)
    assert placed.payload() == {"room": 4, "breakout": 2}
    assert RoomAssigned(room=None, breakout=2).payload() == {"room": None, "breakout": 2}
    board = {"id": 9, "title": "Room 1", "room": 4, "columns": []}
    moved = RoomAssigned(room=4, breakout=2, board=board, ideas=[])
    assert moved.payload() == {"room": 4, "breakout": 2, "board": board, "ideas": []}


def test_nulls_the_protocol_sends_stay_null():
    opened = BreakoutOpened(breakout=1, mode="random", ends_at=None, capacity=None, rooms=[], assignments={})
    assert opened.payload() == {"breakout": 1, "mode": "random", "ends_at": None, "capacity": None, "rooms": [],
                                "assignments": {}}
    assert ParticipantMuted(participant=3, until=None).payload() == {"participant": 3, "until": None}
    assert BreakoutClosed(breakout=1, reports=[]).payload() == {"breakout": 1, "reports": []}


def test_every_event_type_has_one_model_named_noun_dot_verb_and_is_in_the_protocol():
    types = catalogue()
    assert {t for t in types if not re.fullmatch(r"[a-z]+\.[a-z]+", t)} == {"announcement", "nudged"}  # see their models: the protocol fixes both names
    protocol = (REPO_ROOT / "docs" / "protocol.md").read_text()
    assert {t for t in types if not re.search(rf"`{re.escape(t)}[` ]", protocol)} == set()


def test_a_stored_payload_must_be_exactly_what_its_model_makes():
    models = catalogue()
    assert event_problem(models, "phase.changed", {"phase": 1}) is None
    assert "in no event catalogue" in event_problem(models, "phase.set", {"phase": 1})
    assert "does not validate" in event_problem(models, "phase.changed", {"phase": 1, "label": "x"})
    assert "is stored as" in event_problem(models, "phase.changed", {"phase": "1"})
    assert "is stored as" in event_problem(models, "room.assigned", {"room": 1, "breakout": 2, "ideas": None})


def _sources():
    for app in APPS:
        for path in sorted((REPO_ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(REPO_ROOT).as_posix(), path.read_text()


def _written(name: str, text: str) -> bool:
    return f'"{name}"' in text or f"'{name}'" in text


def test_each_event_type_string_is_written_only_in_its_model():
    owners = {t: model.__module__.replace(".", "/") + ".py" for t, model in catalogue().items()}
    stray = {(t, path) for path, text in _sources() for t in owners
             if _written(t, text) and path != owners[t] and DEADLINE_KINDS.get(t) != path}
    assert stray == set()


def test_each_command_type_string_is_written_only_in_a_commands_module():
    stray = {(t, path) for path, text in _sources() for t in registry.COMMANDS
             if _written(t, text) and not path.endswith("/commands.py") and DEADLINE_KINDS.get(t) != path}
    assert stray == set()


def test_the_fixture_fails_a_test_that_stores_an_event_outside_the_catalogue():
    """tests/workshops/catalogue_cases.py, run by a pytest of its own (with a test database of its own)."""
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "tests/workshops/catalogue_cases.py"],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    out = result.stdout
    failed = set(re.findall(r"^ERROR \S+::(\w+)", out, flags=re.M))
    assert failed == {"test_an_event_that_skipped_validation_is_failed",
                      "test_a_null_where_the_catalogue_leaves_a_field_out_is_failed",
                      "test_an_event_type_outside_the_catalogue_is_failed"}, out
    assert result.returncode == 1 and " 3 errors" in out, out
    assert "'phase.changed' does not validate against PhaseChanged" in out
    assert "'room.assigned' is stored as" in out and "'idea.liked' is in no event catalogue" in out
