"""Contact by mail: double opt-in, the limits, one-click unsubscribe, and what each notification says,
sent through a real SMTP server (aiosmtpd on 127.0.0.1)."""
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from deliberation import moderation, proposals
from deliberation.models import Appeal, Endorsement
from tests.factories import citizen, idea, plenary, staff_member, workshop_with_facilitator
from workshops import background, contact, mail
from workshops.models import Contact, Mail, Participant

pytestmark = pytest.mark.django_db


def send() -> int:
    """What each server's background loop does: fire due deadlines (news into the outbox), send the outbox."""
    background.run_due_deadlines()
    return mail.outbox_send_due(worker="test")


def joined(workshop, name="An") -> tuple[Client, Participant]:
    client = Client()
    answer = client.post(f"/api/workshops/{workshop.code}/join", {"name": name}, content_type="application/json")
    assert answer.status_code == 201
    return client, Participant.objects.get(pk=answer.json()["participant"]["id"])


def token_of(message) -> str:
    url = next(line for line in message.get_body(("plain",)).get_content().splitlines() if "/c/" in line)
    return url.strip().rsplit("/c/", 1)[1]


def confirmed(participant: Participant, address: str) -> Contact:
    contact.contact_set(actor=participant, email=address)
    token = Mail.objects.get(contact__participant=participant, kind="confirm", status="pending").data["url"]
    return contact.contact_confirm(token=token.rsplit("/c/", 1)[1])


def close_windows() -> None:
    background.run_due_deadlines()
    Mail.objects.filter(status="pending").update(not_before=timezone.now())


def test_double_opt_in_sends_a_link_that_confirms_once(smtp):
    workshop, _ = workshop_with_facilitator(language="en")
    client, an = joined(workshop)
    answer = client.post(f"/api/workshops/{workshop.code}/me/contact", {"email": "an@example.org"},
                         content_type="application/json")
    assert answer.status_code == 202
    assert not Contact.objects.get(participant=an).confirmed_at
    assert send() == 1
    [message] = smtp.inbox.to("an@example.org")
    token = token_of(message)
    assert f"https://inspraak.example.org/c/{token}" in message.get_body(("html",)).get_content()

    page = Client().get(f"/c/{token}")  # any browser: the link is all it needs
    assert page.status_code == 200 and b'id="confirm-button"' in page.content
    confirm = Client().post("/api/contact/confirm", {"token": token}, content_type="application/json")
    assert confirm.status_code == 200 and confirm.json() == {"workshop": workshop.code}
    assert Contact.objects.get(participant=an).confirmed_at is not None

    again = Client().post("/api/contact/confirm", {"token": token}, content_type="application/json")
    assert (again.status_code, again.json()["error"]) == (410, "gone")
    page = Client().get(f"/c/{token}")
    assert page.status_code == 410 and b"This link no longer works" in page.content


def test_a_confirmation_link_expires_after_seven_days(smtp):
    workshop, _ = workshop_with_facilitator(language="en")
    _, an = joined(workshop)
    contact.contact_set(actor=an, email="an@example.org")
    token = Mail.objects.get(kind="confirm").data["url"].rsplit("/c/", 1)[1]
    Contact.objects.update(confirm_sent_at=timezone.now() - timedelta(days=7, minutes=1))
    answer = Client().post("/api/contact/confirm", {"token": token}, content_type="application/json")
    assert answer.status_code == 410
    assert Contact.objects.get().confirmed_at is None


def test_a_new_address_voids_the_earlier_link(smtp):
    workshop, _ = workshop_with_facilitator(language="en")
    _, an = joined(workshop)
    contact.contact_set(actor=an, email="an@example.org")
    first = Mail.objects.get(kind="confirm").data["url"].rsplit("/c/", 1)[1]
    contact.contact_set(actor=an, email="an@example.net")
    assert Mail.objects.filter(kind="confirm").count() == 1  # the unsent first mail is gone with its token
    assert Client().post("/api/contact/confirm", {"token": first}, content_type="application/json").status_code == 410


