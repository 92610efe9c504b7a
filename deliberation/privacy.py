"""A participant's own data: everything stored about them ("my data"), and erasing them (PROTOCOL 3.3).

Erasing keeps the record of the workshop whole (ideas, reactions and endorsements stay, counted
and traceable to proposals) but takes away what says who they are: name, profile answers, the
survey comment, the return link, the device cookie (unless it keeps a removed or muted browser
out), the name in stored events. docs/privacy.md says the same for people.
"""
from django.db import transaction
from django.utils import timezone

from workshops import contact, stream
from workshops.errors import DomainError
from workshops.events import ParticipantErased
from workshops.models import Participant
from workshops.times import iso

from . import floor

from .models import Appeal, Endorsement, FloorTurn, Flag, Hand, Idea, Question, QuestionVote, Reaction, SurveyAnswer
from .poll_selectors import poll_answers_of

__all__ = ["participant_data", "participant_erase"]


def participant_data(participant: Participant) -> dict:
    """Everything stored about a participant, for them to download: their own texts in full, whatever
    their status (they wrote them), and nobody else's."""
    p, workshop = participant, participant.workshop
    survey = SurveyAnswer.objects.filter(participant=p).first()
    return {
        "participant": {
            "id": p.pk, "name": p.name, "role": p.role, "profile": p.profile, "rung": p.rung,
            "rung_at_join": p.rung_at_join, "room": p.room_id, "removed": p.removed,
            "muted_until": iso(p.muted_until), "admitted": p.admitted, "joined_at": iso(p.joined_at),
            "device": p.device, "return_link": bool(p.return_key),
            "open_connections": [iso(at) for at in p.connections.order_by("opened_at").values_list("opened_at", flat=True)],
            "workshop": {"code": workshop.code, "title": workshop.title},
        },
        "ideas": [{"id": i.pk, "board": i.board_id, "column": i.column or None, "text": i.text,
                   "builds_on": i.builds_on_id, "status": i.status, "hidden_reason": i.hidden_reason,
                   "held_reason": i.held_reason, "edited": i.edited, "created_at": iso(i.created_at)}
                  for i in Idea.objects.filter(author=p).order_by("pk")],
        "reactions": [{"idea": idea, "value": value, "at": iso(at)} for idea, value, at in
                      Reaction.objects.filter(participant=p).order_by("pk").values_list("idea_id", "value", "updated_at")],
        "endorsements": [{"proposal": proposal, "value": value, "at": iso(at)} for proposal, value, at in
                         Endorsement.objects.filter(participant=p).order_by("pk")
                         .values_list("proposal_id", "value", "updated_at")],
        "survey": survey and {"answers": survey.answers, "comment": survey.comment, "at": iso(survey.created_at)},
        # Added to the contract's keys: the flags they raised and the appeals they filed are theirs too.
        "flags": [{"idea": f.idea_id, "reason": f.reason, "note": f.note, "status": f.status,
                   "at": iso(f.created_at)} for f in Flag.objects.filter(by=p).order_by("pk")],
        "appeals": [{"idea": a.idea_id, "text": a.text, "status": a.status, "note": a.note,
                     "at": iso(a.created_at)} for a in Appeal.objects.filter(idea__author=p).order_by("pk")],
        # Added too: their questions to the panel, upvotes, raised hand and turns on the floor.
        "questions": [{"id": q.pk, "text": q.text, "status": q.status, "held_reason": q.held_reason,
                       "hidden_reason": q.hidden_reason, "answer": q.answer if q.answered_at else None,
                       "at": iso(q.created_at)} for q in Question.objects.filter(author=p).order_by("pk")],
        "upvotes": [{"question": question, "at": iso(at)} for question, at in
                    QuestionVote.objects.filter(participant=p).order_by("pk").values_list("question_id", "created_at")],
        "hand_raised_at": iso(Hand.objects.filter(participant=p).values_list("raised_at", flat=True).first()),
        "floor_turns": [{"started_at": iso(start), "ended_at": iso(end)} for start, end in
                        FloorTurn.objects.filter(participant=p).order_by("pk").values_list("started_at", "ended_at")],
        # Their answers to polls, found through the keyed hash (anonymous polls too: it is they who ask).
        "poll_answers": poll_answers_of(p),
        # The contact address and the mail written to it (workshops.contact owns both).
        "contact": contact.contact_data(p),
        "mail": contact.mail_data(p),
    }


@transaction.atomic
def participant_erase(*, actor: Participant) -> Participant:
    """Erase a citizen: what says who they are goes; what they contributed stays, by "a former participant".

    Their sockets close with 4401 (participant.erased, stream.CONTROL) and every session that was
    them is nobody from now on (sessions.participant_for). Staff keep their account's name: an
    official's answers must stay signed.
    """
    participant = Participant.objects.select_for_update().get(pk=actor.pk)
    if participant.is_staff_role or participant.user_id is not None:
        raise DomainError("forbidden", "Staff accounts are not erased here; ask the site's administrator.")
    now = timezone.now()
    keeps_device = participant.removed or (participant.muted_until is not None and participant.muted_until > now)
    participant.name, participant.profile, participant.return_key, participant.erased_at = "", {}, "", now
    participant.presence_online = False
    if not keeps_device:
        participant.device = ""
    participant.save(update_fields=["name", "profile", "return_key", "erased_at", "presence_online", "device"])
    SurveyAnswer.objects.filter(participant=participant).update(comment="")
    contact.contact_remove(actor=participant)  # the address, and every mail that would still go to it
    stream.forget_name(participant.workshop_id, participant.pk)
    floor.voice_leave(participant)  # nobody now: their hand goes down and their turn ends
    stream.emit(participant.workshop_id, ParticipantErased(participant=participant.pk))
    return participant
