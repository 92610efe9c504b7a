"""Bounded fan-out (PROTOCOL.md 2.3): events grouped in `batch` frames, counts and presence coalesced."""
import asyncio
import json

import pytest
from channels.db import database_sync_to_async as db
from django.conf import settings

from deliberation import services as content
from deliberation import tallies
from deliberation.models import Board, Idea
from tests.live import Live, make_citizen, make_workshop
from workshops.hub import batched, coalesce
from workshops.models import Participant

NAMES = [f"Burger {n}" for n in range(40)]


def item(seq, key=None):
    out = {"seq": seq, "frame": json.dumps({"type": "x", "seq": seq})}
    if key:
        out["coalesce"] = key
    return out


def test_coalescing_keeps_only_the_latest_state_of_each_thing_and_everything_else():
    items = [item(1, "idea.reacted:7"), item(2), item(3, "idea.reacted:8"), item(4, "idea.reacted:7"),
             item(5, "presence.changed:3"), item(6, "idea.reacted:8"), item(7, "presence.changed:3")]
    assert [i["seq"] for i in coalesce(items)] == [2, 4, 6, 7]
    alone = [item(1, "idea.reacted:7"), item(2)]
    assert coalesce(alone) is alone


async def test_a_timer_that_fired_while_the_hub_handed_over_waits_out_the_interval(monkeypatch):
    """The hub's timer fires; before its flush gets the lock, `deliver` hands over (the time was up, or
    news came): the flush must not send a second frame right after that one (it did: at a full
    reaction storm a socket then got 5 frames in a second, two of them 12 ms apart)."""
    from workshops import hub as hubs
    handed: list[list[int]] = []

    async def fan_out(subscribers, items):
        handed.append([i["seq"] for i in items])

    monkeypatch.setattr(hubs, "fan_out", fan_out)
    hub = hubs.Hub()
    topic = hub.topics[7] = hubs.Topic(last_seq=1)
    loop = asyncio.get_running_loop()
    topic.flushed_at = loop.time()  # handed over just now, by `deliver`
    topic.queue = [item(2, "idea.reacted:1")]  # and since then one more count came
    await hub._flush_later(7)
    assert handed == [] and topic.timer is not None  # waits for the rest of the interval
    topic.timer.cancel()
    topic.flushed_at = loop.time() - settings.INSPRAAK["COALESCE_S"]
    await hub._flush_later(7)
    assert handed == [[2]] and topic.queue == [] and topic.timer is None
    topic.flushed_at = loop.time()
    await hub._flush_later(7)  # nothing waits: no timer either
    assert handed == [[2]] and topic.timer is None


async def test_an_event_for_one_person_leaves_everyone_else_their_kind_share():
    """A run with an event for one participant (their rung), then one for another and the moderators:
    the first reaches its participant alone, the second its participant and the moderators, and the
    rest get their kind's shared frames."""
    from workshops.hub import Subscriber, fan_out

    got: dict[int, list] = {}

    def socket(participant_id, role="citizen"):
        sent = got[participant_id] = []
        sub = Subscriber(workshop_id=1, participant_id=participant_id, role=role, room_id=None,
                         send_frame=None, on_control=None,
                         broadcast={"send": sent.append, "prepare": lambda text: text})
        sub.live = True
        return sub

    def seqs(frames):
        out = []
        for text in frames:
            frame = json.loads(text)
            out += [event["seq"] for event in frame["events"]] if frame["type"] == "batch" else [frame["seq"]]
        return out

    def event(seq, *audience):
        return {"seq": seq, "audience": list(audience), "frame": json.dumps({"type": "x", "seq": seq})}

    subs = [socket(1), socket(2), socket(3), socket(4, "moderator")]
    await fan_out(set(subs), [event(5, "all"), event(6, "p:2")])
    assert {pid: seqs(frames) for pid, frames in got.items()} == {1: [5], 2: [5, 6], 3: [5], 4: [5]}
    assert got[1][0] is got[3][0]  # one text for every citizen whom nothing personal was for
    await fan_out(set(subs), [event(8, "all"), event(9, "p:2"), event(10, "p:3", "role:moderator")])
    assert {pid: seqs(frames[1:]) for pid, frames in got.items()} == {1: [8], 2: [8, 9], 3: [8, 10], 4: [8, 10]}
    assert all(sub.seq == 10 for sub in subs)


def test_batches_hold_the_events_in_order_within_the_frame_limit():
    texts = [json.dumps({"type": "idea.posted", "seq": n, "text": "é" * 1000}) for n in range(600)]
    assert batched(texts[:1]) == texts[:1]
    frames = batched(texts, limit=256 * 1024)
    assert len(frames) > 1 and all(len(f.encode()) <= 256 * 1024 for f in frames)
    events = [e for f in frames for e in json.loads(f)["events"]]
    assert [e["seq"] for e in events] == list(range(600))


async def a_workshop(citizens: int):
    workshop, facilitator = await db(make_workshop)()
    people = [await db(make_citizen)(workshop, name) for name in NAMES[:citizens]]
    board = await db(lambda: Board.objects.get(workshop=workshop, room=None))()
    return workshop, facilitator, people, board


async def watching(facilitator: Participant) -> Live:
    """The facilitator's socket, its welcome read and its frames cleared: it holds only what comes next."""
    observer = await Live.open(facilitator)
    await observer.drain()
    observer.frames.clear()
    return observer


def react(participant: Participant, idea_id: int, value: str) -> None:
    content.idea_react(actor=Participant.objects.get(pk=participant.pk), idea=Idea.objects.get(pk=idea_id),
                       value=value)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_env")
