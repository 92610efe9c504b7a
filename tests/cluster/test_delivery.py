"""Two Daphne workers share PostgreSQL and Redis: events cross processes, resume works anywhere, seqs hold.

docs/protocol.md 2.2 and 2.3: each socket receives, in seq order, exactly the
events its participant may see, whichever worker it is on; `?since=` resumes
on any worker with exactly what was missed; what the channel layer drops is
fetched from the database.
"""
import asyncio
import json
import os
import signal

import pytest
import redis

from harness.daphne import DaphneServer
from workshops.stream import visible

from .clients import Cluster, Person

pytestmark = pytest.mark.cluster


def posts(ideas: list[dict]) -> list[int]:
    return [e["idea"]["id"] for e in ideas if e["type"] == "idea.posted"]


def visible_seqs(events: list[tuple], person: Person, role: str = "citizen") -> list[int]:
    return [seq for seq, _type, audience in events
            if visible(audience, participant_id=person.id, role=role, room_id=None)]


async def an_on_worker_1_and_bo_on_worker_2(cluster):
    """A live workshop with citizen An connected to the first worker and Bo to the second."""
    facilitator, code, board = await cluster.workshop()
    an, bo = cluster.join(code, "An"), cluster.join(code, "Bo", worker=1)
    await an.open(cluster.workers[0])
    await bo.open(cluster.workers[1])
    return facilitator, code, board, an, bo


async def test_an_idea_posted_through_worker_1_reaches_a_citizen_on_worker_2(cluster):
    facilitator, code, board, an, bo = await an_on_worker_1_and_bo_on_worker_2(cluster)

    ack = await an.command({"type": "idea.post", "ref": "p1", "board": board, "text": "Meer bomen op het plein"})

    await bo.until(lambda: ack["id"] in bo.ideas, "An's idea on worker 2")
    assert posts(bo.events) == [ack["id"]]
    assert bo.ideas[ack["id"]] == {"text": "Meer bomen op het plein", "status": "visible",
                                   "reactions": {"agree": 0, "disagree": 0, "pass": 0}}
    for person in (facilitator, an, bo):
        await person.close()


async def test_a_quiet_workshop_keeps_its_channel_layer_without_a_read_timeout(cluster):
    """redis-py 8 gives every socket a 5 s read timeout by default: a subscription that heard nothing for
    longer must not look like a lost Redis (as channels-redis's blocking pop once did, cut short)."""
    facilitator, code, board, an, bo = await an_on_worker_1_and_bo_on_worker_2(cluster)
    marks = [worker.log_path.stat().st_size for worker in cluster.workers]

    await asyncio.sleep(7.5)
    ack = await an.command({"type": "idea.post", "ref": "quiet", "board": board, "text": "Na de stilte"})

    await bo.until(lambda: ack["id"] in bo.ideas, "An's idea on worker 2")
    for worker, mark in zip(cluster.workers, marks):
        with open(worker.log_path, errors="replace") as log:
            log.seek(mark)
            text = log.read()
            assert "hub lost the channel layer" not in text and "Unexpected exception" not in text
    for person in (facilitator, an, bo):
        await person.close()


async def test_each_worker_listens_once_per_workshop_however_many_sockets_it_holds(cluster):
    facilitator, code, board = await cluster.workshop()
    people = [cluster.join(code, f"Burger {n}") for n in range(8)]
    for n, person in enumerate(people):
        await person.open(cluster.workers[n % 2])
    ack = await people[0].command({"type": "idea.post", "ref": "p", "board": board, "text": "Een bankje"})
    for person in people:
        await person.until(lambda p=person: ack["id"] in p.ideas, f"the idea at {person.name}")

    # A group is a Redis channel that each worker's hub subscribes to: once per worker, not per socket.
    assert cluster.listeners(code) == 2
    for person in (facilitator, *people):
        await person.close()


