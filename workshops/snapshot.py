"""The welcome snapshot: parts that each app registers, kept encoded per kind of reader, sent in frames of at most 256 KiB.

A part is either the same for every reader of a kind (role, and room for citizens: `shared=True`)
or the reader's own. Shared parts are read together at one seq and encoded once; when they are
large (SNAPSHOT_KEEP_BYTES) they are kept per process (`SharedSnapshots`), so a join in a workshop
of thousands of ideas costs about what it costs in an empty one: the reader's own parts, and the
events since the kept seq, which the socket replays right after the welcome (PROTOCOL.md 2.3: the
snapshot reflects every event up to its seq). A small workshop's welcome is read anew each time.
"""
import json
import threading
import time
from bisect import bisect_right
from collections import OrderedDict
from itertools import accumulate
from operator import itemgetter
from typing import Callable

from django.conf import settings

from .models import Participant

__all__ = ["snapshot_part", "PARTS", "MAX_SERVER_FRAME_BYTES", "Encoded", "encode", "welcome_frames",
           "reader_kind", "shared_snapshot", "own_parts"]

# (name, part, shared): a name may have a shared part and an own part, whose lists are joined.
PARTS: list[tuple[str, Callable[[Participant], object], bool]] = []

# PROTOCOL.md 2: no frame from the server is larger (Daphne refuses any over 1 MiB and closes with 1011).
MAX_SERVER_FRAME_BYTES = 256 * 1024
# Room in the welcome for `"parts":k` and in a part for `"last":false` and a list's `,"name":[]`.
_SLACK = 64

# A kept snapshot serves joins while it is this fresh and this few events behind the stream.
KEEP_S = 2.0
KEEP_EVENTS = 200
# When it is renewed, only the parts that the events since have changed are read anew (the others
# are what they were), for at most this long after all of it was last read.
KEEP_PARTS_S = 30.0
KEEP_ENTRIES = 32  # per process, the least recently used going first
SMALL_KEYS = 1024  # reader kinds known to be small, remembered per process (forgotten all at once)


def snapshot_part(name: str, *, shared: bool = False):
    """Register `part(participant) -> value` as (a share of) the `name` field of every full welcome.

    `shared`: the value is the same for every participant of the same `reader_kind`, and may be kept.
    """
    def register(fn):
        PARTS.append((name, fn, shared))
        return fn
    return register


def reader_kind(participant: Participant) -> tuple:
    """What a shared part may depend on: the role, and for a citizen the room they are in."""
    return participant.role, participant.room_id if participant.role == Participant.Role.CITIZEN else None


class Encoded(list):
    """A list whose items are JSON text already (kept from an earlier welcome).

    It remembers where each item ends in a frame (the running total of the items' UTF-8 sizes, each
    with its comma) once asked: a kept part is split into frames for every welcome, and measuring
    2,000 ideas and 5,000 people anew item by item was most of a large workshop's welcome_frames."""

    _ends: "list[int] | None" = None

    def ends(self) -> list[int]:
        if self._ends is None or len(self._ends) != len(self):
            self._ends = list(accumulate(len(item.encode()) + 1 for item in self))
        return self._ends


def encode(frame: dict) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


class Json(str):
    """JSON text of a value that is not a list (a kept shared part)."""


def _encoded(value) -> "Encoded | Json":
    return Encoded(encode(item) for item in value) if isinstance(value, list) else Json(encode(value))


