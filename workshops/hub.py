"""The fan-out hub: one per server process (event loop).

It holds one channel-layer subscription per workshop that has local sockets,
receives each event once, fills gaps in seq from the database, and hands the
pre-encoded frame to every local socket whose participant may see it.
"""
import asyncio
import collections
import logging
import weakref

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from . import stream
from .groups import workshop_group
from .models import Workshop
from .snapshot import MAX_SERVER_FRAME_BYTES

log = logging.getLogger(__name__)

__all__ = ["Subscriber", "get_hub", "shutdown_hub"]

# Messages a hub keeps while it is behind (each one a command's events, about a kilobyte): past this,
# the oldest make way, and the database fills the gap.
MAX_INBOX = 10_000


class Subscriber:
    """What the hub knows of one local socket: who it is for and how far it has come."""

    __slots__ = ("workshop_id", "participant_id", "role", "room_id", "admitted", "seq", "live", "pending",
                 "welcomes", "send_frame", "on_control", "broadcast")

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
        self.welcomes = 0  # how many welcomes this socket was given: a new one stops what the last began
        self.send_frame = send_frame
        self.on_control = on_control
        # The server's way to send one pre-framed event to many sockets, when it has one.
        self.broadcast = broadcast

    def may_see(self, item: dict) -> bool:
        if not self.admitted and item.get("control", {}).get("participant") != self.participant_id:
            return False
        return stream.visible(item["audience"], participant_id=self.participant_id, role=self.role,
                              room_id=self.room_id)

    async def deliver(self, item: dict, frames: "Frames | None" = None) -> None:
        """Deliver one event in seq order, at most once, if this participant may see it."""
        await self.deliver_many([item], frames)

    async def deliver_many(self, items: list[dict], frames: "Frames | None" = None, *,
                           welcome: int | None = None) -> None:
        """Deliver events in seq order, each at most once, those this participant may see, grouped in batches.

        Before the socket is live they wait in `pending`, unless they are what its welcome `welcome`
        brings up to date. An event that changes what the socket may see (a control) ends a batch and is
        acted on before the next; one that calls for a new welcome (admission) leaves the rest waiting.
        """
        run: list[dict] = []
        for index, item in enumerate(items):
            held = not self.live if welcome is None else self.welcomes != welcome
            if held:
                self.pending.extend(items[index:])
                break
            if item["seq"] <= self.seq:
                continue
            self.seq = item["seq"]
            if not self.may_see(item):
                continue
            run.append(item)
            if "control" in item:
                await self.send(run, frames)
                run = []
                await self.on_control(item)
        await self.send(run, frames)

    async def send(self, run: list[dict], frames: "Frames | None" = None) -> None:
        """Send events that this socket may see, in as few frames as the frame size allows."""
        if not run:
            return
        if self.broadcast is not None:
            self.push((frames or Frames()).of(run))
            return
        for frame in (frames or Frames()).of(run):
            await self.send_frame(frame.text)

    def push(self, frames: "list[Frame]") -> None:
        """Queue frames framed once for many sockets on this one, without waiting (the server's own
        bound on unsent bytes applies): what a fan-out does for each socket that can take it."""
        send, prepare = self.broadcast["send"], self.broadcast["prepare"]
        for frame in frames:
            send(frame.prepared(prepare))

    def welcome_again(self) -> None:
        """A new welcome is on its way (admission): events wait for it, and an older one stops bringing up."""
        self.live = False
        self.welcomes += 1

    async def go_live(self, replay: list[dict] = ()) -> None:
        """The welcome went out (its seq is `self.seq`, or the resumed `since` before a replay): deliver the
        replay and what arrived meanwhile, in order, then follow the hub."""
        welcome = self.welcomes
        self.pending[:0] = replay
        while self.pending and self.welcomes == welcome:
            pending, self.pending = self.pending, []
            await self.deliver_many(pending, welcome=welcome)
        if self.welcomes == welcome:
            self.live = True  # no await since the loop found nothing pending: nothing can slip in between


class Frame:
    """One frame's text, and its WebSocket framing made once for every socket that gets it."""

    __slots__ = ("text", "_prepared")

    def __init__(self, text: str):
        self.text = text
        self._prepared = None

    def prepared(self, prepare):
        if self._prepared is None:
            self._prepared = prepare(self.text)
        return self._prepared


