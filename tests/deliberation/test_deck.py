"""One idea at a time: deck.next routes each participant to the idea where a reaction tells the most."""
import pytest
from channels.db import database_sync_to_async as db
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deliberation.deck import deck_next
from deliberation.models import Board, Reaction
from tests.factories import citizen, close_rooms, idea, plenary, room_with_board, staff_member, workshop_with_facilitator
from tests.live import Live, make_citizen, make_workshop
from workshops.models import Assignment, Breakout, Room


def react(participant, *ideas, value="agree"):
    for i in ideas:
        Reaction.objects.create(idea=i, participant=participant, value=value)


def next_id(actor):
    found = deck_next(actor)
    return found and found["id"]


def drain(actor) -> list[int]:
    """Every idea deck.next hands the actor, in order, reacting (pass) to each."""
    seen = []
    while (found := deck_next(actor)) is not None:
        seen.append(found["id"])
        Reaction.objects.create(idea_id=found["id"], participant=actor, value="pass")
    return seen


@pytest.fixture
def plenary_board():
    workshop, fac = workshop_with_facilitator()
    return workshop, fac, plenary(workshop)


@pytest.mark.django_db
def test_fewest_reactions_first_and_newer_first_among_equals(plenary_board):
    workshop, fac, board = plenary_board
    an, bo, cas, dee = (citizen(workshop, n) for n in ("An", "Bo", "Cas", "Dee"))
    old, middle, new, popular = (idea(board, bo, t) for t in ("Old", "Middle", "New", "Popular"))
    react(cas, popular, middle)
    react(dee, popular)
    assert drain(an) == [new.pk, old.pk, middle.pk, popular.pk]


@pytest.mark.django_db
def test_the_payload_is_the_idea_shape_with_its_counts(plenary_board):
    workshop, fac, board = plenary_board
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    made = idea(board, bo, "Trees")
    react(fac, made, value="disagree")
    found = deck_next(an)
    assert found["id"] == made.pk and found["text"] == "Trees" and found["author"] == {"id": bo.pk, "name": "Bo"}
    assert found["reactions"] == {"agree": 0, "disagree": 1, "pass": 0}
    assert set(found) == {"id", "board", "column", "author", "text", "builds_on", "status", "reactions", "edited",
                          "created_at"}


@pytest.mark.django_db
def test_own_ideas_and_ideas_reacted_to_are_skipped_and_null_at_the_end(plenary_board):
    workshop, fac, board = plenary_board
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    idea(board, an, "Mine")
    theirs, reacted = idea(board, bo, "Theirs"), idea(board, bo, "Reacted")
    react(an, reacted, value="disagree")
    assert drain(an) == [theirs.pk]
    assert deck_next(an) is None


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["citizen", "moderator", "facilitator"])
def test_hidden_held_and_withdrawn_ideas_never_come(plenary_board, role):
    workshop, fac, board = plenary_board
    bo = citizen(workshop, "Bo")
    actor = fac if role == "facilitator" else citizen(workshop, "An") if role == "citizen" else staff_member(
        workshop, role)
    for status in ("hidden", "held", "withdrawn"):
        idea(board, bo, status, status=status)
    visible = idea(board, bo, "Visible")
    assert drain(actor) == [visible.pk]


@pytest.mark.django_db
def test_a_room_board_during_an_open_breakout_only_for_that_room_and_for_everyone_once_closed(plenary_board):
    workshop, fac, board = plenary_board
    room1, board1 = room_with_board(workshop, "Room 1")
    room2, board2 = room_with_board(workshop, "Room 2")
    an, bo, cas = citizen(workshop, "An", room=room1), citizen(workshop, "Bo", room=room1), citizen(
        workshop, "Cas", room=room2)
    in_room1 = idea(board1, bo, "Room 1 idea")
    assert next_id(cas) is None
    assert next_id(an) == in_room1.pk
    assert next_id(fac) == in_room1.pk  # staff read every board
    close_rooms(workshop)
    cas.refresh_from_db()
    assert next_id(cas) == in_room1.pk


