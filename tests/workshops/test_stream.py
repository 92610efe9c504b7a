"""The event stream: who sees what, seqs, resume, retention, and publishing after commit."""
import json
import logging
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import emitted, last_seq, workshop_with_facilitator
from workshops import registry, stream
from workshops.events import (Announcement, BreakoutClosed, ParticipantErased, ParticipantRemoved, PhaseChanged,
                              RoleChanged, RoomAssigned, TimerStopped)
from workshops.models import CommandReceipt, Event, Workshop
from workshops.prepared import MANY_ROWS


class Boom(Exception):
    pass


@pytest.fixture
def sent(monkeypatch):
    """Every group_send on the channel layer, recorded instead of sent."""
    calls = []

    async def record(group, message):
        calls.append((group, message))

    monkeypatch.setattr(get_channel_layer(), "group_send", record)
    return calls


def say(text: str) -> Announcement:
    return Announcement(text=text, from_={"id": 1, "name": "An"})


def sent_seqs(calls) -> list[tuple[str, list[int]]]:
    return [(group, [e["seq"] for e in message["events"]]) for group, message in calls]


# visible()

CITIZEN_7 = dict(participant_id=7, role="citizen", room_id=None)
CITIZEN_8_IN_3 = dict(participant_id=8, role="citizen", room_id=3)
CITIZEN_9_IN_4 = dict(participant_id=9, role="citizen", room_id=4)
FACILITATOR = dict(participant_id=1, role="facilitator", room_id=None)
MODERATOR = dict(participant_id=2, role="moderator", room_id=None)
OFFICIAL = dict(participant_id=3, role="official", room_id=None)


@pytest.mark.parametrize("audience, who, expected", [
    (["all"], CITIZEN_7, True),
    (["all"], OFFICIAL, True),
    ([], FACILITATOR, False),
    (["p:7"], CITIZEN_7, True),
    (["p:7"], CITIZEN_8_IN_3, False),
    (["p:7"], FACILITATOR, False),
    (["role:facilitator"], FACILITATOR, True),
    (["role:facilitator"], MODERATOR, False),
    (["role:moderator", "role:facilitator"], MODERATOR, True),
    (["role:moderator", "role:facilitator"], OFFICIAL, False),
    (["role:moderator", "role:facilitator"], CITIZEN_7, False),
    (["room:3"], CITIZEN_8_IN_3, True),
    (["room:3"], CITIZEN_9_IN_4, False),
    (["room:3"], CITIZEN_7, False),
    (["room:3"], FACILITATOR, True),
    (["room:3"], MODERATOR, True),
    (["room:3"], OFFICIAL, True),
    (["p:7", "role:moderator", "role:facilitator"], CITIZEN_7, True),
    (["p:7", "role:moderator", "role:facilitator"], CITIZEN_8_IN_3, False),
    (["p:7", "role:moderator", "role:facilitator"], FACILITATOR, True),
    (["all", "!p:7"], CITIZEN_7, False),
    (["all", "!p:7"], CITIZEN_8_IN_3, True),
    (["!p:7", "all"], CITIZEN_7, False),
    (["room:3", "!role:official"], OFFICIAL, False),
    (["room:3", "!role:official"], FACILITATOR, True),
    (["room:3", "!role:official"], CITIZEN_8_IN_3, True),
    (["all", "!room:3"], CITIZEN_8_IN_3, False),
    (["all", "!room:3"], CITIZEN_9_IN_4, True),
    (["!p:8"], CITIZEN_7, False),
    (["nonsense:1"], FACILITATOR, False),
])
def test_visible_follows_the_audience_tokens(audience, who, expected):
    assert stream.visible(audience, **who) is expected


def test_to_room_is_everyone_for_the_plenary_and_the_room_token_otherwise():
    assert stream.to_room(None) == ("all",)
    assert stream.to_room(3) == ("room:3",)
    assert stream.to_participant(7) == ("p:7",)


# emit

@pytest.mark.django_db(transaction=True)
def test_emit_outside_a_transaction_raises_and_stores_nothing():
    workshop, fac = workshop_with_facilitator()
    before = last_seq(workshop)
    with pytest.raises(RuntimeError):
        stream.emit(workshop, say("lost"))
    assert last_seq(workshop) == before
    assert not Event.objects.filter(type="announcement").exists()


