"""Questions to the panel: the services' events, and end to end over the socket (held and hidden
questions reach nobody else, on live, welcome and resume paths alike)."""
import pytest
from channels.db import database_sync_to_async as db
from django.contrib.auth import get_user_model

from deliberation import questions
from deliberation.models import ModerationAction, Question
from tests.factories import citizen, emitted, last_seq, staff_member, workshop_with_facilitator
from tests.live import Live, make_citizen, make_workshop
from workshops import services
from workshops.errors import DomainError


PHONE = "Call me on +32 470 12 34 56 about it?"


def refused(code, fn, **kwargs):
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == code


# Services

@pytest.mark.django_db
def test_ask_tells_everyone_with_the_question_shape():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop, "An")
    before = last_seq(workshop)
    asked = questions.question_ask(actor=an, text="When does the square open?")
    assert emitted(workshop, after=before) == [("question.asked", {"question": {
        "id": asked.pk, "text": "When does the square open?", "author": {"id": an.pk, "name": "An"}, "votes": 0,
        "status": "open", "answer": None}}, ["all"])]


@pytest.mark.django_db
def test_screening_holds_a_question_for_author_and_moderators_and_logs_it():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop, "An")
    before = last_seq(workshop)
    held = questions.question_ask(actor=an, text=PHONE)
    assert held.status == "held"
    [(kind, payload, audience)] = emitted(workshop, after=before)
    assert kind == "question.asked" and payload["question"]["status"] == "held"
    assert payload["question"]["held_reason"] == held.held_reason != ""
    assert audience == [f"p:{an.pk}", "role:moderator", "role:facilitator"]
    assert ModerationAction.objects.filter(target=f"question:{held.pk}", action="hold").exists()


@pytest.mark.django_db
def test_upvote_once_each_and_take_it_back():
    workshop, fac = workshop_with_facilitator()
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    asked = questions.question_ask(actor=an, text="Trees?")
    before = last_seq(workshop)
    assert questions.question_upvote(actor=bo, question=asked, value=True) == 1
    assert questions.question_upvote(actor=bo, question=asked, value=True) == 1  # once each: no second vote
    assert questions.question_upvote(actor=an, question=asked, value=True) == 2
    assert questions.question_upvote(actor=bo, question=asked, value=False) == 1
    assert questions.question_upvote(actor=bo, question=asked, value=False) == 1
    assert emitted(workshop, after=before) == [
        ("question.upvoted", {"question": asked.pk, "votes": n}, ["all"]) for n in (1, 2, 1)]


@pytest.mark.django_db
def test_refusals_change_nothing_and_emit_nothing():
    workshop, fac = workshop_with_facilitator()
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    held = questions.question_ask(actor=an, text=PHONE)
    asked = questions.question_ask(actor=an, text="Benches?")
    before = last_seq(workshop)
    refused("forbidden", questions.question_upvote, actor=bo, question=held, value=True)
    refused("forbidden", questions.question_answer, actor=bo, question=asked, text="me")
    refused("conflict", questions.question_answer, actor=fac, question=held, text="")
    refused("conflict", questions.question_approve, actor=fac, question=asked)
    questions.question_hide(actor=fac, question=asked, reason="Off topic")
    after_hide = last_seq(workshop)
    refused("conflict", questions.question_hide, actor=fac, question=asked, reason="again")
    refused("forbidden", questions.question_upvote, actor=bo, question=asked, value=True)
    assert last_seq(workshop) == after_hide == before + 2
    assert Question.objects.get(pk=asked.pk).answered_at is None


@pytest.mark.django_db
def test_hiding_a_public_question_tells_the_reason_only_to_author_and_moderators():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop, "An")
    asked = questions.question_ask(actor=an, text="Benches?")
    before = last_seq(workshop)
    questions.question_hide(actor=fac, question=asked, reason="Rude")
    private = [f"p:{an.pk}", "role:moderator", "role:facilitator"]
    assert emitted(workshop, after=before) == [
        ("question.hidden", {"question": asked.pk, "hidden_reason": "Rude"}, private),
        ("question.hidden", {"question": asked.pk}, ["all", *("!" + t for t in private)])]
    assert ModerationAction.objects.filter(target=f"question:{asked.pk}", action="hide", reason="Rude").exists()


