"""Contact by mail (PROTOCOL 3.3): double opt-in, one-click unsubscribe, and the notifications.

A notification is written in the transaction of the change that causes it (`notify`, one deadline
row), and the background loop turns it into outbox rows (`notify_deliver`): the first event for a
person opens a window of INSPRAAK_NOTIFY_DELAY_S, and every later event in it joins the same
outbox row, which goes out when the window closes (its `not_before`).
"""
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Coalesce
from django.utils import timezone

from .errors import DomainError
from .mail import public_url
from .models import Contact, Deadline, Mail, Participant, Workshop
from .times import iso

__all__ = ["CONFIRM_LIFETIME", "NOTIFY", "contact_confirm", "contact_confirm_state", "contact_data", "contact_remove",
           "contact_set", "contact_unsubscribe", "contacts_expire", "mail_data", "mail_report", "notify",
           "notify_deliver", "unsubscribe_url"]

CONFIRM_LIFETIME = timedelta(days=7)
NOTIFY = "mail.notify"  # the deadline that turns an event into notifications (workshops.background)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _unsubscribe_signer(code: str) -> signing.Signer:
    # The workshop's code is in the salt: a token made for another workshop does not verify here.
    return signing.Signer(salt=f"inspraak.unsubscribe:{code.lower()}")


def unsubscribe_url(*, code: str, contact_id: int) -> str:
    """The List-Unsubscribe URL of a contact: works for its own workshop only, and until it is deleted."""
    return public_url(f"/api/workshops/{code}/unsubscribe/{_unsubscribe_signer(code).sign(str(contact_id))}")


@transaction.atomic
def contact_set(*, actor: Participant, email: str) -> Contact:
    """Take an address and queue its confirmation mail; a new one voids the link of the one before."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError("invalid", fields={"email": "Not a valid e-mail address."}) from None
    token, now = secrets.token_urlsafe(32), timezone.now()
    Participant.objects.select_for_update().filter(pk=actor.pk).first()  # two requests at once: one after the other
    contact = Contact.objects.select_for_update().filter(participant=actor).first()
    if contact is None:
        contact = Contact(participant=actor)
    elif contact.email.lower() != email.lower():
        contact.confirmed_at = None  # a new address is confirmed anew; mail waiting for the old one goes
        contact.mails.filter(status=Mail.Status.PENDING).delete()
    contact.email, contact.confirm_hash, contact.confirm_sent_at, contact.confirm_used = email, _hash(token), now, False
    contact.save()
    contact.mails.filter(kind=Mail.Kind.CONFIRM, status=Mail.Status.PENDING).delete()
    Mail.objects.create(workshop_id=actor.workshop_id, contact=contact, kind=Mail.Kind.CONFIRM, to=email,
                        data={"url": public_url(f"/c/{token}")}, not_before=now)
    return contact


def contact_confirm_state(token: str) -> tuple[str, Contact | None]:
    """("ok", contact) for a token that can still be used; ("gone", contact or None) for one used, expired or unknown."""
    contact = Contact.objects.select_related("participant__workshop").filter(confirm_hash=_hash(token)).first()
    if contact is None or contact.confirm_used or timezone.now() - contact.confirm_sent_at > CONFIRM_LIFETIME:
        return "gone", contact
    return "ok", contact


@transaction.atomic
def contact_confirm(*, token: str) -> Contact:
    """Confirm an address with its token: once, within CONFIRM_LIFETIME; otherwise `gone` (410)."""
    state, contact = contact_confirm_state(token)
    # The conditional update makes "once" hold when the link is followed twice at the same moment.
    if state != "ok" or not Contact.objects.filter(pk=contact.pk, confirm_used=False).update(
            confirm_used=True, confirmed_at=timezone.now()):
        raise DomainError("gone", "This confirmation link was used already or has expired.")
    contact.refresh_from_db()
    return contact


@transaction.atomic
def contact_remove(*, actor: Participant) -> None:
    """Forget the actor's address, with every mail that would still go to it."""
    Contact.objects.filter(participant=actor).delete()


@transaction.atomic
def contact_unsubscribe(*, code: str, token: str) -> int:
    """RFC 8058 one-click: no more mail to that address from this workshop; 0 for a token that is not its own."""
    try:
        pk = int(_unsubscribe_signer(code).unsign(token))
    except (signing.BadSignature, ValueError):
        return 0
    contact = Contact.objects.filter(pk=pk, participant__workshop__code__iexact=code).first()
    if contact is None:
        return 0
    # The address may be on several participants of the workshop (two browsers): all of them stop.
    deleted, _ = Contact.objects.filter(participant__workshop_id=contact.participant.workshop_id,
                                        email__iexact=contact.email).delete()
    return deleted


