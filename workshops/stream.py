"""The event stream: the one place that emits events.

Services call `emit` inside their transaction; the event row gets the next
per-workshop seq. After commit the events are published, once per workshop and
transaction, over the channel layer to the hub of every server process.
"""
import asyncio
import json
import logging
import os
import threading
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import Q
from django.db.models.base import ModelState
from django.utils import timezone

from . import replay
from .events import (BreakoutClosed, coalescing_key, ParticipantAdmitted, ParticipantErased, ParticipantRejected,
                     ParticipantRemoved, RoleChanged, RoomAssigned, StreamEvent, TOUCHES)
from .groups import workshop_group
from .models import CommandReceipt, Event, Participant, RequestReceipt, Workshop
from .prepared import Insert, Lookup, MANY_ROWS
from .times import iso

__all__ = ["emit", "emit_many", "take_turn", "forget_name", "publishing", "collected", "publish_async", "encode",
           "visible", "events_after", "stored_between", "replay_for", "layer_message", "EVERYONE",
           "MODERATORS", "FACILITATORS", "to_participant", "to_room"]

log = logging.getLogger(__name__)

EVERYONE = ("all",)
FACILITATORS = ("role:facilitator",)
MODERATORS = ("role:moderator", "role:facilitator")
# Events that change what a socket may see or do carry a small `control` part to the hub;
# `close` is the code that closes the sockets of `participant` (a `role` spares one that already holds it).
CONTROL = {
    RoomAssigned.type_name(): lambda p: {"room": p.get("room")},
    BreakoutClosed.type_name(): lambda p: {"room": None},
    ParticipantRemoved.type_name(): lambda p: {"participant": p.get("participant"), "close": 4403},
    # The waiting room: the one event a waiting socket gets lets it in (or shuts it).
    ParticipantAdmitted.type_name(): lambda p: {"participant": p["participant"]["id"], "admit": True},
    ParticipantRejected.type_name(): lambda p: {"participant": p["participant"]["id"], "close": 4403},
    RoleChanged.type_name(): lambda p: {"participant": p.get("participant"), "role": p.get("role"), "close": 4401},
    # Erased: their sessions are nobody now, so a socket of theirs must go as if it had never joined.
    ParticipantErased.type_name(): lambda p: {"participant": p.get("participant"), "close": 4401},
}

PUBLISH_TIMEOUT_S = 5
_local = threading.local()


def to_participant(participant_id: int) -> tuple[str]:
    return (f"p:{participant_id}",)


def to_room(room_id: int | None) -> tuple[str, ...]:
    """A room's citizens and all staff; the plenary (None) is everyone."""
    return EVERYONE if room_id is None else (f"room:{room_id}",)


def emit(workshop: Workshop | int, event: StreamEvent, *, audience=EVERYONE) -> Event:
    """Append an event of the catalogue to the workshop's stream, inside the caller's transaction."""
    return emit_many(workshop, [(event, audience)])[0]


# Every command that changes something writes its events through this: bulk_create built its
# statement anew each time, at several times what PostgreSQL took to run it.
_EVENT_ROWS = Insert(Event, ("workshop", "seq", "type", "payload", "audience", "created_at"))


def emit_many(workshop: Workshop | int, items: list[tuple[StreamEvent, tuple]]) -> list[Event]:
    """Append several events (event, audience) with consecutive seqs, in one go (the Events returned
    are not read back: they carry no primary key)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("stream.emit must run inside the transaction that makes the change")
    if not items:
        return []
    workshop_id = workshop if isinstance(workshop, int) else workshop.pk
    now = timezone.now()
    entries = [(event.type, event.payload(), list(audience)) for event, audience in items]
    last = _append(workshop_id, entries, now)
    if not isinstance(workshop, int):
        workshop.last_seq = last
    first = last - len(items) + 1
    rows = [_unsaved(workshop_id, first + i, *entry, now) for i, entry in enumerate(entries)]
    for row in rows:
        transaction.on_commit(partial(_committed, layer_message(row)))
    return rows


def _unsaved(workshop_id: int, seq: int, type: str, payload: dict, audience: list, created_at) -> Event:
    """An Event as `Event(...)` makes it, without Model.__init__'s work per field (every emit makes one)."""
    row = Event.__new__(Event)
    row._state = ModelState()
    row.__dict__.update(id=None, workshop_id=workshop_id, seq=seq, type=type, payload=payload, audience=audience,
                        created_at=created_at)
    return row


