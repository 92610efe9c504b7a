"""Shared parts of the benchmarks: the server stack, workshop set-up, process figures and sockets.

Every benchmark runs real Daphne workers (the same harness as tests/cluster)
on a fresh PostgreSQL database and Redis (database 14 unless BENCH_REDIS_URL
says otherwise), all on 127.0.0.1. The services must be running: `make services`.
"""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from websockets.asyncio.client import connect  # noqa: E402

from harness import services  # noqa: E402
from harness.daphne import DaphneServer, HttpClient, ServerDatabase, manage, server_env  # noqa: E402

__all__ = ["Stack", "Worker", "Sock", "ProcStat", "pin", "join_many", "open_many", "percentile", "REPO"]

PASSWORD = "bench-facilitator-password"
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
                              CHANNEL_PREFIX=f"bench{os.getpid()}", **BENCH_LIMITS, **(env or {}))
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

