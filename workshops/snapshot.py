"""The welcome snapshot is assembled from parts that each app registers, and sent in frames of at most 256 KiB."""
import json
from typing import Callable

from .models import Participant

__all__ = ["snapshot_part", "PARTS", "MAX_SERVER_FRAME_BYTES", "encode", "welcome_frames"]

PARTS: list[tuple[str, Callable[[Participant], object]]] = []

# PROTOCOL.md 2: no frame from the server is larger (Daphne refuses any over 1 MiB and closes with 1011).
MAX_SERVER_FRAME_BYTES = 256 * 1024
# Room in the welcome for `"parts":k` and in a part for `"last":false` and a list's `,"name":[]`.
_SLACK = 64


def snapshot_part(name: str):
    """Register `part(participant) -> value` as the `name` field of every full welcome."""
    def register(fn):
        PARTS.append((name, fn))
        return fn
    return register


def encode(frame: dict) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


def _size(value) -> int:
    return len(encode(value).encode())


def welcome_frames(frame: dict, limit: int = MAX_SERVER_FRAME_BYTES) -> list[str]:
    """The welcome as one frame, or as a welcome with `parts: k` and k `snapshot.part` frames (2.3).

    The welcome's list fields are filled in order, whole items only, first into the welcome and
    then into parts. No single item comes near the limit within the protocol's bounds: an IDEA is
    at most 500 characters (about 2 KB in UTF-8 with its author and counts), a PROPOSAL's body 5,000
    and its title 200 with at most 100 sources (about 30 KB), a participant's name 80.
    """
    text = encode(frame)
    if len(text.encode()) <= limit:
        return [text]
    lists = [name for name, value in frame.items() if isinstance(value, list) and value]
    head = {**frame, **{name: [] for name in lists}}
    frames, current, room = [head], head, limit - _size(head) - _SLACK
    filled = True  # an item that does not fit the welcome goes to a part; a fresh part takes any item
    for name in lists:
        for item in frame[name]:
            size = _size(item) + 1  # and its comma
            if size > room and filled:
                current, filled = {"type": "snapshot.part", "last": False}, False
                frames.append(current)
                room = limit - _size(current) - _SLACK
            if name not in current:
                current[name] = []
                room -= len(name) + 6  # ,"name":[]
            current[name].append(item)
            room, filled = room - size, True
    if len(frames) > 1:
        head["parts"] = len(frames) - 1
        frames[-1]["last"] = True
    return [encode(f) for f in frames]
