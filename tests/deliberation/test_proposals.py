"""Proposals over the socket and HTTP: drafts, publishing, endorsements, official responses, the ladder."""
import json

import pytest
from channels.db import database_sync_to_async as db
from django.contrib.auth import get_user_model
from django.test import Client

from deliberation import proposals
from deliberation import services as content
from deliberation.models import Board, Response
from tests.live import Live, make_citizen, make_workshop
from workshops import services
from workshops.models import Participant

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_env")]


async def setup(n=3):
    workshop, fac = await db(make_workshop)()
    await db(lambda: get_user_model().objects.create_user("alderman", password="pw-123456", is_staff=True))()
    official = await db(services.staff_add)(actor=fac, username="alderman", role="official")
    citizens = [await db(make_citizen)(workshop, name) for name in ["An", "Bo", "Cas", "Dee"][:n]]
    board = await db(lambda: Board.objects.get(workshop=workshop, room=None))()
    return workshop, fac, official, citizens, board


async def test_draft_is_private_publish_reaches_everyone_with_complete_contributors():
    workshop, fac, official, (an, bo, cas), board = await setup()
    a, b, c, f = [await Live.open(p) for p in (an, bo, cas, fac)]
    source = (await a.command("idea.post", board=board.pk, text="Shade trees on the square"))["id"]
    await b.command("idea.post", board=board.pk, text="And benches under them", builds_on=source)
    other = (await c.command("idea.post", board=board.pk, text="A water fountain"))["id"]
    for s in (a, b, c, f):
        await s.drain()

    assert (await a.command("proposal.draft", title="Green square", body="Trees", sources=[source]))["code"] \
        == "forbidden"
    drafted = await f.command("proposal.draft", title="A green square", body="Plant trees with benches.",
                              sources=[source])
    pid = drafted["id"]
    event = await f.event("proposal.drafted")
    assert event["proposal"]["status"] == "draft" and event["proposal"]["sources"] == [source]
    assert await a.nothing() and await c.nothing()
    assert (await a.command("proposal.endorse", proposal=pid, value="agree"))["code"] == "not_found"
    assert (await f.command("proposal.draft", title="x", body="y", sources=[999999]))["code"] == "invalid"

    assert (await f.command("proposal.update", proposal=pid, sources=[source, other]))["type"] == "ack"
    assert (await f.command("proposal.publish", proposal=pid))["type"] == "ack"
    published = await c.event("proposal.published")
    proposal = published["proposal"]
    assert proposal["status"] == "published" and proposal["sources"] == sorted([source, other])
    # Authors of the sources, of the ideas that build on them, and the drafter.
    assert proposal["contributors"] == sorted([an.pk, bo.pk, cas.pk, fac.pk])
    assert proposal["endorsements"] == {"agree": 0, "disagree": 0, "pass": 0} and proposal["response"] is None
    assert 0 < proposal["bridging"] <= 1
    # Contributing to a published proposal lifts the contributors to "collaborating".
    assert (await c.event("rung.changed"))["rung"] == "collaborating"
    assert (await f.command("proposal.publish", proposal=pid))["code"] == "conflict"

    assert (await f.command("proposal.update", proposal=pid, body="Plant twelve trees."))["type"] == "ack"
    updated = await a.event("proposal.updated")
    assert updated["proposal"]["edited"] is True and updated["proposal"]["body"] == "Plant twelve trees."
    for s in (a, b, c, f):
        await s.close()


