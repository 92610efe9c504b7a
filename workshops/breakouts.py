"""Breakout rooms: open, place people, move them, close with a report-back.

Services own their transactions and emit through the stream; the content side
(boards, reports) answers through the content hooks of `extensions`.
"""
import json
import random
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from . import presence, stream
from . import events as ev
from .assignment import deal, strata_by_profile
from .errors import DomainError
from .extensions import content_hooks
from .models import Assignment, Breakout, Deadline, Participant, Room, Workshop
from .selectors import participant_payload, running_breakout
from .times import iso

B = Breakout
GRACE_S = 60
# The ideas an event may carry, encoded: the rest of room.assigned and breakout.closed stays far
# below the 256 KiB that a server frame may have (a room's ids, names and boards).
EVENT_IDEAS_BYTES = 128 * 1024
CLOSING = "breakout.closing"
CLOSE = "breakout.close"


@transaction.atomic
def breakout_open(*, actor: Participant, mode: str, rooms: int | None = None, names: list[str] | None = None,
                  duration_s: int | None = None, assignments: dict[int, int] | None = None,
                  capacity: int | None = None, rng: random.Random | None = None) -> Breakout:
    """Split the plenary's citizens into new rooms, each with its own board."""
    rng = rng or random.Random()
    workshop = Workshop.objects.select_for_update().get(pk=actor.workshop_id)
    if workshop.status == Workshop.Status.ENDED:
        raise DomainError("ended")
    if workshop.status != Workshop.Status.LIVE:
        raise DomainError("conflict", "Start the workshop before opening breakout rooms.")
    if running_breakout(workshop.pk) is not None:
        raise DomainError("conflict", "A breakout is already open; close it first.")
    names = list(names) if names else [f"Room {i + 1}" for i in range(rooms or 0)]
    if not 2 <= len(names) <= 50:
        raise DomainError("invalid", fields={"rooms": "Between 2 and 50 rooms."})
    now = timezone.now()
    breakout = Breakout.objects.create(
        workshop=workshop, mode=mode, capacity=capacity if mode == B.Mode.SELF_SELECT else None,
        ends_at=now + timedelta(seconds=duration_s) if duration_s else None)
    room_objs = Room.objects.bulk_create(
        [Room(workshop=workshop, breakout=breakout, name=name, position=i) for i, name in enumerate(names)])
    boards = content_hooks().rooms_opened(breakout=breakout, rooms=room_objs)

    # Erased people have left (no name, no socket): no room is dealt one of them, and the console's
    # preview of room sizes (room-sizes.js), which counts the participants it lists, stays true.
    citizens = dict(Participant.objects.filter(workshop=workshop, role=Participant.Role.CITIZEN, removed=False,
                                              admitted=True, erased_at__isnull=True)
                    .values_list("pk", "profile"))
    placement = _placement(workshop, mode, citizens, len(room_objs), assignments or {}, rng)
    events = [(ev.BreakoutOpened(
        breakout=breakout.pk, mode=mode, ends_at=iso(breakout.ends_at), capacity=breakout.capacity,
        rooms=[{"id": r.pk, "name": r.name, "board": boards.get(r.pk)} for r in room_objs],
        assignments={str(pid): room_objs[i].pk for pid, i in placement.items()}), stream.EVERYONE)]
    _place(breakout, {pid: room_objs[i] for pid, i in placement.items()})
    events += [(ev.RoomAssigned(room=room_objs[i].pk, breakout=breakout.pk), stream.to_participant(pid))
               for pid, i in placement.items()]
    stream.emit_many(workshop, events)
    if breakout.ends_at:
        grace = min(GRACE_S, duration_s)
        Deadline.objects.bulk_create([
            Deadline(workshop=workshop, kind=CLOSING, due_at=breakout.ends_at - timedelta(seconds=grace),
                     data={"breakout": breakout.pk}),
            Deadline(workshop=workshop, kind=CLOSE, due_at=breakout.ends_at, data={"breakout": breakout.pk})])
    return breakout


