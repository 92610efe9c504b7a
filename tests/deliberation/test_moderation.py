"""Moderation over the socket: flags, hide/restore/approve, appeals, mutes, removal, the audit log."""
import pytest
from channels.db import database_sync_to_async as db
from django.contrib.auth import get_user_model

from deliberation.models import Board, Flag, Idea, ModerationAction
from tests.live import Live, make_citizen, make_workshop
from workshops import services
from workshops.models import Participant

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_env")]


async def setup(n=4, **kwargs):
    workshop, fac = await db(make_workshop)(**kwargs)
    user = await db(lambda: get_user_model().objects.create_user("mod", password="pw-123456", is_staff=True))()
    mod = await db(services.staff_add)(actor=fac, username="mod", role="moderator")
    citizens = [await db(make_citizen)(workshop, name) for name in ["An", "Bo", "Cas", "Dee", "Eli"][:n]]
    board = await db(lambda: Board.objects.get(workshop=workshop, room=None))()
    return workshop, fac, mod, citizens, board


async def test_flags_reach_moderators_only_and_the_threshold_hides_for_everyone_but_author_and_staff():
    workshop, fac, mod, (an, bo, cas, dee), board = await setup(4, flag_threshold=2)
    a, b, c, d = [await Live.open(p) for p in (an, bo, cas, dee)]
    m = await Live.open(mod)
    idea = (await a.command("idea.post", board=board.pk, text="Buy my stuff at example dot com"))["id"]
    for s in (a, b, c, d, m):
        await s.drain()

    first = await b.command("idea.flag", idea=idea, reason="spam", note="advert")
    assert first["type"] == "ack"
    raised = await m.event("flag.raised")
    assert raised["flag"] == {**raised["flag"], "idea": idea, "reason": "spam", "note": "advert", "by": bo.pk,
                              "status": "open"}
    for s in (a, c, d):
        assert await s.nothing()
    assert (await b.command("idea.flag", idea=idea, reason="spam"))["code"] == "conflict"
    assert (await a.command("idea.flag", idea=idea, reason="spam"))["code"] == "forbidden"  # own idea
    # Two distinct people reach the threshold of 2.
    assert (await c.command("idea.flag", idea=idea, reason="off_topic"))["type"] == "ack"
    author_view = await a.event("idea.hidden")
    assert author_view == {**author_view, "idea": idea, "hidden_reason": "flagged"}
    public_view = await d.event("idea.hidden")
    assert public_view["idea"] == idea and "hidden_reason" not in public_view
    assert (await m.event("idea.hidden"))["hidden_reason"] == "flagged"
    fresh = await Live.open(dee)
    assert idea not in [i["id"] for i in fresh.welcome["ideas"]]
    assert fresh.welcome["flags"] == []
    mine = await Live.open(an)
    hidden = next(i for i in mine.welcome["ideas"] if i["id"] == idea)
    assert hidden["status"] == "hidden" and hidden["hidden_reason"] == "flagged"
    staff_view = await Live.open(mod)
    assert len(staff_view.welcome["flags"]) == 2
    for s in (a, b, c, d, m, fresh, mine, staff_view):
        await s.close()


