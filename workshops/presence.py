"""Presence as everyone sees it: debounced, so that a flapping socket cannot flood a workshop.

The live state is the participant's Connection rows (the welcome shows it). What is told to
everyone is at most two `presence.changed` per participant per window; a change that comes
sooner waits for a trailing flush (a Deadline), which tells the state as it is by then, or
nothing when it is back where it was last told. The state lives on the participant's row, which
the callers hold locked, so the rule holds across server processes.
"""
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from . import stream
from .events import PresenceChanged
from .models import Deadline, Participant
from .selectors import participant_payload

__all__ = ["FLUSH", "WINDOW", "presence_told", "presence_settle", "presence_flush"]

FLUSH = "presence.flush"
WINDOW = timedelta(seconds=5)


def presence_told(participant_id: int) -> bool:
    """The online state last told to everyone, which events about role or room changes repeat:
    they bypass the window (they are not connect churn and must arrive now), and carrying the
    live state instead would contradict the debounced stream until its flush."""
    return Participant.objects.filter(pk=participant_id).values_list("presence_online", flat=True).get()


def presence_settle(participant: Participant, *, online: bool, now: datetime | None = None) -> bool:
    """Tell everyone the participant's live state if the window allows, else make sure a flush
    will; the caller holds the participant's row locked. True when it was told now."""
    if online == participant.presence_online or participant.erased_at is not None:
        return False  # an erased participant is nobody: their last sockets closing tells nobody anything
    now = now or timezone.now()
    prev = participant.presence_prev_at
    if prev is not None and now < prev + WINDOW:
        pending = Deadline.objects.filter(workshop_id=participant.workshop_id, kind=FLUSH, done=False,
                                          data__participant=participant.pk)
        if not pending.exists():
            Deadline.objects.create(workshop_id=participant.workshop_id, kind=FLUSH, due_at=prev + WINDOW,
                                    data={"participant": participant.pk})
        return False
    participant.presence_online, participant.presence_prev_at, participant.presence_at = (
        online, participant.presence_at, now)
    Participant.objects.filter(pk=participant.pk).update(
        presence_online=online, presence_prev_at=participant.presence_prev_at, presence_at=now)
    stream.emit(participant.workshop_id, PresenceChanged(participant=participant_payload(participant, online=online)))
    return True


@transaction.atomic
def presence_flush(*, deadline: Deadline, now: datetime | None = None) -> None:
    """The trailing flush: tell the state as it is now if it differs from what was last told."""
    participant = Participant.objects.select_for_update().filter(pk=deadline.data.get("participant")).first()
    if participant is not None:
        presence_settle(participant, online=participant.connections.exists(), now=now)
