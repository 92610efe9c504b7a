"""The participation ladder: each rung's rule, and one rung.changed per rise, never a fall."""
import pytest
from django.db import connection

from deliberation import ladder, moderation, proposals, services
from deliberation.models import Idea, Reaction
from deliberation.selectors import contributors_of
from tests.factories import citizen, emitted, idea, last_seq, plenary, workshop_with_facilitator
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db


def emit_statements() -> int:
    """Statements that store one event: the seq and the row, one statement on PostgreSQL."""
    return 1 if connection.vendor == "postgresql" else 2


@pytest.fixture
def room():
    """A live workshop's plenary board with two citizens."""
    workshop, fac = workshop_with_facilitator()
    return plenary(workshop), citizen(workshop, "An"), citizen(workshop, "Bo")


def fresh(participant: Participant) -> Participant:
    return Participant.objects.select_related("workshop").get(pk=participant.pk)


def rung_events(workshop, participant, *, after=0) -> list[str]:
    return [payload["rung"] for type, payload, audience in emitted(workshop, after=after)
            if type == "rung.changed" and audience == [f"p:{participant.pk}"]]


# rung_of, rung by rung

def test_someone_who_only_followed_is_informed(room):
    board, an, bo = room
    idea(board, bo)
    assert ladder.rung_of(an) == "informed"


def test_reacting_makes_one_consulted(room):
    board, an, bo = room
    Reaction.objects.create(idea=idea(board, bo), participant=an, value="pass")
    assert ladder.rung_of(an) == "consulted"


@pytest.mark.parametrize("status", ["visible", "held", "hidden"])
def test_posting_an_idea_makes_one_involved(room, status):
    board, an, bo = room
    Reaction.objects.create(idea=idea(board, bo), participant=an, value="agree")
    idea(board, an, status=status)
    assert ladder.rung_of(an) == "involved"


def test_a_withdrawn_idea_does_not_make_one_involved(room):
    board, an, bo = room
    idea(board, an, status="withdrawn")
    assert ladder.rung_of(an) == "informed"


def test_building_on_another_persons_idea_is_collaborating(room):
    board, an, bo = room
    idea(board, bo, "Reply", builds_on=idea(board, an, "Original"))
    assert ladder.rung_of(bo) == "collaborating"


def test_having_ones_idea_built_on_by_another_is_collaborating(room):
    board, an, bo = room
    idea(board, bo, "Reply", builds_on=idea(board, an, "Original"))
    assert ladder.rung_of(an) == "collaborating"


def test_building_on_ones_own_idea_is_only_involved(room):
    board, an, bo = room
    idea(board, an, "More", builds_on=idea(board, an, "Original"))
    assert ladder.rung_of(an) == "involved"


def test_a_withdrawn_reply_does_not_count_as_being_built_on(room):
    board, an, bo = room
    idea(board, bo, "Reply", builds_on=idea(board, an, "Original"), status="withdrawn")
    assert ladder.rung_of(an) == "involved"
    assert ladder.rung_of(bo) == "informed"


def test_a_held_reply_does_not_count_as_being_built_on(room):
    # The author has not seen a reply that waits for a moderator (PROTOCOL 2.4: "saw their own idea built on").
    board, an, bo = room
    idea(board, bo, "Reply", builds_on=idea(board, an, "Original"), status="held")
    assert ladder.rung_of(an) == "involved"


def test_a_held_reply_does_not_lift_its_target_later_either(room):
    board, an, bo = room
    original = services.idea_post(actor=an, board=board, text="Original")
    Workshop.objects.filter(pk=board.workshop_id).update(moderation="pre")
    reply = services.idea_post(actor=fresh(bo), board=board, text="Held reply", builds_on=original)
    assert reply.status == "held"
    before = last_seq(board.workshop)
    services.idea_react(actor=fresh(an), idea=idea(board, bo, "Something else"), value="agree")
    assert rung_events(board.workshop, an, after=before) == []
    assert fresh(an).rung == "involved"


