"""Redis restarts in the middle of a workshop: no acknowledged event is missing from any client afterwards.

A restarted Redis has forgotten every group and every queued message, and
publishing fails while it is down; the database still holds every event. The
hubs take up the layer again and fill what they missed from the database
(docs/protocol.md 2.2: every event is stored before it is sent). Sockets that
open and close during the outage work too.
"""

import asyncio

import pytest

from harness.daphne import DaphneServer

from .clients import Person

pytestmark = pytest.mark.cluster


async def contribute(people: list[Person], board: int, tag: str, react_to: int | None = None) -> list[int]:
    """Each person posts an idea (and reacts to one), waiting for the acks."""
    ids = []
    for person in people:
        ids.append((await person.command({"type": "idea.post", "ref": f"{tag}-{person.name}", "board": board,
                                          "text": f"{person.name} ({tag}): meer schaduw"}))["id"])
        if react_to is not None:
            await person.command({"type": "idea.react", "ref": f"{tag}-r-{person.name}", "idea": react_to,
                                  "value": "agree" if len(ids) % 2 else "disagree"})
    return ids


async def test_no_acknowledged_event_is_missing_from_any_client_after_redis_restarts(redis_cluster):
    cluster, server = redis_cluster
    one, two = cluster.workers
    facilitator, code, board = await cluster.workshop()
    citizens = [cluster.join(code, f"Burger{n}") for n in range(5)]
    for person in citizens:
        await person.open(one)
    loner = cluster.join(code, "Eenling")  # the only socket of this workshop on worker 2
    await loner.open(two)
    citizens.append(loner)
    everyone = [facilitator, *citizens]

    before = await contribute(citizens, board, "voor")
    for person in everyone:
        await person.until(lambda p=person: set(before) <= set(p.ideas), f"the first ideas at {person.name}")

    server.kill()
    during = await contribute(citizens, board, "tijdens", react_to=before[0])
    # Sockets still come and go meanwhile: worker 2 loses its last socket of the workshop and
    # gets a first one again, and a citizen moves from worker 1 to worker 2.
    await loner.close()
    await loner.open(two, resume=True)
    mover = citizens[0]
    await mover.close()
    await mover.open(two, resume=True)
    during += await contribute([loner, mover], board, "verhuisd")
    server.start()  # the same port, empty
    after = await contribute(citizens, board, "na", react_to=during[1])

    stored = cluster.database.ideas(code)
    assert sorted(stored) == sorted(before + during + after)
    for person in everyone:
        await person.catch_up(cluster.database, "facilitator" if person is facilitator else "citizen")
        assert person.view() == stored, person.name
    for person in everyone:
        await person.close()


async def test_a_worker_started_while_redis_is_down_serves_its_sockets_and_takes_up_redis_when_it_returns(
        redis_cluster, tmp_path):
    """The first socket of a process starts its hub, which subscribes on the layer: with Redis down that
    fails, and the socket must work all the same (from the database), and the hub subscribe later."""
    cluster, server = redis_cluster
    facilitator, code, board = await cluster.workshop()  # its socket on the first worker
    server.kill()
    late = DaphneServer(cluster.env, log_path=tmp_path / "late-worker.log")
    late.start()
    try:
        citizen = cluster.join(code, "Laatkomer")
        await citizen.open(late)
        during = await contribute([facilitator], board, "zonder-redis")
        await citizen.until(lambda: set(during) <= set(citizen.ideas), "the idea posted while Redis was down",
                            timeout=15)

        server.start()  # the same port, empty
        async with asyncio.timeout(15):  # both workers' hubs subscribe (again)
            while cluster.listeners(code) < 2:
                await asyncio.sleep(0.1)
        after = await contribute([facilitator], board, "met-redis")
        await citizen.until(lambda: set(after) <= set(citizen.ideas), "the idea posted with Redis back")
        await citizen.close()
    finally:
        print(f"--- the worker started without Redis: {late.log_path} (tail)\n{late.log_tail(40)}")
        late.stop()
    await facilitator.close()
