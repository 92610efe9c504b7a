"""Services of the live session: the events each one stores, and none when it refuses."""
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from deliberation import privacy
from deliberation.models import Board
from tests.factories import citizen, emitted, last_seq, staff_member, staff_user, workshop_with_facilitator
from workshops import background, breakouts, presence, selectors, services
from workshops.errors import DomainError
from workshops.models import Connection, Deadline, Participant, ServerProcess, Workshop
from workshops.times import iso

pytestmark = pytest.mark.django_db

EVERYONE = ["all"]
PROFILE_QUESTIONS = [{"key": "age", "label": "Age", "options": ["<30", "30-60", ">60"]},
                     {"key": "area", "label": "Where do you live?", "options": ["north", "south"]}]


def refused(code: str, fn, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == code
    return caught.value


def server(name="srv-live", *, age=timedelta(0)) -> ServerProcess:
    return ServerProcess.objects.create(name=name, heartbeat_at=timezone.now() - age)


# workshop_create

def test_workshop_create_makes_a_draft_whose_creator_is_facilitator_and_emits_nothing():
    user = staff_user("ada")
    workshop = services.workshop_create(user=user, title="Park", columns=["Keep", "Change"], moderation="pre",
                                        profile_questions=PROFILE_QUESTIONS)
    assert workshop.status == "draft" and workshop.moderation == "pre" and len(workshop.code) >= 8
    facilitator = Participant.objects.get(workshop=workshop)
    assert (facilitator.user, facilitator.role, facilitator.name) == (user, "facilitator", "ada")
    board = Board.objects.get(workshop=workshop)
    assert board.room is None and board.columns == ["Keep", "Change"]
    assert emitted(workshop) == []


def test_workshop_codes_differ_between_workshops():
    user = staff_user()
    codes = {services.workshop_create(user=user, title=f"W{i}").code for i in range(20)}
    assert len(codes) == 20


# staff_add

def test_staff_add_gives_an_account_a_role_and_tells_everyone():
    workshop, fac = workshop_with_facilitator()
    staff_user("mo")
    before = last_seq(workshop)
    mod = services.staff_add(actor=fac, username="mo", role="moderator")
    assert (mod.role, mod.user.username, mod.workshop_id) == ("moderator", "mo", workshop.pk)
    assert emitted(workshop, after=before) == [
        ("presence.changed", {"participant": {"id": mod.pk, "name": "mo", "role": "moderator", "online": False,
                                              "room": None}}, EVERYONE)]


def test_staff_add_again_changes_the_role_of_the_same_participant_and_lifts_a_removal():
    workshop, fac = workshop_with_facilitator()
    staff_user("mo")
    first = services.staff_add(actor=fac, username="mo", role="moderator")
    Participant.objects.filter(pk=first.pk).update(removed=True)
    again = services.staff_add(actor=fac, username="mo", role="official")
    assert again.pk == first.pk and again.role == "official" and again.removed is False
    assert Participant.objects.filter(workshop=workshop, user__username="mo").count() == 1


def test_staff_add_of_another_role_tells_the_person_to_reconnect_and_everyone_the_role():
    workshop, fac = workshop_with_facilitator()
    mo = staff_member(workshop, "moderator", "mo")
    services.connection_open(participant=mo, server=server(), channel_name="ws.mo", max_sockets=4)
    presence.presence_flush()
    before = last_seq(workshop)
    services.staff_add(actor=fac, username="mo", role="official")
    assert emitted(workshop, after=before) == [
        ("role.changed", {"participant": mo.pk, "role": "official"}, [f"p:{mo.pk}"]),
        ("presence.changed", {"participant": {"id": mo.pk, "name": "mo", "role": "official", "online": True,
                                              "room": None}}, EVERYONE)]


def test_staff_add_of_the_same_role_changes_nothing_that_closes_sockets():
    workshop, fac = workshop_with_facilitator()
    mo = staff_member(workshop, "moderator", "mo")
    before = last_seq(workshop)
    services.staff_add(actor=fac, username="mo", role="moderator")
    assert [type for type, _, _ in emitted(workshop, after=before)] == ["presence.changed"]
    assert Participant.objects.get(pk=mo.pk).role == "moderator"


def test_staff_add_gives_a_former_staff_member_a_role_again():
    workshop, fac = workshop_with_facilitator()
    mo = staff_member(workshop, "moderator", "mo")
    services.staff_remove(actor=fac, username="mo")
    before = last_seq(workshop)
    again = services.staff_add(actor=fac, username="mo", role="official")
    assert again.pk == mo.pk and again.role == "official"
    assert emitted(workshop, after=before)[0] == ("role.changed", {"participant": mo.pk, "role": "official"},
                                                  [f"p:{mo.pk}"])


def test_staff_add_may_demote_a_facilitator_while_another_remains():
    workshop, fac = workshop_with_facilitator()
    other = staff_member(workshop, "facilitator", "fac2")
    assert services.staff_add(actor=fac, username="fac2", role="moderator").role == "moderator"
    services.staff_add(actor=fac, username="fac2", role="facilitator")
    assert services.staff_add(actor=Participant.objects.get(pk=other.pk), username="fac",
                              role="official").role == "official"


def test_staff_add_refuses_to_demote_the_last_facilitator():
    workshop, fac = workshop_with_facilitator()
    before = last_seq(workshop)
    error = refused("conflict", services.staff_add, actor=fac, username="fac", role="moderator")
    assert "facilitator" in error.message
    assert Participant.objects.get(pk=fac.pk).role == "facilitator"
    assert emitted(workshop, after=before) == []


def test_staff_add_by_a_facilitator_who_was_demoted_meanwhile_is_forbidden():
    workshop, fac = workshop_with_facilitator()
    other = staff_member(workshop, "facilitator", "fac2")
    services.staff_add(actor=other, username="fac", role="moderator")
    before = last_seq(workshop)
    # `fac` still says facilitator: the service reads the actor's role again under the workshop's lock,
    # so two facilitators who demote each other at once cannot leave the workshop without one.
    refused("forbidden", services.staff_add, actor=fac, username="fac2", role="moderator")
    assert Participant.objects.get(pk=other.pk).role == "facilitator"
    assert emitted(workshop, after=before) == []


# staff_remove

def test_staff_remove_makes_the_account_a_citizen_and_closes_its_sockets():
    workshop, fac = workshop_with_facilitator()
    mo = staff_member(workshop, "moderator", "mo")
    before = last_seq(workshop)
    gone = services.staff_remove(actor=fac, username="mo")
    assert (gone.pk, gone.role, gone.removed) == (mo.pk, "citizen", False)
    assert emitted(workshop, after=before) == [
        ("role.changed", {"participant": mo.pk, "role": "citizen"}, [f"p:{mo.pk}"]),
        ("presence.changed", {"participant": {"id": mo.pk, "name": "mo", "role": "citizen", "online": False,
                                              "room": None}}, EVERYONE)]
    assert selectors.staff_list(workshop) == [{"username": "fac", "name": "fac", "role": "facilitator"}]


def test_staff_remove_of_a_facilitator_while_another_remains():
    workshop, fac = workshop_with_facilitator()
    staff_member(workshop, "facilitator", "fac2")
    assert services.staff_remove(actor=fac, username="fac").role == "citizen"
    refused("forbidden", services.staff_remove, actor=fac, username="fac2")


@pytest.mark.parametrize("actor_role, username, code", [
    ("facilitator", "fac", "conflict"),
    ("facilitator", "nobody", "not_found"),
    ("facilitator", "outsider", "not_found"),
    ("facilitator", "An", "not_found"),
    ("moderator", "official", "forbidden"),
    ("official", "moderator", "forbidden"),
    ("citizen", "moderator", "forbidden"),
])
def test_staff_remove_refuses_and_emits_nothing(actor_role, username, code):
    workshop, fac = workshop_with_facilitator()
    staff_user("outsider")
    staff = {role: staff_member(workshop, role) for role in ("moderator", "official")}
    an = citizen(workshop, "An")
    actor = {"facilitator": fac, "citizen": an, **staff}[actor_role]
    before = last_seq(workshop)
    roles = dict(Participant.objects.values_list("pk", "role"))
    refused(code, services.staff_remove, actor=actor, username=username)
    assert emitted(workshop, after=before) == []
    assert dict(Participant.objects.values_list("pk", "role")) == roles


def test_staff_list_shows_staff_accounts_with_their_roles_in_the_order_they_came():
    workshop, fac = workshop_with_facilitator()
    staff_member(workshop, "official", "olga")
    staff_member(workshop, "moderator", "mo")
    citizen(workshop, "An")
    gone = staff_member(workshop, "moderator", "gone")
    Participant.objects.filter(pk=gone.pk).update(removed=True)
    workshop_with_facilitator(username="elsewhere")  # its facilitator is not on this staff
    assert selectors.staff_list(workshop) == [{"username": "fac", "name": "fac", "role": "facilitator"},
                                              {"username": "olga", "name": "olga", "role": "official"},
                                              {"username": "mo", "name": "mo", "role": "moderator"}]


@pytest.mark.parametrize("actor_role, username, role, code", [
    ("moderator", "target", "moderator", "forbidden"),
    ("citizen", "target", "moderator", "forbidden"),
    ("facilitator", "target", "citizen", "invalid"),
    ("facilitator", "nobody", "moderator", "not_found"),
    ("facilitator", "inactive", "moderator", "not_found"),
])
def test_staff_add_refuses_and_emits_nothing(actor_role, username, role, code):
    workshop, fac = workshop_with_facilitator()
    staff_user("target")
    inactive = staff_user("inactive")
    inactive.is_active = False
    inactive.save()
    actor = fac if actor_role == "facilitator" else (
        citizen(workshop) if actor_role == "citizen" else staff_member(workshop, actor_role))
    before = last_seq(workshop)
    participants = Participant.objects.count()
    refused(code, services.staff_add, actor=actor, username=username, role=role)
    assert emitted(workshop, after=before) == []
    assert Participant.objects.count() == participants


def test_staff_add_refuses_an_account_that_is_not_staff():
    workshop, fac = workshop_with_facilitator()
    staff_user("visitor", is_staff=False)
    before = last_seq(workshop)
    error = refused("not_found", services.staff_add, actor=fac, username="visitor", role="moderator")
    assert error.fields == {"username": "No such user."}
    assert not Participant.objects.filter(user__username="visitor").exists()
    assert emitted(workshop, after=before) == []


# participant_join

def test_participant_join_makes_a_citizen_with_valid_profile_answers_and_emits_nothing():
    workshop, fac = workshop_with_facilitator(profile_questions=PROFILE_QUESTIONS)
    before = last_seq(workshop)
    an = services.participant_join(workshop=workshop, name="An", profile={"age": "<30"})
    assert (an.role, an.name, an.profile, an.user, an.rung) == ("citizen", "An", {"age": "<30"}, None, "informed")
    assert emitted(workshop, after=before) == []


def test_breakout_open_leaves_erased_citizens_out_as_the_consoles_preview_does():
    """Erased people are in no one's participant list, so the console's room-size preview cannot count them."""
    workshop, fac = workshop_with_facilitator()
    an, bo, cas = (citizen(workshop, name) for name in ("An", "Bo", "Cas"))
    privacy.participant_erase(actor=cas)
    breakout = breakouts.breakout_open(actor=fac, mode="random", rooms=2)
    placed = dict(breakout.assignments.values_list("participant_id", "room_id"))
    assert set(placed) == {an.pk, bo.pk}
    assert sorted(Counter(placed.values()).values()) == [1, 1]


def test_participant_join_during_a_breakout_places_the_newcomer_in_a_room():
    workshop, fac = workshop_with_facilitator()
    breakouts.breakout_open(actor=fac, mode="random", rooms=2)
    before = last_seq(workshop)
    late = services.participant_join(workshop=workshop, name="Late")
    late.refresh_from_db()
    assert late.room is not None
    assert emitted(workshop, after=before) == [
        ("room.assigned", {"room": late.room_id, "breakout": late.room.breakout_id}, [f"p:{late.pk}"])]


def test_participant_join_in_a_draft_workshop_is_allowed():
    workshop, fac = workshop_with_facilitator(start=False)
    assert services.participant_join(workshop=workshop, name="Early").role == "citizen"


@pytest.mark.parametrize("profile, fields", [
    ({"age": "42"}, {"profile.age": "Not one of the options."}),
    ({"shoe_size": "44"}, {"profile.shoe_size": "Unknown question."}),
    ({"age": "<30", "area": "east", "pet": "cat"},
     {"profile.area": "Not one of the options.", "profile.pet": "Unknown question."}),
])
def test_participant_join_refuses_profile_answers_that_are_not_options(profile, fields):
    workshop, fac = workshop_with_facilitator(profile_questions=PROFILE_QUESTIONS)
    error = refused("invalid", services.participant_join, workshop=workshop, name="An", profile=profile)
    assert error.fields == fields
    assert Participant.objects.filter(workshop=workshop, role="citizen").count() == 0


def test_participant_join_with_a_known_participant_returns_the_same_one():
    workshop, fac = workshop_with_facilitator()
    an = services.participant_join(workshop=workshop, name="An")
    again = services.participant_join(workshop=workshop, name="Another name", existing_id=an.pk)
    assert again.pk == an.pk and again.name == "An"
    assert Participant.objects.filter(workshop=workshop).count() == 2


def test_participant_join_ignores_a_participant_of_another_workshop():
    workshop, fac = workshop_with_facilitator()
    other, _ = workshop_with_facilitator(username="fac2")
    elsewhere = citizen(other)
    an = services.participant_join(workshop=workshop, name="An", existing_id=elsewhere.pk)
    assert an.pk != elsewhere.pk and an.workshop_id == workshop.pk


def test_participant_join_by_a_staff_account_returns_its_staff_participant():
    workshop, fac = workshop_with_facilitator()
    joined = services.participant_join(workshop=workshop, name="Someone", user=fac.user)
    assert joined.pk == fac.pk and joined.role == "facilitator"
    assert Participant.objects.filter(workshop=workshop).count() == 1


def test_participant_join_by_a_staff_account_after_the_end_returns_its_staff_participant():
    workshop, fac = workshop_with_facilitator()
    services.workshop_end(actor=fac)
    assert services.participant_join(workshop=workshop, name="x", user=fac.user).pk == fac.pk


def test_participant_join_refuses_a_removed_participant():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop, removed=True)
    refused("forbidden", services.participant_join, workshop=workshop, name="An", existing_id=an.pk)
    assert Participant.objects.filter(workshop=workshop).count() == 2


