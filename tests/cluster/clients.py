"""Clients for cluster tests: people with a session, sockets that keep a view of the board, the database.

A `Person` is one browser: an HTTP session (joined, or a logged-in facilitator)
and at most one socket at a time, opened on any worker. The socket keeps what
a client keeps: the last seq, the ideas it knows (from `welcome` and from
events) and the replies to its commands by ref. It resumes with `?since=` and
resends its unacknowledged commands with their original refs, as
docs/protocol.md 2.1 and 2.3 tell a client to.
"""
from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass, field

import psycopg
import redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from harness import services
from harness.daphne import DaphneServer, HttpClient, ServerDatabase, free_port, manage, server_env
from workshops.groups import workshop_group

__all__ = ["Cluster", "Person", "Database", "PrivateRedis", "TIMEOUT"]

TIMEOUT = 20  # seconds for any one thing a test waits for
PASSWORD = "cluster-test-password"
IDEA_EVENTS = {"idea.posted", "idea.held", "idea.edited", "idea.restored"}


class Database:
    """The cluster's PostgreSQL database, read directly: the source of truth the views are held to."""

    def __init__(self, name: str):
        self.url = services.postgres_url(name)

    def rows(self, sql: str, *params) -> list[tuple]:
        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
            return conn.execute(sql, params).fetchall()

    def workshop_id(self, code: str) -> int:
        return self.rows("SELECT id FROM workshops_workshop WHERE code = %s", code)[0][0]

    def last_seq(self, code: str) -> int:
        return self.rows("SELECT last_seq FROM workshops_workshop WHERE code = %s", code)[0][0]

    def seqs(self, code: str) -> list[int]:
        return [seq for (seq,) in self.rows(
            "SELECT e.seq FROM workshops_event e JOIN workshops_workshop w ON w.id = e.workshop_id "
            "WHERE w.code = %s ORDER BY e.seq", code)]

    def tallies_pending(self, code: str) -> int:
        """Ideas of the workshop whose new reaction counts no `idea.reacted` has told yet (deliberation.tallies)."""
        return self.rows(
            "SELECT count(*) FROM deliberation_idea i JOIN deliberation_board b ON b.id = i.board_id "
            "JOIN workshops_workshop w ON w.id = b.workshop_id WHERE w.code = %s AND i.tally_pending", code)[0][0]

    def presence_pending(self, code: str) -> int:
        """Participants whose sockets opened or closed since the last presence flush (workshops.presence)."""
        return self.rows(
            "SELECT count(*) FROM workshops_participant p JOIN workshops_workshop w ON w.id = p.workshop_id "
            "WHERE w.code = %s AND p.presence_pending", code)[0][0]

    def ideas(self, code: str) -> dict[int, dict]:
        """Every idea of the workshop as a client would hold it: text, status and reaction counts."""
        out = {}
        for idea_id, text, status in self.rows(
                "SELECT i.id, i.text, i.status FROM deliberation_idea i JOIN deliberation_board b ON b.id = i.board_id "
                "JOIN workshops_workshop w ON w.id = b.workshop_id WHERE w.code = %s", code):
            out[idea_id] = {"text": text, "status": status, "reactions": {"agree": 0, "disagree": 0, "pass": 0}}
        for idea_id, value, count in self.rows(
                "SELECT r.idea_id, r.value, count(*) FROM deliberation_reaction r WHERE r.idea_id = ANY(%s) "
                "GROUP BY r.idea_id, r.value", list(out)):
            out[idea_id]["reactions"][value] = count
        return out

    def events_after(self, code: str, seq: int) -> list[tuple[int, str, list]]:
        return self.rows(
            "SELECT e.seq, e.type, e.audience FROM workshops_event e JOIN workshops_workshop w ON w.id = e.workshop_id "
            "WHERE w.code = %s AND e.seq > %s ORDER BY e.seq", code, seq)


