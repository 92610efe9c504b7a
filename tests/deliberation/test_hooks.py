"""This app's content hooks: what a participant moved into a room is handed, and at what cost."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deliberation.hooks import CONTENT
from deliberation.selectors import ideas_visible_to
from tests.factories import citizen, idea, plenary, room_with_board, workshop_with_facilitator

pytestmark = pytest.mark.django_db


@pytest.fixture
def room_with_ideas():
    """Room 1's board holds an idea in each status; the plenary and Room 2 hold ideas too."""
    workshop, fac = workshop_with_facilitator()
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    room, board = room_with_board(workshop, "Room 1")
    _, other = room_with_board(workshop, "Room 2")
    made = {
        "visible": idea(board, bo, "Visible"),
        "mine held": idea(board, an, "Mine, held", status="held"),
        "hidden": idea(board, bo, "Hidden", status="hidden", hidden_reason="abuse"),
        "withdrawn": idea(board, bo, "Withdrawn", status="withdrawn"),
        "withdrawn alone": idea(board, bo, "Withdrawn, nobody replied", status="withdrawn"),
    }
    made["reply"] = idea(board, bo, "A reply", builds_on=made["withdrawn"])
    idea(plenary(workshop), bo, "On the plenary")
    idea(other, bo, "In the other room")
    an.room = room
    an.save(update_fields=["room"])
    return workshop, an, room, board, made


def test_room_entered_hands_the_rooms_board_and_the_ideas_on_it_the_participant_may_see(room_with_ideas):
    workshop, an, room, board, made = room_with_ideas
    entry = CONTENT.room_entered(room=room, participant=an)
    assert entry["board"] == {"id": board.pk, "title": "Room 1", "room": room.pk, "columns": []}
    assert [i["id"] for i in entry["ideas"]] == [made[k].pk for k in ("visible", "mine held", "withdrawn", "reply")]
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
    assert len(entry["ideas"]) == 4


def test_room_entered_hands_nothing_for_a_room_without_a_board(room_with_ideas):
    workshop, an, room, board, _ = room_with_ideas
    board.delete()
    assert CONTENT.room_entered(room=room, participant=an) == {}