def _append(workshop_id: int, entries: list[tuple[str, dict, list]], now) -> int:
    """Take len(entries) seqs of the workshop's stream and store the events (type, payload, audience)
    under them; return the last seq.

    On PostgreSQL one statement does both (a data-modifying WITH): the seq's UPDATE, with its row
    lock, then the INSERT, as the two statements of `_advance` and `Insert.many` would, at one round
    trip instead of two; a first idea writes two events. SQLite has no UPDATE in a WITH.
    """
    connection = transaction.get_connection()
    n = len(entries)
    if connection.vendor != "postgresql" or n > MANY_ROWS:
        last = _advance(workshop_id, n)
        _EVENT_ROWS.many([(workshop_id, last - n + 1 + i, *entry, now) for i, entry in enumerate(entries)])
        return last
    params = [n, workshop_id]
    for entry in entries:  # in _EVENT_ROWS's order, without the seq that the statement computes
        params.extend(field.get_db_prep_save(value, connection)
                      for field, value in zip(_EVENT_ROWS.fields, (workshop_id, None, *entry, now))
                      if field.attname != "seq")
    with connection.cursor() as cursor:
        # No such workshop: no seq to take, and the NOT NULL seq refuses the rows (IntegrityError).
        cursor.execute(_append_sql(connection, n), params)
        return max(seq for (seq,) in cursor.fetchall())


_APPEND_SQL: dict[int, str] = {}


def _append_sql(connection, n: int) -> str:
    sql = _APPEND_SQL.get(n)
    if sql is None:
        quote = connection.ops.quote_name
        last_seq = quote(Workshop._meta.get_field("last_seq").column)

        def row(i: int) -> str:
            return "(" + ", ".join(f"(SELECT {last_seq} FROM s) - {n - 1 - i}" if field.attname == "seq" else "%s"
                                   for field in _EVENT_ROWS.fields) + ")"

        sql = _APPEND_SQL[n] = (
            f"WITH s AS (UPDATE {quote(Workshop._meta.db_table)} SET {last_seq} = {last_seq} + %s "
            f"WHERE {quote(Workshop._meta.pk.column)} = %s RETURNING {last_seq}) "
            f"INSERT INTO {quote(Event._meta.db_table)} ({', '.join(quote(f.column) for f in _EVENT_ROWS.fields)}) "
            f"VALUES {', '.join(row(i) for i in range(n))} "
            f"RETURNING {quote(Event._meta.get_field('seq').column)}")
    return sql


def take_turn(workshop_id: int) -> None:
    """Wait for the workshop's earlier writers, inside the caller's transaction: what it reads after
    this includes every change whose event comes before its own (its seqs are taken under the same
    row lock). An event that carries a total (reaction counts) must read it after this: counted
    before, two concurrent reactions could each leave out the other, and the later event would be
    wrong for good, since clients keep the latest counts (PROTOCOL.md 2.3)."""
    Workshop.objects.select_for_update().filter(pk=workshop_id).values_list("pk", flat=True).first()


# The payload keys under which an event names a person as {"id", "name", ...}.
_PERSON_KEYS = ("author", "participant", "from")
# Events that carry IDEAs (and so their authors' names) in a list, where no key path reaches.
_IDEA_LISTS = (RoomAssigned.type_name(), BreakoutClosed.type_name())


def forget_name(workshop_id: int, participant_id: int) -> int:
    """Blank a participant's name in the workshop's stored events, so that no resume brings it back;
    return how many events changed. Inside the caller's transaction (an erase).

    The database picks the events that may name them (an IDEA's or a QUESTION's author, a participant, an
    announcement's sender, or lists of IDEAs): decoding every stored payload in Python would take
    seconds for a busy workshop's week of events, while the transaction holds its locks.
    """
    pid = participant_id
    candidates = Event.objects.filter(
        Q(payload__idea__author__id=pid) | Q(payload__question__author__id=pid) | Q(payload__participant__id=pid)
        | Q(payload__from__id=pid)
        | Q(type__in=_IDEA_LISTS), workshop_id=workshop_id)
    changed = []
    for event in candidates.only("pk", "payload").iterator(chunk_size=1000):
        if _blank_name(event.payload, participant_id):
            changed.append(event)
    # Small batches: bulk_update's CASE grows with the batch, and 500 took three times as long as 50.
    Event.objects.bulk_update(changed, ["payload"], batch_size=50)
    return len(changed)