@dataclass
class Person:
    """One browser: a session on the cluster, and its socket (one at a time)."""

    name: str
    http: HttpClient
    code: str
    id: int | None = None
    ws: ClientConnection | None = None
    welcome: dict | None = None
    seq: int = 0
    ideas: dict[int, dict] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    replies: dict[str, dict] = field(default_factory=dict)  # the reply to each ref
    duplicates: dict[str, dict] = field(default_factory=dict)  # those marked "duplicate": executed earlier
    sent: dict[str, dict] = field(default_factory=dict)  # every command sent, by ref
    close_code: int | None = None
    frames: int = 0  # frames read, a batch counting once

    async def open(self, server: DaphneServer, *, resume: bool = False) -> dict:
        """Open a socket on a worker (with ?since= when resuming) and apply its welcome.

        The client buffers what it has not read yet without limit (max_queue=None), as a browser
        does: a test that reads one socket only now and then does not make the server wait on it.
        """
        since = f"?since={self.seq}" if resume else ""
        self.ws = await connect(server.ws_url(f"/ws/workshops/{self.code}/{since}"), origin=server.url,
                                additional_headers={"Cookie": self.http.cookie_header()}, open_timeout=TIMEOUT,
                                compression=None, ping_interval=None, max_queue=None)
        self.close_code = None
        async with asyncio.timeout(TIMEOUT):
            welcome = json.loads(await self.ws.recv())
        assert welcome["type"] == "welcome", welcome
        self.welcome = welcome
        if welcome["resumed"]:
            assert resume and welcome["seq"] >= self.seq, (self.seq, welcome)
        else:
            self.seq = welcome["seq"]
            self.ideas = {idea["id"]: _view(idea) for idea in welcome["ideas"]}
        if self.id is None:
            self.id = welcome["me"]["id"]
        return welcome

    def apply(self, frame: dict) -> None:
        """Take in one frame: a reply by its ref, or an event (strictly after the last seq)."""
        if frame["type"] == "batch":  # events as if they had come one by one (2.3)
            for event in frame["events"]:
                self.apply(event)
            return
        if frame["type"] in ("ack", "error"):
            assert frame["ref"] not in self.replies, f"second reply to {frame['ref']}: {frame}"
            self.replies[frame["ref"]] = frame
            if frame.get("duplicate"):
                self.duplicates[frame["ref"]] = frame
            return
        if "seq" not in frame:
            return
        assert frame["seq"] > self.seq, f"{self.name}: seq {frame['seq']} after {self.seq}: {frame}"
        self.seq = frame["seq"]
        self.events.append(frame)
        if frame["type"] in IDEA_EVENTS:
            self.ideas[frame["idea"]["id"]] = _view(frame["idea"])
        elif frame["type"] == "idea.reacted" and frame["idea"] in self.ideas:
            self.ideas[frame["idea"]]["reactions"] = frame["reactions"]
        elif frame["type"] == "idea.withdrawn" and frame["idea"] in self.ideas:
            self.ideas[frame["idea"]].update(status="withdrawn", text="")
        elif frame["type"] == "idea.hidden" and frame["idea"] in self.ideas:
            self.ideas[frame["idea"]]["status"] = "hidden"

    async def send(self, frame: dict) -> None:
        self.sent[frame["ref"]] = frame
        await self.ws.send(json.dumps(frame))

    async def read(self, timeout: float = TIMEOUT) -> bool:
        """Read and apply one frame; False once the socket is closed."""
        try:
            async with asyncio.timeout(timeout):
                self.apply(json.loads(await self.ws.recv()))
            self.frames += 1
            return True
        except ConnectionClosed as closed:
            self.close_code = closed.rcvd.code if closed.rcvd else 1006
            return False

    async def until(self, done, what: str, timeout: float = TIMEOUT) -> None:
        """Read until done() holds."""
        try:
            async with asyncio.timeout(timeout):
                while not done():
                    if not await self.read(timeout):
                        raise AssertionError(f"{self.name}: socket closed ({self.close_code}) waiting for {what}")
        except TimeoutError:
            raise AssertionError(f"{self.name}: timed out waiting for {what} (seq {self.seq})") from None

    async def command(self, frame: dict) -> dict:
        """Send a command and wait for its answer; an error fails the test."""
        await self.send(frame)
        await self.until(lambda: frame["ref"] in self.replies, f"the reply to {frame['ref']}")
        reply = self.replies[frame["ref"]]
        assert reply["type"] == "ack", f"{frame} was answered with {reply}"
        return reply

    def events_of(self, type: str) -> list[dict]:
        return [event for event in self.events if event["type"] == type]

    def unacknowledged(self) -> list[dict]:
        return [frame for ref, frame in self.sent.items() if ref not in self.replies]

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    def view(self) -> dict[int, dict]:
        return {idea_id: dict(idea) for idea_id, idea in self.ideas.items()}

    async def catch_up(self, database: "Database", role: str = "citizen") -> None:
        """Read until this socket has every stored event it may see (as its role, in no room), once every
        reaction's counts are told (the workers' tallies, a few times a second)."""
        from workshops.stream import visible

        for _ in range(100):
            if not database.tallies_pending(self.code):
                break
            await asyncio.sleep(0.1)
        last = max([self.seq, *(seq for seq, _type, audience in database.events_after(self.code, self.seq)
                                 if visible(audience, participant_id=self.id, role=role, room_id=None))])
        await self.until(lambda: self.seq >= last, f"seq {last}")


