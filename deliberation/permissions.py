"""Who may see and write what, shared by the socket and HTTP paths."""
from workshops.models import Participant

from .models import Board, Idea

MODERATING = (Participant.Role.MODERATOR, Participant.Role.FACILITATOR)


def _room_running(board: Board) -> bool:
    return board.room_id is not None and board.room.breakout.running


def can_see_board(actor: Participant, board: Board) -> bool:
    """The plenary is everyone's; a room board is its members' while the breakout runs, then everyone's."""
    if board.room_id is None or actor.is_staff_role or not _room_running(board):
        return True
    return actor.room_id == board.room_id


def can_post_to_board(actor: Participant, board: Board) -> bool:
    """Citizens in a room write only there; a closed room's board is read-only for all."""
    if board.room_id is not None:
        return _room_running(board) and (actor.is_staff_role or actor.room_id == board.room_id)
    return actor.is_staff_role or actor.room_id is None


def can_see_idea(actor: Participant, idea: Idea) -> bool:
    if not can_see_board(actor, idea.board):
        return False
    if idea.status in (Idea.Status.VISIBLE, Idea.Status.WITHDRAWN):
        return True
    return idea.author_id == actor.pk or actor.role in MODERATING


def can_change_idea(actor: Participant, idea: Idea) -> bool:
    return idea.author_id == actor.pk and idea.status != Idea.Status.WITHDRAWN
