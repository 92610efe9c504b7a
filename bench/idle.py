"""Idle sockets: how much memory and CPU one worker spends on sockets that only stay open.

    .venv/bin/python bench/idle.py [--sockets 5000] [--workshops 50] [--idle 60]

One Daphne worker (PostgreSQL, Redis) pinned to core 0, this client on core 1.
The sockets are spread over live workshops (by default 50 workshops of 100
citizens, as a city running many at once; `--workshops 1` puts them all in one).
Every citizen joins over HTTP and opens one socket; once the worker is quiet
again (the presence events of all the arrivals delivered), it prints the
worker's resident memory before and after (per socket), then its CPU use over
`--idle` seconds with every socket open and nothing happening, from
/proc/<pid>/stat. Daphne pings each socket every 20 s; the client answers.
Target: under 1 GB in all for 5,000 sockets.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ProcStat, Stack, join_many, percentile, pin  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

WORKER_CPU, CLIENT_CPU = 0, 1


def allow_files(sockets: int) -> None:
    """Let this process, and the worker it starts (which inherits the limit), hold a descriptor per socket."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = sockets + 1000  # and the database, Redis and HTTP connections
    if soft >= need:
        return
    if hard != resource.RLIM_INFINITY and hard < need:
        raise SystemExit(f"{sockets} sockets need {need} file descriptors; `ulimit -n` allows at most {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))


async def quiet(stat: ProcStat, *, below: float = 0.05, timeout: float = 600) -> float:
    """Wait until the worker uses less than `below` of a core over a second; return how long it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        before = stat.cpu_s()
        await asyncio.sleep(1.0)
        if stat.cpu_s() - before < below:
            return time.monotonic() - started
    raise RuntimeError("the worker did not go quiet")


async def start_workshops(stack: Stack, count: int) -> list[str]:
    worker = stack.workers[0]
    facilitator = stack.facilitator()
    codes = []
    for n in range(count):
        status, body = facilitator.post("/api/workshops", {"title": f"Wijk {n}", "language": "nl"})
        assert status == 201, (status, body)
        codes.append(body["code"])
        async with connect(worker.ws_url(f"/ws/workshops/{body['code']}/"), origin=worker.url,
                           additional_headers={"Cookie": facilitator.cookie_header()}, compression=None) as ws:
            assert json.loads(await ws.recv())["type"] == "welcome"
            await ws.send(json.dumps({"type": "workshop.start", "ref": "start"}))
            while json.loads(await ws.recv()).get("type") != "ack":
                pass
    return codes


async def run(args) -> None:
    with Stack("idle", workers=1) as stack:
        worker = stack.workers[0]
        pin(worker.pid, WORKER_CPU)
        stat = ProcStat(worker.pid)
        started = time.monotonic()
        codes = await start_workshops(stack, args.workshops)
        per = args.sockets // args.workshops
        people = []
        for n, code in enumerate(codes):
            people += [(code, client) for client, _ in join_many(worker.url, code, [f"Burger {n}.{i}" for i in range(per)],
                                                                    threads=16)]
        print(f"{len(people)} citizens joined {len(codes)} workshops in {time.monotonic() - started:.0f} s", flush=True)
        await quiet(stat)
        rss_before = stat.rss_bytes()

        sem = asyncio.Semaphore(100)
        sockets, handshakes = [], []

        async def open_one(code, client):
            async with sem:
                asked = time.monotonic()
                ws = await connect(worker.ws_url(f"/ws/workshops/{code}/"), origin=worker.url,
                                   additional_headers={"Cookie": client.cookie_header()}, compression=None,
                                   max_queue=None, open_timeout=120, ping_interval=None)
                handshakes.append(time.monotonic() - asked)
                async with asyncio.timeout(120):
                    assert json.loads(await ws.recv())["type"] == "welcome"
                sockets.append(ws)

        started, cpu0 = time.monotonic(), stat.cpu_s()
        await asyncio.gather(*(open_one(code, client) for code, client in people))
        opened, open_cpu = time.monotonic() - started, stat.cpu_s() - cpu0
        settled = await quiet(stat)
        rss_after = stat.rss_bytes()
        print(f"{len(sockets)} sockets open in {opened:.0f} s, 100 at a time; the worker was quiet again "
              f"{settled:.0f} s later; its CPU while they opened {open_cpu:.0f} s "
              f"({1e3 * open_cpu / len(sockets):.0f} ms per socket); handshake p50 {percentile(handshakes, 50):.2f} s, "
              f"p99 {percentile(handshakes, 99):.2f} s, max {max(handshakes):.2f} s", flush=True)

        cpu0 = stat.cpu_s()
        await asyncio.sleep(args.idle)
        idle_cpu = stat.cpu_s() - cpu0
        closed = sum(1 for ws in sockets if ws.close_code is not None)
        n = len(sockets)
        print(f"worker RSS {rss_before / 2**20:.0f} MiB before the sockets, {rss_after / 2**20:.0f} MiB with {n} open: "
              f"{(rss_after - rss_before) / n / 1024:.1f} KiB per socket; {rss_after / 2**30:.2f} GiB in all "
              f"(target < 1 GiB)", flush=True)
        print(f"idle: {idle_cpu:.2f} s of CPU in {args.idle:.0f} s = {100 * idle_cpu / args.idle:.1f}% of a core "
              f"({1e6 * idle_cpu / args.idle / n:.1f} µs per socket per second); {closed} sockets closed meanwhile",
              flush=True)
        for ws in sockets:
            ws.transport.abort()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", type=int, default=5000)
    parser.add_argument("--workshops", type=int, default=50)
    parser.add_argument("--idle", type=float, default=60, help="seconds to measure idle CPU over")
    args = parser.parse_args()
    os.sched_setaffinity(0, {CLIENT_CPU})
    allow_files(args.sockets)
    print(f"idle: {args.sockets} sockets in {args.workshops} workshops on one worker (core {WORKER_CPU}), "
          f"client on core {CLIENT_CPU}", flush=True)
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
