"""Limits hold for two workers together: commands per participant, sockets per participant, joins per address.

PROTOCOL 3.1: the counters live in Redis (Django's cache) and the socket cap counts
the connection rows of every live worker, so a second worker buys no extra allowance.
"""
import asyncio
import json
import secrets

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from harness.daphne import DaphneServer, HttpClient

from .clients import TIMEOUT, Cluster, Person

pytestmark = pytest.mark.cluster

LIMITS = {"INSPRAAK_RATE_LIMIT_COMMANDS": "20", "INSPRAAK_RATE_LIMIT_WINDOW_S": "10",
          "INSPRAAK_MAX_SOCKETS_PER_PARTICIPANT": "4", "INSPRAAK_RATE_LIMIT_JOINS": "5"}


@pytest.fixture
def limited(cluster_setup, tmp_path):
    """Two workers on the cluster's database with the default limits, and counters of their own."""
    env = {**cluster_setup.env, **LIMITS, "CHANNEL_PREFIX": f"limits{secrets.token_hex(4)}"}
    workers = [DaphneServer(env, log_path=tmp_path / f"limited-worker-{n}.log") for n in (1, 2)]
    try:
        for worker in workers:
            worker.start()
        yield Cluster(cluster_setup.db, env, workers)
    finally:
        for n, worker in enumerate(workers, 1):
            worker.stop()
            print(f"--- limited worker {n}: {worker.log_path} (tail)\n{worker.log_tail(30)}")


async def test_one_participant_gets_the_command_limit_once_over_sockets_on_both_workers(limited):
    facilitator, code, board = await limited.workshop()
    # An idea per socket: one participant's reactions to one idea racing on two workers is another matter.
    ideas = [(await facilitator.command({"type": "idea.post", "ref": f"idea{n}", "board": board,
                                         "text": f"Meer bomen {n}"}))["id"] for n in (1, 2)]
    an = limited.join(code, "An")
    on_1, on_2 = Person("An op 1", an.http, code), Person("An op 2", an.http, code)
    await on_1.open(limited.workers[0])
    await on_2.open(limited.workers[1])

    async def react(person: Person, idea: int, n: int) -> None:
        for k in range(n):
            await person.send({"type": "idea.react", "ref": f"{person.name}-{k}", "idea": idea,
                               "value": "agree" if k % 2 else "disagree"})
        await person.until(lambda: len(person.replies) == n, "every reply")

    await asyncio.gather(react(on_1, ideas[0], 15), react(on_2, ideas[1], 15))
    replies = [*on_1.replies.values(), *on_2.replies.values()]
    acked = [r for r in replies if r["type"] == "ack"]
    refused = [r for r in replies if r["type"] == "error"]
    assert len(acked) == 20, replies
    assert {r["code"] for r in refused} == {"rate_limited"} and all(0 < r["retry_after"] <= 11 for r in refused)
    for person in (on_1, on_2, facilitator):
        await person.close()


async def _closed_with(server: DaphneServer, person: Person) -> int | None:
    """Open one more socket for a person; the close code if the server refuses it, None if it welcomes."""
    ws = await connect(server.ws_url(f"/ws/workshops/{person.code}/"), origin=server.url,
                       additional_headers={"Cookie": person.http.cookie_header()}, open_timeout=TIMEOUT)
    try:
        async with asyncio.timeout(TIMEOUT):
            frame = json.loads(await ws.recv())
        assert frame["type"] == "welcome"
        return None
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else 1006
    finally:
        await ws.close()


async def test_one_participant_gets_the_socket_cap_once_over_both_workers(limited):
    facilitator, code, _board = await limited.workshop()
    an = limited.join(code, "An")
    sockets = [Person(f"An {n}", an.http, code) for n in range(4)]
    for n, person in enumerate(sockets):
        await person.open(limited.workers[n % 2])  # two on each worker
    assert await _closed_with(limited.workers[0], an) == 4429
    assert await _closed_with(limited.workers[1], an) == 4429
    await sockets[0].close()
    await asyncio.sleep(0.5)  # its row goes when the worker sees the close
    assert await _closed_with(limited.workers[1], an) is None
    for person in (*sockets, facilitator):
        await person.close()


async def test_joins_from_one_address_are_limited_over_both_workers(limited):
    facilitator, code, _board = await limited.workshop()
    first = [limited.join(code, f"Burger {n}", worker=n % 2) for n in range(5)]
    for worker in limited.workers:
        status, body = HttpClient(worker.url).post(f"/api/workshops/{code}/join", {"name": "Nog een"})
        assert status == 429 and body["error"] == "rate_limited" and 0 < body["retry_after"] <= 660, body
    # Rejoining with a session that already joined is not a new participant.
    status, body = first[0].http.post(f"/api/workshops/{code}/join", {"name": "Burger 0"})
    assert status == 201 and body["participant"]["id"] == first[0].id
    await facilitator.close()