async def test_endorsements_count_once_per_person_and_make_people_consulted():
    workshop, fac, official, (an, bo, cas), board = await setup()
    idea = await db(lambda: content.idea_post(
        actor=fac, board=board, text="Car-free Sundays"))()
    proposal = await db(lambda: proposals.proposal_draft(
        actor=fac, title="Car-free Sundays", body="Close the ring road on Sundays.", sources=[idea.pk]))()
    f = await Live.open(fac)
    await f.command("proposal.publish", proposal=proposal.pk)
    a, b = await Live.open(an), await Live.open(bo)
    first = await a.command("proposal.endorse", proposal=proposal.pk, value="agree")
    assert first["endorsements"] == {"agree": 1, "disagree": 0, "pass": 0}
    assert (await a.event("rung.changed"))["rung"] == "consulted"
    again = await a.command("proposal.endorse", proposal=proposal.pk, value="disagree")
    assert again["endorsements"] == {"agree": 0, "disagree": 1, "pass": 0}
    await b.command("proposal.endorse", proposal=proposal.pk, value="agree")
    event = await f.event("proposal.endorsed")
    while event["endorsements"] != {"agree": 1, "disagree": 1, "pass": 0}:
        event = await f.event("proposal.endorsed")
    assert event["proposal"] == proposal.pk and 0 < event["bridging"] < 1
    # A new socket (another device, a reload) is told what this person endorsed.
    again_b = await Live.open(bo)
    assert again_b.welcome["my_endorsements"] == {str(proposal.pk): "agree"}
    assert (await a.command("proposal.endorse", proposal=proposal.pk, value=None))["endorsements"]["disagree"] == 0
    again_a = await Live.open(an)
    assert again_a.welcome["my_endorsements"] == {}
    for s in (a, b, f, again_a, again_b):
        await s.close()


async def test_only_officials_respond_and_acceptance_empowers_source_authors():
    workshop, fac, official, (an, bo, cas), board = await setup()
    a, b, o, f = await Live.open(an), await Live.open(bo), await Live.open(official), await Live.open(fac)
    source = (await a.command("idea.post", board=board.pk, text="A playground by the station"))["id"]
    pid = (await f.command("proposal.draft", title="Playground", body="Build it.", sources=[source]))["id"]
    await f.command("proposal.publish", proposal=pid)
    for s in (a, b, o, f):
        await s.drain()
    assert (await f.command("proposal.respond", proposal=pid, status="accepted", message="Yes"))["code"] \
        == "forbidden"
    assert (await a.command("proposal.respond", proposal=pid, status="accepted", message="Yes"))["code"] \
        == "forbidden"
    review = await o.command("proposal.respond", proposal=pid, status="under_review", message="We look into it.")
    assert review["type"] == "ack"
    first = await b.event("proposal.responded")
    assert first["proposal"]["response"] == {**first["proposal"]["response"], "status": "under_review",
                                             "by": "alderman"}
    await o.command("proposal.respond", proposal=pid, status="accepted", message="Budget found for 2027.")
    second = await b.event("proposal.responded")
    assert [r["status"] for r in second["proposal"]["responses"]] == ["under_review", "accepted"]
    assert second["proposal"]["response"]["message"] == "Budget found for 2027."
    rung = await a.event("rung.changed")
    assert rung["rung"] == "empowered"
    assert await db(lambda: Response.objects.filter(proposal_id=pid).count())() == 2
    for s in (a, b, o, f):
        await s.close()


async def test_an_http_response_after_the_end_reaches_connected_clients_and_the_next_welcome():
    workshop, fac, official, (an,), board = await setup(1)
    a, f = await Live.open(an), await Live.open(fac)
    source = (await a.command("idea.post", board=board.pk, text="Night buses"))["id"]
    pid = (await f.command("proposal.draft", title="Night buses", body="Run them.", sources=[source]))["id"]
    await f.command("proposal.publish", proposal=pid)
    await f.command("workshop.end")
    await a.drain()
    assert (await a.command("proposal.endorse", proposal=pid, value="agree"))["code"] == "ended"

    client = Client(enforce_csrf_checks=True)

    def respond():
        client.force_login(get_user_model().objects.get(username="alderman"))
        token = client.get("/api/csrf").json()["csrf"]
        return client.post(f"/api/workshops/{workshop.code}/proposals/{pid}/response",
                           json.dumps({"status": "implemented", "message": "Running since May."}),
                           content_type="application/json", HTTP_X_CSRFTOKEN=token)

    response = await db(respond)()
    assert response.status_code == 201 and response.json()["proposal"]["response"]["status"] == "implemented"
    live = await a.event("proposal.responded")
    assert live["proposal"]["response"]["message"] == "Running since May."
    later = await Live.open(an)
    assert later.welcome["proposals"][0]["response"]["status"] == "implemented"
    assert later.welcome["me"]["rung"] == "empowered"

    def as_citizen():
        other = Client(enforce_csrf_checks=True)
        token = other.get("/api/csrf").json()["csrf"]
        return other.post(f"/api/workshops/{workshop.code}/proposals/{pid}/response",
                          json.dumps({"status": "declined", "message": "No"}), content_type="application/json",
                          HTTP_X_CSRFTOKEN=token)

    assert (await db(as_citizen)()).status_code == 401
    for s in (a, f, later):
        await s.close()


