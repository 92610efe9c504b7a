"""Fan-out: N sockets in one workshop on one worker, K ideas from K citizens at R per second.

    .venv/bin/python bench/fanout.py [--sockets 300] [--ideas 100] [--rate 10] [--skip-baseline]
                                     [--env NAME=VALUE ...]

Runs the load twice in one go, each time on a fresh single Daphne worker pinned
to core 0 (taskset) with this client pinned to core 1, both on PostgreSQL and
Redis (channels-redis):

1. Inspraak (config.asgi): N citizens join over HTTP and open a socket each;
   citizens 0..K-1 each post one idea (`idea.post`), one every 1/R seconds.
   Every socket must receive every `idea.posted`.
2. The Channels tutorial pattern (bench/baseline.py): N sockets in one group;
   K of them each send one message of the same size at the same rate, which
   the consumer `group_send`s to the group and every member `send_json`s.

For each it prints deliveries, losses, p50/p99 latency (from the sending
client's send to each socket's receipt) and the worker's CPU microseconds per
delivery (utime+stime of all its threads from /proc/<pid>/stat, from the first
send to the last delivery, divided by the deliveries; split into the event
loop thread, which does the fan-out, and the others, which run the commands'
database work), then the ratio baseline / Inspraak. The connect-time work
(presence events) is over before the measurement starts. `--rate 1000`
sends everything at once, for the saturation throughput. The Inspraak worker
runs with the rate limit raised (INSPRAAK_RATE_LIMIT_COMMANDS, bench/common.py).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ProcStat, Stack, join_many, percentile, pin  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

WORKER_CPU, CLIENT_CPU = 0, 1
MARK = "bench-idea-"


def redis_pid() -> int | None:
    """The local Redis server's pid, to report its CPU too (it does real work for the baseline)."""
    import redis

    from bench.common import redis_url
    try:
        return int(redis.Redis.from_url(redis_url()).info("server")["process_id"])
    except Exception:  # noqa: BLE001 - a figure we can do without
        return None


class Load:
    """The client side of one run: sockets that record when each idea reaches them."""

    def __init__(self, n_sockets: int, n_ideas: int):
        self.sent: dict[int, float] = {}
        self.received = [[None] * n_ideas for _ in range(n_sockets)]
        self.count = 0
        self.expected = n_sockets * n_ideas
        self.done = asyncio.Event()
        self.acks: dict[int, dict] = {}
        self.closed: list[int] = []

    def read(self, index: int, ws):
        async def run():
            row = self.received[index]
            try:
                async for raw in ws:
                    at = time.perf_counter()
                    pos = raw.find(MARK)
                    if pos < 0:
                        frame = json.loads(raw)
                        if frame.get("type") in ("ack", "error") and str(frame.get("ref", "")).startswith("k"):
                            self.acks[int(frame["ref"][1:])] = frame
                        continue
                    end = raw.find(" ", pos)
                    k = int(raw[pos + len(MARK):end])
                    if row[k] is None:
                        row[k] = at
                        self.count += 1
                        if self.count == self.expected:
                            self.done.set()
            except Exception:  # noqa: BLE001 - counted as a closed socket, its misses as losses
                pass
            self.closed.append(index)
        return asyncio.create_task(run())

    async def drive(self, sockets, frame_for, n_ideas: int, rate: float, settle_s: float) -> float:
        start = time.perf_counter() + 0.2
        for k in range(n_ideas):
            delay = start + k / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            frame = frame_for(k)
            self.sent[k] = time.perf_counter()
            await sockets[k].send(frame)
        try:
            await asyncio.wait_for(self.done.wait(), settle_s)
        except asyncio.TimeoutError:
            pass
        return time.perf_counter() - start

    def figures(self) -> dict:
        latencies = [at - self.sent[k] for row in self.received for k, at in enumerate(row) if at is not None]
        last = max((at for row in self.received for at in row if at is not None), default=float("nan"))
        return {"deliveries": self.count, "expected": self.expected, "losses": self.expected - self.count,
                "per_s": self.count / (last - min(self.sent.values())),
                "p50_ms": percentile(latencies, 50) * 1e3, "p99_ms": percentile(latencies, 99) * 1e3,
                "max_ms": max(latencies, default=float("nan")) * 1e3}


