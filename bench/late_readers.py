"""Clients that read late: does the server drop them as dead, and what does it cost when it does?

    .venv/bin/python bench/late_readers.py [--sockets 300] [--pause 50] [--warm 10] [--after 20]

One Daphne worker on PostgreSQL and Redis, with Daphne's own pings (a quiet
socket is pinged every 20 s and dropped when no pong came within 30 s). --sockets
people join and keep a socket open; a facilitator announces twice a second
throughout. After --warm seconds every one of those clients stops reading for
--pause seconds (asyncio's `pause_reading`: what a client looks like whose
loop or network is busy, as the replay client's is when the two cores are past
capacity), then reads on for --after seconds. Their kernels still take what
fits in their receive buffers (an announcement is about 500 bytes).

Printed: how many sockets the server closed and with which code (1006: dropped
without a close frame, as autobahn's ping timeout does), how many of the others
hold every announcement, and the worker's CPU over the run. A dropped client
does not come back here; in a workshop each would reconnect for a welcome.

The server drops a client that takes nothing and answers no ping; one whose
kernel keeps taking data is alive, however late its pong (workshops/backpressure.py).
To compare with code from before, run this file from a worktree of that code.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import LiveClient, Stack, arrive, started_workshop  # noqa: E402

TEXT = "Het plein wordt groener: " + "x" * 440


class Listener(LiveClient):
    """A participant who counts the announcements that reach them."""

    def __init__(self, name: str = ""):
        super().__init__(name)
        self.announcements = 0

    def event(self, event: dict) -> None:
        if event.get("type") == "announcement":
            self.announcements += 1


async def run(args) -> int:
    with Stack("late", workers=1) as stack:
        worker = stack.workers[0]
        facilitator_http, code = await started_workshop(stack, "Late readers")
        facilitator = await LiveClient("facilitator").open(worker, f"/ws/workshops/{code}/",
                                                            facilitator_http.cookie_header())
        failures: Counter = Counter()
        people = []
        for start in range(0, args.sockets, 50):
            people += await asyncio.gather(*(arrive(worker, code, f"Lezer {n}", Listener, failures=failures)
                                             for n in range(start, min(start + 50, args.sockets))))
        people = [p for p in people if p is not None]
        print(f"{len(people)} sockets open ({sum(failures.values())} failed attempts), "
              f"Daphne's pings: every 20 s, 30 s for the pong")

        sent = 0
        stop = asyncio.Event()

        async def announce():
            nonlocal sent
            while not stop.is_set():
                reply = await facilitator.send({"type": "announce", "ref": f"a{sent}", "text": TEXT})
                if reply["type"] != "ack":
                    raise RuntimeError(f"announce answered {reply}")
                sent += 1
                await asyncio.sleep(0.5)

        cpu0, t0 = worker.stat.cpu_s(), time.monotonic()
        announcing = asyncio.create_task(announce())
        await asyncio.sleep(args.warm)
        for person in people:
            person.sock.transport.pause_reading()
        print(f"every client stops reading for {args.pause:.0f} s")
        await asyncio.sleep(args.pause)
        for person in people:
            if not person.sock.transport.is_closing():
                person.sock.transport.resume_reading()
        await asyncio.sleep(args.after)
        stop.set()
        await announcing
        deadline = time.monotonic() + 30
        open_ = [p for p in people if p.close_code is None]
        while time.monotonic() < deadline and any(p.announcements < sent for p in open_):
            await asyncio.sleep(0.2)
            open_ = [p for p in people if p.close_code is None]
        cpu = worker.stat.cpu_s() - cpu0
        wall = time.monotonic() - t0

        closes = Counter(p.close_code for p in people if p.close_code is not None)
        complete = sum(p.announcements == sent for p in open_)
        print(f"announcements sent: {sent} over {wall:.0f} s")
        print(f"closed by the server: {sum(closes.values())} of {len(people)}"
              + (f" ({', '.join(f'{code}: {n}' for code, n in sorted(closes.items()))})" if closes else ""))
        print(f"still open: {len(open_)}, of which {complete} hold every announcement")
        print(f"worker CPU over the run: {cpu:.1f} s")
        for person in (*people, facilitator):
            person.close()
        return 0 if complete == len(open_) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", type=int, default=300)
    parser.add_argument("--pause", type=float, default=50, help="seconds every client reads nothing")
    parser.add_argument("--warm", type=float, default=10, help="seconds of reading before the pause")
    parser.add_argument("--after", type=float, default=20, help="seconds of reading after it")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
