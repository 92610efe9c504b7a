"""Replay a real Pol.is conversation through live sockets, and check every client's final reaction counts.

    .venv/bin/python bench/replay_polis.py [folder] [--workers 1|2] [--duration 600] [--max-gap 600] [--clone k]
                                          [--env NAME=VALUE ...]

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

With --clone k every participant is there k times (k sockets, k people):
each clone casts that person's votes at the same moment, and the author's
first clone posts the statements, so the conversation is k times as large
(`--clone 10`: 5,360 sockets and 298,020 votes for scoop-hivemind.biodiversity)
and every count is k times the data's. One socket in k measures delivery
latency (as many as in the conversation itself): parsing every event's time
at every socket would take this client more CPU than the workers use.

The server may group events in `batch` frames and coalesce reaction updates
(PROTOCOL.md 2.3): the client unwraps batches and takes a skipped seq for what
it is; a large welcome's `snapshot.part` frames are read and not needed here.

At the end every client must hold exactly the reaction counts of the data
(the last vote of each person on each statement, times k). Printed: wall time, command
rate, deliveries (events) and frames, ack latency (send -> ack) and delivery
latency (the event's `at`, when it was stored, -> each socket's receipt) as
p50/p99/max to the millisecond, errors, and each worker's CPU and this client's. The workers run with the rate limit raised (bench/common.py).

Pol.is data: The Computational Democracy Project, CC BY 4.0 (see the folder's README).
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Histogram, Stack, arrive, db_counts, differences, quiet  # noqa: E402
from bench.wire import open_wire  # noqa: E402
from harness import POLIS  # noqa: E402

VALUES = {"1": "agree", "-1": "disagree", "0": "pass"}


def load(folder: str, clone: int = 1):
    """Statements and votes in time order, the people, and the final counts per statement.

    With clone k > 1 each person is k people (`<id>.0` .. `<id>.<k-1>`): every vote is cast by each
    of them, and a statement is posted by its author's first clone."""
    path = Path(folder) if Path(folder).is_dir() else POLIS / folder
    with open(path / "comments.csv", newline="", encoding="utf-8") as f:
        comments = list(csv.DictReader(f))
    with open(path / "votes.csv", newline="", encoding="utf-8") as f:
        votes = list(csv.DictReader(f))
    actions = [(int(c["timestamp"]), 0, "post", c["comment-id"], c["author-id"], c["comment-body"]) for c in comments]
    actions += [(int(v["timestamp"]), 1, "vote", v["comment-id"], v["voter-id"], VALUES[v["vote"]]) for v in votes]
    people = sorted({a[4] for a in actions}, key=int)
    if clone > 1:
        actions = [(t, o, kind, cid, f"{who}.{j}", data)
                   for t, o, kind, cid, who, data in actions for j in (range(1) if kind == "post" else range(clone))]
        people = [f"{who}.{j}" for who in people for j in range(clone)]
    actions.sort(key=lambda a: (a[0], a[1]))
    last = {}
    for _, _, kind, cid, who, value in actions:
        if kind == "vote":
            last[(who, cid)] = value
    expected = defaultdict(lambda: {"agree": 0, "disagree": 0, "pass": 0})
    for (_, cid), value in last.items():
        expected[cid][value] += 1
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


_reconnecting: set[asyncio.Task] = set()


