"""A staff role changed through one worker closes that person's socket on the other (PROTOCOL 3.1).

The change is stored, then `role.changed` crosses the channel layer; its control part
makes the hub of every worker close that participant's sockets with 4401, and the
socket gets nothing after it. Reconnecting gives the new role.
"""
import pytest

from .clients import Person

pytestmark = pytest.mark.cluster


async def test_a_moderator_demoted_through_worker_1_is_closed_on_worker_2_and_sees_no_held_idea(cluster):
    facilitator, code, board = await cluster.workshop()
    username, http = cluster.staff(facilitator, "moderator", worker=1)
    mod = Person(username, http, code)
    assert (await mod.open(cluster.workers[1]))["me"]["role"] == "moderator"
    an = cluster.join(code, "An")
    await an.open(cluster.workers[0])

    status, _ = facilitator.http.post(f"/api/workshops/{code}/staff", {"username": username, "role": "official"})
    assert status == 201
    while await mod.read():
        pass
    assert mod.close_code == 4401
    assert [e["role"] for e in mod.events_of("role.changed")] == ["official"]
    closed_at = mod.seq

    held = await an.command({"type": "idea.post", "ref": "phone", "board": board, "text": "Bel me op 0612345678"})
    assert held["status"] == "held"
    await facilitator.until(lambda: facilitator.events_of("idea.held"), "the held idea at the facilitator")
    assert (await mod.open(cluster.workers[1], resume=True))["me"]["role"] == "official"
    await mod.catch_up(cluster.database, role="official")
    assert mod.seq > closed_at and mod.events_of("idea.held") == []
    for person in (facilitator, an, mod):
        await person.close()
