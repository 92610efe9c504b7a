"""Questions to the panel: ask, upvote, answer, and their moderation (PROTOCOL.md 3.4).

A question is screened like an idea: screening or pre-moderation holds it for its author and
moderators until `question.approve`; a hidden question's text never reaches anyone else.
Every moderation decision writes the audit log in the same transaction.
"""
from django.db import transaction
from django.utils import timezone

from workshops import permissions as rules
from workshops import stream
from workshops.errors import DomainError
from workshops.models import Participant, Workshop

from . import screening
from .events import QuestionAnswered, QuestionAsked, QuestionHidden, QuestionUpvoted
from .moderation import A, log
from .models import Question, QuestionVote
from .selectors import QUESTION_PUBLIC, question_audience, question_payload, question_private

__all__ = ["question_ask", "question_upvote", "question_answer", "question_hide", "question_approve"]

ANSWERING = (Participant.Role.OFFICIAL, Participant.Role.FACILITATOR)


def _target(question: Question) -> str:
    return f"question:{question.pk}"


@transaction.atomic
def question_ask(*, actor: Participant, text: str) -> Question:
    """Ask the panel; held for review when screening stops it or the workshop pre-moderates."""
    rules.require_content(actor)
    reasons = screening.screen(text, language=actor.workshop.language)
    premoderated = actor.workshop.moderation == Workshop.Moderation.PRE and not actor.is_staff_role
    held = bool(reasons) or premoderated
    question = Question.objects.create(
        workshop_id=actor.workshop_id, author=actor, text=text,
        status=Question.Status.HELD if held else Question.Status.OPEN,
        held_reason=", ".join(reasons) if reasons else ("pre-moderation" if premoderated else ""))
    if reasons:
        log(workshop_id=actor.workshop_id, actor=None, action=A.HOLD, target=_target(question),
            reason=question.held_reason)
    stream.emit(actor.workshop_id, QuestionAsked(question=question_payload(question, votes=0, with_reason=True)),
                audience=question_audience(question))
    return question


@transaction.atomic
def question_upvote(*, actor: Participant, question: Question, value: bool) -> int:
    """Give (True) or take back (False) the actor's one upvote of a public question; the votes now."""
    rules.require_content(actor)
    if question.status not in QUESTION_PUBLIC:
        raise DomainError("forbidden", "Only open and answered questions take upvotes.")
    if value:
        _, changed = QuestionVote.objects.get_or_create(question=question, participant=actor)
    else:
        changed = QuestionVote.objects.filter(question=question, participant=actor).delete()[0] > 0
    # Counted after the workshop's earlier writers, so that the latest event's total is right (stream.take_turn).
    stream.take_turn(actor.workshop_id)
    votes = QuestionVote.objects.filter(question=question).count()
    if changed:
        stream.emit(actor.workshop_id, QuestionUpvoted(question=question.pk, votes=votes), audience=stream.EVERYONE)
    return votes


@transaction.atomic
def question_answer(*, actor: Participant, question: Question, text: str = "") -> Question:
    """An official or facilitator answers a public question, with words or without; again replaces the answer."""
    rules.require_content(actor)
    if actor.role not in ANSWERING:
        raise DomainError("forbidden", "Officials and facilitators answer questions.")
    if question.status not in QUESTION_PUBLIC:
        raise DomainError("conflict", "Only open and answered questions can be answered.")
    question.status, question.answer = Question.Status.ANSWERED, text
    question.answered_by, question.answered_at = actor, timezone.now()
    question.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    stream.emit(actor.workshop_id, QuestionAnswered(question=question_payload(question)), audience=stream.EVERYONE)
    return question


@transaction.atomic
def question_hide(*, actor: Participant, question: Question, reason: str) -> Question:
    """A moderator hides a question: everyone else is told only that it is gone."""
    if question.status == Question.Status.HIDDEN:
        raise DomainError("conflict", "This question is hidden already.")
    was_public = question.status in QUESTION_PUBLIC
    question.status, question.hidden_reason = Question.Status.HIDDEN, reason
    question.save(update_fields=["status", "hidden_reason"])
    log(workshop_id=actor.workshop_id, actor=actor, action=A.HIDE, target=_target(question), reason=reason)
    private = question_private(question)
    events = [(QuestionHidden(question=question.pk, hidden_reason=reason), private)]
    if was_public:
        events.append((QuestionHidden(question=question.pk), (*stream.EVERYONE, *("!" + t for t in private))))
    stream.emit_many(actor.workshop_id, events)
    return question


@transaction.atomic
def question_approve(*, actor: Participant, question: Question) -> Question:
    """A held question goes up for everyone."""
    if question.status != Question.Status.HELD:
        raise DomainError("conflict", "Only held questions can be approved.")
    log(workshop_id=actor.workshop_id, actor=actor, action=A.APPROVE, target=_target(question),
        reason=question.held_reason)
    question.status = Question.Status.OPEN
    question.save(update_fields=["status"])
    stream.emit(actor.workshop_id, QuestionAsked(question=question_payload(question, with_reason=True)),
                audience=question_audience(question))
    return question
