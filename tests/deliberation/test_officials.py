"""The officials' page and weekly mail: what waits for a response or an update, across their workshops."""
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from deliberation import officials
from deliberation.models import Proposal, Response
from tests.factories import staff_member, workshop_with_facilitator
from workshops import mail
from workshops.contact import mail_report
from workshops.models import Mail, Participant

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def proposal(workshop, title, *, days_ago=3, status="published"):
    return Proposal.objects.create(workshop=workshop, title=title, body="Body", status=status,
                                   published_at=timezone.now() - days_ago * DAY if status == "published" else None)


def respond(p, official, *, days_ago, status="under_review"):
    r = Response.objects.create(proposal=p, official=official, status=status, message="We look into it.")
    Response.objects.filter(pk=r.pk).update(created_at=timezone.now() - days_ago * DAY)
    return r


@pytest.fixture
def made():
    """Two workshops with one official account in both, and a third where that account is a facilitator."""
    first, _ = workshop_with_facilitator(username="fac1", language="fr")
    second, _ = workshop_with_facilitator(username="fac2", language="nl")
    official = staff_member(first, "official", "mayor")
    official.user.email = "mayor@example.org"
    official.user.save()
    other = Participant.objects.create(workshop=second, user=official.user, name="Mayor", role="official")
    elsewhere, _ = workshop_with_facilitator(username="fac3")
    Participant.objects.create(workshop=elsewhere, user=official.user, name="Mayor", role="facilitator")
    return {"first": first, "second": second, "elsewhere": elsewhere, "official": official, "other": other}


def listed(user):
    return {w["workshop"]["code"]: [(p["title"], p["waiting"]) for p in w["proposals"]]
            for w in officials.awaiting_officials(user)}


def test_unanswered_and_stale_proposals_are_listed_per_workshop_and_nothing_else(made):
    first, second, official = made["first"], made["second"], made["official"]
    proposal(first, "Old unanswered", days_ago=9)
    proposal(first, "New unanswered", days_ago=1)
    respond(proposal(first, "Stale", days_ago=90), official, days_ago=31)
    respond(proposal(first, "Fresh", days_ago=90), official, days_ago=29)
    stale_then_fresh = proposal(first, "Stale then fresh", days_ago=90)
    respond(stale_then_fresh, official, days_ago=60)
    respond(stale_then_fresh, official, days_ago=2)
    proposal(first, "Draft", status="draft")
    proposal(second, "Benches", days_ago=5)
    proposal(made["elsewhere"], "Not as an official", days_ago=5)

    assert listed(official.user) == {
        first.code: [("Old unanswered", "unanswered"), ("New unanswered", "unanswered"), ("Stale", "update_due")],
        second.code: [("Benches", "unanswered")]}
    groups = officials.awaiting_officials(official.user)
    assert [g["workshop"]["code"] for g in groups] == [second.code, first.code]  # newest workshop first
    item = next(p for p in groups[1]["proposals"] if p["title"] == "Stale")
    assert item["days"] == 31 and item["response"]["status"] == "under_review" and item["response"]["by"] == "mayor"


def test_update_due_days_is_a_setting(made, settings):
    respond(proposal(made["first"], "Stale", days_ago=90), made["official"], days_ago=10)
    assert listed(made["official"].user) == {}
    settings.INSPRAAK = {**settings.INSPRAAK, "UPDATE_DUE_DAYS": 7}
    assert listed(made["official"].user) == {made["first"].code: [("Stale", "update_due")]}


def test_a_removed_official_is_not_asked(made):
    proposal(made["second"], "Benches")
    Participant.objects.filter(pk=made["other"].pk).update(removed=True)
    assert made["second"].code not in listed(made["official"].user)


def test_the_api_is_for_staff_and_a_response_through_the_respond_api_takes_a_proposal_off(made):
    first, official = made["first"], made["official"]
    p = proposal(first, "Trees")
    assert Client().get("/api/officials/awaiting").status_code == 401
    client = Client()
    client.force_login(official.user)
    body = client.get("/api/officials/awaiting").json()
    assert body["update_due_days"] == 30
    assert [(w["workshop"]["code"], [x["id"] for x in w["proposals"]]) for w in body["workshops"]] == [(first.code, [p.pk])]
    answered = client.post(f"/api/workshops/{first.code}/proposals/{p.pk}/response",
                           {"status": "accepted", "message": "Planted in spring."}, content_type="application/json")
    assert answered.status_code == 201
    assert client.get("/api/officials/awaiting").json()["workshops"] == []


