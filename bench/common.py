"""Shared parts of the benchmarks: the server stack, workshop set-up, process figures and sockets.

Every benchmark runs real Daphne workers (the same harness as tests/cluster)
on a fresh PostgreSQL database and Redis (database 14 unless BENCH_REDIS_URL
says otherwise), all on 127.0.0.1. The services must be running: `make services`.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from harness import services  # noqa: E402
from harness.daphne import DaphneServer, HttpClient, ServerDatabase, manage, server_env  # noqa: E402

__all__ = ["Stack", "Worker", "Sock", "ProcStat", "LiveClient", "Histogram", "arrive", "db_counts", "differences", "pin", "started_workshop", "join_many", "join_async", "open_many",
           "percentile", "quiet", "REPO"]

PASSWORD = "bench-facilitator-password"
REACTIONS = ("agree", "disagree", "pass")
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

# What a benchmark worker runs with on top of the production-like test settings:
# the limits a load generator would trip over (one person does not send hundreds
# of commands in ten seconds; a bench client does) are raised, and said so.
BENCH_LIMITS = {
    "INSPRAAK_RATE_LIMIT_COMMANDS": "1000000",
    "INSPRAAK_RATE_LIMIT_WINDOW_S": "1",
    "INSPRAAK_RATE_LIMIT_JOINS": "1000000",  # every bench client joins from 127.0.0.1
    "LOG_LEVEL": "WARNING",
}


def redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL") or services.redis_url().rsplit("/", 1)[0] + "/14"


def pin(pid: int, cpu: int) -> None:
    """Pin a process, all its threads included, to one core (taskset)."""
    for _ in range(5):  # taskset -a fails when one of the threads it listed has ended meanwhile
        if subprocess.run(["taskset", "-a", "-p", "-c", str(cpu), str(pid)], stdout=subprocess.DEVNULL).returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError(f"could not pin {pid} to core {cpu}")


class ProcStat:
    """CPU time and resident memory of a process, from /proc."""

    def __init__(self, pid: int):
        self.pid = pid

    def cpu_s(self) -> float:
        """User plus system time of every thread, in seconds."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def main_thread_cpu_s(self) -> float:
        """User plus system time of the main thread (Daphne's event loop) alone."""
        with open(f"/proc/{self.pid}/task/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def rss_bytes(self) -> int:
        with open(f"/proc/{self.pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE


class Worker:
    """One Daphne worker of a stack, with its process figures."""

    def __init__(self, server: DaphneServer):
        self.server = server

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def pid(self) -> int:
        return self.server.process.pid

    @property
    def stat(self) -> ProcStat:
        return ProcStat(self.pid)

    def ws_url(self, path: str) -> str:
        return self.server.ws_url(path)


class Stack:
    """A fresh PostgreSQL database, Redis and n Daphne workers (as `make serve WORKERS=n` runs them)."""

    def __init__(self, name: str, *, workers: int = 1, env: dict | None = None,
                 application: str = "config.asgi:application", log_dir: Path | None = None,
                 layer: str = "redis"):
        problems = services.problems(["redis", "postgres"])
        if problems:
            raise SystemExit("; ".join(problems.values()) + "\nStart them with `make services`.")
        self.db = ServerDatabase.postgres(f"inspraak_bench_{name}_{os.getpid()}")
        if layer not in ("redis", "memory") or (layer == "memory" and workers > 1):
            raise ValueError("the in-memory channel layer serves one worker only")
        self.env = server_env(self.db.url, redis_url=redis_url() if layer == "redis" else None,
                              CHANNEL_PREFIX=f"bench{os.getpid()}", **{**BENCH_LIMITS, **(env or {})})
        self.application = application
        self.n = workers
        self.log_dir = Path(log_dir or REPO / "var" / "bench")
        self.workers: list[Worker] = []

    def __enter__(self) -> "Stack":
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.db.prepare(self.env)
        manage("createsuperuser", "--noinput", "--username", "facilitator", "--email", "f@example.org",
               env={**self.env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD})
        for i in range(self.n):
            server = DaphneServer(self.env, application=self.application,
                                  log_path=self.log_dir / f"{self.db.postgres_name}-{i}.log")
            server.start()
            self.workers.append(Worker(server))
        return self

    def __exit__(self, *exc) -> None:
        for worker in self.workers:
            worker.server.stop()
        self.db.drop()

    def facilitator(self, worker: int = 0) -> HttpClient:
        client = HttpClient(self.workers[worker].url)
        status, body = client.post("/api/session/login", {"username": "facilitator", "password": PASSWORD})
        assert status == 200, (status, body)
        return client

    def workshop(self, title: str = "Bench", **fields) -> tuple[HttpClient, str]:
        """A new workshop (a staff login on worker 0) and its code."""
        client = self.facilitator()
        status, body = client.post("/api/workshops", {"title": title, "language": "en", **fields})
        assert status == 201, (status, body)
        return client, body["code"]


async def started_workshop(stack: Stack, title: str = "Bench") -> tuple[HttpClient, str]:
    """A new workshop, started (`workshop.start` over a facilitator's socket on worker 0), and its code."""
    facilitator, code = stack.workshop(title)
    worker = stack.workers[0]
    async with connect(worker.ws_url(f"/ws/workshops/{code}/"), origin=worker.url, compression=None,
                       additional_headers={"Cookie": facilitator.cookie_header()}, max_size=2 ** 24) as ws:
        assert json.loads(await ws.recv())["type"] == "welcome"
        await ws.send(json.dumps({"type": "workshop.start", "ref": "start"}))
        while (frame := json.loads(await ws.recv())).get("type") not in ("ack", "error"):
            pass
        assert frame["type"] == "ack", frame
    return facilitator, code


def db_counts(stack: Stack, code: str) -> dict[int, dict]:
    """Every idea's reaction counts in the database, read directly: the truth clients are held to."""
    with psycopg.connect(stack.db.url, autocommit=True) as conn:
        ideas = [i for (i,) in conn.execute(
            "SELECT i.id FROM deliberation_idea i JOIN deliberation_board b ON b.id = i.board_id "
            "JOIN workshops_workshop w ON w.id = b.workshop_id WHERE w.code = %s", (code,))]
        out = {i: {v: 0 for v in REACTIONS} for i in ideas}
        for idea, value, n in conn.execute(
                "SELECT idea_id, value, count(*) FROM deliberation_reaction WHERE idea_id = ANY(%s) "
                "GROUP BY idea_id, value", (ideas,)):
            out[idea][value] = n
    return out


def differences(views: list[dict[int, dict]], truth: dict[int, dict]) -> str:
    """What the clients' counts (idea -> counts, one dict per client) that differ from the truth hold."""
    wrong = [v for v in views if any(v.get(i) != c for i, c in truth.items())]
    if not wrong:
        return "none"
    ideas = sorted({i for v in wrong for i, c in truth.items() if v.get(i) != c})
    alike = sum(1 for v in wrong if all(v.get(i) == wrong[0].get(i) for i in ideas))
    missing = sum(1 for v in wrong for i in ideas if v.get(i) is None)
    short = sum(1 for v in wrong for i in ideas
                if v.get(i) is not None and sum(v[i].values()) < sum(truth[i].values()))
    sample = {i: (wrong[0].get(i), truth[i]) for i in ideas[:3]}
    return (f"{len(wrong)} clients differ on {len(ideas)} ideas; {alike} of them hold the same counts as the "
            f"first; (client, idea) pairs with the idea missing {missing}, with fewer reactions in all than "
            f"the truth {short}; e.g. (client, truth): {sample}")


def join_many(base_url: str, code: str, names: list[str], *, threads: int = 8) -> list[tuple[HttpClient, int]]:
    """Join a workshop as each of these people over HTTP; (client, participant id) in order."""
    def one(name):
        client = HttpClient(base_url)
        status, body = client.post(f"/api/workshops/{code}/join", {"name": name})
        assert status == 201, (status, body)
        return client, body["participant"]["id"]

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, names))


