"""Hands, the floor and nudges: the services' events and audiences, and end to end over the socket."""
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async as db
from django.contrib.auth import get_user_model
from django.utils import timezone

from deliberation import floor, moderation, polls, selectors
from deliberation import services as content
from deliberation.models import FloorTurn, Hand, Poll
from tests.factories import citizen, emitted, last_seq, plenary, staff_member, workshop_with_facilitator
from tests.live import Live, make_citizen, make_workshop
from workshops import services
from workshops.errors import DomainError

STAFF = ["role:facilitator", "role:moderator", "role:official"]


def refused(code, fn, **kwargs):
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == code


# Services

@pytest.mark.django_db
def test_hands_queue_in_order_to_staff_and_those_in_it():
    workshop, fac = workshop_with_facilitator()
    an, bo, cas = citizen(workshop, "An"), citizen(workshop, "Bo"), citizen(workshop, "Cas")
    before = last_seq(workshop)
    assert floor.hand_raise(actor=an) == [an.pk]
    assert floor.hand_raise(actor=bo) == [an.pk, bo.pk]
    assert floor.hand_raise(actor=an) == [an.pk, bo.pk]  # already up: nothing changes
    assert floor.hand_lower(actor=an) == []  # no longer in the queue: they see none of it
    assert floor.hand_lower(actor=an) == []
    assert floor.hand_lower(actor=cas) == []
    assert floor.hand_lower(actor=fac) == [bo.pk]  # staff see the queue
    assert emitted(workshop, after=before) == [
        ("hands.changed", {"queue": [an.pk]}, [*STAFF, f"p:{an.pk}"]),
        ("hands.changed", {"queue": [an.pk, bo.pk]}, [*STAFF, f"p:{an.pk}", f"p:{bo.pk}"]),
        ("hands.changed", {"queue": [bo.pk]}, [*STAFF, f"p:{bo.pk}"]),
        ("hands.changed", {"queue": []}, [f"p:{an.pk}"])]


@pytest.mark.django_db
def test_ending_the_workshop_ends_the_turn_and_lowers_every_hand():
    workshop, fac = workshop_with_facilitator()
    an, bo, cas = citizen(workshop, "An"), citizen(workshop, "Bo"), citizen(workshop, "Cas")
    floor.floor_give(actor=fac, participant_id=cas.pk)
    floor.hand_raise(actor=an)
    floor.hand_raise(actor=bo)
    before = last_seq(workshop)
    services.workshop_end(actor=fac)
    told = emitted(workshop, after=before)
    assert [t for t, *_ in told] == ["floor.ended", "hands.changed", "workshop.ended"]
    assert told[0][1]["participant"] == cas.pk and told[0][2] == ["all"]
    assert told[1][1:] == ({"queue": []}, [*STAFF, f"p:{an.pk}", f"p:{bo.pk}"])
    assert not Hand.objects.filter(workshop=workshop).exists()
    assert not FloorTurn.objects.filter(workshop=workshop, ended_at__isnull=True).exists()
    refused("ended", floor.hand_raise, actor=type(an).objects.get(pk=an.pk))


@pytest.mark.django_db
def test_ending_a_workshop_with_no_turn_and_no_hands_tells_only_the_end():
    workshop, fac = workshop_with_facilitator()
    before = last_seq(workshop)
    services.workshop_end(actor=fac)
    assert [t for t, *_ in emitted(workshop, after=before)] == ["workshop.ended"]


@pytest.mark.django_db
def test_giving_the_floor_lowers_the_hand_and_ends_the_turn_before():
    workshop, fac = workshop_with_facilitator()
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    floor.hand_raise(actor=an)
    before = last_seq(workshop)
    floor.floor_give(actor=fac, participant_id=an.pk)
    assert emitted(workshop, after=before) == [
        ("hands.changed", {"queue": []}, STAFF),
        ("hands.changed", {"queue": []}, [f"p:{an.pk}"]),
        ("floor.given", {"participant": an.pk}, ["all"])]
    assert not Hand.objects.filter(participant=an).exists()
    refused("conflict", floor.floor_give, actor=fac, participant_id=an.pk)
    before = last_seq(workshop)
    floor.floor_give(actor=fac, participant_id=bo.pk)
    assert emitted(workshop, after=before) == [
        ("floor.ended", {"participant": an.pk, "seconds": 0}, ["all"]),
        ("floor.given", {"participant": bo.pk}, ["all"])]
    assert FloorTurn.objects.filter(workshop=workshop).count() == 2


