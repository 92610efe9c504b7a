"""Commands that meet on row locks: a first idea and a first reaction of one person, and a deadlock.

A participant's first reaction stores its rung (their row) and then tells them (the workshop's seq
lock). Another transaction of the same person here plays that reaction on another socket, holding
the locks in that order, against a first `idea.post` on a real worker. A deadlock that PostgreSQL
ends anyway (two transactions that take the same rows in opposite orders) costs the command it
picked one more run, not an error: nothing of the first run stayed. An HTTP request has no such
second run, so an official's response takes the rows in the same order as a socket's commands.
"""
import asyncio
import time

import psycopg
import pytest

from .clients import TIMEOUT

pytestmark = pytest.mark.cluster


async def waiting_on_a_lock(database, statement: str, *, seconds: float = 5) -> None:
    """Until a backend of the cluster's database waits for a lock in a statement that holds this text
    (the worker's command; the flushes of presence and tallies wait on locks too, now and then)."""
    async with asyncio.timeout(seconds):
        while not database.rows("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                "AND wait_event_type = 'Lock' AND position(%s in query) > 0", statement)[0][0]:
            await asyncio.sleep(0.02)


def takes_the_seq_at_once(transaction, workshop: int) -> None:
    """Take the workshop's row (its seq) in this transaction, and check that no other held it."""
    transaction.execute("SET lock_timeout = '3s'")
    started = time.monotonic()
    transaction.execute("UPDATE workshops_workshop SET last_seq = last_seq WHERE id = %s", (workshop,))
    assert time.monotonic() - started < 0.5


def ran_again(cluster, participant_id: int) -> int:
    """How many times a command of this participant ran again after a deadlock, by the workers' logs."""
    line = f"of participant {participant_id} ends a deadlock"
    return sum(worker.log_path.read_text(errors="replace").count(line) for worker in cluster.workers)


async def test_a_first_idea_takes_its_authors_row_before_the_workshops_seq_as_a_first_reaction_does(cluster):
    facilitator, code, board = await cluster.workshop()
    an = cluster.join(code, "An")
    await an.open(cluster.workers[0])
    workshop = cluster.database.workshop_id(code)
    with psycopg.connect(cluster.database.url, connect_timeout=5) as reaction:
        # An's first reaction on another socket: their rung stored (their row), then the event (the seq).
        reaction.execute("UPDATE workshops_participant SET rung = 'consulted' WHERE id = %s", (an.id,))
        await an.send({"type": "idea.post", "ref": "first", "board": board, "text": "Shade on the square"})
        await waiting_on_a_lock(cluster.database, 'SET "rung"')  # the idea waits for An's row
        # The idea held no seq while it waited for An's row: the reaction takes it at once. Taking the
        # seq first, the idea would wait for the reaction and the reaction for it, until PostgreSQL
        # broke the deadlock a second later.
        takes_the_seq_at_once(reaction, workshop)
        reaction.commit()
    await an.until(lambda: "first" in an.replies, "the idea's answer", timeout=TIMEOUT)
    assert an.replies["first"]["type"] == "ack", an.replies["first"]
    assert ran_again(cluster, an.id) == 0  # no deadlock to break
    await an.until(lambda: an.events_of("rung.changed"), "the rung")
    assert [e["rung"] for e in an.events_of("rung.changed")] == ["involved"]
    # One event each, the idea's first.
    types = [t for _, t, _ in cluster.database.events_after(code, 0) if t in ("idea.posted", "rung.changed")]
    assert types == ["idea.posted", "rung.changed"]
    for person in (an, facilitator):
        await person.close()


async def test_a_command_that_postgresql_ends_to_break_a_deadlock_runs_again_and_is_acked_once(cluster):
    facilitator, code, board = await cluster.workshop()
    idea = (await facilitator.command({"type": "idea.post", "ref": "idea", "board": board, "text": "Shade"}))["id"]
    an = cluster.join(code, "An")
    await an.open(cluster.workers[0])
    workshop = cluster.database.workshop_id(code)
    with psycopg.connect(cluster.database.url, connect_timeout=5) as other:
        # Its own deadlock check comes late, so that PostgreSQL ends the worker's command, not this.
        other.execute("SET deadlock_timeout = '10s'")
        other.execute("UPDATE workshops_workshop SET last_seq = last_seq WHERE id = %s", (workshop,))
        # An's first reaction: the idea's row (its tally mark), An's row (the rung), then the seq: it waits.
        await an.send({"type": "idea.react", "ref": "first", "idea": idea, "value": "agree"})
        await waiting_on_a_lock(cluster.database, 'INSERT INTO "workshops_event"')
        # Now this waits for the idea's row: each transaction waits for the other. After a second
        # PostgreSQL ends the reaction's, and this one goes on.
        other.execute("UPDATE deliberation_idea SET tally_pending = tally_pending WHERE id = %s", (idea,))
        other.commit()
    await an.until(lambda: "first" in an.replies, "the reaction's answer", timeout=TIMEOUT)
    answer = an.replies["first"]
    assert answer["type"] == "ack", answer
    assert ran_again(cluster, an.id) == 1  # PostgreSQL did end its first run
    assert answer["reactions"] == {"agree": 1, "disagree": 0, "pass": 0}
    assert cluster.database.rows("SELECT participant_id, value FROM deliberation_reaction WHERE idea_id = %s",
                                 idea) == [(an.id, "agree")]
    await an.until(lambda: an.events_of("rung.changed"), "the rung")
    assert [e["rung"] for e in an.events_of("rung.changed")] == ["consulted"]
    # Its receipt was stored with the run that committed: the ref sent again is answered with it.
    del an.replies["first"]
    await an.send({"type": "idea.react", "ref": "first", "idea": idea, "value": "agree"})
    await an.until(lambda: "first" in an.replies, "the answer to the ref sent again")
    assert an.replies["first"] == {**answer, "duplicate": True}
    for person in (an, facilitator):
        await person.close()


async def test_an_officials_response_over_http_lifts_the_contributors_before_it_takes_the_workshops_row(cluster):
    facilitator, code, board = await cluster.workshop()
    an = cluster.join(code, "An")
    await an.open(cluster.workers[0])
    idea = (await an.command({"type": "idea.post", "ref": "idea", "board": board, "text": "Shade trees"}))["id"]
    proposal = (await facilitator.command({"type": "proposal.draft", "ref": "draft", "title": "A green square",
                                           "body": "Plant trees.", "sources": [idea]}))["id"]
    assert (await facilitator.command({"type": "proposal.publish", "ref": "publish", "proposal": proposal}))["type"] \
        == "ack"
    _, official = cluster.staff(facilitator, "official", worker=1)
    workshop = cluster.database.workshop_id(code)
    with psycopg.connect(cluster.database.url, connect_timeout=5) as other:
        # An's row, as a command of An's that lifts them holds it before it takes the seq.
        other.execute("UPDATE workshops_participant SET rung = rung WHERE id = %s", (an.id,))
        answered = asyncio.create_task(asyncio.to_thread(
            official.post, f"/api/workshops/{code}/proposals/{proposal}/response",
            {"status": "accepted", "message": "We will plant them in spring."}))
        await waiting_on_a_lock(cluster.database, 'SET "rung"')  # the response waits for An's row
        # The response held neither the workshop's row nor its seq while it waited: this takes it at once.
        # Before, it had stored the response's time on the workshop's row and told of it first, and
        # PostgreSQL broke the deadlock a second later by ending one of the two: the request answered 500.
        takes_the_seq_at_once(other, workshop)
        other.commit()
    status, body = await answered
    assert status == 201, body
    assert body["proposal"]["response"]["status"] == "accepted"
    await an.until(lambda: [e["rung"] for e in an.events_of("rung.changed")][-1:] == ["empowered"], "empowered")
    for person in (an, facilitator):
        await person.close()
