"""Moderation services: flags, hide and restore, approve, appeals, mutes and removal.

Every decision writes a row to the append-only audit log in the same transaction.
The reason for hiding goes to the author, moderators and facilitators only;
everyone else is told just that the idea is gone.
"""
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from workshops import contact
from workshops import permissions as rules
from workshops import stream
from workshops.errors import DomainError
from workshops.events import ParticipantMuted, ParticipantRemoved
from workshops.models import Participant
from workshops.times import iso

from . import floor, ladder, permissions
from .events import AppealDecided, AppealFiled, FlagRaised, FlagResolved, IdeaHidden, IdeaPosted, IdeaRestored
from .models import Appeal, Flag, Idea, ModerationAction
from .selectors import idea_audience, idea_payload

A = ModerationAction.Action
FLAGGED = "flagged"


def log(*, workshop_id: int, actor: Participant | None, action: str, target: str, reason: str = "",
        minutes: int | None = None) -> None:
    ModerationAction.objects.create(workshop_id=workshop_id, actor=actor, action=action, target=target,
                                    reason=reason, minutes=minutes)


def flag_payload(flag: Flag) -> dict:
    return {"id": flag.pk, "idea": flag.idea_id, "reason": flag.reason, "note": flag.note, "by": flag.by_id,
            "status": flag.status, "created_at": iso(flag.created_at)}


def appeal_payload(appeal: Appeal) -> dict:
    return {"id": appeal.pk, "idea": appeal.idea_id, "text": appeal.text, "status": appeal.status,
            "note": appeal.note, "created_at": iso(appeal.created_at), "decided_at": iso(appeal.decided_at)}


def _private(idea: Idea) -> tuple[str, ...]:
    return (*stream.to_participant(idea.author_id), *stream.MODERATORS)


def _public_audience(idea: Idea) -> tuple[str, ...]:
    """The idea's readers, except its author, moderators and facilitators."""
    readers = stream.to_room(permissions.board_room(idea.board))
    return (*readers, *("!" + token for token in _private(idea)))


def hidden_events(idea: Idea) -> list[tuple]:
    """`idea.hidden` with the reason for those who may know it, without it for everyone else."""
    return [(IdeaHidden(idea=idea.pk, hidden_reason=idea.hidden_reason), _private(idea)),
            (IdeaHidden(idea=idea.pk), _public_audience(idea))]


def take_off_boards(idea: Idea) -> None:
    """Tell everyone but the author and moderators that an idea is gone (it waits for review)."""
    stream.emit(idea.board.workshop_id, IdeaHidden(idea=idea.pk), audience=_public_audience(idea))


def _hide(idea: Idea, *, actor: Participant | None, reason: str) -> None:
    was_public = idea.status == Idea.Status.VISIBLE
    idea.status, idea.hidden_reason = Idea.Status.HIDDEN, reason
    idea.save(update_fields=["status", "hidden_reason"])
    log(workshop_id=idea.board.workshop_id, actor=actor, action=A.HIDE, target=f"idea:{idea.pk}", reason=reason)
    events = hidden_events(idea) if was_public else [(IdeaHidden(idea=idea.pk, hidden_reason=reason), _private(idea))]
    stream.emit_many(idea.board.workshop_id, events)


def hold_for_screening(idea: Idea, reasons: list[str]) -> None:
    """Screening fired: the idea waits for a moderator; the log says why."""
    idea.held_reason = ", ".join(reasons)
    log(workshop_id=idea.board.workshop_id, actor=None, action=A.HOLD, target=f"idea:{idea.pk}",
        reason=idea.held_reason)


def _resolve_flags(idea: Idea, status: str) -> list[tuple]:
    flags = list(Flag.objects.filter(idea=idea, status=Flag.Status.OPEN))
    now = timezone.now()
    for flag in flags:
        flag.status, flag.resolved_at = status, now
    Flag.objects.bulk_update(flags, ["status", "resolved_at"])
    return [(FlagResolved(flag=flag_payload(f)), stream.MODERATORS) for f in flags]


