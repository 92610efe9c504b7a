"""Breakout rooms over the socket: isolation, moves, late joiners, closing and report-back."""
from collections import Counter
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async as db
from django.utils import timezone

from deliberation.models import Board, Idea
from tests.live import Live, make_citizen, make_workshop
from workshops import background, breakouts, stream
from workshops.models import Assignment, Breakout, Event, Participant, Room

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_env")]

NAMES = ["An", "Bo", "Cas", "Dee", "Eli", "Fay"]


async def setup(n=4, **kwargs):
    workshop, fac = await db(make_workshop)(**kwargs)
    citizens = [await db(make_citizen)(workshop, name) for name in NAMES[:n]]
    return workshop, fac, citizens


async def rooms_of(breakout_id):
    return await db(lambda: {a.participant_id: a.room_id for a in Assignment.objects.filter(breakout_id=breakout_id)})()


async def board_of(room_id):
    return await db(lambda: Board.objects.get(room_id=room_id).pk)()


async def test_random_breakout_assigns_everyone_and_isolates_rooms():
    workshop, fac, citizens = await setup(4)
    f = await Live.open(fac)
    socks = {c.pk: await Live.open(c) for c in citizens}
    opened = await f.command("breakout.open", rooms=2, mode="random")
    assert opened["type"] == "ack"
    rooms = await rooms_of(opened["breakout"])
    assert sorted(Counter(rooms.values()).values()) == [2, 2]
    event = await f.event("breakout.opened")
    assert event["mode"] == "random" and len(event["rooms"]) == 2 and all(r["board"] for r in event["rooms"])
    assert {int(k): v for k, v in event["assignments"].items()} == rooms
    for pid, sock in socks.items():
        assert (await sock.event("room.assigned"))["room"] == rooms[pid]
        await sock.drain()
    await f.drain()

    room_a = rooms[citizens[0].pk]
    mate = next(p for p, r in rooms.items() if r == room_a and p != citizens[0].pk)
    others = [p for p, r in rooms.items() if r != room_a]
    board_a = await board_of(room_a)
    posted = await socks[citizens[0].pk].command("idea.post", board=board_a, text="Room A idea")
    assert posted["type"] == "ack"
    assert (await socks[mate].event("idea.posted"))["idea"]["id"] == posted["id"]
    assert (await f.event("idea.posted"))["idea"]["id"] == posted["id"]
    for p in others:
        assert await socks[p].nothing()

    outsider = socks[others[0]]
    assert (await outsider.command("idea.post", board=board_a, text="Sneaking in"))["code"] == "not_found"
    assert (await outsider.command("idea.react", idea=posted["id"], value="agree"))["code"] == "not_found"
    assert (await outsider.command("idea.post", board=await board_of(rooms[others[0]]), text="Reply",
                                   builds_on=posted["id"]))["code"] == "not_found"
    plenary = await db(lambda: Board.objects.get(workshop=workshop, room=None).pk)()
    assert (await outsider.command("idea.post", board=plenary, text="In the plenary"))["code"] == "forbidden"
    assert (await f.command("breakout.open", rooms=3, mode="random"))["code"] == "conflict"
    for s in [f, *socks.values()]:
        await s.close()


async def test_resume_does_not_leak_another_rooms_events():
    workshop, fac, citizens = await setup(2)
    f = await Live.open(fac)
    opened = await f.command("breakout.open", names=["Trees", "Bikes"], mode="manual",
                             assignments={str(citizens[0].pk): 0, str(citizens[1].pk): 1})
    rooms = await rooms_of(opened["breakout"])
    b = await Live.open(citizens[1])
    since = b.welcome["seq"]
    assert b.welcome["me"]["room"] == rooms[citizens[1].pk]
    assert [x["id"] for x in b.welcome["boards"]] == [
        await db(lambda: Board.objects.get(workshop=workshop, room=None).pk)(), await board_of(rooms[citizens[1].pk])]
    await b.close()
    a = await Live.open(citizens[0])
    await a.command("idea.post", board=await board_of(rooms[citizens[0].pk]), text="Only for Trees")
    await f.command("announce", text="Ten minutes left")
    b2 = await Live.open(citizens[1], since=since)
    types = [e["type"] for e in await b2.drain()]
    assert "idea.posted" not in types and "announcement" in types
    for s in (f, a, b2):
        await s.close()