@pytest.mark.django_db
def test_emit_numbers_events_consecutively_per_workshop():
    w1, _ = workshop_with_facilitator(start=False)
    w2, _ = workshop_with_facilitator(username="fac2", start=False)
    with transaction.atomic():
        first = stream.emit(w1, PhaseChanged(phase=1))
        stream.emit(w2.pk, PhaseChanged(phase=2), audience=stream.to_participant(5))
        stream.emit(w1.pk, PhaseChanged(phase=3), audience=stream.MODERATORS)
    assert first.seq == 1 and w1.last_seq == 1  # the instance follows its own emits
    assert emitted(w1) == [("phase.changed", {"phase": 1}, ["all"]),
                           ("phase.changed", {"phase": 3}, ["role:moderator", "role:facilitator"])]
    assert emitted(w2) == [("phase.changed", {"phase": 2}, ["p:5"])]


@pytest.mark.django_db
def test_emit_many_stores_consecutive_seqs_in_one_go():
    workshop, _ = workshop_with_facilitator(start=False)
    with transaction.atomic():
        stream.emit(workshop, PhaseChanged(phase=0))
        rows = stream.emit_many(workshop, [(PhaseChanged(phase=1), stream.EVERYONE),
                                           (PhaseChanged(phase=2), stream.to_participant(4))])
        assert stream.emit_many(workshop, []) == []
        stream.emit(workshop, TimerStopped())
    assert [r.seq for r in rows] == [2, 3] and workshop.last_seq == 4
    assert emitted(workshop) == [("phase.changed", {"phase": 0}, ["all"]), ("phase.changed", {"phase": 1}, ["all"]),
                                 ("phase.changed", {"phase": 2}, ["p:4"]), ("timer.stopped", {}, ["all"])]


@pytest.mark.django_db
def test_emit_many_writes_seq_and_events_in_one_statement_on_postgresql():
    """On PostgreSQL one statement takes the seqs and stores the events; SQLite takes two. More
    events than one statement holds take the seqs once and store them in several statements."""
    workshop, _ = workshop_with_facilitator(start=False)
    many = MANY_ROWS + 5
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        rows = stream.emit_many(workshop, [(PhaseChanged(phase=1), stream.EVERYONE),
                                           (PhaseChanged(phase=2), stream.to_participant(4))])
    assert len(written(queries)) == (1 if connection.vendor == "postgresql" else 2)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        more = stream.emit_many(workshop.pk, [(PhaseChanged(phase=k), stream.EVERYONE) for k in range(many)])
    assert len(written(queries)) == 3  # the seqs, then two INSERTs
    assert [r.seq for r in rows] == [1, 2] and [r.seq for r in more] == list(range(3, 3 + many))
    assert workshop.last_seq == 2 and last_seq(workshop) == 2 + many
    stored = list(Event.objects.filter(workshop=workshop).order_by("seq").values_list("seq", "payload", "audience"))
    assert stored[:2] == [(1, {"phase": 1}, ["all"]), (2, {"phase": 2}, ["p:4"])]
    assert stored[2:] == [(3 + k, {"phase": k}, ["all"]) for k in range(many)]


def written(queries) -> list[str]:
    """The statements captured, without the transaction's own (which PostgreSQL's backend logs)."""
    return [q["sql"] for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]


@pytest.mark.django_db
def test_emit_to_a_workshop_that_is_gone_stores_nothing():
    workshop, _ = workshop_with_facilitator(start=False)
    with pytest.raises((Workshop.DoesNotExist, IntegrityError)), transaction.atomic():
        stream.emit(workshop.pk + 1000, PhaseChanged(phase=1))
    assert not Event.objects.filter(workshop_id=workshop.pk + 1000).exists()


@pytest.mark.django_db
def test_encode_makes_the_wire_frame():
    workshop, _ = workshop_with_facilitator(start=False)
    with transaction.atomic():
        event = stream.emit(workshop, say("Zoë"))
    frame = json.loads(stream.encode(event))
    assert frame == {"type": "announcement", "seq": event.seq, "at": frame["at"], "text": "Zoë",
                     "from": {"id": 1, "name": "An"}}
    assert frame["at"].endswith("Z") and "+00:00" not in frame["at"]


