"""The impact report: what the server knows for certain about a workshop, and the survey.

Shapes follow PROTOCOL 1b. Counts are whole numbers, shares between 0 and 1;
any profile group of fewer than 5 people is reported as null.
"""
from statistics import mean, median

from django.db.models import Count, Q

from workshops.models import MailTold, Participant, Workshop

from .ladder import RUNGS
from .models import (Appeal, Endorsement, Flag, FloorTurn, Idea, ModerationAction, Proposal, Reaction, Response,
                     SurveyAnswer)
from .poll_selectors import polls_closed
from .selectors import contributors_of, source_authors

K_ANONYMITY = 5
AGREE_FROM = 7


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def workshop_report(workshop: Workshop) -> dict:
    citizens = Participant.objects.filter(workshop=workshop, role=Participant.Role.CITIZEN)
    ideas = Idea.objects.filter(board__workshop=workshop)
    n_ideas = ideas.count()
    n_builds = ideas.filter(builds_on__isnull=False).count()
    reactions = Reaction.objects.filter(idea__board__workshop=workshop)
    endorsements = Endorsement.objects.filter(proposal__workshop=workshop)
    active = citizens.filter(Q(ideas__isnull=False) | Q(reactions__isnull=False) | Q(endorsements__isnull=False)
                             | Q(flags__isnull=False)).distinct().count()
    joined = citizens.count()
    published = list(Proposal.objects.filter(workshop=workshop, status=Proposal.Status.PUBLISHED))
    contributions = citizen_contributions(workshop)
    return {
        "participation": {"joined": joined, "active": active, "ideas": n_ideas, "builds": n_builds,
                          "reactions": reactions.count(), "endorsements": endorsements.count()},
        "ladder": _ladder(citizens, joined),
        "collaboration": {
            "build_share": _share(n_builds, n_ideas),
            "multi_contributor_proposals": _share(sum(len(contributors_of(p)) >= 2 for p in published),
                                                  len(published))},
        "responsiveness": {**_responsiveness(published), "contributors_told": contributors_told(workshop, published)},
        "inclusiveness": _inclusiveness(workshop, ideas, n_ideas),
        "representativeness": representativeness(workshop, citizens),
        "reference": workshop.reference,
        "questions": workshop.profile_questions,
        "survey": survey_summary(workshop),
        "voice": voice(workshop, contributions),
        "contribution_bands": contribution_bands(contributions),
        "polls": polls_closed(workshop.pk),
    }


def _ladder(citizens, joined: int) -> dict:
    start = dict.fromkeys(RUNGS, 0)
    end = dict.fromkeys(RUNGS, 0)
    moved = 0
    for at_join, now in citizens.values_list("rung_at_join", "rung"):
        start[at_join] += 1
        end[now] += 1
        moved += RUNGS.index(now) > RUNGS.index(at_join)
    return {"start": start, "end": end, "moved_up": _share(moved, joined)}


def _responsiveness(published: list[Proposal]) -> dict:
    hours = []
    for proposal in published:
        first = proposal.responses.order_by("created_at").first()
        if first is not None and proposal.published_at:
            hours.append((first.created_at - proposal.published_at).total_seconds() / 3600)
    return {"proposals": len(published), "responded": len(hours),
            "median_hours_to_response": round(median(hours), 2) if hours else None}


def contributors_told(workshop: Workshop, published: list[Proposal]) -> float | None:
    """Of the authors of source ideas of answered proposals (one per proposal), the share who were told
    an answer to it: by a sent mail that carried it, or on a socket they had open when it came.

    Null when no answered proposal has a source author. Both are recorded for good: a socket on the
    response itself, a sent mail as a MailTold row, which outlives the address and its mail.
    """
    answered = {p.pk: list(p.responses.values_list("pk", "told_on_socket")) for p in published}
    mailed = set(MailTold.objects.filter(about__in=[Response.about(pk) for responses in answered.values()
                                                    for pk, _ in responses])
                 .values_list("participant_id", "about"))
    authors = told = 0
    for proposal in published:
        responses = answered[proposal.pk]
        if not responses:
            continue
        for author in source_authors(proposal):
            authors += 1
            told += any(author in on_socket or (author, Response.about(pk)) in mailed for pk, on_socket in responses)
    return _share(told, authors) if authors else None


def _inclusiveness(workshop, ideas, n_ideas: int) -> dict:
    log = ModerationAction.objects.filter(workshop=workshop)
    held = set(log.filter(action=ModerationAction.Action.HOLD).values_list("target", flat=True))
    held |= {f"idea:{pk}" for pk in ideas.filter(held_reason="pre-moderation").values_list("pk", flat=True)}
    hidden = set(log.filter(action=ModerationAction.Action.HIDE).values_list("target", flat=True))
    appeals = Appeal.objects.filter(idea__board__workshop=workshop)
    return {
        "flagged_share": _share(Flag.objects.filter(idea__board__workshop=workshop).values("idea").distinct().count(),
                                n_ideas),
        "hidden_share": _share(len(hidden), n_ideas),
        "held_share": _share(len(held), n_ideas),
        "appeals": appeals.count(),
        "appeals_granted": appeals.filter(status=Appeal.Status.GRANTED).count(),
    }


