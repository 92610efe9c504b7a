"""Reaction counts as everyone sees them: told in tallies, not one event per reaction.

A reaction is stored and acked at once, with the idea's counts as its transaction sees them,
and marks its idea `tally_pending` (`tally_mark`). The process that marked flushes the pending
ideas at its next tick, within INSPRAAK_TALLY_S of the commit, and an idle process every
FREQUENT_SWEEP_S (`tallies_tick`, background.frequent): one `idea.reacted` per idea with its full
counts, read after the workshop's earlier writers (`stream.take_turn`), so that a later tally
never carries smaller counts than an earlier one (PROTOCOL.md 2.3: clients keep the latest).

Why not an event per reaction, in the reaction's own transaction: each would take the
workshop's seq lock, which every worker's reactions then queue for, and a vote storm of a few
hundred a second would wait on it (bench/README.md, issue 13). Here a reaction locks only its
idea's row, and a whole workshop's reactions of a quarter second take the seq lock once.

The mark and the claim meet on the idea's row lock: a reaction sets the mark unconditionally
(it waits while a flush holds the row, and marks it again after), and the flush skips rows a
reaction holds (SKIP LOCKED) and reads the counts under the row locks it took, so no reaction
is left out of every tally. A claim and its events commit together: a process that dies
mid-flush leaves the marks for the next flush, in any process.
"""
from django.db import transaction
from django.db.models import Count

from workshops import stream
from workshops.prepared import Lookup

from .events import IdeaReacted
from .models import Idea, Reaction
from .selectors import ZERO, idea_audience

__all__ = ["BATCH", "tallies_flush", "tallies_tick", "tally_mark"]

BATCH = 1000  # ideas per flush transaction; more wait for the next tick


_MARK = (f"UPDATE {Idea._meta.db_table} SET {Idea._meta.get_field('tally_pending').column} = %s "
         f"WHERE {Idea._meta.pk.column} = %s")


def tally_mark(idea: Idea) -> tuple[str, list]:
    """The statement that marks an idea's counts to be told, for a reaction's transaction to make
    after its reaction is written (`services.choice_set`'s `then`). Written out, as
    `selectors.reaction_counts`: every reaction makes it, and the ORM's update cost more to build than to run."""
    return _MARK, [True, idea.pk]


def _counts(idea_ids: list[int]) -> dict[int, dict]:
    counts = {pk: dict(ZERO) for pk in idea_ids}
    for idea_id, value, n in (Reaction.objects.filter(idea_id__in=idea_ids).values_list("idea_id", "value")
                              .annotate(n=Count("pk")).order_by()):
        counts[idea_id][value] = n
    return counts


# What every process asks four times a second, idle or not: compiled once.
_PENDING_WORKSHOPS = Lookup(lambda: Idea.objects.filter(tally_pending=True).values_list("board__workshop_id", flat=True)
                            .distinct().order_by(), 0)


def tallies_flush() -> int:
    """Tell the counts of every idea reacted to since the last flush that no reaction holds now;
    return how many ideas were told. One transaction per workshop."""
    return sum(_flush(workshop_id) for workshop_id in sorted(_PENDING_WORKSHOPS.all()))


def tallies_tick() -> bool:
    """The frequent work (`background.frequent`): tell what is marked; whether anything was, so that
    the next tick looks again (an idea that another transaction holds is skipped until then)."""
    pending = sorted(_PENDING_WORKSHOPS.all())
    for workshop_id in pending:
        _flush(workshop_id)
    return bool(pending)


def _flush(workshop_id: int) -> int:
    # The seq lock first, then the ideas: a reaction takes its idea's row and then, if its author's
    # rung moves, the seq lock; the flush skips that idea rather than wait for it, so neither order
    # can deadlock with the other.
    with stream.publishing(), transaction.atomic():
        stream.take_turn(workshop_id)
        ideas = list(Idea.objects.select_for_update(skip_locked=True, of=("self",))
                     .filter(tally_pending=True, board__workshop_id=workshop_id)
                     .select_related("board__room__breakout").order_by("pk")[:BATCH])
        if not ideas:
            return 0
        Idea.objects.filter(pk__in=[i.pk for i in ideas]).update(tally_pending=False)
        counts = _counts([i.pk for i in ideas])
        stream.emit_many(workshop_id, [(IdeaReacted(idea=i.pk, reactions=counts[i.pk]), idea_audience(i))
                                       for i in ideas])
        return len(ideas)
