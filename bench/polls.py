"""A live poll answered by 1,000 sockets within 10 seconds, on one worker.

    .venv/bin/python bench/polls.py [--voters 1000] [--seconds 10] [--kind single]

A started workshop on one Daphne worker (PostgreSQL, Redis), as `make serve`
runs it, with the default command limit per participant (20 per 10 s: each
voter answers once). --voters people join and keep a socket open; so do one
observer (a citizen who does not answer) and the facilitator. Once the worker
is quiet, the facilitator opens a `live` poll of --kind (single: 4 options;
ranking: 5), and the voters answer it, answer k at k * seconds / voters from
voter k, so that the last goes out at --seconds.

Printed:

- ack latency of `poll.answer` (send -> ack): p50, p99, max; errors by code;
- `poll.results` updates the observer saw: how many, how many a second on
  average over the answering, the most within any 1-second window, the
  shortest gap between two, and how long after
  the last ack the observer held the final count (target: at most 2 a second,
  the final count held);
- the worker's CPU over the answering.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Histogram, LiveClient, Stack, arrive, quiet, started_workshop  # noqa: E402

DEFAULT_COMMAND_LIMIT = {"INSPRAAK_RATE_LIMIT_COMMANDS": "20", "INSPRAAK_RATE_LIMIT_WINDOW_S": "10"}
OPTIONS = {"single": ["Trees", "Benches", "Water", "Light"], "ranking": ["Trees", "Benches", "Water", "Light", "Play"]}


class Observer(LiveClient):
    """Keeps the time and `n` of every `poll.results` it gets (and of `poll.closed`)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.updates: list[tuple[float, int]] = []
        self.polls: dict[int, dict] = {}

    def event(self, event):
        if event["type"] == "poll.results":
            self.updates.append((time.monotonic(), event["results"]["n"]))
        elif event["type"] == "poll.opened":
            self.polls[event["poll"]["id"]] = event["poll"]


class Voter(LiveClient):
    """Answers once; what it receives is counted, not decoded."""

    decode_snapshot = False
    decode_events = False


def answer_for(kind: str, options: list[int], k: int) -> dict:
    if kind == "single":
        return {"choice": options[k % len(options)]}
    shift = k % len(options)
    return {"ranking": options[shift:] + options[:shift]}


async def run(args) -> dict:
    with Stack("polls", workers=1, env=DEFAULT_COMMAND_LIMIT) as stack:
        worker = stack.workers[0]
        stat = worker.stat
        facilitator_http, code = await started_workshop(stack, "Poll bench")
        failures = Counter()
        started = time.monotonic()
        sem = asyncio.Semaphore(100)

        async def one(name, make):
            async with sem:
                client = await arrive(worker, code, name, make, failures=failures)
            if client is None:
                raise RuntimeError(f"{name} could not join: {dict(failures)}")
            return client

        voters = await asyncio.gather(*(one(f"Voter {i}", Voter) for i in range(args.voters)))
        observer = await one("Observer", Observer)
        facilitator = await Observer("Facilitator").open(worker, f"/ws/workshops/{code}/",
                                                         facilitator_http.cookie_header())
        await quiet([stat])
        print(f"{len(voters)} voters, an observer and the facilitator connected in {time.monotonic() - started:.0f} s "
              f"({sum(failures.values())} failed attempts, tried again: {dict(failures) or 'none'})", flush=True)

        ack = await facilitator.send({"type": "poll.open", "ref": "open", "question": "What first?", "kind": args.kind,
                                      "options": OPTIONS[args.kind], "results": "live"})
        assert ack["type"] == "ack", ack
        poll = ack["id"]
        while poll not in observer.polls:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # the voters have poll.opened too
        option_ids = [o["id"] for o in observer.polls[poll]["options"]]

        latency, errors, pending = Histogram(), Counter(), []
        cpu0 = stat.cpu_s()
        start = time.monotonic()
        for k, voter in enumerate(voters):
            delay = start + k * args.seconds / len(voters) - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            sent = time.monotonic()
            future = voter.send({"type": "poll.answer", "ref": f"a{k}", "poll": poll, **answer_for(args.kind, option_ids, k)})

            def done(f, sent=sent):
                if f.cancelled():
                    return
                latency.add(time.monotonic() - sent)
                if f.result()["type"] != "ack":
                    errors[f.result().get("code", "?")] += 1

            future.add_done_callback(done)
            pending.append(future)
        behind = time.monotonic() - start - args.seconds * (len(voters) - 1) / len(voters)
        _, unanswered = await asyncio.wait(pending, timeout=60)
        errors["no answer"] += len(unanswered)
        last_ack = time.monotonic()
        answered = len(voters) - sum(errors.values())
        while time.monotonic() - last_ack < 10 and (not observer.updates or observer.updates[-1][1] < answered):
            await asyncio.sleep(0.05)
        final_after = time.monotonic() - last_ack
        cpu = stat.cpu_s() - cpu0
        for client in [*voters, observer, facilitator]:
            client.close()
        return {"latency": latency, "errors": {k: v for k, v in errors.items() if v}, "behind": behind,
                "answered": answered, "updates": observer.updates, "staff_updates": facilitator.updates,
                "start": start, "last_ack": last_ack, "final_after": final_after, "cpu": cpu}