# Over the socket

async def setup(**kwargs):
    workshop, fac = await db(make_workshop)(**kwargs)
    await db(lambda: get_user_model().objects.create_user("mod", password="pw-123456", is_staff=True))()
    await db(lambda: get_user_model().objects.create_user("off", password="pw-123456", is_staff=True))()
    mod = await db(services.staff_add)(actor=fac, username="mod", role="moderator")
    off = await db(services.staff_add)(actor=fac, username="off", role="official")
    an, bo = await db(make_citizen)(workshop, "An"), await db(make_citizen)(workshop, "Bo")
    return workshop, fac, mod, off, an, bo


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_env")
async def test_ask_upvote_answer_end_to_end_sorted_by_votes():
    workshop, fac, mod, off, an, bo = await setup()
    a, b, o = await Live.open(an), await Live.open(bo), await Live.open(off)
    for s in (a, b, o):
        await s.drain()
    first = await a.command("question.ask", text="Who pays for it?")
    assert first["type"] == "ack" and first["status"] == "open"
    second = await a.command("question.ask", text="When will it open?")
    asked = await b.event("question.asked")
    assert asked["question"] == {"id": first["id"], "text": "Who pays for it?", "author": {"id": an.pk, "name": "An"},
                                 "votes": 0, "status": "open", "answer": None}
    up = await b.command("question.upvote", question=second["id"], value=True)
    assert up == {**up, "type": "ack", "votes": 1}
    upvoted = await a.event("question.upvoted")
    assert upvoted == {**upvoted, "question": second["id"], "votes": 1}
    assert (await b.command("question.upvote", question=second["id"], value="yes"))["code"] == "invalid"
    assert (await b.command("question.ask", text="x" * 301))["fields"].keys() == {"text"}
    assert (await b.command("question.ask", text=""))["code"] == "invalid"
    assert (await b.command("question.answer", question=first["id"]))["code"] == "forbidden"
    answered = await o.command("question.answer", question=first["id"], text="The city, from the 2027 budget.")
    assert answered["type"] == "ack"
    shown = (await b.event("question.answered"))["question"]
    assert shown["status"] == "answered" and shown["answer"]["text"] == "The city, from the 2027 budget."
    assert shown["answer"]["by"] == "off"
    fresh = await Live.open(bo)
    assert [q["id"] for q in fresh.welcome["questions"]] == [second["id"], first["id"]]  # most votes first
    assert fresh.welcome["my_upvotes"] == [second["id"]]
    assert fresh.welcome["questions"][1]["answer"]["text"] == "The city, from the 2027 budget."
    # Taken back: the count goes down for everyone.
    assert (await b.command("question.upvote", question=second["id"], value=False))["votes"] == 0
    for s in (a, b, o, fresh):
        await s.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_env")
async def test_a_held_question_reaches_only_author_and_moderators_until_approved():
    workshop, fac, mod, off, an, bo = await setup(moderation="pre")
    a, b, m, o = await Live.open(an), await Live.open(bo), await Live.open(mod), await Live.open(off)
    for s in (a, b, m, o):
        await s.drain()
    held = await a.command("question.ask", text="Is the mayor coming?")
    assert held["status"] == "held"
    assert (await a.event("question.asked"))["question"]["status"] == "held"
    assert (await m.event("question.asked"))["question"]["held_reason"] == "pre-moderation"
    assert await b.nothing() and await o.nothing()
    # Nobody else can find it: not in a welcome, not by id.
    late = await Live.open(bo)
    assert late.welcome["questions"] == []
    assert (await b.command("question.upvote", question=held["id"], value=True))["code"] == "not_found"
    assert (await o.command("question.answer", question=held["id"]))["code"] == "not_found"
    assert [q["id"] for q in (await Live.open(an)).welcome["questions"]] == [held["id"]]
    assert (await b.command("question.approve", question=held["id"]))["code"] == "forbidden"
    assert (await m.command("question.approve", question=held["id"]))["type"] == "ack"
    shown = (await b.event("question.asked"))["question"]
    assert shown["status"] == "open" and shown["text"] == "Is the mayor coming?" and "held_reason" not in shown
    assert (await m.command("question.approve", question=held["id"]))["code"] == "conflict"
    for s in (a, b, m, o, late):
        await s.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_env")
