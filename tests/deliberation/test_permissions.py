"""Who may see and write which boards and ideas (pure rules, no database)."""
import pytest

from deliberation.models import Board, Idea
from deliberation.permissions import can_change_idea, can_post_to_board, can_see_board, can_see_idea
from workshops.models import Breakout, Participant, Room

RUNNING, CLOSING, CLOSED = "open", "closing", "closed"


def board(status: str | None = None, room: int = 3) -> Board:
    """The plenary (no status), or the board of room `room` in a breakout with that status."""
    if status is None:
        return Board(pk=1, room=None)
    return Board(pk=10 + room, room=Room(pk=room, breakout=Breakout(pk=1, status=status)))


def person(role: str = "citizen", room: int | None = None, pk: int = 7) -> Participant:
    return Participant(pk=pk, role=role, room_id=room)


def idea_on(target: Board, status: str = "visible", author: int = 7) -> Idea:
    return Idea(pk=100, board=target, author_id=author, status=status)


IN_ROOM_3, IN_ROOM_4, IN_PLENARY = person(room=3), person(room=4, pk=8), person(pk=9)
STAFF = [person("facilitator", pk=1), person("moderator", pk=2), person("official", pk=3)]


@pytest.mark.parametrize("actor", [IN_ROOM_3, IN_ROOM_4, IN_PLENARY, *STAFF])
def test_everyone_sees_the_plenary(actor):
    assert can_see_board(actor, board()) is True


@pytest.mark.parametrize("status", [RUNNING, CLOSING])
def test_a_running_rooms_board_is_seen_by_its_members_and_staff_only(status):
    room_board = board(status)
    assert can_see_board(IN_ROOM_3, room_board) is True
    assert can_see_board(IN_ROOM_4, room_board) is False
    assert can_see_board(IN_PLENARY, room_board) is False
    assert all(can_see_board(s, room_board) for s in STAFF)


@pytest.mark.parametrize("actor", [IN_ROOM_3, IN_ROOM_4, IN_PLENARY, *STAFF])
def test_a_closed_rooms_board_is_readable_by_everyone(actor):
    assert can_see_board(actor, board(CLOSED)) is True


def test_citizens_post_on_the_plenary_only_while_they_are_in_no_room():
    assert can_post_to_board(IN_PLENARY, board()) is True
    assert can_post_to_board(IN_ROOM_3, board()) is False


@pytest.mark.parametrize("actor", STAFF)
def test_staff_post_on_the_plenary_and_on_every_running_room(actor):
    assert can_post_to_board(actor, board()) is True
    assert can_post_to_board(actor, board(RUNNING)) is True
    assert can_post_to_board(actor, board(CLOSING)) is True


def test_citizens_post_on_their_own_running_room_only():
    assert can_post_to_board(IN_ROOM_3, board(RUNNING)) is True
    assert can_post_to_board(IN_ROOM_4, board(RUNNING)) is False
    assert can_post_to_board(IN_PLENARY, board(RUNNING)) is False


@pytest.mark.parametrize("actor", [IN_ROOM_3, IN_PLENARY, *STAFF])
def test_a_closed_rooms_board_is_read_only_for_everyone(actor):
    assert can_post_to_board(actor, board(CLOSED)) is False


@pytest.mark.parametrize("status", ["visible", "withdrawn"])
@pytest.mark.parametrize("actor", [IN_PLENARY, *STAFF])
def test_public_ideas_are_seen_by_everyone_who_sees_the_board(actor, status):
    assert can_see_idea(actor, idea_on(board(), status)) is True


@pytest.mark.parametrize("status", ["held", "hidden"])
def test_held_and_hidden_ideas_are_seen_by_author_moderators_and_facilitators_only(status):
    mine = idea_on(board(), status, author=9)
    facilitator, moderator, official = STAFF
    assert can_see_idea(IN_PLENARY, mine) is True
    assert can_see_idea(facilitator, mine) is True and can_see_idea(moderator, mine) is True
    assert can_see_idea(official, mine) is False
    assert can_see_idea(IN_ROOM_4, mine) is False


def test_an_idea_on_a_room_board_one_cannot_see_is_hidden_from_one():
    theirs = idea_on(board(RUNNING), "visible", author=7)
    assert can_see_idea(IN_ROOM_4, theirs) is False
    assert can_see_idea(IN_ROOM_4, idea_on(board(CLOSED), "visible")) is True


@pytest.mark.parametrize("status, allowed", [("visible", True), ("held", True), ("hidden", True),
                                             ("withdrawn", False)])
def test_only_the_author_changes_an_idea_until_it_is_withdrawn(status, allowed):
    mine = idea_on(board(), status, author=7)
    assert can_change_idea(IN_ROOM_3, mine) is allowed
    assert not any(can_change_idea(other, mine) for other in (IN_ROOM_4, IN_PLENARY, *STAFF))
