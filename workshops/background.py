"""Work a server process does on its own: deadlines, heartbeats, sweeping, pruning, the outbox.

Every process runs this loop; a deadline is claimed with a conditional update,
so exactly one process fires it, also one that was down when it fell due. Mail
is claimed the same way, with a lease (workshops.mail).
"""
import asyncio
import gc
import importlib
import logging
import os
import secrets
import socket
import time
import weakref
from typing import Callable

from channels.db import DatabaseSyncToAsync, database_sync_to_async
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import breakouts, contact, mail, services, stream
from .models import Deadline, ServerProcess
from .prepared import Lookup

log = logging.getLogger(__name__)

__all__ = ["deadline_handler", "frequent", "periodic", "prune", "run_due_deadlines", "server", "start", "stop",
           "wake_on_commit"]

SERVER_NAME = f"{socket.gethostname()[:30]}-{os.getpid()}-{secrets.token_hex(4)}"
HANDLERS: dict[str, Callable[[Deadline], None]] = {}
PERIODIC: list[tuple[float, Callable[[], object]]] = []
FREQUENT: list[Callable[[], object]] = []


def deadline_handler(kind: str):
    """Register the function that fires deadlines of a kind (inside its claiming transaction)."""
    def register(fn):
        HANDLERS[kind] = fn
        return fn
    return register


def periodic(seconds: float):
    """Register a check that every process runs about every `seconds` (and once at its start).

    For work with no event to hang a deadline on, such as the officials' weekly mail; the check
    itself must make running it in two processes at once harmless.
    """
    def register(fn):
        PERIODIC.append((seconds, fn))
        return fn
    return register


def frequent(fn):
    """Register work that a process does every INSPRAAK_TALLY_S (a quarter second) while there is
    some, such as telling reaction counts (deliberation.tallies). Running it in two processes at
    once must be harmless, and when there is nothing to do it must cost one indexed query.

    `fn()` returns whether work is left for the next tick (marks it could not tell yet). The
    process's own marks call `wake_on_commit()`; an idle process runs the work every
    FREQUENT_SWEEP_S, for marks a process left when it stopped, instead of four times a second.
    """
    FREQUENT.append(fn)
    return fn


# Something was marked for the frequent work in this process since its last run began.
_woken = False
# How often an idle process runs the frequent work anyway: marks of a process that stopped before
# telling them, or made outside any server process (a management command).
FREQUENT_SWEEP_S = 5


def _wake() -> None:
    global _woken
    _woken = True


def wake_on_commit() -> None:
    """In the transaction that marks work for `frequent` (a reaction, a socket opening): run it at
    the next tick after the mark is committed, not at the next sweep."""
    transaction.on_commit(_wake)


def run_frequent() -> bool:
    """Run the frequent work once; return whether any of it has work left for the next tick."""
    left = False
    for fn in FREQUENT:
        try:
            left = bool(fn()) or left
        except Exception:
            log.exception("%s failed; trying again", getattr(fn, "__name__", fn))
            left = True
    return left


async def _frequent_loop() -> None:
    # In a thread of its own, as the outbox is: a flush waits on the workshop's seq lock, and the
    # database thread that socket commands share must not wait with it.
    global _woken
    run = DatabaseSyncToAsync(run_frequent, thread_sensitive=False)
    left, last_run = True, float("-inf")
    while True:
        now = time.monotonic()
        if left or _woken or now - last_run >= FREQUENT_SWEEP_S:
            # Cleared before the run: a mark committed while it runs wakes the next tick.
            _woken, last_run = False, now
            try:
                left = await run()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("frequent work failed; trying again")
                left = True
        await asyncio.sleep(settings.INSPRAAK["TALLY_S"])


async def _run_periodic(last: dict, now: float) -> None:
    # In a thread of its own, as the outbox is, not the database thread that socket commands share.
    for every, fn in PERIODIC:
        if now - last.get(fn, -every) >= every:
            last[fn] = now
            await DatabaseSyncToAsync(fn, thread_sensitive=False)()


@deadline_handler(services.TIMER_EXPIRE)
def _timer_expire(deadline: Deadline) -> None:
    services.timer_expire(deadline=deadline)


@deadline_handler(breakouts.CLOSING)
@deadline_handler(breakouts.CLOSE)
def _breakout_deadline(deadline: Deadline) -> None:
    breakouts.breakout_deadline(deadline=deadline)


@deadline_handler(contact.NOTIFY)
def _notify(deadline: Deadline) -> None:
    contact.notify_deliver(deadline=deadline)


# When the next pending deadline falls due: what every process asks each second, compiled once.
_NEXT_DUE = Lookup(lambda: Deadline.objects.filter(done=False).order_by("due_at").values_list("due_at", flat=True)[:1], 0)


def run_due_deadlines(*, now=None, limit: int = 200) -> int:
    """Fire every pending deadline that is due; return how many this process fired."""
    fired = 0
    now = now or timezone.now()
    next_due = _NEXT_DUE.first()
    if next_due is None or next_due > now:
        return 0
    due = Deadline.objects.filter(done=False, due_at__lte=now).order_by("due_at")[:limit]
    for deadline in list(due):
        with stream.publishing(), transaction.atomic():
            if not Deadline.objects.filter(pk=deadline.pk, done=False).update(done=True):
                continue  # another process claimed it
            handler = HANDLERS.get(deadline.kind)
            if handler is None:
                log.error("no handler for deadline kind %s", deadline.kind)
                continue
            handler(deadline)
            fired += 1
    return fired


