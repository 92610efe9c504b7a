"""Cases for the catalogue fixture (tests/conftest.py), run in a pytest of their own by
tests/workshops/test_events.py: each test named `..._is_failed` must end in an error, the others pass."""
import pytest
from django.db import transaction

from tests.factories import workshop_with_facilitator
from workshops import stream
from workshops.events import PhaseChanged, RoomAssigned
from workshops.models import Event


@pytest.mark.django_db
def test_catalogue_events_pass():
    workshop, _ = workshop_with_facilitator()
    with transaction.atomic():
        stream.emit_many(workshop, [(PhaseChanged(phase=1), stream.EVERYONE),
                                    (RoomAssigned(room=None, breakout=2), stream.to_participant(1))])


def test_a_test_without_the_database_passes():
    assert PhaseChanged(phase=0).payload() == {"phase": 0}


@pytest.mark.django_db
def test_an_event_that_skipped_validation_is_failed():
    workshop, _ = workshop_with_facilitator()
    with transaction.atomic():
        stream.emit(workshop, PhaseChanged.model_construct(phase="first"))


@pytest.mark.django_db(transaction=True)
def test_a_null_where_the_catalogue_leaves_a_field_out_is_failed():
    workshop, _ = workshop_with_facilitator()
    Event.objects.create(workshop=workshop, seq=99, type="room.assigned",
                         payload={"room": 3, "breakout": 2, "board": None})


def test_an_event_type_outside_the_catalogue_is_failed(db):
    workshop, _ = workshop_with_facilitator()
    Event.objects.create(workshop=workshop, seq=99, type="idea.liked", payload={"idea": 1})
