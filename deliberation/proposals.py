"""Proposal services: draft, update, publish, endorse and the officials' responses."""
from django.db import transaction
from django.utils import timezone

from workshops import contact
from workshops import permissions as rules
from workshops import selectors as workshop_selectors
from workshops import stream
from workshops.errors import DomainError
from workshops.models import Participant, Workshop

from . import ladder
from .events import ProposalDrafted, ProposalEndorsed, ProposalPublished, ProposalResponded, ProposalUpdated
from .services import choice_set
from .synthesis import source_candidates
from .models import Endorsement, Idea, Proposal, Response
from .selectors import (contributors_of, endorsement_counts, proposal_bridging, proposal_get, proposal_payload,
                        source_authors)


def _sources(actor: Participant, idea_ids: list[int]) -> list[Idea]:
    """The ideas as sources; one that is hidden, held, flagged (a flag open) or not of the workshop is `invalid`."""
    ideas = list(source_candidates(actor.workshop_id).filter(pk__in=idea_ids))
    missing = sorted(set(idea_ids) - {i.pk for i in ideas})
    if missing:
        raise DomainError("invalid", fields={
            "sources": f"Not visible, unflagged ideas of this workshop: {missing}"})
    return ideas


def _audience(proposal: Proposal):
    return stream.EVERYONE if proposal.status == Proposal.Status.PUBLISHED else stream.FACILITATORS


def _contributors_rise(contributors: list[int]) -> list[tuple]:
    """Store the rises of a proposal's contributors and return their events, for the caller to emit
    after its own: their rows before the workshop's seq, as every service takes them (see
    registry._attempts), so that this cannot deadlock with a contributor's first reaction."""
    return ladder.rung_rises([(person, None) for person in Participant.objects.filter(pk__in=contributors)
                              .order_by("pk")])


@transaction.atomic
def proposal_draft(*, actor: Participant, title: str, body: str, sources: list[int]) -> Proposal:
    """Draft a proposal from ideas; only facilitators see it until it is published."""
    ideas = _sources(actor, sources)
    proposal = Proposal.objects.create(workshop_id=actor.workshop_id, title=title, body=body)
    proposal.sources.set(ideas)
    proposal.drafters.add(actor)
    stream.emit(actor.workshop_id, ProposalDrafted(proposal=proposal_payload(proposal)), audience=stream.FACILITATORS)
    return proposal


@transaction.atomic
def proposal_update(*, actor: Participant, proposal: Proposal, title: str | None = None, body: str | None = None,
                    sources: list[int] | None = None) -> Proposal:
    """Edit a proposal with the group; after publishing the change is visible as an edit."""
    if title is not None:
        proposal.title = title
    if body is not None:
        proposal.body = body
    if sources is not None:
        proposal.sources.set(_sources(actor, sources))
    proposal.edited = proposal.edited or proposal.status == Proposal.Status.PUBLISHED
    proposal.save(update_fields=["title", "body", "edited"])
    proposal.drafters.add(actor)
    rises = _contributors_rise(contributors_of(proposal)) if proposal.status == Proposal.Status.PUBLISHED else []
    stream.emit_many(actor.workshop_id, [(ProposalUpdated(proposal=proposal_payload(proposal)), _audience(proposal)),
                                         *rises])
    return proposal


@transaction.atomic
def proposal_publish(*, actor: Participant, proposal: Proposal) -> Proposal:
    if proposal.status == Proposal.Status.PUBLISHED:
        raise DomainError("conflict", "Already published.")
    proposal.status, proposal.published_at = Proposal.Status.PUBLISHED, timezone.now()
    proposal.save(update_fields=["status", "published_at"])
    rises = _contributors_rise(contributors_of(proposal))
    stream.emit_many(actor.workshop_id, [(ProposalPublished(proposal=proposal_payload(proposal)), stream.EVERYONE),
                                         *rises])
    authors = proposal.sources.filter(status=Idea.Status.VISIBLE).values_list("author_id", flat=True)
    contact.notify(workshop_id=actor.workshop_id, participant_ids=authors,
                   event={"kind": "published", "proposal": proposal.pk, "title": proposal.title})
    return proposal


@transaction.atomic
def proposal_endorse(*, actor: Participant, proposal: Proposal, value: str | None) -> dict:
    """Set (or clear, with None) the actor's endorsement of a published proposal."""
    rules.require_content(actor)
    if proposal.status != Proposal.Status.PUBLISHED:
        raise DomainError("forbidden", "Only published proposals can be endorsed.")
    if choice_set(Endorsement, value=value, proposal=proposal, participant=actor):
        rises = ladder.rung_rise(actor, at_least="consulted")  # the actor's row before the seq
        stream.take_turn(actor.workshop_id)
        stream.emit_many(actor.workshop_id, [(ProposalEndorsed(
            proposal=proposal.pk, endorsements=endorsement_counts(proposal.pk), bridging=proposal_bridging(proposal)),
            stream.EVERYONE), *rises])
    return {"endorsements": endorsement_counts(proposal.pk), "bridging": proposal_bridging(proposal)}


@transaction.atomic
def proposal_respond(*, actor: Participant, proposal_id: int, status: str, message: str) -> tuple[Response, dict]:
    """An official answers a proposal, during the workshop or weeks later; answers add up to a timeline.

    Returns the response and the proposal's payload after it, as everyone is told it.
    """
    rules.require_act(actor)  # not require_content: officials answer after the end too, and cannot be muted
    if actor.role != Participant.Role.OFFICIAL:
        raise DomainError("forbidden", "Only officials answer proposals.")
    proposal = proposal_get(actor, proposal_id, lock=True)
    if proposal.status != Proposal.Status.PUBLISHED:
        raise DomainError("forbidden", "Only published proposals can be answered.")
    response = Response.objects.create(proposal=proposal, official=actor, status=status, message=message,
                                       told_on_socket=workshop_selectors.online_among(source_authors(proposal)))
    contributors = contributors_of(proposal)
    rises = _contributors_rise(contributors)  # before the workshop's row, which the next line takes too
    # Contact addresses are kept INSPRAAK_CONTACT_RETENTION_DAYS from the last response (workshops.contact).
    Workshop.objects.filter(pk=actor.workshop_id).update(last_response_at=response.created_at)
    payload = proposal_payload(proposal)
    stream.emit_many(actor.workshop_id, [(ProposalResponded(proposal=payload), stream.EVERYONE), *rises])
    # Those who built the proposal and those who took a stand on it (any endorsement value) hear the answer.
    told = set(contributors) | set(proposal.endorsements.values_list("participant_id", flat=True))
    contact.notify(workshop_id=actor.workshop_id, participant_ids=told,
                   event={"kind": "responded", "proposal": proposal.pk, "response": response.pk,
                          "about": Response.about(response.pk),
                          "title": proposal.title, "status": status, "message": message})
    return response, payload