async def test_move_late_joiner_and_reconnect_keep_people_in_their_rooms():
    workshop, fac, citizens = await setup(3)
    f = await Live.open(fac)
    opened = await f.command("breakout.open", rooms=2, mode="random")
    rooms = await rooms_of(opened["breakout"])
    room_ids = sorted(set(rooms.values()))
    late = await db(make_citizen)(workshop, "Late")
    late_room = await db(lambda: Participant.objects.get(pk=late.pk).room_id)()
    # The smallest room had one person; the late joiner makes it two.
    assert sorted(Counter([*rooms.values(), late_room]).values()) == [2, 2]
    l = await Live.open(late)
    assert l.welcome["me"]["room"] == late_room
    assert l.welcome["workshop"]["breakout"]["status"] == "open"

    mover = citizens[0]
    target = next(r for r in room_ids if r != rooms[mover.pk])
    m = await Live.open(mover)
    waiting = await f.command("idea.post", board=await board_of(target), text="Already on the new room's board")
    assert (await f.command("breakout.move", participant=mover.pk, room=target))["type"] == "ack"
    move = await m.event("room.assigned")
    # The mover is handed the new room's board with the ideas already on it.
    assert move["room"] == target and move["board"]["id"] == await board_of(target)
    assert [i["id"] for i in move["ideas"]] == [waiting["id"]]
    presence = await f.event("presence.changed")
    while presence["participant"]["id"] != mover.pk or presence["participant"]["room"] != target:
        presence = await f.event("presence.changed")
    # Now the mover hears the new room and can post there.
    assert (await m.command("idea.post", board=await board_of(target), text="New room, new idea"))["type"] == "ack"
    await m.close()
    again = await Live.open(mover)
    assert again.welcome["me"]["room"] == target
    assert (await f.command("breakout.move", participant=fac.pk, room=target))["code"] == "not_found"
    for s in (f, l, again):
        await s.close()


async def test_close_with_grace_then_report_back_and_read_only_room_boards():
    workshop, fac, citizens = await setup(4)
    f = await Live.open(fac)
    opened = await f.command("breakout.open", rooms=2, mode="random")
    rooms = await rooms_of(opened["breakout"])
    socks = {c.pk: await Live.open(c) for c in citizens}
    first = citizens[0].pk
    board = await board_of(rooms[first])
    low = await socks[first].command("idea.post", board=board, text="A quiet idea")
    high = await socks[first].command("idea.post", board=board, text="A popular idea")
    mate = next(p for p, r in rooms.items() if r == rooms[first] and p != first)
    await socks[mate].command("idea.react", idea=high["id"], value="agree")
    await socks[mate].command("idea.react", idea=low["id"], value="disagree")

    assert (await f.command("breakout.close", grace_s=1))["status"] == "closing"
    closing = await socks[first].event("breakout.closing")
    assert closing["closes_at"]
    closed = await socks[mate].event("breakout.closed", timeout=5)  # the server's own loop closes it
    report = {r["room"]: r["ideas"] for r in closed["reports"]}
    assert report[rooms[first]] == [high["id"], low["id"]]
    assert {i["id"] for i in closed["ideas"]} == {low["id"], high["id"]}
    other = next(p for p, r in rooms.items() if r != rooms[first])
    assert (await socks[other].event("breakout.closed"))["breakout"] == opened["breakout"]

    # Everyone is back in the plenary; room boards are readable by all and writable by none.
    assert (await socks[other].command("idea.post", board=board, text="Too late"))["code"] == "forbidden"
    assert (await f.command("idea.post", board=board, text="Staff too"))["code"] == "forbidden"
    fresh = await Live.open(citizens[3])
    assert fresh.welcome["me"]["room"] is None and fresh.welcome["workshop"]["breakout"] is None
    assert {high["id"], low["id"]} <= {i["id"] for i in fresh.welcome["ideas"]}
    room_entry = next(r for r in fresh.welcome["rooms"] if r["id"] == rooms[first])
    assert room_entry["top"] == [high["id"], low["id"]] and room_entry["board"] == board
    plenary = await db(lambda: Board.objects.get(workshop=workshop, room=None).pk)()
    assert (await socks[other].command("idea.post", board=plenary, text="Back together"))["type"] == "ack"
    for s in [f, fresh, *socks.values()]:
        await s.close()


async def test_a_timed_breakout_closes_itself_with_nobody_connected():
    workshop, fac, citizens = await setup(2)
    breakout = await db(breakouts.breakout_open)(actor=fac, mode="random", rooms=2, duration_s=300)
    assert await db(background.run_due_deadlines)() == 0
    later = timezone.now() + timedelta(seconds=301)
    assert await db(background.run_due_deadlines)(now=later) == 2
    types = await db(lambda: list(Event.objects.filter(workshop=workshop).order_by("seq")
                                  .values_list("type", flat=True)))()
    assert types[-2:] == ["breakout.closing", "breakout.closed"]
    assert await db(lambda: Breakout.objects.get(pk=breakout.pk).status)() == "closed"
    assert await db(lambda: Participant.objects.filter(workshop=workshop, room__isnull=False).count())() == 0


