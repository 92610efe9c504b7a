"""Join storm: thousands of people join a workshop of thousands of ideas at once, on two workers.

    .venv/bin/python bench/join_storm.py [--sockets 1000,5000] [--ideas 2000] [--chars 470]
                                         [--concurrency 100] [--workers 2] [--sample 25] [--floor]
                                         [--env NAME=VALUE ...]

For each size in --sockets, two fresh workshops on the same two Daphne workers
(PostgreSQL, Redis): one empty, one with --ideas ideas of --chars characters
(written straight into the database, as tests/bulk.py does). Into each, that
many new people join at once, --concurrency at a time (as bench/idle.py opens
its sockets), person i on worker i mod 2: the HTTP join (`GET /api/csrf`, then
`POST .../join`), the socket, and its welcome with every `snapshot.part` that
continues it. A join that fails (no HTTP answer, a refused handshake, a socket
closed before its welcome was in) is tried again, up to five times, and
counted. Printed per workshop:

- the time from the first join to the last complete welcome (target: 5,000
  within 60 s), and until both workers were quiet again (what the arrivals set
  off, such as presence updates, delivered);
- the workers' CPU over that span (utime+stime of every thread, /proc), per
  join, and the large workshop's against the empty one's of the same size, in
  the same run (target: at most 2x);
- close codes the sockets got (target: no 1011), failed attempts;
- the largest frame the server sent (target: at most 256 KiB);
- frames per socket after its welcome, and the most one socket got in a second.

With --floor the same storms run also against bench/join_floor.py: the same
three exchanges on the same frameworks, settings, middleware and database with
none of Inspraak's own work (no participant, snapshot, presence or limits). Its
CPU per join is what Daphne, Django and Channels cost for a join on this
machine, and the time until all were welcomed the least this stack takes
here; Inspraak's empty workshop is compared against it.

Every --sample-th socket decodes its welcome and parts and checks that they hold
every idea; the others only count the parts (`parts`, `last`), so that the
client does not spend the cores on decoding gigabytes of JSON.

The workers run with the join limit per address raised (every client joins from
127.0.0.1; INSPRAAK_RATE_LIMIT_JOINS, bench/common.py): a load test from one
machine is thousands of people behind one address. The sockets per participant
stay at the default (one each here).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import BENCH_LIMITS, LiveClient, Stack, arrive, quiet, started_workshop  # noqa: E402
from tests.bulk import bulk_ideas  # noqa: E402

ATTEMPTS = 5
MAX_FRAME = 256 * 1024


class Arrival(LiveClient):
    """One person who joins: when the welcome was complete, and what came after it, per second."""

    decode_events = False

    def __init__(self, name: str, start: float, *, decode: bool):
        super().__init__(name)
        self.decode_snapshot = decode
        self.start = start
        self.welcomed_at: float | None = None
        self.ideas: int | None = None
        self.after = 0
        self.per_second: Counter = Counter()

    def snapshot(self, welcome):
        self.welcomed_at = time.monotonic() - self.start
        if welcome is not None:
            self.ideas = len(welcome.get("ideas", []))

    def frame(self, events):
        self.after += 1
        self.per_second[int(time.monotonic() - self.start)] += 1


async def storm(stack: Stack, code: str, size: int, ideas: int, args) -> dict:
    """`size` people join the workshop at once; the figures of one row."""
    workers, stats = stack.workers, [w.stat for w in stack.workers]
    failures: Counter = Counter()
    closes: Counter = Counter()
    sem = asyncio.Semaphore(args.concurrency)
    cpu0, client0 = [s.cpu_s() for s in stats], sum(os.times()[:2])
    start = time.monotonic()

    async def one(i: int) -> Arrival | None:
        async with sem:
            return await arrive(workers[i % len(workers)], code, f"Citizen {i}",
                                lambda name: Arrival(name, start, decode=i % args.sample == 0),
                                failures=failures, closes=closes, attempts=ATTEMPTS, timeout=args.timeout)

    clients = await asyncio.gather(*(one(i) for i in range(size)))
    welcomed = [c for c in clients if c is not None]
    all_in = max((c.welcomed_at for c in welcomed), default=float("nan"))
    settled = await quiet(stats, timeout=args.timeout * 10)
    cpu = sum(s.cpu_s() - c for s, c in zip(stats, cpu0))
    client_cpu = sum(os.times()[:2]) - client0
    for c in welcomed:
        if c.close_code is not None:
            closes[c.close_code] += 1
    sampled = [c for c in welcomed if c.ideas is not None]
    short = sum(1 for c in sampled if c.ideas != ideas)
    row = {"size": size, "ideas": ideas, "welcomed": len(welcomed), "all_in_s": all_in,
           "quiet_s": time.monotonic() - start, "settle_s": settled, "cpu_s": cpu, "cpu_ms_per_join": cpu / size * 1e3,
           "client_cpu_s": client_cpu, "failures": dict(failures), "closes": dict(closes),
           "largest": max((c.largest for c in welcomed), default=0),
           "after_mean": sum(c.after for c in welcomed) / max(len(welcomed), 1),
           "after_max_per_s": max((max(c.per_second.values(), default=0) for c in welcomed), default=0),
           "sampled": len(sampled), "sampled_short": short,
           "rss_mib": [w.stat.rss_bytes() / 2 ** 20 for w in workers]}
    for c in welcomed:
        c.close()
    await quiet(stats, timeout=args.timeout * 10)  # the departures, before the next workshop
    return row


def show(kind: str, r: dict) -> None:
    closes = ", ".join(f"{code}: {n}" for code, n in sorted(r["closes"].items())) or "none"
    failures = ", ".join(f"{what} x{n}" for what, n in sorted(r["failures"].items())) or "none"
    print(f"{r['size']:>6} {kind:<12} welcomed {r['welcomed']}/{r['size']} in {r['all_in_s']:.1f} s, "
          f"workers quiet after {r['quiet_s']:.0f} s; worker CPU {r['cpu_s']:.1f} s = {r['cpu_ms_per_join']:.1f} ms "
          f"per join; client CPU {r['client_cpu_s']:.1f} s; closes {closes}; failed attempts {failures}; "
          f"largest frame {r['largest'] / 1024:.0f} KiB; after the welcome {r['after_mean']:.0f} frames per socket, "
          f"at most {r['after_max_per_s']} in one second; welcomes decoded {r['sampled']}, "
          f"{r['sampled_short']} without every idea; RSS {' + '.join(f'{m:.0f}' for m in r['rss_mib'])} MiB",
          flush=True)


def table(rows: list[tuple[str, dict]]) -> None:
    print("\n| sockets | workshop | all welcomed | workers quiet | worker CPU per join | vs empty | "
          "1011 closes | other closes | failed attempts | largest frame | frames per socket after welcome "
          "(most in 1 s) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    empty = {}
    for kind, r in rows:
        if kind == "empty":
            empty[r["size"]] = r["cpu_ms_per_join"]
        compared = kind not in ("empty", "floor") and r["size"] in empty
        ratio = r["cpu_ms_per_join"] / empty[r["size"]] if compared else 1.0
        others = sum(n for code, n in r["closes"].items() if code != 1011)
        print(f"| {r['size']:,} | {kind} | {r['all_in_s']:.1f} s | {r['quiet_s']:.0f} s | "
              f"{r['cpu_ms_per_join']:.1f} ms | {ratio:.2f}x | {r['closes'].get(1011, 0)} | {others} | "
              f"{sum(r['failures'].values())} | {r['largest'] / 1024:.0f} KiB | "
              f"{r['after_mean']:.0f} ({r['after_max_per_s']}) |")
    print()
    floors = {r["size"]: r for kind, r in rows if kind == "floor"}
    for size, floor in floors.items():
        if size in empty:
            print(f"{size:,} people: Inspraak's empty workshop {empty[size]:.1f} ms of worker CPU per join against "
                  f"the frameworks' floor {floor['cpu_ms_per_join']:.1f} ms "
                  f"({empty[size] / floor['cpu_ms_per_join']:.2f}x); the floor welcomed all in "
                  f"{floor['all_in_s']:.1f} s")


async def run(args) -> list[tuple[str, dict]]:
    rows = []
    with Stack("joinstorm", workers=args.workers, env=dict(e.split("=", 1) for e in args.env)) as stack:
        for size in args.sockets:
            for ideas in (0, args.ideas):
                _, code = await started_workshop(stack, f"Join storm {size} x {ideas}")
                if ideas:
                    bulk_ideas(stack.env, code, ideas, chars=args.chars)
                await quiet([w.stat for w in stack.workers])
                kind = "empty" if not ideas else f"{ideas:,} ideas"
                row = await storm(stack, code, size, ideas, args)
                show(kind, row)
                rows.append((kind, row))
    if args.floor:
        with Stack("joinfloor", workers=args.workers, application="bench.join_floor:application") as stack:
            for size in args.sockets:
                row = await storm(stack, "floor", size, 0, args)
                show("floor", row)
                rows.append(("floor", row))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", default="1000,5000", help="sizes of the storms, comma-separated")
    parser.add_argument("--ideas", type=int, default=2000)
    parser.add_argument("--chars", type=int, default=470, help="characters per idea")
    parser.add_argument("--concurrency", type=int, default=100, help="joins under way at once")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=25, help="every n-th socket decodes and checks its welcome")
    parser.add_argument("--timeout", type=float, default=120, help="seconds one join may take")
    parser.add_argument("--floor", action="store_true",
                        help="also run each storm against bench/join_floor.py, the frameworks alone")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the workers (a setting to compare), repeatable")
    args = parser.parse_args()
    args.sockets = [int(n) for n in args.sockets.split(",")]
    raised = ", ".join(f"{k}={v}" for k, v in BENCH_LIMITS.items() if k.startswith("INSPRAAK_"))
    print(f"join storm: {' then '.join(f'{n:,}' for n in args.sockets)} people into an empty workshop and one of "
          f"{args.ideas:,} ideas of {args.chars} characters; {args.workers} workers (PostgreSQL, Redis), "
          f"people split between them, {args.concurrency} joining at once. Load-test settings: {raised} "
          f"(everyone joins from 127.0.0.1; the default is 60 joins per address per 600 s); sockets per "
          f"participant at the default (one each here)", flush=True)
    started = time.monotonic()
    rows = asyncio.run(run(args))
    table(rows)
    worst = max(r["largest"] for _, r in rows)
    closes_1011 = sum(r["closes"].get(1011, 0) for _, r in rows)
    missing = sum(r["size"] - r["welcomed"] + r["sampled_short"] for _, r in rows)
    print(f"targets: largest frame {worst / 1024:.0f} KiB (<= 256), 1011 closes {closes_1011} (0), "
          f"people never welcomed or welcomed without every idea {missing} (0); "
          f"whole run {time.monotonic() - started:.0f} s", flush=True)
    return 0 if worst <= MAX_FRAME and not closes_1011 and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