def idea_payload(k: int, author: int) -> dict:
    """An event the size of Inspraak's idea.posted, for the baseline to carry."""
    return {"type": "idea.posted", "seq": 1000 + k, "at": "2025-01-01T12:00:00.000000Z",
            "idea": {"id": 5000 + k, "board": 1, "column": "", "author": {"id": author, "name": f"Citizen {author}"},
                     "text": f"{MARK}{k} More trees and benches on the square, and shade for the market",
                     "builds_on": None, "status": "visible", "reactions": {"agree": 0, "disagree": 0, "pass": 0},
                     "edited": False, "created_at": "2025-01-01T12:00:00.000000Z"}}


async def open_all(urls, origin, cookies, *, welcome: bool, concurrency=40):
    """Open the sockets; with `welcome`, also wait for each one's welcome frame."""
    sem = asyncio.Semaphore(concurrency)

    async def one(url, cookie):
        async with sem:
            headers = {"Cookie": cookie} if cookie else {}
            ws = await connect(url, origin=origin, additional_headers=headers, compression=None,
                               ping_interval=None, open_timeout=60, max_size=2 ** 24)
            if welcome:
                async with asyncio.timeout(60):
                    frame = json.loads(await ws.recv())
                assert frame["type"] == "welcome", frame
            return ws

    return await asyncio.gather(*(one(u, c) for u, c in zip(urls, cookies)))


