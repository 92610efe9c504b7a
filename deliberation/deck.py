"""One idea at a time: the next idea a participant should react to, where a reaction tells the most."""
from django.db.models import Count, Exists, OuterRef, Q

from workshops.models import Assignment, Participant

from . import permissions
from .models import Idea, Reaction
from .selectors import with_counts, idea_payload


def group_reactions(actor: Participant) -> Q | None:
    """The reactions of the actor's group: their room now, else in the latest closed breakout; None is everyone's."""
    if actor.room_id is not None:  # set only while a breakout runs: its close clears every room
        return Q(reactions__participant_id__in=Participant.objects.filter(room_id=actor.room_id).values("pk"))
    room = (Assignment.objects.filter(participant=actor, breakout__status="closed")
            .order_by("-breakout_id").values_list("room_id", flat=True).first())
    if room is None:
        return None
    return Q(reactions__participant_id__in=Assignment.objects.filter(room_id=room).values("participant_id"))


def deck_next(actor: Participant) -> dict | None:
    """The visible idea with the fewest reactions from the actor's group, newest first, not theirs nor reacted to."""
    reacted = Exists(Reaction.objects.filter(idea=OuterRef("pk"), participant=actor))
    qs = (Idea.objects.filter(permissions.on_readable_boards(actor), board__workshop_id=actor.workshop_id,
                              status=Idea.Status.VISIBLE)
          .exclude(author=actor).exclude(reacted))
    idea = (with_counts(qs).annotate(n_group=Count("reactions", filter=group_reactions(actor), distinct=True))
            .order_by("n_group", "-created_at", "-pk").first())
    if idea is None:
        return None
    return idea_payload(idea, reactions={"agree": idea.n_agree, "disagree": idea.n_disagree, "pass": idea.n_pass})