@pytest.mark.django_db
def test_the_speaker_or_a_facilitator_ends_the_floor_with_its_length():
    workshop, fac = workshop_with_facilitator()
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    turn = floor.floor_give(actor=fac, participant_id=an.pk)
    FloorTurn.objects.filter(pk=turn.pk).update(started_at=timezone.now() - timedelta(seconds=42))
    before = last_seq(workshop)
    refused("forbidden", floor.floor_end, actor=bo)
    assert floor.floor_end(actor=an) == 42
    assert emitted(workshop, after=before) == [("floor.ended", {"participant": an.pk, "seconds": 42}, ["all"])]
    refused("conflict", floor.floor_end, actor=fac)


@pytest.mark.django_db
def test_citizens_and_other_staff_neither_give_the_floor_nor_nudge():
    workshop, fac = workshop_with_facilitator()
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    mod = staff_member(workshop, "moderator")
    before = last_seq(workshop)
    for actor in (an, mod):
        refused("forbidden", floor.floor_give, actor=actor, participant_id=bo.pk)
        refused("forbidden", floor.participant_nudge, actor=actor, participant_id=bo.pk)
    refused("not_found", floor.floor_give, actor=fac, participant_id=10 ** 9)
    refused("not_found", floor.participant_nudge, actor=fac, participant_id=10 ** 9)
    assert last_seq(workshop) == before


@pytest.mark.django_db
def test_a_nudge_goes_to_that_participant_only():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop, "An")
    before = last_seq(workshop)
    floor.participant_nudge(actor=fac, participant_id=an.pk, text="Anything to add, An?")
    assert emitted(workshop, after=before) == [("nudged", {"text": "Anything to add, An?"}, [f"p:{an.pk}"])]


@pytest.mark.django_db
def test_removing_someone_lowers_their_hand_and_ends_their_turn():
    workshop, fac = workshop_with_facilitator()
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    floor.hand_raise(actor=bo)
    floor.floor_give(actor=fac, participant_id=an.pk)
    floor.hand_raise(actor=an)
    before = last_seq(workshop)
    moderation.participant_remove(actor=fac, participant_id=an.pk)
    assert [(t, p) for t, p, _ in emitted(workshop, after=before)] == [
        ("hands.changed", {"queue": [bo.pk]}), ("hands.changed", {"queue": []}),
        ("floor.ended", {"participant": an.pk, "seconds": 0}), ("participant.removed", {"participant": an.pk})]


@pytest.mark.django_db
def test_contributions_count_each_citizens_ideas_builds_reactions_named_poll_answers_and_turns():
    workshop, fac = workshop_with_facilitator()
    an, bo, cas = citizen(workshop, "An"), citizen(workshop, "Bo"), citizen(workshop, "Cas")
    first = content.idea_post(actor=an, board=plenary(workshop), text="Trees")
    content.idea_post(actor=bo, board=plenary(workshop), text="And benches", builds_on=first)
    content.idea_react(actor=bo, idea=first, value="agree")
    content.idea_react(actor=fac, idea=first, value="agree")  # staff are not listed
    floor.floor_give(actor=fac, participant_id=an.pk)
    named = polls.poll_open(actor=fac, question="Which first?", kind="single", options=["Trees", "Water"],
                            results="live")
    secret = polls.poll_open(actor=fac, question="How safe?", kind="scale", results="live", anonymous=True)
    polls.poll_answer(actor=bo, poll=Poll.objects.get(pk=named.pk), answer={"choice": named.options.first().pk})
    polls.poll_answer(actor=cas, poll=Poll.objects.get(pk=secret.pk), answer={"value": 3})  # linked to nobody
    assert selectors.contributions(workshop.pk) == [
        {"participant": an.pk, "ideas": 1, "builds": 0, "reactions": 0, "answers": 0, "turns": 1},
        {"participant": bo.pk, "ideas": 1, "builds": 1, "reactions": 1, "answers": 1, "turns": 0},
        {"participant": cas.pk, "ideas": 0, "builds": 0, "reactions": 0, "answers": 0, "turns": 0}]
    moderation.participant_remove(actor=fac, participant_id=cas.pk)
    assert [row["participant"] for row in selectors.contributions(workshop.pk)] == [an.pk, bo.pk]