@pytest.mark.parametrize("how", ["approve", "restore"])
def test_a_reply_that_goes_up_after_moderation_lifts_its_target_then(room, how):
    board, an, bo = room
    workshop = board.workshop
    moderator = Participant.objects.get(workshop=workshop, role="facilitator")
    original = services.idea_post(actor=an, board=board, text="Original")
    if how == "approve":
        Workshop.objects.filter(pk=workshop.pk).update(moderation="pre")
        reply = services.idea_post(actor=fresh(bo), board=board, text="Held reply", builds_on=original)
    else:
        reply = services.idea_post(actor=fresh(bo), board=board, text="Reply", builds_on=original)
        moderation.idea_hide(actor=moderator, idea=reply, reason="Off topic")
        Participant.objects.filter(pk=an.pk).update(rung="involved")  # as if hidden before An rose
    reply = Idea.objects.get(pk=reply.pk)  # as a command loads it
    before = last_seq(workshop)
    if how == "approve":
        moderation.idea_approve(actor=moderator, idea=reply)
    else:
        moderation.idea_restore(actor=moderator, idea=reply, reason="On topic after all")
    assert rung_events(workshop, an, after=before) == ["collaborating"]
    assert fresh(an).rung == "collaborating"


# rung_of, only above a rung

def test_a_hidden_source_lifts_neither_its_author_nor_those_who_built_on_it(room):
    board, an, bo = room
    fac = Participant.objects.get(workshop=board.workshop, role="facilitator")
    mod = Participant.objects.create(workshop=board.workshop, name="mo", role="moderator")
    official = Participant.objects.create(workshop=board.workshop, name="alderman", role="official")
    source = idea(board, an, "A source")
    kept = idea(board, bo, "Another source")
    # Bo's reply to their own idea is not collaborating by itself; only through the proposal.
    idea(board, bo, "More on it", builds_on=kept)
    proposal = proposals.proposal_draft(actor=fac, title="Green", body="Trees", sources=[source.pk, kept.pk])
    moderation.idea_hide(actor=mod, idea=source, reason="abuse")
    moderation.idea_hide(actor=mod, idea=kept, reason="abuse")
    proposals.proposal_publish(actor=fac, proposal=proposal)
    proposals.proposal_respond(actor=official, proposal_id=proposal.pk, status="accepted", message="Yes")
    assert ladder.rung_of(fresh(an)) == "involved" and ladder.rung_of(fresh(bo)) == "involved"
    assert contributors_of(proposal) == [fac.pk]


def test_a_visible_source_lifts_its_author_and_the_builders_on_it(room):
    board, an, bo = room
    fac = Participant.objects.get(workshop=board.workshop, role="facilitator")
    official = Participant.objects.create(workshop=board.workshop, name="alderman", role="official")
    source = idea(board, an, "A source")
    idea(board, bo, "Yes, and", builds_on=source)
    proposal = proposals.proposal_draft(actor=fac, title="Green", body="Trees", sources=[source.pk])
    proposals.proposal_publish(actor=fac, proposal=proposal)
    proposals.proposal_respond(actor=official, proposal_id=proposal.pk, status="accepted", message="Yes")
    assert ladder.rung_of(fresh(an)) == "empowered" and ladder.rung_of(fresh(bo)) == "collaborating"
    assert contributors_of(proposal) == sorted([fac.pk, an.pk, bo.pk])


def test_rung_of_looks_only_above_the_rung_it_is_given(room):
    board, an, bo = room
    Reaction.objects.create(idea=idea(board, bo), participant=an, value="agree")
    assert ladder.rung_of(an, above="informed") == "consulted"
    assert ladder.rung_of(an, above="involved") == "involved"
    idea(board, an, "Reply", builds_on=idea(board, bo, "Original"))
    assert ladder.rung_of(an, above="involved") == "collaborating"
    assert ladder.rung_of(an, above="empowered") == "empowered"


