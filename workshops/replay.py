"""Replays are read for one participant: apps that own content rewrite events to how it is now.

A stored event keeps what was true when it happened; a reader who resumes later must not get back
what has since been hidden, withdrawn or edited. Workshops knows no content, so each app registers
a rewriter for the payloads it owns (as it registers its part of the welcome snapshot).
"""
from collections.abc import Callable, Sequence

from .models import Event, Participant

__all__ = ["ReplayRewriter", "replay_rewriter", "rewrite"]

# rewriter(reader, events): change the payloads of the events in place, as `reader` may see them now.
# Change a payload by giving its keys new values, never by changing a value (a nested dict or list) in
# place: a welcome's replay rewrites copies of payloads whose values are shared with other readers
# (stream.replay_for), and an event whose values are all the same objects is sent as it was read.
ReplayRewriter = Callable[[Participant, Sequence[Event]], None]
REWRITERS: list[ReplayRewriter] = []


def replay_rewriter(fn: ReplayRewriter) -> ReplayRewriter:
    """Register `fn(reader, events)` to run on every replay, in the database thread that reads it."""
    REWRITERS.append(fn)
    return fn


def rewrite(reader: Participant, events: Sequence[Event]) -> None:
    """Let every registered rewriter bring the replayed events up to date for their reader."""
    for fn in REWRITERS:
        fn(reader, events)
