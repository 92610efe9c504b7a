"""The events of the live session: one pydantic model per event type (docs/protocol.md 2.9).

Each model is the only place its type string is written: `type: Literal["..."]` names it,
`Model.type_name()` reads it back wherever code compares types. `stream.emit` takes these
models; the stored and sent payload is `payload()`: every field, null included, except those
declared `omitted()`, which are left out when they have no value. deliberation/events.py holds
the content's events on the same base.

`participant.*` events live here (deliberation emits most of them) because the hub acts on them.
"""
from typing import Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from .models import Breakout, Participant, Workshop

Iso = str  # a time as selectors.iso writes it (ISO 8601, UTC, "Z"): kept as text so the wire stays byte-equal
JsonObject = dict[str, Any]  # a part whose shape the content app owns (workshops knows no content)


class Shape(BaseModel):
    """A fixed part of a payload (IDEA, FLAG, a participant, ...): no field that the protocol does not name."""

    model_config = ConfigDict(extra="forbid", validate_by_name=True, serialize_by_alias=True)


def _none(value) -> bool:
    return value is None


def omitted():
    """A field that the payload leaves out, rather than sending null, when it has no value."""
    return Field(default=None, exclude_if=_none)


# Event types that carry a whole aggregate (counts, a presence), by the payload path naming what it is about.
COALESCED: dict[str, tuple[str, ...]] = {}
# Event types that only add to what a snapshot shows or update its counts, and take nothing back.
ADDITIVE: set[str] = set()
# Event types known to change only some of the welcome's shared parts: type -> those parts' names.
TOUCHES: dict[str, frozenset[str]] = {}


class StreamEvent(Shape):
    """An event of a workshop's stream; a subclass declares `type: Literal["noun.past-tense"]` and its fields.

    `coalesce_by` names the field (dotted) of an event that carries the whole state of one thing, so
    that a later event of the same type and value supersedes it: the hub may then send sockets only the
    latest (PROTOCOL.md 2.3), and holds such events for a short while to group them (hub.COALESCE_S).
    """

    coalesce_by: ClassVar[str | None] = None
    # A kept welcome snapshot may be followed by this event (snapshot.SharedSnapshots): nothing it takes
    # back (a hidden idea's text, a room one left) could reach someone who joined after it.
    additive: ClassVar[bool] = False
    # The shared welcome parts (snapshot_part names) this event may change, when it is known to change
    # no others: a kept snapshot renewed after it reads only those anew. None: it may change any.
    touches: ClassVar[frozenset[str] | None] = None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs):
        # The Literal names the type once: it becomes the field's default, and stays out of the payload
        # (the type is a column of its own and the frame's first key, stream.encode).
        super().__pydantic_init_subclass__(**kwargs)
        field = cls.model_fields["type"]
        (name,) = get_args(field.annotation)
        field.default, field.exclude = name, True
        cls.model_rebuild(force=True)
        if cls.coalesce_by:
            COALESCED[name] = tuple(cls.coalesce_by.split("."))
        if cls.additive:
            ADDITIVE.add(name)
        if cls.touches is not None:
            TOUCHES[name] = cls.touches

    @classmethod
    def type_name(cls) -> str:
        return cls.model_fields["type"].default

    def payload(self) -> dict:
        """The stored and sent fields, as JSON types."""
        return self.model_dump(mode="json")


def coalescing_key(type_name: str, payload: dict) -> str | None:
    """What a stored event is the latest state of ("idea.reacted:42"), if its type is coalesced."""
    path = COALESCED.get(type_name)
    if path is None:
        return None
    value = payload
    for name in path:
        value = value[name]
    return f"{type_name}:{value}"


# Shapes

class Person(Shape):
    id: int
    name: str


class PresenceParticipant(Shape):
    """selectors.participant_payload: what everyone sees of a participant."""

    id: int
    name: str
    role: Participant.Role
    online: bool
    room: int | None


class RoomShape(Shape):
    id: int
    name: str
    board: int | None  # the room's board, made by the content app


class RoomReport(Shape):
    room: int
    ideas: list[int]  # the room's top idea ids, best first


# The workshop

class WorkshopStarted(StreamEvent):
    type: Literal["workshop.started"]
    status: Workshop.Status
    started_at: Iso