async def test_hide_with_reason_restore_and_the_audit_log():
    workshop, fac, mod, (an, bo), board = await setup(2)
    a, b, m = await Live.open(an), await Live.open(bo), await Live.open(mod)
    idea = (await a.command("idea.post", board=board.pk, text="Something rude"))["id"]
    reply = (await b.command("idea.post", board=board.pk, text="A reply", builds_on=idea))["id"]
    for s in (a, b, m):
        await s.drain()
    assert (await b.command("idea.hide", idea=idea, reason="rude"))["code"] == "forbidden"
    assert (await m.command("idea.hide", idea=idea, reason="Insults a neighbour"))["type"] == "ack"
    assert (await a.event("idea.hidden"))["hidden_reason"] == "Insults a neighbour"
    assert "hidden_reason" not in await b.event("idea.hidden")
    # The reply stays visible to everyone, pointing at an idea they can no longer see.
    b_view = await Live.open(bo)
    ids = {i["id"]: i for i in b_view.welcome["ideas"]}
    assert idea not in ids and ids[reply]["builds_on"] == idea
    assert (await b.command("idea.react", idea=idea, value="agree"))["code"] == "not_found"

    assert (await m.command("idea.restore", idea=idea))["type"] == "ack"
    restored = await b.event("idea.restored")
    assert restored["idea"]["id"] == idea and restored["idea"]["status"] == "visible"
    assert (await m.command("idea.restore", idea=idea))["code"] == "conflict"

    log = await db(lambda: list(ModerationAction.objects.filter(workshop=workshop).values_list("action", "reason")))()
    assert log == [("hide", "Insults a neighbour"), ("restore", "")]
    with pytest.raises(PermissionError):
        await db(lambda: ModerationAction.objects.filter(workshop=workshop).update(reason="edited"))()
    row = await db(lambda: ModerationAction.objects.filter(workshop=workshop).first())()
    row.reason = "rewritten"
    with pytest.raises(PermissionError):
        await db(row.save)()
    with pytest.raises(PermissionError):
        await db(row.delete)()
    for s in (a, b, m, b_view):
        await s.close()


async def test_the_database_refuses_to_change_the_audit_log():
    from django.db import IntegrityError, connection, transaction
    from django.db.utils import DatabaseError
    workshop, fac, mod, (an,), board = await setup(1)
    a, m = await Live.open(an), await Live.open(mod)
    idea = (await a.command("idea.post", board=board.pk, text="x"))["id"]
    await m.command("idea.hide", idea=idea, reason="test")

    def raw_update():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE deliberation_moderationaction SET reason = 'forged'")

    with pytest.raises((IntegrityError, DatabaseError)):
        await db(raw_update)()
    assert await db(lambda: ModerationAction.objects.get().reason)() == "test"
    await a.close(); await m.close()


async def test_appeal_once_and_a_granted_appeal_restores():
    workshop, fac, mod, (an, bo), board = await setup(2)
    a, b, m = await Live.open(an), await Live.open(bo), await Live.open(mod)
    idea = (await a.command("idea.post", board=board.pk, text="Close the road on Sundays"))["id"]
    await m.command("idea.hide", idea=idea, reason="off topic")
    for s in (a, b, m):
        await s.drain()
    assert (await b.command("appeal.file", idea=idea, text="Not mine"))["code"] == "not_found"
    assert (await a.command("appeal.file", idea=idea, text="It is about the square"))["type"] == "ack"
    assert (await m.event("appeal.filed"))["appeal"]["text"] == "It is about the square"
    assert (await a.command("appeal.file", idea=idea, text="Again"))["code"] == "conflict"
    assert await b.nothing()
    decided = await m.command("appeal.decide", idea=idea, uphold=True, note="Fair point")
    assert decided["status"] == "granted"
    assert (await a.event("appeal.decided"))["appeal"]["status"] == "granted"
    assert (await b.event("idea.restored"))["idea"]["id"] == idea
    assert (await m.command("appeal.decide", idea=idea, uphold=False))["code"] == "conflict"
    for s in (a, b, m):
        await s.close()


async def test_a_denied_appeal_keeps_the_idea_hidden():
    workshop, fac, mod, (an,), board = await setup(1)
    a, m = await Live.open(an), await Live.open(mod)
    idea = (await a.command("idea.post", board=board.pk, text="Spam spam"))["id"]
    await m.command("idea.hide", idea=idea, reason="spam")
    await a.command("appeal.file", idea=idea, text="Please")
    assert (await m.command("appeal.decide", idea=idea, uphold=False, note="Still spam"))["status"] == "denied"
    assert await db(lambda: Idea.objects.get(pk=idea).status)() == "hidden"
    await a.close(); await m.close()