def test_a_digest_is_queued_once_a_week_for_each_official_with_an_address(made):
    proposal(made["first"], "Trees")
    nobody = staff_member(made["first"], "official", "no-address")  # no address on the account
    now = timezone.now()
    assert officials.digests_queue(now=now) == 1
    assert officials.digests_queue(now=now + timedelta(minutes=10)) == 0  # checked again the same week
    [digest] = Mail.objects.filter(kind="digest")
    assert (digest.user, digest.to, digest.week, digest.workshop, digest.contact) == (
        made["official"].user, "mayor@example.org", officials.digest_week(now), None, None)
    assert not Mail.objects.filter(user=nobody.user).exists()
    # A second process that read the same "not yet this week" gets no second row.
    with pytest.raises(IntegrityError), transaction.atomic():
        Mail.objects.create(kind="digest", user=made["official"].user, week=digest.week, to="x@example.org",
                            data={}, not_before=now)
    assert officials.digests_queue(now=now + 7 * DAY) == 1  # the next week


def test_no_digest_when_nothing_waits(made):
    respond(proposal(made["first"], "Trees"), made["official"], days_ago=1)
    assert officials.digests_queue() == 0


def test_two_processes_checking_at_once_queue_one_digest(made, monkeypatch):
    """Both read "no digest this week yet" before either wrote: the unique (user, week) keeps one."""
    proposal(made["first"], "Trees")
    now = timezone.now()
    real = officials.awaiting_officials

    def and_the_other_process_too(user, *, now):
        groups = real(user, now=now)
        if not Mail.objects.filter(kind="digest").exists():
            monkeypatch.setattr(officials, "awaiting_officials", real)
            assert officials.digests_queue(now=now) == 1  # the other process, in between
        return groups

    monkeypatch.setattr(officials, "awaiting_officials", and_the_other_process_too)
    assert officials.digests_queue(now=now) == 0
    assert Mail.objects.filter(kind="digest").count() == 1


@pytest.mark.parametrize("language, expected", [
    ("en", ["2 proposals wait for your response or an update", "no response yet", "last update 40 days ago"]),
    ("nl", ["2 voorstellen wachten op uw antwoord of een update", "nog geen antwoord", "laatste update 40 dagen geleden"]),
    ("fr", ["2 propositions attendent votre réponse ou une mise à jour", "pas encore de réponse",
            "dernière mise à jour il y a 40 jours"]),
    ("de", ["2 Vorschläge warten auf Ihre Antwort oder ein Update", "noch keine Antwort", "letztes Update vor 40 Tagen"]),
])
def test_the_digest_goes_out_through_the_outbox_in_the_newest_workshops_language(made, smtp, language, expected):
    newest = made["second"]
    newest.language = language
    newest.save()
    proposal(newest, "Benches <by> the pond", days_ago=4)
    respond(proposal(made["first"], "Trees", days_ago=90), made["official"], days_ago=40, status="accepted")
    officials.digests_queue()
    assert mail.outbox_send_due(worker="a") == 1
    [message] = smtp.inbox.to("mayor@example.org")
    subject, text = message["Subject"].strip(), message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert subject == expected[0]
    assert message["Content-Language"] == language and message["List-Unsubscribe"] is None
    assert "Benches <by> the pond" in text and "Benches &lt;by&gt; the pond" in html
    assert expected[1] in text and expected[2] in text and expected[1] in html
    assert "https://inspraak.example.org/officials" in text and 'href="https://inspraak.example.org/officials"' in html
    assert f"https://inspraak.example.org/w/{made['first'].code}/outcomes" in text
    assert f'<html lang="{language}">' in html
    assert Mail.objects.get(kind="digest").status == "sent"


def test_a_refused_digest_is_shown_to_its_official_not_in_the_workshops_mail_report(made, smtp):
    proposal(made["first"], "Trees")
    client = Client()
    client.force_login(made["official"].user)
    assert client.get("/api/officials/awaiting").json()["digest"] is None
    officials.digests_queue()
    smtp.inbox.refuse.add("mayor@example.org")
    mail.outbox_send_due(worker="a")
    assert Mail.objects.get(kind="digest").status == "failed"
    assert mail_report(made["first"].pk)["failed"] == 0
    body = client.get("/api/officials/awaiting").json()
    assert body["email"] == "mayor@example.org"
    assert body["digest"]["status"] == "failed" and body["digest"]["error"].startswith("550")
    assert body["digest"]["to"] == "mayor@example.org"
