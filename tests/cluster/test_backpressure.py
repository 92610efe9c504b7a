"""A socket whose client stops reading is closed with 4408 once its buffer passes the bound; memory stays flat.
A socket whose client takes what it is sent but answers Daphne's pings late is not dropped as dead.

docs/protocol.md 2 (close code 4408): a socket whose unsent bytes pass INSPRAAK_MAX_BUFFERED_BYTES
is closed with 4408 (the client resumes with `since`). Twenty clients on one
worker stop reading (a 4 KiB receive buffer, never read) while the facilitator
sends, through the two other workers, more announcements than the kernel will
hold for them (about 3 MB a socket here); the worker's memory must not grow
with what they would have buffered, a reading client must get everything, and
each slow client, once it reads again, must find the 4408 close behind what
had been queued for it.
"""
import asyncio
import base64
import os
import socket
import struct
import threading
import time

import pytest

from harness.daphne import DaphneServer

from .clients import TIMEOUT, Cluster, Person

pytestmark = pytest.mark.cluster

LIMIT = 64 * 1024  # INSPRAAK_MAX_BUFFERED_BYTES for this worker
SLOW = 20
FILL, MORE = 900, 600  # announcements: past what the kernel holds per socket, then some more
TEXT = "\U0001F333" * 1000  # 4,000 bytes of UTF-8: the largest announcement