class Sock:
    """One WebSocket with the frames a benchmark cares about; `on_frame` sees each decoded frame."""

    def __init__(self, ws, welcome: dict):
        self.ws = ws
        self.welcome = welcome
        self.seq = welcome["seq"]
        self.replies: dict[str, dict] = {}
        self.waiters: dict[str, asyncio.Future] = {}
        self.reader: asyncio.Task | None = None
        self.closed: int | None = None

    @classmethod
    async def open(cls, url: str, origin: str, cookie: str, *, since: int | None = None, timeout: float = 60):
        query = "" if since is None else f"?since={since}"
        ws = await connect(url + query, origin=origin, additional_headers={"Cookie": cookie},
                           open_timeout=timeout, compression=None, max_size=2 ** 24, ping_interval=None)
        async with asyncio.timeout(timeout):
            welcome = json.loads(await ws.recv())
        if welcome.get("type") != "welcome":
            raise RuntimeError(f"expected welcome, got {welcome}")
        return cls(ws, welcome)

    def start(self, on_event) -> None:
        """Read frames in the background: replies to their waiters, events (with seq) to on_event."""
        async def run():
            try:
                async for raw in self.ws:
                    frame = json.loads(raw)
                    if frame["type"] in ("ack", "error"):
                        fut = self.waiters.pop(frame["ref"], None)
                        if fut is not None and not fut.done():
                            fut.set_result(frame)
                        else:
                            self.replies[frame["ref"]] = frame
                    elif "seq" in frame:
                        if frame["seq"] <= self.seq:
                            raise AssertionError(f"seq went from {self.seq} to {frame['seq']}")
                        self.seq = frame["seq"]
                        on_event(self, frame)
            except Exception as exc:  # noqa: BLE001 - a closed socket ends its reader
                self.closed = getattr(getattr(exc, "rcvd", None), "code", -1)
            else:
                self.closed = getattr(self.ws.close_code, "real", self.ws.close_code) or 1000

        self.reader = asyncio.create_task(run())

    async def command(self, frame: dict, timeout: float = 60) -> dict:
        fut = asyncio.get_running_loop().create_future()
        self.waiters[frame["ref"]] = fut
        await self.ws.send(json.dumps(frame))
        async with asyncio.timeout(timeout):
            return await fut

    async def close(self) -> None:
        await self.ws.close()
        if self.reader:
            try:
                await asyncio.wait_for(self.reader, 5)
            except (asyncio.TimeoutError, Exception):  # noqa: BLE001
                self.reader.cancel()