async def test_outcomes_are_public_once_published_and_exports_are_pseudonymised():
    workshop, fac, official, (an, bo), board = await setup(2)
    a, f = await Live.open(an), await Live.open(fac)
    client = Client()
    assert (await db(lambda: client.get(f"/api/workshops/{workshop.code}/outcomes"))()).status_code == 404
    source = (await a.command("idea.post", board=board.pk, text="Library open on Sundays"))["id"]
    pid = (await f.command("proposal.draft", title="Sunday library", body="Open it.", sources=[source]))["id"]
    await f.command("proposal.publish", proposal=pid)
    body = (await db(lambda: client.get(f"/api/workshops/{workshop.code}/outcomes"))()).json()
    [proposal] = body["proposals"]
    assert proposal["source_ideas"] == [{"id": source, "text": "Library open on Sundays", "status": "visible",
                                         "author": "An"}]
    assert {p["name"] for p in proposal["people"]} == {"An", "fac"}

    assert (await db(lambda: client.get(f"/api/workshops/{workshop.code}/export"))()).status_code == 401
    await db(lambda: client.force_login(get_user_model().objects.get(username="alderman")))()
    exported = (await db(lambda: client.get(f"/api/workshops/{workshop.code}/export?format=json"))()).json()
    assert [p["id"] for p in exported["participants"]] == ["P1", "P2", "P3", "P4"]
    text = json.dumps(exported)
    assert "An" not in [p.get("name") for p in exported["participants"]] and '"An"' not in text
    assert exported["ideas"][0]["author"].startswith("P") and exported["proposals"][0]["contributors"]
    csv_text = (await db(lambda: client.get(f"/api/workshops/{workshop.code}/export?format=csv"))()).content.decode()
    assert csv_text.splitlines()[0].startswith("kind,id,board,author,text")
    assert "Library open on Sundays" in csv_text and ",An," not in csv_text
    for s in (a, f):
        await s.close()


async def test_survey_answers_over_the_socket_are_checked():
    workshop, fac, official, (an,), board = await setup(1)
    a, o = await Live.open(an), await Live.open(official)
    assert a.welcome["my_survey"] is False
    assert (await a.command("survey.answer", answers={"safety": 11}))["code"] == "invalid"
    assert (await a.command("survey.answer", answers={"safety": 7.5}))["code"] == "invalid"
    assert (await a.command("survey.answer", answers={"relevance": 7}))["code"] == "invalid"
    assert (await a.command("survey.answer", answers={"safety": 7}, comment="Felt heard"))["type"] == "ack"
    assert (await a.command("survey.answer", answers={"safety": 8}))["code"] == "conflict"
    assert (await o.command("survey.answer", answers={"relevance": 9, "influence": 6}))["type"] == "ack"
    later = await Live.open(an)
    assert later.welcome["my_survey"] is True
    for s in (a, o, later):
        await s.close()