def representativeness(workshop: Workshop, citizens) -> dict:
    """Per profile question, each option's share of those who answered it; null under 5 people."""
    out = {}
    profiles = list(citizens.values_list("profile", flat=True))
    for question in workshop.profile_questions:
        key = question["key"]
        answers = [p.get(key) for p in profiles if p and p.get(key) is not None]
        counts = {option: answers.count(option) for option in question.get("options", [])}
        out[key] = {option: (_share(n, len(answers)) if n >= K_ANONYMITY else None)
                    for option, n in counts.items()}
    return out


def survey_summary(workshop: Workshop) -> dict:
    """Per group and factor the mean and the share of 7 or more, both null under 5 answers, and `n`."""
    out = {}
    for group, role, factors in (("citizens", Participant.Role.CITIZEN, SurveyAnswer.CITIZEN_FACTORS),
                                 ("officials", Participant.Role.OFFICIAL, SurveyAnswer.OFFICIAL_FACTORS)):
        rows = list(SurveyAnswer.objects.filter(participant__workshop=workshop, participant__role=role)
                    .values_list("answers", flat=True))
        out[group] = {}
        for factor in factors:
            values = [r[factor] for r in rows if factor in r]
            # As for representativeness: answers of fewer than 5 people could be told apart.
            shown = len(values) >= K_ANONYMITY
            out[group][factor] = {"mean": round(mean(values), 2) if shown else None,
                                  "agree_share": _share(sum(v >= AGREE_FROM for v in values), len(values))
                                  if shown else None,
                                  "n": len(values)}
    return out


def citizen_contributions(workshop: Workshop) -> list[int]:
    """Each joined citizen's count of ideas + reactions + floor turns (PROTOCOL 3.4), in three grouped queries."""
    ids = list(Participant.objects.filter(workshop=workshop, role=Participant.Role.CITIZEN).values_list("pk", flat=True))
    counts = dict.fromkeys(ids, 0)
    for rows in (Idea.objects.filter(board__workshop=workshop).values_list("author_id").annotate(n=Count("pk")),
                 Reaction.objects.filter(idea__board__workshop=workshop).values_list("participant_id")
                 .annotate(n=Count("pk")),
                 FloorTurn.objects.filter(workshop=workshop).values_list("participant_id").annotate(n=Count("pk"))):
        for pid, n in rows:
            if pid in counts:
                counts[pid] += n
    return list(counts.values())


def gini(values: list[int]) -> float:
    """The Gini coefficient: the mean absolute difference over twice the mean, without a small-sample
    correction; 0 when every value is 0 (or there are none)."""
    n, total = len(values), sum(values)
    if not n or not total:
        return 0.0
    # sum over all ordered pairs |x_i - x_j| = 2 * sum_i (2i - n - 1) x_(i), with x sorted and i from 1.
    ranked = sum((2 * i - n - 1) * x for i, x in enumerate(sorted(values), start=1))
    return round(2 * ranked / (2 * n * total), 4)


def voice(workshop: Workshop, contributions: list[int]) -> dict:
    """Floor turns, distinct speakers, how unequal citizens' contributions were, and the share who made none."""
    turns = FloorTurn.objects.filter(workshop=workshop)
    return {"turns": turns.count(), "speakers": turns.values("participant").distinct().count(),
            "contribution_gini": gini(contributions),
            "quiet_share": _share(sum(1 for c in contributions if c == 0), len(contributions))}


BANDS = (("0", 0, 0), ("1-2", 1, 2), ("3-5", 3, 5), ("6-10", 6, 10), ("11+", 11, None))


def contribution_bands(contributions: list[int]) -> dict:
    """How many joined citizens made 0, 1-2, 3-5, 6-10 and 11 or more contributions (the voice chart)."""
    return {name: sum(1 for c in contributions if c >= low and (high is None or c <= high))
            for name, low, high in BANDS}


def organisation_report(workshops) -> dict:
    """The same figures across workshops, for staff: one row per workshop and the totals."""
    rows = []
    for workshop in workshops:
        report = workshop_report(workshop)
        rows.append({"code": workshop.code, "title": workshop.title, "status": workshop.status,
                     "participation": report["participation"], "moved_up": report["ladder"]["moved_up"],
                     "build_share": report["collaboration"]["build_share"],
                     "responsiveness": report["responsiveness"]})
    totals = {key: sum(r["participation"][key] for r in rows)
              for key in ("joined", "active", "ideas", "builds", "reactions", "endorsements")}
    return {"workshops": rows, "totals": totals}