class SlowClient:
    """A WebSocket client that does the handshake and then reads nothing until told to."""

    def __init__(self, server: DaphneServer, code: str, cookie: str, receive_buffer: int | None = 4096):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(TIMEOUT)
        self.sock.connect((server.host, server.port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /ws/workshops/{code}/ HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           f"Sec-WebSocket-Version: 13\r\nOrigin: {server.url}\r\nCookie: {cookie}\r\n\r\n").encode())
        self.data = b""
        while b"\r\n\r\n" not in self.data:
            self.data += self.sock.recv(4096)
        head, self.data = self.data.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head

    def read_to_close(self, on_ping=None) -> tuple[int, int | None]:
        """Read every frame until the close frame: (text frames read, close code); pings go to on_ping."""
        frames = 0
        while True:
            while len(self.data) < 2 or len(self.data) < self._frame_length():
                try:
                    chunk = self.sock.recv(65536)
                except ConnectionResetError:
                    chunk = b""
                if not chunk:
                    return frames, None  # the connection ended without a close frame
                self.data += chunk
            length = self._frame_length()
            opcode, payload = self.data[0] & 0x0F, self.data[length - self._payload_length():length]
            self.data = self.data[length:]
            if opcode == 0x8:
                return frames, struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
            if opcode == 0x9 and on_ping:
                on_ping(payload)
            frames += opcode == 0x1

    def pong(self, payload: bytes) -> None:
        """Send a pong frame (masked, as a client's frames are)."""
        mask = os.urandom(4)
        self.sock.sendall(bytes([0x8A, 0x80 | len(payload)]) + mask
                          + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _payload_length(self) -> int:
        n = self.data[1] & 0x7F
        if n == 126:
            return struct.unpack("!H", self.data[2:4])[0] if len(self.data) >= 4 else 1 << 30
        if n == 127:
            return struct.unpack("!Q", self.data[2:10])[0] if len(self.data) >= 10 else 1 << 30
        return n

    def _frame_length(self) -> int:
        n = self.data[1] & 0x7F
        header = 2 + (2 if n == 126 else 8 if n == 127 else 0)
        return header + self._payload_length()


def rss(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.fixture
def bounded_worker(cluster_setup, tmp_path):
    env = {**cluster_setup.env, "INSPRAAK_MAX_BUFFERED_BYTES": str(LIMIT), "INSPRAAK_RATE_LIMIT_COMMANDS": "100000",
           "LOG_LEVEL": "INFO"}
    worker = DaphneServer(env, log_path=tmp_path / "bounded-worker.log")
    worker.start()
    yield Cluster(cluster_setup.db, env, [worker])
    worker.stop()
    print(f"--- {worker.log_path} (tail)\n{worker.log_tail(30)}")


async def announce(senders, tag: str, count: int) -> None:
    """Send announcements through several sockets at once, a batch in flight on each, and wait for the acks."""
    async def send(facilitator, refs):
        for start in range(0, len(refs), 50):
            batch = refs[start:start + 50]
            for ref in batch:
                await facilitator.send({"type": "announce", "ref": ref, "text": TEXT})
            await facilitator.until(lambda: all(ref in facilitator.replies for ref in batch), f"acks of {tag}")
            assert all(facilitator.replies[ref]["type"] == "ack" for ref in batch)

    refs = [f"{tag}-{n}" for n in range(count)]
    await asyncio.gather(*(send(f, refs[i::len(senders)]) for i, f in enumerate(senders)))


async def test_a_socket_that_stops_reading_is_closed_with_4408_and_memory_stays_flat(cluster, bounded_worker):
    bounded = bounded_worker.workers[0]
    facilitator, code, board = await cluster.workshop()
    # The facilitator's second socket, on the other worker: commands run in both at once.
    second = Person("facilitator-2", facilitator.http, code)
    await second.open(cluster.workers[1])
    senders = [facilitator, second]
    reader = cluster.join(code, "Lezer")
    await reader.open(bounded)
    slow = [SlowClient(bounded, code, cluster.join(code, f"Traag{n}").http.cookie_header()) for n in range(SLOW)]
    await announce(senders, "warm", 20)  # first allocations; the slow sockets' buffers begin to fill
    await reader.until(lambda: len(reader.events_of("announcement")) == 20, "the warm-up")

    pid = bounded.process.pid
    before = rss(pid)
    await announce(senders, "fill", FILL)
    await reader.until(lambda: len(reader.events_of("announcement")) == 20 + FILL, "the fill")
    middle = rss(pid)
    await announce(senders, "more", MORE)
    await reader.until(lambda: len(reader.events_of("announcement")) == 20 + FILL + MORE, "every announcement")
    after = rss(pid)

    sent = 20 + FILL + MORE
    print(f"RSS {before / 2**20:.1f} -> {middle / 2**20:.1f} -> {after / 2**20:.1f} MiB; "
          f"{SLOW} slow sockets were sent {SLOW * sent * len(TEXT.encode()) / 2**20:.0f} MiB")
    # Unbounded, the worker would hold at least one copy of every frame the kernel did not take
    # (the sockets share a broadcast frame until Twisted joins their buffers): 3 MiB and more.
    assert after - before < 2 * 2**20, (before, middle, after)
    assert after - middle < 2**20, "memory still grew once every slow socket was closed"

    for client in slow:
        frames, close_code = client.read_to_close()
        print(f"a slow socket read {frames} of {sent} announcements, then close {close_code}")
        assert close_code == 4408 and frames < sent, (frames, close_code)
    for person in (*senders, reader):
        await person.close()


class Taker(threading.Thread):
    """A SlowClient read to its end in a thread, as fast as frames come; it answers no ping, or each one late."""

    def __init__(self, client: SlowClient, pong_after: float | None = None):
        super().__init__(daemon=True)
        self.client, self.pong_after = client, pong_after
        self.frames, self.close_code, self.ended = None, None, None

    def run(self):
        self.client.sock.settimeout(None)
        late = None if self.pong_after is None else self.late_pong
        self.frames, self.close_code = self.client.read_to_close(on_ping=late)
        self.ended = time.monotonic()

    def late_pong(self, payload: bytes) -> None:
        timer = threading.Timer(self.pong_after, self.client.pong, (payload,))
        timer.daemon = True
        timer.start()


PING_TIMEOUT = 4


@pytest.fixture
def pinging_worker(cluster_setup, tmp_path):
    """A worker that pings a quiet socket every second (Daphne looks every 2 s) and waits 4 s for the pong."""
    worker = DaphneServer(cluster_setup.env, log_path=tmp_path / "pinging-worker.log",
                          args=["--ping-interval", "1", "--ping-timeout", str(PING_TIMEOUT)])
    worker.start()
    yield worker
    worker.stop()
    print(f"--- {worker.log_path} (tail)\n{worker.log_tail(30)}")


async def test_a_client_that_takes_what_it_is_sent_is_not_dropped_for_answering_pings_late(cluster, pinging_worker):
    facilitator, code, board = await cluster.workshop()
    cookie = cluster.join(code, "Neemt").http.cookie_header()
    taker = Taker(SlowClient(pinging_worker, code, cookie, receive_buffer=None))
    stalled = SlowClient(pinging_worker, code, cluster.join(code, "Stil").http.cookie_header())
    taker.start()
    sent, start = 0, time.monotonic()
    while time.monotonic() - start < 3 * PING_TIMEOUT:
        await facilitator.command({"type": "announce", "ref": f"a{sent}", "text": TEXT})
        sent += 1
        await asyncio.sleep(0.5)
    assert taker.ended is None, f"a client taking every frame was dropped after {taker.ended - start:.1f} s"
    quiet = time.monotonic()
    taker.join(timeout=TIMEOUT)
    assert taker.ended is not None, "a client that answers no ping was never dropped once nothing was sent"
    print(f"the taker read {taker.frames} frames ({sent} announcements) and was dropped "
          f"{taker.ended - quiet:.1f} s after the last, close code {taker.close_code}")
    assert taker.close_code is None and taker.frames >= sent  # dropped by the ping timeout, not closed
    assert taker.ended - quiet < 3 * PING_TIMEOUT
    # A client that took nothing after its receive buffer filled was dropped while the others were sent.
    frames, close_code = stalled.read_to_close()
    assert close_code is None and frames < sent, (frames, close_code)
    await facilitator.close()


async def test_a_pong_later_than_the_ping_interval_but_within_the_timeout_keeps_the_socket(cluster, pinging_worker):
    """Daphne pinged again every interval and autobahn then forgot the first ping's timeout, which dropped the socket."""
    facilitator, code, board = await cluster.workshop()
    late = Taker(SlowClient(pinging_worker, code, cluster.join(code, "Laat").http.cookie_header(), receive_buffer=None),
                 pong_after=PING_TIMEOUT - 1)
    late.start()
    late.join(timeout=4 * PING_TIMEOUT)
    assert late.ended is None, "a client answering every ping within the timeout was dropped"
    await facilitator.close()
