"""The impact report on a scripted workshop where every figure is known in advance, and the survey rules."""
from datetime import timedelta

import pytest
from django.utils import timezone

from deliberation import floor, moderation, proposals, report, services
from deliberation.models import Proposal, Response
from tests.factories import citizen, plenary, staff_member, workshop_with_facilitator
from workshops import background, contact, mail
from workshops import services as workshop_services
from workshops.errors import DomainError
from workshops.models import Mail

pytestmark = pytest.mark.django_db

QUESTIONS = [{"key": "age", "label": "Age", "options": ["<30", "30-60", ">60"]}]


@pytest.fixture
def scripted():
    """6 citizens (5 under 30, 1 over 60), 4 ideas of which 1 build, 1 flag, 1 hide, 1 appeal,
    2 published proposals answered after 2 and 4 hours, surveys from 2 citizens and 1 official."""
    workshop, fac = workshop_with_facilitator(profile_questions=QUESTIONS, reference={"age": {"<30": 0.3}})
    board = plenary(workshop)
    people = [citizen(workshop, f"C{i}", profile={"age": "<30"}) for i in range(5)]
    people.append(citizen(workshop, "Old", profile={"age": ">60"}))
    official = staff_member(workshop, "official")
    a, b, c, *_ = people
    first = services.idea_post(actor=a, board=board, text="Trees on the square")
    build = services.idea_post(actor=b, board=board, text="And benches", builds_on=first)
    second = services.idea_post(actor=c, board=board, text="A fountain")
    rude = services.idea_post(actor=c, board=board, text="Something rude")
    services.idea_react(actor=b, idea=first, value="agree")
    services.idea_react(actor=c, idea=first, value="disagree")
    moderation.idea_flag(actor=a, idea=rude, reason="abuse")
    moderation.idea_hide(actor=fac, idea=rude, reason="rude")
    moderation.appeal_file(actor=c, idea=rude, text="It was a joke")
    moderation.appeal_decide(actor=fac, idea=rude, uphold=True)
    one = proposals.proposal_draft(actor=fac, title="Green", body="Trees and benches", sources=[first.pk])
    two = proposals.proposal_draft(actor=fac, title="Water", body="A fountain", sources=[second.pk])
    for proposal in (one, two):
        proposals.proposal_publish(actor=fac, proposal=proposal)
    proposals.proposal_endorse(actor=a, proposal=one, value="agree")
    proposals.proposal_respond(actor=official, proposal_id=one.pk, status="accepted", message="Yes")
    proposals.proposal_respond(actor=official, proposal_id=two.pk, status="under_review", message="Looking")
    published = timezone.now() - timedelta(hours=10)
    Proposal.objects.update(published_at=published)
    Response.objects.filter(proposal=one).update(created_at=published + timedelta(hours=2))
    Response.objects.filter(proposal=two).update(created_at=published + timedelta(hours=4))
    services.survey_answer(actor=a, answers={"influence": 8, "safety": 9})
    services.survey_answer(actor=b, answers={"influence": 4, "safety": 10}, comment="Good")
    services.survey_answer(actor=official, answers={"influence": 7})
    # Two floor turns: C3 (quiet until then), then a; a's turn ends the first.
    floor.floor_give(actor=fac, participant_id=people[3].pk)
    floor.floor_give(actor=fac, participant_id=a.pk)
    floor.floor_end(actor=fac)
    return workshop


