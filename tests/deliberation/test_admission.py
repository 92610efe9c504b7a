"""The waiting room's decisions: admit and reject, their events and their audit log."""
import pytest

from deliberation import admission
from deliberation.models import ModerationAction
from tests.factories import citizen, emitted, last_seq, staff_member, workshop_with_facilitator
from workshops import breakouts, presence, services
from workshops.errors import DomainError
from workshops.models import Participant

pytestmark = pytest.mark.django_db

DECIDERS = ["p:{}", "role:moderator", "role:facilitator"]


def deciders(participant) -> list[str]:
    return [DECIDERS[0].format(participant.pk), *DECIDERS[1:]]


def waiting_room():
    workshop, fac = workshop_with_facilitator(waiting_room=True)
    return workshop, fac, services.participant_join(workshop=workshop, name="An")


def audit(workshop) -> list[tuple]:
    return list(ModerationAction.objects.filter(workshop=workshop).values_list("actor_id", "action", "target"))


def test_admit_lets_the_citizen_in_tells_them_and_staff_then_everyone_and_logs_it():
    workshop, fac, an = waiting_room()
    server = services.server_heartbeat(name="test")
    services.connection_open(participant=an, server=server, channel_name="ws.an", max_sockets=4)
    mod = staff_member(workshop, "moderator")
    before = last_seq(workshop)
    admission.participant_admit(actor=mod, participant_id=an.pk)
    an = Participant.objects.get(pk=an.pk)
    assert an.admitted is True
    presence.presence_flush()  # everyone learns that they are here with the next presence flush
    assert emitted(workshop, after=before) == [
        ("participant.admitted", {"participant": {"id": an.pk, "name": "An"}}, deciders(an)),
        ("presence.changed", {"participant": {"id": an.pk, "name": "An", "role": "citizen", "online": True,
                                              "room": None}}, ["all"])]
    assert audit(workshop) == [(mod.pk, "admit", f"participant:{an.pk}")]
    # What happened while they waited is not replayed to them: a resume from before admission is a snapshot.
    assert an.joined_seq == before


def test_admit_of_someone_not_connected_tells_only_them_and_staff():
    workshop, fac, an = waiting_room()
    before = last_seq(workshop)
    admission.participant_admit(actor=fac, participant_id=an.pk)
    presence.presence_flush()
    assert [e[0] for e in emitted(workshop, after=before)] == ["participant.admitted"]


def test_admit_during_a_breakout_places_the_citizen_in_a_room():
    workshop, fac, an = waiting_room()
    breakouts.breakout_open(actor=fac, mode="random", rooms=2)
    before = last_seq(workshop)
    admission.participant_admit(actor=fac, participant_id=an.pk)
    an.refresh_from_db()
    assert an.room is not None
    types = [(t, p.get("room")) for t, p, _ in emitted(workshop, after=before)]
    assert types[:2] == [("participant.admitted", None), ("room.assigned", an.room_id)]


def test_reject_removes_the_waiting_citizen_who_cannot_join_again_and_logs_it():
    workshop, fac, an = waiting_room()
    before = last_seq(workshop)
    admission.participant_reject(actor=fac, participant_id=an.pk, reason="not on the list")
    assert Participant.objects.get(pk=an.pk).removed is True
    assert emitted(workshop, after=before) == [
        ("participant.rejected", {"participant": {"id": an.pk, "name": "An"}}, deciders(an))]
    assert audit(workshop) == [(fac.pk, "reject", f"participant:{an.pk}")]
    with pytest.raises(DomainError) as caught:
        services.participant_join(workshop=workshop, name="An", existing_id=an.pk)
    assert caught.value.code == "forbidden"


@pytest.mark.parametrize("decide", [admission.participant_admit, admission.participant_reject])
@pytest.mark.parametrize("who, code", [("admitted", "conflict"), ("removed", "conflict"), ("staff", "not_found"),
                                       ("elsewhere", "not_found")])
def test_only_someone_waiting_in_this_workshop_can_be_admitted_or_rejected(decide, who, code):
    workshop, fac, an = waiting_room()
    other, _ = workshop_with_facilitator(username="fac2", waiting_room=True)
    target = {"admitted": citizen(workshop, "Bo"), "removed": citizen(workshop, "Cas", admitted=False, removed=True),
              "staff": staff_member(workshop, "moderator"), "elsewhere": citizen(other, "Dee", admitted=False)}[who]
    before = last_seq(workshop)
    with pytest.raises(DomainError) as caught:
        decide(actor=fac, participant_id=target.pk)
    assert caught.value.code == code
    assert emitted(workshop, after=before) == [] and audit(workshop) == []