def _view(idea: dict) -> dict:
    return {"text": idea["text"], "status": idea["status"], "reactions": dict(idea["reactions"])}


class Cluster:
    """Daphne workers sharing a PostgreSQL database and a Redis channel layer."""

    def __init__(self, db: ServerDatabase, env: dict[str, str], workers: list[DaphneServer]):
        self.db = db
        self.env = env
        self.workers = workers
        self.database = Database(db.postgres_name)

    @classmethod
    def prepare(cls, name: str, redis_url: str, **extra: str) -> tuple[ServerDatabase, dict[str, str]]:
        """A fresh database, migrated, with a facilitator account; the workers' environment."""
        db = ServerDatabase.postgres(f"{name}_{os.getpid()}_{secrets.token_hex(3)}")
        env = server_env(db.url, redis_url=redis_url, CHANNEL_PREFIX=f"cluster{secrets.token_hex(4)}",
                         INSPRAAK_RATE_LIMIT_COMMANDS="100000", INSPRAAK_HUB_RESYNC_S="1",
                         INSPRAAK_RATE_LIMIT_JOINS="100000", **extra)  # every test client joins from 127.0.0.1;
        # and the command limit is one for all workers: a test may send 1,500 commands as one person in 10 s.
        db.prepare(env)
        manage("createsuperuser", "--noinput", "--username", "facilitator", "--email", "f@example.org",
               env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD})
        return db, env

    def ensure_running(self) -> None:
        for worker in self.workers:
            if not worker.running:
                worker.start()

    async def workshop(self, title: str = "Het plein", worker: int = 0) -> tuple[Person, str, int]:
        """A started workshop: its facilitator (socket open on that worker), its code and plenary board."""
        http = HttpClient(self.workers[0].url)
        status, body = http.post("/api/session/login", {"username": "facilitator", "password": PASSWORD})
        assert status == 200, (status, body)
        status, body = http.post("/api/workshops", {"title": title, "language": "nl"})
        assert status == 201, (status, body)
        facilitator = Person("facilitator", http, body["code"])
        welcome = await facilitator.open(self.workers[worker])
        await facilitator.command({"type": "workshop.start", "ref": "start"})
        return facilitator, body["code"], welcome["boards"][0]["id"]

    async def settled(self, code: str, timeout: float = 8) -> None:
        """Wait until the flushes have told everything so far: every socket opened or closed
        (presence, at most 5 s late for someone who flapped) and every reaction (tallies)."""
        async with asyncio.timeout(timeout):
            while self.database.presence_pending(code) or self.database.tallies_pending(code):
                await asyncio.sleep(0.05)

    def listeners(self, code: str) -> int:
        """How many connections listen on the workshop's channel-layer group in the workers' Redis: the
        publish/subscribe layer's channel, named from the prefix config.settings gives it."""
        url = self.env["REDIS_URL"]
        group = workshop_group(self.database.workshop_id(code))
        channel = f"{self.env['CHANNEL_PREFIX']}:{redis.connection.parse_url(url).get('db', 0)}:__group__{group}"
        return dict(redis.Redis.from_url(url).pubsub_numsub(channel))[channel.encode()]

    def staff(self, facilitator: Person, role: str, worker: int = 0) -> tuple[str, HttpClient]:
        """A new account that the facilitator adds to their workshop in `role`, logged in on a worker:
        its username and its HTTP client."""
        username = f"{role}-{secrets.token_hex(3)}"
        manage("createsuperuser", "--noinput", "--username", username, "--email", f"{username}@example.org",
               env={**self.env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD})
        status, body = facilitator.http.post(f"/api/workshops/{facilitator.code}/staff",
                                             {"username": username, "role": role})
        assert status == 201, (status, body)
        http = HttpClient(self.workers[worker].url)
        assert http.post("/api/session/login", {"username": username, "password": PASSWORD})[0] == 200
        return username, http

    def join(self, code: str, name: str, worker: int = 0) -> Person:
        http = HttpClient(self.workers[worker].url)
        status, body = http.post(f"/api/workshops/{code}/join", {"name": name})
        assert status == 201, (status, body)
        return Person(name, http, code, id=body["participant"]["id"])


class PrivateRedis:
    """A Redis of the test's own (no persistence) on a free port, to stop and start at will.

    The shared test Redis must not be restarted under other tests; this one is only
    the cluster's. Needs `redis-server` (which `make services` installs).
    """

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "PrivateRedis":
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed: run `make services`"
        self.process = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                assert time.monotonic() < deadline and self.process.poll() is None, "redis-server did not start"
                time.sleep(0.05)

    def kill(self) -> None:
        """Stop it at once, losing everything it held (groups, queued messages)."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
