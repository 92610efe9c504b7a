"""Replayed events carry each idea as it is now for their reader, never text that reader may no longer see."""
from collections.abc import Iterator, Sequence

from django.db.models import Count

from workshops.models import Event, Participant
from workshops.replay import replay_rewriter

from . import permissions
from .models import Idea, Question, QuestionVote, Reaction
from .selectors import ZERO, idea_payload, question_payload, reads_question, reads_question_reason

REASONS = ("hidden_reason", "held_reason")


def _is_idea(value) -> bool:
    return isinstance(value, dict) and "id" in value and "text" in value


def _carried(payload: dict) -> Iterator[dict]:
    """The IDEAs a payload carries: `idea` (idea.posted, ...) or in a list `ideas` (room.assigned, ...)."""
    if _is_idea(payload.get("idea")):
        yield payload["idea"]
    if isinstance(payload.get("ideas"), list):
        yield from (i for i in payload["ideas"] if _is_idea(i))


def idea_now(reader: Participant, idea: Idea, reactions: dict) -> dict:
    """An idea as `reader` may see it now; what they may not read has no text and shows as hidden."""
    trusted = permissions.reads_unpublished(reader, idea)
    payload = idea_payload(idea, reactions=reactions, with_reason=trusted)
    if not trusted and idea.status != Idea.Status.VISIBLE:
        payload["text"] = ""
        if idea.status == Idea.Status.HELD:
            # Everyone else was told `idea.hidden` when an edit got this idea held.
            payload["status"] = Idea.Status.HIDDEN
    return payload


def _gone(old: dict) -> dict:
    """An idea no longer stored keeps nothing of what it said."""
    return {**{k: v for k, v in old.items() if k not in REASONS}, "text": "", "status": Idea.Status.HIDDEN}


@replay_rewriter
def ideas_as_they_are_now(reader: Participant, events: Sequence[Event]) -> None:
    """Replace every idea that the replayed events carry with its form for the reader now, in two queries."""
    ids = {idea["id"] for event in events for idea in _carried(event.payload)}
    if not ids:
        return
    ideas = list(Idea.objects.filter(pk__in=ids, board__workshop_id=reader.workshop_id).select_related("author"))
    counts = {idea.pk: dict(ZERO) for idea in ideas}
    for row in Reaction.objects.filter(idea_id__in=counts).values("idea_id", "value").annotate(n=Count("pk")):
        counts[row["idea_id"]][row["value"]] = row["n"]
    now = {idea.pk: idea_now(reader, idea, counts[idea.pk]) for idea in ideas}

    def fresh(old: dict) -> dict:
        return now.get(old["id"]) or _gone(old)

    for event in events:
        payload = event.payload
        if _is_idea(payload.get("idea")):
            payload["idea"] = fresh(payload["idea"])
        if isinstance(payload.get("ideas"), list):
            payload["ideas"] = [fresh(i) if _is_idea(i) else i for i in payload["ideas"]]


def _carries_question(payload: dict) -> bool:
    return isinstance(payload.get("question"), dict)


def question_now(reader: Participant, question: Question, votes: int) -> dict:
    """A question as `reader` may see it now: one held or hidden from them has no text and no answer."""
    payload = question_payload(question, votes=votes, with_reason=reads_question_reason(reader, question))
    if not reads_question(reader, question):
        payload.update(text="", status=Question.Status.HIDDEN, answer=None)
    return payload


@replay_rewriter
def questions_as_they_are_now(reader: Participant, events: Sequence[Event]) -> None:
    """Replace every QUESTION the replayed events carry with its form for the reader now, in two queries."""
    ids = {event.payload["question"]["id"] for event in events if _carries_question(event.payload)}
    if not ids:
        return
    questions = list(Question.objects.filter(pk__in=ids, workshop_id=reader.workshop_id)
                     .select_related("author", "answered_by"))
    votes = dict(QuestionVote.objects.filter(question_id__in=ids).values("question_id").annotate(n=Count("pk"))
                 .values_list("question_id", "n"))
    now = {q.pk: question_now(reader, q, votes.get(q.pk, 0)) for q in questions}
    for event in events:
        if _carries_question(event.payload):
            old = event.payload["question"]
            event.payload["question"] = now.get(old["id"]) or {
                **{k: v for k, v in old.items() if k not in REASONS}, "text": "", "status": Question.Status.HIDDEN,
                "answer": None}


@replay_rewriter
def poll_options_as_they_are_now(reader: Participant, events: Sequence[Event]) -> None:
    """An option taken from an idea keeps its text in a replay only while the reader may still read the idea."""
    polls = [e.payload["poll"] for e in events if isinstance(e.payload.get("poll"), dict)]
    ids = {o["idea"] for poll in polls for o in poll.get("options", ()) if o.get("idea") is not None}
    if not ids:
        return
    # Moderators still read hidden and held ideas; a withdrawn one's text goes to nobody.
    readable = (Idea.Status.VISIBLE, Idea.Status.HIDDEN, Idea.Status.HELD) if reader.role in permissions.MODERATING \
        else (Idea.Status.VISIBLE,)
    visible = set(Idea.objects.filter(pk__in=ids, status__in=readable).values_list("pk", flat=True))
    for event in events:
        poll = event.payload.get("poll")
        if isinstance(poll, dict) and any(o.get("idea") is not None and o["idea"] not in visible
                                          for o in poll.get("options", ())):
            # A new poll with new options: the payload's values are shared (workshops.replay).
            event.payload["poll"] = {**poll, "options": [
                {**o, "label": ""} if o.get("idea") is not None and o["idea"] not in visible else o
                for o in poll["options"]]}