@pytest.mark.django_db
@pytest.mark.parametrize("event, control", [
    (RoomAssigned(room=4, breakout=2), {"room": 4}),
    (BreakoutClosed(breakout=2, reports=[]), {"room": None}),
    (ParticipantRemoved(participant=9), {"participant": 9, "close": 4403}),
    (RoleChanged(participant=9, role="official"), {"participant": 9, "role": "official", "close": 4401}),
    (ParticipantErased(participant=9), {"participant": 9, "close": 4401}),
    (say("hi"), None),
])
def test_events_that_change_what_a_socket_sees_carry_a_control_part(event, control):
    workshop, _ = workshop_with_facilitator(start=False)
    with transaction.atomic():
        event = stream.emit(workshop, event, audience=stream.to_participant(9))
    item = stream.layer_message(event)
    assert item["workshop"] == workshop.pk and item["seq"] == event.seq and item["audience"] == ["p:9"]
    assert item.get("control") == control


@pytest.mark.django_db
def test_events_after_returns_the_stored_events_in_order_up_to_until():
    workshop, _ = workshop_with_facilitator(start=False)
    with transaction.atomic():
        for n in range(5):
            stream.emit(workshop, PhaseChanged(phase=n))
    assert [i["seq"] for i in stream.events_after(workshop.pk, 1)] == [2, 3, 4, 5]
    assert [i["seq"] for i in stream.events_after(workshop.pk, 1, until=3)] == [2, 3]
    assert stream.events_after(workshop.pk, 5) == []


# can_resume

@pytest.fixture
def five_events(db):
    workshop, _ = workshop_with_facilitator(start=False)
    with transaction.atomic():
        for n in range(5):
            stream.emit(workshop, PhaseChanged(phase=n))
    return workshop


@pytest.mark.parametrize("since, resumable", [(0, True), (3, True), (4, True), (5, True), (6, False), (-1, False)])
def test_can_resume_while_every_later_event_is_stored(five_events, since, resumable):
    assert stream.can_resume(five_events.pk, since, 5) is resumable


def test_can_resume_is_refused_once_the_next_event_was_pruned(five_events):
    Event.objects.filter(workshop=five_events, seq__lte=2).delete()
    assert stream.can_resume(five_events.pk, 1, 5) is False
    assert stream.can_resume(five_events.pk, 2, 5) is True


def test_can_resume_at_the_last_seq_needs_no_stored_event(five_events):
    Event.objects.filter(workshop=five_events).delete()
    assert stream.can_resume(five_events.pk, 5, 5) is True
    assert stream.can_resume(five_events.pk, 4, 5) is False


def test_can_resume_does_not_count_another_workshops_events(five_events):
    other, _ = workshop_with_facilitator(username="fac2", start=False)
    with transaction.atomic():
        for n in range(5):
            stream.emit(other, PhaseChanged(phase=n))
    Event.objects.filter(workshop=five_events).delete()
    assert stream.can_resume(five_events.pk, 0, 5) is False


# prune

def _aged(workshop, hours_ago: float, now) -> Event:
    with transaction.atomic():
        event = stream.emit(workshop, TimerStopped())
    Event.objects.filter(workshop=workshop, seq=event.seq).update(created_at=now - timedelta(hours=hours_ago))
    return event


@pytest.mark.django_db
@pytest.mark.parametrize("hours", [0, 1, 24])
def test_prune_keeps_at_least_the_last_24_hours(hours):
    workshop, _ = workshop_with_facilitator(start=False)
    now = timezone.now()
    old, recent, fresh = _aged(workshop, 24.5, now), _aged(workshop, 23.5, now), _aged(workshop, 0, now)
    assert stream.prune(now=now, hours=hours) == 1
    assert set(Event.objects.values_list("seq", flat=True)) == {recent.seq, fresh.seq}
    assert old.seq not in set(Event.objects.values_list("seq", flat=True))


@pytest.mark.django_db
def test_prune_keeps_a_longer_retention_window_when_asked():
    workshop, _ = workshop_with_facilitator(start=False)
    now = timezone.now()
    old, kept = _aged(workshop, 49, now), _aged(workshop, 30, now)
    assert stream.prune(now=now, hours=48) == 1
    assert list(Event.objects.values_list("seq", flat=True)) == [kept.seq] != [old.seq]


@pytest.mark.django_db
def test_prune_deletes_command_receipts_with_the_events_so_an_old_ref_runs_again():
    workshop, fac = workshop_with_facilitator()
    now = timezone.now()

    def announce(ref: str) -> dict:
        return registry.execute(participant_id=fac.pk, frame={"type": "announce", "ref": ref, "text": "Hi"})

    for ref, hours_ago in (("old", 49), ("kept", 30), ("new", 0)):
        assert announce(ref)["type"] == "ack"
        CommandReceipt.objects.filter(ref=ref).update(created_at=now - timedelta(hours=hours_ago))
    stream.prune(now=now, hours=48)
    assert sorted(CommandReceipt.objects.values_list("ref", flat=True)) == ["kept", "new"]
    assert announce("kept")["duplicate"] and "duplicate" not in announce("old")
    stream.prune(now=now, hours=0)  # never less than 24 hours
    assert sorted(CommandReceipt.objects.values_list("ref", flat=True)) == ["new", "old"]


