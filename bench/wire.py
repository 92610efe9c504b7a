"""A lean WebSocket client for load generation: frames parsed in data_received, no per-message task.

The `websockets` library spends more client CPU per frame than a worker spends
per delivery; replaying millions of deliveries through it would measure the
client. This speaks just enough of RFC 6455 for Inspraak's server: the
handshake, text messages (in one frame or continued over several; sent masked,
as a client must), ping -> pong and close.
"""
from __future__ import annotations

import asyncio
import base64
import json
import os

__all__ = ["HttpSession", "WireSocket", "open_wire"]


class WireSocket(asyncio.Protocol):
    """One client socket; `on_text(payload: bytes)` is called for each text frame, in order."""

    def __init__(self, on_text):
        loop = asyncio.get_running_loop()
        self.on_text = on_text
        self.buf = bytearray()
        self.handshake = loop.create_future()
        self.closed = loop.create_future()
        self.close_code: int | None = None
        self.transport: asyncio.Transport | None = None
        self.fragments: list[bytes] | None = None  # a text message split over frames, until its FIN

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.buf += data
        if not self.handshake.done():
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buf[:end])
            del self.buf[:end + 4]
            if not head.startswith(b"HTTP/1.1 101"):
                self.handshake.set_exception(ConnectionError(head.decode(errors="replace")[:200]))
                self.transport.close()
                return
            self.handshake.set_result(head)
        self._frames()

    def _frames(self):
        buf, pos, n = self.buf, 0, len(self.buf)
        while n - pos >= 2:
            b0, length, header = buf[pos], buf[pos + 1] & 0x7F, 2
            if length == 126:
                if n - pos < 4:
                    break
                length, header = int.from_bytes(buf[pos + 2:pos + 4], "big"), 4
            elif length == 127:
                if n - pos < 10:
                    break
                length, header = int.from_bytes(buf[pos + 2:pos + 10], "big"), 10
            if n - pos < header + length:
                break
            payload = bytes(buf[pos + header:pos + header + length])
            pos += header + length
            opcode, fin = b0 & 0x0F, b0 & 0x80
            if opcode == 0x1 and fin:
                self.on_text(payload)
            elif opcode == 0x1:
                self.fragments = [payload]
            elif opcode == 0x0 and self.fragments is not None:
                self.fragments.append(payload)
                if fin:
                    message, self.fragments = b"".join(self.fragments), None
                    self.on_text(message)
            elif opcode == 0x9:
                self.send_frame(0xA, payload)
            elif opcode == 0x8:
                self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                self.send_frame(0x8, payload[:2])
                self.transport.close()
        del buf[:pos]

    def connection_lost(self, exc):
        if not self.handshake.done():
            self.handshake.set_exception(exc or ConnectionError("closed during the handshake"))
        if self.close_code is None:
            self.close_code = 1006
        if not self.closed.done():
            self.closed.set_result(self.close_code)

    def send_text(self, text: str) -> None:
        self.send_frame(0x1, text.encode())

    def send_frame(self, opcode: int, payload: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        n = len(payload)
        if n < 126:
            header = bytes([0x80 | opcode, 0x80 | n])
        elif n < 1 << 16:
            header = bytes([0x80 | opcode, 0x80 | 126]) + n.to_bytes(2, "big")
        else:
            header = bytes([0x80 | opcode, 0x80 | 127]) + n.to_bytes(8, "big")
        mask = os.urandom(4)
        key = int.from_bytes((mask * (n // 4 + 1))[:n], "little")
        masked = (int.from_bytes(payload, "little") ^ key).to_bytes(n, "little") if n else b""
        self.transport.write(header + mask + masked)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.abort()


async def open_wire(host: str, port: int, path: str, *, origin: str, cookie: str, on_text,
                    timeout: float = 60) -> WireSocket:
    """Open a socket and finish the handshake; frames after it go to on_text."""
    loop = asyncio.get_running_loop()
    _, proto = await loop.create_connection(lambda: WireSocket(on_text), host, port)
    key = base64.b64encode(os.urandom(16)).decode()
    proto.transport.write((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                           f"Origin: {origin}\r\nCookie: {cookie}\r\n\r\n").encode())
    async with asyncio.timeout(timeout):
        await proto.handshake
    return proto


class HttpSession:
    """One browser's HTTP session on the lean client: a keep-alive HTTP/1.1 connection and its cookies.

    A join storm of thousands through urllib (a thread, a connection and a cookie jar per request)
    costs the client more CPU than the server spends; this is asyncio streams and enough of HTTP/1.1
    for the JSON API (Content-Length or chunked bodies, Set-Cookie).
    """

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: dict | None = None, *, timeout: float = 60):
        """Send one request and return (status, decoded JSON or None); reconnects when the server closed."""
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        data = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Accept: application/json",
                f"Content-Length: {len(data)}"]
        if body is not None:
            head.append("Content-Type: application/json")
        if method not in ("GET", "HEAD"):
            head.append(f"X-CSRFToken: {self.cookies.get('csrftoken', '')}")
        if self.cookies:
            head.append(f"Cookie: {self.cookie_header()}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        async with asyncio.timeout(timeout):
            status, headers, raw = await self._response()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, json.loads(raw) if raw else None

    async def _response(self):
        line = await self.reader.readline()
        if not line:
            raise ConnectionError(f"no HTTP response from {self.host}:{self.port}")
        status = int(line.split()[1])
        headers: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie, _, _ = value.partition(";")
                key, _, val = cookie.partition("=")
                self.cookies[key.strip()] = val.strip()
            headers[name] = value
        if "content-length" in headers:
            raw = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            raw = b""
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                raw += await self.reader.readexactly(size)
                await self.reader.readline()
            await self.reader.readline()
        else:
            raw = await self.reader.read()
            self.close()
        return status, headers, raw

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
