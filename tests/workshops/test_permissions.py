"""Who may act now: one set of rules for the socket, HTTP and background paths."""
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import citizen, staff_member, workshop_with_facilitator
from workshops import permissions
from workshops.errors import DomainError

pytestmark = pytest.mark.django_db


def refusal(fn, actor) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(actor)
    return caught.value


@pytest.mark.parametrize("fields", [{"removed": True}, {"admitted": False}])
def test_a_removed_or_waiting_participant_may_not_act(fields):
    workshop, _ = workshop_with_facilitator()
    actor = citizen(workshop, **fields)
    assert not permissions.can_act(actor)
    assert refusal(permissions.require_act, actor).code == "forbidden"
    assert refusal(permissions.require_content, actor).code == "forbidden"


def test_a_muted_participant_is_told_until_when_and_how_long_to_wait():
    workshop, _ = workshop_with_facilitator()
    actor = citizen(workshop, muted_until=timezone.now() + timedelta(minutes=5))
    permissions.require_act(actor)
    exc = refusal(permissions.require_content, actor)
    assert exc.code == "muted" and 290 < exc.retry_after <= 300
    assert actor.muted_until.isoformat() in exc.message


def test_a_mute_that_is_over_refuses_nothing():
    workshop, _ = workshop_with_facilitator()
    permissions.require_content(citizen(workshop, muted_until=timezone.now() - timedelta(seconds=1)))


def test_after_the_end_content_is_refused_with_ended_for_everyone():
    workshop, fac = workshop_with_facilitator()
    workshop.status = "ended"
    workshop.save(update_fields=["status"])
    for actor in (citizen(workshop), fac):
        actor.workshop.refresh_from_db()
        assert refusal(permissions.require_content, actor).code == "ended"


def test_before_the_start_only_staff_change_content():
    workshop, fac = workshop_with_facilitator(start=False)
    assert refusal(permissions.require_content, citizen(workshop)).code == "forbidden"
    permissions.require_content(fac)
    permissions.require_content(staff_member(workshop, "moderator"))
