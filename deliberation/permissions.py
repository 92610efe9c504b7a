"""Who may see and write what, shared by the socket and HTTP paths."""
from workshops.models import Participant

from .models import Board, Idea

MODERATING = (Participant.Role.MODERATOR, Participant.Role.FACILITATOR)


def can_see_board(actor: Participant, board: Board) -> bool:
    """The plenary board is everyone's; a room board is its members' (staff see every room)."""
    return board.room_id is None or actor.is_staff_role or actor.room_id == board.room_id


def can_post_to_board(actor: Participant, board: Board) -> bool:
    if not can_see_board(actor, board):
        return False
    # A citizen in a room writes only there; the plenary is read-only for them meanwhile.
    return actor.is_staff_role or board.room_id == actor.room_id


def can_see_idea(actor: Participant, idea: Idea) -> bool:
    if not can_see_board(actor, idea.board):
        return False
    if idea.status in (Idea.Status.VISIBLE, Idea.Status.WITHDRAWN):
        return True
    return idea.author_id == actor.pk or actor.role in MODERATING


def can_change_idea(actor: Participant, idea: Idea) -> bool:
    return idea.author_id == actor.pk and idea.status != Idea.Status.WITHDRAWN