async def test_a_citizen_resumes_on_the_other_worker_with_exactly_the_events_missed(cluster):
    facilitator, code, board, an, bo = await an_on_worker_1_and_bo_on_worker_2(cluster)
    first = await bo.command({"type": "idea.post", "ref": "b0", "board": board, "text": "Een fietsenstalling"})
    await an.until(lambda: first["id"] in an.ideas, "Bo's first idea")
    await an.close()
    since = an.seq

    # While An is away: ideas through both workers, a reaction, an announcement.
    posted = [first["id"]]
    for n in range(3):
        posted.append((await bo.command({"type": "idea.post", "ref": f"b{n + 1}", "board": board,
                                         "text": f"Idee {n} van Bo"}))["id"])
        posted.append((await facilitator.command({"type": "idea.post", "ref": f"f{n}", "board": board,
                                                  "text": f"Idee {n} van de gespreksleider"}))["id"])
    await bo.command({"type": "idea.react", "ref": "r", "idea": posted[1], "value": "agree"})
    await facilitator.command({"type": "announce", "ref": "a", "text": "Nog tien minuten"})

    await an.open(cluster.workers[1], resume=True)  # the other worker
    assert an.welcome["resumed"] is True and "ideas" not in an.welcome, an.welcome
    # The replay comes before anything the socket answers: a ping's pong closes it off.
    await an.send({"type": "ping", "ref": "after-replay"})
    async with asyncio.timeout(20):
        while True:
            frame = await an.ws.recv()
            if '"pong"' in frame:
                break
            an.apply(json.loads(frame))
    replayed = [e["seq"] for e in an.events if e["seq"] > since]
    # An's own coming back and Bo's reaction are told by flushes, which may come after the replay:
    # once they have, every event since An left has reached An exactly once, in order.
    await cluster.settled(code)
    missed = visible_seqs(cluster.database.events_after(code, since), an)
    await an.until(lambda: an.seq >= missed[-1], "the events after the replay")
    assert [e["seq"] for e in an.events if e["seq"] > since] == missed, [
        (e["seq"], e["type"]) for e in an.events if e["seq"] > since]
    assert missed[:len(replayed)] == replayed  # the replay is its head
    assert set(posts([e for e in an.events if e["seq"] in replayed])) == set(posted[1:])  # with every idea
    assert an.view() == cluster.database.ideas(code)
    for person in (facilitator, an, bo):
        await person.close()


async def test_seqs_stay_gapless_and_in_one_order_when_both_workers_write_at_once(cluster):
    """Per-workshop seq allocation is correct under concurrent writers in two processes."""
    one, two = cluster.workers
    facilitator, code, board = await cluster.workshop()
    writers = [cluster.join(code, f"Schrijver {n}") for n in range(12)]
    watchers = [cluster.join(code, "Kijker 1"), cluster.join(code, "Kijker 2", worker=1)]
    for n, person in enumerate(writers):
        await person.open(cluster.workers[n % 2])
    await watchers[0].open(one)
    await watchers[1].open(two)
    start = cluster.database.last_seq(code)

    async def write(person: Person) -> list[int]:
        refs = [f"{person.name}-{k}" for k in range(10)]
        for ref in refs:  # all in flight at once: the worker runs them as fast as it can
            await person.send({"type": "idea.post", "ref": ref, "board": board, "text": f"{ref}: meer groen"})
        await person.until(lambda: all(ref in person.replies for ref in refs), "the acks")
        assert all(person.replies[ref]["type"] == "ack" for ref in refs), person.replies
        return [person.replies[ref]["id"] for ref in refs]

    acked = [i for ids in await asyncio.gather(*map(write, writers)) for i in ids]
    assert len(set(acked)) == 120

    seqs = cluster.database.seqs(code)
    assert seqs == list(range(1, len(seqs) + 1)) and seqs[-1] == cluster.database.last_seq(code)
    for watcher in watchers:
        await watcher.until(lambda w=watcher: set(acked) <= set(posts(w.events)), f"every idea at {watcher.name}")
    # Both processes delivered the same ideas in the same (seq) order, and the writers really
    # interleaved: the authors' workers alternate many times along the stream.
    stream = [(e["seq"], e["idea"]["id"]) for e in watchers[0].events if e["type"] == "idea.posted"]
    assert stream == [(e["seq"], e["idea"]["id"]) for e in watchers[1].events if e["type"] == "idea.posted"]
    worker_of = {p.id: n % 2 for n, p in enumerate(writers)}
    authors = [worker_of[e["idea"]["author"]["id"]] for e in watchers[0].events if e["type"] == "idea.posted"]
    assert sum(a != b for a, b in zip(authors, authors[1:])) >= 10, authors
    assert min(s for s, _ in stream) > start
    for person in (facilitator, *writers, *watchers):
        await person.close()