class WorkshopEnded(StreamEvent):
    type: Literal["workshop.ended"]
    status: Workshop.Status
    ended_at: Iso


class WorkshopShape(Shape):
    """`welcome.workshop` (selectors.workshop_payload)."""

    code: str
    title: str
    description: str
    status: Workshop.Status
    language: Workshop.Language
    moderation: Workshop.Moderation
    agenda: list[JsonObject]  # [{"title", "minutes"}]
    phase: int
    timer: JsonObject | None  # {"label", "ends_at"}
    breakout: JsonObject | None  # {"id", "status", "mode", "ends_at", "closes_at", "capacity"}
    waiting_room: bool


class WorkshopUpdated(StreamEvent):
    """A facilitator changed the workshop's settings: the whole workshop as `welcome` gives it."""

    type: Literal["workshop.updated"]
    workshop: WorkshopShape


class PhaseChanged(StreamEvent):
    type: Literal["phase.changed"]
    phase: int  # index into the agenda, from 0


class TimerStarted(StreamEvent):
    type: Literal["timer.started"]
    label: str
    ends_at: Iso


class TimerStopped(StreamEvent):
    type: Literal["timer.stopped"]


class TimerExpired(StreamEvent):
    type: Literal["timer.expired"]
    label: str
    ends_at: Iso


class Announcement(StreamEvent):
    """A facilitator's message to everyone, in every room.

    `announcement` (and its command `announce`) do not follow noun.verb / noun.past-tense: protocol
    version 1 fixes both names, and renaming them would be a protocol version bump.
    """

    type: Literal["announcement"]
    additive = True
    text: str
    from_: Person = Field(alias="from")


# Participants

class PresenceChanged(StreamEvent):
    type: Literal["presence.changed"]
    coalesce_by = "participant.id"
    additive = True
    touches = frozenset({"participants"})
    participant: PresenceParticipant


class RoleChanged(StreamEvent):
    """To the participant; the hub then closes their sockets with 4401 (stream.CONTROL)."""

    type: Literal["role.changed"]
    participant: int
    role: Participant.Role  # the role they have now: citizen when it was taken away


class ParticipantWaiting(StreamEvent):
    type: Literal["participant.waiting"]
    participant: Person


class ParticipantAdmitted(StreamEvent):
    type: Literal["participant.admitted"]
    participant: Person


class ParticipantRejected(StreamEvent):
    type: Literal["participant.rejected"]
    participant: Person


class ParticipantRemoved(StreamEvent):
    type: Literal["participant.removed"]
    participant: int


class ParticipantErased(StreamEvent):
    """Everyone: show their ideas as a former participant's and drop them from the people; the hub then
    closes their sockets with 4401 (stream.CONTROL): they are nobody in this workshop any more."""

    type: Literal["participant.erased"]
    participant: int


class ParticipantMuted(StreamEvent):
    type: Literal["participant.muted"]
    participant: int
    until: Iso | None  # null: the mute was lifted


# Breakouts

class BreakoutOpened(StreamEvent):
    type: Literal["breakout.opened"]
    breakout: int
    mode: Breakout.Mode
    ends_at: Iso | None
    capacity: int | None
    rooms: list[RoomShape]
    assignments: dict[str, int]  # participant id -> room id


class RoomAssigned(StreamEvent):
    """To one participant: the room they are in now, in one of three shapes.

    Placed when a breakout opens, or as a late joiner: `room` and `breakout` only. Moved by a
    facilitator or choosing a room: also the room's `board` (BOARD) and the `ideas` (IDEAs) on it
    that they may see, so that they need not reload.
    """

    type: Literal["room.assigned"]
    room: int | None  # null: back in the plenary
    breakout: int
    board: JsonObject | None = omitted()
    ideas: list[JsonObject] | None = omitted()


class BreakoutClosing(StreamEvent):
    type: Literal["breakout.closing"]
    breakout: int
    closes_at: Iso


class BreakoutClosed(StreamEvent):
    """Everyone is back in the plenary; with the content app, the room boards (BOARD) and their ideas
    (IDEA), which everyone may read from now on."""

    type: Literal["breakout.closed"]
    breakout: int
    reports: list[RoomReport]
    boards: list[JsonObject] | None = omitted()
    ideas: list[JsonObject] | None = omitted()