class Histogram:
    """Latencies in whole milliseconds: percentiles of millions of them in constant memory.

    Negative values (an observer that saw an update before its sender had the ack) count as 0 ms
    and are counted apart in `early`.
    """

    def __init__(self):
        self.clear()

    def clear(self) -> None:
        self.counts: list[int] = []
        self.n = 0
        self.early = 0
        self.max_s = float("nan")

    def add(self, seconds: float) -> None:
        if seconds < 0:
            self.early += 1
        ms = int(seconds * 1000) if seconds > 0 else 0
        if ms >= len(self.counts):
            self.counts.extend([0] * (ms + 1 - len(self.counts)))
        self.counts[ms] += 1
        self.n += 1
        if not seconds <= self.max_s:  # also when max_s is still nan
            self.max_s = seconds

    def percentile(self, p: float) -> float:
        """The p-th percentile in seconds (to the millisecond), nan when empty."""
        if not self.n:
            return float("nan")
        rank, seen = max(1, round(p / 100 * self.n)), 0
        for ms, count in enumerate(self.counts):
            seen += count
            if seen >= rank:
                return ms / 1000
        return len(self.counts) / 1000


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


async def open_many(urls_cookies: list[tuple[str, str, str]], *, concurrency: int = 50) -> list[Sock]:
    """Open sockets (url, origin, cookie), a few at a time, in order."""
    sem = asyncio.Semaphore(concurrency)

    async def one(args):
        async with sem:
            return await Sock.open(*args)

    return await asyncio.gather(*(one(a) for a in urls_cookies))



# --- The lean, protocol-aware client (bench/wire.py underneath): for thousands of sockets ---

_TYPE = re.compile(rb'^\{"type":"([a-z._]+)"')
_PARTS = re.compile(rb'"parts":(\d+)')  # in an idea's text a quote is escaped, so this is only the key


async def join_async(worker: Worker, code: str, name: str):
    """Join a workshop as a new person over HTTP, as a browser does (the CSRF cookie, then the join).

    Returns the HttpSession, whose `cookie_header()` opens the socket, and the participant id.
    """
    from bench.wire import HttpSession

    session = HttpSession(worker.server.host, worker.server.port)
    try:
        status, body = await session.request("GET", "/api/csrf")
        assert status == 200, (status, body)
        status, body = await session.request("POST", f"/api/workshops/{code}/join", {"name": name})
        if status != 201:
            raise RuntimeError(f"join answered {status}: {body}")
        return session, body["participant"]["id"]
    finally:
        session.close()


async def arrive(worker: Worker, code: str, name: str, make, *, failures: Counter, closes: Counter | None = None,
                 attempts: int = 5, timeout: float = 120):
    """A new person joins over HTTP and opens a socket (`make(name)`, a LiveClient) with its welcome.

    A failed attempt (no HTTP answer, a refused or reset handshake, a socket closed before its
    welcome was in) is counted in `failures` by what failed, its close code in `closes`, and tried
    again after a pause, as a browser would: the join once more only if it was the join that
    failed. Returns the client, or None after `attempts` failures.
    """
    session = None
    for attempt in range(attempts):
        client = make(name)
        try:
            if session is None:
                session, _ = await join_async(worker, code, name)
            return await client.open(worker, f"/ws/workshops/{code}/", session.cookie_header(), timeout=timeout)
        except Exception as exc:  # noqa: BLE001 - counted, and tried again
            what = type(exc).__name__ + (f" ({str(exc).splitlines()[0][:40]})" if type(exc) is ConnectionError else "")
            failures[f"{'join' if session is None else 'socket'}: {what}"] += 1
            if closes is not None and client.close_code is not None:
                closes[client.close_code] += 1
            client.close()
            await asyncio.sleep(1 + attempt)
    return None