@pytest.mark.django_db
def test_prune_deletes_idempotency_keys_older_than_a_day():
    from workshops.models import RequestReceipt
    now = timezone.now()
    for key, hours_ago in [("old", 25), ("fresh", 2)]:
        RequestReceipt.objects.create(caller="u:1", key=key, path="/api/workshops", status=201, body={})
        RequestReceipt.objects.filter(key=key).update(created_at=now - timedelta(hours=hours_ago))
    stream.prune(now=now, hours=24)
    assert list(RequestReceipt.objects.values_list("key", flat=True)) == ["fresh"]


# publishing

@pytest.mark.django_db(transaction=True)
def test_events_are_published_only_after_commit(sent):
    workshop, _ = workshop_with_facilitator(start=False)
    sent.clear()
    with transaction.atomic():
        event = stream.emit(workshop, say("Hi"))
        assert sent == []  # stored, not yet told
    [(group, message)] = sent
    assert group == f"workshop.{workshop.pk}"
    assert message == {"type": "stream.events", "workshop": workshop.pk, "events": [stream.layer_message(event)]}


@pytest.mark.django_db(transaction=True)
def test_events_of_a_rolled_back_transaction_are_never_published_nor_stored(sent):
    workshop, _ = workshop_with_facilitator(start=False)
    sent.clear()
    before = last_seq(workshop)
    with pytest.raises(Boom):
        with transaction.atomic():
            stream.emit(workshop, say("never"))
            raise Boom
    assert sent == []
    assert last_seq(workshop) == before and not Event.objects.filter(type="announcement").exists()