def contacts_expire(*, now=None, days: int) -> int:
    """Delete the addresses (and their mail) of workshops whose last official response, or end if
    none came, is more than `days` ago; return how many addresses went (PROTOCOL 3.3)."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    old = Workshop.objects.annotate(kept_from=Coalesce("last_response_at", "ended_at")).filter(kept_from__lt=cutoff)
    _, per_model = Contact.objects.filter(participant__workshop__in=old).delete()
    return per_model.get(Contact._meta.label, 0)


def notify(*, workshop_id: int, participant_ids, event: dict) -> None:
    """Tell these participants of `event` by mail, those of them with a confirmed address.

    Written in the caller's transaction as one deadline due now, whatever the number of people
    (an official's answer to a proposal thousands endorsed returns at once); the background loop
    fires it within a second, in `notify_deliver`.
    """
    people = sorted(set(participant_ids))
    if people:
        Deadline.objects.create(workshop_id=workshop_id, kind=NOTIFY, due_at=timezone.now(),
                                data={"participants": people, "event": event})


def notify_deliver(*, deadline: Deadline) -> int:
    """Queue a deadline's event for each of its people with a confirmed address; return how many.

    In a fixed number of queries whatever the number of people: an event joins the person's open
    notification (its window not closed, not yet claimed) or opens one that closes
    INSPRAAK_NOTIFY_DELAY_S from now.
    """
    workshop_id, event = deadline.workshop_id, deadline.data["event"]
    contacts = list(Contact.objects.filter(participant_id__in=deadline.data["participants"], confirmed_at__isnull=False,
                                           participant__workshop_id=workshop_id).only("pk", "email"))
    if not contacts:
        return 0
    now = timezone.now()
    # Locked in one order (by pk), so that two answers with people in common cannot deadlock.
    open_mails = {m.contact_id: m for m in Mail.objects.select_for_update().filter(
        contact__in=contacts, kind=Mail.Kind.NOTIFY, status=Mail.Status.PENDING, attempts=0,
        claimed_until__isnull=True, not_before__gt=now).order_by("pk")}
    for mail in open_mails.values():
        mail.data["events"].append(event)
    Mail.objects.bulk_update(list(open_mails.values()), ["data"], batch_size=500)
    closes = now + timedelta(seconds=settings.INSPRAAK["NOTIFY_DELAY_S"])
    Mail.objects.bulk_create([Mail(workshop_id=workshop_id, contact=c, kind=Mail.Kind.NOTIFY, to=c.email,
                                   data={"events": [event]}, not_before=closes)
                              for c in contacts if c.pk not in open_mails], batch_size=500)
    return len(contacts)


def contact_data(participant: Participant) -> dict | None:
    """What is stored of a participant's address, for "my data" (PROTOCOL 3.3 `contact`)."""
    contact = Contact.objects.filter(participant=participant).first()
    if contact is None:
        return None
    return {"email": contact.email, "confirmed": contact.confirmed_at is not None,
            "confirmed_at": iso(contact.confirmed_at), "created_at": iso(contact.created_at)}


def mail_data(participant: Participant) -> list[dict]:
    """The mail written to a participant, for "my data" (PROTOCOL 3.3 `mail`), oldest first; then what sent
    notifications told them (MailTold, kept after the address and its mail are gone) as `told` entries."""
    mails = [{"kind": m.kind, "status": m.status, "created_at": iso(m.created_at), "sent_at": iso(m.sent_at),
              "events": m.data.get("events", [])}
             for m in Mail.objects.filter(contact__participant=participant).order_by("created_at", "pk")]
    return mails + [{"kind": "told", "about": about, "sent_at": iso(sent_at)}
                    for about, sent_at in participant.mail_told.order_by("sent_at", "pk").values_list("about", "sent_at")]


def mail_report(workshop_id: int) -> dict:
    """For facilitators: how the workshop's mail fares, and each mail refused for good (no address shown)."""
    counts = dict.fromkeys(Mail.Status.values, 0)
    for row in Mail.objects.filter(workshop_id=workshop_id).values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    failed = Mail.objects.filter(workshop_id=workshop_id, status=Mail.Status.FAILED).select_related(
        "contact__participant").order_by("-created_at")[:100]
    return {**counts, "failures": [
        {"participant": {"id": m.contact.participant_id, "name": m.contact.participant.name}, "kind": m.kind,
         "error": m.last_error, "attempts": m.attempts, "created_at": iso(m.created_at)} for m in failed]}