@transaction.atomic
def idea_flag(*, actor: Participant, idea: Idea, reason: str, note: str = "") -> Flag:
    """Flag an idea once; at the threshold of distinct flaggers who were there before it, it is hidden for review."""
    rules.require_content(actor)
    if idea.status != Idea.Status.VISIBLE:
        raise DomainError("forbidden", "Only visible ideas can be flagged.")
    if idea.author_id == actor.pk:
        raise DomainError("forbidden", "You cannot flag your own idea.")
    if Flag.objects.filter(idea=idea, by=actor).exists():
        raise DomainError("conflict", "You already flagged this idea.")
    flag = Flag.objects.create(idea=idea, by=actor, reason=reason, note=note)
    stream.emit(idea.board.workshop_id, FlagRaised(flag=flag_payload(flag)), audience=stream.MODERATORS)
    # Flags from people who joined after the idea was posted are shown to moderators but do not
    # count: otherwise a few fresh sessions could hide anything.
    flaggers = Flag.objects.filter(idea=idea, status=Flag.Status.OPEN, by__joined_at__lte=idea.created_at).values(
        "by").distinct().count()
    if flaggers >= idea.board.workshop.flag_threshold:
        _hide(idea, actor=None, reason=FLAGGED)
    return flag


@transaction.atomic
def flag_dismiss(*, actor: Participant, flag: Flag) -> Flag:
    if flag.status != Flag.Status.OPEN:
        raise DomainError("conflict", "This flag is already resolved.")
    flag.status, flag.resolved_at = Flag.Status.DISMISSED, timezone.now()
    flag.save(update_fields=["status", "resolved_at"])
    log(workshop_id=actor.workshop_id, actor=actor, action=A.FLAG_DISMISS, target=f"flag:{flag.pk}",
        reason=f"idea:{flag.idea_id}")
    stream.emit(actor.workshop_id, FlagResolved(flag=flag_payload(flag)), audience=stream.MODERATORS)
    return flag


@transaction.atomic
def idea_hide(*, actor: Participant, idea: Idea, reason: str) -> Idea:
    if idea.status == Idea.Status.WITHDRAWN:
        raise DomainError("conflict", "A withdrawn idea cannot be hidden.")
    _hide(idea, actor=actor, reason=reason)
    stream.emit_many(idea.board.workshop_id, _resolve_flags(idea, Flag.Status.UPHELD))
    return idea


def _publish(idea: Idea, *, event: type[IdeaPosted | IdeaRestored]) -> list[tuple]:
    """Make the idea visible; its event and the rise it makes, for the caller to emit with its own.

    The rise is stored first: a participant's row before the workshop's seq, as every service
    takes them (see registry._attempts), so that this cannot deadlock with that person's first reaction.
    """
    idea.status = Idea.Status.VISIBLE
    idea.save(update_fields=["status"])
    target = idea.builds_on
    # Now the author of the idea it builds on sees it built on.
    rises = (ladder.rung_rise(target.author, at_least="collaborating")
             if target is not None and target.author_id != idea.author_id else [])
    return [(event(idea=idea_payload(idea, with_reason=True)), idea_audience(idea)), *rises]


@transaction.atomic
def idea_restore(*, actor: Participant, idea: Idea, reason: str = "") -> Idea:
    if idea.status != Idea.Status.HIDDEN:
        raise DomainError("conflict", "Only hidden ideas can be restored.")
    log(workshop_id=actor.workshop_id, actor=actor, action=A.RESTORE, target=f"idea:{idea.pk}", reason=reason)
    idea.hidden_reason = ""
    idea.save(update_fields=["hidden_reason"])
    stream.emit_many(idea.board.workshop_id, [*_publish(idea, event=IdeaRestored),
                                              *_resolve_flags(idea, Flag.Status.DISMISSED)])
    return idea


@transaction.atomic
def idea_approve(*, actor: Participant, idea: Idea) -> Idea:
    """A held idea goes up for everyone."""
    if idea.status != Idea.Status.HELD:
        raise DomainError("conflict", "Only held ideas can be approved.")
    log(workshop_id=actor.workshop_id, actor=actor, action=A.APPROVE, target=f"idea:{idea.pk}",
        reason=idea.held_reason)
    stream.emit_many(idea.board.workshop_id, _publish(idea, event=IdeaPosted))
    return idea