async def test_synthesis_suggest_groups_ideas_and_ranks_them_by_bridging():
    workshop, fac, official, (an, bo, cas), board = await setup()
    a, b, c, f = [await Live.open(p) for p in (an, bo, cas, fac)]
    trees = (await a.command("idea.post", board=board.pk, text="Meer bomen in het park"))["id"]
    more_trees = (await b.command("idea.post", board=board.pk, text="Meer bomen in de parken"))["id"]
    bus = (await c.command("idea.post", board=board.pk, text="Cheaper bus tickets for students"))["id"]
    for s in (b, c):
        await s.command("idea.react", idea=trees, value="agree")
    await a.command("idea.react", idea=bus, value="disagree")
    assert (await a.command("synthesis.suggest"))["code"] == "forbidden"
    # The first suggestion of a process imports scikit-learn: seconds on a loaded machine, over the 3 s default.
    answer = await f.command("synthesis.suggest", timeout=30)
    groups = [sorted(cluster["ideas"]) for cluster in answer["clusters"]]
    assert sorted([trees, more_trees]) in groups and [bus] in groups
    assert all(cluster["label"] for cluster in answer["clusters"])
    ranking = [row["idea"] for row in answer["bridging"]]
    assert ranking[0] == trees and ranking[-1] == bus
    assert answer["bridging"][0]["score"] == pytest.approx(3 / 4)  # (2 + 1) / (2 + 2), one group of everyone
    assert (await f.command("synthesis.suggest", board=999999))["code"] == "not_found"
    for s in (a, b, c, f):
        await s.close()


def _sources_case():
    """A workshop with one idea of each kind a proposal may or may not draw on."""
    from deliberation.models import Flag, Idea
    from tests.factories import citizen, idea, plenary, workshop_with_facilitator
    workshop, fac = workshop_with_facilitator()
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    board = plenary(workshop)
    ideas = {kind: idea(board, an, kind, status=status) for kind, status in [
        ("visible", Idea.Status.VISIBLE), ("held", Idea.Status.HELD), ("hidden", Idea.Status.HIDDEN),
        ("flagged", Idea.Status.VISIBLE), ("flag dismissed", Idea.Status.VISIBLE)]}
    Flag.objects.create(idea=ideas["flagged"], by=bo, reason=Flag.Reason.ABUSE)
    Flag.objects.create(idea=ideas["flag dismissed"], by=bo, reason=Flag.Reason.ABUSE, status=Flag.Status.DISMISSED)
    return workshop, fac, ideas


@pytest.mark.parametrize("kind", ["held", "hidden", "flagged"])
def test_a_hidden_held_or_flagged_idea_is_refused_as_a_source_and_nothing_changes(kind):
    from deliberation.models import Proposal
    from tests.factories import emitted, last_seq
    from workshops.errors import DomainError
    from django.db import transaction
    workshop, fac, ideas = _sources_case()
    before = last_seq(workshop)
    with pytest.raises(DomainError) as refused, transaction.atomic():
        proposals.proposal_draft(actor=fac, title="Park", body="A park.", sources=[ideas["visible"].pk, ideas[kind].pk])
    assert refused.value.code == "invalid" and "sources" in refused.value.fields
    assert not Proposal.objects.exists() and emitted(workshop, after=before) == []
    draft = proposals.proposal_draft(actor=fac, title="Park", body="A park.", sources=[ideas["visible"].pk])
    with pytest.raises(DomainError) as again, transaction.atomic():
        proposals.proposal_update(actor=fac, proposal=draft, sources=[ideas[kind].pk])
    assert again.value.code == "invalid"
    assert list(draft.sources.values_list("pk", flat=True)) == [ideas["visible"].pk]


def test_only_visible_unflagged_ideas_are_suggested_as_sources():
    from deliberation import synthesis
    workshop, fac, ideas = _sources_case()
    answer = synthesis.suggest(workshop.pk)
    offered = {pk for cluster in answer["clusters"] for pk in cluster["ideas"]}
    assert offered == {item["idea"] for item in answer["bridging"]} == {ideas["visible"].pk, ideas["flag dismissed"].pk}
    proposals.proposal_draft(actor=fac, title="Park", body="A park.", sources=[ideas["flag dismissed"].pk])