async def test_a_reaction_burst_reaches_an_observer_in_a_few_frames_with_exact_counts():
    workshop, facilitator, people, board = await a_workshop(30)
    posted = await db(lambda: content.idea_post(actor=people[0], board=board, text="Shade by the station"))()
    observer = await watching(facilitator)

    # 30 reactions as fast as the database takes them: one second's worth, and more, at a vote storm's rate.
    for n, person in enumerate(people):
        await db(react)(person, posted.pk, ["agree", "disagree", "pass"][n % 3])
    events = await observer.drain(quiet=0.6)

    reacted = [e for e in events if e["type"] == "idea.reacted"]
    assert reacted and reacted[-1]["reactions"] == {"agree": 10, "disagree": 10, "pass": 10}
    assert [e["seq"] for e in reacted] == sorted({e["seq"] for e in reacted})
    assert len(reacted) < 30, "every reaction was sent: nothing coalesced"
    assert len(observer.frames) < 30
    await observer.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_env")
async def test_reaction_updates_reach_a_socket_at_most_about_four_times_a_second():
    workshop, facilitator, people, board = await a_workshop(24)
    posted = await db(lambda: content.idea_post(actor=people[0], board=board, text="Water for all"))()
    observer = await watching(facilitator)
    arrivals: list[float] = []
    loop = asyncio.get_running_loop()

    async def watch():
        while True:
            await observer.frame(timeout=5)
            if observer.frames and len(arrivals) < len(observer.frames):
                arrivals.append(loop.time())

    watcher = asyncio.create_task(watch())
    start = loop.time()
    for person in people:  # 24 reactions spread over about 1.2 s
        await db(react)(person, posted.pk, "agree")
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.6)
    watcher.cancel()
    elapsed = loop.time() - start

    period = settings.INSPRAAK["COALESCE_S"]
    assert period == 0.3
    assert len(arrivals) <= elapsed / period + 1, (len(arrivals), elapsed)
    assert all(b - a >= period * 0.8 for a, b in zip(arrivals, arrivals[1:])), arrivals
    last = [e for f in observer.frames for e in (f["events"] if f["type"] == "batch" else [f])][-1]
    assert last["type"] == "idea.reacted" and last["reactions"]["agree"] == 24
    await observer.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_env")
async def test_an_idea_takes_the_waiting_reactions_with_it_in_one_batch_in_seq_order():
    workshop, facilitator, people, board = await a_workshop(3)
    first = await db(lambda: content.idea_post(actor=people[0], board=board, text="Benches"))()
    observer = await watching(facilitator)

    await db(react)(people[1], first.pk, "agree")  # waits (at most COALESCE_S) for company
    await db(react)(people[2], first.pk, "agree")
    await db(tallies.tallies_flush)()  # the counts' event, as every process makes it a few times a second
    await db(lambda: content.idea_post(actor=people[1], board=board, text="Trees"))()  # goes at once
    events = await observer.drain()

    types = [e["type"] for e in events]
    assert types.count("idea.posted") == 1 and types[-1] == "idea.posted"
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    reacted = [e for e in events if e["type"] == "idea.reacted"]
    assert reacted[-1]["reactions"]["agree"] == 2
    assert any(f["type"] == "batch" for f in observer.frames)
    await observer.close()


def message(workshop, *seqs):
    return {"type": "stream.events", "workshop": workshop, "events": [item(seq) for seq in seqs]}


async def test_a_hub_behind_hands_over_what_waits_per_workshop_in_one_go_in_seq_order():
    """Messages that came while a hand-over ran go together: each workshop's events once, in seq order
    (two workers' messages may cross), so a hub that fell behind catches up in a few frames."""
    from workshops import hub as hubs
    hub = hubs.Hub()
    delivered: list[tuple[int, list[int]]] = []

    async def deliver(workshop_id, items):
        delivered.append((workshop_id, [i["seq"] for i in items]))

    hub.deliver = deliver
    for m in (message(1, 5), message(2, 9), message(1, 3, 4), message(1, 4), message(2, 8), message(1, 6)):
        hub.inbox.append(m)
    hub.arrived.set()
    task = asyncio.create_task(hub._hand_over_loop())
    try:
        async with asyncio.timeout(5):
            while len(delivered) < 2:
                await asyncio.sleep(0.01)
        assert sorted(delivered) == [(1, [3, 4, 5, 6]), (2, [8, 9])]
        assert not hub.inbox
        hub.inbox.append(message(1, 7))
        hub.arrived.set()
        async with asyncio.timeout(5):
            while len(delivered) < 3:
                await asyncio.sleep(0.01)
        assert delivered[-1] == (1, [7])
    finally:
        task.cancel()


async def test_a_hub_far_behind_keeps_only_the_newest_messages(monkeypatch):
    """The publish/subscribe layer queues without bound: the hub keeps MAX_INBOX messages at most, and
    the database fills the gap of those it let go."""
    from workshops import hub as hubs
    monkeypatch.setattr(hubs, "MAX_INBOX", 3)
    hub = hubs.Hub()
    hub.channel = "hub.test"
    waiting = [message(1, seq) for seq in range(1, 8)]

    class Layer:
        async def receive(self, channel):
            if not waiting:
                await asyncio.Event().wait()  # nothing more: wait for ever
            return waiting.pop(0)

    hub.layer = Layer()
    task = asyncio.create_task(hub._receive_loop())  # no hand-over runs: everything waits
    try:
        async with asyncio.timeout(5):
            while waiting:
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.01)
        assert [m["events"][0]["seq"] for m in hub.inbox] == [5, 6, 7]
        assert hub.arrived.is_set()
    finally:
        task.cancel()
