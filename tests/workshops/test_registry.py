"""The command registry: one transaction per command, and its receipt."""
import pytest

from tests.factories import citizen, last_seq, workshop_with_facilitator
from workshops import registry, stream
from workshops.errors import DomainError
from workshops.events import Announcement
from workshops.models import CommandReceipt, Event, Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def refusing_command():
    """A command that writes (an event and a rename) and then refuses."""
    @registry.command("test.refuse")
    def refuse(actor, cmd):
        Participant.objects.filter(pk=actor.pk).update(name="Renamed")
        stream.emit(actor.workshop_id, Announcement(text="written", from_={"id": actor.pk, "name": actor.name}))
        raise DomainError("conflict", "Changed my mind.")
    yield
    del registry.COMMANDS["test.refuse"]


def test_a_refused_command_leaves_nothing_but_its_receipt(refusing_command):
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop, "An")
    before = last_seq(workshop)
    answer = registry.execute(participant_id=an.pk, frame={"type": "test.refuse", "ref": "r1"})
    assert answer == {"type": "error", "ref": "r1", "code": "conflict", "message": "Changed my mind."}
    assert last_seq(workshop) == before and not Event.objects.filter(type=Announcement.type_name()).exists()
    assert Participant.objects.get(pk=an.pk).name == "An"
    assert CommandReceipt.objects.get(participant=an, ref="r1").answer == answer
    again = registry.execute(participant_id=an.pk, frame={"type": "test.refuse", "ref": "r1"})
    assert again == {**answer, "duplicate": True}
    assert not Event.objects.filter(type=Announcement.type_name()).exists()
