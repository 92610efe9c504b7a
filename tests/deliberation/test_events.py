"""The content's events: the protocol's shapes, with the names that are Python keywords and the optional reasons."""
import pytest
from pydantic import ValidationError

from deliberation.events import IdeaHidden, IdeaPosted, IdeaReacted, ProposalEndorsed

IDEA = {"id": 5, "board": 1, "column": None, "author": {"id": 7, "name": "An"}, "text": "More trees",
        "builds_on": None, "status": "visible", "reactions": {"agree": 1, "disagree": 0, "pass": 2},
        "edited": False, "created_at": "2025-01-01T12:00:00Z"}


def test_an_idea_is_sent_as_given_and_its_reasons_only_when_it_has_them():
    assert IdeaPosted(idea=IDEA).payload() == {"idea": IDEA}
    held = {**IDEA, "status": "held", "held_reason": ""}
    assert IdeaPosted(idea=held).payload() == {"idea": held}


def test_reaction_counts_are_named_as_on_the_wire():
    assert IdeaReacted(idea=5, reactions={"agree": 0, "disagree": 1, "pass": 3}).payload() == {
        "idea": 5, "reactions": {"agree": 0, "disagree": 1, "pass": 3}}
    endorsed = ProposalEndorsed(proposal=2, endorsements={"agree": 1, "disagree": 0, "pass": 0}, bridging=0.5)
    assert endorsed.payload()["endorsements"] == {"agree": 1, "disagree": 0, "pass": 0}


def test_idea_hidden_carries_the_reason_only_for_those_who_may_know_it():
    assert IdeaHidden(idea=5).payload() == {"idea": 5}
    assert IdeaHidden(idea=5, hidden_reason="flagged").payload() == {"idea": 5, "hidden_reason": "flagged"}


@pytest.mark.parametrize("idea", [{**IDEA, "status": "gone"}, {**IDEA, "likes": 3},
                                  {k: v for k, v in IDEA.items() if k != "edited"}])
def test_an_idea_the_protocol_does_not_describe_is_refused(idea):
    with pytest.raises(ValidationError):
        IdeaPosted(idea=idea)
