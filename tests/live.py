"""Protocol test helpers: participants with real sessions, sockets on the real ASGI application."""
import asyncio
import itertools
import json

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore

from config.asgi import application
from workshops import presence, services
from workshops.models import Participant
from workshops.sessions import SESSION_KEY

_refs = itertools.count(1)


def make_workshop(*, username="fac", **kwargs):
    """A workshop with its facilitator (a staff account), started unless told otherwise."""
    user = get_user_model().objects.create_user(username, password="pw-123456", is_staff=True)
    start = kwargs.pop("start", True)
    kwargs.setdefault("columns", ["Green", "Play"])
    kwargs.setdefault("agenda", [{"title": "Intro", "minutes": 5}, {"title": "Ideas", "minutes": 20}])
    workshop = services.workshop_create(user=user, title="Station square", **kwargs)
    facilitator = Participant.objects.get(workshop=workshop, user=user)
    if start:
        services.workshop_start(actor=facilitator)
    workshop.refresh_from_db()
    return workshop, facilitator


def make_citizen(workshop, name):
    return services.participant_join(workshop=workshop, name=name)


def session_for(participant) -> str:
    """A browser session that knows this participant, as the join endpoint leaves it."""
    session = SessionStore()
    session[SESSION_KEY] = {participant.workshop.code: participant.pk}
    session.create()
    return session.session_key


class Live:
    """One open socket of a participant: send commands, collect events."""

    def __init__(self, communicator):
        self.comm = communicator
        self.events: list[dict] = []
        self.welcome: dict | None = None
        self.unwrapped: list[dict] = []  # the rest of a `batch` frame, taken one event at a time
        self.frames: list[dict] = []  # every frame as it came over the socket, batches whole

    @classmethod
    async def open(cls, participant, *, since=None, origin="http://testserver", session_key=None, code=None):
        key = session_key if session_key is not None else await database_sync_to_async(session_for)(participant)
        code = code or await database_sync_to_async(lambda: participant.workshop.code)()
        path = f"/ws/workshops/{code}/" + (f"?since={since}" if since is not None else "")
        headers = [(b"cookie", f"sessionid={key}".encode()), (b"origin", origin.encode()),
                   (b"host", b"testserver")]
        comm = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await comm.connect()
        live = cls(comm)
        live.connected, live.close_code = connected, None
        if connected:
            out = await comm.receive_output(timeout=3)
            if out["type"] == "websocket.close":
                live.close_code = out.get("code")
            else:
                live.welcome = json.loads(out["text"])
        return live

    async def frame(self, timeout=3, *, presence=False) -> dict:
        """The next frame, or the next event of a `batch` frame (2.3: the same as sent one by one).

        `presence.changed` comes from the background flush whenever it runs, before or after
        anything a test waits for (one's own, after one's welcome, too); unless asked for, it is
        kept in `events` (where `event`, `drain` and `nothing` see it) rather than returned."""
        while True:
            if not self.unwrapped:
                frame = json.loads(await self.comm.receive_from(timeout=timeout))
                self.frames.append(frame)
                self.unwrapped = frame["events"] if frame.get("type") == "batch" else [frame]
            frame = self.unwrapped.pop(0)
            if presence or frame.get("type") != "presence.changed":
                return frame
            self.events.append(frame)

    async def send_raw(self, text: str) -> None:
        await self.comm.send_input({"type": "websocket.receive", "text": text})

    async def command(self, type, ref=None, timeout=3, **fields) -> dict:
        """Send a command and return its ack or error; events that come first are kept."""
        ref = ref or f"r{next(_refs)}"
        await self.comm.send_to(text_data=json.dumps({"type": type, "ref": ref, **fields}))
        return await self.answer(ref, timeout=timeout)

    async def answer(self, ref, timeout=3) -> dict:
        while True:
            frame = await self.frame(timeout)
            if frame.get("type") in ("ack", "error") and frame.get("ref") == ref:
                return frame
            self.events.append(frame)

    async def event(self, type, timeout=3, *, about=None) -> dict:
        """The next event of a type (earlier kept ones first); with `about`, the next one whose
        `participant` is that participant (presence of several people comes in one flush)."""
        def wanted(frame):
            return frame.get("type") == type and (about is None or _participant_id(frame) == about.pk)
        for i, frame in enumerate(self.events):
            if wanted(frame):
                return self.events.pop(i)
        while True:
            frame = await self.frame(timeout, presence=True)
            if wanted(frame):
                return frame
            self.events.append(frame)

    async def drain(self, quiet=0.3) -> list[dict]:
        """Everything that arrives until the socket is quiet, presence the sockets opened so far
        changed included: it is told now, not at the background loop's next flush, which on a
        busy machine may come after a quiet spell and break a test's later `nothing()`."""
        await database_sync_to_async(presence.presence_flush)()
        while self.unwrapped or not await self.comm.receive_nothing(timeout=quiet):
            self.events.append(await self.frame(presence=True))
        out, self.events = self.events, []
        return out

    async def nothing(self, timeout=0.3) -> bool:
        return not self.events and not self.unwrapped and await self.comm.receive_nothing(timeout=timeout)

    async def close(self):
        await self.comm.disconnect()


def _participant_id(frame: dict):
    who = frame.get("participant")
    return who.get("id") if isinstance(who, dict) else who


async def settle(seconds=0.05):
    await asyncio.sleep(seconds)