class SharedSnapshots:
    """The shared parts per (workshop, reader kind), encoded, at a seq: kept while fresh (process-local).

    One thread at a time reads a kept entry anew once it is stale; meanwhile the others go on with
    the stale one while it is at most KEEP_EVENTS behind (their replays are longer), or wait for
    the new one. Without that, every socket of a join storm that opened in the moment an entry went
    stale read the whole workshop again: in a workshop of 2,000 ideas, half of the workers' CPU.

    Renewing, it reads anew only the parts that the events since the kept seq may have changed, as
    `changed(seq)` names them (StreamEvent.touches): in a join storm the events are presence
    changes, and the participants are read again every KEEP_S but 2,000 ideas only every
    KEEP_PARTS_S, or when an event that may change them comes.
    """

    def __init__(self):
        # key: (seq, when it was read, {name: encoded part}, when all its parts were last read)
        self.entries: OrderedDict[tuple, tuple[int, float, dict, float]] = OrderedDict()
        self.tails: dict[tuple, Tail] = {}  # key: the events after its kept entry's seq
        self.renewing: dict[tuple, threading.Event] = {}
        self.small: set[tuple] = set()  # read anew for each welcome: found under SNAPSHOT_KEEP_BYTES
        self.lock = threading.Lock()

    def get(self, participant: Participant, seq: int, build: Callable[..., dict],
            changed: Callable[[int], "frozenset[str] | None"] = lambda since: None) -> "tuple[int, dict] | None":
        """(the seq they reflect, {name: Encoded or JSON text}) for this reader, built anew at `seq` if stale;
        None when the kept one is newer than `seq`: the reader is to read its seq again and come back.

        `build(only)` reads the parts named in `only` (all when None) as they are now, at `seq`;
        `changed(since)` names the parts that the events after `since` up to `seq` may have changed
        (None: any of them)."""
        key, small = _key(participant), False
        while True:
            now = time.monotonic()
            with self.lock:
                entry, renewing = self.entries.get(key), self.renewing.get(key)
                if entry is not None:
                    if entry[0] > seq:
                        return None
                    if seq - entry[0] <= KEEP_EVENTS and (now - entry[1] <= KEEP_S or renewing is not None):
                        self.entries.move_to_end(key)
                        return entry[0], entry[2]
                elif key in self.small:
                    small = True
                    break
                if renewing is None:  # the first to find it missing or stale reads it; the others wait
                    self.renewing[key] = done = threading.Event()
                    break
            renewing.wait(timeout=KEEP_S)
        if small:
            return self.renew(participant, seq, build)  # read anew for every welcome: nothing is shared
        try:
            return self.renew(participant, seq, build, kept=entry, changed=changed)
        finally:
            with self.lock:
                self.renewing.pop(key, None)
            done.set()

    def renew(self, participant: Participant, seq: int, build: Callable[..., dict], *, kept: tuple | None = None,
              changed: Callable[[int], "frozenset[str] | None"] = lambda since: None) -> tuple[int, dict]:
        """The shared parts read now (at `seq`), kept if large: only those changed since `kept`, when
        that entry was read whole within KEEP_PARTS_S."""
        key, now = _key(participant), time.monotonic()
        only = changed(kept[0]) if kept is not None and now - kept[3] <= KEEP_PARTS_S else None
        parts = {name: _encoded(value) for name, value in build(only).items()}
        if only is None:
            whole_at = now
        else:
            parts, whole_at = {**kept[2], **parts}, kept[3]
        # A small snapshot is read anew for every welcome, which then shows the state as it is now.
        if sum(map(_length, parts.values())) < settings.INSPRAAK["SNAPSHOT_KEEP_BYTES"]:
            with self.lock:
                self.entries.pop(key, None)  # it was large once: from now on read anew too
                self.tails.pop(key, None)
                if len(self.small) >= SMALL_KEYS:
                    self.small.clear()
                self.small.add(key)
            return seq, parts
        with self.lock:
            self.small.discard(key)
            if key in self.entries and self.entries[key][0] > seq:
                return seq, parts  # a reader that came late: the kept one stays
            self.entries[key] = (seq, now, parts, whole_at)
            self.entries.move_to_end(key)
            while len(self.entries) > KEEP_ENTRIES:
                self.tails.pop(self.entries.popitem(last=False)[0], None)
        return seq, parts

    def tail(self, participant: Participant, base: int, seq: int,
             read: Callable[[int, int], list[tuple[int, object]]]) -> list:
        """The items of `read(after, until)` (as (seq, item), in seq order) from `base` up to `seq`, read
        once per process for every welcome that starts from the snapshot kept at `base` for this
        reader's kind: each reads only what was stored after the last one. A `base` that is not the
        kept one's (a small snapshot, or one renewed since) is read for this welcome alone."""
        key = _key(participant)
        with self.lock:
            entry, tail = self.entries.get(key), self.tails.get(key)
            if entry is None or entry[0] != base:
                tail = None
            elif tail is None or tail.base != base:
                tail = self.tails[key] = Tail(base)
        if tail is None:
            return [item for _, item in read(base, seq)]
        return tail.upto(seq, read)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.tails.clear()
            self.renewing.clear()
            self.small.clear()