async def test_pre_moderation_holds_until_approved():
    workshop, fac, mod, (an, bo), board = await setup(2, moderation="pre")
    a, b, m = await Live.open(an), await Live.open(bo), await Live.open(mod)
    for s in (a, b, m):
        await s.drain()
    held = await a.command("idea.post", board=board.pk, text="A bench by the pond")
    assert held["status"] == "held"
    assert (await a.event("idea.held"))["idea"]["status"] == "held"
    assert (await m.event("idea.held"))["idea"]["held_reason"] == "pre-moderation"
    assert await b.nothing()
    assert (await m.command("idea.approve", idea=held["id"]))["type"] == "ack"
    assert (await b.event("idea.posted"))["idea"]["status"] == "visible"
    assert (await m.command("idea.approve", idea=held["id"]))["code"] == "conflict"
    for s in (a, b, m):
        await s.close()


async def test_mute_answers_muted_until_the_time_is_over():
    workshop, fac, mod, (an,), board = await setup(1)
    a, m = await Live.open(an), await Live.open(mod)
    muted = await m.command("participant.mute", participant=an.pk, minutes=10)
    assert muted["until"]
    told = await a.event("participant.muted")
    assert told["until"] == muted["until"]
    refused = await a.command("idea.post", board=board.pk, text="Let me speak")
    assert refused["code"] == "muted" and 590 < refused["retry_after"] <= 600
    assert (await m.command("participant.mute", participant=fac.pk, minutes=10))["code"] == "forbidden"
    assert (await m.command("participant.mute", participant=an.pk, minutes=0))["until"] is None
    assert (await a.command("idea.post", board=board.pk, text="Thanks"))["type"] == "ack"
    # The log keeps the length as a number (the pages word it in their language), the reason as given.
    from deliberation.selectors import moderation_log
    mutes = [(e["reason"], e["minutes"]) for e in await db(moderation_log)(workshop.pk) if e["action"] == "mute"]
    assert mutes == [("", 10), ("", 0)]
    await a.close(); await m.close()


async def test_a_removed_participant_is_disconnected_and_cannot_come_back():
    workshop, fac, mod, (an, bo), board = await setup(2)
    a, b, m = await Live.open(an), await Live.open(bo), await Live.open(mod)
    kept = (await a.command("idea.post", board=board.pk, text="Before removal"))["id"]
    assert (await m.command("participant.remove", participant=an.pk, reason="threats"))["type"] == "ack"
    out = await a.comm.receive_output(timeout=3)
    while out["type"] != "websocket.close":
        out = await a.comm.receive_output(timeout=3)
    assert out["code"] == 4403
    assert (await b.event("participant.removed"))["participant"] == an.pk
    again = await Live.open(an)
    assert again.close_code == 4403
    from workshops.errors import DomainError
    with pytest.raises(DomainError):
        await db(services.participant_join)(workshop=workshop, name="An again", existing_id=an.pk)
    # Their content stays (and can still be hidden).
    assert await db(lambda: Idea.objects.get(pk=kept).status)() == "visible"
    assert (await m.command("idea.hide", idea=kept, reason="from a removed person"))["type"] == "ack"
    for s in (b, m):
        await s.close()


async def test_citizens_never_receive_flags_or_the_moderation_log_over_http(client):
    workshop, fac, mod, (an,), board = await setup(1)
    response = await db(lambda: client.get(f"/api/workshops/{workshop.code}/moderation-log"))()
    assert response.status_code == 401
    await db(lambda: client.post(f"/api/workshops/{workshop.code}/join", {"name": "Zed"},
                                 content_type="application/json"))()
    response = await db(lambda: client.get(f"/api/workshops/{workshop.code}/moderation-log"))()
    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    await db(lambda: client.force_login(get_user_model().objects.get(username="mod")))()
    response = await db(lambda: client.get(f"/api/workshops/{workshop.code}/moderation-log"))()
    assert response.status_code == 200 and response.json() == []


