"""Reads of the content: which ideas a participant may see, and who is told about an idea."""
import pytest

from deliberation.models import Board, Reaction
from deliberation.selectors import idea_audience, ideas_visible_to
from tests.factories import citizen, close_rooms, idea, plenary, room_with_board, staff_member, workshop_with_facilitator

pytestmark = pytest.mark.django_db


@pytest.fixture
def ideas():
    """A plenary with one idea in each status: An's are visible, held and hidden; Bo's are held and withdrawn."""
    workshop, fac = workshop_with_facilitator()
    board = plenary(workshop)
    an, bo, cas = citizen(workshop, "An"), citizen(workshop, "Bo"), citizen(workshop, "Cas")
    made = {
        "visible": idea(board, an, "Visible"),
        "held": idea(board, an, "Held", status="held"),
        "hidden": idea(board, an, "Hidden", status="hidden", hidden_reason="abuse"),
        "bo held": idea(board, bo, "Bo held", status="held"),
        "withdrawn": idea(board, bo, "Withdrawn", status="withdrawn"),
        "withdrawn alone": idea(board, bo, "Withdrawn, nobody replied", status="withdrawn"),
    }
    made["reply"] = idea(board, cas, "A reply", builds_on=made["withdrawn"])
    return workshop, fac, an, bo, cas, made


def ids(payloads) -> list[int]:
    return [p["id"] for p in payloads]


def test_a_citizen_sees_public_ideas_and_their_own_held_or_hidden_ones(ideas):
    workshop, fac, an, bo, cas, made = ideas
    assert ids(ideas_visible_to(an)) == [made[k].pk for k in ("visible", "held", "hidden", "withdrawn", "reply")]
    assert ids(ideas_visible_to(bo)) == [made[k].pk for k in ("visible", "bo held", "withdrawn", "withdrawn alone",
                                                                "reply")]
    assert ids(ideas_visible_to(cas)) == [made[k].pk for k in ("visible", "withdrawn", "reply")]


@pytest.mark.parametrize("role", ["facilitator", "moderator"])
def test_moderators_and_facilitators_see_every_idea(ideas, role):
    workshop, fac, an, bo, cas, made = ideas
    actor = fac if role == "facilitator" else staff_member(workshop, role)
    assert ids(ideas_visible_to(actor)) == [i.pk for i in made.values()]


def test_officials_do_not_see_held_or_hidden_ideas(ideas):
    workshop, fac, an, bo, cas, made = ideas
    official = staff_member(workshop, "official")
    assert ids(ideas_visible_to(official)) == [made[k].pk for k in ("visible", "withdrawn", "reply")]


def test_a_withdrawn_idea_keeps_its_place_without_its_text_only_where_replies_hang_on_it(ideas):
    workshop, fac, an, bo, cas, made = ideas
    [withdrawn] = [p for p in ideas_visible_to(cas) if p["id"] == made["withdrawn"].pk]
    assert (withdrawn["text"], withdrawn["status"], withdrawn["author"]) == ("", "withdrawn", {"id": bo.pk,
                                                                                             "name": "Bo"})


def test_the_hidden_reason_goes_only_with_hidden_ideas(ideas):
    workshop, fac, an, bo, cas, made = ideas
    by_id = {p["id"]: p for p in ideas_visible_to(an)}
    assert by_id[made["hidden"].pk]["hidden_reason"] == "abuse"
    assert "hidden_reason" not in by_id[made["visible"].pk]


def test_reaction_counts_are_per_idea(ideas):
    workshop, fac, an, bo, cas, made = ideas
    other = idea(plenary(workshop), cas, "Other")
    for who, value in [(an, "agree"), (bo, "agree"), (cas, "disagree")]:
        Reaction.objects.create(idea=made["visible"], participant=who, value=value)
    Reaction.objects.create(idea=other, participant=an, value="pass")
    by_id = {p["id"]: p["reactions"] for p in ideas_visible_to(cas)}
    assert by_id[made["visible"].pk] == {"agree": 2, "disagree": 1, "pass": 0}
    assert by_id[other.pk] == {"agree": 0, "disagree": 0, "pass": 1}


def test_ideas_of_a_running_room_are_seen_by_its_members_and_staff_then_by_everyone():
    workshop, fac = workshop_with_facilitator()
    room, board = room_with_board(workshop, "Room 1")
    other_room, other_board = room_with_board(workshop, "Room 2")
    an, bo = citizen(workshop, "An", room=room), citizen(workshop, "Bo", room=other_room)
    theirs = idea(board, an, "In room 1")
    assert theirs.pk in ids(ideas_visible_to(an))
    assert theirs.pk not in ids(ideas_visible_to(bo))
    assert theirs.pk in ids(ideas_visible_to(fac))
    close_rooms(workshop)
    bo.refresh_from_db()
    assert theirs.pk in ids(ideas_visible_to(bo))


def test_an_idea_is_told_to_its_boards_readers_or_only_to_author_and_moderators():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop)
    room, board = room_with_board(workshop)
    assert idea_audience(idea(plenary(workshop), an)) == ("all",)
    assert idea_audience(idea(board, an)) == (f"room:{room.pk}",)
    for status in ("held", "hidden"):
        assert idea_audience(idea(board, an, status=status)) == (f"p:{an.pk}", "role:moderator", "role:facilitator")
    close_rooms(workshop)
    assert idea_audience(idea(Board.objects.get(pk=board.pk), an)) == ("all",)


@pytest.mark.parametrize("who", ["citizen", "moderator", "official"])
def test_a_kinds_share_read_through_the_compiled_lookup_is_what_the_query_reads(ideas, who, monkeypatch):
    """A welcome's shared ideas come from a Lookup compiled once per number of boards: the same rows
    as the query built each time (which a kind with more boards than the Lookup serves still gets)."""
    from deliberation import selectors
    workshop, fac, an, bo, cas, made = ideas
    _, table = room_with_board(workshop, "Tafel 1")
    idea(table, fac, "In the room")
    Reaction.objects.create(idea=made["withdrawn"], participant=an, value="agree")
    Reaction.objects.create(idea=made["visible"], participant=bo, value="pass")
    actor = {"citizen": cas, "moderator": staff_member(workshop, "moderator"),
             "official": staff_member(workshop, "official")}[who]
    compiled = ideas_visible_to(actor, share="kind")
    monkeypatch.setattr(selectors, "_KIND_IDEAS_MAX_BOARDS", 0)
    assert compiled == ideas_visible_to(actor, share="kind")
    assert len(compiled) == {"citizen": 3, "moderator": 8, "official": 4}[who]