def test_participant_join_after_the_end_is_refused_for_newcomers():
    workshop, fac = workshop_with_facilitator()
    services.workshop_end(actor=fac)
    workshop.refresh_from_db()
    refused("ended", services.participant_join, workshop=workshop, name="Late")
    assert not Participant.objects.filter(name="Late").exists()


# participant_join: the waiting room

def test_workshop_create_with_a_waiting_room_stores_it():
    workshop, fac = workshop_with_facilitator(waiting_room=True)
    assert Workshop.objects.get(pk=workshop.pk).waiting_room is True and fac.admitted is True


def test_participant_join_into_a_waiting_room_waits_and_only_staff_who_admit_are_told():
    workshop, fac = workshop_with_facilitator(waiting_room=True)
    breakouts.breakout_open(actor=fac, mode="random", rooms=2)
    before = last_seq(workshop)
    an = services.participant_join(workshop=workshop, name="An")
    an.refresh_from_db()
    assert (an.admitted, an.room) == (False, None)  # no room until let in
    assert emitted(workshop, after=before) == [
        ("participant.waiting", {"participant": {"id": an.pk, "name": "An"}}, ["role:moderator", "role:facilitator"])]


def test_a_staff_account_joining_a_waiting_room_workshop_is_admitted():
    workshop, fac = workshop_with_facilitator(waiting_room=True)
    staff_user("mo")
    mod = services.staff_add(actor=fac, username="mo", role="moderator")
    assert services.participant_join(workshop=workshop, name="x", user=mod.user).admitted is True


