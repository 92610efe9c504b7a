"""My data and erase me (PROTOCOL 3.3): over HTTP as a browser meets them, and on the sockets."""
import pytest
from channels.db import database_sync_to_async as db

from deliberation import privacy, proposals, services
from deliberation.models import Board, Endorsement, Flag, Idea, Reaction, SurveyAnswer
from tests.factories import emitted, idea, last_seq, plenary, staff_member, workshop_with_facilitator
from tests.live import Live, make_citizen, make_workshop
from tests.workshops.test_api import Browser, assert_error
from workshops import stream
from workshops.errors import DomainError
from workshops.models import Event, Participant


def joined(code: str, name: str = "An", profile=None) -> Browser:
    browser = Browser()
    body = {"name": name, **({"profile": profile} if profile else {})}
    assert browser.post(f"/api/workshops/{code}/join", body).status_code == 201
    return browser


def contributions(workshop, fac, an, bo):
    """An posts two ideas, reacts, flags Bo's, answers the survey; a proposal from An's idea, endorsed by An."""
    board = plenary(workshop)
    mine = idea(board, an, "More trees on the square")
    idea(board, an, "A fountain", status=Idea.Status.HIDDEN, hidden_reason="off_topic")
    theirs = idea(board, bo, "Benches")
    Reaction.objects.create(idea=theirs, participant=an, value="agree")
    Flag.objects.create(idea=theirs, by=an, reason="other", note="duplicate")
    services.survey_answer(actor=an, answers={"safety": 8}, comment="I am An from number 12")
    proposal = proposals.proposal_draft(actor=fac, title="Green square", body="Trees", sources=[mine.pk])
    proposals.proposal_publish(actor=fac, proposal=proposal)
    Endorsement.objects.create(proposal=proposal, participant=an, value="agree")
    return mine, theirs, proposal


def an_with_contributions():
    """An, joined with a profile answer from a browser, who wrote, reacted, flagged, answered the survey and
    endorsed; and Bo, whose idea An reacted to."""
    workshop, fac = workshop_with_facilitator(
        profile_questions=[{"key": "age", "label": "Age", "options": ["<30", "30+"]}])
    browser = joined(workshop.code, profile={"age": "30+"})
    an = browser.participant(workshop.code)
    return workshop, browser, an, contributions(workshop, fac, an, make_citizen(workshop, "Bo"))


@pytest.mark.django_db
def test_my_data_holds_everything_about_me_and_nothing_about_others():
    workshop, browser, an, (mine, theirs, proposal) = an_with_contributions()
    response = browser.get(f"/api/workshops/{workshop.code}/me/data")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == f'attachment; filename="inspraak-{workshop.code}-my-data.json"'
    data = response.json()
    assert set(data) >= {"participant", "ideas", "reactions", "endorsements", "survey", "contact", "mail"}
    assert data["participant"]["name"] == "An" and data["participant"]["profile"] == {"age": "30+"}
    assert data["participant"]["device"]  # the browser's device cookie, as the join stored it
    assert [(i["text"], i["status"]) for i in data["ideas"]] == [("More trees on the square", "visible"),
                                                                ("A fountain", "hidden")]
    assert [(r["idea"], r["value"]) for r in data["reactions"]] == [(theirs.pk, "agree")]
    assert [(e["proposal"], e["value"]) for e in data["endorsements"]] == [(proposal.pk, "agree")]
    assert data["survey"]["answers"] == {"safety": 8} and data["survey"]["comment"] == "I am An from number 12"
    assert [f["note"] for f in data["flags"]] == ["duplicate"]
    assert data["contact"] is None and data["mail"] == []
    assert "Benches" not in response.content.decode()


@pytest.mark.django_db
def test_my_data_holds_my_questions_upvotes_hand_and_turns():
    from deliberation import floor, questions

    workshop, fac = workshop_with_facilitator()
    browser = joined(workshop.code)
    an = browser.participant(workshop.code)
    bo = make_citizen(workshop, "Bo")
    asked = questions.question_ask(actor=an, text="Who pays?")
    theirs = questions.question_ask(actor=bo, text="When?")
    questions.question_upvote(actor=an, question=theirs, value=True)
    questions.question_upvote(actor=bo, question=asked, value=True)
    floor.floor_give(actor=fac, participant_id=an.pk)
    floor.hand_raise(actor=an)
    data = browser.get(f"/api/workshops/{workshop.code}/me/data").json()
    assert [(q["id"], q["text"], q["status"]) for q in data["questions"]] == [(asked.pk, "Who pays?", "open")]
    assert [u["question"] for u in data["upvotes"]] == [theirs.pk]
    assert data["hand_raised_at"] is not None
    assert len(data["floor_turns"]) == 1 and data["floor_turns"][0]["ended_at"] is None


