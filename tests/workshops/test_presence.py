"""Presence told in batches: sockets mark, the flush tells; at most two presence.changed per
participant per window, and the last state always arrives."""
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import citizen, emitted, last_seq, workshop_with_facilitator
from workshops import background, breakouts, presence, services
from workshops.models import Participant, ServerProcess

pytestmark = pytest.mark.django_db

WINDOW = presence.WINDOW


def told(workshop, *, after):
    """The (participant, online) states told to everyone after a seq."""
    return [(payload["participant"]["id"], payload["participant"]["online"])
            for type, payload, _ in emitted(workshop, after=after) if type == "presence.changed"]


def server() -> ServerProcess:
    return ServerProcess.objects.create(name="srv", heartbeat_at=timezone.now())


def open_socket(participant, srv, name="ws.1"):
    return services.connection_open(participant=participant, server=srv, channel_name=name, max_sockets=4)


def churn(participant, srv, *, cycles=50, end_online: bool) -> None:
    """Open and close a socket of the participant again and again, as fast as the services go."""
    for i in range(cycles):
        services.connection_close(connection_id=open_socket(participant, srv, f"ws.{i}").pk)
    if end_online:
        open_socket(participant, srv, "ws.last")


def pending(participant) -> bool:
    return Participant.objects.filter(pk=participant.pk).values_list("presence_pending", flat=True).get()


def test_sockets_store_no_event_and_one_flush_tells_a_whole_storm_in_seq_order():
    workshop, fac = workshop_with_facilitator()
    people = [citizen(workshop, name=f"C{i}") for i in range(20)]
    srv = server()
    before = last_seq(workshop)
    for p in people:
        open_socket(p, srv, f"ws.{p.pk}")
    assert last_seq(workshop) == before  # a join takes no seq and tells nobody yet
    assert presence.presence_flush() == 20
    assert told(workshop, after=before) == [(p.pk, True) for p in people]
    assert last_seq(workshop) == before + 20
    assert presence.presence_flush() == 0  # told once
    assert not any(map(pending, people))


def test_changes_are_told_at_most_twice_per_window_with_a_controlled_clock():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop)
    srv = server()
    t0 = timezone.now()
    before = last_seq(workshop)
    connection = open_socket(an, srv)
    assert presence.presence_flush(now=t0) == 1
    services.connection_close(connection_id=connection.pk)
    assert presence.presence_flush(now=t0 + timedelta(milliseconds=250)) == 1
    open_socket(an, srv, "ws.2")
    # A third change within the window waits, marked, however often the flush runs.
    for ms in (500, 750, 4999):
        assert presence.presence_flush(now=t0 + timedelta(milliseconds=ms)) == 0
    assert pending(an)
    assert presence.presence_flush(now=t0 + WINDOW) == 1
    assert told(workshop, after=before) == [(an.pk, True), (an.pk, False), (an.pk, True)]
    stored = Participant.objects.get(pk=an.pk)
    assert (stored.presence_online, stored.presence_prev_at, stored.presence_at, stored.presence_pending) == (
        True, t0 + timedelta(milliseconds=250), t0 + WINDOW, False)


def test_one_flush_stores_each_participant_its_own_told_times():
    workshop, fac = workshop_with_facilitator()
    an, bo, cy = (citizen(workshop, name=n) for n in ("An", "Bo", "Cy"))
    srv = server()
    t0 = timezone.now() - timedelta(minutes=1)
    sockets = {p.pk: open_socket(p, srv, f"ws.{p.pk}") for p in (an, bo)}
    assert presence.presence_flush(now=t0) == 2  # An and Bo online at t0
    services.connection_close(connection_id=sockets[an.pk].pk)  # An leaves, Cy comes
    open_socket(cy, srv, "ws.cy")
    t1 = t0 + WINDOW
    assert presence.presence_flush(now=t1) == 2
    stored = {p.pk: (p.presence_online, p.presence_prev_at, p.presence_at)
              for p in Participant.objects.filter(pk__in=[an.pk, bo.pk, cy.pk])}
    assert stored == {an.pk: (False, t0, t1), bo.pk: (True, None, t0), cy.pk: (True, None, t1)}


@pytest.mark.parametrize("end_online, after_flush", [(True, [True]), (False, [])],
                         ids=["ends-online-told-once", "ends-where-last-told-nothing"])
def test_fifty_connect_close_cycles_between_flushes_tell_only_a_changed_last_state(end_online, after_flush):
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop)
    before = last_seq(workshop)
    churn(an, server(), end_online=end_online)
    presence.presence_flush()
    assert told(workshop, after=before) == [(an.pk, online) for online in after_flush]
    assert not pending(an)


def test_the_background_loop_tells_presence():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop)
    open_socket(an, server())
    before = last_seq(workshop)
    background.run_frequent()
    background.run_frequent()
    assert told(workshop, after=before) == [(an.pk, True)]


def test_ending_the_workshop_still_tells_who_left():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop)
    connection = open_socket(an, server())
    presence.presence_flush()
    services.connection_close(connection_id=connection.pk)
    services.workshop_end(actor=fac)
    before = last_seq(workshop)
    assert presence.presence_flush() == 1
    assert told(workshop, after=before) == [(an.pk, False)]


def test_nobody_learns_of_the_waiting_or_the_erased():
    workshop, fac = workshop_with_facilitator()
    waiting, gone = citizen(workshop, name="Wa"), citizen(workshop, name="Go")
    Participant.objects.filter(pk=waiting.pk).update(admitted=False)
    waiting.refresh_from_db()
    srv = server()
    open_socket(waiting, srv)
    connection = open_socket(gone, srv, "ws.2")
    Participant.objects.filter(pk=gone.pk).update(erased_at=timezone.now(), name="")
    before = last_seq(workshop)
    services.connection_close(connection_id=connection.pk)
    assert presence.presence_flush() == 0
    assert told(workshop, after=before) == []
    assert not pending(gone)


def test_role_and_room_changes_carry_the_state_last_told_not_the_live_one():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop)
    srv = server()
    connection = open_socket(an, srv)
    presence.presence_flush()
    services.connection_close(connection_id=connection.pk)
    presence.presence_flush()
    open_socket(an, srv, "ws.2")  # live online, last told offline, the window closed for now
    breakout = breakouts.breakout_open(actor=fac, mode="manual", rooms=2)
    room = breakout.rooms.order_by("position").first()
    before = last_seq(workshop)
    breakouts.breakout_move(actor=fac, participant_id=an.pk, room_id=room.pk)
    # The move repeats "offline"; the flush tells "online" when the window allows.
    assert told(workshop, after=before) == [(an.pk, False)]
    assert pending(an)
    assert presence.presence_flush(now=timezone.now() + WINDOW) == 1
    assert told(workshop, after=before)[-1] == (an.pk, True)
