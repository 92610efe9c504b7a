"""The background loop: periodic checks (workshops.background.periodic) and the hourly prune (contact
addresses past their retention, expired sessions)."""
import asyncio
import contextlib
import itertools
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from deliberation import proposals
from tests.factories import citizen, idea, plenary, staff_member, workshop_with_facilitator
from workshops import background, contact, services
from workshops.models import Contact, Mail, Workshop

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
_names = itertools.count()


def with_address(workshop, name: str) -> Contact:
    person = citizen(workshop, name)
    return contact.contact_set(actor=person, email=f"{name.lower()}@example.org")


def ended(days_ago: float, *, answered_days_ago: float | None = None) -> tuple[Workshop, Contact]:
    """A workshop that ended `days_ago`, answered `answered_days_ago` if given, with one address."""
    workshop, fac = workshop_with_facilitator(username=f"fac{next(_names)}")
    services.workshop_end(actor=fac)
    address = with_address(workshop, f"P{workshop.pk}")
    last = timezone.now() - answered_days_ago * DAY if answered_days_ago is not None else None
    Workshop.objects.filter(pk=workshop.pk).update(ended_at=timezone.now() - days_ago * DAY, last_response_at=last)
    return workshop, address


def kept() -> set[int]:
    return set(Contact.objects.values_list("pk", flat=True))


def test_the_hourly_prune_deletes_addresses_a_retention_period_after_the_last_response(settings):
    settings.INSPRAAK = {**settings.INSPRAAK, "CONTACT_RETENTION_DAYS": 365}
    _, unanswered_old = ended(366)
    _, unanswered_recent = ended(300)
    _, answered_old = ended(400, answered_days_ago=366)
    _, answered_late = ended(400, answered_days_ago=200)  # the end is long past, the last response is not
    running, _ = workshop_with_facilitator(username="running")
    live = with_address(running, "Live")

    background.prune()

    assert kept() == {unanswered_recent.pk, answered_late.pk, live.pk}
    assert not Mail.objects.filter(contact_id__in=[unanswered_old.pk, answered_old.pk]).exists()


def test_the_retention_period_comes_from_the_setting(settings):
    _, address = ended(40)
    settings.INSPRAAK = {**settings.INSPRAAK, "CONTACT_RETENTION_DAYS": 60}
    background.prune()
    assert kept() == {address.pk}
    settings.INSPRAAK = {**settings.INSPRAAK, "CONTACT_RETENTION_DAYS": 30}
    background.prune()
    assert kept() == set()


def test_an_official_response_moves_the_retention_period_on():
    workshop, fac = workshop_with_facilitator()
    official = staff_member(workshop, "official")
    source = idea(plenary(workshop), citizen(workshop, "Bo"))
    proposal = proposals.proposal_draft(actor=fac, title="Trees", body="More", sources=[source.pk])
    proposals.proposal_publish(actor=fac, proposal=proposal)
    services.workshop_end(actor=fac)
    Workshop.objects.filter(pk=workshop.pk).update(ended_at=timezone.now() - 400 * DAY)
    address = with_address(workshop, "Cy")
    response, _ = proposals.proposal_respond(actor=official, proposal_id=proposal.pk, status="accepted", message="Yes")
    workshop.refresh_from_db()
    assert workshop.last_response_at == response.created_at
    background.prune()
    assert kept() == {address.pk}


def test_the_hourly_prune_clears_expired_sessions():
    old, current = SessionStore(), SessionStore()
    old["x"] = current["x"] = 1
    old.save()
    current.save()
    Session.objects.filter(session_key=old.session_key).update(expire_date=timezone.now() - DAY)

    background.prune()

    assert set(Session.objects.values_list("session_key", flat=True)) == {current.session_key}