# rung_refresh

def test_each_rise_is_announced_once_to_the_participant_only(room):
    board, an, bo = room
    workshop = board.workshop
    original = idea(board, bo, "Original")
    services.idea_react(actor=an, idea=original, value="agree")
    services.idea_react(actor=an, idea=original, value="disagree")
    services.idea_post(actor=an, board=board, text="Mine")
    services.idea_post(actor=an, board=board, text="Mine too")
    services.idea_post(actor=an, board=board, text="Building", builds_on=original)
    services.idea_post(actor=an, board=board, text="Building more", builds_on=original)
    assert rung_events(workshop, an) == ["consulted", "involved", "collaborating"]
    assert fresh(an).rung == "collaborating"
    [payload] = [p for t, p, a in emitted(workshop) if t == "rung.changed" and p["rung"] == "collaborating"
                 and a == [f"p:{an.pk}"]]
    assert payload == {"rung": "collaborating", "reason": ladder.REASONS["collaborating"],
                       "next": ladder.NEXT_STEP["collaborating"]}


def test_a_jump_over_rungs_is_one_event_with_the_highest_rung(room):
    board, an, bo = room
    services.idea_post(actor=an, board=board, text="Reply", builds_on=idea(board, bo))
    assert rung_events(board.workshop, an) == ["collaborating"]


def test_an_action_that_proves_a_rung_reads_nothing(room, django_assert_num_queries):
    board, an, bo = room
    an.rung = "involved"
    with django_assert_num_queries(0):
        assert ladder.rung_refresh(an, at_least="consulted") == "involved"
        assert ladder.rung_refresh(an, at_least="involved") == "involved"
    # A rise is the conditional UPDATE and its event (the seq and the row: one statement on PostgreSQL).
    with django_assert_num_queries(1 + emit_statements()):
        assert ladder.rung_refresh(an, at_least="collaborating") == "collaborating"
    assert rung_events(board.workshop, an) == ["collaborating"]


def test_a_full_refresh_reads_only_the_rules_above_the_stored_rung(room, django_assert_num_queries):
    board, an, bo = room
    idea(board, bo, "Reply", builds_on=idea(board, an, "Original"))
    with django_assert_num_queries(1 + 1 + emit_statements()):  # the rules above the rung, the UPDATE, the event
        assert ladder.rung_refresh(an) == "collaborating"
    an.rung = "empowered"
    with django_assert_num_queries(0):
        assert ladder.rung_refresh(an) == "empowered"


def test_no_event_while_the_rung_stays(room):
    board, an, bo = room
    idea(board, an)
    assert ladder.rung_refresh(an) == "involved"
    before = last_seq(board.workshop)
    assert ladder.rung_refresh(an) == "involved"
    assert ladder.rung_refresh(fresh(an)) == "involved"
    assert emitted(board.workshop, after=before) == []


def test_a_rung_never_falls(room):
    board, an, bo = room
    mine = services.idea_post(actor=an, board=board, text="Mine")
    services.idea_withdraw(actor=an, idea=mine)
    before = last_seq(board.workshop)
    assert ladder.rung_of(an) == "informed"
    assert ladder.rung_refresh(fresh(an)) == "involved"
    assert fresh(an).rung == "involved"
    assert emitted(board.workshop, after=before) == []


def test_a_rise_seen_by_two_transactions_is_announced_once(room):
    # Two commands loaded An before either stored the rise (PostgreSQL, read committed).
    board, an, bo = room
    first, second = fresh(an), fresh(an)
    idea(board, an)
    ladder.rung_refresh(first)
    ladder.rung_refresh(second)
    assert rung_events(board.workshop, an) == ["involved"]
    assert second.rung == "involved"


def test_rung_at_join_is_kept_when_the_rung_rises(room):
    board, an, bo = room
    services.idea_post(actor=an, board=board, text="Mine")
    an = fresh(an)
    assert (an.rung_at_join, an.rung) == ("informed", "involved")