def rates(updates: list[tuple[float, int]], start: float, end: float) -> tuple[int, float, int, float]:
    """How many updates, per second over [start, end], the most within any 1-second window, the shortest gap."""
    times = [t for t, _ in updates]
    if not times:
        return 0, 0.0, 0, float("nan")
    most = max(sum(1 for u in times[i:] if u - t < 1.0) for i, t in enumerate(times))
    gaps = [b - a for a, b in zip(times, times[1:])]
    return len(times), len(times) / max(end - start, 1e-9), most, min(gaps, default=float("nan"))


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voters", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10, help="the answers go out evenly over this many seconds")
    parser.add_argument("--kind", choices=sorted(OPTIONS), default="single")
    args = parser.parse_args()
    print(f"poll bench: {args.voters} voters answer a live {args.kind} poll within {args.seconds:g} s on one worker "
          f"(PostgreSQL, Redis); the default command limit; INSPRAAK_RATE_LIMIT_JOINS raised (everyone joins from "
          f"127.0.0.1)", flush=True)
    began = time.monotonic()
    r = asyncio.run(run(args))
    lat = r["latency"]
    n, rate, peak, gap = rates(r["updates"], r["start"], r["last_ack"])
    sn, srate, speak, sgap = rates(r["staff_updates"], r["start"], r["last_ack"])
    print(f"\n| voters | kind | answers acked | ack p50 / p99 / max | results updates at the observer: n, per s, "
          f"most within 1 s, shortest gap | final count held after the last ack | worker CPU |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {args.voters:,} in {args.seconds:g} s | {args.kind} | {r['answered']:,} | {ms(lat.percentile(50))} / "
          f"{ms(lat.percentile(99))} / {ms(lat.max_s)} | {n}, {rate:.1f}/s, {peak}, {ms(gap)} | "
          f"{ms(r['final_after'])} | {r['cpu']:.1f} s |")
    print(f"\nerrors: {r['errors'] or 'none'}; the sender was {max(r['behind'], 0):.2f} s behind schedule at the end; "
          f"the facilitator saw {sn} updates ({srate:.1f}/s, at most {speak} within 1 s, shortest gap {ms(sgap)}); "
          f"the observer's last update counted {r['updates'][-1][1] if r['updates'] else 0}; "
          f"whole run {time.monotonic() - began:.0f} s", flush=True)
    ok = not r["errors"] and peak <= 2 and r["updates"] and r["updates"][-1][1] == r["answered"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
