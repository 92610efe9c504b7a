"""Replay a real Pol.is conversation through live sockets, and check every client's final reaction counts.

    .venv/bin/python bench/replay_polis.py [folder] [--workers 1|2] [--duration 600] [--max-gap 600]

A folder is a name under /work/shared/data/polis/ (default
scoop-hivemind.biodiversity: 536 people, 316 statements, 29,802 votes). Every
participant joins over HTTP and keeps one socket open (spread over the workers
in turn); statements are posted as ideas (`idea.post`, by their author) and
votes sent as reactions (`idea.react`: 1 agree, -1 disagree, 0 pass; a later
vote replaces an earlier one, as in Pol.is), in the order of their timestamps,
on a compressed clock: pauses longer than --max-gap real seconds are cut to
that, and the rest is scaled so that the replay lasts --duration seconds. A
vote never goes out before its statement is acknowledged (and approved, when
screening held it). Every idea and reaction is delivered to every socket.

At the end every client must hold exactly the reaction counts of the data
(the last vote of each person on each statement). Printed: wall time, command
rate, deliveries, ack latency (send -> ack) and delivery latency (the event's
`at`, when it was stored, -> each socket's receipt) as p50/p99/max, errors, and
each worker's CPU. The workers run with the rate limit raised (bench/common.py).

Pol.is data: The Computational Democracy Project, CC BY 4.0 (see the folder's README).
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import sys
import time
from array import array
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ProcStat, Stack, join_many, percentile  # noqa: E402
from bench.wire import open_wire  # noqa: E402
from harness import POLIS  # noqa: E402

VALUES = {"1": "agree", "-1": "disagree", "0": "pass"}


def load(folder: str):
    """Statements and votes in time order, the people, and the final counts per statement."""
    path = Path(folder) if Path(folder).is_dir() else POLIS / folder
    with open(path / "comments.csv", newline="", encoding="utf-8") as f:
        comments = list(csv.DictReader(f))
    with open(path / "votes.csv", newline="", encoding="utf-8") as f:
        votes = list(csv.DictReader(f))
    actions = [(int(c["timestamp"]), 0, "post", c["comment-id"], c["author-id"], c["comment-body"]) for c in comments]
    actions += [(int(v["timestamp"]), 1, "vote", v["comment-id"], v["voter-id"], VALUES[v["vote"]]) for v in votes]
    actions.sort(key=lambda a: (a[0], a[1]))
    last = {}
    for _, _, kind, cid, who, value in actions:
        if kind == "vote":
            last[(who, cid)] = value
    expected = defaultdict(lambda: {"agree": 0, "disagree": 0, "pass": 0})
    for (_, cid), value in last.items():
        expected[cid][value] += 1
    people = sorted({a[4] for a in actions}, key=int)
    return path.name, actions, people, {c["comment-id"]: expected[c["comment-id"]] for c in comments}


def schedule(actions, duration: float, max_gap_s: float) -> list[float]:
    """Replay times: real gaps capped at max_gap, then scaled to last `duration` seconds."""
    times, t, previous = [], 0.0, actions[0][0]
    for ms, *_ in actions:
        t += min((ms - previous) / 1000, max_gap_s)
        previous = ms
        times.append(t)
    scale = duration / times[-1] if times[-1] else 0
    return [x * scale for x in times]


class Client:
    """One participant's socket: the reaction counts it holds, and latencies it saw."""

    __slots__ = ("name", "sock", "seq", "counts", "replies", "latencies", "events", "welcome")

    def __init__(self, name: str, latencies: array, *, keep_welcome: bool = False):
        self.name = name
        self.welcome = {} if keep_welcome else None
        self.sock = None
        self.seq = 0
        self.counts: dict[int, dict] = {}
        self.replies: dict[str, asyncio.Future] = {}
        self.latencies = latencies
        self.events = 0

    def on_text(self, payload: bytes) -> None:
        frame = json.loads(payload)
        kind = frame["type"]
        if kind in ("ack", "error"):
            future = self.replies.pop(frame["ref"], None)
            if future is not None and not future.done():
                future.set_result(frame)
            return
        seq = frame.get("seq")
        if seq is None:
            return
        if kind == "welcome":
            self.seq = seq
            if self.welcome is not None:
                self.welcome.update(frame)
            return
        if seq <= self.seq:
            raise AssertionError(f"{self.name}: seq {seq} after {self.seq}")
        self.seq = seq
        self.events += 1
        self.latencies.append(time.time() - datetime.fromisoformat(frame["at"]).timestamp())
        if kind == "idea.reacted":
            self.counts[frame["idea"]] = frame["reactions"]
        elif kind in ("idea.posted", "idea.held", "idea.edited", "idea.restored"):
            self.counts[frame["idea"]["id"]] = frame["idea"]["reactions"]

    def send(self, frame: dict) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.replies[frame["ref"]] = future
        self.sock.send_text(json.dumps(frame))
        return future