def test_a_waiting_participant_coming_and_going_is_shown_to_nobody():
    workshop, fac = workshop_with_facilitator(waiting_room=True)
    an = services.participant_join(workshop=workshop, name="An")
    before = last_seq(workshop)
    connection = services.connection_open(participant=an, server=server(), channel_name="c1", max_sockets=5)
    services.connection_close(connection_id=connection.pk)
    assert emitted(workshop, after=before) == []


# workshop_start / workshop_end

def test_workshop_start_makes_it_live_and_tells_everyone():
    workshop, fac = workshop_with_facilitator(start=False)
    services.workshop_start(actor=fac)
    workshop.refresh_from_db()
    assert workshop.status == "live" and workshop.started_at is not None
    assert emitted(workshop) == [
        ("workshop.started", {"status": "live", "started_at": iso(workshop.started_at)}, EVERYONE)]


@pytest.mark.parametrize("status", ["live", "ended"])
def test_workshop_start_conflicts_unless_it_is_a_draft(status):
    workshop, fac = workshop_with_facilitator(start=False)
    Workshop.objects.filter(pk=workshop.pk).update(status=status)
    before = last_seq(workshop)
    refused("conflict", services.workshop_start, actor=fac)
    assert emitted(workshop, after=before) == []
    assert Workshop.objects.get(pk=workshop.pk).status == status


