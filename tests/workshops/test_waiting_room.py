"""The waiting room over the socket: a waiting citizen sees nothing until a host lets them in."""
import pytest
from channels.db import database_sync_to_async as db
from django.contrib.auth import get_user_model

from deliberation import admission
from deliberation.models import Board, Idea
from tests.live import Live, make_citizen, make_workshop
from workshops import presence, services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_env")]


async def setup():
    """A waiting-room workshop with a moderator, an admitted citizen Bo and a waiting citizen An."""
    workshop, fac = await db(make_workshop)(waiting_room=True)
    await db(lambda: get_user_model().objects.create_user("mod", is_staff=True))()
    mod = await db(services.staff_add)(actor=fac, username="mod", role="moderator")
    bo = await db(make_citizen)(workshop, "Bo")
    await db(admission.participant_admit)(actor=fac, participant_id=bo.pk)
    an = await db(make_citizen)(workshop, "An")
    board = await db(lambda: Board.objects.get(workshop=workshop, room=None))()
    return workshop, fac, mod, bo, an, board


async def test_a_waiting_citizen_gets_a_bare_welcome_and_nothing_of_what_happens_meanwhile():
    workshop, fac, mod, bo, an, board = await setup()
    b = await Live.open(bo)
    await b.drain()  # Bo's own presence
    a = await Live.open(an)
    assert set(a.welcome) == {"type", "protocol", "seq", "resumed", "me"} | {"workshop"}
    assert a.welcome["me"]["admitted"] is False
    assert a.welcome["workshop"] == {"code": workshop.code, "title": "Station square", "language": "nl"}
    assert [p["name"] for p in b.welcome["participants"]] == ["fac", "mod", "Bo"] and b.welcome["waiting"] == []
    await db(presence.presence_flush)()
    assert await b.nothing()  # An's coming is no presence news for Bo
    assert (await b.command("idea.post", board=board.pk, text="Shade trees"))["type"] == "ack"
    assert await a.comm.receive_nothing(timeout=0.5)
    await a.close(); await b.close()


async def test_commands_of_a_waiting_citizen_are_forbidden_and_change_nothing():
    workshop, fac, mod, bo, an, board = await setup()
    a = await Live.open(an)
    assert (await a.command("idea.post", board=board.pk, text="Let me in"))["code"] == "forbidden"
    assert (await a.command("survey.answer", answers={"safety": 5}))["code"] == "forbidden"
    assert await db(Idea.objects.count)() == 0
    await a.close()


async def test_staff_see_who_waits_in_welcome_and_as_they_join():
    workshop, fac, mod, bo, an, board = await setup()
    f, m, b = await Live.open(fac), await Live.open(mod), await Live.open(bo)
    assert f.welcome["waiting"] == m.welcome["waiting"] == [{"id": an.pk, "name": "An"}]
    assert f.welcome["workshop"]["waiting_room"] is True
    assert an.pk not in [p["id"] for p in f.welcome["participants"]]
    for s in (f, m, b):
        await s.drain()
    cas = await db(make_citizen)(workshop, "Cas")
    for s in (f, m):
        assert (await s.event("participant.waiting"))["participant"] == {"id": cas.pk, "name": "Cas"}
    assert await b.nothing()
    assert (await b.command("participant.admit", participant=an.pk))["code"] == "forbidden"
    for s in (f, m, b):
        await s.close()


async def test_admit_sends_the_event_and_a_fresh_full_welcome_then_live_events():
    workshop, fac, mod, bo, an, board = await setup()
    a, m, b = await Live.open(an), await Live.open(mod), await Live.open(bo)
    idea = (await b.command("idea.post", board=board.pk, text="Shade trees"))["id"]
    await b.drain()
    assert (await m.command("participant.admit", participant=an.pk))["type"] == "ack"
    admitted = await a.frame()
    assert admitted["type"] == "participant.admitted" and admitted["participant"] == {"id": an.pk, "name": "An"}
    welcome = await a.frame()
    assert welcome["type"] == "welcome" and welcome["me"]["admitted"] is True
    assert welcome["seq"] >= admitted["seq"] and [i["id"] for i in welcome["ideas"]] == [idea]
    assert an.pk in [p["id"] for p in welcome["participants"]]
    presence = await b.event("presence.changed")
    assert presence["participant"]["id"] == an.pk and presence["participant"]["online"] is True
    assert (await m.event("participant.admitted"))["participant"]["id"] == an.pk
    # Now An takes part like anyone, and follows the stream live.
    assert (await a.command("idea.post", board=board.pk, text="And a fountain"))["type"] == "ack"
    await b.command("idea.react", idea=idea, value="agree")
    assert (await a.event("idea.reacted"))["idea"] == idea
    assert (await m.command("participant.admit", participant=an.pk))["code"] == "conflict"
    for s in (a, m, b):
        await s.close()


async def test_reject_closes_the_waiting_socket_with_4403_and_it_cannot_come_back():
    workshop, fac, mod, bo, an, board = await setup()
    a, f = await Live.open(an), await Live.open(fac)
    assert (await f.command("participant.reject", participant=an.pk))["type"] == "ack"
    assert (await a.frame())["type"] == "participant.rejected"
    assert (await a.comm.receive_output(timeout=3)) == {"type": "websocket.close", "code": 4403}
    assert (await f.event("participant.rejected"))["participant"]["id"] == an.pk
    again = await Live.open(an)
    assert again.close_code == 4403
    await f.close()
