"""Writes of the content: ideas and reactions. Each service owns its transaction and emits its events."""
from django.db import connection, transaction
from django.utils import timezone

from workshops import background
from workshops import permissions as rules
from workshops import stream
from workshops.errors import DomainError
from workshops.models import Participant, Workshop
from workshops.prepared import Insert
from workshops.registry import command_atomic

from . import ladder, moderation, permissions, screening, tallies
from .events import IdeaEdited, IdeaHeld, IdeaPosted, IdeaWithdrawn
from .models import Board, Idea, Reaction, SurveyAnswer
from .selectors import ZERO, idea_audience, idea_payload, reaction_counts


def choice_set(model, *, value: str | None, then: tuple[str, list] | None = None, **key) -> bool:
    """Set (or clear, with None) the one value a participant gives something; True if it changed.

    One statement, which also settles two sockets of one person setting it at once: an upsert
    that writes the row only when the value differs (PostgreSQL and SQLite alike), or a delete.
    Reading the row first and then writing it took two, and a model built per reaction.

    `then` is an UPDATE (SQL ending in its WHERE clause, and its parameters) to make when the value
    changed, after it. On PostgreSQL it goes in the same statement, the change as a data-modifying
    WITH that the UPDATE runs only if it wrote a row: one round trip where there were two.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [quote(model._meta.get_field(name).column) for name in key]
    params = [getattr(v, "pk", v) for v in key.values()]
    if value is None:
        sql = f"DELETE FROM {table} WHERE " + " AND ".join(f"{c} = %s" for c in columns)
    else:
        names, val, at = ", ".join(columns), quote("value"), quote("updated_at")
        sql = (f"INSERT INTO {table} ({names}, {val}, {at}) VALUES ({', '.join(['%s'] * (len(columns) + 2))}) "
               f"ON CONFLICT ({names}) DO UPDATE SET {val} = excluded.{val}, {at} = excluded.{at} "
               f"WHERE {table}.{val} <> excluded.{val}")
        params += [value, connection.ops.adapt_datetimefield_value(timezone.now())]
    with connection.cursor() as cursor:
        if then is not None and connection.vendor == "postgresql":
            then_sql, then_params = then
            cursor.execute(f"WITH changed AS ({sql} RETURNING 1) {then_sql} AND EXISTS (SELECT 1 FROM changed) "
                           "RETURNING 1", [*params, *then_params])
            return cursor.fetchone() is not None
        cursor.execute(sql, params)
        changed = cursor.rowcount > 0
        if changed and then is not None:
            cursor.execute(*then)
        return changed


def _announcement(idea: Idea, event: type[IdeaPosted | IdeaEdited], *, reactions: dict | None = None) -> tuple:
    if idea.status == Idea.Status.HELD and event is IdeaPosted:
        event = IdeaHeld
    return event(idea=idea_payload(idea, reactions=reactions, with_reason=True)), idea_audience(idea)


# Every idea.post writes one: `objects.create` built the statement anew, at about twice what it took to run.
_IDEA_ROW = Insert(Idea, ("board", "author", "text", "column", "builds_on", "status", "hidden_reason", "held_reason",
                          "edited", "created_at", "tally_pending"))


@command_atomic
def idea_post(*, actor: Participant, board: Board, text: str, column: str | None = None,
              builds_on: Idea | None = None) -> Idea:
    """Post an idea, or a reply that builds on another, to a board the actor can write on."""
    rules.require_content(actor)
    if not permissions.can_post_to_board(actor, board):
        raise DomainError("forbidden", "You cannot post on this board now.")
    if column and column not in board.columns:
        raise DomainError("invalid", fields={"column": "Not a column of this board."})
    if builds_on is not None:
        if builds_on.status != Idea.Status.VISIBLE or not permissions.can_see_board(actor, builds_on.board):
            raise DomainError("not_found", "No such idea to build on.", fields={"builds_on": "No such idea."})
        column = column or builds_on.column
    reasons = screening.screen(text, language=actor.workshop.language)
    premoderated = actor.workshop.moderation == Workshop.Moderation.PRE and not actor.is_staff_role
    status = Idea.Status.HELD if reasons or premoderated else Idea.Status.VISIBLE
    idea = Idea(board=board, author=actor, text=text, column=column or "", builds_on=builds_on, status=status,
                held_reason="pre-moderation" if premoderated and not reasons else "", created_at=timezone.now())
    idea.pk = _IDEA_ROW.returning(*(getattr(idea, field.attname) for field in _IDEA_ROW.fields))
    idea._state.adding, idea._state.db = False, _IDEA_ROW.using
    if reasons:
        moderation.hold_for_screening(idea, reasons)
        idea.save(update_fields=["held_reason"])
    builds_on_other = builds_on is not None and builds_on.author_id != actor.pk
    lifted = [(actor, "collaborating" if builds_on_other else "involved")]
    if builds_on_other and status == Idea.Status.VISIBLE:
        lifted.append((builds_on.author, "collaborating"))
    # The authors' rows before the workshop's seq, as a first reaction takes them (its rung, then its
    # event): in the other order, a first idea and a first reaction of one person on two sockets
    # deadlocked.
    rises = ladder.rung_rises(lifted)
    # Nobody has reacted to a new idea. Its event, then the rungs it lifted, in one statement.
    stream.emit_many(board.workshop_id, [_announcement(idea, IdeaPosted, reactions=dict(ZERO)), *rises])
    return idea


@transaction.atomic
def idea_edit(*, actor: Participant, idea: Idea, text: str) -> Idea:
    rules.require_content(actor)
    if not permissions.can_change_idea(actor, idea) or idea.status == Idea.Status.HIDDEN:
        raise DomainError("forbidden", "Only the author can edit an idea that is not hidden or withdrawn.")
    if text == idea.text:
        return idea
    was_public = idea.status == Idea.Status.VISIBLE
    idea.text, idea.edited = text, True
    reasons = screening.screen(text, language=actor.workshop.language)
    if reasons:
        # An edit that screening stops takes the idea off the boards until a moderator looks.
        idea.status = Idea.Status.HELD
        moderation.hold_for_screening(idea, reasons)
    idea.save(update_fields=["text", "edited", "status", "held_reason"])
    if reasons and was_public:
        moderation.take_off_boards(idea)
    stream.emit_many(idea.board.workshop_id, [_announcement(idea, IdeaEdited)])
    return idea


@transaction.atomic
def idea_withdraw(*, actor: Participant, idea: Idea) -> Idea:
    """The author takes an idea back; replies to it stay, with its place kept in the thread."""
    rules.require_content(actor)
    if not permissions.can_change_idea(actor, idea):
        raise DomainError("forbidden", "Only the author can withdraw an idea.")
    audience = idea_audience(idea)
    idea.status = Idea.Status.WITHDRAWN
    idea.save(update_fields=["status"])
    stream.emit(idea.board.workshop_id, IdeaWithdrawn(idea=idea.pk), audience=audience)
    return idea


@command_atomic
def idea_react(*, actor: Participant, idea: Idea, value: str | None) -> dict:
    """Set (or clear, with None) the actor's one reaction to a visible idea."""
    rules.require_content(actor)
    if idea.status != Idea.Status.VISIBLE:
        raise DomainError("forbidden", "Only visible ideas take reactions.")
    # Everyone hears the counts from the next tally, within INSPRAAK_TALLY_S; the actor from the ack.
    # The idea is marked for it with the change, before the rung: its event takes the seq lock
    # (deliberation.tallies).
    if not choice_set(Reaction, value=value, idea=idea, participant=actor, then=tallies.tally_mark(idea)):
        return reaction_counts(idea.pk)
    background.wake_on_commit()  # the mark is this process's to tell, at the tick after the commit
    ladder.rung_refresh(actor, at_least="consulted")
    return reaction_counts(idea.pk)


@transaction.atomic
def survey_answer(*, actor: Participant, answers: dict[str, int], comment: str = "") -> SurveyAnswer:
    """Rate the workshop once, after it started: citizens and officials each on their own factors."""
    factors = {Participant.Role.CITIZEN: SurveyAnswer.CITIZEN_FACTORS,
               Participant.Role.OFFICIAL: SurveyAnswer.OFFICIAL_FACTORS}.get(actor.role)
    if factors is None:
        raise DomainError("forbidden", "The survey is for citizens and officials.")
    if actor.workshop.status == Workshop.Status.DRAFT:
        raise DomainError("forbidden", "The survey opens once the workshop has started.")
    unknown = sorted(set(answers) - set(factors))
    if unknown or not answers:
        raise DomainError("invalid", fields={"answers": f"Rate one or more of: {', '.join(factors)}."})
    if SurveyAnswer.objects.filter(participant=actor).exists():
        raise DomainError("conflict", "You answered the survey already.")
    survey = SurveyAnswer.objects.create(participant=actor, answers=answers, comment=comment)
    ladder.rung_refresh(actor, at_least="consulted")
    return survey
