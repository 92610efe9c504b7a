"""A poll's results from its answers (PROTOCOL 3.4 RESULTS): pure functions, no database.

Option ids are the keys of `counts`, `totals` and `borda` as text (JSON object keys); options with
nothing are left out of `counts`, `totals` and `histogram`. The ranking's order is the Schulze
method's (strongest paths), with ties broken by option order; Borda points stand beside it.
"""
from collections import Counter
from collections.abc import Iterable, Sequence

__all__ = ["MAX_WORDS", "results", "schulze", "borda", "median", "words_top"]

MAX_WORDS = 50  # the most words a words poll's results list


def results(kind: str, options: Sequence[int], answers: Iterable[dict]) -> dict:
    """RESULTS of a poll of `kind` with `options` (ids in option order) from its answers' stored data.

    Each answer is its validated data: {"choice"}, {"choices"}, {"value"}, {"ranking"}, {"points"}
    ({option id as text: points}) or {"words"} (already cleaned and screened).
    """
    answers = list(answers)
    out: dict = {"n": len(answers)}
    if kind == "single":
        out["counts"] = _keyed(Counter(a["choice"] for a in answers))
    elif kind == "multiple":
        out["counts"] = _keyed(Counter(c for a in answers for c in a["choices"]))
    elif kind == "scale":
        values = [a["value"] for a in answers]
        out["mean"] = round(sum(values) / len(values), 4) if values else None
        out["median"] = median(values)
        out["histogram"] = _keyed(Counter(values))
    elif kind == "ranking":
        ballots = [a["ranking"] for a in answers]
        out["order"] = schulze(options, ballots)
        out["borda"] = {str(k): v for k, v in borda(options, ballots).items()}
    elif kind == "points":
        totals: Counter = Counter()
        for a in answers:
            for option, points in a["points"].items():
                totals[int(option)] += points
        out["totals"] = _keyed(totals)
    elif kind == "words":
        out["words"] = words_top(w for a in answers for w in a["words"])
    else:
        raise ValueError(f"unknown poll kind {kind!r}")
    return out


def _keyed(counter: Counter) -> dict:
    """Counts by key as text, in key order, leaving out zeros."""
    return {str(k): v for k, v in sorted(counter.items()) if v}


def median(values: Sequence[float]) -> float | None:
    """The middle value; of an even number of values, the mean of the middle two; None of none."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def preferences(options: Sequence[int], ballots: Iterable[Sequence[int]]) -> dict[tuple[int, int], int]:
    """d[a, b]: how many ballots rank a above b. A ballot ranks every option (the service checks)."""
    d = {(a, b): 0 for a in options for b in options if a != b}
    for ballot in ballots:
        for i, a in enumerate(ballot):
            for b in ballot[i + 1:]:
                d[a, b] += 1
    return d


def schulze(options: Sequence[int], ballots: Iterable[Sequence[int]]) -> list[int]:
    """The options, best first, by the Schulze method; options the method cannot tell apart keep option order.

    The strongest path from a to b is the widest path in the graph of pairwise wins (an edge a->b of
    strength d[a, b] where d[a, b] > d[b, a]); a beats b when p[a, b] > p[b, a]. That relation is
    transitive, so ordering by how many options each beats (then option order) is one of its orders.
    """
    d = preferences(options, ballots)
    p = {(a, b): d[a, b] if d[a, b] > d[b, a] else 0 for (a, b) in d}
    for k in options:
        for a in options:
            if a == k:
                continue
            for b in options:
                if b in (a, k):
                    continue
                p[a, b] = max(p[a, b], min(p[a, k], p[k, b]))
    wins = {a: sum(p[a, b] > p[b, a] for b in options if b != a) for a in options}
    position = {a: i for i, a in enumerate(options)}
    return sorted(options, key=lambda a: (-wins[a], position[a]))


def borda(options: Sequence[int], ballots: Iterable[Sequence[int]]) -> dict[int, int]:
    """Borda points: n-1 for a first place down to 0 for the last, n being the number of options."""
    points = dict.fromkeys(options, 0)
    last = len(options) - 1
    for ballot in ballots:
        for place, option in enumerate(ballot):
            points[option] += last - place
    return points


def words_top(words: Iterable[str], limit: int = MAX_WORDS) -> list[dict]:
    """The most given words first (then alphabetical), at most `limit`."""
    counts = Counter(words)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [{"word": word, "count": count} for word, count in ranked]