@pytest.mark.django_db
def test_my_data_and_erase_refuse_strangers_and_other_methods():
    workshop, _ = workshop_with_facilitator()
    stranger = Browser()
    assert_error(stranger.get(f"/api/workshops/{workshop.code}/me/data"), 401, "unauthenticated")
    assert_error(stranger.post(f"/api/workshops/{workshop.code}/me/erase"), 401, "unauthenticated")
    assert_error(stranger.get("/api/workshops/nosuchcode/me/data"), 404, "not_found")
    browser = joined(workshop.code)
    assert_error(browser.get(f"/api/workshops/{workshop.code}/me/erase"), 405, "method_not_allowed")
    assert_error(browser.post(f"/api/workshops/{workshop.code}/me/data"), 405, "method_not_allowed")
    assert_error(browser.post(f"/api/workshops/{workshop.code}/me/erase", csrf=False), 403, "forbidden")
    assert browser.participant(workshop.code).name == "An"  # the refused erase changed nothing


@pytest.mark.django_db
def test_erase_takes_who_they_are_and_keeps_what_they_contributed():
    workshop, browser, an, (mine, theirs, proposal) = an_with_contributions()
    link = browser.get(f"/api/workshops/{workshop.code}/me/return-link").json()["url"]
    phone = Browser()
    phone.get(link.removeprefix("http://testserver"))
    # An's name is in stored events (their presence, and an idea posted through the service).
    services.idea_post(actor=an, board=plenary(workshop), text="One more")
    assert Event.objects.filter(workshop=workshop, payload__idea__author__name="An").exists()
    before = last_seq(workshop)

    response = browser.post(f"/api/workshops/{workshop.code}/me/erase")
    assert response.status_code == 200

    an.refresh_from_db()
    assert (an.name, an.profile, an.return_key, an.device) == ("", {}, "", "")
    assert an.erased_at is not None
    assert SurveyAnswer.objects.get(participant=an).comment == ""
    assert SurveyAnswer.objects.get(participant=an).answers == {"safety": 8}  # the ratings stay, nameless
    assert Idea.objects.filter(author=an).count() == 3
    assert Reaction.objects.filter(participant=an).exists() and Endorsement.objects.filter(participant=an).exists()
    assert [(t, p) for t, p, _ in emitted(workshop, after=before)] == [("participant.erased", {"participant": an.pk})]
    assert not [e for e in Event.objects.filter(workshop=workshop) if "An" in str(e.payload)]
    # Neither this browser nor the one that opened the return link is An any more; the link is dead.
    for b in (browser, phone):
        assert_error(b.get(f"/api/workshops/{workshop.code}/me/data"), 401, "unauthenticated")
    assert phone.get(link.removeprefix("http://testserver")).status_code == 410
    # What others see: the idea stays, by nobody named; the people list has no empty name.
    outcome = Browser().get(f"/api/workshops/{workshop.code}/outcomes").json()["proposals"][0]
    assert outcome["source_ideas"][0] == {"id": mine.pk, "status": "visible", "text": "More trees on the square",
                                          "author": ""}
    assert {"id": an.pk, "name": ""} in outcome["people"]
    assert "An" not in str(outcome)
    # The browser may join afresh, as somebody new.
    again = browser.post(f"/api/workshops/{workshop.code}/join", {"name": "Anna"})
    assert again.status_code == 201 and again.json()["participant"]["id"] != an.pk


@pytest.mark.django_db
def test_staff_are_not_erased_here():
    workshop, fac = workshop_with_facilitator()
    official = staff_member(workshop, "official")
    with pytest.raises(DomainError) as refused:
        privacy.participant_erase(actor=official)
    assert refused.value.code == "forbidden"
    official.refresh_from_db()
    assert official.name == "official" and official.erased_at is None


