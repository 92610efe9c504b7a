"""Writes of polls (PROTOCOL 3.4): open, answer, close, the timed close and the results' pace.

Results go out as `poll.results` at most twice a second per poll (RESULTS_WINDOW), across server
processes: the time of the last one is on the poll's row, which every answer holds locked; an answer
that comes sooner leaves a trailing flush (a Deadline), which tells the results as they are by then,
as presence does (workshops.presence). The hub coalesces what is left per poll (`coalesce_by`).
"""
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from workshops import permissions as rules
from workshops import stream
from workshops.background import deadline_handler
from workshops.errors import DomainError
from workshops.models import Deadline, Participant

from . import screening
from .events import PollClosed, PollOpened, PollResults
from .models import Idea, Poll, PollAnswer, PollOption
from .poll_selectors import option_ids, poll_payload, results_audience, results_now, voter_key

__all__ = ["CLOSE", "RESULTS", "RESULTS_WINDOW", "poll_open", "poll_answer", "poll_close", "polls_close_soon",
           "poll_deadline"]

CLOSE = "poll.timeout"  # deadline kinds
RESULTS = "poll.flush"
# Two `poll.results` of a poll are stored at least this far apart. The hub may hold one for up to
# COALESCE_S (0.3 s) and hand the next over at once, so sockets may get them that much closer:
# three in a row still span 2 x 0.7 - 0.3 = 1.1 s, so no socket gets more than two in any second.
RESULTS_WINDOW = timedelta(seconds=0.7)
SCALE_LIMIT = 1000  # scale ends lie within +-SCALE_LIMIT, at most MAX_SCALE_STEPS apart
MAX_SCALE_STEPS = 100
MAX_WORDS_PER_ANSWER = 3
MAX_WORD_CHARS = 30
ANSWER_FIELDS = {Poll.Kind.SINGLE: "choice", Poll.Kind.MULTIPLE: "choices", Poll.Kind.SCALE: "value",
                 Poll.Kind.RANKING: "ranking", Poll.Kind.POINTS: "points", Poll.Kind.WORDS: "words"}
WITH_OPTIONS = (Poll.Kind.SINGLE, Poll.Kind.MULTIPLE, Poll.Kind.RANKING, Poll.Kind.POINTS)


def _invalid(field: str, message: str) -> DomainError:
    return DomainError("invalid", fields={field: message})


def _options_from(kind: str, options: list[str] | None, ideas: list[Idea] | None) -> list[tuple[str, Idea | None]]:
    if kind not in WITH_OPTIONS:
        if options is not None or ideas is not None:
            raise _invalid("options" if options is not None else "ideas", f"A {kind} poll has no options.")
        return []
    if (options is None) == (ideas is None):
        raise _invalid("options", "Give either options (2 to 20 labels) or ideas (2 to 20 idea ids).")
    if ideas is not None:
        if len({i.pk for i in ideas}) != len(ideas):
            raise _invalid("ideas", "An idea can be an option once.")
        unpublished = [i.pk for i in ideas if i.status != Idea.Status.VISIBLE]
        if unpublished:
            raise _invalid("ideas", f"Only published ideas can be options; not {', '.join(map(str, unpublished))}.")
        return [(i.text, i) for i in ideas]
    if len({label.casefold() for label in options}) != len(options):
        raise _invalid("options", "Each option must differ from the others.")
    return [(label, None) for label in options]


def _settings(kind: str, *, n_options: int, max_choices: int | None, scale: dict | None,
              points: int | None) -> dict:
    if max_choices is not None and kind != Poll.Kind.MULTIPLE:
        raise _invalid("max_choices", "Only a multiple-choice poll takes max_choices.")
    if scale is not None and kind != Poll.Kind.SCALE:
        raise _invalid("scale", "Only a scale poll takes a scale.")
    if points is not None and kind != Poll.Kind.POINTS:
        raise _invalid("points", "Only a points poll takes points.")
    out = {}
    if kind == Poll.Kind.MULTIPLE and max_choices is not None:
        if not 1 <= max_choices <= n_options:
            raise _invalid("max_choices", f"Between 1 and the number of options ({n_options}).")
        out["max_choices"] = max_choices
    if kind == Poll.Kind.SCALE:
        low, high = (scale["min"], scale["max"]) if scale is not None else (0, 10)
        if not (-SCALE_LIMIT <= low < high <= SCALE_LIMIT and high - low <= MAX_SCALE_STEPS):
            raise _invalid("scale", f"min below max, both within ±{SCALE_LIMIT}, "
                                    f"at most {MAX_SCALE_STEPS} apart.")
        out["scale_min"], out["scale_max"] = low, high
    if kind == Poll.Kind.POINTS:
        out["points"] = 10 if points is None else points
    return out