async def test_self_select_with_capacity():
    workshop, fac, citizens = await setup(3)
    f = await Live.open(fac)
    opened = await f.command("breakout.open", names=["Green", "Traffic"], mode="self_select", capacity=1)
    assert await rooms_of(opened["breakout"]) == {}
    room_ids = await db(lambda: list(Room.objects.filter(breakout_id=opened["breakout"]).order_by("position")
                                     .values_list("pk", flat=True)))()
    a, b = await Live.open(citizens[0]), await Live.open(citizens[1])
    assert (await a.command("room.choose", room=room_ids[0]))["room"] == room_ids[0]
    assert (await a.event("room.assigned"))["room"] == room_ids[0]
    assert (await b.command("room.choose", room=room_ids[0]))["code"] == "conflict"
    assert (await b.command("room.choose", room=room_ids[1]))["type"] == "ack"
    assert (await f.command("room.choose", room=room_ids[1]))["code"] == "forbidden"
    await f.command("breakout.close", grace_s=0)
    assert (await a.command("room.choose", room=room_ids[1]))["code"] == "forbidden"
    for s in (f, a, b):
        await s.close()


async def test_manual_assignments_are_checked():
    workshop, fac, citizens = await setup(2)
    f = await Live.open(fac)
    bad = await f.command("breakout.open", rooms=2, mode="manual", assignments={str(fac.pk): 0})
    assert bad["code"] == "invalid"
    assert (await f.command("breakout.open", rooms=1, mode="random"))["code"] == "invalid"
    assert (await f.command("breakout.open", mode="random"))["code"] == "invalid"
    assert await db(lambda: Breakout.objects.count())() == 0
    await f.close()


async def test_diverse_rooms_mirror_profile_answers():
    questions = [{"key": "age", "label": "Age", "options": ["young", "old"]}]
    workshop, fac = await db(make_workshop)(profile_questions=questions)
    from workshops import services
    people = []
    for i in range(8):
        people.append(await db(services.participant_join)(
            workshop=workshop, name=f"P{i}", profile={"age": "young" if i < 4 else "old"}))
    breakout = await db(breakouts.breakout_open)(actor=fac, mode="diverse", rooms=2)
    rooms = await rooms_of(breakout.pk)
    for room in set(rooms.values()):
        ages = Counter("young" if people.index(next(p for p in people if p.pk == pid)) < 4 else "old"
                       for pid, r in rooms.items() if r == room)
        assert ages == Counter({"young": 2, "old": 2})


@pytest.mark.django_db(transaction=True)
def test_500_citizens_into_50_rooms_in_one_transaction(capsys):
    import time
    workshop, fac = make_workshop()
    Participant.objects.bulk_create([Participant(workshop=workshop, name=f"C{i}") for i in range(500)])
    before = Event.objects.filter(workshop=workshop).count()
    started = time.perf_counter()
    breakout = breakouts.breakout_open(actor=fac, mode="random", rooms=50)
    elapsed = time.perf_counter() - started
    assigned = Event.objects.filter(workshop=workshop, type="room.assigned")
    assert assigned.count() == 500 and Assignment.objects.filter(breakout=breakout).count() == 500
    seqs = sorted(Event.objects.filter(workshop=workshop).values_list("seq", flat=True))
    assert seqs == list(range(1, before + 502))
    assert sorted(Counter(Assignment.objects.filter(breakout=breakout).values_list("room_id", flat=True))
                  .values()) == [10] * 50
    with capsys.disabled():
        print(f"\n500 citizens into 50 rooms (SQLite, with 501 events): {elapsed * 1000:.0f} ms")


def _crowded_room(n_ideas: int):
    """An open two-room breakout whose first room's board holds n long ideas; its facilitator and a citizen elsewhere."""
    from tests.factories import citizen, workshop_with_facilitator

    workshop, fac = workshop_with_facilitator()
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    breakout = breakouts.breakout_open(actor=fac, mode="manual", rooms=2, assignments={an.pk: 0, bo.pk: 1})
    first, second = Room.objects.filter(breakout=breakout).order_by("position")
    board = Board.objects.get(room=first)
    Idea.objects.bulk_create([Idea(board=board, author=an, text=f"{n:04d} " + "x" * 495) for n in range(n_ideas)])
    return workshop, fac, bo, first, second


def _stored(workshop, type_name):
    row = Event.objects.filter(workshop=workshop, type=type_name).order_by("-seq").first()
    return row.payload, len(stream.encode(row).encode())


@pytest.mark.parametrize("n_ideas, carried", [(20, True), (300, False)])
def test_an_event_carries_a_room_boards_ideas_only_while_it_stays_far_below_a_frame(n_ideas, carried):
    """300 ideas of 500 characters would make breakout.closed and room.assigned about 200 KiB each,
    sent again in every replay: past 128 KiB of ideas they leave them out and clients start over."""
    workshop, fac, bo, first, second = _crowded_room(n_ideas)
    breakouts.breakout_move(actor=fac, participant_id=bo.pk, room_id=first.pk)
    assigned, size = _stored(workshop, "room.assigned")
    assert ("ideas" in assigned) is carried and assigned["board"]["room"] == first.pk and size < 256 * 1024
    if carried:
        assert len(assigned["ideas"]) == n_ideas
    breakouts.breakout_close(actor=fac, grace_s=0)
    closed, size = _stored(workshop, "breakout.closed")
    assert ("ideas" in closed) is carried and len(closed["boards"]) == 2 and size < 256 * 1024
    assert [r["room"] for r in closed["reports"]] == [first.pk, second.pk]
