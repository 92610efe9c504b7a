"""The outbox: mail written with the change that causes it, sent over SMTP by the background loop.

Delivery is at least once, never at most once: a process claims a batch of due mails with a
conditional update that sets a lease (`claimed_until`), sends them over one SMTP connection and
marks each sent as soon as the server has taken it. A process killed while sending leaves its
claim to lapse; another process then sends what was not marked. The one mail that can go out
twice is the one the SMTP server took in the instant between its "250 OK" and our commit; it goes
again with the same Message-ID, by which mail stores and readers recognise a duplicate. Losing a
mail instead (marking before sending) would break the promise citizens were given.
"""
import json
import logging
import secrets
import smtplib
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Mail, MailTold
from .prepared import Lookup

log = logging.getLogger(__name__)

__all__ = ["BATCH", "GIVE_UP", "lease", "mail_message", "outbox_send_due"]

BATCH = 200  # mails claimed (and sent over one connection) at a time
GIVE_UP = timedelta(hours=72)  # a mail the server keeps deferring is marked failed after this
MAX_BACKOFF_S = 60  # the protocol: an unsent mail is tried again at least once a minute


def backoff(attempts: int) -> timedelta:
    """2, 4, 8, 16, 32, then every 60 seconds."""
    return timedelta(seconds=min(MAX_BACKOFF_S, 2 ** max(attempts, 1)))


def lease() -> timedelta:
    """How long a claim holds (INSPRAAK_MAIL_LEASE_S); a batch stops sending at half of it."""
    return timedelta(seconds=settings.INSPRAAK["MAIL_LEASE_S"])


def public_url(path: str) -> str:
    return settings.PUBLIC_URL + path


def _message_id(mail: Mail) -> str:
    """The same for every attempt at a mail, so that a resent one is recognised as the same."""
    domain = urlsplit(settings.PUBLIC_URL).hostname or "localhost"
    return f"<inspraak-{mail.pk}-{mail.workshop.code if mail.workshop else mail.kind}@{domain}>"


def _language(mail: Mail) -> str:
    """Its workshop's language; an official's digest, which spans workshops, carries its own."""
    return mail.workshop.language if mail.workshop else mail.data["language"]


def _render(mail: Mail) -> tuple[str, str, str]:
    """Subject, text and HTML of a mail, in its language."""
    workshop = mail.workshop
    context = {"workshop": workshop, "data": mail.data}
    if workshop is not None:
        context.update(outcomes_url=public_url(f"/w/{workshop.code}/outcomes"),
                       workshop_url=public_url(f"/w/{workshop.code}/"))
    with translation.override(_language(mail)):
        subject = render_to_string(f"workshops/mail/{mail.kind}_subject.txt", context)
        text = render_to_string(f"workshops/mail/{mail.kind}.txt", context)
        html = render_to_string(f"workshops/mail/{mail.kind}.html", context)
    return " ".join(subject.split()), text, html