@pytest.mark.django_db
def test_a_rolled_back_savepoint_drops_its_event_and_leaves_no_gap(django_capture_on_commit_callbacks, sent):
    workshop, _ = workshop_with_facilitator(start=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            stream.emit(workshop, say("kept"))
            with pytest.raises(Boom), transaction.atomic():
                stream.emit(workshop, say("dropped"))
                raise Boom
            stream.emit(workshop, say("also kept"))
    assert len(callbacks) == 2
    assert sent_seqs(sent) == [(f"workshop.{workshop.pk}", [1]), (f"workshop.{workshop.pk}", [2])]
    assert [p["text"] for _, p, _ in emitted(workshop)] == ["kept", "also kept"]


@pytest.mark.django_db(transaction=True)
def test_publishing_sends_one_group_message_per_workshop_when_the_block_ends(sent):
    w1, _ = workshop_with_facilitator(start=False)
    w2, _ = workshop_with_facilitator(username="fac2", start=False)
    sent.clear()
    with stream.publishing():
        for workshop in (w1, w2, w1):
            with transaction.atomic():
                stream.emit(workshop, TimerStopped())
        with transaction.atomic():
            stream.emit(w1, TimerStopped())
            stream.emit(w2, TimerStopped())
        assert sent == []
    # One message per workshop (compared as a list, so a second one would show), in any order.
    assert sorted(sent_seqs(sent), key=lambda group_seqs: group_seqs[0] != f"workshop.{w1.pk}") == [
        (f"workshop.{w1.pk}", [1, 2, 3]), (f"workshop.{w2.pk}", [1, 2])]


@pytest.mark.django_db(transaction=True)
def test_nested_publishing_sends_only_when_the_outer_block_ends(sent):
    workshop, _ = workshop_with_facilitator(start=False)
    sent.clear()
    with stream.publishing():
        with stream.publishing(), transaction.atomic():
            stream.emit(workshop, TimerStopped())
        assert sent == []
        with transaction.atomic():
            stream.emit(workshop, TimerStopped())
    assert sent_seqs(sent) == [(f"workshop.{workshop.pk}", [1, 2])]


@pytest.mark.django_db(transaction=True)
def test_publishing_sends_what_committed_when_the_block_fails(sent):
    workshop, _ = workshop_with_facilitator(start=False)
    sent.clear()
    with pytest.raises(Boom), stream.publishing():
        with transaction.atomic():
            stream.emit(workshop, say("committed"))
        with transaction.atomic():
            stream.emit(workshop, say("rolled back"))
            raise Boom
    assert sent_seqs(sent) == [(f"workshop.{workshop.pk}", [1])]
    assert [json.loads(m["events"][0]["frame"])["text"] for _, m in sent] == ["committed"]


@pytest.mark.django_db(transaction=True)
def test_collected_hands_back_what_committed_for_the_event_loop_to_publish(sent):
    workshop, _ = workshop_with_facilitator(start=False)
    sent.clear()
    with stream.collected() as committed:
        # A command's publishing block inside leaves the publishing to the collector.
        with stream.publishing(), transaction.atomic():
            stream.emit(workshop, say("committed"))
        with pytest.raises(Boom), transaction.atomic():
            stream.emit(workshop, say("rolled back"))
            raise Boom
    assert sent == [] and [item["seq"] for item in committed] == [1]
    async_to_sync(stream.publish_async)(committed)
    assert sent_seqs(sent) == [(f"workshop.{workshop.pk}", [1])]
    assert [json.loads(m["events"][0]["frame"])["text"] for _, m in sent] == ["committed"]
    # The collector is gone with its block: a commit after it is sent at once.
    with transaction.atomic():
        stream.emit(workshop, TimerStopped())
    assert sent_seqs(sent)[-1] == (f"workshop.{workshop.pk}", [2])


@pytest.mark.django_db(transaction=True)
def test_without_publishing_each_commit_is_sent_at_once(sent):
    workshop, _ = workshop_with_facilitator(start=False)
    sent.clear()
    with transaction.atomic():
        stream.emit(workshop, TimerStopped())
    assert sent_seqs(sent) == [(f"workshop.{workshop.pk}", [1])]


@pytest.mark.django_db(transaction=True)
def test_a_failing_layer_is_logged_and_the_event_stays_stored(monkeypatch, caplog):
    workshop, _ = workshop_with_facilitator(start=False)

    async def broken(group, message):
        raise ConnectionError("layer down")

    monkeypatch.setattr(get_channel_layer(), "group_send", broken)
    with caplog.at_level(logging.ERROR, logger="workshops.stream"), transaction.atomic():
        stream.emit(workshop, say("kept"))
    assert Event.objects.filter(workshop=workshop, type="announcement").count() == 1
    assert any("publishing 1 events" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_forget_name_blanks_one_person_wherever_an_event_names_them_and_nothing_else():
    from workshops.events import Announcement, BreakoutOpened, ParticipantWaiting, PresenceChanged
    workshop, _ = workshop_with_facilitator(start=False)
    an, bo = 41, 42
    idea = {"id": 7, "board": 1, "column": None, "author": {"id": an, "name": "An"}, "text": "Trees",
            "builds_on": None, "status": "visible", "reactions": {"agree": 0, "disagree": 0, "pass": 0},
            "edited": False, "created_at": "2026-12-02T03:00:00Z"}
    with transaction.atomic():
        stream.emit_many(workshop, [
            (PresenceChanged(participant={"id": an, "name": "An", "role": "citizen", "online": True, "room": None}),
             stream.EVERYONE),
            (ParticipantWaiting(participant={"id": bo, "name": "Bo"}), stream.MODERATORS),
            (RoomAssigned(room=3, breakout=2, board={"id": 4, "title": "Room", "room": 3, "columns": []},
                          ideas=[idea]), stream.to_participant(bo)),
            (BreakoutClosed(breakout=2, reports=[], ideas=[idea]), stream.EVERYONE),
            # A room whose id is An's: a room's name is not a person's.
            (BreakoutOpened(breakout=2, mode="manual", ends_at=None, capacity=None,
                            rooms=[{"id": an, "name": "Room An", "board": 4}], assignments={}), stream.EVERYONE),
            (Announcement(text="An, welcome", **{"from": {"id": 1, "name": "Fac"}}), stream.EVERYONE),
        ])
        assert stream.forget_name(workshop.pk, an) == 3
    payloads = {e.type: e.payload for e in Event.objects.filter(workshop=workshop)}
    assert payloads["presence.changed"]["participant"]["name"] == ""
    assert payloads["room.assigned"]["ideas"][0]["author"] == {"id": an, "name": ""}
    assert payloads["breakout.closed"]["ideas"][0]["author"] == {"id": an, "name": ""}
    assert payloads["participant.waiting"]["participant"]["name"] == "Bo"
    assert payloads["breakout.opened"]["rooms"][0]["name"] == "Room An"
    assert payloads["announcement"]["text"] == "An, welcome"  # what others wrote stays theirs
