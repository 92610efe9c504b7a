"""Dealing citizens into breakout rooms (pure functions, no database)."""
import random
from collections import defaultdict
from typing import Hashable, Iterable

__all__ = ["deal", "strata_by_profile"]


def deal(strata: Iterable[list[int]], sizes: list[int], rng: random.Random) -> dict[int, int]:
    """Deal people into rooms: {person: room index}.

    Each stratum is spread so that its count per room differs by at most one, and
    the room sizes (starting from `sizes`) stay within one of each other when
    they start that way: every round of a stratum fills the smallest rooms first.
    """
    totals = list(sizes)
    n = len(totals)
    placed: dict[int, int] = {}
    for stratum in strata:
        members = list(stratum)
        rng.shuffle(members)
        for start in range(0, len(members), n):
            chunk = members[start:start + n]
            tiebreak = {room: rng.random() for room in range(n)}
            order = sorted(range(n), key=lambda room: (totals[room], tiebreak[room]))
            for person, room in zip(chunk, order):
                placed[person] = room
                totals[room] += 1
    return placed


def strata_by_profile(profiles: dict[int, dict], keys: list[str]) -> list[list[int]]:
    """Group people by their answers to the profile questions, largest group first.

    People who answered none of the questions form the last group, so they are
    spread evenly over the rooms after everyone else.
    """
    groups: dict[Hashable, list[int]] = defaultdict(list)
    unanswered: list[int] = []
    for person, profile in profiles.items():
        answers = tuple((profile or {}).get(key) for key in keys)
        if all(a is None for a in answers):
            unanswered.append(person)
        else:
            groups[answers].append(person)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), min(g)))
    return ordered + ([unanswered] if unanswered else [])
