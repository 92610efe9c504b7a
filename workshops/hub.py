"""The fan-out hub: one per server process (event loop).

It holds one channel-layer subscription per workshop that has local sockets,
receives each event once, fills gaps in seq from the database, and hands the
pre-encoded frame to every local socket whose participant may see it.
"""
import asyncio
import logging
import weakref

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from . import stream
from .groups import workshop_group
from .models import Workshop

log = logging.getLogger(__name__)

__all__ = ["Subscriber", "get_hub", "shutdown_hub"]


class Subscriber:
    """What the hub knows of one local socket: who it is for and how far it has come."""

    __slots__ = ("workshop_id", "participant_id", "role", "room_id", "admitted", "seq", "live", "pending",
                 "send_frame", "on_control", "broadcast")

    def __init__(self, *, workshop_id, participant_id, role, room_id, send_frame, on_control, broadcast=None,
                 admitted=True):
        self.workshop_id = workshop_id
        self.participant_id = participant_id
        self.role = role
        self.room_id = room_id
        # In the waiting room a socket gets no events but the one that admits (or turns away) its participant.
        self.admitted = admitted
        self.seq = 0
        self.live = False  # until welcome (and replay) went out, events wait in `pending`
        self.pending: list[dict] = []
        self.send_frame = send_frame
        self.on_control = on_control
        # The server's way to send one pre-framed event to many sockets, when it has one.
        self.broadcast = broadcast

    def may_see(self, item: dict) -> bool:
        if not self.admitted and item.get("control", {}).get("participant") != self.participant_id:
            return False
        return stream.visible(item["audience"], participant_id=self.participant_id, role=self.role,
                              room_id=self.room_id)

    async def offer(self, item: dict) -> None:
        """An event from the hub: delivered now, or after welcome when the socket is not live yet."""
        if not self.live:
            self.pending.append(item)
            return
        await self.deliver(item)

    async def deliver(self, item: dict) -> None:
        """Deliver one event in seq order, at most once, if this participant may see it."""
        if item["seq"] <= self.seq:
            return
        self.seq = item["seq"]
        if not self.may_see(item):
            return
        if self.broadcast is None:
            await self.send_frame(item["frame"])
        else:
            prepared = item.get("prepared")
            if prepared is None:
                prepared = item["prepared"] = self.broadcast["prepare"](item["frame"])
            self.broadcast["send"](prepared)
        if "control" in item:
            await self.on_control(item)

    async def go_live(self, seq: int) -> None:
        """Welcome went out at `seq`: deliver what arrived meanwhile, then follow the hub."""
        self.seq = max(self.seq, seq)
        self.live = True
        # An event delivered here may take the socket off live again (admission): the rest then waits.
        while self.live and self.pending:
            await self.deliver(self.pending.pop(0))


class Hub:
    def __init__(self):
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.subscribers: dict[int, set[Subscriber]] = {}
        self.last_seq: dict[int, int] = {}
        self.lock = asyncio.Lock()
        self.tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        self.channel = await self.layer.new_channel("hub.")
        self.tasks = [asyncio.create_task(self._receive_loop(), name="inspraak-hub-receive"),
                      asyncio.create_task(self._resync_loop(), name="inspraak-hub-resync")]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        self.tasks = []

    async def subscribe(self, sub: Subscriber) -> None:
        async with self.lock:
            wid = sub.workshop_id
            if wid not in self.subscribers:
                # Listen first, then read where the stream is: nothing falls in between.
                await self._join(wid)
                self.subscribers[wid] = set()
                self.last_seq[wid] = await _last_seq(wid)
            self.subscribers[wid].add(sub)

    async def unsubscribe(self, sub: Subscriber) -> None:
        async with self.lock:
            subs = self.subscribers.get(sub.workshop_id)
            if subs is None:
                return
            subs.discard(sub)
            if not subs:
                del self.subscribers[sub.workshop_id]
                del self.last_seq[sub.workshop_id]
                try:
                    await self.layer.group_discard(workshop_group(sub.workshop_id), self.channel)
                except Exception:  # the layer is down; the membership expires, and stray messages are ignored
                    log.warning("could not leave the channel-layer group of workshop %s", sub.workshop_id)

    async def _join(self, workshop_id: int) -> None:
        """Join a workshop's group; while the layer is down, resync keeps trying and fills from the database."""
        try:
            await self.layer.group_add(workshop_group(workshop_id), self.channel)
        except Exception:
            log.warning("could not join the channel-layer group of workshop %s", workshop_id, exc_info=True)

    async def _receive_loop(self) -> None:
        failures = 0
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                # The layer is down or was restarted (a new Redis knows no groups and lost what was
                # queued): resync now, and again at each retry, rather than at the next period.
                if not failures:
                    log.exception("hub lost the channel layer")
                failures += 1
                await asyncio.sleep(min(0.2 * failures, settings.INSPRAAK["HUB_RESYNC_S"]))
                try:
                    await self.resync()
                except Exception:
                    log.exception("hub resync failed")
                continue
            failures = 0
            try:
                await self.deliver(message["workshop"], message["events"])
            except Exception:
                log.exception("hub failed to deliver a message")

    async def deliver(self, workshop_id: int, items: list[dict]) -> None:
        """Hand events to local sockets in seq order; fetch what the layer lost from the database."""
        async with self.lock:
            subs = self.subscribers.get(workshop_id)
            if not subs:
                return
            last = self.last_seq[workshop_id]
            items = [item for item in items if item["seq"] > last]
            if not items:
                return
            if items[0]["seq"] != last + 1 or any(b["seq"] != a["seq"] + 1 for a, b in zip(items, items[1:])):
                items = await _events_after(workshop_id, last, items[-1]["seq"])
            for item in items:
                self.last_seq[workshop_id] = item["seq"]
                for sub in list(subs):
                    try:
                        await sub.offer(item)
                    except Exception:
                        log.exception("delivery to a socket failed")

    async def _resync_loop(self) -> None:
        """Catch up on events whose notification was lost, and renew group membership."""
        while True:
            await asyncio.sleep(settings.INSPRAAK["HUB_RESYNC_S"])
            try:
                await self.resync()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("hub resync failed")

    async def resync(self) -> None:
        for wid in list(self.subscribers):
            # A restarted Redis forgets groups; adding again is idempotent. While the layer is
            # down, local sockets still catch up from the database below.
            await self._join(wid)
            latest = await _last_seq(wid)
            if latest > self.last_seq.get(wid, latest):
                await self.deliver(wid, await _events_after(wid, self.last_seq[wid], latest))


@database_sync_to_async
def _last_seq(workshop_id: int) -> int:
    return Workshop.objects.filter(pk=workshop_id).values_list("last_seq", flat=True).first() or 0


@database_sync_to_async
def _events_after(workshop_id: int, seq: int, until: int) -> list[dict]:
    return stream.events_after(workshop_id, seq, until=until)


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task]" = weakref.WeakKeyDictionary()


async def _started_hub() -> Hub:
    hub = Hub()
    await hub.start()
    return hub


async def get_hub() -> Hub:
    """The hub of the running event loop, started once on first use."""
    loop = asyncio.get_running_loop()
    task = _hubs.get(loop)
    if task is None:
        task = _hubs[loop] = loop.create_task(_started_hub())
    return await asyncio.shield(task)


async def shutdown_hub() -> None:
    task = _hubs.pop(asyncio.get_running_loop(), None)
    if task is not None:
        await (await task).stop()
