"""The content rules hold however a service is called: from HTTP or background work as from the socket.

Before, the registry alone refused muted, removed and waiting participants and content after the end,
so a service called any other way let them through.
"""
from datetime import timedelta

import pytest
from django.utils import timezone

from deliberation import moderation, proposals, services
from deliberation.models import Flag, Idea, Reaction, Response
from tests.factories import citizen, idea, last_seq, plenary, staff_member, workshop_with_facilitator
from workshops.errors import DomainError
from workshops.models import Participant

pytestmark = pytest.mark.django_db


def refused(code: str, fn, **kwargs) -> None:
    """The service refuses with `code` and stores no event."""
    workshop_id = kwargs["actor"].workshop_id
    before = last_seq(workshop_id)
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == code
    assert last_seq(workshop_id) == before


@pytest.fixture
def made():
    """A live workshop with a published proposal from a citizen's idea, and an official."""
    workshop, fac = workshop_with_facilitator()
    author = citizen(workshop, "Author")
    source = idea(plenary(workshop), author, "Night buses")
    proposal = proposals.proposal_draft(actor=fac, title="Night buses", body="Run them.", sources=[source.pk])
    proposals.proposal_publish(actor=fac, proposal=proposal)
    return workshop, fac, source, proposal, staff_member(workshop, "official", "alderman")


def muted(workshop) -> Participant:
    return citizen(workshop, "Muted", muted_until=timezone.now() + timedelta(minutes=10))


def end(workshop) -> None:
    workshop.status = "ended"
    workshop.save(update_fields=["status"])


def test_a_muted_citizen_cannot_post_react_flag_or_endorse_off_the_socket(made):
    workshop, fac, source, proposal, _ = made
    actor = muted(workshop)
    refused("muted", services.idea_post, actor=actor, board=plenary(workshop), text="Still here")
    refused("muted", services.idea_react, actor=actor, idea=source, value="agree")
    refused("muted", moderation.idea_flag, actor=actor, idea=source, reason="spam")
    refused("muted", proposals.proposal_endorse, actor=actor, proposal=proposal, value="agree")
    assert not Idea.objects.filter(author=actor).exists() and not Reaction.objects.filter(participant=actor).exists()
    assert not Flag.objects.filter(by=actor).exists()


def test_a_muted_author_cannot_edit_or_withdraw_off_the_socket(made):
    workshop, *_ = made
    actor = muted(workshop)
    own = idea(plenary(workshop), actor, "Before the mute")
    refused("muted", services.idea_edit, actor=actor, idea=own, text="After the mute")
    refused("muted", services.idea_withdraw, actor=actor, idea=own)
    own.refresh_from_db()
    assert (own.text, own.status) == ("Before the mute", "visible")


@pytest.mark.parametrize("fields", [{"removed": True}, {"admitted": False}])
def test_a_removed_or_waiting_citizen_cannot_change_content_off_the_socket(made, fields):
    workshop, fac, source, proposal, _ = made
    actor = citizen(workshop, "Out", **fields)
    refused("forbidden", services.idea_post, actor=actor, board=plenary(workshop), text="Let me in")
    refused("forbidden", services.idea_react, actor=actor, idea=source, value="agree")
    refused("forbidden", moderation.idea_flag, actor=actor, idea=source, reason="spam")
    refused("forbidden", proposals.proposal_endorse, actor=actor, proposal=proposal, value="agree")


def test_after_the_end_flags_and_endorsements_are_refused_off_the_socket(made):
    workshop, fac, source, proposal, _ = made
    actor = citizen(workshop, "Late")
    end(workshop)
    actor.workshop.refresh_from_db()
    refused("ended", moderation.idea_flag, actor=actor, idea=source, reason="spam")
    refused("ended", proposals.proposal_endorse, actor=actor, proposal=proposal, value="agree")


def test_a_removed_official_cannot_respond_but_an_official_may_after_the_end(made):
    workshop, fac, source, proposal, official = made
    gone = staff_member(workshop, "official", "former")
    Participant.objects.filter(pk=gone.pk).update(removed=True)
    gone.refresh_from_db()
    refused("forbidden", proposals.proposal_respond, actor=gone, proposal_id=proposal.pk, status="accepted",
            message="Yes")
    end(workshop)
    response, payload = proposals.proposal_respond(actor=official, proposal_id=proposal.pk, status="accepted",
                                                   message="Yes")
    assert Response.objects.get() == response and payload["response"]["status"] == "accepted"