async def test_screening_holds_personal_data_but_not_everyday_dutch():
    workshop, fac, mod, (an, bo), board = await setup(2, language="nl")
    a, b, m = await Live.open(an), await Live.open(bo), await Live.open(mod)
    for s in (a, b, m):
        await s.drain()
    fine = await a.command("idea.post", board=board.pk, text="Een speeltuin bij het station")
    assert fine["status"] == "visible"
    assert (await b.event("idea.posted"))["idea"]["id"] == fine["id"]
    held = await a.command("idea.post", board=board.pk, text="Bel me op 0612345678")
    assert held["status"] == "held"
    queued = await m.event("idea.held")
    while queued["idea"]["id"] != held["id"]:
        queued = await m.event("idea.held")
    assert queued["idea"]["held_reason"] == "phone number"
    assert await b.nothing()
    log = await db(lambda: list(ModerationAction.objects.filter(workshop=workshop).values_list(
        "action", "actor", "reason")))()
    assert log == [("hold", None, "phone number")]

    # An edit that screening stops takes a public idea off everyone else's board.
    edited = await a.command("idea.edit", idea=fine["id"], text="Mail me: an@example.org")
    assert edited["type"] == "ack"
    gone = await b.event("idea.hidden")
    assert gone == {**gone, "idea": fine["id"]} and "hidden_reason" not in gone
    mine = await a.event("idea.edited")
    assert mine["idea"]["status"] == "held" and mine["idea"]["held_reason"] == "e-mail address"
    for s in (a, b, m):
        await s.close()


async def test_a_moderator_keeps_an_idea_hidden_by_flags_with_a_reason_of_their_own():
    workshop, fac, mod, (an, bo, cas), board = await setup(3, flag_threshold=2)
    a, m = await Live.open(an), await Live.open(mod)
    idea = (await a.command("idea.post", board=board.pk, text="Buy cheap watches"))["id"]
    from deliberation import moderation
    from deliberation.models import Idea as IdeaModel
    target = await db(lambda: IdeaModel.objects.select_related("board__workshop").get(pk=idea))()
    await db(moderation.idea_flag)(actor=bo, idea=target, reason="spam")
    target = await db(lambda: IdeaModel.objects.select_related("board__workshop").get(pk=idea))()
    await db(moderation.idea_flag)(actor=cas, idea=target, reason="spam")
    await a.drain()
    assert (await m.command("idea.hide", idea=idea, reason="Advertising"))["type"] == "ack"
    told = await a.event("idea.hidden")
    assert told["hidden_reason"] == "Advertising"
    flags = await db(lambda: list(Flag.objects.filter(idea_id=idea).values_list("status", flat=True)))()
    assert flags == ["upheld", "upheld"]
    await a.close(); await m.close()


async def test_flags_from_people_who_joined_after_the_idea_are_shown_to_moderators_but_do_not_hide_it():
    workshop, fac, mod, (an, bo, cas), board = await setup(3, flag_threshold=2)
    a, m = await Live.open(an), await Live.open(mod)
    idea = (await a.command("idea.post", board=board.pk, text="The square needs more trees"))["id"]
    late = [await db(make_citizen)(workshop, name) for name in ("Fresh1", "Fresh2", "Fresh3")]
    await a.drain(); await m.drain()
    for person in late:
        live = await Live.open(person)
        assert (await live.command("idea.flag", idea=idea, reason="abuse"))["type"] == "ack"
        assert (await m.event("flag.raised"))["flag"]["by"] == person.pk
        await live.close()
    assert "idea.hidden" not in [frame["type"] for frame in await a.drain()]  # still up for everyone
    assert await db(lambda: Idea.objects.get(pk=idea).status)() == "visible"
    assert len((await Live.open(mod)).welcome["flags"]) == 3
    # Those who were there when it was posted still hide it at the threshold.
    b, c = await Live.open(bo), await Live.open(cas)
    assert (await b.command("idea.flag", idea=idea, reason="abuse"))["type"] == "ack"
    assert await db(lambda: Idea.objects.get(pk=idea).status)() == "visible"
    assert (await c.command("idea.flag", idea=idea, reason="abuse"))["type"] == "ack"
    assert (await a.event("idea.hidden"))["hidden_reason"] == "flagged"
    await a.close(); await m.close(); await b.close(); await c.close()
