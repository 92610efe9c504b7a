"""The workshop socket: parse, relay to the command registry, deliver from the hub.

No ORM calls and no business rules here: those live in services and selectors,
reached through one database thread hop per command (`in_db`).
"""
import asyncio
import json
import logging
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from itertools import accumulate
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import DatabaseSyncToAsync
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from . import background, backpressure, limits, registry, selectors, services, sessions, stream
from .errors import DomainError, error_frame, internal_frame
from .hub import Subscriber, get_hub
from .snapshot import encode as dumps
from .snapshot import MAX_SERVER_FRAME_BYTES, welcome_frames

log = logging.getLogger(__name__)

CLOSE_FOR = {"unauthenticated": 4401, "forbidden": 4403, "not_found": 4404, "too_many_sockets": 4429}
MAX_DEPTH = 32
# A string, closed or not: matching one never fails, so no text is scanned twice (linear time).
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"?', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


_db_threads: ThreadPoolExecutor | None = None


def in_db(fn):
    """`fn` as a coroutine function, run in the process's threads for socket database work.

    Channels' default would be one thread per process for every socket's database work, so that
    a command waiting on PostgreSQL (a round trip, a row lock held by another process) held up
    every other socket's. INSPRAAK_DB_THREADS of them overlap those waits. One socket's frames
    still run one after another: the consumer awaits each before it reads the next.
    """
    global _db_threads
    if _db_threads is None:
        _db_threads = ThreadPoolExecutor(max_workers=settings.INSPRAAK["DB_THREADS"], thread_name_prefix="inspraak-db")
    return DatabaseSyncToAsync(fn, thread_sensitive=False, executor=_db_threads)


def _execute(*, participant_id: int, frame: dict) -> tuple[dict, list[dict]]:
    """In the database thread: the participant's command limit (shared by every worker), then the
    command; its answer, and the events it committed, for the event loop to publish."""
    wait = limits.commands().hit(participant_id)
    if wait:
        return error_frame(frame["ref"], DomainError("rate_limited", retry_after=wait)), []
    with stream.collected() as committed:
        return registry.execute(participant_id=participant_id, frame=frame), committed


async def _discard(frame: str) -> None:
    """Where a closed socket's events go."""