class Frames:
    """The frames of one delivery: a run of events becomes one event frame or `batch` frames of at most
    MAX_SERVER_FRAME_BYTES, and sockets that get the same run share the same frames."""

    def __init__(self):
        self.cache: dict[tuple[int, ...], list[Frame]] = {}

    def of(self, run: list[dict]) -> list[Frame]:
        key = tuple(item["seq"] for item in run)
        frames = self.cache.get(key)
        if frames is None:
            frames = self.cache[key] = [Frame(text) for text in batched([item["frame"] for item in run])]
        return frames


def batched(texts: list[str], limit: int = MAX_SERVER_FRAME_BYTES) -> list[str]:
    """Event frames as they go out: one alone as itself, several as `batch` frames within the limit."""
    if len(texts) == 1:
        return texts
    out, group, size = [], [], len(_BATCH_HEAD) + len(_BATCH_TAIL)
    for text in texts:
        length = len(text.encode()) + 1
        if group and size + length > limit:
            out.append(group)
            group, size = [], len(_BATCH_HEAD) + len(_BATCH_TAIL)
        group.append(text)
        size += length
    out.append(group)
    return [g[0] if len(g) == 1 else _BATCH_HEAD + ",".join(g) + _BATCH_TAIL for g in out]


_BATCH_HEAD = '{"type":"batch","events":['
_BATCH_TAIL = "]}"


def coalesce(items: list[dict]) -> list[dict]:
    """Events in seq order, with each coalesced one (idea.reacted, ...) kept only if no later one supersedes it."""
    latest = {item["coalesce"]: item["seq"] for item in items if "coalesce" in item}
    if len(latest) == sum("coalesce" in item for item in items):
        return items
    return [item for item in items if "coalesce" not in item or latest[item["coalesce"]] == item["seq"]]


def received(inbox: "collections.deque[dict]") -> dict[int, list[dict]]:
    """Empty the inbox: each workshop's events, in seq order, each once (two workers' messages may
    arrive out of order, and a resync may have read some of them already)."""
    by_workshop: dict[int, dict[int, dict]] = {}
    while inbox:
        message = inbox.popleft()
        events = by_workshop.setdefault(message["workshop"], {})
        for item in message["events"]:
            events.setdefault(item["seq"], item)
    return {workshop_id: [events[seq] for seq in sorted(events)] for workshop_id, events in by_workshop.items()}


def _may_wait(item: dict) -> bool:
    """Whether an event may wait for the next hand-over: an update of counts or presence, or a note to
    one participant (a rung reached with a first reaction), rather than news for everyone."""
    return "coalesce" in item or all(token.startswith("p:") for token in item["audience"])


class Topic:
    """A workshop as one process follows it: its local sockets, how far the stream has come, and the
    events not yet handed to sockets."""

    __slots__ = ("subscribers", "last_seq", "queue", "timer", "flushed_at")

    def __init__(self, last_seq: int):
        self.subscribers: set[Subscriber] = set()
        self.last_seq = last_seq
        self.queue: list[dict] = []
        self.timer: asyncio.TimerHandle | None = None
        self.flushed_at = float("-inf")


async def fan_out(subscribers, items: list[dict]) -> None:
    """Hand events to sockets: each kind of reader's share is worked out once, each distinct batch framed once."""
    frames = Frames()
    # A control event may change who sees what (a room, a role): what follows it is worked out afresh.
    start = 0
    for end, item in enumerate(items + [None]):
        if item is not None and "control" not in item:
            continue
        await _fan_out_plain(subscribers, items[start:end], frames)
        if item is not None:
            for sub in list(subscribers):
                await _safely(sub.deliver(item, frames))
        start = end + 1


