"""Debounced presence: at most two presence.changed per participant per window; the last state arrives."""
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import citizen, emitted, last_seq, workshop_with_facilitator
from workshops import background, breakouts, presence, services
from workshops.models import Deadline, Participant, ServerProcess

pytestmark = pytest.mark.django_db

WINDOW = presence.WINDOW


def told(workshop, *, after):
    """The online states told to everyone about someone after a seq."""
    return [payload["participant"]["online"] for type, payload, _ in emitted(workshop, after=after)
            if type == "presence.changed"]


def settle(participant, online, at):
    locked = Participant.objects.select_for_update().get(pk=participant.pk)
    return presence.presence_settle(locked, online=online, now=at)


def flushes(workshop):
    return list(Deadline.objects.filter(workshop=workshop, kind=presence.FLUSH, done=False))


def fire(deadline, *, at):
    """What the background loop does with a due deadline: claim it, then run its handler."""
    assert Deadline.objects.filter(pk=deadline.pk, done=False).update(done=True) == 1
    presence.presence_flush(deadline=deadline, now=at)


def test_changes_are_told_at_most_twice_per_window_with_a_controlled_clock():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop)
    t0 = timezone.now()
    before = last_seq(workshop)
    results = [settle(an, i % 2 == 0, t0 + timedelta(milliseconds=50 * i)) for i in range(40)]
    assert results[:2] == [True, True] and not any(results[2:])
    assert told(workshop, after=before) == [True, False]
    # One trailing flush, when the window allows a third: five seconds after the first.
    [flush] = flushes(workshop)
    assert flush.due_at == t0 + WINDOW and flush.data == {"participant": an.pk}
    # Still inside the window: nothing; from its end: told at once.
    assert settle(an, True, t0 + WINDOW - timedelta(milliseconds=1)) is False
    assert settle(an, True, t0 + WINDOW) is True
    assert told(workshop, after=before) == [True, False, True]
    stored = Participant.objects.get(pk=an.pk)
    assert (stored.presence_online, stored.presence_prev_at, stored.presence_at) == (
        True, t0 + timedelta(milliseconds=50), t0 + WINDOW)


def storm(participant, *, cycles=50, end_online: bool) -> ServerProcess:
    """Open and close a socket of the participant again and again, as fast as the services go."""
    srv = ServerProcess.objects.create(name="srv", heartbeat_at=timezone.now())
    for i in range(cycles):
        connection = services.connection_open(participant=participant, server=srv, channel_name=f"ws.{i}",
                                              max_sockets=4)
        services.connection_close(connection_id=connection.pk)
    if end_online:
        services.connection_open(participant=participant, server=srv, channel_name="ws.last", max_sockets=4)
    return srv


@pytest.mark.parametrize("end_online, after_flush", [(True, [True]), (False, [])],
                         ids=["ends-online-told-by-the-flush", "ends-where-last-told-nothing-more"])
def test_fifty_connect_close_cycles_tell_twice_and_the_trailing_flush_only_a_changed_last_state(
        end_online, after_flush):
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop)
    before = last_seq(workshop)
    storm(an, end_online=end_online)
    assert told(workshop, after=before) == [True, False]
    [flush] = flushes(workshop)
    middle = last_seq(workshop)
    fire(flush, at=flush.due_at)
    assert [(type, payload["participant"]["online"]) for type, payload, _ in emitted(workshop, after=middle)] == [
        ("presence.changed", online) for online in after_flush]
    assert flushes(workshop) == []


def test_a_flush_that_comes_too_soon_waits_for_the_window_again():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop)
    srv = ServerProcess.objects.create(name="srv", heartbeat_at=timezone.now())
    t0 = timezone.now()
    settle(an, True, t0)
    settle(an, False, t0 + timedelta(seconds=4))
    services.connection_open(participant=an, server=srv, channel_name="ws.1", max_sockets=4)
    [flush] = flushes(workshop)
    assert flush.due_at == t0 + WINDOW
    before = last_seq(workshop)
    fire(flush, at=t0 + timedelta(seconds=4.5))  # too soon for this clock: a new flush, nothing told
    assert emitted(workshop, after=before) == []
    [again] = flushes(workshop)
    assert again.due_at == t0 + WINDOW and again.pk != flush.pk
    fire(again, at=t0 + WINDOW)
    assert told(workshop, after=before) == [True]


def test_the_background_loop_fires_a_due_presence_flush_once():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop)
    srv = ServerProcess.objects.create(name="srv", heartbeat_at=timezone.now())
    t0 = timezone.now() - timedelta(seconds=4.8)
    settle(an, True, t0)
    settle(an, False, t0 + timedelta(seconds=1))
    services.connection_open(participant=an, server=srv, channel_name="ws.1", max_sockets=4)  # a flush
    before = last_seq(workshop)
    assert background.run_due_deadlines() == 0  # not due yet
    time.sleep(max(0.0, (t0 + WINDOW - timezone.now()).total_seconds()) + 0.05)
    assert background.run_due_deadlines() == 1
    assert background.run_due_deadlines() == 0
    assert told(workshop, after=before) == [True]


def test_ending_the_workshop_keeps_a_pending_presence_flush():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop)
    t0 = timezone.now()
    settle(an, True, t0)
    settle(an, False, t0 + timedelta(seconds=1))
    settle(an, True, t0 + timedelta(seconds=2))
    services.workshop_end(actor=fac)
    assert len(flushes(workshop)) == 1


def test_role_and_room_changes_carry_the_state_last_told_not_the_live_one():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop)
    storm(an, cycles=2, end_online=True)
    breakout = breakouts.breakout_open(actor=fac, mode="manual", rooms=2)
    room = breakout.rooms.order_by("position").first()
    before = last_seq(workshop)
    breakouts.breakout_move(actor=fac, participant_id=an.pk, room_id=room.pk)
    # Live online, last told offline: the move repeats "offline" and the flush will tell "online".
    assert told(workshop, after=before) == [False]
    assert len(flushes(workshop)) == 1