def test_workshop_end_ends_it_stops_the_timer_and_cancels_pending_deadlines():
    workshop, fac = workshop_with_facilitator()
    services.timer_start(actor=fac, seconds=60, label="Ideas")
    before = last_seq(workshop)
    services.workshop_end(actor=fac)
    workshop.refresh_from_db()
    assert (workshop.status, workshop.timer_ends_at, workshop.timer_label) == ("ended", None, "")
    assert emitted(workshop, after=before) == [
        ("workshop.ended", {"status": "ended", "ended_at": iso(workshop.ended_at)}, EVERYONE)]
    assert not Deadline.objects.filter(workshop=workshop, done=False).exists()
    assert background.run_due_deadlines(now=timezone.now() + timedelta(hours=1)) == 0


def test_workshop_end_of_a_draft_is_allowed():
    workshop, fac = workshop_with_facilitator(start=False)
    services.workshop_end(actor=fac)
    assert [t for t, _, _ in emitted(workshop)] == ["workshop.ended"]


def test_workshop_end_twice_is_refused_and_emits_nothing_more():
    workshop, fac = workshop_with_facilitator()
    services.workshop_end(actor=fac)
    before = last_seq(workshop)
    ended_at = Workshop.objects.get(pk=workshop.pk).ended_at
    refused("ended", services.workshop_end, actor=fac)
    assert emitted(workshop, after=before) == []
    assert Workshop.objects.get(pk=workshop.pk).ended_at == ended_at