async def test_a_hidden_questions_text_never_reaches_a_citizen_again():
    workshop, fac, mod, off, an, bo = await setup()
    a, b, m = await Live.open(an), await Live.open(bo), await Live.open(mod)
    for s in (a, b, m):
        await s.drain()
    since = b.welcome["seq"]
    asked = await a.command("question.ask", text="Something nasty about a neighbour")
    await b.event("question.asked")
    assert (await b.command("question.hide", question=asked["id"], reason="x"))["code"] == "forbidden"
    assert (await m.command("question.hide", question=asked["id"], reason="Personal attack"))["type"] == "ack"
    public = await b.event("question.hidden")
    assert public["question"] == asked["id"] and "hidden_reason" not in public
    assert (await a.event("question.hidden"))["hidden_reason"] == "Personal attack"
    # Welcome: gone for others, there with its reason for the author and moderators.
    other = await Live.open(bo)
    assert other.welcome["questions"] == []
    mine = await Live.open(an)
    assert mine.welcome["questions"][0]["hidden_reason"] == "Personal attack"
    staff = await Live.open(mod)
    assert staff.welcome["questions"][0]["status"] == "hidden"
    # Resume: the replayed question.asked carries no text for a citizen.
    resumed = await Live.open(bo, since=since)
    assert resumed.welcome["resumed"] is True
    replayed = [e for e in await resumed.drain() if e["type"].startswith("question.")]
    assert [e["type"] for e in replayed] == ["question.asked", "question.hidden"]
    assert replayed[0]["question"]["text"] == "" and replayed[0]["question"]["status"] == "hidden"
    assert "Something nasty" not in str(resumed.frames)
    author_resumed = await Live.open(an, since=since)
    again = [e for e in await author_resumed.drain() if e["type"] == "question.asked"]
    assert again[0]["question"]["text"] == "Something nasty about a neighbour"
    assert (await b.command("question.upvote", question=asked["id"], value=True))["code"] == "not_found"
    log = await db(lambda: list(ModerationAction.objects.filter(target=f"question:{asked['id']}")
                                .values_list("action", "reason")))()
    assert log == [("hide", "Personal attack")]
    for s in (a, b, m, other, mine, staff, resumed, author_resumed):
        await s.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_env")
async def test_upvotes_coalesce_to_the_latest_count():
    workshop, fac, mod, off, an, bo = await setup()
    a, b = await Live.open(an), await Live.open(bo)
    await a.drain()
    asked = await a.command("question.ask", text="Parking?")
    for value in (True, False, True):
        await b.command("question.upvote", question=asked["id"], value=value)
    seen = [e for e in await a.drain(quiet=0.6) if e["type"] == "question.upvoted"]
    assert seen[-1]["votes"] == 1 and len(seen) <= 3
    for s in (a, b):
        await s.close()


@pytest.mark.django_db
def test_erasing_the_author_blanks_their_name_in_stored_question_events():
    from deliberation import privacy
    from workshops.models import Event

    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop, "An")
    asked = questions.question_ask(actor=an, text="Who pays?")
    questions.question_answer(actor=fac, question=asked, text="The city")
    privacy.participant_erase(actor=an)
    stored = [e.payload["question"]["author"] for e in Event.objects.filter(workshop=workshop,
                                                                           type__startswith="question.")]
    assert stored == [{"id": an.pk, "name": ""}, {"id": an.pk, "name": ""}]
