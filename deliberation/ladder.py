"""The participation ladder: a participant's rung, computed from what they did."""
from django.db.models import Exists, OuterRef, Q, Subquery

from workshops import stream
from workshops.models import Participant
from workshops.prepared import Update

from .events import RungChanged
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


def _evidence(participant: Participant, rung: str) -> list[Exists]:
    """The facts of which any one puts the participant on a rung (PROTOCOL 2.4)."""
    published = Proposal.objects.filter(status=Proposal.Status.PUBLISHED)
    # Through a proposal only its visible sources count, as for its contributors (selectors.contributors_of):
    # a hidden source lifts nobody.
    visible = Idea.Status.VISIBLE
    mine = Idea.objects.filter(author=participant).exclude(status=Idea.Status.WITHDRAWN)
    if rung == "empowered":
        latest_status = Subquery(Response.objects.filter(proposal=OuterRef("pk")).order_by("-created_at", "-pk")
                                 .values("status")[:1])
        return [Exists(published.annotate(latest=latest_status).filter(
            latest__in=EMPOWERING, sources__author=participant, sources__status=visible))]
    if rung == "collaborating":
        return [
            Exists(mine.filter(builds_on__isnull=False).exclude(builds_on__author=participant)),
            # Only a reply the author can see counts: not one held for (or hidden by) a moderator.
            Exists(Idea.objects.filter(builds_on__author=participant, status=Idea.Status.VISIBLE)
                   .exclude(author=participant)),
            Exists(published.filter(Q(sources__author=participant, sources__status=visible) | Q(drafters=participant))),
            Exists(published.filter(sources__status=visible, sources__builds__author=participant,
                                    sources__builds__status=visible)),
        ]
    if rung == "involved":
        return [Exists(mine)]
    return [Exists(Reaction.objects.filter(participant=participant)),
            Exists(Endorsement.objects.filter(participant=participant)),
            Exists(SurveyAnswer.objects.filter(participant=participant))]


def rung_of(participant: Participant, *, above: str = "informed") -> str:
    """The highest rung whose rule the participant's actions meet, looking only at the rungs
    above `above` (returned when none of theirs holds), in one query."""
    higher = RUNGS[RUNGS.index(above) + 1:]
    if not higher:
        return above
    checks = {f"{rung}_{i}": fact for rung in higher for i, fact in enumerate(_evidence(participant, rung))}
    found = Participant.objects.filter(pk=participant.pk).values(**checks).get()
    held = {name.rpartition("_")[0] for name, value in found.items() if value}
    return max(held, key=RUNGS.index, default=above)


# A rise to each rung from any lower one, compiled once: nearly every first contribution makes one.
_RISE = {rung: Update(lambda pk, rung=rung: Participant.objects.filter(pk=pk, rung__in=RUNGS[:RUNGS.index(rung)]),
                      {"rung": rung}) for rung in RUNGS[1:]}


def rung_refresh(participant: Participant, *, at_least: str | None = None) -> str:
    """Store a rise in rung and tell the participant; a rung never goes down.

    Without `at_least` the rules above the stored rung are read. A caller whose action itself
    proves a rung passes it as `at_least` and nothing is read: every change that makes a rule
    true refreshes the people it lifts (posting, building on, reacting, endorsing, the survey,
    approving or restoring a reply, publishing or answering a proposal), so the stored rung
    already holds every other rule that is true.
    """
    rises = rung_rise(participant, at_least=at_least)
    if rises:
        stream.emit_many(participant.workshop_id, rises)
    return participant.rung


def rung_rises(lifts: list[tuple[Participant, str | None]]) -> list[tuple[RungChanged, tuple]]:
    """`rung_rise` for several people (each with its `at_least`): their rows taken in pk order, so that
    two transactions lifting the same people cannot meet in opposite orders; their events in the
    order given."""
    rises = {person.pk: rung_rise(person, at_least=at_least)
             for person, at_least in sorted(lifts, key=lambda lift: lift[0].pk)}
    return [rise for person, _ in lifts for rise in rises[person.pk]]


def rung_rise(participant: Participant, *, at_least: str | None = None) -> list[tuple[RungChanged, tuple]]:
    """`rung_refresh` without the telling: store a rise and return its event for the caller to emit
    (none without a rise), so that a service can take the participant's row before the workshop's
    seq and emit all of its events at once."""
    current = participant.rung
    new = rung_of(participant, above=current) if at_least is None else at_least
    if RUNGS.index(new) <= RUNGS.index(current):
        return []
    # Only from a lower stored rung: a rise that a concurrent transaction stored is not announced twice.
    if not _RISE[new].run(participant.pk):
        participant.refresh_from_db(fields=["rung"])
        return []
    participant.rung = new
    return [(RungChanged(rung=new, reason=REASONS.get(new, ""), next=NEXT_STEP[new]),
             stream.to_participant(participant.pk))]
