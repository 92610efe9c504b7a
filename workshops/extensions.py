"""The one typed extension point through which an app gives workshops their content (boards and ideas).

Workshops knows rooms and people, not what is written in them; the app that owns boards registers
one `ContentHooks` from its AppConfig.ready and the workshop services call it inside their own
transactions. Exactly one app answers, and its answers go into workshop events, so this is a single
typed object rather than a signal. The snapshot parts, replay rewriters and command registry stay
open lists: every app may add to them, none of them is required, and none hands workshops a value
it must merge into its own event.
"""
from collections.abc import Sequence
from typing import Protocol, TypedDict

from django.core.exceptions import ImproperlyConfigured

from .models import Breakout, Participant, Room, Workshop

__all__ = ["ContentHooks", "RoomEntry", "Report", "content_hooks", "content_hooks_register"]


class RoomEntry(TypedDict, total=False):
    """What `room.assigned` adds for someone moved into a room: its BOARD and the IDEAs they may see on it."""

    board: dict
    ideas: list[dict]


class Report(TypedDict):
    """A closed breakout's report-back: each room's top idea ids, and the room BOARDs and IDEAs now public."""

    top: dict[int, list[int]]
    boards: list[dict]
    ideas: list[dict]


class ContentHooks(Protocol):
    """What workshops asks of the app that owns the content, each inside the caller's transaction."""

    def workshop_created(self, *, workshop: Workshop, columns: Sequence[str]) -> None:
        """Make the new workshop's plenary content (its board, with these columns)."""

    def columns_set(self, *, workshop: Workshop, columns: Sequence[str]) -> None:
        """Give the workshop's boards these columns, and tell their readers."""

    def rooms_opened(self, *, breakout: Breakout, rooms: Sequence[Room]) -> dict[int, int]:
        """Give each new room its board; answer {room id: board id}."""

    def room_entered(self, *, room: Room, participant: Participant) -> RoomEntry:
        """What a participant moved into a running room is handed with their `room.assigned`."""

    def breakout_closed(self, *, breakout: Breakout, rooms: Sequence[Room]) -> Report:
        """The report-back of a breakout that has just closed."""

    def workshop_ending(self, *, workshop: Workshop) -> None:
        """Close what is still running as the workshop ends, inside the end's transaction (which holds
        the workshop's row, the seq lock)."""


_registered: ContentHooks | None = None


def content_hooks_register(hooks: ContentHooks) -> None:
    """Plug in the content app's hooks, once (registering the same object again changes nothing)."""
    global _registered
    if _registered is not None and _registered is not hooks:
        raise ImproperlyConfigured(f"Content hooks are already registered ({_registered!r}); only one app may.")
    _registered = hooks


def content_hooks() -> ContentHooks:
    """The registered content hooks; an error, never a silent no-op, when no app registered any."""
    if _registered is None:
        raise ImproperlyConfigured("No content hooks registered: the app that owns boards must call "
                                   "workshops.extensions.content_hooks_register() in its AppConfig.ready().")
    return _registered
