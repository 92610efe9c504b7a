"""Reaction storm: hundreds of reactions a second into a workshop that a thousand people watch, on two workers.

    .venv/bin/python bench/reaction_storm.py [--observers 1000] [--rate 300] [--duration 60]
                                             [--reactors 300] [--ideas 100] [--workers 2]

A started workshop on two Daphne workers (PostgreSQL, Redis) with --ideas ideas
(written straight into the database, as tests/bulk.py does). --observers people
join and keep a socket open, doing nothing; --reactors other people join too.
Everyone is split between the workers (person i on worker i mod 2). Once the
workers are quiet (the arrivals told), the reactors send `idea.react`,
--rate a second in all for --duration seconds: reaction k goes out at k/rate
from reactor k mod reactors, so each reactor reacts rate/reactors times a
second. The workers run with the default command limit per participant (20 per
10 s), as a real workshop does, so that rate must stay within it: use enough
reactors. Each reactor reacts to each idea at most once (in an order of its own)
with agree, disagree or pass at random: reactions only add, so an idea's total
only grows.

Printed:

- frames per observer socket per second (WebSocket frames: a `batch` is one),
  those that carry reaction updates (`idea.reacted`, alone or in a batch) and
  all: max over observers and seconds, and p99 over observers and the seconds
  of the storm; and how many frames came less than 200 ms after the one before
  at their socket (the server coalesces over 0.25 s; closer frames were sent
  closer, or met on the way). This client decodes every observer's every
  frame, hundreds of thousands of events a second, on the two cores the workers
  and the database use too: it falls behind and reads in bunches, which moves
  frames into the next second of its own clock. So --probes more observers
  (50) sit in a process of their own that decodes nothing and only notes when
  each frame came: their frames per second (target: at most 4 from reactions)
  and the shortest gap between two frames at one socket are what a socket
  gets, within a few milliseconds;
- delivery latency of reaction updates: from a reaction's ack at its reactor
  to the moment an observer holds counts for that idea that include it, for
  every reaction at every observer: p50, p99 (target under 1 s), max; and
  from the reaction's send, which no observer can beat. An observer holds a
  reaction once its counts for the idea add up to at least the total the ack
  reported (reactions only add here);
- ack latency of the reactions (send -> ack): p50, p99, max; errors by code;
  the rate at which they were acked (the workers' throughput when they fall
  behind the schedule);
- once every reaction is answered (--answers s at most), every observer's
  counts against the database's (target: all exact), and how long after the
  last answer they were; when they differ, how;
- the workers' CPU during the storm (event loops, and the other threads: the
  commands' database work), and this client's.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from array import array
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    REACTIONS, Histogram, LiveClient, Stack, arrive, db_counts, differences, percentile, quiet, started_workshop)
from tests.bulk import bulk_ideas  # noqa: E402

# A real workshop's command limit (config/settings.py's defaults), instead of bench/common.py's raised one.
CLOSE_GAP_S = 0.2  # the server coalesces for 0.25 s (INSPRAAK_COALESCE_S): frames closer than this say why a
# second may hold more than 4
DEFAULT_COMMAND_LIMIT = {"INSPRAAK_RATE_LIMIT_COMMANDS": "20", "INSPRAAK_RATE_LIMIT_WINDOW_S": "10"}


class Observer(LiveClient):
    """Watches: its counts per idea, when each total was first reached, its frames per second."""

    def __init__(self, name: str):
        super().__init__(name)
        self.counts: dict[int, dict] = {}
        self.reached: dict[int, array] = {}  # idea -> [time the total first reached 1, 2, ...]
        self.start: float | None = None  # the storm's start; frames before it are not counted
        self.frames_per_s: Counter = Counter()
        self.reaction_frames_per_s: Counter = Counter()
        self.last: float | None = None  # when the last frame came, and the gaps between frames
        self.close_gaps = 0  # closer than CLOSE_GAP_S: the server sent them closer, or they met on the way
        self.shortest = float("inf")

    def snapshot(self, welcome):
        for idea in welcome["ideas"]:
            self.counts[idea["id"]] = idea["reactions"]
            self.reached[idea["id"]] = array("d", [0.0] * sum(idea["reactions"].values()))

    def event(self, event):
        if event["type"] != "idea.reacted":
            return
        idea, counts = event["idea"], event["reactions"]
        self.counts[idea] = counts
        reached, total = self.reached.setdefault(idea, array("d")), sum(counts.values())
        if total > len(reached):
            reached.extend([time.monotonic()] * (total - len(reached)))

    def frame(self, events):
        if self.start is None:
            return
        now = time.monotonic()
        if self.last is not None:
            self.shortest = min(self.shortest, now - self.last)
            self.close_gaps += now - self.last < CLOSE_GAP_S
        self.last = now
        second = int(now - self.start)
        self.frames_per_s[second] += 1
        if any(e["type"] == "idea.reacted" for e in events):
            self.reaction_frames_per_s[second] += 1


class Probe(LiveClient):
    """An observer in the probe process: notes when each reaction frame came, decodes nothing."""

    decode_events = False

    def __init__(self, name: str):
        super().__init__(name)
        self.start: float | None = None
        self.arrivals: list[float] = []

    def on_text(self, payload: bytes) -> None:
        if self.start is not None and b'"idea.reacted"' in payload:
            self.arrivals.append(time.monotonic() - self.start)
        super().on_text(payload)


async def probe_process(args) -> None:
    """The probes' side (--probe-of): join, say `ready`, note frames between `start` and `stop` on stdin,
    print per probe its reaction frames per second and its shortest gap, as JSON."""
    from types import SimpleNamespace
    workers = [SimpleNamespace(server=SimpleNamespace(host=host, port=int(port)), url=f"http://{host}:{port}")
               for host, port in (w.rsplit(":", 1) for w in args.probe_of.split(","))]
    failures: Counter = Counter()
    probes = [await arrive(workers[i % len(workers)], args.code, f"Probe {i}", Probe, failures=failures)
              for i in range(args.probes)]
    if None in probes:
        raise RuntimeError(f"a probe could not join: {dict(failures)}")
    loop = asyncio.get_running_loop()
    print("ready", flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)  # start
    now = time.monotonic()
    for probe in probes:
        probe.start = now
    await loop.run_in_executor(None, sys.stdin.readline)  # stop
    seconds = int(args.duration)
    print(json.dumps([{"per_s": [sum(1 for t in p.arrivals if int(t) == k) for k in range(seconds)],
                       "shortest": min((b - a for a, b in zip(p.arrivals, p.arrivals[1:])), default=None)}
                      for p in probes]), flush=True)
    for probe in probes:
        probe.close()


async def start_probes(stack: Stack, code: str, args):
    """The probe process, once its probes are in."""
    workers = ",".join(f"{w.server.host}:{w.server.port}" for w in stack.workers)
    process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--probe-of", workers, "--code", code, "--probes", str(args.probes),
        "--duration", str(args.duration), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    line = await asyncio.wait_for(process.stdout.readline(), timeout=300)
    if line.strip() != b"ready":
        raise RuntimeError(f"the probe process did not start: {line!r}")
    return process


async def probe_results(process) -> list[dict]:
    process.stdin.write(b"stop\n")
    await process.stdin.drain()
    line = await asyncio.wait_for(process.stdout.readline(), timeout=120)
    await process.wait()
    return json.loads(line)


class Reactor(LiveClient):
    """Reacts; the events it receives are counted, not decoded (the observers are what is measured)."""

    decode_events = False


async def join_all(stack: Stack, code: str, names: list[str], make, failures: Counter, *,
                   concurrency: int = 100) -> list:
    """Join these people and open their sockets, person i on worker i mod n, a few at a time."""
    sem = asyncio.Semaphore(concurrency)

    async def one(i, name):
        async with sem:
            client = await arrive(stack.workers[i % len(stack.workers)], code, name, make, failures=failures)
        if client is None:
            raise RuntimeError(f"{name} could not join: {dict(failures)}")
        return client

    return await asyncio.gather(*(one(i, name) for i, name in enumerate(names)))


async def storm(reactors: list[Reactor], ideas: list[int], args) -> tuple[list, Histogram, Counter, float]:
    """Send the reactions on schedule and wait for their answers (at most --answers seconds after the last).

    Returns (idea, total in the ack, ack time, send time) per acked reaction, the ack latencies, errors
    by code ("no answer" for those still unanswered), and how far behind its schedule the sender was."""
    rng = random.Random(13)
    orders = [rng.sample(ideas, len(ideas)) for _ in reactors]
    acked: list[tuple[int, int, float, float]] = []
    ack_latency, errors = Histogram(), Counter()
    pending = []
    total = int(args.rate * args.duration)
    start = time.monotonic()

    def answered(idea, sent):
        def done(future):
            if future.cancelled():
                return
            reply, now = future.result(), time.monotonic()
            ack_latency.add(now - sent)
            if reply["type"] == "ack":
                acked.append((idea, sum(reply["reactions"].values()), now, sent))
            else:
                errors[reply.get("code", "?")] += 1
        return done

    for k in range(total):
        delay = start + k / args.rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        n = k % len(reactors)
        idea = orders[n][k // len(reactors)]
        future = reactors[n].send({"type": "idea.react", "ref": f"r{k}", "idea": idea, "value": rng.choice(REACTIONS)})
        future.add_done_callback(answered(idea, time.monotonic()))
        pending.append(future)
    behind = time.monotonic() - start - (total - 1) / args.rate
    _, unanswered = await asyncio.wait(pending, timeout=args.answers)
    if unanswered:
        errors["no answer"] += len(unanswered)
        for future in unanswered:
            future.cancel()
    return acked, ack_latency, errors, behind


def deliveries(observers: list[Observer], acked: list) -> tuple[Histogram, Histogram, int]:
    """Until an observer holds the reaction, for every acked reaction at every observer: from the ack
    and from the send; and how many it never held."""
    from_ack, from_send, missing = Histogram(), Histogram(), 0
    for observer in observers:
        reached = observer.reached
        for idea, total, at, sent in acked:
            times = reached.get(idea)
            if times is None or len(times) < total:
                missing += 1
            else:
                from_ack.add(times[total - 1] - at)
                from_send.add(times[total - 1] - sent)
    return from_ack, from_send, missing


def per_second(observers: list[Observer], attr: str, seconds: int) -> tuple[int, float]:
    """Max over observers and all seconds, p99 over observers and the storm's seconds."""
    peak = max((max(getattr(o, attr).values(), default=0) for o in observers), default=0)
    values = [getattr(o, attr).get(s, 0) for o in observers for s in range(seconds)]
    return peak, percentile(values, 99)


