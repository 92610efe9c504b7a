"""Who may act in a workshop now, shared by the socket, HTTP and background paths.

These rules have more than one answer (`forbidden`, `ended`, `muted` with
`retry_after`), so they raise the DomainError that says which, where a yes/no
rule is a `can_<verb>` that returns a bool.
"""
from django.utils import timezone

from .errors import DomainError
from .models import Participant, Workshop

__all__ = ["can_act", "require_act", "require_content"]


def can_act(actor: Participant) -> bool:
    """A participant acts in its workshop unless removed from it or still in its waiting room."""
    return not actor.removed and actor.admitted


def require_act(actor: Participant) -> None:
    """Refuse (`forbidden`) anything from a participant who may not act (see can_act)."""
    if not can_act(actor):
        raise DomainError("forbidden")


def require_content(actor: Participant) -> None:
    """Refuse a change of content: from whoever may not act, after the end, while muted, and from
    citizens before the start."""
    require_act(actor)
    status = actor.workshop.status
    if status == Workshop.Status.ENDED:
        raise DomainError("ended")
    now = timezone.now()
    if actor.muted_until and actor.muted_until > now:
        raise DomainError("muted", f"You are muted until {actor.muted_until.isoformat()}.",
                          retry_after=round((actor.muted_until - now).total_seconds(), 1))
    if status == Workshop.Status.DRAFT and not actor.is_staff_role:
        raise DomainError("forbidden", "The workshop has not started yet.")
