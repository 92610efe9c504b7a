"""A bare `websockets` broadcast server, the second yardstick for bench/fanout.py: not Inspraak's code.

    .venv/bin/python -m bench.bare PORT

It takes the same frames as the Channels tutorial yardstick (bench/baseline.py):
a client's `{"ref", "event"}` is acked to its sender, and its event, encoded once
and compactly (the size of Inspraak's idea.posted), goes to every open socket
with `websockets.broadcast`. Nothing is stored, checked
or routed through a channel layer: the floor of what a Python server pays to fan
a frame out. One process, one thread, on any path.
"""
from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

from websockets.asyncio.server import broadcast, serve

REPO = Path(__file__).resolve().parents[1]


async def serve_forever(port: int) -> None:
    sockets = set()

    async def handler(ws):
        sockets.add(ws)
        try:
            async for raw in ws:
                message = json.loads(raw)
                broadcast(sockets, json.dumps(message["event"], separators=(",", ":")))  # as Inspraak encodes
                await ws.send(json.dumps({"type": "ack", "ref": message.get("ref")}))
        finally:
            sockets.discard(ws)

    async with serve(handler, "127.0.0.1", port, compression=None):
        await asyncio.get_running_loop().create_future()


class BareServer:
    """The server in a process of its own on a loopback port, for as long as the `with` lasts."""

    def __init__(self, port: int, log_path: Path):
        self.port, self.log_path = port, log_path
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def ws_url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def __enter__(self) -> "BareServer":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "bench.bare", str(self.port)], cwd=REPO,
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError(f"the bare server did not start: {self.log_path}")
                time.sleep(0.05)

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


if __name__ == "__main__":
    asyncio.run(serve_forever(int(sys.argv[1])))
