"""Reaction counts told in tallies (deliberation.tallies): once per idea and flush, never lost."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deliberation import moderation, services, tallies
from deliberation.models import Idea, Reaction
from tests.factories import emitted, idea, last_seq, plenary, room_with_board, workshop_with_facilitator, citizen
from workshops import stream

pytestmark = pytest.mark.django_db


def reacted(workshop, after: int) -> list[tuple]:
    return [(e[1]["idea"], e[1]["reactions"], e[2]) for e in emitted(workshop, after=after) if e[0] == "idea.reacted"]


def test_a_flush_that_fails_leaves_its_marks_for_the_next_one(monkeypatch):
    workshop, fac = workshop_with_facilitator()
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    mine = idea(plenary(workshop), an, "Shade")
    services.idea_react(actor=bo, idea=mine, value="agree")
    before = last_seq(workshop)

    def broken(*args, **kwargs):
        raise RuntimeError("the process died here")

    with monkeypatch.context() as patched:
        patched.setattr(stream, "emit_many", broken)
        with pytest.raises(RuntimeError):
            tallies.tallies_flush()
    assert Idea.objects.get(pk=mine.pk).tally_pending and reacted(workshop, before) == []
    assert tallies.tallies_flush() == 1
    assert reacted(workshop, before) == [(mine.pk, {"agree": 1, "disagree": 0, "pass": 0}, ["all"])]


def test_a_tick_tells_what_is_marked_and_looks_again_at_the_next_only_while_anything_was():
    workshop, fac = workshop_with_facilitator()
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    mine = idea(plenary(workshop), an, "Shade")
    assert tallies.tallies_tick() is False  # nothing marked: the frequent loop may rest
    before = last_seq(workshop)
    services.idea_react(actor=bo, idea=mine, value="agree")
    assert tallies.tallies_tick() is True  # marks were there (a held one would be skipped): look again
    assert reacted(workshop, before) == [(mine.pk, {"agree": 1, "disagree": 0, "pass": 0}, ["all"])]
    assert tallies.tallies_tick() is False


def test_a_tally_goes_to_those_who_may_see_the_idea_as_it_is_when_told():
    workshop, fac = workshop_with_facilitator()
    room, board = room_with_board(workshop)
    an, bo = citizen(workshop, "An", room=room), citizen(workshop, "Bo", room=room)
    in_room, public = idea(board, an, "In the room"), idea(plenary(workshop), an, "For all")
    services.idea_react(actor=bo, idea=in_room, value="pass")
    services.idea_react(actor=bo, idea=public, value="agree")
    moderation.idea_hide(actor=fac, idea=Idea.objects.get(pk=public.pk), reason="off_topic")
    before = last_seq(workshop)
    assert tallies.tallies_flush() == 2
    assert sorted(reacted(workshop, before)) == sorted([
        (in_room.pk, {"agree": 0, "disagree": 0, "pass": 1}, [f"room:{room.pk}"]),
        (public.pk, {"agree": 1, "disagree": 0, "pass": 0}, [f"p:{an.pk}", "role:moderator", "role:facilitator"])])


def test_each_workshop_gets_its_own_tallies_with_gapless_seqs():
    one, fac_one = workshop_with_facilitator(username="one")
    two, fac_two = workshop_with_facilitator(username="two")
    ideas = [idea(plenary(w), citizen(w, "An"), "Idea") for w in (one, two)]
    for w, i in zip((one, two), ideas):
        services.idea_react(actor=citizen(w, "Bo"), idea=i, value="disagree")
    seqs = [last_seq(w) for w in (one, two)]
    assert tallies.tallies_flush() == 2
    for w, i, seq in zip((one, two), ideas, seqs):
        assert reacted(w, seq) == [(i.pk, {"agree": 0, "disagree": 1, "pass": 0}, ["all"])]
        assert last_seq(w) == seq + 1


def test_a_reaction_marks_its_idea_only_when_it_changes_and_in_the_same_statement_on_postgresql():
    workshop, fac = workshop_with_facilitator()
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    mine = idea(plenary(workshop), an, "Shade")
    services.idea_react(actor=bo, idea=mine, value="agree")  # Bo's rung rises here, not below
    tallies.tallies_flush()

    def react(value) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            services.idea_react(actor=bo, idea=mine, value=value)
        return [q["sql"] for q in queries.captured_queries if "deliberation_reaction" in q["sql"]
                or "tally_pending" in q["sql"]]

    def pending() -> bool:
        return Idea.objects.get(pk=mine.pk).tally_pending

    for value, wrote in (("agree", False), ("disagree", True), (None, True), (None, False)):
        statements = react(value)
        # The change (and, when it changed, the mark), then the counts for the ack.
        assert len(statements) == (2 if wrote and connection.vendor != "postgresql" else 1) + 1, statements
        assert pending() is wrote, value
        tallies.tallies_flush()
    assert Reaction.objects.filter(idea=mine).count() == 0