def _placement(workshop, mode, citizens: dict[int, dict], n_rooms: int, assignments: dict[int, int],
               rng) -> dict[int, int]:
    if mode == B.Mode.SELF_SELECT:
        return {}
    if mode == B.Mode.DIVERSE:
        keys = [q["key"] for q in workshop.profile_questions]
        return deal(strata_by_profile(citizens, keys), [0] * n_rooms, rng)
    if mode == B.Mode.MANUAL:
        errors = {str(pid): "Not a citizen of this workshop." for pid in assignments if pid not in citizens}
        errors.update({str(pid): f"Room index must be 0 to {n_rooms - 1}." for pid, i in assignments.items()
                       if not 0 <= i < n_rooms})
        if errors:
            raise DomainError("invalid", fields={f"assignments.{k}": v for k, v in errors.items()})
        sizes = [0] * n_rooms
        for i in assignments.values():
            sizes[i] += 1
        rest = [pid for pid in citizens if pid not in assignments]
        return {**dict(assignments), **deal([rest], sizes, rng)}
    return deal([list(citizens)], [0] * n_rooms, rng)


def _place(breakout: Breakout, placement: dict[int, Room]) -> None:
    """Store who is in which room: one UPDATE per room, one INSERT for all assignments."""
    by_room: dict[Room, list[int]] = {}
    for pid, room in placement.items():
        by_room.setdefault(room, []).append(pid)
    for room, pids in by_room.items():
        Participant.objects.filter(pk__in=pids).update(room=room)
    Assignment.objects.bulk_create(
        [Assignment(breakout=breakout, room=room, participant_id=pid) for pid, room in placement.items()])


def _move(breakout: Breakout, participant: Participant, room: Room) -> None:
    participant.room = room
    participant.save(update_fields=["room"])
    Assignment.objects.update_or_create(breakout=breakout, participant=participant, defaults={"room": room})
    online = presence.presence_told(participant.pk)
    assigned = {"room": room.pk, "breakout": breakout.pk,
                **_bounded(content_hooks().room_entered(room=room, participant=participant))}
    stream.emit_many(breakout.workshop_id, [
        (ev.RoomAssigned(**assigned), stream.to_participant(participant.pk)),
        (ev.PresenceChanged(participant=participant_payload(participant, online=online)), stream.EVERYONE)])


def _bounded(fields: dict) -> dict:
    """The fields without `ideas` when the ideas would make the event too large for one frame.

    Frames are at most 256 KiB and a replay sends the event again; a client that gets the event
    without `ideas` takes a fresh snapshot, which is split into parts (PROTOCOL 2.3).
    """
    ideas = fields.get("ideas")
    if ideas and len(json.dumps(ideas, separators=(",", ":"), ensure_ascii=False).encode()) > EVENT_IDEAS_BYTES:
        return {k: v for k, v in fields.items() if k != "ideas"}
    return fields


def _room_of(breakout: Breakout, room_id: int, field: str = "room") -> Room:
    room = Room.objects.filter(pk=room_id, breakout=breakout).first()
    if room is None:
        raise DomainError("not_found", "No such room in this breakout.", fields={field: "No such room."})
    return room


@transaction.atomic
def breakout_move(*, actor: Participant, participant_id: int, room_id: int) -> Participant:
    """A facilitator moves a citizen into another room of the running breakout."""
    breakout = running_breakout(actor.workshop_id, lock=True)
    if breakout is None:
        raise DomainError("conflict", "No breakout is open.")
    participant = Participant.objects.filter(pk=participant_id, workshop_id=actor.workshop_id, removed=False,
                                             admitted=True, role=Participant.Role.CITIZEN).first()
    if participant is None:
        raise DomainError("not_found", "No such citizen.", fields={"participant": "No such citizen."})
    _move(breakout, participant, _room_of(breakout, room_id))
    return participant