def _blank_name(value, participant_id: int) -> bool:
    """Set "name" to "" wherever the payload names this participant as a person; True if it did."""
    hit = False
    if isinstance(value, dict):
        for key in _PERSON_KEYS:
            person = value.get(key)
            if isinstance(person, dict) and person.get("id") == participant_id and person.get("name"):
                person["name"] = ""
                hit = True
        for item in value.values():
            hit = _blank_name(item, participant_id) or hit
    elif isinstance(value, list):
        for item in value:
            hit = _blank_name(item, participant_id) or hit
    return hit


def _advance(workshop_id: int, n: int) -> int:
    """Take n seqs of a workshop's stream; the UPDATE holds its row lock, so seqs are gapless and
    ordered by commit. One statement (RETURNING: PostgreSQL, and SQLite since 3.35)."""
    connection = transaction.get_connection()
    quote, table = connection.ops.quote_name, Workshop._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(table)} SET last_seq = last_seq + %s WHERE id = %s RETURNING last_seq",
                       [n, workshop_id])
        row = cursor.fetchone()
    if row is None:
        raise Workshop.DoesNotExist(f"no workshop {workshop_id}")
    return row[0]


def encode(event: Event) -> str:
    """The frame a client receives for an event, encoded once."""
    return json.dumps({"type": event.type, "seq": event.seq,
                       "at": iso(event.created_at), **event.payload},
                      separators=(",", ":"), ensure_ascii=False)


def layer_message(event: Event) -> dict:
    item = {"workshop": event.workshop_id, "seq": event.seq, "type": event.type,
            "audience": event.audience, "frame": encode(event)}
    if event.type in CONTROL:
        item["control"] = CONTROL[event.type](event.payload)
    key = coalescing_key(event.type, event.payload)
    if key is not None:
        item["coalesce"] = key
    return item


def visible(audience, *, participant_id: int, role: str, room_id: int | None) -> bool:
    """Whether a participant (as they are now) may see an event with this audience."""
    allowed = False
    for token in audience:
        negate = token.startswith("!")
        kind, _, value = token.lstrip("!").partition(":")
        if kind == "all":
            hit = True
        elif kind == "p":
            hit = int(value) == participant_id
        elif kind == "role":
            hit = value == role
        elif kind == "room":
            hit = role != "citizen" or room_id == int(value)
        else:
            hit = False
        if hit and negate:
            return False
        allowed = allowed or (hit and not negate)
    return allowed


# Every welcome that starts from a kept snapshot, and every hub that missed a message, reads these.
_EVENTS_AFTER = Lookup(lambda workshop_id, seq: Event.objects.filter(workshop_id=workshop_id, seq__gt=seq)
                       .order_by("seq"), nargs=2)
_EVENTS_BETWEEN = Lookup(lambda workshop_id, seq, until: Event.objects.filter(
    workshop_id=workshop_id, seq__gt=seq, seq__lte=until).order_by("seq"), nargs=3)


def events_after(workshop_id: int, seq: int, *, until: int | None = None,
                 reader: Participant | None = None) -> list[dict]:
    """Stored events after `seq` (up to `until`), as layer items, in order; a replay is rewritten for `reader`."""
    events = _EVENTS_AFTER.all(workshop_id, seq) if until is None else _EVENTS_BETWEEN.all(workshop_id, seq, until)
    if reader is not None:
        replay.rewrite(reader, events)
    return [layer_message(e) for e in events]


def stored_between(workshop_id: int, seq: int, until: int) -> list[tuple[int, tuple[Event, dict]]]:
    """The stored events after `seq` up to `until` as (seq, (event, its layer item)), in order: as read
    once for many readers (`snapshot.SharedSnapshots.tail`), each of whom gets `replay_for` of them."""
    return [(event.seq, (event, layer_message(event))) for event in _EVENTS_BETWEEN.all(workshop_id, seq, until)]


def replay_for(reader: Participant, stored: list[tuple[Event, dict]]) -> list[dict]:
    """Events read once for many readers (`stored_between`) as `reader`'s replay, rewritten for them.

    The rewriters work on copies, so that what one reader may see never reaches another; an event
    they left as it was keeps the layer item encoded when it was read."""
    copies = []
    for event, _ in stored:
        copy = Event.__new__(Event)  # the row's fields without Model.__init__: read, never saved
        copy.__dict__.update(event.__dict__)
        copy.payload = dict(event.payload)
        copies.append(copy)
    replay.rewrite(reader, copies)
    return [item if _unchanged(copy.payload, event.payload) else layer_message(copy)
            for copy, (event, item) in zip(copies, stored)]