async def run(args) -> dict:
    with Stack("reactions", workers=args.workers, env=DEFAULT_COMMAND_LIMIT) as stack:
        stats = [w.stat for w in stack.workers]
        _, code = await started_workshop(stack, "Reaction storm")
        bulk_ideas(stack.env, code, args.ideas, chars=args.chars)
        started = time.monotonic()
        failures = Counter()
        observers = await join_all(stack, code, [f"Observer {i}" for i in range(args.observers)], Observer, failures)
        reactors = await join_all(stack, code, [f"Reactor {i}" for i in range(args.reactors)], Reactor, failures)
        prober = await start_probes(stack, code, args) if args.probes else None
        await quiet(stats)
        ideas = sorted(observers[0].counts)
        print(f"{len(observers)} observers and {len(reactors)} reactors joined and connected in "
              f"{time.monotonic() - started:.0f} s ({sum(failures.values())} failed attempts, tried again: "
              f"{dict(failures) or 'none'}); {len(ideas)} ideas", flush=True)

        cpu0, client0 = [s.cpu_s() for s in stats], sum(os.times()[:2])
        loop0 = [s.main_thread_cpu_s() for s in stats]
        now = time.monotonic()
        for o in observers:
            o.start = now
        if prober:
            prober.stdin.write(b"start\n")
            await prober.stdin.drain()
        acked, ack_latency, errors, behind = await storm(reactors, ideas, args)
        last_ack = time.monotonic()
        while True:  # the database is read again each time: a command not yet answered may still commit
            truth = db_counts(stack, code)
            wrong = [o for o in observers if o.counts != truth]
            if not wrong or time.monotonic() - last_ack > args.settle:
                break
            await asyncio.sleep(0.5)
        exact_after = time.monotonic() - last_ack
        probed = await probe_results(prober) if prober else []
        if wrong:
            print(f"observers that differ from the database: {differences([o.counts for o in observers], truth)}",
                  flush=True)
        cpu = [s.cpu_s() - c for s, c in zip(stats, cpu0)]
        loop = [s.main_thread_cpu_s() - c for s, c in zip(stats, loop0)]
        client_cpu = sum(os.times()[:2]) - client0
        closed = Counter(o.close_code for o in [*observers, *reactors] if o.close_code is not None)
        seconds = int(args.duration)
        frames_peak, frames_p99 = per_second(observers, "frames_per_s", seconds)
        reaction_peak, reaction_p99 = per_second(observers, "reaction_frames_per_s", seconds)
        delivery, from_send, missing = deliveries(observers, acked)
        for client in [*observers, *reactors]:
            client.close()
        return {"observers": len(observers), "reactors": len(reactors), "ideas": len(ideas), "sent": int(args.rate * args.duration),
                "acked": len(acked), "errors": dict(errors), "behind_s": behind, "reactions_in_db": sum(
                    sum(c.values()) for c in truth.values()),
                "ack": ack_latency, "delivery": delivery, "from_send": from_send, "missing": missing,
                "frames_peak": frames_peak, "frames_p99": frames_p99,
                "reaction_peak": reaction_peak, "reaction_p99": reaction_p99,
                "probes": len(probed), "probe_peak": max((max(p["per_s"]) for p in probed), default=0),
                "probe_p99": percentile([n for p in probed for n in p["per_s"]], 99) if probed else 0,
                "probe_gap_ms": min((p["shortest"] for p in probed if p["shortest"] is not None),
                                    default=float("nan")) * 1e3,
                "wrong": len(wrong), "exact_after_s": exact_after, "closed": dict(closed),
                "cpu": cpu, "loop_cpu": loop, "client_cpu": client_cpu, "drained_s": last_ack - now,
                "frames_mean": sum(sum(o.frames_per_s.values()) for o in observers) / len(observers),
                "frames_all": sum(sum(o.frames_per_s.values()) for o in observers),
                "close_gaps": sum(o.close_gaps for o in observers),
                "shortest_ms": min(o.shortest for o in observers) * 1e3}


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--observers", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=300, help="reactions a second, from all reactors")
    parser.add_argument("--duration", type=float, default=60, help="seconds of reactions")
    parser.add_argument("--reactors", type=int, default=300, help="people who react, each rate/reactors a second")
    parser.add_argument("--ideas", type=int, default=100)
    parser.add_argument("--chars", type=int, default=200, help="characters per idea")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--answers", type=float, default=300,
                        help="seconds to wait for the last answers after the last reaction went out")
    parser.add_argument("--settle", type=float, default=60,
                        help="seconds after the last answer for every observer's counts to be exact")
    parser.add_argument("--probes", type=int, default=50,
                        help="observers in a process of their own that only time their frames (0: none)")
    parser.add_argument("--probe-of", help=argparse.SUPPRESS)  # the probe process: its workers, host:port,...
    parser.add_argument("--code", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe_of:
        asyncio.run(probe_process(args))
        return 0
    per_reactor = args.rate / args.reactors
    if per_reactor * 10 > 20 * 0.9:
        parser.error(f"{per_reactor:.2f} reactions a second per reactor trips the default limit of 20 per 10 s: "
                     "use more --reactors")
    if args.rate * args.duration / args.reactors > args.ideas:
        parser.error("each reactor reacts to an idea once: more --ideas (or --reactors) needed")
    print(f"reaction storm: {args.observers} observers, {args.rate:g} reactions/s for {args.duration:g} s from "
          f"{args.reactors} reactors ({per_reactor:.2f}/s each; the default command limit of 20 per 10 s), "
          f"{args.ideas} ideas; {args.workers} workers (PostgreSQL, Redis), people split between them. Load-test "
          f"settings: INSPRAAK_RATE_LIMIT_JOINS raised (everyone joins from 127.0.0.1)", flush=True)
    started = time.monotonic()
    r = asyncio.run(run(args))
    d, a, s = r["delivery"], r["ack"], r["from_send"]
    print("\n| observers | reactions/s x s | frames per observer per s from reactions: max / p99 | the same at "
          "the probes (a process of their own): max / p99 | all frames: "
          "max / p99 | delivery p50 / p99 / max | ack p50 / p99 / max | observers exact | worker CPU | client CPU |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {r['observers']:,} | {args.rate:g} x {args.duration:g} | {r['reaction_peak']} / {r['reaction_p99']:g} | "
          f"{r['probe_peak']} / {r['probe_p99']:g} | "
          f"{r['frames_peak']} / {r['frames_p99']:g} | {ms(d.percentile(50))} / {ms(d.percentile(99))} / "
          f"{ms(d.max_s)} | {ms(a.percentile(50))} / {ms(a.percentile(99))} / {ms(a.max_s)} | "
          f"{r['observers'] - r['wrong']} of {r['observers']} | "
          f"{' + '.join(f'{c:.0f}' for c in r['cpu'])} s | {r['client_cpu']:.0f} s |")
    print(f"\n{r['acked']} of {r['sent']} reactions acked (errors: {r['errors'] or 'none'}; the sender was "
          f"{max(r['behind_s'], 0):.1f} s behind schedule at the end), {r['reactions_in_db']} in the database; "
          f"the last answer {r['drained_s']:.0f} s after the first reaction: {r['acked'] / r['drained_s']:.0f} "
          f"reactions/s acked; worker CPU {sum(r['cpu']) / max(r['acked'], 1) * 1e3:.1f} ms per reaction (event loops "
          f"{' + '.join(f'{c:.0f}' for c in r['loop_cpu'])} s, other threads, the commands' database work, "
          f"{' + '.join(f'{c - l:.0f}' for c, l in zip(r['cpu'], r['loop_cpu']))} s); "
          f"{d.n:,} deliveries measured ({d.early:,} seen by the observer before the ack reached its sender), "
          f"{r['missing']:,} never held; {r['frames_mean']:.0f} frames per observer in all, "
          f"{r['close_gaps']:,} of {r['frames_all']:,} less than {CLOSE_GAP_S * 1e3:.0f} ms after the one before "
          f"(shortest {r['shortest_ms']:.0f} ms); at the {r['probes']} probes the shortest gap between two "
          f"frames {r['probe_gap_ms']:.0f} ms; sockets closed: "
          f"{r['closed'] or 'none'}; every observer exact {r['exact_after_s']:.1f} s after the last ack"
          f"{'' if not r['wrong'] else ' (NOT: ' + str(r['wrong']) + ' observers differ from the database)'}; "
          f"delivery from the send of the reaction p50 {ms(s.percentile(50))}, p99 {ms(s.percentile(99))}; "
          f"whole run {time.monotonic() - started:.0f} s", flush=True)
    ok = not r["wrong"] and not r["missing"] and (r["probe_peak"] if r["probes"] else r["reaction_peak"]) <= 4 \
        and d.percentile(99) < 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