@pytest.mark.django_db
def test_an_erased_participants_hand_goes_down_and_their_turn_ends():
    from deliberation import privacy

    workshop, fac = workshop_with_facilitator()
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    floor.hand_raise(actor=an)
    floor.floor_give(actor=fac, participant_id=bo.pk)
    floor.hand_raise(actor=bo)
    before = last_seq(workshop)
    privacy.participant_erase(actor=bo)
    assert [(t, p) for t, p, _ in emitted(workshop, after=before)] == [
        ("hands.changed", {"queue": [an.pk]}), ("hands.changed", {"queue": []}),
        ("floor.ended", {"participant": bo.pk, "seconds": 0}), ("participant.erased", {"participant": bo.pk})]


# Over the socket

async def setup():
    workshop, fac = await db(make_workshop)()
    await db(lambda: get_user_model().objects.create_user("off", password="pw-123456", is_staff=True))()
    off = await db(services.staff_add)(actor=fac, username="off", role="official")
    people = [await db(make_citizen)(workshop, name) for name in ("An", "Bo", "Cas")]
    return workshop, fac, off, people


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_env")
async def test_hands_and_the_floor_end_to_end():
    workshop, fac, off, (an, bo, cas) = await setup()
    f, a, b, c = await Live.open(fac), await Live.open(an), await Live.open(bo), await Live.open(cas)
    for s in (f, a, b, c):
        await s.drain()
    assert (await a.command("hand.raise"))["queue"] == [an.pk]
    assert (await f.event("hands.changed"))["queue"] == [an.pk]
    assert (await a.event("hands.changed"))["queue"] == [an.pk]
    assert await b.nothing() and await c.nothing()  # not in the queue: not told
    await b.command("hand.raise")
    assert (await a.event("hands.changed"))["queue"] == [an.pk, bo.pk]
    # The welcome: the queue for staff and for those in it, nothing for the others.
    assert (await Live.open(fac)).welcome["hands"] == [an.pk, bo.pk]
    assert (await Live.open(bo)).welcome["hands"] == [an.pk, bo.pk]
    assert (await Live.open(cas)).welcome["hands"] == []
    # Every forbidden case.
    assert (await c.command("floor.give", participant=an.pk))["code"] == "forbidden"
    assert (await c.command("participant.nudge", participant=an.pk))["code"] == "forbidden"
    assert (await c.command("contributions.get"))["code"] == "forbidden"
    tally = await f.command("contributions.get")
    assert [row["participant"] for row in tally["contributions"]] == [an.pk, bo.pk, cas.pk]
    o = await Live.open(off)
    assert (await o.command("floor.give", participant=an.pk))["code"] == "forbidden"
    assert (await f.command("floor.give", participant="An"))["code"] == "invalid"
    given = await f.command("floor.give", participant=an.pk)
    assert given == {**given, "type": "ack", "participant": an.pk}
    for s in (a, c):
        assert (await s.event("floor.given"))["participant"] == an.pk
    assert (await a.event("hands.changed"))["queue"] == []  # their hand went down: out of the queue
    late = await Live.open(cas)
    assert late.welcome["floor"] == {"participant": an.pk, "since": given["since"]}
    assert (await c.command("floor.end"))["code"] == "forbidden"
    ended = await a.command("floor.end")
    assert ended["type"] == "ack"
    for s in (b, c, f):
        seen = await s.event("floor.ended")
        assert seen["participant"] == an.pk and seen["seconds"] == ended["seconds"] >= 0
    assert (await Live.open(cas)).welcome["floor"] is None
    assert (await f.command("floor.end"))["code"] == "conflict"
    await b.drain()
    await a.command("hand.raise")
    assert (await b.event("hands.changed"))["queue"] == [bo.pk, an.pk]
    for s in (a, c, f):
        await s.drain()
    assert (await b.command("hand.lower"))["queue"] == []
    assert (await b.event("hands.changed"))["queue"] == []  # lowered: told they are in no queue
    assert (await a.event("hands.changed"))["queue"] == [an.pk]
    assert (await f.event("hands.changed"))["queue"] == [an.pk]
    assert await c.nothing()
    for s in (f, a, b, c, o, late):
        await s.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_env")
async def test_a_nudge_reaches_only_its_participant():
    workshop, fac, off, (an, bo, cas) = await setup()
    f, a, b = await Live.open(fac), await Live.open(an), await Live.open(bo)
    for s in (f, a, b):
        await s.drain()
    assert (await f.command("participant.nudge", participant=an.pk, text="Your view, An?"))["type"] == "ack"
    nudged = await a.event("nudged")
    assert nudged["text"] == "Your view, An?" and nudged["seq"] > 0
    assert await b.nothing() and await f.nothing()
    assert (await f.command("participant.nudge", participant=bo.pk))["type"] == "ack"
    assert (await b.event("nudged"))["text"] == ""
    for s in (f, a, b):
        await s.close()