@transaction.atomic
def poll_open(*, actor: Participant, question: str, kind: str, results: str, options: list[str] | None = None,
              ideas: list[Idea] | None = None, max_choices: int | None = None, scale: dict | None = None,
              points: int | None = None, anonymous: bool = False, duration_s: int | None = None) -> Poll:
    """A facilitator opens a poll to everyone; with `duration_s` it closes by itself."""
    rules.require_content(actor)
    if actor.role != Participant.Role.FACILITATOR:
        raise DomainError("forbidden")
    chosen = _options_from(kind, options, ideas)
    extra = _settings(kind, n_options=len(chosen), max_choices=max_choices, scale=scale, points=points)
    now = timezone.now()
    poll = Poll.objects.create(workshop_id=actor.workshop_id, question=question, kind=kind, anonymous=anonymous,
                               results_visibility=results, opened_by=actor,
                               closes_at=now + timedelta(seconds=duration_s) if duration_s else None, **extra)
    PollOption.objects.bulk_create([PollOption(poll=poll, position=i, label=label, idea=idea)
                                    for i, (label, idea) in enumerate(chosen)])
    if poll.closes_at is not None:
        Deadline.objects.create(workshop_id=actor.workshop_id, kind=CLOSE, due_at=poll.closes_at,
                                data={"poll": poll.pk})
    poll = Poll.objects.prefetch_related("options__idea").get(pk=poll.pk)
    payload = poll_payload(poll, reader=None)
    if poll.results_visibility != Poll.Visibility.LIVE:
        payload["results"] = None  # everyone gets this event; facilitators get `poll.results` as answers come
    stream.emit(actor.workshop_id, PollOpened(poll=payload))
    return poll


def _one_of(ids: list[int], values, field: str) -> None:
    unknown = [v for v in values if v not in ids]
    if unknown:
        raise _invalid(field, f"Not an option of this poll: {', '.join(map(str, unknown))}.")


def _clean_words(words: list[str], *, language: str) -> list[str]:
    cleaned = [" ".join(w.split()).casefold() for w in words]
    if not 1 <= len(cleaned) <= MAX_WORDS_PER_ANSWER:
        raise _invalid("words", f"Give 1 to {MAX_WORDS_PER_ANSWER} words.")
    if any(not 1 <= len(w) <= MAX_WORD_CHARS for w in cleaned):
        raise _invalid("words", f"Each word is 1 to {MAX_WORD_CHARS} characters.")
    # Screened like ideas: what screening would hold is left out, and so never shown.
    return [w for w in cleaned if not screening.screen(w, language=language)]


def answer_data(poll: Poll, answer: dict, *, language: str) -> dict:
    """The answer as stored, from the command's fields, or `invalid` with the field that is wrong."""
    field = ANSWER_FIELDS[poll.kind]
    given = {k for k, v in answer.items() if v is not None}
    stray = sorted(given - {field})
    if stray:
        raise _invalid(stray[0], f"A {poll.kind} poll is answered with `{field}`.")
    value = answer.get(field)
    if value is None:
        raise _invalid(field, f"A {poll.kind} poll is answered with `{field}`.")
    ids = option_ids(poll) if poll.kind in WITH_OPTIONS else []
    if poll.kind == Poll.Kind.SINGLE:
        _one_of(ids, [value], field)
        return {"choice": value}
    if poll.kind == Poll.Kind.MULTIPLE:
        _one_of(ids, value, field)
        if not value or len(set(value)) != len(value):
            raise _invalid(field, "Choose one or more options, each once.")
        if poll.max_choices is not None and len(value) > poll.max_choices:
            raise _invalid(field, f"Choose at most {poll.max_choices}.")
        return {"choices": sorted(value)}
    if poll.kind == Poll.Kind.SCALE:
        if not poll.scale_min <= value <= poll.scale_max:
            raise _invalid(field, f"A whole number from {poll.scale_min} to {poll.scale_max}.")
        return {"value": value}
    if poll.kind == Poll.Kind.RANKING:
        _one_of(ids, value, field)
        if len(value) != len(ids) or set(value) != set(ids):
            raise _invalid(field, "Rank every option once.")
        return {"ranking": list(value)}
    if poll.kind == Poll.Kind.POINTS:
        _one_of([str(i) for i in ids], list(value), field)
        if any(p < 0 for p in value.values()):
            raise _invalid(field, "Points are whole numbers, 0 or more.")
        if sum(value.values()) > poll.points:
            raise _invalid(field, f"At most {poll.points} points in all.")
        return {"points": {k: p for k, p in sorted(value.items(), key=lambda kv: int(kv[0])) if p}}
    return {"words": _clean_words(value, language=language)}


