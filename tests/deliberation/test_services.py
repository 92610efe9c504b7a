"""Services of the content: ideas and reactions, the events each stores, and none when refused."""
import pytest

from deliberation import services, tallies
from deliberation.ladder import NEXT_STEP, REASONS
from deliberation.models import Board, Idea, Reaction
from deliberation.selectors import ZERO, idea_payload
from tests.factories import (citizen, close_rooms, emitted, idea, last_seq, plenary, room_with_board, staff_member,
                             workshop_with_facilitator)
from workshops.errors import DomainError
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db

EVERYONE = ["all"]


def held_audience(author) -> list:
    return [f"p:{author.pk}", "role:moderator", "role:facilitator"]


def rung_event(participant, rung) -> tuple:
    return ("rung.changed", {"rung": rung, "reason": REASONS[rung], "next": NEXT_STEP[rung]}, [f"p:{participant.pk}"])


def refused(code: str, fn, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == code
    return caught.value


def fresh(participant: Participant) -> Participant:
    """The participant as a command loads it: a new instance with its workshop."""
    return Participant.objects.select_related("workshop").get(pk=participant.pk)


@pytest.fixture
def live():
    """A live workshop with a facilitator and two citizens."""
    workshop, fac = workshop_with_facilitator()
    return workshop, fac, citizen(workshop, "An"), citizen(workshop, "Bo")


# idea_post

def test_idea_post_tells_everyone_and_lifts_the_author_to_involved(live):
    workshop, fac, an, bo = live
    before = last_seq(workshop)
    posted = services.idea_post(actor=an, board=plenary(workshop), text="A playground", column="Play")
    assert emitted(workshop, after=before) == [
        ("idea.posted", {"idea": {
            "id": posted.pk, "board": plenary(workshop).pk, "column": "Play", "author": {"id": an.pk, "name": "An"},
            "text": "A playground", "builds_on": None, "status": "visible", "reactions": ZERO, "edited": False,
            "created_at": idea_payload(posted)["created_at"]}}, EVERYONE),
        rung_event(an, "involved")]
    assert fresh(an).rung == "involved"


def test_a_second_idea_does_not_announce_the_rung_again(live):
    workshop, fac, an, bo = live
    services.idea_post(actor=an, board=plenary(workshop), text="One")
    before = last_seq(workshop)
    services.idea_post(actor=fresh(an), board=plenary(workshop), text="Two")
    assert [t for t, _, _ in emitted(workshop, after=before)] == ["idea.posted"]


def test_idea_post_without_a_column_has_none(live):
    workshop, fac, an, bo = live
    posted = services.idea_post(actor=an, board=plenary(workshop), text="No column")
    assert posted.column == "" and emitted(workshop)[-2][1]["idea"]["column"] is None


@pytest.mark.parametrize("columns, column", [(["Green", "Play"], "Blue"), ([], "Play")])
def test_idea_post_to_a_column_the_board_lacks_is_invalid(columns, column):
    workshop, fac = workshop_with_facilitator(columns=columns)
    an = citizen(workshop)
    before = last_seq(workshop)
    error = refused("invalid", services.idea_post, actor=an, board=plenary(workshop), text="Hi", column=column)
    assert set(error.fields) == {"column"}
    assert not Idea.objects.exists() and emitted(workshop, after=before) == []


def test_an_idea_on_a_room_board_goes_to_that_room():
    workshop, fac = workshop_with_facilitator()
    room, board = room_with_board(workshop)
    an = citizen(workshop, room=room)
    before = last_seq(workshop)
    posted = services.idea_post(actor=an, board=board, text="In the room")
    assert emitted(workshop, after=before)[0] == (
        "idea.posted", {"idea": idea_payload(posted)}, [f"room:{room.pk}"])


@pytest.mark.parametrize("where", ["plenary", "other room"])
def test_a_citizen_in_a_room_posts_only_on_its_board(where):
    workshop, fac = workshop_with_facilitator()
    room, board = room_with_board(workshop, "Room 1")
    other, other_board = room_with_board(workshop, "Room 2")
    an = citizen(workshop, room=room)
    target = plenary(workshop) if where == "plenary" else other_board
    before = last_seq(workshop)
    refused("forbidden", services.idea_post, actor=an, board=target, text="Elsewhere")
    assert not Idea.objects.exists() and emitted(workshop, after=before) == []


def test_a_citizen_in_the_plenary_cannot_post_on_a_room_board():
    workshop, fac = workshop_with_facilitator()
    room, board = room_with_board(workshop)
    refused("forbidden", services.idea_post, actor=citizen(workshop), board=board, text="Sneaking in")
    assert not Idea.objects.exists()


def test_nobody_posts_on_the_board_of_a_closed_room():
    workshop, fac = workshop_with_facilitator()
    room, board = room_with_board(workshop)
    an = citizen(workshop, room=room)
    close_rooms(workshop)
    board = Board.objects.get(pk=board.pk)
    before = last_seq(workshop)
    for actor in (fresh(an), fac):
        refused("forbidden", services.idea_post, actor=actor, board=board, text="Too late for this room")
    assert not Idea.objects.exists() and emitted(workshop, after=before) == []
    assert services.idea_post(actor=fresh(an), board=plenary(workshop), text="Back in the plenary")


@pytest.mark.parametrize("role", ["facilitator", "moderator", "official"])
def test_staff_post_on_any_board(role):
    workshop, fac = workshop_with_facilitator()
    room, board = room_with_board(workshop)
    actor = fac if role == "facilitator" else staff_member(workshop, role)
    for target in (plenary(workshop), board):
        assert services.idea_post(actor=actor, board=target, text="From staff").status == "visible"


def test_building_on_an_idea_keeps_its_column_and_makes_both_authors_collaborate(live):
    workshop, fac, an, bo = live
    original = services.idea_post(actor=an, board=plenary(workshop), text="A playground", column="Play")
    before = last_seq(workshop)
    reply = services.idea_post(actor=bo, board=plenary(workshop), text="With shade", builds_on=original)
    assert (reply.builds_on_id, reply.column) == (original.pk, "Play")
    assert emitted(workshop, after=before) == [
        ("idea.posted", {"idea": idea_payload(reply)}, EVERYONE),
        rung_event(bo, "collaborating"),
        rung_event(an, "collaborating")]


def test_building_on_an_idea_may_choose_another_column(live):
    workshop, fac, an, bo = live
    original = idea(plenary(workshop), an, column="Play")
    reply = services.idea_post(actor=bo, board=plenary(workshop), text="Trees", column="Green", builds_on=original)
    assert reply.column == "Green"


def test_building_on_ones_own_idea_is_not_collaborating(live):
    workshop, fac, an, bo = live
    original = services.idea_post(actor=an, board=plenary(workshop), text="First")
    before = last_seq(workshop)
    services.idea_post(actor=an, board=plenary(workshop), text="More of mine", builds_on=original)
    assert [t for t, _, _ in emitted(workshop, after=before)] == ["idea.posted"]
    assert fresh(an).rung == "involved"


@pytest.mark.parametrize("status", ["held", "hidden", "withdrawn"])
def test_building_on_an_idea_that_is_not_visible_is_not_found(live, status):
    workshop, fac, an, bo = live
    original = idea(plenary(workshop), an, status=status)
    before = last_seq(workshop)
    error = refused("not_found", services.idea_post, actor=bo, board=plenary(workshop), text="Reply",
                    builds_on=original)
    assert set(error.fields) == {"builds_on"}
    assert Idea.objects.count() == 1 and emitted(workshop, after=before) == []


def test_building_on_an_idea_of_a_room_one_cannot_see_is_not_found():
    workshop, fac = workshop_with_facilitator()
    room, board = room_with_board(workshop, "Room 1")
    other, other_board = room_with_board(workshop, "Room 2")
    an, bo = citizen(workshop, "An", room=room), citizen(workshop, "Bo", room=other)
    theirs = idea(board, an)
    refused("not_found", services.idea_post, actor=bo, board=other_board, text="Reply", builds_on=theirs)
    assert Idea.objects.count() == 1


def test_pre_moderation_holds_a_citizens_idea_for_author_and_moderators_only():
    workshop, fac = workshop_with_facilitator(moderation="pre")
    an = citizen(workshop)
    before = last_seq(workshop)
    held = services.idea_post(actor=an, board=plenary(workshop), text="Please approve")
    assert held.status == "held"
    [(type, payload, audience), *rest] = emitted(workshop, after=before)
    assert (type, audience) == ("idea.held", held_audience(an))
    assert payload["idea"]["status"] == "held" and payload["idea"]["text"] == "Please approve"
    assert not any(t == "idea.posted" for t, _, _ in rest)


@pytest.mark.parametrize("role", ["facilitator", "moderator", "official"])
def test_pre_moderation_does_not_hold_staff_ideas(role):
    workshop, fac = workshop_with_facilitator(moderation="pre")
    actor = fac if role == "facilitator" else staff_member(workshop, role)
    before = last_seq(workshop)
    posted = services.idea_post(actor=actor, board=plenary(workshop), text="Framing question")
    assert posted.status == "visible"
    assert emitted(workshop, after=before)[0] == ("idea.posted", {"idea": idea_payload(posted)}, EVERYONE)


def test_a_held_reply_does_not_lift_the_author_it_builds_on():
    workshop, fac = workshop_with_facilitator(moderation="pre")
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    original = idea(plenary(workshop), an, status="visible")
    before = last_seq(workshop)
    services.idea_post(actor=bo, board=plenary(workshop), text="Held reply", builds_on=original)
    assert not any(audience == [f"p:{an.pk}"] for _, _, audience in emitted(workshop, after=before))
    assert fresh(an).rung == "informed"


def test_a_citizen_cannot_post_before_the_start():
    workshop, fac = workshop_with_facilitator(start=False)
    an = citizen(workshop)
    before = last_seq(workshop)
    refused("forbidden", services.idea_post, actor=an, board=plenary(workshop), text="Too early")
    assert not Idea.objects.exists() and emitted(workshop, after=before) == []


@pytest.mark.parametrize("role", ["facilitator", "moderator"])
def test_staff_may_prepare_ideas_before_the_start(role):
    workshop, fac = workshop_with_facilitator(start=False)
    actor = fac if role == "facilitator" else staff_member(workshop, role)
    posted = services.idea_post(actor=actor, board=plenary(workshop), text="Seed idea")
    assert posted.status == "visible" and emitted(workshop)[0][0] == "idea.posted"


def test_nobody_posts_after_the_end(live):
    workshop, fac, an, bo = live
    Workshop.objects.filter(pk=workshop.pk).update(status="ended")
    before = last_seq(workshop)
    for actor in (fresh(an), fresh(fac)):
        refused("ended", services.idea_post, actor=actor, board=plenary(workshop), text="Late")
    assert not Idea.objects.exists() and emitted(workshop, after=before) == []


# idea_edit

def test_idea_edit_by_the_author_tells_the_ideas_readers(live):
    workshop, fac, an, bo = live
    mine = idea(plenary(workshop), an, "Benches")
    before = last_seq(workshop)
    services.idea_edit(actor=an, idea=mine, text="Benches in the shade")
    mine.refresh_from_db()
    assert (mine.text, mine.edited) == ("Benches in the shade", True)
    [(type, payload, audience)] = emitted(workshop, after=before)
    assert (type, audience) == ("idea.edited", EVERYONE)
    assert payload["idea"]["text"] == "Benches in the shade" and payload["idea"]["edited"] is True


def test_idea_edit_of_a_held_idea_stays_between_author_and_moderators():
    workshop, fac = workshop_with_facilitator(moderation="pre")
    an = citizen(workshop)
    mine = idea(plenary(workshop), an, "Draft", status="held")
    before = last_seq(workshop)
    services.idea_edit(actor=an, idea=mine, text="Better draft")
    assert [(t, a) for t, _, a in emitted(workshop, after=before)] == [("idea.edited", held_audience(an))]


def test_idea_edit_with_the_same_text_changes_nothing(live):
    workshop, fac, an, bo = live
    mine = idea(plenary(workshop), an, "Benches")
    before = last_seq(workshop)
    services.idea_edit(actor=an, idea=mine, text="Benches")
    mine.refresh_from_db()
    assert mine.edited is False and emitted(workshop, after=before) == []


@pytest.mark.parametrize("who, status", [("Bo", "visible"), ("fac", "visible"), ("An", "hidden"),
                                         ("An", "withdrawn")])
def test_idea_edit_is_refused_unless_the_author_edits_a_visible_or_held_idea(live, who, status):
    workshop, fac, an, bo = live
    mine = idea(plenary(workshop), an, "Original", status=status)
    actor = {"An": an, "Bo": bo, "fac": fac}[who]
    before = last_seq(workshop)
    refused("forbidden", services.idea_edit, actor=actor, idea=mine, text="Changed")
    mine.refresh_from_db()
    assert mine.text == "Original" and emitted(workshop, after=before) == []


def test_idea_edit_after_the_end_is_refused(live):
    workshop, fac, an, bo = live
    mine = idea(plenary(workshop), an, "Original")
    Workshop.objects.filter(pk=workshop.pk).update(status="ended")
    refused("ended", services.idea_edit, actor=fresh(an), idea=mine, text="Changed")


# idea_withdraw

def test_idea_withdraw_keeps_the_place_in_the_thread_without_the_text(live):
    workshop, fac, an, bo = live
    mine = idea(plenary(workshop), an, "Take me back")
    reply = idea(plenary(workshop), bo, "A reply", builds_on=mine)
    before = last_seq(workshop)
    services.idea_withdraw(actor=an, idea=mine)
    assert emitted(workshop, after=before) == [("idea.withdrawn", {"idea": mine.pk}, EVERYONE)]
    mine.refresh_from_db()
    reply.refresh_from_db()
    assert mine.status == "withdrawn" and reply.builds_on_id == mine.pk
    payload = idea_payload(mine)
    assert (payload["text"], payload["status"], payload["id"]) == ("", "withdrawn", mine.pk)


def test_idea_withdraw_of_a_held_idea_is_told_to_author_and_moderators_only():
    workshop, fac = workshop_with_facilitator(moderation="pre")
    an = citizen(workshop)
    mine = idea(plenary(workshop), an, "Never mind", status="held")
    before = last_seq(workshop)
    services.idea_withdraw(actor=an, idea=mine)
    assert emitted(workshop, after=before) == [("idea.withdrawn", {"idea": mine.pk}, held_audience(an))]


@pytest.mark.parametrize("who, status", [("Bo", "visible"), ("fac", "visible"), ("An", "withdrawn")])
def test_idea_withdraw_is_refused_unless_the_author_withdraws_it_once(live, who, status):
    workshop, fac, an, bo = live
    mine = idea(plenary(workshop), an, "Mine", status=status)
    actor = {"An": an, "Bo": bo, "fac": fac}[who]
    before = last_seq(workshop)
    refused("forbidden", services.idea_withdraw, actor=actor, idea=mine)
    assert Idea.objects.get(pk=mine.pk).status == status and emitted(workshop, after=before) == []


# idea_react

def test_idea_react_counts_the_reaction_and_lifts_to_consulted(live):
    workshop, fac, an, bo = live
    theirs = idea(plenary(workshop), an)
    before = last_seq(workshop)
    counts = services.idea_react(actor=bo, idea=theirs, value="agree")
    assert counts == {"agree": 1, "disagree": 0, "pass": 0}
    assert emitted(workshop, after=before) == [rung_event(bo, "consulted")]  # the counts wait for the tally
    assert tallies.tallies_flush() == 1
    assert emitted(workshop, after=before)[1:] == [("idea.reacted", {"idea": theirs.pk, "reactions": counts}, EVERYONE)]
    assert tallies.tallies_flush() == 0  # told once


def test_a_tally_tells_each_idea_once_with_its_latest_counts(live):
    workshop, fac, an, bo = live
    board = plenary(workshop)
    first, second = idea(board, an, "First"), idea(board, an, "Second")
    services.idea_react(actor=fac, idea=first, value="agree")
    before = last_seq(workshop)
    services.idea_react(actor=bo, idea=first, value="agree")
    services.idea_react(actor=bo, idea=second, value="pass")
    services.idea_react(actor=an, idea=first, value="disagree")
    assert tallies.tallies_flush() == 2
    assert [e for e in emitted(workshop, after=before) if e[0] == "idea.reacted"] == [
        ("idea.reacted", {"idea": first.pk, "reactions": {"agree": 2, "disagree": 1, "pass": 0}}, EVERYONE),
        ("idea.reacted", {"idea": second.pk, "reactions": {"agree": 0, "disagree": 0, "pass": 1}}, EVERYONE)]


def test_one_reaction_per_participant_changes_and_clears(live):
    workshop, fac, an, bo = live
    theirs = idea(plenary(workshop), an)
    services.idea_react(actor=bo, idea=theirs, value="agree")
    services.idea_react(actor=an, idea=theirs, value="agree")
    before = last_seq(workshop)
    assert services.idea_react(actor=bo, idea=theirs, value="disagree") == {"agree": 1, "disagree": 1, "pass": 0}
    tallies.tallies_flush()
    assert services.idea_react(actor=bo, idea=theirs, value=None) == {"agree": 1, "disagree": 0, "pass": 0}
    tallies.tallies_flush()
    assert [e for e in emitted(workshop, after=before) if e[0] == "idea.reacted"] == [
        ("idea.reacted", {"idea": theirs.pk, "reactions": {"agree": 1, "disagree": 1, "pass": 0}}, EVERYONE),
        ("idea.reacted", {"idea": theirs.pk, "reactions": {"agree": 1, "disagree": 0, "pass": 0}}, EVERYONE)]
    assert list(Reaction.objects.values_list("participant", "value")) == [(an.pk, "agree")]


@pytest.mark.parametrize("first, again", [("pass", "pass"), (None, None)])
def test_idea_react_without_a_change_emits_nothing(live, first, again):
    workshop, fac, an, bo = live
    theirs = idea(plenary(workshop), an)
    if first:
        services.idea_react(actor=bo, idea=theirs, value=first)
    tallies.tallies_flush()
    before = last_seq(workshop)
    counts = services.idea_react(actor=bo, idea=theirs, value=again)
    assert counts == {"agree": 0, "disagree": 0, "pass": 1 if first else 0}
    assert tallies.tallies_flush() == 0
    assert emitted(workshop, after=before) == []


def test_clearing_a_reaction_does_not_lower_the_rung(live):
    workshop, fac, an, bo = live
    theirs = idea(plenary(workshop), an)
    services.idea_react(actor=bo, idea=theirs, value="agree")
    services.idea_react(actor=bo, idea=theirs, value=None)
    assert fresh(bo).rung == "consulted"


def test_reactions_on_a_room_idea_go_to_that_room():
    workshop, fac = workshop_with_facilitator()
    room, board = room_with_board(workshop)
    an, bo = citizen(workshop, "An", room=room), citizen(workshop, "Bo", room=room)
    theirs = idea(board, an)
    before = last_seq(workshop)
    services.idea_react(actor=bo, idea=theirs, value="pass")
    tallies.tallies_flush()
    assert [e[2] for e in emitted(workshop, after=before) if e[0] == "idea.reacted"] == [[f"room:{room.pk}"]]


@pytest.mark.parametrize("status", ["held", "hidden", "withdrawn"])
def test_only_visible_ideas_take_reactions(live, status):
    workshop, fac, an, bo = live
    theirs = idea(plenary(workshop), an, status=status)
    before = last_seq(workshop)
    refused("forbidden", services.idea_react, actor=fac, idea=theirs, value="agree")
    assert not Reaction.objects.exists() and emitted(workshop, after=before) == []


def test_idea_react_after_the_end_is_refused(live):
    workshop, fac, an, bo = live
    theirs = idea(plenary(workshop), an)
    Workshop.objects.filter(pk=workshop.pk).update(status="ended")
    refused("ended", services.idea_react, actor=fresh(bo), idea=theirs, value="agree")
    assert not Reaction.objects.exists()