@transaction.atomic
def appeal_file(*, actor: Participant, idea: Idea, text: str) -> Appeal:
    if idea.author_id != actor.pk or idea.status != Idea.Status.HIDDEN:
        raise DomainError("forbidden", "Only the author of a hidden idea can appeal.")
    if Appeal.objects.filter(idea=idea).exists():
        raise DomainError("conflict", "This idea was appealed already.")
    appeal = Appeal.objects.create(idea=idea, text=text)
    stream.emit(idea.board.workshop_id, AppealFiled(appeal=appeal_payload(appeal)), audience=_private(idea))
    return appeal


def _excerpt(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


@transaction.atomic
def appeal_decide(*, actor: Participant, idea: Idea, uphold: bool, note: str = "") -> Appeal:
    """Decide an appeal: `uphold` grants it and restores the idea; otherwise it stays hidden."""
    appeal = Appeal.objects.select_for_update().filter(idea=idea).first()
    if appeal is None:
        raise DomainError("not_found", "No appeal on this idea.", fields={"idea": "No appeal."})
    if appeal.status != Appeal.Status.OPEN:
        raise DomainError("conflict", "This appeal was decided already.")
    appeal.status = Appeal.Status.GRANTED if uphold else Appeal.Status.DENIED
    appeal.note, appeal.decided_at, appeal.decided_by = note, timezone.now(), actor
    appeal.save(update_fields=["status", "note", "decided_at", "decided_by"])
    log(workshop_id=actor.workshop_id, actor=actor, action=A.APPEAL_GRANT if uphold else A.APPEAL_DENY,
        target=f"idea:{idea.pk}", reason=note)
    events = [(AppealDecided(appeal=appeal_payload(appeal)), _private(idea))]
    contact.notify(workshop_id=actor.workshop_id, participant_ids=[idea.author_id],
                   event={"kind": "appeal", "granted": uphold, "idea": _excerpt(idea.text), "note": note})
    if uphold and idea.status == Idea.Status.HIDDEN:
        idea.hidden_reason = ""
        idea.save(update_fields=["hidden_reason"])
        events += _publish(idea, event=IdeaRestored)
    stream.emit_many(actor.workshop_id, events)
    return appeal


def _citizen(actor: Participant, participant_id: int) -> Participant:
    target = Participant.objects.select_for_update().filter(pk=participant_id, workshop_id=actor.workshop_id).first()
    if target is None:
        raise DomainError("not_found", "No such participant.", fields={"participant": "No such participant."})
    if target.role != Participant.Role.CITIZEN:
        raise DomainError("forbidden", "Only citizens can be muted or removed.")
    return target


@transaction.atomic
def participant_mute(*, actor: Participant, participant_id: int, minutes: int, reason: str = "") -> Participant:
    """Mute a citizen for some minutes (0 lifts a mute); they are told until when."""
    target = _citizen(actor, participant_id)
    target.muted_until = timezone.now() + timedelta(minutes=minutes) if minutes else None
    target.save(update_fields=["muted_until"])
    # The length is a number, worded by the page in its language; the reason is the moderator's own.
    log(workshop_id=actor.workshop_id, actor=actor, action=A.MUTE, target=f"participant:{target.pk}",
        reason=reason, minutes=minutes)
    stream.emit(actor.workshop_id, ParticipantMuted(participant=target.pk, until=iso(target.muted_until)),
                audience=(*stream.to_participant(target.pk), *stream.MODERATORS))
    return target


@transaction.atomic
def participant_remove(*, actor: Participant, participant_id: int, reason: str = "") -> Participant:
    """Remove a citizen: their sockets close with 4403 and they cannot rejoin; their content stays."""
    target = _citizen(actor, participant_id)
    if target.removed:
        raise DomainError("conflict", "Already removed.")
    target.removed, target.room = True, None
    target.save(update_fields=["removed", "room"])
    log(workshop_id=actor.workshop_id, actor=actor, action=A.REMOVE, target=f"participant:{target.pk}",
        reason=reason)
    floor.voice_leave(target)
    stream.emit(actor.workshop_id, ParticipantRemoved(participant=target.pk))
    return target

