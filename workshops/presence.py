"""Presence as everyone sees it: told in batches a few times a second, debounced per participant.

The live state is the participant's Connection rows (the welcome shows it). A socket that opens
or closes only marks its participant `presence_pending`, on the row it holds locked anyway; it
takes no seq lock and stores no event. The process that marked tells it at its next tick, and
goes on every INSPRAAK_TALLY_S while anyone is marked (as it tells reaction counts,
deliberation.tallies; an idle process looks every FREQUENT_SWEEP_S, background.frequent): one
transaction per workshop tells the live state of every marked participant whose state differs
from what was last told, as one run of `presence.changed` events.

Why not an event per socket, in the socket's own transaction: a join storm of thousands queued
every join on the workshop's seq lock, behind each other and behind every reaction, and each
join stored and fanned out an event of its own (bench/README.md, issue 13).

At most two `presence.changed` per participant per window: a participant told twice within the
last WINDOW stays marked until the window allows a third, and is then told the state as it is
by then, or nothing when it is back where it was last told.

The mark and the flush meet on the participant's row lock, as a reaction and a tally meet on
the idea's: a socket marks the row while it holds it (and marks it again after a flush that held
it), the flush skips rows a socket holds (SKIP LOCKED) and reads the live state under the locks
it took, so no change is left untold.
"""
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import stream
from .events import PresenceChanged
from .models import Connection, Participant
from .prepared import Lookup
from .selectors import participant_payload

__all__ = ["WINDOW", "presence_told", "presence_mark", "presence_flush", "presence_tick"]

WINDOW = timedelta(seconds=5)
BATCH = 1000  # participants per flush transaction; more wait for the next tick


def presence_told(participant_id: int) -> bool:
    """The online state last told to everyone, which events about role or room changes repeat:
    they bypass the batching (they are not connect churn and must arrive now), and carrying the
    live state instead would contradict the presence stream until its next flush."""
    return Participant.objects.filter(pk=participant_id).values_list("presence_online", flat=True).get()


def presence_mark(participant: Participant) -> None:
    """In the transaction that opened or closed one of the participant's sockets (or admitted
    them): their live state is to be compared with what was told, at the next flush."""
    from .background import wake_on_commit  # background imports services, which import this module

    Participant.objects.filter(pk=participant.pk).update(presence_pending=True)
    wake_on_commit()


def _due(now: datetime) -> Q:
    return Q(presence_pending=True) & (Q(presence_prev_at__isnull=True) | Q(presence_prev_at__lte=now - WINDOW))


# Whether anyone is marked at all: what every idle process asks four times a second, compiled once
# (building the due query costs more than PostgreSQL takes to answer it from its partial index).
_ANY_MARKED = Lookup(lambda: Participant.objects.filter(presence_pending=True).values_list("pk", flat=True)[:1], 0)


def presence_tick() -> bool:
    """The frequent work (`background.frequent`): tell what is due; whether anyone was marked, so
    that the next tick looks again (a mark inside its window waits for it to pass)."""
    if not _ANY_MARKED.all():
        return False
    _flush_due(timezone.now())
    return True


def presence_flush(*, now: datetime | None = None) -> int:
    """Tell everyone the live state of every marked participant the window allows and no socket
    holds now; return how many presence.changed were told. One transaction per workshop."""
    if not _ANY_MARKED.all():
        return 0
    return _flush_due(now or timezone.now())


def _flush_due(now: datetime) -> int:
    told = 0
    workshops = Participant.objects.filter(_due(now)).values_list("workshop_id", flat=True).distinct().order_by()
    for workshop_id in sorted(workshops):
        told += _flush(workshop_id, now)
    return told


def _flush(workshop_id: int, now: datetime) -> int:
    # The seq lock first, then the participants, skipping those a socket holds: a socket takes its
    # participant's row and, admitting someone, the seq lock after it; neither order can deadlock.
    with stream.publishing(), transaction.atomic():
        stream.take_turn(workshop_id)
        marked = list(Participant.objects.select_for_update(skip_locked=True)
                      .filter(_due(now), workshop_id=workshop_id).order_by("pk")[:BATCH])
        if not marked:
            return 0
        online = set(Connection.objects.filter(participant__in=marked).values_list("participant_id", flat=True))
        Participant.objects.filter(pk__in=[p.pk for p in marked]).update(presence_pending=False)
        tell = [p for p in marked
                # An erased participant is nobody, and a waiting one is nobody's business but staff's.
                if (p.pk in online) != p.presence_online and p.erased_at is None and p.admitted]
        for p in tell:
            p.presence_online, p.presence_prev_at, p.presence_at = p.pk in online, p.presence_at, now
        # Two plain UPDATEs, not bulk_update's CASE per row (over half of a flush in a join storm): each
        # row's previous time is its own told time, which SET reads as it was before the statement.
        for state in (True, False):
            told = [p.pk for p in tell if p.presence_online is state]
            if told:
                Participant.objects.filter(pk__in=told).update(presence_online=state,
                                                               presence_prev_at=F("presence_at"), presence_at=now)
        stream.emit_many(workshop_id, [(PresenceChanged(participant=participant_payload(p, online=p.presence_online)),
                                        stream.EVERYONE) for p in tell])
        return len(tell)