def test_an_invalid_address_is_refused_and_changes_nothing(smtp):
    workshop, _ = workshop_with_facilitator(language="en")
    client, _ = joined(workshop)
    for bad in ("not an address", "an@", "", "a" * 300 + "@example.org"):
        answer = client.post(f"/api/workshops/{workshop.code}/me/contact", {"email": bad},
                             content_type="application/json")
        assert answer.status_code == 400 and answer.json()["error"] == "invalid"
        assert "email" in answer.json()["fields"]
    assert not Contact.objects.exists() and not Mail.objects.exists()


def test_a_fourth_confirmation_mail_within_the_hour_is_refused(smtp):
    workshop, _ = workshop_with_facilitator(language="en")
    client, _ = joined(workshop)
    codes = [client.post(f"/api/workshops/{workshop.code}/me/contact", {"email": f"an{i}@example.org"},
                         content_type="application/json") for i in range(4)]
    assert [a.status_code for a in codes] == [202, 202, 202, 429]
    assert codes[-1].json()["retry_after"] > 0
    assert Contact.objects.get().email == "an2@example.org"


def test_only_a_participant_gives_an_address(smtp):
    workshop, _ = workshop_with_facilitator(language="en")
    answer = Client().post(f"/api/workshops/{workshop.code}/me/contact", {"email": "x@example.org"},
                           content_type="application/json")
    assert answer.status_code == 401


def published(workshop, fac, authors, title="Green square"):
    board = plenary(workshop)
    sources = [idea(board, author, f"Idea of {author.name}") for author in authors]
    draft = proposals.proposal_draft(actor=fac, title=title, body="Plant trees", sources=[i.pk for i in sources])
    return proposals.proposal_publish(actor=fac, proposal=draft)


def test_deleting_the_address_stops_the_mail_waiting_for_it(smtp):
    workshop, fac = workshop_with_facilitator(language="en")
    client, an = joined(workshop)
    confirmed(an, "an@example.org")
    send()
    published(workshop, fac, [an])
    assert client.delete(f"/api/workshops/{workshop.code}/me/contact").status_code == 204
    close_windows()
    assert send() == 0 and not smtp.inbox.to("an@example.org")[1:]
    assert not Contact.objects.exists() and not Mail.objects.exists()