def too_deep(text: str) -> bool:
    """Whether arrays and objects in JSON text nest deeper than MAX_DEPTH (json.loads would recurse)."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    if brackets.count("[") + brackets.count("{") <= MAX_DEPTH:
        return False  # the common case, at once
    return max(accumulate(map(_STEP.__getitem__, brackets))) > MAX_DEPTH


def parse(raw: str | bytes) -> dict:
    """A client frame as a command dict, or DomainError (too_large, bad_json, invalid)."""
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode(errors="surrogatepass"))
    if size > settings.INSPRAAK["MAX_FRAME_BYTES"]:
        raise DomainError("too_large", "Frames are at most 16 KiB.")
    if isinstance(raw, bytes):
        try:
            raw = raw.decode()
        except UnicodeDecodeError:
            raise DomainError("bad_json", "Frames are JSON text in UTF-8.") from None
    if too_deep(raw):
        raise DomainError("bad_json", f"JSON may nest at most {MAX_DEPTH} levels deep.")
    try:
        frame = json.loads(raw)
        # A lone surrogate (a \ud800 escape) parses, but could never be sent on as UTF-8.
        dumps(frame).encode()
    except (ValueError, RecursionError):  # UnicodeError is a ValueError
        raise DomainError("bad_json") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise DomainError("invalid", fields={"type": "A command needs a string type."})
    return frame


class WorkshopConsumer(AsyncWebsocketConsumer):
    # Sockets get no channel of their own: the process's hub is the only layer subscriber.
    channel_layer_alias = "no-channel-per-socket"

    async def dispatch(self, message):
        # Every database hop below closes old connections itself; skip channels' extra hop per frame.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def __call__(self, scope, receive, send):
        """Run the socket; however it ends (crash, cancel, close), its connection and subscription go."""
        self.sub = None
        self.connection_id = None
        self.releasing: asyncio.Future | None = None
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._release()

    async def connect(self):
        await self.accept()
        background.start()
        code = self.scope["url_route"]["kwargs"]["code"]
        since = self._since()
        try:
            who = await in_db(sessions.socket_open)(
                code=code, session=self.scope.get("session"), user=self.scope.get("user"),
                channel_name=f"ws.{uuid.uuid4().hex}")
        except DomainError as exc:
            await self.close(code=CLOSE_FOR.get(exc.code, 4403))
            return
        self.connection_id = who["connection_id"]
        self.participant_id = who["participant_id"]
        self.sub = Subscriber(workshop_id=who["workshop_id"], participant_id=who["participant_id"],
                              role=who["role"], room_id=who["room_id"], send_frame=self._send_frame,
                              on_control=self._on_control, admitted=who["admitted"],
                              broadcast=self.scope.get("extensions", {}).get(backpressure.EXTENSION))
        hub = await get_hub()
        await hub.subscribe(self.sub)
        frame, replay = await in_db(selectors.welcome)(
            participant_id=self.participant_id, since=since)
        await self._send_welcome(frame)
        # The welcome reads the participant after its seq: a role, room or admission that changed while
        # this socket opened is in it, and the events after it are for the participant as it says.
        me = frame["me"]
        self.sub.role, self.sub.room_id, self.sub.admitted = me["role"], me["room"], me["admitted"]
        self.sub.seq = since if frame["resumed"] else frame["seq"]  # where the replay, if any, begins
        await self.sub.go_live(replay)

    def _since(self) -> int | None:
        values = parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("since")
        try:
            return int(values[0]) if values else None
        except ValueError:
            return None

    async def disconnect(self, code):
        await self._release()

    def _release(self) -> asyncio.Future:
        """This socket's one cleanup, started once and shielded: a cancelled waiter cannot cut it short."""
        if self.releasing is None:
            self.releasing = asyncio.ensure_future(self._forget())
        return asyncio.shield(self.releasing)

    async def _forget(self) -> None:
        """Drop the hub subscription and the connection row (one failing does not keep the other)."""
        if self.sub is not None:
            try:
                await (await get_hub()).unsubscribe(self.sub)
            except Exception:
                log.exception("could not unsubscribe a closed socket")
        if self.connection_id is not None:
            try:
                await in_db(services.connection_close)(connection_id=self.connection_id)
            except Exception:
                log.exception("could not forget connection %s", self.connection_id)

    async def receive(self, text_data=None, bytes_data=None):
        if self.sub is None:
            return
        try:
            await self._command(text_data if text_data is not None else (bytes_data or b""))
        except Exception:
            # Whatever went wrong with this frame, the socket and everything else on it go on.
            log.exception("a frame from participant %s failed", self.participant_id)
            try:
                await self._send_frame(dumps(internal_frame(None)))
            except Exception:  # the socket itself is gone; __call__ cleans up after it
                log.exception("could not answer a failed frame")

    async def _command(self, raw: str | bytes) -> None:
        try:
            frame = parse(raw)
        except DomainError as exc:
            await self._error(None, exc)
            return
        ref = frame.get("ref")
        if frame["type"] == "ping":
            await self._send_frame(dumps({"type": "pong", "ref": ref if isinstance(ref, str) else None}))
            return
        if not isinstance(ref, str) or not 1 <= len(ref) <= 64:
            await self._error(ref if isinstance(ref, str) else None,
                              DomainError("invalid", fields={"ref": "A ref of 1 to 64 characters is required."}))
            return
        try:
            answer, committed = await in_db(_execute)(participant_id=self.participant_id, frame=frame)
        except Exception:
            log.exception("command %s failed", frame["type"])
            answer, committed = internal_frame(ref), []
        if committed:  # stored: now everyone may be told, and then the sender
            await stream.publish_async(committed)
        await self._send_frame(dumps(answer))

    async def _error(self, ref, exc: DomainError):
        await self._send_frame(dumps(error_frame(ref, exc)))

    async def _send_welcome(self, frame: dict):
        """The welcome, split into `snapshot.part` frames when large, before any event (the sub is not live)."""
        for text in welcome_frames(frame):
            await self._drained()
            await self._send_frame(text)

    async def _drained(self):
        """Let the client take what is queued: a split welcome may be larger than the send buffer's bound.

        A client that takes nothing for CLOSE_DRAIN_S gets the next part anyway, and with it the 4408.
        """
        broadcast = self.scope.get("extensions", {}).get(backpressure.EXTENSION)
        if broadcast is None:
            return
        room = max(settings.INSPRAAK["MAX_BUFFERED_BYTES"] - MAX_SERVER_FRAME_BYTES, 0)
        deadline = asyncio.get_running_loop().time() + backpressure.CLOSE_DRAIN_S
        while broadcast["unsent"]() > room and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)

    async def _send_frame(self, frame: str):
        await self.base_send({"type": "websocket.send", "text": frame})

    async def _on_control(self, item: dict):
        """Events about this very socket's participant that change what it may see or do."""
        control = item["control"]
        if "room" in control:
            self.sub.room_id = control["room"]
        if control.get("participant") != self.participant_id:
            return
        if control.get("admit"):
            self._admitted()
        # A socket opened after a role change already holds the new role: the change's replay leaves it open.
        elif control.get("close") and control.get("role") != self.sub.role:
            # Nothing more reaches this socket, not even what the hub still has queued for it.
            self.sub.send_frame, self.sub.broadcast = _discard, None
            await self.close(code=control["close"])

    def _admitted(self):
        """Out of the waiting room: events wait while a full welcome is read, outside the hub's lock."""
        self.sub.admitted = True
        self.sub.welcome_again()
        self._welcoming = asyncio.get_running_loop().create_task(self._welcome_again())

    async def _welcome_again(self):
        try:
            frame, replay = await in_db(selectors.welcome)(participant_id=self.participant_id, since=None)
            self.sub.room_id = frame["me"]["room"]
            await self._send_welcome(frame)
            self.sub.seq = frame["seq"]  # nothing after it reached this socket while it waited: all follows
            await self.sub.go_live(replay)
        except Exception:
            log.exception("the welcome after admission failed")
            await self.close(code=1011)