# phase_set

@pytest.mark.parametrize("index", [0, 1])
def test_phase_set_within_the_agenda_tells_everyone(index):
    workshop, fac = workshop_with_facilitator()
    before = last_seq(workshop)
    services.phase_set(actor=fac, index=index)
    assert Workshop.objects.get(pk=workshop.pk).phase == index
    assert emitted(workshop, after=before) == [("phase.changed", {"phase": index}, EVERYONE)]


@pytest.mark.parametrize("agenda, index", [
    ([{"title": "Intro", "minutes": 5}, {"title": "Ideas", "minutes": 20}], 2),
    ([{"title": "Intro", "minutes": 5}, {"title": "Ideas", "minutes": 20}], -1),
    ([], 1),
])
def test_phase_set_outside_the_agenda_is_invalid(agenda, index):
    workshop, fac = workshop_with_facilitator(agenda=agenda)
    before = last_seq(workshop)
    error = refused("invalid", services.phase_set, actor=fac, index=index)
    assert set(error.fields) == {"index"}
    assert emitted(workshop, after=before) == []
    assert Workshop.objects.get(pk=workshop.pk).phase == 0


def test_phase_set_without_an_agenda_allows_phase_zero():
    workshop, fac = workshop_with_facilitator(agenda=[])
    services.phase_set(actor=fac, index=0)
    assert emitted(workshop)[-1] == ("phase.changed", {"phase": 0}, EVERYONE)