@pytest.mark.asyncio
async def test_a_periodic_check_runs_at_once_then_once_per_interval(monkeypatch):
    runs = []
    monkeypatch.setattr(background, "PERIODIC", [])
    background.periodic(600)(lambda: runs.append(1))
    last = {}
    await background._run_periodic(last, 5.0)  # a process started a moment ago: at once
    await background._run_periodic(last, 300.0)
    assert len(runs) == 1
    await background._run_periodic(last, 605.0)
    assert len(runs) == 2


def test_the_officials_digest_check_is_registered():
    from deliberation.officials import digests_queue
    assert any(fn is digests_queue for _, fn in background.PERIODIC)


def test_what_every_idle_process_asks_each_second_is_one_statement_each(django_assert_num_queries):
    """Every process asks every FREQUENT_SWEEP_S (four times a second after its own marks) whether
    anyone's presence or any tally is to be told, and each second whether a deadline or a mail is due:
    when nothing is, each asks once and does nothing."""
    workshop, fac = workshop_with_facilitator(username="idle-fac")
    services.timer_start(actor=fac, seconds=60)  # a deadline, not yet due
    contact.contact_set(actor=citizen(workshop, "Ann"), email="ann@example.org")
    assert Mail.objects.update(not_before=timezone.now() + DAY) == 1  # her confirmation, not yet due
    from deliberation import tallies
    from workshops import mail, presence
    presence.presence_flush()  # Ann's join, told

    for check in (presence.presence_flush, presence.presence_tick, tallies.tallies_flush, tallies.tallies_tick,
                  background.run_due_deadlines,
                  lambda: mail.outbox_send_due(worker="idle")):
        with django_assert_num_queries(1):
            assert check() == 0
    assert background.run_frequent() is False  # nothing left: the loop waits for a mark or the sweep

    # The deadline still fires once it is due.
    assert background.run_due_deadlines(now=timezone.now() + timedelta(seconds=61)) == 1
    assert background.run_due_deadlines(now=timezone.now() + timedelta(seconds=61)) == 0


@pytest.mark.asyncio
async def test_frequent_work_runs_while_it_has_work_left_or_after_a_wake_and_else_each_sweep(monkeypatch, settings):
    settings.INSPRAAK = {**settings.INSPRAAK, "TALLY_S": 0.01}
    runs, left = [], [True]  # the first run leaves work for the next tick, every later one none

    def work():
        runs.append(1)
        return left.pop() if left else False

    monkeypatch.setattr(background, "FREQUENT", [work])
    monkeypatch.setattr(background, "FREQUENT_SWEEP_S", 3600)
    monkeypatch.setattr(background, "_woken", False)
    loop = asyncio.create_task(background._frequent_loop())
    try:
        await asyncio.sleep(0.3)  # about 30 ticks
        assert len(runs) == 2  # once at the start (a sweep), and once more for the work it left
        background._wake()  # what a mark's commit does (wake_on_commit, the test below)
        await asyncio.sleep(0.3)
        assert len(runs) == 3
        monkeypatch.setattr(background, "FREQUENT_SWEEP_S", 0.1)
        await asyncio.sleep(0.35)
        assert 4 <= len(runs) <= 7  # every sweep, not every tick
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop


def test_a_reaction_and_a_socket_wake_the_frequent_work_when_they_commit(monkeypatch, django_capture_on_commit_callbacks):
    from deliberation import services as content
    workshop, fac = workshop_with_facilitator(username="wake-fac")
    ann, bo = citizen(workshop, "Ann"), citizen(workshop, "Bo")
    mine = idea(plenary(workshop), ann)
    for act, wakes in ((lambda: content.idea_react(actor=bo, idea=mine, value="agree"), True),
                       (lambda: content.idea_react(actor=bo, idea=mine, value="agree"), False),  # no change, no mark
                       (lambda: services.connection_open(participant=bo, channel_name="ws.wake", server=background.server(),
                                                 max_sockets=4), True)):
        monkeypatch.setattr(background, "_woken", False)
        with django_capture_on_commit_callbacks() as callbacks:
            act()
        assert background._woken is False  # not before the commit: a flush then would not see the mark
        for callback in callbacks:
            callback()
        assert background._woken is wakes
