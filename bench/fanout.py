"""Fan-out: N sockets in one workshop on one worker, K ideas from K citizens at R per second.

    .venv/bin/python bench/fanout.py [--sockets 300[,600,...]] [--ideas 100] [--rate 10] [--skip baseline|bare]
                                     [--rounds N] [--env NAME=VALUE ...] [--profile PATH]

Runs the load three times in one go, each time on a fresh server process pinned
to core 0 (taskset) with this client pinned to core 1:

1. Inspraak (config.asgi, one Daphne worker on PostgreSQL and Redis): N
   citizens join over HTTP and open a socket each; citizens 0..K-1 each post
   one idea (`idea.post`), one every 1/R seconds. Every socket must receive
   every `idea.posted`.
2. The Channels tutorial pattern (bench/baseline.py, one Daphne worker on
   channels-redis): N sockets in one group; K of them each send one message of
   the same size at the same rate, which the consumer `group_send`s to the
   group and every member `send_json`s.
3. A bare `websockets` server (bench/bare.py): the same sockets and messages;
   it broadcasts each one to every socket and stores nothing.

For each it prints deliveries, losses, p50/p99 latency (from the sending
client's send to each socket's receipt), the size of the frames delivered and
the server's CPU microseconds per delivery (utime+stime of all its threads
from /proc/<pid>/stat, from the first send to the last delivery, divided by
the deliveries; split into the event loop thread, which does the fan-out, and
the others, which run the commands' database work), then Inspraak's ratio to
each yardstick. The connect-time work (presence events) is over before the
measurement starts. `--rate 1000` sends everything at once, for the saturation
throughput. The Inspraak worker runs with the rate limit raised
(INSPRAAK_RATE_LIMIT_COMMANDS, bench/common.py).

With several sizes (`--sockets 100,300,600`) it runs the whole load at each and
then splits each server's CPU per idea into what an idea costs once, whatever
the sockets (the command, the channel layer, the server's idle work), and what
each socket adds (the frame's send), by a least-squares line through the sizes;
and says at how many sockets Inspraak's CPU per delivery comes within 2x of
each yardstick's.

`--rounds N` runs every server N times at each size, Inspraak first in odd
rounds and last in even ones, and prints the median ratio, its range and how
many rounds came within 2x; the fit takes each server's median CPU. The
machine's speed drifts over minutes (the bare server's own figure has moved
by a third between runs), so one round says little about a ratio near 2x.

`--profile PATH` (one size) runs py-spy (`pip install py-spy` into the
virtualenv) on the Inspraak worker while the ideas go out: the stacks of the
thread holding the GIL, 250 a second, in py-spy's raw format (one line per
stack and count, each line beginning with its thread), and prints the
worker's CPU per idea by thread (the event loop, the database threads, the
rest).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bare import BareServer  # noqa: E402
from bench.common import REPO, ProcStat, Stack, join_many, percentile, pin  # noqa: E402
from harness.daphne import free_port  # noqa: E402
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
        self.frame_bytes = 0  # of the last idea frame received: the yardsticks' must match Inspraak's

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
                    self.frame_bytes = len(raw.encode())
                    while pos >= 0:  # a batch frame (PROTOCOL.md 2.3) may carry several ideas
                        end = raw.find(" ", pos)
                        k = int(raw[pos + len(MARK):end])
                        if row[k] is None:
                            row[k] = at
                            self.count += 1
                            if self.count == self.expected:
                                self.done.set()
                        pos = raw.find(MARK, end)
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
                "frame_bytes": self.frame_bytes,
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


async def measure(worker_pid: int, sockets, load: Load, frame_for, args, profile: str | None = None) -> dict:
    readers = [load.read(i, ws) for i, ws in enumerate(sockets)]
    stat, rstat = ProcStat(worker_pid), None
    await quiet(stat)  # connect-time work (presence events to everyone) is not part of the figure
    rpid = redis_pid()
    if rpid:
        rstat = ProcStat(rpid)
    profiler = start_profile(worker_pid, profile) if profile else None
    threads0 = thread_cpu(worker_pid) if profiler else {}
    cpu0, main0, rcpu0 = stat.cpu_s(), stat.main_thread_cpu_s(), rstat.cpu_s() if rstat else 0
    elapsed = await load.drive(sockets, frame_for, args.ideas, args.rate, args.settle)
    cpu1, main1, rcpu1 = stat.cpu_s(), stat.main_thread_cpu_s(), rstat.cpu_s() if rstat else 0
    if profiler is not None:
        stop_profile(profiler)
        threads1, names = thread_cpu(worker_pid), thread_names(profile)
        by_name: dict[str, float] = {}
        for tid, cpu in threads1.items():
            name = (names.get(tid) or "unnamed").rstrip("_0123456789")
            by_name[name] = by_name.get(name, 0.0) + cpu - threads0.get(tid, 0.0)
        print("worker CPU by thread, µs per idea:", ", ".join(
            f"{name} {cpu * 1e6 / args.ideas:.0f}" for name, cpu in sorted(by_name.items(), key=lambda i: -i[1])
            if cpu > 0), flush=True)
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


def start_profile(pid: int, path: str) -> subprocess.Popen:
    """py-spy on the worker for the measured phase alone: raw stacks of the thread holding the GIL."""
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        raise SystemExit(f"--profile needs py-spy in the virtualenv: {spy.parent / 'pip'} install py-spy")
    return subprocess.Popen([str(spy), "record", "--pid", str(pid), "--gil", "--threads", "--nonblocking",
                             "--rate", "250", "--format", "raw", "--output", path],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def thread_cpu(pid: int) -> dict[int, float]:
    """CPU seconds of each of a process's threads, by thread id."""
    out: dict[int, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended
            continue
        out[int(task.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def thread_names(profile: str) -> dict[int, str]:
    """Python's names of the threads py-spy saw (the kernel knows them all as "python")."""
    names = {}
    for line in Path(profile).read_text().splitlines():
        head = line.split(";", 1)[0]  # thread (TID): NAME, or thread (TID) where py-spy knows no name
        if head.startswith("thread ("):
            tid, _, name = head[len("thread ("):].partition(")")
            names[int(tid)] = name.removeprefix(": ")
    return names


def stop_profile(profiler: subprocess.Popen) -> None:
    profiler.send_signal(signal.SIGINT)  # py-spy writes what it has and exits
    profiler.wait(timeout=60)


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

        out = await measure(worker.pid, sockets, load, frame_for, args, profile=args.profile)
        out["acks"] = sum(1 for a in load.acks.values() if a["type"] == "ack")
        out["rss_mb"] = worker.stat.rss_bytes() / 2 ** 20
        return out


def relay_frame(k: int) -> str:
    """What a yardstick's poster sends: an event the size of Inspraak's idea.posted, to pass on to all."""
    return json.dumps({"ref": f"k{k}", "event": idea_payload(k, k)})


async def run_relay(args, pid: int, ws_url: str, origin: str) -> dict:
    """The load on a yardstick server: N bare sockets, K of them sending relay_frame at the rate."""
    pin(pid, WORKER_CPU)
    sockets = await open_all([ws_url] * args.sockets, origin, [""] * args.sockets, welcome=False)
    load = Load(args.sockets, args.ideas)
    out = await measure(pid, sockets, load, relay_frame, args)
    out["acks"] = len(load.acks)
    out["rss_mb"] = ProcStat(pid).rss_bytes() / 2 ** 20
    return out


async def run_baseline(args) -> dict:
    with Stack("baseline", workers=1, application="bench.baseline:application") as stack:
        worker = stack.workers[0]
        return await run_relay(args, worker.pid, worker.ws_url("/ws/chat/bench/"), worker.url)


async def run_bare(args) -> dict:
    port = free_port()
    with BareServer(port, REPO / "var" / "bench" / f"bare-{port}.log") as server:
        return await run_relay(args, server.pid, server.ws_url("/"), server.url)


RUNS = {"inspraak": ("Inspraak", run_inspraak), "baseline": ("Channels tutorial", run_baseline),
        "bare": ("bare websockets", run_bare)}
HEADER = (f"{'':18s} {'deliveries':>13s} {'losses':>6s} {'acks':>4s} {'p50 ms':>7s} {'p99 ms':>7s} "
          f"{'max ms':>7s} {'frame B':>7s} {'CPU µs/delivery':>15s} {'(loop + other)':>14s} {'Redis µs':>8s} "
          f"{'RSS MiB':>7s} {'deliveries/s':>12s}")


def row(name: str, r: dict) -> str:
    other = r["cpu_us_per_delivery"] - r["loop_us_per_delivery"]
    return (f"{name:18s} {r['deliveries']:>6d}/{r['expected']:<6d} {r['losses']:>6d} {r['acks']:>4d} "
            f"{r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['max_ms']:>7.1f} {r['frame_bytes']:>7d} "
            f"{r['cpu_us_per_delivery']:>15.0f} {r['loop_us_per_delivery']:>6.0f} + {other:<5.0f}  "
            f"{r['redis_us_per_delivery']:>8.0f} {r['rss_mb']:>7.0f} {r['per_s']:>12.0f}"
            + (f"  ({r['closed_sockets']} sockets closed)" if r["closed_sockets"] else ""))


def ratio(ours: dict, theirs: dict, figure: str) -> float:
    return ours[figure] / theirs[figure] if theirs[figure] else float("nan")  # a short run may take 0 CPU ticks


def split_costs(by_size: dict[int, dict], ideas: int) -> None:
    """Each server's CPU per idea as a fixed part and a part per socket, and where Inspraak comes within 2x."""
    lines = {}
    for key in by_size[next(iter(by_size))]:
        per_idea = [results[key]["cpu_s"] * 1e6 / ideas for results in by_size.values()]
        per_socket, fixed = statistics.linear_regression(list(by_size), per_idea)  # least squares
        lines[key] = fixed, per_socket
        print(f"{RUNS[key][0]}: {fixed / 1e3:.2f} ms of CPU per idea whatever the sockets, "
              f"{per_socket:.1f} µs per socket it reaches", flush=True)
    fixed, per_socket = lines["inspraak"]
    for key, (their_fixed, their_per_socket) in lines.items():
        if key == "inspraak":
            continue
        # (fixed + per_socket * n) <= 2 * (their_fixed + their_per_socket * n)
        room = 2 * their_per_socket - per_socket
        where = f"from about {max((fixed - 2 * their_fixed) / room, 0):.0f} sockets on" if room > 0 else "at no size"
        print(f"Inspraak's CPU per delivery is within 2x of {RUNS[key][0]}: {where}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", default="300", help="sockets in the workshop; several, comma-separated, "
                                                         "to split the CPU into a part per idea and per socket")
    parser.add_argument("--ideas", type=int, default=100)
    parser.add_argument("--rate", type=float, default=10.0, help="ideas per second")
    parser.add_argument("--settle", type=float, default=30.0, help="seconds to wait for the last deliveries")
    parser.add_argument("--skip", action="append", default=[], choices=["baseline", "bare"],
                        help="leave out a yardstick (repeatable)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the Inspraak worker (repeatable)")
    parser.add_argument("--profile", metavar="PATH", help="record the Inspraak worker's stacks with py-spy while "
                        "the ideas go out (raw format, the thread holding the GIL, one size only)")
    parser.add_argument("--rounds", type=int, default=1, help="run every server this many times at each size, "
                        "the order turned round each time, and report the median ratio")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sockets.split(",")]
    if args.ideas > min(sizes):
        parser.error("each idea comes from a different citizen: --ideas must not exceed --sockets")
    if args.profile and len(sizes) > 1:
        parser.error("--profile records one size")
    if args.rounds < 1 or (args.profile and args.rounds > 1):
        parser.error("--rounds is 1 or more, and --profile records one round")
    os.sched_setaffinity(0, {CLIENT_CPU})
    by_size, losses = {}, 0
    for size in sizes:
        args = argparse.Namespace(**{**vars(args), "sockets": size})
        print(f"fan-out: {size} sockets x {args.ideas} ideas at {args.rate:g}/s; "
              f"server on core {WORKER_CPU}, client on core {CLIENT_CPU}", flush=True)
        print(HEADER, flush=True)
        rounds = []
        for index in range(args.rounds):
            results = one_round(args, reverse=index % 2 == 1)
            rounds.append(results)
            losses += results["inspraak"]["losses"]
        if args.rounds > 1:
            summarise(rounds)
        # The fit takes each server's median CPU at each size.
        by_size[size] = {key: {"cpu_s": statistics.median(r[key]["cpu_s"] for r in rounds)} for key in rounds[0]}
    if len(set(sizes)) > 1:
        split_costs(by_size, args.ideas)
    return 0 if losses == 0 else 1


def one_round(args, *, reverse: bool) -> dict[str, dict]:
    """Every server once at this size, Inspraak first or (`reverse`) last: the machine's speed drifts over
    minutes, and turning the order round in every other round keeps the drift from favouring one side."""
    order = [key for key in RUNS if key not in args.skip]
    results = {}
    for key in reversed(order) if reverse else order:
        results[key] = asyncio.run(RUNS[key][1](args))
        print(row(RUNS[key][0], results[key]), flush=True)
    ours = results["inspraak"]
    for key, theirs in results.items():
        if key == "inspraak":
            continue
        print(f"Inspraak / {RUNS[key][0]}: {ratio(ours, theirs, 'cpu_us_per_delivery'):.2f}x the CPU per "
              f"delivery, {ratio(ours, theirs, 'p99_ms'):.2f}x the p99", flush=True)
    print(f"targets: CPU per delivery at most 2x the bare server's; Inspraak p99 {ours['p99_ms']:.1f} ms "
          f"(< 100 ms); losses {ours['losses']} (0)", flush=True)
    return results


def summarise(rounds: list[dict[str, dict]]) -> None:
    """The ratio of CPU per delivery to each yardstick over the rounds: median, range, rounds within 2x."""
    for key in rounds[0]:
        if key == "inspraak":
            continue
        ratios = sorted(ratio(r["inspraak"], r[key], "cpu_us_per_delivery") for r in rounds)
        within = sum(1 for value in ratios if value <= 2)
        print(f"over {len(rounds)} rounds, Inspraak / {RUNS[key][0]}: median {statistics.median(ratios):.2f}x the CPU "
              f"per delivery ({', '.join(f'{value:.2f}' for value in ratios)}); within 2x in {within}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