def test_phase_set_after_the_end_is_refused():
    workshop, fac = workshop_with_facilitator()
    services.workshop_end(actor=fac)
    before = last_seq(workshop)
    refused("ended", services.phase_set, actor=fac, index=1)
    assert emitted(workshop, after=before) == []


# timers

def test_timer_start_tells_everyone_and_sets_a_deadline_at_its_end():
    workshop, fac = workshop_with_facilitator()
    before = last_seq(workshop)
    services.timer_start(actor=fac, seconds=90, label="Brainstorm")
    workshop.refresh_from_db()
    assert workshop.timer_label == "Brainstorm"
    assert timedelta(seconds=89) < workshop.timer_ends_at - timezone.now() <= timedelta(seconds=90)
    assert emitted(workshop, after=before) == [
        ("timer.started", {"label": "Brainstorm", "ends_at": iso(workshop.timer_ends_at)}, EVERYONE)]
    [deadline] = Deadline.objects.filter(workshop=workshop)
    assert (deadline.kind, deadline.due_at, deadline.done) == ("timer.expire", workshop.timer_ends_at, False)


def test_timer_expire_clears_the_timer_and_tells_everyone():
    workshop, fac = workshop_with_facilitator()
    services.timer_start(actor=fac, seconds=60, label="Vote")
    ends_at = Workshop.objects.get(pk=workshop.pk).timer_ends_at
    before = last_seq(workshop)
    assert background.run_due_deadlines(now=ends_at) == 1
    workshop.refresh_from_db()
    assert (workshop.timer_ends_at, workshop.timer_label) == (None, "")
    assert emitted(workshop, after=before) == [
        ("timer.expired", {"label": "Vote", "ends_at": iso(ends_at)}, EVERYONE)]
    assert background.run_due_deadlines(now=ends_at + timedelta(minutes=1)) == 0


def test_timer_is_not_expired_before_its_end():
    workshop, fac = workshop_with_facilitator()
    services.timer_start(actor=fac, seconds=60)
    ends_at = Workshop.objects.get(pk=workshop.pk).timer_ends_at
    before = last_seq(workshop)
    assert background.run_due_deadlines(now=ends_at - timedelta(seconds=1)) == 0
    assert emitted(workshop, after=before) == []


def test_a_replaced_timer_expires_once_at_its_new_end_and_not_at_the_old_one():
    workshop, fac = workshop_with_facilitator()
    services.timer_start(actor=fac, seconds=30, label="Short")
    old = Deadline.objects.get(workshop=workshop)
    services.timer_start(actor=fac, seconds=600, label="Long")
    old.refresh_from_db()
    assert old.done is True
    new_end = Workshop.objects.get(pk=workshop.pk).timer_ends_at
    before = last_seq(workshop)
    assert background.run_due_deadlines(now=old.due_at + timedelta(seconds=1)) == 0
    assert emitted(workshop, after=before) == []
    assert background.run_due_deadlines(now=new_end) == 1
    assert emitted(workshop, after=before) == [
        ("timer.expired", {"label": "Long", "ends_at": iso(new_end)}, EVERYONE)]