def _unchanged(copy: dict, original: dict) -> bool:
    # Rewriters replace a payload's values, never change them in place (workshops.replay).
    return len(copy) == len(original) and all(copy.get(key, copy) is value for key, value in original.items())


_TYPES_BETWEEN = Lookup(lambda workshop_id, seq, until: Event.objects.filter(
    workshop_id=workshop_id, seq__gt=seq, seq__lte=until).order_by().values_list("type", flat=True).distinct(),
    nargs=3)


def parts_changed(workshop_id: int, seq: int, until: int) -> frozenset[str] | None:
    """The shared welcome parts that the events after `seq` up to `until` may have changed (their types'
    `touches`), or None when one of them may have changed any."""
    changed: set[str] = set()
    for type_name in _TYPES_BETWEEN.all(workshop_id, seq, until):
        if type_name not in TOUCHES:
            return None
        changed |= TOUCHES[type_name]
    return frozenset(changed)


def can_resume(workshop_id: int, since: int, last_seq: int) -> bool:
    """Whether every event after `since` is still stored."""
    if since > last_seq or since < 0:
        return False
    if since == last_seq:
        return True
    return Event.objects.filter(workshop_id=workshop_id, seq=since + 1).exists()


def prune(*, now=None, hours: int) -> int:
    """Delete events and command receipts older than the retention window (at least 24 hours is
    promised); return how many events went."""
    cutoff = (now or timezone.now()) - timedelta(hours=max(hours, 24))
    # A ref is answered from its receipt for as long as a client may resume after it.
    CommandReceipt.objects.filter(created_at__lt=cutoff).delete()
    # An Idempotency-Key is kept a day (workshops.http.KEY_LIFETIME), never more than the window.
    RequestReceipt.objects.filter(created_at__lt=cutoff).delete()
    deleted, _ = Event.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@contextmanager
def collected():
    """Collect what commits inside the block, for the caller to publish from the event loop
    (`publish_async`). Inside another collecting block, that one has it."""
    if getattr(_local, "outbox", None) is not None:
        yield []
        return
    _local.outbox = outbox = []
    try:
        yield outbox
    finally:
        _local.outbox = None


@contextmanager
def publishing():
    """Collect what commits inside the block and publish it per workshop when the block ends."""
    with collected() as outbox:
        try:
            yield
        finally:
            if outbox:
                _publish(outbox)


def _committed(item: dict) -> None:
    outbox = getattr(_local, "outbox", None)
    if outbox is None:
        _publish([item])
    else:
        outbox.append(item)


def _messages(items: list[dict]) -> list[tuple[str, dict]]:
    """The layer messages that carry these events: one per workshop, to its group."""
    by_workshop: dict[int, list[dict]] = {}
    for item in items:
        by_workshop.setdefault(item["workshop"], []).append(item)
    return [(workshop_group(workshop_id), {"type": "stream.events", "workshop": workshop_id, "events": events})
            for workshop_id, events in by_workshop.items()]


def _publish(items: list[dict]) -> None:
    layer = get_channel_layer()
    for group, message in _messages(items):
        try:
            _group_send(layer, group, message)
        except LoopStopped:
            log.info("not publishing %d events of workshop %s: shutting down", len(message["events"]),
                     message["workshop"])
        except Exception:
            _failed(message)


async def publish_async(items: list[dict]) -> None:
    """Publish what a database thread collected (`collected`), from the server's event loop: the thread
    is free again at its commit, rather than waiting for the loop to take the publish from it. (A publish
    cut short, by a server shutting down, is like a lost one: hubs read the events at their next resync.)"""
    layer = get_channel_layer()
    for group, message in _messages(items):
        try:
            await layer.group_send(group, message)
        except Exception:
            _failed(message)


def _failed(message: dict) -> None:
    """Only logged: the database holds the events, and hubs fill the gap on their next resync."""
    log.exception("publishing %d events of workshop %s failed", len(message["events"]), message["workshop"])


class LoopStopped(RuntimeError):
    """The server's event loop has stopped: it is shutting down, and publishes nothing more."""


def _group_send(layer, group: str, message: dict) -> None:
    """Send from a database thread through the server's event loop, never waiting on one that stopped."""
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None or getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        async_to_sync(layer.group_send)(group, message)
        return
    # async_to_sync would wait forever on a loop that has stopped (a server shutting down with
    # commands still queued for this thread), and the process could not exit.
    if not loop.is_running():
        raise LoopStopped()
    future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
    try:
        future.result(PUBLISH_TIMEOUT_S)
    except TimeoutError:
        future.cancel()
        raise
