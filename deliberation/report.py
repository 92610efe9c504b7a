"""The impact report: what the server knows for certain about a workshop, and the survey.

Shapes follow PROTOCOL 1b. Counts are whole numbers, shares between 0 and 1;
any profile group of fewer than 5 people is reported as null.
"""
from statistics import mean, median

from django.db.models import Q

from workshops.models import Mail, Participant, Workshop

from .ladder import RUNGS
from .models import Appeal, Endorsement, Flag, Idea, ModerationAction, Proposal, Reaction, SurveyAnswer
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

    Null when no answered proposal has a source author. A mail counts while its address is kept
    (INSPRAAK_CONTACT_RETENTION_DAYS); a socket is recorded on the response itself.
    """
    mailed = set()  # (participant, response) pairs that a sent mail carried
    for participant, data in Mail.objects.filter(workshop=workshop, kind=Mail.Kind.NOTIFY, status=Mail.Status.SENT) \
            .values_list("contact__participant_id", "data"):
        mailed |= {(participant, e["response"]) for e in data.get("events", []) if e.get("response")}
    authors = told = 0
    for proposal in published:
        responses = list(proposal.responses.values_list("pk", "told_on_socket"))
        if not responses:
            continue
        for author in source_authors(proposal):
            authors += 1
            told += any(author in on_socket or (author, pk) in mailed for pk, on_socket in responses)
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
    out = {}
    for group, role, factors in (("citizens", Participant.Role.CITIZEN, SurveyAnswer.CITIZEN_FACTORS),
                                 ("officials", Participant.Role.OFFICIAL, SurveyAnswer.OFFICIAL_FACTORS)):
        rows = list(SurveyAnswer.objects.filter(participant__workshop=workshop, participant__role=role)
                    .values_list("answers", flat=True))
        out[group] = {}
        for factor in factors:
            values = [r[factor] for r in rows if factor in r]
            out[group][factor] = {"mean": round(mean(values), 2) if values else None,
                                  "agree_share": _share(sum(v >= AGREE_FROM for v in values), len(values)),
                                  "n": len(values)}
    return out


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