def test_the_old_deadline_of_a_replaced_timer_does_not_fire_even_when_claimed():
    # A process may have claimed the old deadline just before the timer was replaced.
    workshop, fac = workshop_with_facilitator()
    services.timer_start(actor=fac, seconds=30, label="Short")
    old = Deadline.objects.get(workshop=workshop)
    services.timer_start(actor=fac, seconds=600, label="Long")
    before = last_seq(workshop)
    services.timer_expire(deadline=old)
    workshop.refresh_from_db()
    assert workshop.timer_label == "Long" and workshop.timer_ends_at is not None
    assert emitted(workshop, after=before) == []


def test_timer_stop_tells_everyone_and_cancels_the_expiry():
    workshop, fac = workshop_with_facilitator()
    services.timer_start(actor=fac, seconds=30, label="Break")
    before = last_seq(workshop)
    services.timer_stop(actor=fac)
    workshop.refresh_from_db()
    assert (workshop.timer_ends_at, workshop.timer_label) == (None, "")
    assert emitted(workshop, after=before) == [("timer.stopped", {}, EVERYONE)]
    assert background.run_due_deadlines(now=timezone.now() + timedelta(hours=1)) == 0
    assert emitted(workshop, after=before + 1) == []


def test_timer_stop_without_a_timer_conflicts():
    workshop, fac = workshop_with_facilitator()
    before = last_seq(workshop)
    refused("conflict", services.timer_stop, actor=fac)
    assert emitted(workshop, after=before) == []


def test_timer_start_after_the_end_is_refused():
    workshop, fac = workshop_with_facilitator()
    services.workshop_end(actor=fac)
    before = last_seq(workshop)
    refused("ended", services.timer_start, actor=fac, seconds=60)
    assert emitted(workshop, after=before) == []
    assert not Deadline.objects.filter(workshop=workshop, done=False).exists()


# announce

def test_announce_reaches_everyone_with_its_sender():
    workshop, fac = workshop_with_facilitator()
    before = last_seq(workshop)
    services.announce(actor=fac, text="Five more minutes")
    assert emitted(workshop, after=before) == [
        ("announcement", {"text": "Five more minutes", "from": {"id": fac.pk, "name": "fac"}}, EVERYONE)]


# presence

def test_the_first_socket_makes_a_participant_online_and_the_last_one_offline():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop)
    srv = server()
    before = last_seq(workshop)
    payload = {"id": an.pk, "name": "An", "role": "citizen", "room": None}

    first = services.connection_open(participant=an, server=srv, channel_name="ws.1", max_sockets=4)
    assert emitted(workshop, after=before) == []  # told by the next presence flush
    presence.presence_flush()
    assert emitted(workshop, after=before) == [
        ("presence.changed", {"participant": {**payload, "online": True}}, EVERYONE)]
    second = services.connection_open(participant=an, server=srv, channel_name="ws.2", max_sockets=4)
    services.connection_close(connection_id=first.pk)
    presence.presence_flush()
    assert emitted(workshop, after=before + 1) == []
    services.connection_close(connection_id=second.pk)
    presence.presence_flush()
    assert emitted(workshop, after=before + 1) == [
        ("presence.changed", {"participant": {**payload, "online": False}}, EVERYONE)]
    assert not Connection.objects.exists()


def test_sockets_beyond_the_cap_are_refused_without_a_trace():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop)
    srv = server()
    for i in range(2):
        services.connection_open(participant=an, server=srv, channel_name=f"ws.{i}", max_sockets=2)
    before = last_seq(workshop)
    refused("too_many_sockets", services.connection_open, participant=an, server=srv, channel_name="ws.3",
            max_sockets=2)
    assert Connection.objects.filter(participant=an).count() == 2
    assert emitted(workshop, after=before) == []