def breakout_with(workshop, *groups, status="closed"):
    """A breakout whose rooms hold these groups of participants, with their assignments."""
    breakout = Breakout.objects.create(workshop=workshop, mode="manual", status=status)
    for n, members in enumerate(groups):
        room = Room.objects.create(workshop=workshop, breakout=breakout, name=f"Room {n}", position=n)
        for p in members:
            Assignment.objects.create(breakout=breakout, room=room, participant=p)
            if status != "closed":
                p.room = room
                p.save(update_fields=["room"])
    return breakout


@pytest.fixture
def two_groups(plenary_board):
    """An and Bo were in one room, Cas and Dee in another; Bo reacted to one idea, Cas and Dee to the other."""
    workshop, fac, board = plenary_board
    an, bo, cas, dee, eve = (citizen(workshop, n) for n in ("An", "Bo", "Cas", "Dee", "Eve"))
    older, newer = idea(board, eve, "Older"), idea(board, eve, "Newer")
    react(bo, older)
    react(cas, newer)
    react(dee, newer)
    return workshop, fac, board, (an, bo, cas, dee, eve), (older, newer)


@pytest.mark.django_db
def test_without_breakouts_the_group_is_the_plenary(two_groups):
    workshop, fac, board, (an, bo, cas, dee, eve), (older, newer) = two_groups
    assert drain(an) == [older.pk, newer.pk]  # one reaction against two


@pytest.mark.django_db
def test_the_group_is_the_room_of_the_latest_closed_breakout(two_groups):
    workshop, fac, board, (an, bo, cas, dee, eve), (older, newer) = two_groups
    breakout_with(workshop, [an, cas], [bo, dee])  # an earlier split does not count
    breakout_with(workshop, [an, bo], [cas, dee])
    assert drain(an) == [newer.pk, older.pk]  # none from An's room on newer, Bo's on older


@pytest.mark.django_db
def test_the_group_is_the_room_of_the_open_breakout(two_groups):
    workshop, fac, board, (an, bo, cas, dee, eve), (older, newer) = two_groups
    breakout_with(workshop, [an, bo], [cas, dee])
    breakout_with(workshop, [an, cas, dee], [bo], status="open")
    an.refresh_from_db()
    assert drain(an) == [older.pk, newer.pk]  # Cas and Dee are with An now


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_ideas(plenary_board):
    workshop, fac, board = plenary_board
    an, bo, cas = citizen(workshop, "An"), citizen(workshop, "Bo"), citizen(workshop, "Cas")
    breakout_with(workshop, [an, bo], [cas])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert deck_next(an) is not None
        return len(captured)

    made = [idea(board, bo, f"Idea {n}") for n in range(3)]
    few = queries()
    for n in range(60):
        react(cas, idea(board, bo, f"More {n}"))
    react(cas, *made)
    assert queries() == few <= 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_env")
async def test_deck_next_over_the_socket_then_react_then_another():
    workshop, fac = await db(make_workshop)()
    an, bo = await db(make_citizen)(workshop, "An"), await db(make_citizen)(workshop, "Bo")
    board = await db(lambda: Board.objects.get(workshop=workshop, room=None))()
    a, b = await Live.open(an), await Live.open(bo)
    first = (await b.command("idea.post", board=board.pk, text="Trees in the square"))["id"]
    second = (await b.command("idea.post", board=board.pk, text="A bus lane"))["id"]
    answer = await a.command("deck.next")
    assert answer["type"] == "ack" and answer["idea"]["id"] == second and answer["idea"]["text"] == "A bus lane"
    assert (await a.command("idea.react", idea=second, value="agree"))["type"] == "ack"
    assert (await a.command("deck.next"))["idea"]["id"] == first
    await a.command("idea.react", idea=first, value="pass")
    assert (await a.command("deck.next"))["idea"] is None
    assert (await b.command("deck.next"))["idea"] is None  # only Bo's own ideas
    for s in (a, b):
        await s.close()