@transaction.atomic
def room_choose(*, actor: Participant, room_id: int) -> Room:
    """A citizen picks a room while a self-select breakout is open (within its capacity)."""
    breakout = running_breakout(actor.workshop_id, lock=True)
    if breakout is None or breakout.mode != B.Mode.SELF_SELECT or breakout.status != B.Status.OPEN:
        raise DomainError("forbidden", "Rooms can be chosen only while a self-select breakout is open.")
    if actor.role != Participant.Role.CITIZEN:
        raise DomainError("forbidden", "Only citizens take a room.")
    room = _room_of(breakout, room_id)
    if actor.room_id == room.pk:
        return room
    if breakout.capacity and room.assignments.count() >= breakout.capacity:
        raise DomainError("conflict", "That room is full.")
    _move(breakout, actor, room)
    return room


def place_late_joiner(participant: Participant) -> None:
    """A citizen who joins while rooms are open goes to the smallest room (or chooses, in self-select)."""
    breakout = running_breakout(participant.workshop_id, lock=True)
    if breakout is None or breakout.status != B.Status.OPEN or breakout.mode == B.Mode.SELF_SELECT:
        return
    rooms = list(Room.objects.filter(breakout=breakout).annotate(n=Count("assignments")).order_by("position"))
    index = deal([[participant.pk]], [r.n for r in rooms], random.Random())[participant.pk]
    _place(breakout, {participant.pk: rooms[index]})
    participant.room = rooms[index]
    stream.emit(breakout.workshop_id, ev.RoomAssigned(room=rooms[index].pk, breakout=breakout.pk),
                audience=stream.to_participant(participant.pk))


@transaction.atomic
def breakout_close(*, actor: Participant, grace_s: int = GRACE_S) -> Breakout:
    """Call everyone back: a countdown of `grace_s` that everyone sees, or at once with 0."""
    breakout = running_breakout(actor.workshop_id, lock=True)
    if breakout is None:
        raise DomainError("conflict", "No breakout is open.")
    Deadline.objects.filter(workshop_id=breakout.workshop_id, kind__in=(CLOSING, CLOSE), done=False).update(done=True)
    if grace_s == 0:
        return _finish(breakout)
    if breakout.status == B.Status.CLOSING:
        raise DomainError("conflict", "The breakout is already closing.")
    _start_closing(breakout, timezone.now() + timedelta(seconds=grace_s))
    Deadline.objects.create(workshop_id=breakout.workshop_id, kind=CLOSE, due_at=breakout.closes_at,
                            data={"breakout": breakout.pk})
    return breakout


def _start_closing(breakout: Breakout, closes_at) -> None:
    breakout.status, breakout.closes_at = B.Status.CLOSING, closes_at
    breakout.save(update_fields=["status", "closes_at"])
    stream.emit(breakout.workshop_id, ev.BreakoutClosing(breakout=breakout.pk, closes_at=iso(closes_at)))


def _finish(breakout: Breakout) -> Breakout:
    """Close now: the report-back of each room, and everyone back in the plenary."""
    rooms = list(Room.objects.filter(breakout=breakout).order_by("position"))
    breakout.status, breakout.closed_at = B.Status.CLOSED, timezone.now()
    breakout.save(update_fields=["status", "closed_at"])
    report = content_hooks().breakout_closed(breakout=breakout, rooms=rooms)
    top, extra = report["top"], _bounded({"boards": report["boards"], "ideas": report["ideas"]})
    for room in rooms:
        room.top_ideas = top.get(room.pk, [])
    Room.objects.bulk_update(rooms, ["top_ideas"])
    Participant.objects.filter(workshop_id=breakout.workshop_id, room__isnull=False).update(room=None)
    stream.emit(breakout.workshop_id, ev.BreakoutClosed(
        breakout=breakout.pk, reports=[{"room": r.pk, "ideas": r.top_ideas} for r in rooms], **extra))
    return breakout


@transaction.atomic
def breakout_deadline(*, deadline: Deadline) -> None:
    """A timed breakout's countdown starts, or its end has come, whoever is connected."""
    breakout = Breakout.objects.select_for_update().filter(pk=deadline.data.get("breakout")).first()
    if breakout is None or not breakout.running:
        return
    if deadline.kind == CLOSING and breakout.status == B.Status.OPEN:
        _start_closing(breakout, breakout.ends_at)
    elif deadline.kind == CLOSE:
        _finish(breakout)