class Client:
    """One participant's socket: the reaction counts it holds, and the latencies it saw (when it measures them).

    As a browser does, it opens the socket again with `?since=` when the server closes it (4408 when
    it reads too slowly to keep up, as one client process reading thousands of sockets may) and
    sends again, with the same refs, the commands not answered yet: the server answers those it
    ran already from their receipts. Closes by code are counted in `Client.closes`.
    """

    __slots__ = ("name", "sock", "seq", "counts", "replies", "latencies", "events", "frames", "welcome", "welcomed",
                 "sent", "where", "finished", "resumed")
    closes: Counter = Counter()
    reconnects: Counter = Counter()  # "resumed", "full" (the server no longer held what was missed), "failed"
    disorders = 0  # events that came with a seq not after the last one applied: a server (or client) fault

    def __init__(self, name: str, latencies: Histogram | None, *, keep_welcome: bool = False):
        self.name = name
        self.sent: dict[str, str] = {}  # the text of each command not answered yet, by ref
        self.where = None  # (worker, path, cookie) of the socket, to open it again
        self.finished = False
        self.resumed = False
        self.welcome = {} if keep_welcome else None
        self.sock = None
        self.seq = 0
        self.counts: dict[int, dict] = {}
        self.replies: dict[str, asyncio.Future] = {}
        self.latencies = latencies
        self.events = 0
        self.frames = 0
        self.welcomed = asyncio.get_running_loop().create_future()

    def on_text(self, payload: bytes) -> None:
        self.frames += 1
        frame = json.loads(payload)
        kind = frame["type"]
        if kind in ("ack", "error"):
            self.sent.pop(frame["ref"], None)
            future = self.replies.pop(frame["ref"], None)
            if future is not None and not future.done():
                future.set_result(frame)
        elif kind == "batch":
            for event in frame["events"]:
                self.on_event(event)
        elif kind == "welcome":
            self.resumed = frame.get("resumed", False)
            if not self.resumed:  # a resumed welcome has the latest seq: the replay from `since` follows it
                self.seq = frame["seq"]
            if self.welcome is not None:
                self.welcome.update(frame)
            self.snapshot_counts(frame)
            if not frame.get("parts"):
                self.welcomed.set_result(None)
        elif kind == "snapshot.part":  # the rest of a large welcome (the participants, at 5,000 people)
            self.snapshot_counts(frame)
            if frame["last"]:
                self.welcomed.set_result(None)
        elif "seq" in frame:
            self.on_event(frame)

    def snapshot_counts(self, frame: dict) -> None:
        """A full snapshot (a first welcome, or a reconnect the server could not resume) holds the counts."""
        for idea in frame.get("ideas", ()):
            self.counts[idea["id"]] = idea["reactions"]

    def on_event(self, frame: dict) -> None:
        kind, seq = frame["type"], frame["seq"]
        if seq <= self.seq:
            Client.disorders += 1
            # Raised out of data_received: the client's loop drops this socket, which then opens again.
            raise AssertionError(f"{self.name}: seq {seq} after {self.seq}")
        self.seq = seq
        self.events += 1
        if self.latencies is not None:
            self.latencies.add(time.time() - datetime.fromisoformat(frame["at"]).timestamp())
        if kind == "idea.reacted":
            self.counts[frame["idea"]] = frame["reactions"]
        elif kind in ("idea.posted", "idea.held", "idea.edited", "idea.restored"):
            self.counts[frame["idea"]["id"]] = frame["idea"]["reactions"]

    async def open(self, worker, path: str, cookie: str, *, timeout: float = 60) -> "Client":
        """Open the socket and wait for the welcome and its parts (bench.common.arrive's interface)."""
        self.where = (worker, path, cookie)
        self.sock = await open_wire(worker.server.host, worker.server.port, path, origin=worker.url, cookie=cookie,
                                    on_text=self.on_text, timeout=timeout)
        self.sock.closed.add_done_callback(self._lost)
        async with asyncio.timeout(timeout):
            await self.welcomed
        return self

    def _lost(self, closed: asyncio.Future) -> None:
        if self.finished or not self.welcomed.done():  # the end, or a first open that `arrive` tries again
            return
        Client.closes[closed.result()] += 1
        task = asyncio.get_running_loop().create_task(self.reconnect())
        _reconnecting.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(_reconnecting.discard)

    async def reconnect(self) -> None:
        """Open the socket again where this client left off, then send again what was not answered.
        A socket closed again after its welcome (its replay too slow to read as well) is opened again
        in turn, from as far as it came."""
        worker, path, cookie = self.where
        for attempt in range(30):
            await asyncio.sleep(random.uniform(0.2, 1.0) * min(attempt + 1, 10))
            if self.finished:
                return
            self.welcomed = asyncio.get_running_loop().create_future()
            try:
                self.sock = await open_wire(worker.server.host, worker.server.port, f"{path}?since={self.seq}",
                                            origin=worker.url, cookie=cookie, on_text=self.on_text, timeout=120)
                await asyncio.wait({self.welcomed, self.sock.closed}, timeout=120, return_when=asyncio.FIRST_COMPLETED)
            except Exception:  # noqa: BLE001 - counted, and tried again
                pass
            if not self.welcomed.done():
                Client.reconnects["failed"] += 1
                if self.sock is not None:
                    self.sock.close()
                continue
            Client.reconnects["resumed" if self.resumed else "full"] += 1
            self.sock.closed.add_done_callback(self._lost)  # closed already: that reconnects again
            for text in list(self.sent.values()):
                self.sock.send_text(text)
            return
        print(f"  {self.name} could not open its socket again after 30 attempts", flush=True)

    def close(self) -> None:
        self.finished = True
        if self.sock is not None:
            self.sock.close()

    def send(self, frame: dict) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.replies[frame["ref"]] = future
        text = self.sent[frame["ref"]] = json.dumps(frame)
        self.sock.send_text(text)  # on a closed socket nothing goes: the reconnect sends it
        return future