async def quiet(stats: list[ProcStat], *, below: float = 0.05, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = [s.cpu_s() for s in stats]
        await asyncio.sleep(1.0)
        if all(s.cpu_s() - b < below for s, b in zip(stats, before)):
            return
    raise RuntimeError("the workers did not go quiet")


async def run(args) -> dict:
    name, actions, people, expected = load(args.folder)
    times = schedule(actions, args.duration, args.max_gap)
    with Stack("replay", workers=args.workers) as stack:
        facilitator_http, code = stack.workshop(f"Pol.is: {name}")
        workers = stack.workers
        stats = [w.stat for w in workers]
        latencies = array("f")
        clients: dict[str, Client] = {}

        async def connect(client: Client, worker, cookie: str):
            host, port = worker.server.host, worker.server.port
            client.sock = await open_wire(host, port, f"/ws/workshops/{code}/", origin=worker.url, cookie=cookie,
                                          on_text=client.on_text)

        staff = Client("facilitator", array("f"), keep_welcome=True)
        await connect(staff, workers[0], facilitator_http.cookie_header())
        while not staff.welcome:
            await asyncio.sleep(0.05)
        board = staff.welcome["boards"][0]["id"]
        reply = await staff.send({"type": "workshop.start", "ref": "start"})
        assert reply["type"] == "ack", reply

        started = time.monotonic()
        joined = join_many(workers[0].url, code, [f"Polis {p}" for p in people], threads=16)
        sem = asyncio.Semaphore(50)

        async def open_one(n, person, http):
            async with sem:
                client = clients[person] = Client(person, latencies)
                await connect(client, workers[n % len(workers)], http.cookie_header())

        await asyncio.gather(*(open_one(n, p, http) for n, (p, (http, _)) in enumerate(zip(people, joined))))
        await quiet(stats)
        print(f"{len(people)} participants joined and connected ({len(workers)} worker(s)) in "
              f"{time.monotonic() - started:.0f} s; replaying {len(actions)} actions over {args.duration:.0f} s",
              flush=True)
        del latencies[:]

        idea_of: dict[str, int] = {}
        ready: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        ack_latency = array("f")
        errors = Counter()
        pending: list[asyncio.Task] = []
        cpu0 = [s.cpu_s() for s in stats]

        async def post(cid, author, text):
            sent = time.monotonic()
            reply = await clients[author].send({"type": "idea.post", "ref": f"c{cid}", "board": board, "text": text})
            ack_latency.append(time.monotonic() - sent)
            if reply["type"] != "ack":
                errors[f"idea.post {reply['code']}"] += 1
                return
            idea_of[cid] = reply["id"]
            if reply["status"] == "held":  # screening held it: the facilitator approves, as a moderator would
                approved = await staff.send({"type": "idea.approve", "ref": f"a{cid}", "idea": reply["id"]})
                if approved["type"] != "ack":
                    errors[f"idea.approve {approved['code']}"] += 1
                errors["held by screening, approved"] += 1
            ready[cid].set()

        async def vote(n, cid, voter, value):
            if not ready[cid].is_set():
                await ready[cid].wait()
            sent = time.monotonic()
            reply = await clients[voter].send({"type": "idea.react", "ref": f"v{n}", "idea": idea_of[cid],
                                               "value": value})
            ack_latency.append(time.monotonic() - sent)
            if reply["type"] != "ack":
                errors[f"idea.react {reply['code']}"] += 1

        begin, client_cpu0 = time.monotonic(), sum(os.times()[:2])
        for n, ((_, _, kind, cid, who, data), at) in enumerate(zip(actions, times)):
            delay = begin + at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            pending.append(asyncio.create_task(post(cid, who, data) if kind == "post" else vote(n, cid, who, data)))
        behind = time.monotonic() - begin - times[-1]
        await asyncio.gather(*pending)
        acked = time.monotonic() - begin

        # Every client must end with exactly the counts in the data.
        want = {idea_of[cid]: counts for cid, counts in expected.items() if cid in idea_of}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            wrong = [c for c in clients.values() if any(c.counts.get(i) != w for i, w in want.items())]
            if not wrong:
                break
            await asyncio.sleep(0.5)
        done = time.monotonic() - begin
        cpu = [s.cpu_s() - c for s, c in zip(stats, cpu0)]
        client_cpu = sum(os.times()[:2]) - client_cpu0
        deliveries = sum(c.events for c in clients.values())
        for client in [staff, *clients.values()]:
            client.sock.close()
        return {"name": name, "workers": len(workers), "people": len(people), "actions": len(actions),
                "statements": len(expected), "posted": len(idea_of), "votes": len(actions) - len(expected),
                "duration": args.duration, "behind_s": behind, "acked_s": acked, "wall_s": done,
                "deliveries": deliveries, "wrong_clients": len(wrong), "errors": dict(errors),
                "ack_p50": percentile(list(ack_latency), 50), "ack_p99": percentile(list(ack_latency), 99),
                "ack_max": max(ack_latency, default=float("nan")),
                "p50": percentile(list(latencies), 50), "p99": percentile(list(latencies), 99),
                "max": max(latencies, default=float("nan")), "cpu": cpu, "client_cpu": client_cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", default="scoop-hivemind.biodiversity")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--duration", type=float, default=600, help="replay seconds the conversation is scaled to")
    parser.add_argument("--max-gap", type=float, default=600, help="real seconds a pause is cut to, before scaling")
    args = parser.parse_args()
    r = asyncio.run(run(args))
    ok = r["wrong_clients"] == 0 and r["posted"] == r["statements"]
    print(f"{r['name']} on {r['workers']} worker(s): {r['people']} sockets, {r['statements']} statements, "
          f"{r['votes']} votes in {r['duration']:.0f} s of schedule ({r['actions'] / r['duration']:.0f} commands/s "
          f"on average)", flush=True)
    print(f"  wall time {r['wall_s']:.0f} s to the last count right at every client (all acks after "
          f"{r['acked_s']:.0f} s; the sender was {max(r['behind_s'], 0):.1f} s behind schedule at the end)")
    print(f"  {r['deliveries']} deliveries ({r['deliveries'] / r['wall_s']:.0f}/s); "
          f"ack latency p50 {r['ack_p50'] * 1e3:.0f} ms, p99 {r['ack_p99'] * 1e3:.0f} ms, max {r['ack_max'] * 1e3:.0f} ms; "
          f"delivery latency (stored -> received) p50 {r['p50'] * 1e3:.0f} ms, p99 {r['p99'] * 1e3:.0f} ms, "
          f"max {r['max'] * 1e3:.0f} ms")
    print(f"  worker CPU: {', '.join(f'{c:.0f} s' for c in r['cpu'])}; this client: {r['client_cpu']:.0f} s; "
          f"errors: {r['errors'] or 'none'}")
    print(f"  every client holds exactly the data's reaction counts: {'yes' if ok else 'NO'} "
          f"({r['wrong_clients']} clients differ)", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
