"""One socket's command that waits on the database does not hold up the other sockets of its worker.

Each worker runs its sockets' database work in INSPRAAK_DB_THREADS threads (4 on PostgreSQL):
with Channels' one thread per process, a command waiting on a row lock (held here by another
transaction, as another worker's command would hold it) kept every other socket of that worker
waiting too.
"""
import asyncio

import psycopg
import pytest

from .clients import TIMEOUT

pytestmark = pytest.mark.cluster


async def drain(person, seconds: float) -> None:
    """Read whatever comes to a person's socket for a while."""
    try:
        async with asyncio.timeout(seconds):
            while await person.read(seconds):
                pass
    except TimeoutError:
        pass


async def test_a_command_waiting_on_a_row_lock_holds_up_no_other_socket_of_its_worker(cluster):
    facilitator, code, board = await cluster.workshop()
    shade, water = [(await facilitator.command({"type": "idea.post", "ref": f"post-{text}", "board": board,
                                               "text": text}))["id"] for text in ("Shade", "Water")]
    an, bo = cluster.join(code, "An"), cluster.join(code, "Bo")
    await an.open(cluster.workers[0])
    await bo.open(cluster.workers[0])
    with psycopg.connect(cluster.database.url, connect_timeout=5) as other:
        other.execute("SELECT id FROM deliberation_idea WHERE id = %s FOR UPDATE", (shade,))  # held until commit
        # A flag locks its idea's row: An's waits for the other transaction.
        await an.send({"type": "idea.flag", "ref": "flag-shade", "idea": shade, "reason": "spam"})
        await drain(an, 0.5)
        assert "flag-shade" not in an.replies
        # Bo's reactions on the same worker go through meanwhile, each within seconds.
        for n, value in enumerate(("agree", "disagree", "pass")):
            await bo.send({"type": "idea.react", "ref": f"react-{n}", "idea": water, "value": value})
            await bo.until(lambda: f"react-{n}" in bo.replies, f"the answer to reaction {n}", timeout=5)
            assert bo.replies[f"react-{n}"]["type"] == "ack"
        await drain(an, 0.2)
        assert "flag-shade" not in an.replies  # still waiting on the lock
        other.commit()
    await an.until(lambda: "flag-shade" in an.replies, "the flag's answer", timeout=TIMEOUT)
    assert an.replies["flag-shade"]["type"] == "ack"
    for person in (an, bo, facilitator):
        await person.close()
