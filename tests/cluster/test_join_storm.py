"""A join storm slows sockets down; it never turns them away.

workshops/backpressure.py: a handshake waits for its turn in the database thread
(the session is read there before the consumer accepts) for HANDSHAKE_TIMEOUT_S,
not Daphne's default 5 s, after which autobahn drops it without an HTTP answer;
and connections that arrive while the worker is busy wait in a listen backlog of
LISTEN_BACKLOG, not Twisted's 50, past which the kernel drops their SYNs.
"""
import asyncio
import os
import signal
import time

import psycopg
import pytest

from workshops.backpressure import LISTEN_BACKLOG

pytestmark = pytest.mark.cluster

DAPHNE_DEFAULT_HANDSHAKE_S = 5  # Daphne's --websocket_connect_timeout


async def test_sockets_opened_while_the_database_thread_is_stalled_are_accepted_once_it_frees(cluster):
    """The stall stands for the queue of a join storm: each handshake waits behind the others' welcomes."""
    facilitator, code, _board = await cluster.workshop()
    citizens = [cluster.join(code, f"Burger {n}") for n in range(30)]
    stall_s = DAPHNE_DEFAULT_HANDSHAKE_S + 3
    async with await psycopg.AsyncConnection.connect(cluster.database.url) as db:
        async with db.transaction():
            # Every handshake reads its session before the consumer may accept it.
            await db.execute("LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE")
            started = time.monotonic()
            opening = [asyncio.create_task(citizen.open(cluster.workers[0])) for citizen in citizens]
            await asyncio.sleep(stall_s)
            early = [task.exception() or task.result() for task in opening if task.done()]
            assert not early, f"{len(early)} sockets ended during the stall: {early[0]!r}"

    welcomes = await asyncio.gather(*opening)

    assert time.monotonic() - started >= stall_s
    assert [welcome["me"]["id"] for welcome in welcomes] == [citizen.id for citizen in citizens]
    for person in (facilitator, *citizens):
        await person.close()


async def test_connections_that_arrive_while_a_worker_is_busy_wait_in_its_backlog(cluster):
    """A stopped worker accepts nothing, so the kernel holds what arrives, up to the listen backlog."""
    worker = cluster.workers[0]
    arriving = 300
    assert arriving < LISTEN_BACKLOG

    async def connect():
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(worker.host, worker.port), 2)
        return writer

    os.kill(worker.process.pid, signal.SIGSTOP)
    try:
        # Nothing is accepted while it is stopped: a connection past the backlog cannot complete in time.
        results = await asyncio.gather(*(connect() for _ in range(arriving)), return_exceptions=True)
    finally:
        os.kill(worker.process.pid, signal.SIGCONT)
    writers = [result for result in results if not isinstance(result, BaseException)]
    for writer in writers:
        writer.close()

    assert len(writers) == arriving, f"{arriving - len(writers)} of {arriving} connections were not taken"