class LiveClient:
    """One participant's socket, as a client of the protocol sees it, on the lean wire client.

    It takes the welcome and the `snapshot.part` frames that continue it (2.3: `parts: k`), unwraps
    `batch` frames into their events, checks that seqs only ever increase (coalesced reaction
    updates skip seqs, which is not a gap), hands each event to `event()`, each frame's events to
    `frame()` and replies to the command that waits for them. Frames are counted as WebSocket
    frames: a batch is one frame. With `decode_snapshot=False` the welcome and its parts are only
    counted (`parts`, `last`) and not decoded: for thousands of welcomes of a megabyte, where the
    client's JSON decoding would take the cores the workers need. With `decode_events=False`
    events are counted, not decoded.
    """

    decode_snapshot = True
    decode_events = True

    def __init__(self, name: str = ""):
        self.name = name
        self.sock = None
        self.welcome: dict | None = None
        self.welcomed = asyncio.get_running_loop().create_future()
        self.parts_left = 0
        self.seq = 0
        self.frames = 0
        self.largest = 0
        self.replies: dict[str, asyncio.Future] = {}

    async def open(self, worker: Worker, path: str, cookie: str, *, timeout: float = 120) -> "LiveClient":
        """Open the socket and wait until the welcome and all its parts are in."""
        from bench.wire import open_wire

        host, port = worker.server.host, worker.server.port
        self.sock = await open_wire(host, port, path, origin=worker.url, cookie=cookie, on_text=self.on_text,
                                    timeout=timeout)
        async with asyncio.timeout(timeout):
            await asyncio.shield(self.welcomed)
        return self

    @property
    def close_code(self) -> int | None:
        return None if self.sock is None else self.sock.close_code

    def on_text(self, payload: bytes) -> None:
        self.frames += 1
        if len(payload) > self.largest:
            self.largest = len(payload)
        sniffed = _TYPE.match(payload[:64])
        kind = sniffed.group(1).decode() if sniffed else json.loads(payload)["type"]
        if kind == "welcome":
            self._welcome(payload)
        elif kind == "snapshot.part":
            self._part(payload)
        elif kind in ("ack", "error"):
            frame = json.loads(payload)
            future = self.replies.pop(frame.get("ref"), None)
            if future is not None and not future.done():
                future.set_result(frame)
        elif kind == "pong":
            pass
        elif self.decode_events:
            frame = json.loads(payload)
            events = frame["events"] if kind == "batch" else [frame]
            for event in events:
                seq = event.get("seq")
                if seq is None:
                    continue
                if seq <= self.seq:
                    raise AssertionError(f"{self.name}: seq {seq} after {self.seq}")
                self.seq = seq
                self.event(event)
            self.frame(events)
        else:
            self.frame(None)

    def _welcome(self, payload: bytes) -> None:
        if self.decode_snapshot:
            self.welcome = json.loads(payload)
            self.parts_left = self.welcome.get("parts") or 0
            self.seq = self.welcome["seq"]
        else:
            found = _PARTS.search(payload)
            self.parts_left = int(found.group(1)) if found else 0
        if not self.parts_left:
            self._welcomed()

    def _part(self, payload: bytes) -> None:
        self.parts_left -= 1
        if self.decode_snapshot:
            part = json.loads(payload)
            for name, value in part.items():
                if isinstance(value, list):
                    self.welcome.setdefault(name, []).extend(value)
            last = part.get("last")
        else:
            last = b'"last":true' in payload
        if last != (self.parts_left == 0):
            raise AssertionError(f"{self.name}: snapshot.part last={last} with {self.parts_left} parts to come")
        if self.parts_left == 0:
            self._welcomed()

    def _welcomed(self) -> None:
        if not self.welcomed.done():
            self.welcomed.set_result(self.welcome)
            self.snapshot(self.welcome)

    def snapshot(self, welcome: dict | None) -> None:
        """The welcome with its parts is in (None when not decoded)."""

    def event(self, event: dict) -> None:
        """One event, in seq order (also each one of a batch)."""

    def frame(self, events: list[dict] | None) -> None:
        """One frame of events is in (None when events are not decoded), after `event()` for each."""

    def send(self, frame: dict) -> asyncio.Future:
        """Send a command; the future gets its ack or error."""
        future = asyncio.get_running_loop().create_future()
        self.replies[frame["ref"]] = future
        self.sock.send_text(json.dumps(frame))
        return future

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()


async def quiet(stats: list[ProcStat], *, below: float = 0.05, timeout: float = 600) -> float:
    """Wait until every one of these processes uses less than `below` of a core over a second.

    Returns how long that took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        before = [s.cpu_s() for s in stats]
        await asyncio.sleep(1.0)
        if all(s.cpu_s() - b < below for s, b in zip(stats, before)):
            return time.monotonic() - started
    raise RuntimeError("the workers did not go quiet")
