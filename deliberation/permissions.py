"""Who may see and write what, shared by the socket and HTTP paths."""
from django.db.models import Q

from workshops.models import Breakout, Participant

from .models import Board, Idea

MODERATING = (Participant.Role.MODERATOR, Participant.Role.FACILITATOR)
PUBLIC = (Idea.Status.VISIBLE, Idea.Status.WITHDRAWN)


def board_room(board: Board) -> int | None:
    """The room whose members alone read a board now: a room board's while its breakout runs; None is everyone."""
    return board.room_id if board.room_id is not None and board.room.breakout.running else None


def can_see_board(actor: Participant, board: Board) -> bool:
    """The plenary is everyone's; a room board is its members' while the breakout runs, then everyone's."""
    if board.room_id is None or actor.is_staff_role:
        return True
    room = board_room(board)
    return room is None or actor.room_id == room


def on_readable_boards(actor: Participant) -> Q:
    """can_see_board as a filter of ideas by their board."""
    if actor.is_staff_role:
        return Q()
    readable = Q(board__room__isnull=True) | Q(board__room__breakout__status=Breakout.Status.CLOSED)
    return readable | Q(board__room_id=actor.room_id) if actor.room_id is not None else readable


def can_post_to_board(actor: Participant, board: Board) -> bool:
    """Citizens in a room write only there; a closed room's board is read-only for all."""
    if board.room_id is not None:
        return board_room(board) is not None and (actor.is_staff_role or actor.room_id == board.room_id)
    return actor.is_staff_role or actor.room_id is None


def reads_unpublished(actor: Participant, idea: Idea) -> bool:
    """Who reads an idea that is not public (held, hidden), with its reason: its author and moderators."""
    return idea.author_id == actor.pk or actor.role in MODERATING


def ideas_readable(actor: Participant, *, public: Q = Q(status__in=PUBLIC)) -> Q:
    """reads_unpublished as a filter of ideas: those `public`, or all for moderators, plus the actor's own."""
    return Q() if actor.role in MODERATING else public | Q(author_id=actor.pk)


def can_see_idea(actor: Participant, idea: Idea) -> bool:
    return can_see_board(actor, idea.board) and (idea.status in PUBLIC or reads_unpublished(actor, idea))


def can_change_idea(actor: Participant, idea: Idea) -> bool:
    return idea.author_id == actor.pk and idea.status != Idea.Status.WITHDRAWN