@pytest.mark.django_db
def test_a_removed_participant_erased_keeps_their_device_so_the_browser_stays_out():
    workshop, _ = workshop_with_facilitator()
    browser = joined(workshop.code)
    an = browser.participant(workshop.code)
    Participant.objects.filter(pk=an.pk).update(removed=True)
    assert browser.post(f"/api/workshops/{workshop.code}/me/erase").status_code == 200
    an.refresh_from_db()
    assert an.name == "" and an.device
    assert_error(browser.post(f"/api/workshops/{workshop.code}/join", {"name": "Again"}), 403, "forbidden")


def _erase(participant):
    with stream.publishing():
        privacy.participant_erase(actor=participant)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_env")
async def test_erase_closes_their_sockets_with_4401_and_others_see_a_former_participant():
    workshop, fac = await db(make_workshop)()
    an, bo = await db(make_citizen)(workshop, "An"), await db(make_citizen)(workshop, "Bo")
    board = await db(lambda: Board.objects.get(workshop=workshop, room=None))()
    a1, a2, b = await Live.open(an), await Live.open(an), await Live.open(bo)
    posted = (await a1.command("idea.post", board=board.pk, text="Shade for the benches"))["id"]
    for s in (a1, a2, b):
        await s.drain()

    await db(_erase)(an)
    for s in (a1, a2):
        out = await s.comm.receive_output(timeout=3)
        while out["type"] != "websocket.close":
            out = await s.comm.receive_output(timeout=3)
        assert out["code"] == 4401
    assert (await b.event("participant.erased"))["participant"] == an.pk
    assert await b.nothing(0.5)  # no presence.changed brings them back, nameless, when their sockets go
    again = await Live.open(an)
    assert again.close_code == 4401
    # A newcomer's snapshot has the idea by nobody named, and no An among the people.
    cas = await Live.open(await db(make_citizen)(workshop, "Cas"))
    ideas = {i["id"]: i for i in cas.welcome["ideas"]}
    assert ideas[posted]["author"] == {"id": an.pk, "name": ""}
    assert an.pk not in [p["id"] for p in cas.welcome["participants"]]
    # A resume from before the erase replays the idea without the name.
    replayed = await Live.open(bo, since=bo.joined_seq)
    assert replayed.welcome["resumed"] is True
    frames = await replayed.drain()
    assert "An" not in str([f for f in frames if f.get("type") == "idea.posted"])
    for s in (b, cas, replayed):
        await s.close()


@pytest.mark.django_db
def test_someone_erased_in_the_waiting_room_no_longer_waits():
    from workshops.snapshot_parts import waiting
    workshop, fac = workshop_with_facilitator(waiting_room=True)
    browser = joined(workshop.code)
    an = browser.participant(workshop.code)
    assert waiting(fac) == [{"id": an.pk, "name": "An"}]
    assert browser.post(f"/api/workshops/{workshop.code}/me/erase").status_code == 200
    assert waiting(fac) == []


@pytest.mark.django_db
def test_the_participant_page_offers_the_way_back_in_dutch_and_french():
    workshop, _ = workshop_with_facilitator()
    for language, words in (("nl", ["Je weg terug", "Mijn gegevens downloaden", "Wis mij"]),
                            ("fr", ["Votre chemin de retour", "Télécharger mes données", "M'effacer"])):
        page = Browser().client.get(f"/w/{workshop.code}/", headers={"Accept-Language": language}).content.decode()
        for word in words:
            assert word in page, (language, word)


@pytest.mark.django_db
def test_my_data_shows_the_contact_address_and_its_mail_and_erase_deletes_both():
    from workshops import contact
    from workshops.models import Contact, Mail

    workshop, fac = workshop_with_facilitator()
    an = Participant.objects.create(workshop=workshop, name="An")
    contact.contact_set(actor=an, email="an@example.org")
    data = privacy.participant_data(an)
    assert data["contact"]["email"] == "an@example.org" and data["contact"]["confirmed"] is False
    assert [m["kind"] for m in data["mail"]] and Mail.objects.filter(contact__participant=an).exists()
    privacy.participant_erase(actor=an)
    assert not Contact.objects.filter(participant=an).exists() and not Mail.objects.filter(contact__participant=an).exists()
    assert privacy.participant_data(Participant.objects.get(pk=an.pk))["contact"] is None
