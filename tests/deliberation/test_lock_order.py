"""Every service that lifts someone's rung stores the rise before it takes the workshop's row.

The workshop's row holds the seq that every event takes. A first reaction takes its author's row
(the rung) and then the seq; a service that took them the other way round could deadlock with it
on PostgreSQL, and on an HTTP request (an official's response) that was a 500. Each case here
reads the statements a service sends, in order, and checks that its events keep their order.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deliberation import moderation, proposals
from deliberation.models import Idea
from tests.factories import citizen, emitted, idea, last_seq, plenary, staff_member, workshop_with_facilitator

pytestmark = pytest.mark.django_db

RISE = 'UPDATE "workshops_participant" SET "rung"'


def takes_the_workshops_row(sql: str) -> bool:
    """A statement that writes or locks the workshop's row (its seq, or another of its fields)."""
    return 'UPDATE "workshops_workshop"' in sql or ('FROM "workshops_workshop"' in sql and "FOR UPDATE" in sql)


def assert_rises_first(statements: list[str]) -> None:
    rises = [i for i, sql in enumerate(statements) if sql.startswith(RISE)]
    seq = next(i for i, sql in enumerate(statements) if takes_the_workshops_row(sql))
    assert rises, "the case lifts nobody"
    assert max(rises) < seq, "\n".join(statements)


def run(workshop, service) -> list[str]:
    """The types of the events a service emitted, having checked its order of statements."""
    before = last_seq(workshop)
    with CaptureQueriesContext(connection) as queries:
        service()
    assert_rises_first([q["sql"] for q in queries.captured_queries])
    return [type_ for type_, _, _ in emitted(workshop, after=before)]


@pytest.fixture
def square():
    workshop, fac = workshop_with_facilitator()
    return workshop, fac, plenary(workshop), citizen(workshop, "An"), citizen(workshop, "Bo")


def test_approving_a_reply_lifts_the_author_it_builds_on_before_the_seq(square):
    workshop, fac, board, an, bo = square
    reply = idea(board, bo, "Benches too", builds_on=idea(board, an, "Trees"), status=Idea.Status.HELD)
    assert run(workshop, lambda: moderation.idea_approve(actor=fac, idea=reply)) == ["idea.posted", "rung.changed"]


def test_restoring_a_reply_lifts_the_author_it_builds_on_before_the_seq(square):
    workshop, fac, board, an, bo = square
    reply = idea(board, bo, "Benches too", builds_on=idea(board, an, "Trees"))
    moderation.idea_hide(actor=fac, idea=reply, reason="checking")
    assert run(workshop, lambda: moderation.idea_restore(actor=fac, idea=reply)) == \
        ["idea.restored", "rung.changed"]


def test_granting_an_appeal_lifts_the_author_it_builds_on_before_the_seq(square):
    workshop, fac, board, an, bo = square
    reply = idea(board, bo, "Benches too", builds_on=idea(board, an, "Trees"))
    moderation.idea_hide(actor=fac, idea=reply, reason="checking")
    moderation.appeal_file(actor=bo, idea=reply, text="It was fine")
    assert run(workshop, lambda: moderation.appeal_decide(actor=fac, idea=reply, uphold=True)) == \
        ["appeal.decided", "idea.restored", "rung.changed"]


def test_the_proposal_services_lift_contributors_and_endorsers_before_the_seq(square):
    workshop, fac, board, an, bo = square
    cas = citizen(workshop, "Cas")
    trees, fountain = idea(board, an, "Trees"), idea(board, cas, "A fountain")
    proposal = proposals.proposal_draft(actor=fac, title="Green square", body="Trees", sources=[trees.pk])
    # An (the source's author) and the drafter become collaborators.
    assert run(workshop, lambda: proposals.proposal_publish(actor=fac, proposal=proposal)) == \
        ["proposal.published", "rung.changed", "rung.changed"]
    # A new source lifts its author.
    assert run(workshop, lambda: proposals.proposal_update(actor=fac, proposal=proposal,
                                                           sources=[trees.pk, fountain.pk])) == \
        ["proposal.updated", "rung.changed"]
    assert run(workshop, lambda: proposals.proposal_endorse(actor=bo, proposal=proposal, value="agree")) == \
        ["proposal.endorsed", "rung.changed"]
    official = staff_member(workshop, "official")
    # Accepted: the sources' authors are empowered.
    assert run(workshop, lambda: proposals.proposal_respond(actor=official, proposal_id=proposal.pk,
                                                            status="accepted", message="We will plant them.")) == \
        ["proposal.responded", "rung.changed", "rung.changed"]
