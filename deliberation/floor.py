"""Hands, the floor and nudges (PROTOCOL.md 3.4): who asks to speak, who speaks, and inviting the quiet.

The queue is the workshop's raised hands, first raised first. `hands.changed` carries the whole
queue to staff and to everyone in it; a citizen whose hand just went down gets an empty one. Each change waits for the
workshop's earlier writers (stream.take_turn), so the last event always holds the queue as it is.
"""
from django.db import transaction
from django.utils import timezone

from workshops import permissions as rules
from workshops import stream
from workshops.errors import DomainError
from workshops.models import Participant

from .events import FloorEnded, FloorGiven, HandsChanged, Nudged
from .models import FloorTurn, Hand
from .selectors import hand_queue

__all__ = ["hand_raise", "hand_lower", "floor_give", "floor_end", "floor_close", "participant_nudge", "voice_leave"]

STAFF = ("role:facilitator", "role:moderator", "role:official")


def _hands_changed(workshop_id: int, *, lowered: Participant | None = None) -> list[int]:
    """Tell staff and everyone in the queue the queue; whoever's hand went down, that they are in none."""
    queue = hand_queue(workshop_id)
    audience = (*STAFF, *(token for pid in queue for token in stream.to_participant(pid)))
    events = [(HandsChanged(queue=queue), audience)]
    if lowered is not None and not lowered.is_staff_role:
        # What a citizen sees of the queue is the queue while they are in it, else nothing (welcome.hands).
        events.append((HandsChanged(queue=[]), stream.to_participant(lowered.pk)))
    stream.emit_many(workshop_id, events)
    return queue


def _seen_by(actor: Participant, queue: list[int]) -> list[int]:
    """The queue as the actor may see it: staff and those in it see it all; anyone else nothing."""
    return queue if actor.is_staff_role or actor.pk in queue else []


@transaction.atomic
def hand_raise(*, actor: Participant) -> list[int]:
    """Raise the actor's hand (once: raising it again changes nothing); the queue."""
    rules.require_content(actor)
    stream.take_turn(actor.workshop_id)
    if Hand.objects.filter(participant=actor).exists():
        return _seen_by(actor, hand_queue(actor.workshop_id))
    Hand.objects.create(workshop_id=actor.workshop_id, participant=actor)
    return _seen_by(actor, _hands_changed(actor.workshop_id))


@transaction.atomic
def hand_lower(*, actor: Participant) -> list[int]:
    """Lower the actor's hand, if it is up; the queue as they may see it now."""
    rules.require_act(actor)
    stream.take_turn(actor.workshop_id)
    if not Hand.objects.filter(participant=actor).delete()[0]:
        return _seen_by(actor, hand_queue(actor.workshop_id))
    return _seen_by(actor, _hands_changed(actor.workshop_id, lowered=actor))


def _end_turn(turn: FloorTurn) -> int:
    turn.ended_at = timezone.now()
    turn.save(update_fields=["ended_at"])
    seconds = max(0, round((turn.ended_at - turn.started_at).total_seconds()))
    stream.emit(turn.workshop_id, FloorEnded(participant=turn.participant_id, seconds=seconds))
    return seconds


def _open_turn(workshop_id: int) -> FloorTurn | None:
    return FloorTurn.objects.select_for_update().filter(workshop_id=workshop_id, ended_at__isnull=True).first()


def _someone(actor: Participant, participant_id: int) -> Participant:
    """A participant of the actor's workshop who may take part now, or not_found."""
    target = Participant.objects.filter(pk=participant_id, workshop_id=actor.workshop_id).first()
    if target is None or not rules.can_act(target) or target.erased_at is not None:
        raise DomainError("not_found", "No such participant.", fields={"participant": "No such participant."})
    return target


def _require_facilitator(actor: Participant) -> None:
    if actor.role != Participant.Role.FACILITATOR:
        raise DomainError("forbidden", "Only facilitators do this.")


@transaction.atomic
def floor_give(*, actor: Participant, participant_id: int) -> FloorTurn:
    """A facilitator gives someone the floor, ending the turn before; their hand goes down."""
    rules.require_content(actor)
    _require_facilitator(actor)
    target = _someone(actor, participant_id)
    stream.take_turn(actor.workshop_id)
    current = _open_turn(actor.workshop_id)
    if current is not None and current.participant_id == target.pk:
        raise DomainError("conflict", "They have the floor already.")
    if current is not None:
        _end_turn(current)
    if Hand.objects.filter(participant=target).delete()[0]:
        _hands_changed(actor.workshop_id, lowered=target)
    turn = FloorTurn.objects.create(workshop_id=actor.workshop_id, participant=target, given_by=actor,
                                    started_at=timezone.now())
    stream.emit(actor.workshop_id, FloorGiven(participant=target.pk))
    return turn


def floor_close(workshop_id: int) -> None:
    """The workshop is ending: the turn on the floor ends and every raised hand goes down. In the
    end's transaction, which holds the seq lock (the order floor_give and hand_raise take too)."""
    current = _open_turn(workshop_id)
    if current is not None:
        _end_turn(current)
    lowered = list(Hand.objects.filter(workshop_id=workshop_id).values_list("participant_id", flat=True))
    if lowered:
        Hand.objects.filter(workshop_id=workshop_id).delete()
        audience = (*STAFF, *(token for pid in lowered for token in stream.to_participant(pid)))
        stream.emit(workshop_id, HandsChanged(queue=[]), audience=audience)


@transaction.atomic
def floor_end(*, actor: Participant) -> int:
    """End the turn on the floor (a facilitator, or whoever has it); how many seconds it lasted."""
    rules.require_act(actor)
    stream.take_turn(actor.workshop_id)
    current = _open_turn(actor.workshop_id)
    if current is None:
        raise DomainError("conflict", "Nobody has the floor.")
    if actor.role != Participant.Role.FACILITATOR and current.participant_id != actor.pk:
        raise DomainError("forbidden", "Only facilitators end someone else's turn.")
    return _end_turn(current)


@transaction.atomic
def participant_nudge(*, actor: Participant, participant_id: int, text: str = "") -> Participant:
    """A facilitator invites one participant to take part; only they are told."""
    rules.require_content(actor)
    _require_facilitator(actor)
    target = _someone(actor, participant_id)
    stream.emit(actor.workshop_id, Nudged(text=text), audience=stream.to_participant(target.pk))
    return target


def voice_leave(target: Participant) -> None:
    """Someone leaves for good (removed): their hand goes down and their turn ends. In the caller's transaction."""
    stream.take_turn(target.workshop_id)
    if Hand.objects.filter(participant=target).delete()[0]:
        _hands_changed(target.workshop_id, lowered=target)
    current = _open_turn(target.workshop_id)
    if current is not None and current.participant_id == target.pk:
        _end_turn(current)
