"""The officials' side of two-way feedback (issue 14, point 6): what waits for their answer, and their weekly mail.

Decisions take months; when nothing seems to happen, citizens conclude they were ignored. So an
official sees, across every workshop they are an official of, the published proposals that have no
response yet and those whose last response is older than INSPRAAK_UPDATE_DUE_DAYS, and gets that
list by mail once a week, through the outbox, at the address on their account.
"""
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from workshops.mail import public_url
from workshops.models import Mail, Participant
from workshops.selectors import workshops_with_role
from workshops.times import iso

from .models import Proposal, Response
from .selectors import response_payload

__all__ = ["UNANSWERED", "UPDATE_DUE", "awaiting_officials", "digest_last", "digest_week", "digests_queue"]

UNANSWERED = "unanswered"  # published, and no official has responded yet
UPDATE_DUE = "update_due"  # the last response is older than INSPRAAK_UPDATE_DUE_DAYS


def _due_days() -> int:
    return settings.INSPRAAK["UPDATE_DUE_DAYS"]


def awaiting_officials(user, *, now=None) -> list[dict]:
    """Per workshop the account is an official of (newest first, only those with something waiting):
    its published proposals without a response, then those due an update, each oldest first."""
    now = now or timezone.now()
    workshops = workshops_with_role(user, (Participant.Role.OFFICIAL,))
    latest = Response.objects.filter(proposal=OuterRef("pk")).order_by("-created_at", "-pk").values("created_at")[:1]
    waiting = list(Proposal.objects.filter(workshop__in=workshops, status=Proposal.Status.PUBLISHED)
                   .annotate(last_at=Subquery(latest))
                   .filter(Q(last_at__isnull=True) | Q(last_at__lt=now - timedelta(days=_due_days())))
                   .order_by("published_at", "pk"))
    last = {}
    for r in Response.objects.filter(proposal__in=[p.pk for p in waiting]).select_related("official").order_by(
            "created_at", "pk"):
        last[r.proposal_id] = r  # the latest wins
    by_workshop: dict[int, list[dict]] = {}
    for p in waiting:
        since = p.last_at or p.published_at or p.created_at
        by_workshop.setdefault(p.workshop_id, []).append({
            "id": p.pk, "title": p.title, "published_at": iso(p.published_at),
            "waiting": UPDATE_DUE if p.last_at else UNANSWERED, "since": iso(since), "days": (now - since).days,
            "response": response_payload(last[p.pk]) if p.pk in last else None})
    out = []
    for w in workshops:
        items = by_workshop.get(w.pk)
        if items:
            items.sort(key=lambda item: item["waiting"] != UNANSWERED)  # stable: oldest first within each
            out.append({"workshop": {"code": w.code, "title": w.title, "status": w.status, "language": w.language},
                        "proposals": items})
    return out


def digest_last(user) -> dict | None:
    """The account's latest weekly mail: where it went and what became of it (a refusal is shown to them)."""
    last = Mail.objects.filter(user=user, kind=Mail.Kind.DIGEST).order_by("-created_at", "-pk").first()
    if last is None:
        return None
    return {"to": last.to, "week": last.week, "status": last.status, "sent_at": iso(last.sent_at),
            "error": last.last_error if last.status == Mail.Status.FAILED else ""}


def digest_week(now) -> str:
    """The ISO week of a moment, in the site's time zone: "2026-W49"."""
    year, week, _ = timezone.localtime(now).isocalendar()
    return f"{year}-W{week:02d}"


def digests_queue(*, now=None) -> int:
    """Queue this week's mail to each official with an address and something waiting; return how many.

    At most one per account per ISO week, however many processes run this at once: the row's
    unique (user, week) decides, and a second insert is dropped. An official with nothing waiting
    gets no mail; one checked again later in the week gets this week's mail then. In the language
    of the newest workshop in the list (a mail has one `Content-Language`; the workshops' names
    and proposals stay as written).
    """
    now = now or timezone.now()
    week = digest_week(now)
    users = (get_user_model().objects.filter(is_active=True, participant__role=Participant.Role.OFFICIAL,
                                             participant__removed=False)
             .exclude(email="").exclude(official_mails__week=week).distinct().order_by("pk"))
    queued = 0
    for user in users:
        groups = awaiting_officials(user, now=now)
        if not groups:
            continue
        data = {"language": groups[0]["workshop"]["language"], "days": _due_days(),
                "page_url": public_url("/officials"), "total": sum(len(g["proposals"]) for g in groups),
                "workshops": [{**g["workshop"], "url": public_url(f"/w/{g['workshop']['code']}/outcomes"),
                               "proposals": [{"id": p["id"], "title": p["title"], "waiting": p["waiting"],
                                              "days": p["days"], "status": (p["response"] or {}).get("status")}
                                             for p in g["proposals"]]} for g in groups]}
        try:
            with transaction.atomic():
                Mail.objects.create(kind=Mail.Kind.DIGEST, user=user, week=week, to=user.email, data=data,
                                    not_before=now)
        except IntegrityError:
            continue  # another process queued this week's mail first
        queued += 1
    return queued