BEAT_S = 5  # the loop's heartbeat; a connection takes the row as last beaten while it is this fresh
_server: tuple[ServerProcess, float] | None = None  # this process's row, and when it last beat


def server() -> ServerProcess:
    """This process's row, kept beating by the loop; made or beaten now only when the last beat is stale.

    Every socket that opens records its connection against it: beating once per socket (a read and
    a write) was a tenth of a join's statements.
    """
    kept = _server
    if kept is not None and time.monotonic() - kept[1] < BEAT_S:
        return kept[0]
    return _beat_now()


def _beat_now() -> ServerProcess:
    global _server
    row = services.server_heartbeat(name=SERVER_NAME)
    _server = (row, time.monotonic())
    return row


def forget_server() -> None:
    """Drop the kept row (tests, whose transactions roll it back)."""
    global _server
    _server = None


def _beat() -> None:
    _beat_now()
    services.connections_sweep()


def prune(*, now=None) -> None:
    """The hourly clean-up: old events and receipts, expired contact addresses, expired sessions."""
    stream.prune(now=now, hours=settings.INSPRAAK["EVENT_RETENTION_HOURS"])
    contact.contacts_expire(now=now, days=settings.INSPRAAK["CONTACT_RETENTION_DAYS"])
    # What `manage.py clearsessions` does; without it every browser that ever joined stays a row.
    importlib.import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


def settle_memory() -> None:
    """Collect cyclic garbage once, then freeze what survives out of the collector's way."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class Collector:
    """Keep CPython's full garbage collections short, so that frames do not wait on them.

    A full collection walks every tracked object: with hundreds of sockets that is 50 to 250 ms
    during which no frame goes out, and CPython starts one each time the long-lived objects grow
    by a quarter (bench/README.md, issue 13). After each one, what survived is frozen (gc.freeze,
    which only moves a list), so the next walks only what came since. Garbage cycles among frozen
    objects are collected by `settle_memory` every GC_SETTLE_S, the one long pause left.
    """

    def __init__(self):
        self.full = -1
        self.settled = time.monotonic()

    def tick(self, now: float) -> None:
        period = settings.INSPRAAK["GC_SETTLE_S"]
        if not period:
            return
        if now >= self.settled + period:  # not now - settled: that rounds below period at times
            self.settled = now
            settle_memory()
        full = gc.get_stats()[2]["collections"]
        if full != self.full:  # a full collection ran (or this is the first tick): freeze its survivors
            gc.freeze()
            self.full = full


def send_mail() -> int:
    """Send the outbox's due mail that this process can claim (PROTOCOL 3.3)."""
    return mail.outbox_send_due(worker=SERVER_NAME)


# SMTP may take seconds: the outbox is sent from a thread of its own, not the database thread
# that socket commands share, and in a task of its own, so that deadlines and heartbeats go on.
_send_mail_async = DatabaseSyncToAsync(send_mail, thread_sensitive=False)


def _mail_started(sending: "asyncio.Future | None") -> asyncio.Future:
    """The running outbox task, or a new one when the last has finished (its failure logged)."""
    if sending is not None and not sending.done():
        return sending
    if sending is not None and not sending.cancelled() and sending.exception() is not None:
        log.error("sending mail failed; trying again", exc_info=sending.exception())
    return asyncio.ensure_future(_send_mail_async())


async def _loop() -> None:
    last_beat = last_prune = 0.0
    last_periodic: dict = {}
    collector = Collector()
    sending = None
    try:
        while True:
            try:
                sending = _mail_started(sending)
                await database_sync_to_async(run_due_deadlines)()
                now = time.monotonic()
                collector.tick(now)
                if now - last_beat >= BEAT_S:
                    last_beat = now
                    await database_sync_to_async(_beat)()
                if now - last_prune >= 3600:
                    last_prune = now
                    await database_sync_to_async(prune)()
                await _run_periodic(last_periodic, now)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background loop failed; trying again")
            await asyncio.sleep(1)
    finally:
        if sending is not None:
            sending.cancel()


_tasks: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[asyncio.Task, ...]]" = weakref.WeakKeyDictionary()


def start() -> None:
    """Start the loops on the running event loop, once."""
    loop = asyncio.get_running_loop()
    if loop not in _tasks:
        _tasks[loop] = (loop.create_task(_loop(), name="inspraak-background"),
                        loop.create_task(_frequent_loop(), name="inspraak-frequent"))


async def stop() -> None:
    for task in _tasks.pop(asyncio.get_running_loop(), ()):
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass


def start_with_reactor() -> None:
    """Under Daphne, start the loop as soon as the server runs, before any client connects."""
    from twisted.internet import reactor

    if hasattr(reactor, "_asyncioEventloop"):
        reactor.callWhenRunning(lambda: reactor._asyncioEventloop.call_soon(start))