class Tail:
    """The events after a kept snapshot's seq, as far as this process has read them.

    In a join storm every welcome starts from the kept snapshot and replays the events after it: a
    presence.changed for each person who joined since, a hundred and more. Each welcome read them
    all anew (2.3 ms of CPU for 80 events, a tenth of a join). Now the first reads them and the next
    only what came after; the tail goes with its snapshot, renewed every KEEP_S or KEEP_EVENTS, so
    it holds no more, and no longer, than the snapshot it follows.
    """

    __slots__ = ("base", "until", "items", "lock")

    def __init__(self, base: int):
        self.base = self.until = base
        self.items: list[tuple[int, object]] = []
        self.lock = threading.Lock()

    def upto(self, seq: int, read: Callable[[int, int], list[tuple[int, object]]]) -> list:
        with self.lock:  # a welcome that needs more than was read waits for the one reading it
            if seq > self.until:
                self.items.extend(read(self.until, seq))
                self.until = seq
            return [item for _, item in self.items[:bisect_right(self.items, seq, key=itemgetter(0))]]


def _key(participant: Participant) -> tuple:
    # The code too: a workshop id may come again (SQLite reuses the highest after a delete).
    return participant.workshop_id, participant.workshop.code, *reader_kind(participant)


def _length(value) -> int:
    return sum(map(len, value)) if isinstance(value, Encoded) else len(value)


shared_snapshot = SharedSnapshots()


def shared_parts(participant: Participant, only: "frozenset[str] | None" = None) -> dict:
    """The shared parts (those named in `only`, or all), read now."""
    out: dict = {}
    for name, part, shared in PARTS:
        if shared and (only is None or name in only):
            out[name] = part(participant)
    return out


def own_parts(participant: Participant, shared: dict) -> dict:
    """The whole snapshot's parts in registration order: the shared ones joined with the reader's own."""
    out: dict = {}
    for name, part, is_shared in PARTS:
        if is_shared:
            value = shared[name]
        else:
            value = part(participant)
            if isinstance(value, list):
                value = Encoded(encode(item) for item in value)
        if name in out and isinstance(out[name], list):
            more = _as_encoded(value)
            if not out[name]:
                out[name] = more  # the kept list itself, with the sizes it remembers
            elif more:
                out[name] = Encoded(out[name] + more)
        else:
            out[name] = value
    return out


def _as_encoded(value) -> Encoded:
    return value if isinstance(value, Encoded) else Encoded(encode(item) for item in value)


def _text(value) -> str:
    if isinstance(value, Encoded):
        return "[" + ",".join(value) + "]"
    if isinstance(value, Json):
        return value
    return encode(value)


def _compose(fields: dict) -> str:
    return "{" + ",".join(f"{encode(name)}:{_text(value)}" for name, value in fields.items()) + "}"


def welcome_frames(frame: dict, limit: int = MAX_SERVER_FRAME_BYTES) -> list[str]:
    """The welcome as one frame, or as a welcome with `parts: k` and k `snapshot.part` frames (2.3).

    The welcome's list fields are filled in order, whole items only, first into the welcome and
    then into parts. No single item comes near the limit within the protocol's bounds: an IDEA is
    at most 500 characters (about 2 KB in UTF-8 with its author and counts), a PROPOSAL's body 5,000
    and its title 200 with at most 100 sources (about 30 KB), a participant's name 80.
    """
    lists = {name: _as_encoded(value) for name, value in frame.items() if isinstance(value, list) and value}
    ends = {name: items.ends() for name, items in lists.items()}
    head = {name: (Encoded() if name in lists else value) for name, value in frame.items()}
    head_size = len(_compose(head).encode())
    if head_size + sum(e[-1] for e in ends.values()) <= limit:
        return [_compose({name: (Encoded(lists[name]) if name in lists else value) for name, value in head.items()})]
    frames, current, room = [head], head, limit - head_size - _SLACK
    filled = True  # an item that does not fit the welcome goes to a part; a fresh part takes any item
    for name, items in lists.items():
        at, i = ends[name], 0
        while i < len(items):
            before = at[i - 1] if i else 0
            size = at[i] - before
            if size > room and filled:
                current, filled = {"type": "snapshot.part"}, False
                frames.append(current)
                room = limit - len(_compose(current).encode()) - len(',"last":false') - _SLACK
            if name not in current:
                current[name] = Encoded()
                room -= len(name) + 6  # ,"name":[]
            # Item i goes in (a fresh part takes any), and after it every next one while it fits.
            j = max(i, bisect_right(at, at[i] + room - size) - 1)
            current[name].extend(items[i:j + 1])
            room, filled, i = room - (at[j] - before), True, j + 1
    head["parts"] = len(frames) - 1
    for part in frames[1:]:
        part["last"] = part is frames[-1]
    return [_compose(f) for f in frames]
