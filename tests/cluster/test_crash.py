"""A worker is killed (SIGKILL) while ten citizens post through it; nothing acknowledged is lost or doubled.

The citizens reconnect to the other worker with `?since=` and resend their
unacknowledged commands with the original refs (docs/protocol.md 2.1, 2.3).
Afterwards every acknowledged idea is stored exactly once, and what every
client shows equals the database.

The citizens stop reading a moment before the kill, and what they have not
read by then is lost with the connection (as a crash loses what is in the
server's buffers or on the way). Meanwhile the doomed worker goes on
executing what it had received, so some resent commands were executed
before the crash: the other worker must answer those as duplicates.
"""
import asyncio
from collections import Counter

import pytest

from .clients import TIMEOUT, Person

pytestmark = pytest.mark.cluster

IDEAS = 8  # per citizen
WINDOW = 3  # commands a citizen has in flight at once
CUT_AFTER = 15  # acks read, over all citizens, before they stop reading


async def post_all(person: Person, board: int, cut: asyncio.Event, survivor) -> int:
    """Post IDEAS ideas with WINDOW in flight; after the kill, resume on the survivor and resend.

    Returns how many commands were sent again."""
    queue = [{"type": "idea.post", "ref": f"{person.name}-{k}", "board": board,
              "text": f"{person.name}, idee {k}: een bankje in de schaduw"} for k in range(IDEAS)]
    moved, resent = False, 0
    async with asyncio.timeout(TIMEOUT * 2):
        while queue or person.unacknowledged():
            if cut.is_set() and not moved:
                await person.ws.wait_closed()  # what was not read is lost with the connection
                moved = True
                await person.open(survivor, resume=True)
                assert person.welcome["resumed"] is True, person.welcome
                for frame in person.unacknowledged():  # with the original refs
                    await person.send(frame)
                    resent += 1
                continue
            while queue and len(person.unacknowledged()) < WINDOW:
                await person.send(queue.pop(0))
            try:
                if moved or not cut.is_set():
                    assert await person.read(timeout=0.05), f"{person.name}'s socket closed"
                else:
                    await asyncio.sleep(0.01)
            except TimeoutError:
                pass
    assert moved, f"{person.name} was done before the crash"
    return resent


async def test_citizens_of_a_killed_worker_resume_on_the_other_and_nothing_acked_is_lost_or_doubled(cluster):
    doomed, survivor = cluster.workers
    facilitator, code, board = await cluster.workshop(worker=1)
    watcher = cluster.join(code, "Kijker", worker=1)
    await watcher.open(survivor)
    citizens = [cluster.join(code, f"Burger{n}") for n in range(10)]
    for person in citizens:
        await person.open(doomed)
    cut = asyncio.Event()

    async def kill_when_under_way():
        async with asyncio.timeout(TIMEOUT):
            while sum(len(p.replies) for p in citizens) < CUT_AFTER:
                await asyncio.sleep(0.002)
        cut.set()
        await asyncio.sleep(0.1)  # reads under way when the cut came are over
        read = sum(len(p.replies) for p in citizens)
        # The kill comes once the worker has stored more ideas than the citizens have read acks of.
        async with asyncio.timeout(TIMEOUT):
            while len(cluster.database.ideas(code)) <= read:
                await asyncio.sleep(0.01)
        doomed.kill9()

    _, *resent = await asyncio.gather(kill_when_under_way(),
                                      *(post_all(p, board, cut, survivor) for p in citizens))
    duplicates = sum(len(p.duplicates) for p in citizens)
    print(f"resent {sum(resent)} commands, {duplicates} of them executed before the crash")
    assert duplicates > 0, "no resent command had been executed before the crash"

    # Every command was acknowledged; those executed before the crash were answered again
    # as duplicates, with the id they got the first time.
    acked = {}
    for person in citizens:
        assert all(reply["type"] == "ack" for reply in person.replies.values()), person.replies
        first = {ref: reply for ref, reply in person.replies.items() if ref not in person.duplicates}
        assert all(d["duplicate"] is True for d in person.duplicates.values()), person.duplicates
        acked.update((ref, reply["id"]) for ref, reply in person.replies.items())
        assert len(first) + len(person.duplicates) == IDEAS
    assert len(acked) == 10 * IDEAS and len(set(acked.values())) == len(acked)

    # Stored exactly once each.
    stored = cluster.database.ideas(code)
    assert sorted(stored) == sorted(acked.values())
    assert max(Counter(idea["text"] for idea in stored.values()).values()) == 1
    sent = {ref: frame["text"] for p in citizens for ref, frame in p.sent.items()}
    assert {ref: stored[i]["text"] for ref, i in acked.items()} == sent

    # What every client shows equals the database.
    for person, role in [(facilitator, "facilitator"), (watcher, "citizen")] + [(p, "citizen") for p in citizens]:
        await person.catch_up(cluster.database, role)
        assert person.view() == stored, person.name
    for person in (facilitator, watcher, *citizens):
        await person.close()
