"""The welcome snapshot is assembled from parts that each app registers."""
from typing import Callable

from .models import Participant

__all__ = ["snapshot_part", "PARTS"]

PARTS: list[tuple[str, Callable[[Participant], object]]] = []


def snapshot_part(name: str):
    """Register `part(participant) -> value` as the `name` field of every full welcome."""
    def register(fn):
        PARTS.append((name, fn))
        return fn
    return register
