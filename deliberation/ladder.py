"""The participation ladder: a participant's rung, computed from what they did."""
from django.db.models import OuterRef, Q, Subquery

from workshops import stream
from workshops.models import Participant

from .models import Endorsement, Idea, Proposal, Reaction, Response, SurveyAnswer

RUNGS = [r.value for r in Participant.Rung]  # lowest first
EMPOWERING = (Response.Status.ACCEPTED, Response.Status.IMPLEMENTED)
REASONS = {
    "consulted": "You reacted to ideas, endorsed proposals or answered the survey.",
    "involved": "You posted an idea.",
    "collaborating": "You built on other people's ideas, they built on yours, or you helped shape a proposal.",
    "empowered": "An idea of yours fed a proposal that officials accepted.",
}
NEXT_STEP = {
    "informed": "React to an idea to be consulted.",
    "consulted": "Post an idea of your own to be involved.",
    "involved": "Build on someone else's idea, or have yours built on, to collaborate.",
    "collaborating": "When officials accept a proposal fed by your ideas, you are empowered.",
    "empowered": "",
}


def rung_of(participant: Participant) -> str:
    """The highest rung whose rule the participant's actions meet (PROTOCOL 2.4)."""
    published = Proposal.objects.filter(status=Proposal.Status.PUBLISHED)
    latest_status = Subquery(Response.objects.filter(proposal=OuterRef("pk")).order_by("-created_at", "-pk")
                             .values("status")[:1])
    if published.annotate(latest=latest_status).filter(
            latest__in=EMPOWERING, sources__author=participant).exists():
        return "empowered"
    mine = Idea.objects.filter(author=participant).exclude(status=Idea.Status.WITHDRAWN)
    built_on_other = mine.filter(builds_on__isnull=False).exclude(builds_on__author=participant).exists()
    # Only a reply the author can see counts: not one held for (or hidden by) a moderator.
    built_on_by_other = Idea.objects.filter(builds_on__author=participant, status=Idea.Status.VISIBLE).exclude(
        author=participant).exists()
    contributor = (published.filter(Q(sources__author=participant) | Q(drafters=participant)).exists()
                   or published.filter(sources__builds__author=participant,
                                       sources__builds__status=Idea.Status.VISIBLE).exists())
    if built_on_other or built_on_by_other or contributor:
        return "collaborating"
    if mine.exists():
        return "involved"
    if (Reaction.objects.filter(participant=participant).exists()
            or Endorsement.objects.filter(participant=participant).exists()
            or SurveyAnswer.objects.filter(participant=participant).exists()):
        return "consulted"
    return "informed"


def rung_refresh(participant: Participant) -> str:
    """Store a rise in rung and tell the participant; a rung never goes down."""
    new = rung_of(participant)
    if RUNGS.index(new) <= RUNGS.index(participant.rung):
        return participant.rung
    # Only from a lower stored rung: a rise that a concurrent transaction stored is not announced twice.
    if Participant.objects.filter(pk=participant.pk, rung__in=RUNGS[:RUNGS.index(new)]).update(rung=new):
        participant.rung = new
        stream.emit(participant.workshop_id, "rung.changed",
                    {"rung": new, "reason": REASONS.get(new, ""), "next": NEXT_STEP[new]},
                    audience=stream.to_participant(participant.pk))
    else:
        participant.refresh_from_db(fields=["rung"])
    return participant.rung
