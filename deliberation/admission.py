"""The waiting room: a facilitator or moderator lets a waiting citizen in, or turns them away.

Both decisions go to the moderation audit log, in the same transaction as the change.
"""
from django.db import transaction

from workshops import breakouts, presence, stream
from workshops.events import ParticipantAdmitted, ParticipantRejected
from workshops.errors import DomainError
from workshops.models import Participant, Workshop

from .models import ModerationAction
from .moderation import log

A = ModerationAction.Action


def _waiting(actor: Participant, participant_id: int) -> Participant:
    target = (Participant.objects.select_for_update()
              .filter(pk=participant_id, workshop_id=actor.workshop_id, role=Participant.Role.CITIZEN).first())
    if target is None:
        raise DomainError("not_found", "No such participant.", fields={"participant": "No such participant."})
    if target.admitted or target.removed:
        raise DomainError("conflict", "This participant is not in the waiting room.")
    return target


def _told(target: Participant) -> tuple[str, ...]:
    """The person concerned and the staff who decide: nobody else knows of the waiting room."""
    return (*stream.to_participant(target.pk), *stream.MODERATORS)


@transaction.atomic
def participant_admit(*, actor: Participant, participant_id: int) -> Participant:
    """Let a waiting citizen in: they get the workshop, everyone sees them, and a room if rooms are open."""
    target = _waiting(actor, participant_id)
    target.admitted = True
    # What happened while they waited is not theirs to replay: a resume from before now gets a snapshot.
    target.joined_seq = Workshop.objects.filter(pk=actor.workshop_id).values_list("last_seq", flat=True).get()
    target.save(update_fields=["admitted", "joined_seq"])
    log(workshop_id=actor.workshop_id, actor=actor, action=A.ADMIT, target=f"participant:{target.pk}")
    stream.emit(actor.workshop_id, ParticipantAdmitted(participant={"id": target.pk, "name": target.name}),
                audience=_told(target))
    breakouts.place_late_joiner(target)
    presence.presence_mark(target)
    return target


@transaction.atomic
def participant_reject(*, actor: Participant, participant_id: int, reason: str = "") -> Participant:
    """Turn a waiting citizen away: their sockets close with 4403 and they cannot join again."""
    target = _waiting(actor, participant_id)
    target.removed = True
    target.save(update_fields=["removed"])
    log(workshop_id=actor.workshop_id, actor=actor, action=A.REJECT, target=f"participant:{target.pk}",
        reason=reason)
    stream.emit(actor.workshop_id, ParticipantRejected(participant={"id": target.pk, "name": target.name}),
                audience=_told(target))
    return target