async def _fan_out_plain(subscribers, items: list[dict], frames: Frames) -> None:
    if not items:
        return
    personal = [any(token.lstrip("!").startswith("p:") for token in item["audience"]) for item in items]
    anyone_personal = True in personal
    # Who a personal event is for, when it names its readers and nobody else (a rung, a nudge): every
    # other socket takes its kind's share as it is. None when one of them is for others too.
    addressees = _addressees([item for item, mine in zip(items, personal) if mine]) if anyone_personal else None
    first, last = items[0]["seq"], items[-1]["seq"]
    shared: dict[tuple, tuple[list[dict], set[int], list[Frame]]] = {}
    for sub in list(subscribers):
        if not (sub.live and sub.admitted) or sub.seq >= first:
            await _safely(sub.deliver_many(items, frames))  # waiting, or had part of it: one by one
            continue
        kind = (sub.role, sub.room_id)
        share = shared.get(kind)
        if share is None:
            run = [item for item, mine in zip(items, personal) if not mine and
                   stream.visible(item["audience"], participant_id=None, role=sub.role, room_id=sub.room_id)]
            share = shared[kind] = (run, {item["seq"] for item in run}, frames.of(run) if run else [])
        run, seen, out = share
        if anyone_personal and (addressees is None or sub.participant_id in addressees):
            run = [item for item, mine in zip(items, personal)
                   if (sub.may_see(item) if mine else item["seq"] in seen)]
            out = frames.of(run) if run else []
        sub.seq = last
        if not out:
            continue
        if sub.broadcast is None:
            await _safely(sub.send(run, frames))
            continue
        # The common case, and the hot loop of a large workshop: the same frames, already framed,
        # queued on each socket in turn without a coroutine or a wait for each.
        try:
            sub.push(out)
        except Exception:
            log.exception("delivery to a socket failed")


def _addressees(items: list[dict]) -> set[int] | None:
    """The participants that personal events are for, if each of them names its readers alone
    (`p:` tokens only), else None."""
    out: set[int] = set()
    for item in items:
        for token in item["audience"]:
            kind, _, value = token.partition(":")
            if kind != "p":
                return None
            out.add(int(value))
    return out


async def _safely(delivery) -> None:
    try:
        await delivery
    except Exception:
        log.exception("delivery to a socket failed")


