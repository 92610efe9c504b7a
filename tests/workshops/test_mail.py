"""The outbox, sent to a real SMTP server (aiosmtpd on 127.0.0.1): outages, refusals, leases, batches."""
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import workshop_with_facilitator
from workshops import mail
from workshops.models import Contact, Mail

pytestmark = pytest.mark.django_db


def queued(workshop, n: int = 1, *, to="p{i}@example.org") -> list[Mail]:
    now = timezone.now()
    from tests.factories import citizen
    contacts = [Contact.objects.create(participant=citizen(workshop, f"P{i}"), email=to.format(i=i),
                                       confirm_hash=f"{workshop.pk}-{i}", confirm_sent_at=now, confirm_used=True,
                                       confirmed_at=now) for i in range(n)]
    return Mail.objects.bulk_create([Mail(workshop=workshop, contact=c, kind="notify", to=c.email, not_before=now,
                                          data={"events": [{"kind": "published", "proposal": 1, "title": "Trees"}]})
                                     for c in contacts])


def test_a_batch_goes_over_one_connection_and_each_mail_once(smtp):
    workshop, _ = workshop_with_facilitator()
    queued(workshop, 30)
    assert mail.outbox_send_due(worker="a") == 30
    assert mail.outbox_send_due(worker="b") == 0
    assert len(smtp.inbox.messages) == 30 and smtp.inbox.connections == 1
    assert len({m["Message-ID"] for m in smtp.inbox.messages}) == 30
    assert set(Mail.objects.values_list("status", flat=True)) == {"sent"}


def test_a_server_that_is_down_and_comes_back_gets_the_mail_once(smtp):
    workshop, _ = workshop_with_facilitator()
    [queued_mail] = queued(workshop)
    smtp.stop()
    assert mail.outbox_send_due(worker="a") == 0
    waiting = Mail.objects.get()
    assert (waiting.status, waiting.attempts, waiting.claimed_until) == ("pending", 1, None)
    assert "connect" in waiting.last_error
    # Tried again within a minute (backoff 2, 4, ... 60 s), and not before its time.
    assert timedelta(0) < waiting.not_before - timezone.now() <= timedelta(seconds=60)
    Mail.objects.update(attempts=9)
    assert mail.outbox_send_due(worker="a") == 0  # not yet due
    Mail.objects.update(not_before=timezone.now())
    mail.outbox_send_due(worker="a")
    assert Mail.objects.get().not_before - timezone.now() <= timedelta(seconds=60)

    smtp.start()
    Mail.objects.update(not_before=timezone.now())
    assert mail.outbox_send_due(worker="a") == 1
    assert mail.outbox_send_due(worker="a") == 0
    assert len(smtp.inbox.messages) == 1
    assert smtp.inbox.messages[0]["Message-ID"] == mail.mail_message(queued_mail).message()["Message-ID"]


def test_a_permanent_refusal_is_recorded_and_not_tried_again(smtp):
    workshop, _ = workshop_with_facilitator()
    queued(workshop, 3)
    smtp.inbox.refuse.add("p1@example.org")
    assert mail.outbox_send_due(worker="a") == 2  # the others on the same connection still go
    refused = Mail.objects.get(to="p1@example.org")
    assert refused.status == "failed" and "550" in refused.last_error
    Mail.objects.update(not_before=timezone.now() - timedelta(hours=1))
    assert mail.outbox_send_due(worker="a") == 0
    assert sorted(m["To"] for m in smtp.inbox.messages) == ["p0@example.org", "p2@example.org"]


def test_a_mail_deferred_for_days_is_given_up_on(smtp):
    workshop, _ = workshop_with_facilitator()
    queued(workshop)
    smtp.stop()
    Mail.objects.update(created_at=timezone.now() - mail.GIVE_UP)
    mail.outbox_send_due(worker="a")
    gave_up = Mail.objects.get()
    assert gave_up.status == "failed" and gave_up.last_error.startswith("gave up")


def test_a_claimed_mail_waits_for_its_lease_and_then_goes_once(smtp):
    """A worker killed after its claim: its mail is not sent by another while the lease holds, then it is."""
    workshop, _ = workshop_with_facilitator()
    queued(workshop, 2)
    claim, batch = mail._claim(now=timezone.now(), worker="killed")
    assert len(batch) == 2
    assert mail._claim(now=timezone.now(), worker="other") == ("", [])  # two claims never share a mail
    assert mail.outbox_send_due(worker="other") == 0
    later = timezone.now() + mail.lease() + timedelta(seconds=1)
    assert mail.outbox_send_due(worker="other", now=later) == 2
    assert len(smtp.inbox.messages) == 2
    # The killed worker's late mark (had it woken up) changes nothing: its claim is gone.
    mail._mark(batch[0], claim, status="pending")
    assert set(Mail.objects.values_list("status", flat=True)) == {"sent"}


def test_headers_of_every_mail(smtp):
    workshop, _ = workshop_with_facilitator(language="fr")
    [queued_mail] = queued(workshop)
    message = mail.mail_message(queued_mail).message()
    assert message["Content-Language"] == "fr"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith(f"<https://inspraak.example.org/api/workshops/{workshop.code}/")
    assert message.get_content_type() == "multipart/alternative"
    assert message["From"] == "Inspraak <noreply@inspraak.example.org>"


def test_without_email_host_mail_goes_to_the_console(settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    workshop, _ = workshop_with_facilitator()
    queued(workshop)
    assert mail.outbox_send_due(worker="a") == 1
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in capsys.readouterr().out


def test_facilitators_see_what_was_refused_for_good_without_the_address(smtp):
    from django.test import Client

    from workshops import contact
    workshop, fac = workshop_with_facilitator()
    queued(workshop, 3)
    smtp.inbox.refuse.add("p1@example.org")
    mail.outbox_send_due(worker="a")
    staff = Client()
    staff.force_login(fac.user)
    report = staff.get(f"/api/workshops/{workshop.code}/mail").json()
    assert (report["sent"], report["pending"], report["failed"]) == (2, 0, 1)
    [failure] = report["failures"]
    assert failure["participant"]["name"] == "P1" and "550" in failure["error"]
    assert "p1@example.org" not in str(report)
    citizen_client = Client()
    answer = citizen_client.post(f"/api/workshops/{workshop.code}/join", {"name": "Eve"},
                                 content_type="application/json")
    assert answer.status_code == 201
    assert citizen_client.get(f"/api/workshops/{workshop.code}/mail").status_code == 403
    # "My data" of the refused participant: their address and the mail, with what became of it.
    refused = Mail.objects.get(status="failed").contact.participant
    assert contact.contact_data(refused)["email"] == "p1@example.org"
    assert [m["status"] for m in contact.mail_data(refused)] == ["failed"]


def test_a_mail_whose_address_went_during_the_batch_is_not_sent(smtp):
    workshop, _ = workshop_with_facilitator()
    queued(workshop, 3)
    claim, batch = mail._claim(now=timezone.now(), worker="a")
    Contact.objects.filter(email="p1@example.org").delete()  # unsubscribed while the batch was on its way
    assert mail._send_batch(claim, batch) == 2
    assert sorted(m["To"] for m in smtp.inbox.messages) == ["p0@example.org", "p2@example.org"]