def mail_message(mail: Mail, *, connection=None, rendered: dict | None = None) -> EmailMultiAlternatives:
    """The mail as a message: plain text and HTML, in the workshop's language, with the list headers.

    An official's digest goes to their own account's address, not to a list they joined: it has
    no List-Unsubscribe (the mail says how it stops: no address on the account, or no proposal waiting).

    `rendered` keeps bodies for reuse within a batch: an answer that thousands follow makes
    thousands of mails that differ only in their address and headers.
    """
    from .contact import unsubscribe_url  # contact imports this module

    if rendered is None:
        subject, text, html = _render(mail)
    else:
        key = (mail.workshop_id, mail.kind, json.dumps(mail.data, sort_keys=True))
        if key not in rendered:
            rendered[key] = _render(mail)
        subject, text, html = rendered[key]
    headers = {"Message-ID": _message_id(mail), "Content-Language": _language(mail),
               "Auto-Submitted": "auto-generated"}
    if mail.contact_id is not None:
        headers.update({"List-Unsubscribe": f"<{unsubscribe_url(code=mail.workshop.code, contact_id=mail.contact_id)}>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    message = EmailMultiAlternatives(subject=subject, body=text, to=[mail.to], connection=connection, headers=headers)
    message.attach_alternative(html, "text/html")
    return message


# When the first pending mail may go: what every process asks each second, compiled once.
_FIRST_PENDING = Lookup(lambda: Mail.objects.filter(status=Mail.Status.PENDING).order_by("not_before")
                        .values_list("not_before", flat=True)[:1], 0)


def _claim(*, now, worker: str) -> tuple[str, list[Mail]]:
    """Claim up to BATCH due mails for this worker; a mail another process holds a live lease on is left."""
    first = _FIRST_PENDING.first()
    if first is None or first > now:
        return "", []
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    ids = list(Mail.objects.filter(free, status=Mail.Status.PENDING, not_before__lte=now)
               .order_by("not_before").values_list("pk", flat=True)[:BATCH])
    if not ids:
        return "", []
    claim = f"{worker[:55]}:{secrets.token_hex(4)}"
    # The conditional update is the claim: of two processes that read the same ids, each row goes to one.
    Mail.objects.filter(free, pk__in=ids, status=Mail.Status.PENDING).update(claimed_until=now + lease(),
                                                                           claimed_by=claim)
    return claim, list(Mail.objects.filter(pk__in=ids, claimed_by=claim).select_related("workshop", "contact")
                       .order_by("not_before", "pk"))


def _permanent(exc: Exception) -> bool:
    """Whether the SMTP server refused the mail for good (a 5xx reply), not for now."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _describe(exc: Exception) -> str:
    """The SMTP server's reply, without the address (smtplib puts it in a refused recipient's error)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {_text(reply)}" for code, reply in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"


def _text(reply) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _connection_lost(exc: Exception) -> bool:
    """Whether the connection is gone (smtplib's errors are OSErrors too: only the disconnect counts)."""
    if isinstance(exc, smtplib.SMTPException):
        return isinstance(exc, smtplib.SMTPServerDisconnected)
    return isinstance(exc, OSError)


def _mark(mail: Mail, claim: str, **fields) -> None:
    """Record what became of a claimed mail, only while this claim holds it (a lapsed lease may have passed it on).

    On PostgreSQL without waiting for the disk (synchronous_commit off): a mark is one commit per mail,
    and waiting for each flush would cap sending at the disk's rate. The commit is visible at once,
    so a killed worker loses none; only a crash of PostgreSQL itself within a moment of a mark can
    forget it, and that mail goes again with the same Message-ID.
    """
    with transaction.atomic():
        if db.vendor == "postgresql":
            with db.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        marked = Mail.objects.filter(pk=mail.pk, claimed_by=claim).update(claimed_until=None, claimed_by="", **fields)
        if marked and fields.get("status") == Mail.Status.SENT and mail.kind == Mail.Kind.NOTIFY:
            _record_told(mail, fields["sent_at"])


def _record_told(mail: Mail, sent_at) -> None:
    """Remember what a sent notification told its participant (the events' `about`), beyond the address's life."""
    about = {e["about"] for e in mail.data.get("events", []) if e.get("about")}
    MailTold.objects.bulk_create([MailTold(participant_id=mail.contact.participant_id, about=a, sent_at=sent_at)
                                  for a in sorted(about)], ignore_conflicts=True)


def _defer(mail: Mail, claim: str, error: str, now) -> None:
    """Try again later, with backoff; after GIVE_UP, record it as failed."""
    attempts = mail.attempts + 1
    if now - mail.created_at >= GIVE_UP:
        _mark(mail, claim, status=Mail.Status.FAILED, attempts=attempts, last_error=f"gave up: {error}"[:500])
    else:
        _mark(mail, claim, attempts=attempts, not_before=now + backoff(attempts), last_error=error[:500])


def _send_batch(claim: str, batch: list[Mail]) -> int:
    started, sent, rendered = timezone.now(), 0, {}
    smtp = get_connection(fail_silently=False)
    try:
        smtp.open()
    except Exception as exc:  # the server is down or refuses us: all of them later
        log.warning("mail: cannot reach the SMTP server: %s", exc)
        for mail in batch:
            _defer(mail, claim, f"connect: {exc}", timezone.now())
        return 0
    try:
        for i, mail in enumerate(batch):
            if timezone.now() - started > lease() / 2:  # leave the rest to a fresh claim before the lease lapses
                Mail.objects.filter(pk__in=[m.pk for m in batch[i:]], claimed_by=claim).update(
                    claimed_until=None, claimed_by="")
                break
            if not Mail.objects.filter(pk=mail.pk, claimed_by=claim).exists():
                continue  # unsubscribed or erased since the claim (its row went with the address)
            try:
                smtp.send_messages([mail_message(mail, connection=smtp, rendered=rendered)])
            except Exception as exc:
                now = timezone.now()
                if _permanent(exc):
                    log.warning("mail %s refused for good: %s", mail.pk, _describe(exc))
                    _mark(mail, claim, status=Mail.Status.FAILED, attempts=mail.attempts + 1,
                          last_error=_describe(exc)[:500])
                    continue
                _defer(mail, claim, _describe(exc), now)
                if _connection_lost(exc):
                    for rest in batch[i + 1:]:
                        _defer(rest, claim, _describe(exc), now)
                    break
                if not isinstance(exc, smtplib.SMTPException):
                    log.exception("mail %s could not be made or sent", mail.pk)
                continue
            _mark(mail, claim, status=Mail.Status.SENT, sent_at=timezone.now(), attempts=mail.attempts + 1,
                  last_error="")
            sent += 1
    finally:
        try:
            smtp.close()
        except Exception:
            pass
    return sent


def outbox_send_due(*, worker: str, now=None) -> int:
    """Send every due mail this process can claim, batch by batch; return how many went out."""
    total = 0
    while True:
        claim, batch = _claim(now=now or timezone.now(), worker=worker)
        if not batch:
            return total
        total += _send_batch(claim, batch)
        if len(batch) < BATCH or now is not None:
            return total