class Hub:
    def __init__(self):
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.topics: dict[int, Topic] = {}
        self.lock = asyncio.Lock()
        self.tasks: list[asyncio.Task] = []
        # Messages received and not yet handed over: the hand-over takes all of them at once.
        self.inbox: collections.deque[dict] = collections.deque()
        self.arrived = asyncio.Event()

    async def start(self) -> None:
        # The channel is made in the receive loop: with Redis down a subscription fails, and the
        # process's first socket must not (its hub fills from the database meanwhile).
        self.tasks = [asyncio.create_task(self._receive_loop(), name="inspraak-hub-receive"),
                      asyncio.create_task(self._hand_over_loop(), name="inspraak-hub-hand-over"),
                      asyncio.create_task(self._resync_loop(), name="inspraak-hub-resync")]

    async def stop(self) -> None:
        for topic in self.topics.values():
            if topic.timer is not None:
                topic.timer.cancel()
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
            if wid not in self.topics:
                # Listen first, then read where the stream is: nothing falls in between.
                await self._join(wid)
                self.topics[wid] = Topic((await _last_seqs([wid])).get(wid, 0))
            self.topics[wid].subscribers.add(sub)

    async def unsubscribe(self, sub: Subscriber) -> None:
        async with self.lock:
            topic = self.topics.get(sub.workshop_id)
            if topic is None:
                return
            topic.subscribers.discard(sub)
            if not topic.subscribers:
                del self.topics[sub.workshop_id]
                if topic.timer is not None:
                    topic.timer.cancel()
                try:
                    if self.channel is not None:
                        await self.layer.group_discard(workshop_group(sub.workshop_id), self.channel)
                except Exception:  # the layer is down; what it still brings for this workshop is ignored
                    log.warning("could not leave the channel-layer group of workshop %s", sub.workshop_id)

    async def _join(self, workshop_id: int) -> None:
        """Join a workshop's group; while the layer is down, resync keeps trying and fills from the database."""
        if self.channel is None:
            return  # not listening yet: the receive loop joins every workshop once it is
        try:
            await self.layer.group_add(workshop_group(workshop_id), self.channel)
        except Exception:
            log.warning("could not join the channel-layer group of workshop %s", workshop_id, exc_info=True)

    async def _receive_loop(self) -> None:
        failures = 0
        while True:
            try:
                if self.channel is None:
                    await self._listen()
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                # The layer failed us (channels-redis's publish/subscribe layer reconnects and subscribes
                # again by itself, and raises nothing here, but another layer may): resync now, and
                # again at each retry, rather than at the next period.
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
            if len(self.inbox) >= MAX_INBOX:
                # Far behind: the oldest goes, and the gap it leaves is read from the database (at the
                # workshop's next event, or the next resync).
                self.inbox.popleft()
            self.inbox.append(message)
            self.arrived.set()

    async def _hand_over_loop(self) -> None:
        """Hand over everything received since the last hand-over, per workshop in one go: a hub that
        fell behind (a fan-out to many sockets, a busy core) catches up in a few batch frames per
        socket rather than one fan-out per message, and the publish/subscribe layer, which queues
        without bound, holds no more than came in while one hand-over ran."""
        while True:
            await self.arrived.wait()
            self.arrived.clear()
            for workshop_id, items in received(self.inbox).items():
                try:
                    await self.deliver(workshop_id, items)
                except Exception:
                    log.exception("hub failed to deliver a message")

    async def _listen(self) -> None:
        """Make the hub's channel on the layer, join the workshops that have sockets here, and fill
        what was published before that from the database."""
        channel = await self.layer.new_channel("hub.")
        async with self.lock:
            self.channel = channel
            for workshop_id in list(self.topics):
                await self._join(workshop_id)
        await self.resync()

    async def deliver(self, workshop_id: int, items: list[dict]) -> None:
        """Take events in seq order (fetching what the layer lost from the database) and hand them on:
        at once, or, when all that waits only updates counts or presence, within COALESCE_S of the last
        hand-over, so that a vote storm costs each socket a few frames a second."""
        async with self.lock:
            topic = self.topics.get(workshop_id)
            if topic is None:
                return
            last = topic.last_seq
            items = [item for item in items if item["seq"] > last]
            if not items:
                return
            if items[0]["seq"] != last + 1 or any(b["seq"] != a["seq"] + 1 for a, b in zip(items, items[1:])):
                items = await _events_after(workshop_id, last, items[-1]["seq"])
                if not items:
                    return
            topic.last_seq = items[-1]["seq"]
            topic.queue.extend(items)
            loop = asyncio.get_running_loop()
            wait = topic.flushed_at + settings.INSPRAAK["COALESCE_S"] - loop.time()
            if wait <= 0 or not all(map(_may_wait, items)):
                await self._flush(topic)
            elif topic.timer is None:
                topic.timer = loop.call_later(wait, self._flush_soon, workshop_id)

    def _flush_soon(self, workshop_id: int) -> None:
        asyncio.get_running_loop().create_task(self._flush_later(workshop_id))

    async def _flush_later(self, workshop_id: int) -> None:
        async with self.lock:
            topic = self.topics.get(workshop_id)
            if topic is None:
                return
            topic.timer = None
            # While this waited for the lock, `deliver` may have handed over (news that cannot wait, or
            # the time was up): that cancelled a timer which had already fired. Flushing again now
            # would send a second frame right after that one; wait out the rest of the interval.
            loop = asyncio.get_running_loop()
            wait = topic.flushed_at + settings.INSPRAAK["COALESCE_S"] - loop.time()
            if wait > 0:
                if topic.queue:
                    topic.timer = loop.call_later(wait, self._flush_soon, workshop_id)
                return
            await self._flush(topic)

    async def _flush(self, topic: Topic) -> None:
        if topic.timer is not None:
            topic.timer.cancel()
            topic.timer = None
        items, topic.queue = coalesce(topic.queue), []
        topic.flushed_at = asyncio.get_running_loop().time()
        if items:
            await fan_out(topic.subscribers, items)

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
        wids = list(self.topics)
        for wid in wids:
            # A subscription that failed (Redis was down when the first socket came) is made now;
            # one that stands is not made again. While the layer is down, local sockets still catch
            # up from the database below.
            await self._join(wid)
        if not wids:
            return
        # Every workshop this process follows in one statement: a server holding sockets in fifty
        # workshops asked fifty times every HUB_RESYNC_S, each time in a database thread of its own.
        latest = await _last_seqs(wids)
        for wid in wids:
            topic = self.topics.get(wid)
            if topic is not None and latest.get(wid, 0) > topic.last_seq:
                await self.deliver(wid, await _events_after(wid, topic.last_seq, latest[wid]))


@database_sync_to_async
def _last_seqs(workshop_ids: list[int]) -> dict[int, int]:
    return dict(Workshop.objects.filter(pk__in=workshop_ids).values_list("pk", "last_seq"))


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