def test_one_click_unsubscribe_needs_no_cookie_and_stops_the_mail(smtp):
    workshop, fac = workshop_with_facilitator(language="en")
    _, an = joined(workshop)
    _, an_again = joined(workshop, "An on her phone")
    confirmed(an, "an@example.org")
    confirmed(an_again, "AN@example.org")
    published(workshop, fac, [an, an_again])
    close_windows()
    send()
    notification = [m for m in smtp.inbox.to("an@example.org") if "became" in m["Subject"]][0]
    assert notification["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = notification["List-Unsubscribe"].strip().strip("<>")
    assert url.startswith(f"https://inspraak.example.org/api/workshops/{workshop.code}/unsubscribe/")

    browser = Client(enforce_csrf_checks=True)  # no cookie, no CSRF token, as a mail program posts
    assert browser.get(url.split("example.org", 1)[1]).status_code == 405
    answer = browser.post(url.split("example.org", 1)[1], "List-Unsubscribe=One-Click",
                          content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    assert not Contact.objects.exists()  # that address, on both of her browsers
    published(workshop, fac, [an, an_again], title="Second")
    close_windows()
    assert send() == 0


def test_an_unsubscribe_token_of_another_workshop_has_no_effect(smtp):
    first, fac = workshop_with_facilitator()
    second, _ = workshop_with_facilitator(username="fac2")
    _, an = joined(first)
    _, bo = joined(second, "Bo")
    confirmed(an, "an@example.org")
    confirmed(bo, "bo@example.org")
    token = contact.unsubscribe_url(code=first.code, contact_id=an.contact.pk).rsplit("/", 1)[1]
    for code, token_ in ((second.code, token),  # her token, the other workshop's address
                         (second.code, contact.unsubscribe_url(code=second.code, contact_id=an.contact.pk)
                          .rsplit("/", 1)[1].replace(str(an.contact.pk), str(bo.contact.pk), 1))):
        answer = Client().post(f"/api/workshops/{code}/unsubscribe/{token_}", "List-Unsubscribe=One-Click",
                               content_type="application/x-www-form-urlencoded")
        assert answer.status_code == 200
    assert Contact.objects.count() == 2


def test_unconfirmed_addresses_get_no_news(smtp):
    workshop, fac = workshop_with_facilitator(language="en")
    _, an = joined(workshop)
    contact.contact_set(actor=an, email="an@example.org")
    published(workshop, fac, [an])
    background.run_due_deadlines()
    assert not Mail.objects.filter(kind="notify").exists()


NOTICES = {
    "en": ("What became of your ideas", "An idea of yours is a source of the proposal “Green square”",
           "An official answered the proposal “Green square”", "accepted", "Your appeal was granted"),
    "nl": ("Wat er van je ideeën werd", "Een idee van jou is een bron van het voorstel “Green square”",
           "Een ambtenaar heeft het voorstel “Green square” beantwoord", "aangenomen", "Je bezwaar is toegewezen"),
    "fr": ("Ce que sont devenues vos idées", "Une de vos idées est à la source de la proposition « Green square »",
           "Un·e responsable a répondu à la proposition « Green square »", "acceptée", "Votre recours a été accepté"),
    "de": ("Was aus Ihren Ideen geworden ist", "Eine Ihrer Ideen ist eine Quelle des Vorschlags „Green square“",
           "Eine Amtsperson hat den Vorschlag „Green square“ beantwortet", "angenommen",
           "Ihrem Einspruch wurde stattgegeben"),
}


@pytest.mark.parametrize("language", sorted(NOTICES))
def test_every_kind_of_notification_in_one_mail_in_the_workshops_language(smtp, language):
    subject, published_text, answered_text, status, appeal_text = NOTICES[language]
    workshop, fac = workshop_with_facilitator(language=language)
    _, an = joined(workshop)
    _, bo = joined(workshop, "Bo")
    mod = staff_member(workshop, "moderator", "mo")
    official = staff_member(workshop, "official", "alderman")
    confirmed(an, "an@example.org")
    confirmed(bo, "bo@example.org")
    send()
    proposal = published(workshop, fac, [an])
    Endorsement.objects.create(proposal=proposal, participant=bo, value="agree")
    proposals.proposal_respond(actor=official, proposal_id=proposal.pk, status="accepted",
                               message="We plant them in spring.\nThank you & <see you>!")
    hidden = idea(plenary(workshop), an, "Benches by the pond", status="hidden")
    Appeal.objects.create(idea=hidden, text="Why?")
    moderation.appeal_decide(actor=mod, idea=hidden, uphold=True, note="A mistake, sorry")
    assert send() == 0  # the window is still open
    close_windows()
    assert send() == 2

    [mail_an] = [m for m in smtp.inbox.to("an@example.org") if m["Subject"].strip().startswith(subject)]
    assert mail_an["Content-Language"] == language
    text = mail_an.get_body(("plain",)).get_content()
    html = mail_an.get_body(("html",)).get_content()
    for expected in (published_text, answered_text, status, "We plant them in spring.", "Thank you & <see you>!",
                     appeal_text, "Benches by the pond", "A mistake, sorry",
                     f"https://inspraak.example.org/w/{workshop.code}/outcomes"):
        assert expected in text, expected
    assert f'<html lang="{language}">' in html and "Thank you &amp; &lt;see you&gt;!" in html
    assert f'href="https://inspraak.example.org/w/{workshop.code}/outcomes"' in html
    # Bo endorsed the proposal: the answer reaches her, and nothing of An's.
    [mail_bo] = [m for m in smtp.inbox.to("bo@example.org") if m["Subject"].strip().startswith(subject)]
    bo_text = mail_bo.get_body(("plain",)).get_content()
    assert answered_text in bo_text and published_text not in bo_text and "Benches" not in bo_text


def test_events_after_the_window_closed_go_in_the_next_mail(smtp, settings):
    settings.INSPRAAK = {**settings.INSPRAAK, "NOTIFY_DELAY_S": 300}
    workshop, fac = workshop_with_facilitator(language="en")
    _, an = joined(workshop)
    official = staff_member(workshop, "official", "alderman")
    confirmed(an, "an@example.org")
    send()
    proposal = published(workshop, fac, [an])
    background.run_due_deadlines()
    window = Mail.objects.get(kind="notify")
    assert 295 <= (window.not_before - timezone.now()).total_seconds() <= 300
    proposals.proposal_respond(actor=official, proposal_id=proposal.pk, status="under_review", message="First")
    background.run_due_deadlines()
    assert Mail.objects.filter(kind="notify").count() == 1  # the same window
    close_windows()
    send()
    proposals.proposal_respond(actor=official, proposal_id=proposal.pk, status="implemented", message="Done")
    background.run_due_deadlines()
    assert Mail.objects.filter(kind="notify", status="pending").count() == 1
    close_windows()
    send()
    first, second = [m for m in smtp.inbox.to("an@example.org") if "became" in m["Subject"]]
    assert "First" in first.get_body(("plain",)).get_content() and "Done" not in first.get_body(("plain",)).get_content()
    assert "Done" in second.get_body(("plain",)).get_content()


def test_an_answer_to_many_queues_their_mail_in_a_few_queries(smtp, django_assert_max_num_queries):
    workshop, fac = workshop_with_facilitator(language="en")
    official = staff_member(workshop, "official", "alderman")
    proposal = published(workshop, fac, [citizen(workshop, "Author")])
    people = [citizen(workshop, f"P{i}") for i in range(120)]
    Endorsement.objects.bulk_create([Endorsement(proposal=proposal, participant=p, value="agree") for p in people])
    now = timezone.now()
    Contact.objects.bulk_create([Contact(participant=p, email=f"p{i}@example.org", confirm_hash=f"h{i}",
                                         confirm_sent_at=now, confirm_used=True, confirmed_at=now)
                                 for i, p in enumerate(people)])
    with django_assert_max_num_queries(40):
        proposals.proposal_respond(actor=official, proposal_id=proposal.pk, status="accepted", message="Yes")
    assert not Mail.objects.exists()  # one deadline row in the answer's transaction, whatever the number
    with django_assert_max_num_queries(13):
        background.run_due_deadlines()
    assert Mail.objects.filter(kind="notify").count() == 120
    assert not smtp.inbox.messages  # nothing was sent yet


def test_the_link_page_speaks_the_workshops_language_and_says_when_a_link_is_gone(smtp):
    workshop, _ = workshop_with_facilitator(language="nl")
    _, an = joined(workshop)
    confirmed(an, "an@example.org")
    token = Mail.objects.get(kind="confirm").data["url"].rsplit("/c/", 1)[1]
    page = Client(HTTP_ACCEPT_LANGUAGE="fr").get(f"/c/{token}")
    assert page.status_code == 410
    assert '<html lang="nl"' in page.content.decode() and "Deze link werkt niet meer" in page.content.decode()
    unknown = Client().get("/c/not-a-token")
    assert unknown.status_code == 410


def test_ending_the_workshop_does_not_cancel_news_on_its_way(smtp):
    from workshops import services
    workshop, fac = workshop_with_facilitator(language="en")
    _, an = joined(workshop)
    confirmed(an, "an@example.org")
    send()
    published(workshop, fac, [an])
    services.workshop_end(actor=fac)  # in the same second, before the loop fired the news
    close_windows()
    send()
    assert [m for m in smtp.inbox.to("an@example.org") if "became" in m["Subject"]]