def test_sockets_left_by_a_dead_server_do_not_count_toward_the_cap():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop)
    dead = server("dead", age=timedelta(minutes=5))
    for i in range(2):
        services.connection_open(participant=an, server=dead, channel_name=f"ws.dead.{i}", max_sockets=2)
    before = last_seq(workshop)
    services.connection_open(participant=an, server=server(), channel_name="ws.live", max_sockets=2)
    assert Connection.objects.filter(participant=an).count() == 3
    assert emitted(workshop, after=before) == []  # already online for everyone


def test_sockets_on_another_live_server_count_toward_the_cap():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop)
    other = server("other", age=timedelta(seconds=10))  # beating, only not this very moment
    for i in range(2):
        services.connection_open(participant=an, server=other, channel_name=f"ws.other.{i}", max_sockets=2)
    refused("too_many_sockets", services.connection_open, participant=an, server=server(), channel_name="ws.here",
            max_sockets=2)


def test_the_socket_cap_is_per_participant():
    workshop, fac = workshop_with_facilitator()
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    srv = server()
    services.connection_open(participant=an, server=srv, channel_name="ws.an", max_sockets=1)
    services.connection_open(participant=bo, server=srv, channel_name="ws.bo", max_sockets=1)
    assert Connection.objects.count() == 2


def test_closing_an_unknown_connection_does_nothing():
    workshop, fac = workshop_with_facilitator()
    before = last_seq(workshop)
    services.connection_close(connection_id=987654)
    assert emitted(workshop, after=before) == []


def test_connections_sweep_closes_the_sockets_of_a_dead_server_process():
    workshop, fac = workshop_with_facilitator()
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    live, dead = server("live"), server("dead", age=timedelta(minutes=5))
    forgotten = server("forgotten", age=timedelta(days=2))
    services.connection_open(participant=an, server=dead, channel_name="ws.an", max_sockets=4)
    services.connection_open(participant=bo, server=dead, channel_name="ws.bo-dead", max_sockets=4)
    bo_live = services.connection_open(participant=bo, server=live, channel_name="ws.bo-live", max_sockets=4)
    presence.presence_flush()
    before = last_seq(workshop)

    assert services.connections_sweep(stale_after_s=30) == 2
    presence.presence_flush()
    # An had only the dead socket and goes offline; Bo is still online through the live one.
    assert emitted(workshop, after=before) == [
        ("presence.changed", {"participant": {"id": an.pk, "name": "An", "role": "citizen", "online": False,
                                              "room": None}}, EVERYONE)]
    assert list(Connection.objects.values_list("pk", flat=True)) == [bo_live.pk]
    assert set(ServerProcess.objects.values_list("name", flat=True)) == {"live", "dead"}
    assert not ServerProcess.objects.filter(pk=forgotten.pk).exists()


def test_connections_sweep_leaves_beating_servers_alone():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop)
    services.connection_open(participant=an, server=server(age=timedelta(seconds=10)), channel_name="ws.an",
                             max_sockets=4)
    before = last_seq(workshop)
    assert services.connections_sweep(stale_after_s=30) == 0
    assert Connection.objects.count() == 1
    assert emitted(workshop, after=before) == []


def test_seqs_are_consecutive_per_workshop_across_services():
    workshop, fac = workshop_with_facilitator(start=False)
    other, other_fac = workshop_with_facilitator(username="fac2", start=False)
    services.workshop_start(actor=fac)
    services.workshop_start(actor=other_fac)
    services.phase_set(actor=fac, index=1)
    services.announce(actor=other_fac, text="Hello")
    services.timer_start(actor=fac, seconds=10)
    # emitted() checks that each workshop's seqs run 1, 2, 3, ... without gaps.
    assert [t for t, _, _ in emitted(workshop)] == ["workshop.started", "phase.changed", "timer.started"]
    assert [t for t, _, _ in emitted(other)] == ["workshop.started", "announcement"]
