"""Reads of polls: POLL payloads as a reader may see them, results, the keyed voter hash."""
import hashlib
import hmac

from django.conf import settings
from django.db.models import Prefetch

from workshops import stream
from workshops.errors import DomainError
from workshops.models import Participant
from workshops.prepared import Lookup
from workshops.times import iso

from . import permissions, poll_results
from .models import Idea, Poll, PollAnswer, PollOption

__all__ = ["voter_key", "poll_get", "option_ids", "results_now", "results_audience", "sees_results", "poll_payload",
           "polls_visible_to", "polls_closed", "polls_export", "my_poll_answers", "option_label"]


def voter_key(poll_id: int, participant_id: int) -> str:
    """The keyed hash that stands for a participant's answer to a poll: it stops a second answer and
    names nobody to whoever lacks SECRET_KEY."""
    message = f"poll:{poll_id}:participant:{participant_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _with_options(qs):
    return qs.prefetch_related(Prefetch("options", queryset=PollOption.objects.select_related("idea")
                                        .order_by("position")))


def poll_get(actor: Participant, poll_id: int, *, lock: bool = False, options: bool = True) -> Poll:
    """A poll of the actor's workshop, or not_found; with its options (and their ideas) unless told not to:
    an answer needs only their ids (option_ids)."""
    qs = Poll.objects.filter(pk=poll_id, workshop_id=actor.workshop_id)
    qs = qs.select_for_update() if lock else qs
    try:
        poll = (_with_options(qs) if options else qs).get()
    except Poll.DoesNotExist:
        raise DomainError("not_found", "No such poll.", fields={"poll": "No such poll."}) from None
    return poll


def option_ids(poll: Poll) -> list[int]:
    """The poll's option ids in option order (from the prefetched options, or one query)."""
    if "options" in getattr(poll, "_prefetched_objects_cache", {}):
        return [o.pk for o in poll.options.all()]
    return list(PollOption.objects.filter(poll=poll).order_by("position").values_list("pk", flat=True))


def results_now(poll: Poll) -> dict:
    """RESULTS from the answers stored now (the final ones once closed)."""
    if poll.status == Poll.Status.CLOSED and poll.results is not None:
        return poll.results
    answers = PollAnswer.objects.filter(poll=poll).values_list("data", flat=True)
    return poll_results.results(poll.kind, option_ids(poll), answers)


def results_audience(poll: Poll) -> tuple[str, ...]:
    """Who is told results while a poll is open: everyone when they are live, else facilitators."""
    return stream.EVERYONE if poll.results_visibility == Poll.Visibility.LIVE else stream.FACILITATORS


def sees_results(reader: Participant | None, poll: Poll) -> bool:
    """Facilitators always; everyone once closed or when live; `None` reads as a facilitator (report, export)."""
    return (reader is None or reader.role == Participant.Role.FACILITATOR or poll.status == Poll.Status.CLOSED
            or poll.results_visibility == Poll.Visibility.LIVE)


def option_label(option: PollOption, *, moderating: bool) -> str:
    """An option taken from an idea shows its text while the idea is visible; a hidden or held one's only to
    moderators, a withdrawn one's to nobody (as the idea itself)."""
    if option.idea_id is None or option.idea.status == Idea.Status.VISIBLE:
        return option.label
    return option.label if moderating and option.idea.status != Idea.Status.WITHDRAWN else ""


def poll_payload(poll: Poll, *, reader: Participant | None = None, results: dict | None = None) -> dict:
    """POLL for a reader (None: for the record, as a facilitator sees it); results only where they may see them."""
    moderating = reader is None or reader.role in permissions.MODERATING
    payload = {
        "id": poll.pk, "question": poll.question, "kind": poll.kind,
        "options": [{"id": o.pk, "label": option_label(o, moderating=moderating),
                     **({"idea": o.idea_id} if o.idea_id is not None else {})} for o in poll.options.all()],
        "status": poll.status, "anonymous": poll.anonymous, "results_visibility": poll.results_visibility,
    }
    if poll.kind == Poll.Kind.MULTIPLE and poll.max_choices is not None:
        payload["max_choices"] = poll.max_choices
    if poll.kind == Poll.Kind.SCALE:
        payload["scale"] = {"min": poll.scale_min, "max": poll.scale_max}
    if poll.kind == Poll.Kind.POINTS:
        payload["points"] = poll.points
    if poll.closes_at is not None:
        payload["closes_at"] = iso(poll.closes_at)
    payload["results"] = (results if results is not None else results_now(poll)) if sees_results(reader, poll) \
        else None
    return payload


def polls_visible_to(reader: Participant | None, workshop_id: int) -> list[dict]:
    """Every poll of the workshop, oldest first, as the reader may see it."""
    if not _POLL_IDS.all(workshop_id):  # most welcomes: one prepared statement, not two built ones
        return []
    return [poll_payload(p, reader=reader)
            for p in _with_options(Poll.objects.filter(workshop_id=workshop_id).order_by("created_at", "pk"))]


def polls_closed(workshop_id: int) -> list[dict]:
    """The report's polls: each closed poll, oldest first, with its final results."""
    return [poll_payload(p) for p in _with_options(Poll.objects.filter(
        workshop_id=workshop_id, status=Poll.Status.CLOSED).order_by("created_at", "pk"))]


def poll_answers_of(me: Participant) -> list[dict]:
    """The participant's own answers with their polls' questions and times, anonymous polls included (for "my data")."""
    polls = dict(Poll.objects.filter(workshop_id=me.workshop_id).values_list("pk", "question"))
    keys = {voter_key(pid, me.pk): pid for pid in polls}
    return [{"poll": keys[voter], "question": polls[keys[voter]], "answer": data, "at": iso(at)} for voter, data, at in
            PollAnswer.objects.filter(poll_id__in=polls, voter__in=keys).order_by("poll_id")
            .values_list("voter", "data", "updated_at")]


_POLL_IDS = Lookup(lambda workshop_id: Poll.objects.filter(workshop_id=workshop_id).values_list("pk", flat=True))


def my_poll_answers(me: Participant) -> dict:
    """The reader's current answers, by poll id (found through the keyed hash, anonymous polls too)."""
    polls = _POLL_IDS.all(me.workshop_id)
    if not polls:  # most welcomes
        return {}
    keys = {voter_key(pid, me.pk): pid for pid in polls}
    return {str(keys[voter]): data for voter, data in
            PollAnswer.objects.filter(poll_id__in=polls, voter__in=keys).values_list("voter", "data")}


def polls_export(workshop_id: int, *, reader: Participant, alias: dict[int, str]) -> list[dict]:
    """Every poll as the reader sees it, with its answers: by alias (P1, ...) for a named poll; for an
    anonymous one by nobody, in the order of their keyed hashes, which says nothing of who or when."""
    out = []
    for poll in _with_options(Poll.objects.filter(workshop_id=workshop_id).order_by("created_at", "pk")):
        payload = poll_payload(poll, reader=reader)
        payload["created_at"], payload["closed_at"] = iso(poll.created_at), iso(poll.closed_at)
        answers = PollAnswer.objects.filter(poll=poll)
        if poll.anonymous:
            payload["answers"] = [{"answer": data} for data in answers.order_by("voter").values_list("data", flat=True)]
        else:
            payload["answers"] = [{"participant": alias[pid], "answer": data} for pid, data in
                                  answers.order_by("pk").values_list("participant_id", "data")]
        if payload["results"] is None:
            payload["answers"] = []  # results not out yet for this reader: nor the answers they are made of
        out.append(payload)
    return out