def test_the_report_gives_exactly_the_scripted_figures(scripted):
    r = report.workshop_report(scripted)
    assert r["participation"] == {"joined": 6, "active": 3, "ideas": 4, "builds": 1, "reactions": 2,
                                  "endorsements": 1}
    # a: involved -> empowered (source of an accepted proposal); b, c: collaborating; three stayed informed.
    assert r["ladder"]["start"] == {"informed": 6, "consulted": 0, "involved": 0, "collaborating": 0, "empowered": 0}
    assert r["ladder"]["end"] == {"informed": 3, "consulted": 0, "involved": 0, "collaborating": 2, "empowered": 1}
    assert r["ladder"]["moved_up"] == 0.5
    assert r["collaboration"] == {"build_share": 0.25, "multi_contributor_proposals": 1.0}
    # Neither source author (a, c) had a socket open or an address when the answers came.
    assert r["responsiveness"] == {"proposals": 2, "responded": 2, "median_hours_to_response": 3.0,
                                   "contributors_told": 0.0}
    assert r["inclusiveness"] == {"flagged_share": 0.25, "hidden_share": 0.25, "held_share": 0.0, "appeals": 1,
                                  "appeals_granted": 1}
    # 5 people under 30 are shown; the one person over 60 is suppressed (fewer than 5).
    assert r["representativeness"] == {"age": {"<30": 0.8333, "30-60": None, ">60": None}}
    assert r["reference"] == {"age": {"<30": 0.3}}
    # Two citizens and one official answered: fewer than 5, so only how many (survey_summary below).
    citizens = r["survey"]["citizens"]
    assert citizens["influence"] == {"mean": None, "agree_share": None, "n": 2}
    assert citizens["safety"] == {"mean": None, "agree_share": None, "n": 2}
    assert citizens["collaboration"] == {"mean": None, "agree_share": None, "n": 0}
    assert r["survey"]["officials"]["influence"] == {"mean": None, "agree_share": None, "n": 1}
    # Ideas + reactions + turns per citizen: a 1+0+1, b 1+1+0, c 2+1+0, C3 0+0+1, C4 and Old 0:
    # [0, 0, 1, 2, 2, 3], whose pairwise absolute differences sum to 44 over 2 * 6 * 6 * (8 / 6) = 96.
    assert r["voice"] == {"turns": 2, "speakers": 2, "contribution_gini": 0.4583, "quiet_share": 0.3333}
    assert r["contribution_bands"] == {"0": 2, "1-2": 3, "3-5": 1, "6-10": 0, "11+": 0}


def test_the_survey_shows_a_factor_from_5_answers_on_as_representativeness_does():
    from deliberation.report import survey_summary
    workshop, _ = workshop_with_facilitator()
    people = [citizen(workshop, name) for name in ["An", "Bo", "Cas", "Dee", "Eef"]]
    for person, value in zip(people[:4], [8, 4, 7, 10]):
        services.survey_answer(actor=person, answers={"influence": value, "safety": value})
    services.survey_answer(actor=people[4], answers={"influence": 1})
    summary = survey_summary(workshop)["citizens"]
    assert summary["influence"] == {"mean": 6.0, "agree_share": 0.6, "n": 5}
    assert summary["safety"] == {"mean": None, "agree_share": None, "n": 4}


@pytest.mark.parametrize("values, expected", [
    ([], 0.0), ([0, 0, 0], 0.0), ([5, 5, 5], 0.0), ([0, 0, 0, 1], 0.75), ([1, 2, 3, 4], 0.25), ([0, 10], 0.5),
    ([3, 1, 2, 4], 0.25),  # order does not matter
])
def test_gini_is_the_mean_absolute_difference_over_twice_the_mean(values, expected):
    assert report.gini(values) == expected


def test_voice_of_a_workshop_where_nobody_contributed_is_all_quiet_and_equal():
    workshop, fac = workshop_with_facilitator()
    for name in ("An", "Bo"):
        citizen(workshop, name)
    assert report.workshop_report(workshop)["voice"] == {"turns": 0, "speakers": 0, "contribution_gini": 0.0,
                                                         "quiet_share": 1.0}


def test_survey_rules():
    workshop, fac = workshop_with_facilitator(start=False)
    an = citizen(workshop, "An")
    with pytest.raises(DomainError) as not_yet:
        services.survey_answer(actor=an, answers={"safety": 5})
    assert not_yet.value.code == "forbidden"
    from workshops import services as live
    live.workshop_start(actor=fac)
    an.workshop.refresh_from_db()
    with pytest.raises(DomainError) as unknown:
        services.survey_answer(actor=an, answers={"relevance": 5})  # an officials' factor
    assert unknown.value.code == "invalid"
    with pytest.raises(DomainError) as staff:
        services.survey_answer(actor=fac, answers={"safety": 5})
    assert staff.value.code == "forbidden"
    services.survey_answer(actor=an, answers={"safety": 5, "influence": 0})
    with pytest.raises(DomainError) as twice:
        services.survey_answer(actor=an, answers={"safety": 6})
    assert twice.value.code == "conflict"
    an.refresh_from_db()
    assert an.rung == "consulted"
    live.workshop_end(actor=fac)
    bo = citizen(workshop, "Bo")
    bo.workshop.refresh_from_db()
    assert services.survey_answer(actor=bo, answers={"collaboration": 10}).answers == {"collaboration": 10}