@pytest.fixture
def slow_resync(cluster_setup, tmp_path):
    """Two workers which resync only once a minute."""
    env = {**cluster_setup.env, "INSPRAAK_HUB_RESYNC_S": "60"}
    workers = [DaphneServer(env, log_path=tmp_path / f"slow-resync-worker-{n}.log") for n in (1, 2)]
    for worker in workers:
        worker.start()
    yield Cluster(cluster_setup.db, env, workers)
    for worker in workers:
        os.kill(worker.process.pid, signal.SIGCONT)
        worker.stop()


async def test_events_the_layer_drops_are_filled_from_the_database_at_the_next_one(slow_resync, redis_url):
    """Redis drops what it publishes while a subscriber is away (or too slow: past its output buffer's
    limit it disconnects it); the hub fills the gap from the database."""
    one, two = slow_resync.workers
    facilitator, code, board = await slow_resync.workshop()
    bo = slow_resync.join(code, "Bo")
    await bo.open(two)
    # Everyone's presence told first (either worker may tell it): a worker stopped inside its presence
    # flush would hold the seq lock, and every writer would wait for it, as for one stopped in any command.
    await slow_resync.settled(code)
    await asyncio.sleep(0.3)  # a flush that found nothing left to tell has ended too
    # Worker 2 stops, and Redis drops the subscriptions: what is published meanwhile reaches no worker.
    os.kill(two.process.pid, signal.SIGSTOP)
    redis.Redis.from_url(redis_url).client_kill_filter(_type="pubsub")
    dropped = [(await facilitator.command({"type": "idea.post", "ref": f"d{n}", "board": board,
                                           "text": f"Idee {n} terwijl worker 2 stilstaat"}))["id"] for n in range(8)]
    os.kill(two.process.pid, signal.SIGCONT)
    # Both workers subscribe again (channels-redis retries each second).
    async with asyncio.timeout(10):
        while slow_resync.listeners(code) < 2:
            await asyncio.sleep(0.1)
    last = await facilitator.command({"type": "idea.post", "ref": "last", "board": board, "text": "En nog een"})

    # Long before the next resync (a minute away), the gap before the last one is filled.
    await bo.until(lambda: last["id"] in bo.ideas, "the last idea", timeout=10)
    assert posts(bo.events) == [*dropped, last["id"]]
    await facilitator.close()
    await bo.close()


async def test_a_reaction_burst_through_both_workers_ends_exact_for_every_observer_in_few_frames(cluster):
    """2.3: reaction updates are coalesced per idea, so observers get a few batch frames, with exact counts."""
    facilitator, code, board = await cluster.workshop()
    ideas = [(await facilitator.command({"type": "idea.post", "ref": f"i{n}", "board": board,
                                         "text": f"Idee {n} voor het plein"}))["id"] for n in range(3)]
    observers = [cluster.join(code, f"Kijker {n}", worker=n % 2) for n in range(4)]
    reactors = [cluster.join(code, f"Stemmer {n}", worker=n % 2) for n in range(20)]
    for n, person in enumerate(observers + reactors):
        await person.open(cluster.workers[n % 2])
    for person in observers:
        await person.catch_up(cluster.database)
        person.frames = 0

    async def vote(n: int, person: Person) -> None:
        for idea in ideas:
            await person.command({"type": "idea.react", "ref": f"v{idea}", "idea": idea,
                                  "value": ("agree", "disagree", "pass")[(n + idea) % 3]})

    await asyncio.gather(*(vote(n, person) for n, person in enumerate(reactors)))
    stored = cluster.database.ideas(code)
    assert sum(sum(idea["reactions"].values()) for idea in stored.values()) == 60
    for person in observers:
        await person.catch_up(cluster.database)
        assert person.view() == stored, person.name
        reacted = person.events_of("idea.reacted")
        assert len(reacted) < 60 and person.frames < 30, (person.name, len(reacted), person.frames)
    for person in (facilitator, *observers, *reactors):
        await person.close()