async def run(args) -> dict:
    name, actions, people, expected = load(args.folder, args.clone)
    times = schedule(actions, args.duration, args.max_gap)
    with Stack("replay", workers=args.workers, env=dict(e.split("=", 1) for e in args.env)) as stack:
        facilitator_http, code = stack.workshop(f"Pol.is: {name}")
        workers = stack.workers
        stats = [w.stat for w in workers]
        latencies = Histogram()
        clients: dict[str, Client] = {}

        staff = Client("facilitator", Histogram(), keep_welcome=True)
        await staff.open(workers[0], f"/ws/workshops/{code}/", facilitator_http.cookie_header())
        board = staff.welcome["boards"][0]["id"]
        reply = await staff.send({"type": "workshop.start", "ref": "start"})
        assert reply["type"] == "ack", reply

        started = time.monotonic()
        sem = asyncio.Semaphore(50)
        failures = Counter()

        async def open_one(n, person):
            async with sem:
                client = await arrive(workers[n % len(workers)], code, f"Polis {person}",
                                      lambda name: Client(person, latencies if n % args.clone == 0 else None),
                                      failures=failures)
            if client is None:
                raise RuntimeError(f"participant {person} could not join: {dict(failures)}")
            clients[person] = client

        await asyncio.gather(*(open_one(n, p) for n, p in enumerate(people)))
        await quiet(stats, timeout=3600)
        print(f"{len(people)} participants joined and connected ({len(workers)} worker(s)) in "
              f"{time.monotonic() - started:.0f} s ({sum(failures.values())} failed attempts, tried again: "
              f"{dict(failures) or 'none'}); replaying {len(actions)} actions over {args.duration:.0f} s",
              flush=True)
        latencies.clear()  # the arrivals' presence updates are not part of the replay
        frames0 = sum(c.frames for c in clients.values())

        idea_of: dict[str, int] = {}
        ready: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        ack_latency = Histogram()
        errors = Counter()
        pending: list[asyncio.Task] = []
        cpu0 = [s.cpu_s() for s in stats]

        async def post(cid, author, text):
            sent = time.monotonic()
            reply = await clients[author].send({"type": "idea.post", "ref": f"c{cid}", "board": board, "text": text})
            ack_latency.add(time.monotonic() - sent)
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
            ack_latency.add(time.monotonic() - sent)
            if reply["type"] != "ack":
                errors[f"idea.react {reply['code']}"] += 1

        begin, client_cpu0 = time.monotonic(), sum(os.times()[:2])

        async def progress():  # a long run says how far it is
            while True:
                await asyncio.sleep(args.progress)
                print(f"  {time.monotonic() - begin:.0f} s: {len(pending)} of {len(actions)} sent, "
                      f"{ack_latency.n} answered, ack p99 so far {ack_latency.percentile(99) * 1e3:.0f} ms; "
                      f"closed by the server {dict(Client.closes) or 'none'}, opened again "
                      f"{dict(Client.reconnects) or 'none'}; events out of order {Client.disorders}", flush=True)

        reporter = asyncio.create_task(progress())
        for n, ((_, _, kind, cid, who, data), at) in enumerate(zip(actions, times)):
            delay = begin + at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            pending.append(asyncio.create_task(post(cid, who, data) if kind == "post" else vote(n, cid, who, data)))
        behind = time.monotonic() - begin - times[-1]
        await asyncio.gather(*pending)
        acked = time.monotonic() - begin
        reporter.cancel()

        # Every client must end with exactly the counts in the data.
        want = {idea_of[cid]: counts for cid, counts in expected.items() if cid in idea_of}
        deadline = time.monotonic() + args.settle
        while time.monotonic() < deadline:
            wrong = [c for c in clients.values() if any(c.counts.get(i) != w for i, w in want.items())]
            if not wrong:
                break
            await asyncio.sleep(0.5)
        done = time.monotonic() - begin
        if wrong:
            truth = db_counts(stack, code)
            print(f"  the database {'holds' if all(truth[i] == w for i, w in want.items()) else 'does NOT hold'} "
                  f"the data's counts; clients that differ from the data: "
                  f"{differences([c.counts for c in clients.values()], want)}", flush=True)
        cpu = [s.cpu_s() - c for s, c in zip(stats, cpu0)]
        client_cpu = sum(os.times()[:2]) - client_cpu0
        deliveries = sum(c.events for c in clients.values())
        frames = sum(c.frames for c in clients.values()) - frames0
        for client in [staff, *clients.values()]:
            client.close()
        return {"name": name, "workers": len(workers), "people": len(people), "actions": len(actions),
                "statements": len(expected), "posted": len(idea_of), "votes": len(actions) - len(expected),
                "duration": args.duration, "behind_s": behind, "acked_s": acked, "wall_s": done,
                "deliveries": deliveries, "frames": frames, "wrong_clients": len(wrong), "errors": dict(errors),
                "ack_p50": ack_latency.percentile(50), "ack_p99": ack_latency.percentile(99),
                "ack_max": ack_latency.max_s, "p50": latencies.percentile(50), "p99": latencies.percentile(99),
                "max": latencies.max_s, "cpu": cpu, "client_cpu": client_cpu, "clone": args.clone,
                "closes": dict(Client.closes), "reconnects": dict(Client.reconnects), "disorders": Client.disorders}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", default="scoop-hivemind.biodiversity")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--duration", type=float, default=600, help="replay seconds the conversation is scaled to")
    parser.add_argument("--max-gap", type=float, default=600, help="real seconds a pause is cut to, before scaling")
    parser.add_argument("--clone", type=int, default=1, help="every participant k times: k times the sockets and votes")
    parser.add_argument("--progress", type=float, default=300, help="seconds between progress lines")
    parser.add_argument("--settle", type=float, default=120,
                        help="seconds after the last ack for every client to hold the right counts")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="for the workers (INSPRAAK_MAX_BUFFERED_BYTES=20000 makes them close slow sockets sooner)")
    args = parser.parse_args()
    r = asyncio.run(run(args))
    exact = r["wrong_clients"] == 0 and r["posted"] == r["statements"]
    clone = f" x{r['clone']}" if r["clone"] > 1 else ""
    print(f"{r['name']}{clone} on {r['workers']} worker(s): {r['people']} sockets, {r['statements']} statements, "
          f"{r['votes']} votes in {r['duration']:.0f} s of schedule ({r['actions'] / r['duration']:.0f} commands/s "
          f"on average)", flush=True)
    print(f"  wall time {r['wall_s']:.0f} s to the last count right at every client (all acks after "
          f"{r['acked_s']:.0f} s; the sender was {max(r['behind_s'], 0):.1f} s behind schedule at the end)")
    print(f"  {r['deliveries']} deliveries ({r['deliveries'] / r['wall_s']:.0f}/s) in {r['frames']} frames; "
          f"ack latency p50 {r['ack_p50'] * 1e3:.0f} ms, p99 {r['ack_p99'] * 1e3:.0f} ms, max {r['ack_max'] * 1e3:.0f} ms; "
          f"delivery latency (stored -> received) p50 {r['p50'] * 1e3:.0f} ms, p99 {r['p99'] * 1e3:.0f} ms, "
          f"max {r['max'] * 1e3:.0f} ms")
    print(f"  worker CPU: {', '.join(f'{c:.0f} s' for c in r['cpu'])}; this client: {r['client_cpu']:.0f} s; "
          f"errors: {r['errors'] or 'none'}")
    print(f"  sockets the server closed during the replay, by code: {r['closes'] or 'none'}; "
          f"opened again: {r['reconnects'] or 'none'}")
    print(f"  events out of seq order at a client: {r['disorders']}")
    print(f"  every client holds exactly the data's reaction counts: {'yes' if exact else 'NO'} "
          f"({r['wrong_clients']} clients differ)", flush=True)
    return 0 if exact and not r["disorders"] else 1


if __name__ == "__main__":
    sys.exit(main())