async def quiet(stat: ProcStat, *, below: float = 0.05, timeout: float = 120) -> None:
    """Wait until the worker uses less than `below` of a core over half a second."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = stat.cpu_s()
        await asyncio.sleep(0.5)
        if stat.cpu_s() - before < below * 0.5:
            return
    raise RuntimeError("the worker did not go quiet")


async def measure(worker_pid: int, sockets, load: Load, frame_for, args) -> dict:
    readers = [load.read(i, ws) for i, ws in enumerate(sockets)]
    stat, rstat = ProcStat(worker_pid), None
    await quiet(stat)  # connect-time work (presence events to everyone) is not part of the figure
    rpid = redis_pid()
    if rpid:
        rstat = ProcStat(rpid)
    cpu0, main0, rcpu0 = stat.cpu_s(), stat.main_thread_cpu_s(), rstat.cpu_s() if rstat else 0
    elapsed = await load.drive(sockets, frame_for, args.ideas, args.rate, args.settle)
    cpu1, main1, rcpu1 = stat.cpu_s(), stat.main_thread_cpu_s(), rstat.cpu_s() if rstat else 0
    out = load.figures()
    out["elapsed_s"] = elapsed
    out["cpu_s"] = cpu1 - cpu0
    out["cpu_us_per_delivery"] = (cpu1 - cpu0) / max(load.count, 1) * 1e6
    # The event loop (framing, fan-out, socket writes) apart from the other threads (database work).
    out["loop_us_per_delivery"] = (main1 - main0) / max(load.count, 1) * 1e6
    out["redis_us_per_delivery"] = (rcpu1 - rcpu0) / max(load.count, 1) * 1e6 if rstat else float("nan")
    out["closed_sockets"] = len(load.closed)
    for ws in sockets:
        await ws.close()
    for task in readers:
        task.cancel()
    return out


async def run_inspraak(args) -> dict:
    with Stack("fanout", workers=1, env=dict(e.split("=", 1) for e in args.env)) as stack:
        worker = stack.workers[0]
        pin(worker.pid, WORKER_CPU)
        facilitator, code = stack.workshop("Fan-out")
        people = join_many(worker.url, code, [f"Citizen {i}" for i in range(args.sockets)])
        path = worker.ws_url(f"/ws/workshops/{code}/")
        async with connect(path, origin=worker.url, additional_headers={"Cookie": facilitator.cookie_header()},
                           compression=None) as staff:
            welcome = json.loads(await staff.recv())
            await staff.send(json.dumps({"type": "workshop.start", "ref": "start"}))
            while json.loads(await staff.recv()).get("type") != "ack":
                pass
        board = welcome["boards"][0]["id"]
        sockets = await open_all([path] * args.sockets, worker.url, [c.cookie_header() for c, _ in people],
                                 welcome=True)
        load = Load(args.sockets, args.ideas)

        def frame_for(k):
            return json.dumps({"type": "idea.post", "ref": f"k{k}", "board": board,
                               "text": f"{MARK}{k} More trees and benches on the square, and shade for the market"})

        out = await measure(worker.pid, sockets, load, frame_for, args)
        out["acks"] = sum(1 for a in load.acks.values() if a["type"] == "ack")
        out["rss_mb"] = worker.stat.rss_bytes() / 2 ** 20
        return out


async def run_baseline(args) -> dict:
    with Stack("baseline", workers=1, application="bench.baseline:application") as stack:
        worker = stack.workers[0]
        pin(worker.pid, WORKER_CPU)
        path = worker.ws_url("/ws/chat/bench/")
        sockets = await open_all([path] * args.sockets, worker.url, [""] * args.sockets, welcome=False)
        load = Load(args.sockets, args.ideas)

        def frame_for(k):
            return json.dumps({"ref": f"k{k}", "event": idea_payload(k, k)})

        out = await measure(worker.pid, sockets, load, frame_for, args)
        out["acks"] = len(load.acks)
        out["rss_mb"] = worker.stat.rss_bytes() / 2 ** 20
        return out


def show(name: str, r: dict) -> None:
    print(f"{name:10s} deliveries {r['deliveries']}/{r['expected']}  losses {r['losses']}  "
          f"acks {r['acks']}  p50 {r['p50_ms']:.1f} ms  p99 {r['p99_ms']:.1f} ms  max {r['max_ms']:.1f} ms  "
          f"worker CPU {r['cpu_s']:.2f} s = {r['cpu_us_per_delivery']:.0f} µs/delivery "
          f"(event loop {r['loop_us_per_delivery']:.0f}, other threads "
          f"{r['cpu_us_per_delivery'] - r['loop_us_per_delivery']:.0f}; Redis {r['redis_us_per_delivery']:.0f})  "
          f"closed sockets {r['closed_sockets']}  "
          f"RSS {r['rss_mb']:.0f} MiB  {r['per_s']:.0f} deliveries/s from the first send to the last delivery",
          flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", type=int, default=300)
    parser.add_argument("--ideas", type=int, default=100)
    parser.add_argument("--rate", type=float, default=10.0, help="ideas per second")
    parser.add_argument("--settle", type=float, default=30.0, help="seconds to wait for the last deliveries")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the Inspraak worker (repeatable)")
    args = parser.parse_args()
    if args.ideas > args.sockets:
        parser.error("each idea comes from a different citizen: --ideas must not exceed --sockets")
    os.sched_setaffinity(0, {CLIENT_CPU})
    print(f"fan-out: {args.sockets} sockets x {args.ideas} ideas at {args.rate:g}/s; "
          f"worker on core {WORKER_CPU}, client on core {CLIENT_CPU}", flush=True)
    ours = asyncio.run(run_inspraak(args))
    show("inspraak", ours)
    if args.skip_baseline:
        return 0 if ours["losses"] == 0 else 1
    base = asyncio.run(run_baseline(args))
    show("baseline", base)
    ratio = base["cpu_us_per_delivery"] / ours["cpu_us_per_delivery"]
    print(f"ratio: the baseline spends {ratio:.1f}x the worker CPU per delivery "
          f"(target at least 5x); Inspraak p99 {ours['p99_ms']:.1f} ms (target < 100), "
          f"losses {ours['losses']} (target 0)", flush=True)
    return 0 if ours["losses"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
