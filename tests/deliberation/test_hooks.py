"""This app's content hooks: what a participant moved into a room is handed, and at what cost."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deliberation.hooks import CONTENT
from deliberation.models import Idea
from deliberation.selectors import ideas_visible_to
from tests.deliberation.test_selectors import ideas  # noqa: F401  a plenary idea in each status
from tests.factories import idea, plenary, room_with_board

pytestmark = pytest.mark.django_db


@pytest.fixture
def room_with_ideas(ideas):
    """The selector tests' ideas of each status moved onto Room 1's board, with An in that room."""
    workshop, _, an, bo, _, made = ideas
    room, board = room_with_board(workshop, "Room 1")
    _, other = room_with_board(workshop, "Room 2")
    Idea.objects.filter(pk__in=[i.pk for i in made.values()]).update(board=board)
    idea(plenary(workshop), bo, "On the plenary")
    idea(other, bo, "In the other room")
    an.room = room
    an.save(update_fields=["room"])
    return workshop, an, room, board, made


def test_room_entered_hands_the_room_board_and_the_ideas_on_it_they_may_see(room_with_ideas):
    workshop, an, room, board, made = room_with_ideas
    entry = CONTENT.room_entered(room=room, participant=an)
    assert entry["board"] == {"id": board.pk, "title": "Room 1", "room": room.pk, "columns": []}
    mine_and_public = ("visible", "held", "hidden", "withdrawn", "reply")
    assert [i["id"] for i in entry["ideas"]] == [made[k].pk for k in mine_and_public]
    # The same ideas, in the same form, as the welcome snapshot gives for that board.
    assert entry["ideas"] == [i for i in ideas_visible_to(an) if i["board"] == board.pk]


def test_room_entered_reads_one_board_whatever_the_workshop_holds(room_with_ideas):
    workshop, an, room, board, _ = room_with_ideas
    with CaptureQueriesContext(connection) as few:
        CONTENT.room_entered(room=room, participant=an)
    for n in range(200):
        idea(plenary(workshop), an, f"Plenary idea {n}")
    with CaptureQueriesContext(connection) as many:
        entry = CONTENT.room_entered(room=room, participant=an)
    # The board, then its ideas with their reaction counts: not every board and idea of the workshop.
    assert len(few.captured_queries) == len(many.captured_queries) == 2
    assert len(entry["ideas"]) == 5


def test_room_entered_hands_nothing_for_a_room_without_a_board(room_with_ideas):
    workshop, an, room, board, _ = room_with_ideas
    board.delete()
    assert CONTENT.room_entered(room=room, participant=an) == {}