@transaction.atomic
def poll_answer(*, actor: Participant, poll: Poll, answer: dict, now: datetime | None = None) -> dict:
    """Give or replace the actor's answer to an open poll (the caller holds the poll locked); the stored answer."""
    rules.require_content(actor)
    if poll.status != Poll.Status.OPEN:
        raise DomainError("conflict", "The poll is closed.")
    data = answer_data(poll, answer, language=actor.workshop.language)
    # One statement whether it is the first answer or a change (INSERT ... ON CONFLICT DO UPDATE).
    PollAnswer.objects.bulk_create(
        [PollAnswer(poll=poll, voter=voter_key(poll.pk, actor.pk), participant=None if poll.anonymous else actor,
                    data=data)],
        update_conflicts=True, unique_fields=["poll", "voter"], update_fields=["data", "participant", "updated_at"])
    results_tell(poll, now=now)
    return data


def results_tell(poll: Poll, *, now: datetime | None = None) -> bool:
    """Tell the poll's results now if the window allows, else make sure a flush will; True if told now.
    The caller holds the poll's row locked."""
    now = now or timezone.now()
    if poll.results_at is not None and now < poll.results_at + RESULTS_WINDOW:
        if not poll.results_flush:  # the first answer since the last results: a flush will tell it
            Deadline.objects.create(workshop_id=poll.workshop_id, kind=RESULTS,
                                    due_at=poll.results_at + RESULTS_WINDOW, data={"poll": poll.pk})
            poll.results_flush = True
            Poll.objects.filter(pk=poll.pk).update(results_flush=True)
        return False
    poll.results_at, poll.results_flush = now, False
    Poll.objects.filter(pk=poll.pk).update(results_at=now, results_flush=False)
    stream.emit(poll.workshop_id, PollResults(poll=poll.pk, results=results_now(poll)),
                audience=results_audience(poll))
    return True


def _close(poll: Poll, *, now: datetime) -> None:
    poll.status, poll.closed_at = Poll.Status.CLOSED, now
    poll.results = None
    poll.results = results_now(poll)
    poll.save(update_fields=["status", "closed_at", "results"])
    stream.emit(poll.workshop_id, PollClosed(poll=poll_payload(poll, reader=None)))


@transaction.atomic
def poll_close(*, actor: Participant, poll: Poll) -> Poll:
    """A facilitator closes an open poll (the caller holds it locked): everyone gets the final results."""
    rules.require_act(actor)
    if actor.role != Participant.Role.FACILITATOR:
        raise DomainError("forbidden")
    if poll.status != Poll.Status.OPEN:
        raise DomainError("conflict", "The poll is closed already.")
    _close(poll, now=timezone.now())
    return poll


def polls_close_soon(workshop_id: int) -> int:
    """The workshop is ending: every open poll closes, with its final results, at the next run of
    deadlines (within a second); how many. Not in the end's transaction: an answer holds its poll
    and then waits for the seq lock, which the end holds, so the end must not wait for a poll."""
    now = timezone.now()
    open_polls = Poll.objects.filter(workshop_id=workshop_id, status=Poll.Status.OPEN).values_list("pk", flat=True)
    return len(Deadline.objects.bulk_create(
        [Deadline(workshop_id=workshop_id, kind=CLOSE, due_at=now, data={"poll": pk}) for pk in open_polls]))


@transaction.atomic
def poll_deadline(*, deadline: Deadline, now: datetime | None = None) -> None:
    """A poll's timed close, or its trailing results flush; nothing once the poll is closed."""
    poll = (Poll.objects.select_for_update().prefetch_related("options__idea")
            .filter(pk=deadline.data.get("poll"), workshop_id=deadline.workshop_id).first())
    if poll is None or poll.status != Poll.Status.OPEN:
        return
    if deadline.kind == CLOSE:
        _close(poll, now=now or timezone.now())
    else:
        results_tell(poll, now=now)


deadline_handler(CLOSE)(lambda deadline: poll_deadline(deadline=deadline))
deadline_handler(RESULTS)(lambda deadline: poll_deadline(deadline=deadline))