def test_contributors_told_counts_source_authors_told_on_a_socket_or_by_a_sent_mail(smtp, settings):
    """Of three source authors, one had a socket open when the answer came, one gets it by mail
    (counted once the mail is sent), one neither; a socket opened after the answer tells nobody."""
    settings.INSPRAAK = {**settings.INSPRAAK, "NOTIFY_DELAY_S": 0}
    workshop, fac = workshop_with_facilitator()
    official = staff_member(workshop, "official")
    board = plenary(workshop)
    online, mailed, neither = (citizen(workshop, name) for name in ("On", "Mail", "None"))
    sources = [services.idea_post(actor=p, board=board, text=f"Idea of {p.name}") for p in (online, mailed, neither)]
    proposal = proposals.proposal_draft(actor=fac, title="Green", body="Trees", sources=[i.pk for i in sources])
    proposals.proposal_publish(actor=fac, proposal=proposal)
    unanswered = proposals.proposal_draft(actor=fac, title="Later", body="Not yet", sources=[sources[2].pk])
    proposals.proposal_publish(actor=fac, proposal=unanswered)
    contact.contact_set(actor=mailed, email="mail@example.org")
    token = Mail.objects.get(kind="confirm").data["url"].rsplit("/c/", 1)[1]
    contact.contact_confirm(token=token)
    server = background.server()
    workshop_services.connection_open(participant=online, server=server, channel_name="a", max_sockets=5)

    assert report.workshop_report(workshop)["responsiveness"]["contributors_told"] is None  # nothing answered yet
    proposals.proposal_respond(actor=official, proposal_id=proposal.pk, status="accepted", message="Yes")
    workshop_services.connection_open(participant=neither, server=server, channel_name="b", max_sockets=5)
    assert report.workshop_report(workshop)["responsiveness"]["contributors_told"] == 0.3333

    background.run_due_deadlines()  # the answer into the outbox, then sent
    mail.outbox_send_due(worker="test")
    # The confirmation, "your idea feeds a published proposal" and the answer.
    assert len(smtp.inbox.to("mail@example.org")) == 3
    r = report.workshop_report(workshop)["responsiveness"]
    assert r["contributors_told"] == 0.6667
    assert r["responded"] == 1

    # Being told is remembered when the address, and the mail with it, are deleted.
    contact.contact_remove(actor=mailed)
    assert not Mail.objects.filter(contact__participant=mailed).exists()
    assert report.workshop_report(workshop)["responsiveness"]["contributors_told"] == 0.6667
    answer = proposal.responses.get()
    assert [(m["kind"], m["about"]) for m in contact.mail_data(mailed)] == [("told", f"response:{answer.pk}")]

def test_the_report_lists_closed_polls_with_final_results_and_charts_them(scripted):
    from deliberation import charts, polls
    from deliberation.models import Poll
    from workshops.models import Participant

    fac = Participant.objects.get(workshop=scripted, role="facilitator")
    a, b = Participant.objects.filter(workshop=scripted, role="citizen").order_by("pk")[:2]
    shut = polls.poll_open(actor=fac, question="Which first?", kind="single", options=["Trees", "Water"],
                           results="after_close")
    still_open = polls.poll_open(actor=fac, question="How safe?", kind="scale", results="live")
    trees, water = shut.options.order_by("position")
    for person, option in ((a, water), (b, water)):
        polls.poll_answer(actor=person, poll=Poll.objects.select_for_update().get(pk=shut.pk),
                          answer={"choice": option.pk})
    polls.poll_answer(actor=a, poll=Poll.objects.get(pk=still_open.pk), answer={"value": 3})
    polls.poll_close(actor=fac, poll=Poll.objects.get(pk=shut.pk))
    r = report.workshop_report(scripted)
    (only,) = r["polls"]
    assert only["id"] == shut.pk and only["status"] == "closed"
    assert only["results"] == {"n": 2, "counts": {str(water.pk): 2}}
    svg = charts.charts(r)[f"poll-{shut.pk}"]
    assert "Trees: 0; Water: 2." in svg and f"poll-{still_open.pk}" not in charts.charts(r)
    from deliberation.api import _report_csv
    lines = _report_csv(r).splitlines()
    assert "polls,0.question,Which first?" in lines and f"polls,0.results.counts.{water.pk},2" in lines
