"""Daphne integration: bounded send buffers, one framing of a broadcast, and joins that queue.

It patches private parts of Daphne, autobahn and Twisted; tests/workshops/test_backpressure.py
names each one and fails when a release changes it.

Daphne writes every frame into Twisted's transport buffer without limit, so a
client that stops reading would make the server's memory grow with every event.
This wraps Daphne's send so that once a socket's unsent bytes pass the bound it
is closed with 4408 (the client resumes with `since`) and nothing more is queued.

It caps what a client may make the server buffer: a message over
TRANSPORT_MAX_BYTES fails its socket (autobahn drops it) before the application sees it,
whatever Daphne's --websocket-max-message-size says (0 there means no cap).
The protocol's own limit (16 KiB) is far below and answered with an `error`.

It also gives each WebSocket's ASGI scope the `inspraak.broadcast` extension:
the hub frames an event once per process (autobahn's PreparedMessage) and
hands the same bytes to every local socket, under the same bound, instead of
taking the ASGI send path and framing the event again for each socket. Its
`unsent()` lets a welcome larger than the bound wait for the client between parts.
Both it and Daphne's own sends (an ack, a welcome) write to the socket at once
when nothing is queued before them, rather than on Twisted's next turn.

It makes a join storm slow down instead of dropping people, however Daphne was
started. Daphne's --websocket_connect_timeout (5 s by default) makes autobahn
drop a handshake the application has not accepted by then, without an HTTP
answer. The application accepts only after Channels' AuthMiddlewareStack has
read the session, in the one database thread that every socket's connect and
welcome queue in too; in a join storm that queue is longer than 5 s. Handshakes
now have HANDSHAKE_TIMEOUT_S. And Twisted listens with a backlog of 50: past it
the kernel drops new connections' SYNs, and each client waits 1, 3, 7... s to
try again; the listening socket now takes LISTEN_BACKLOG.

It keeps a client that is taking data from being dropped as dead. Daphne pings a
socket that sent nothing for --ping-interval (20 s) and autobahn drops it,
without a close frame (1006), when no pong came within --ping-timeout (30 s).
A client that reads late (a phone on a crowded network, a browser tab that
was busy) answers the ping late, however steadily it takes what is sent to
it; when many fall behind at once, as in an overloaded workshop, they were all
dropped and all came back for a full welcome at once. Now a ping's timeout is
extended, again and again, while the peer's TCP stack acknowledges bytes sent
after it (Linux TCP_INFO): only a peer that takes nothing is dropped, and one
that takes too little is the 4408 bound's. Daphne also sent a new ping every
interval while the last was unanswered, orphaning its timeout so that a pong
later than the interval dropped the socket: one ping is pending at a time.
"""
import logging
import socket
import struct
from functools import partial, wraps

log = logging.getLogger(__name__)

__all__ = ["CLOSE_TOO_SLOW", "EXTENSION", "HANDSHAKE_TIMEOUT_S", "LISTEN_BACKLOG", "TRANSPORT_MAX_BYTES",
           "buffered_bytes", "bytes_acked", "install"]

CLOSE_TOO_SLOW = 4408
# How long a slow socket has to take what was queued and the 4408 close frame behind it,
# before the connection is dropped (autobahn's default, 1 s, drops both with it).
CLOSE_DRAIN_S = 30
EXTENSION = "inspraak.broadcast"
# The most a client can make Daphne buffer for one message. autobahn checks it against each frame's
# header, before reading the payload, and against outgoing messages too (server frames are <= 256 KiB).
TRANSPORT_MAX_BYTES = 1024 * 1024
# How long a WebSocket handshake may wait to be accepted (longer if Daphne is told so): what makes it
# wait is the joins queued ahead of it, not a slow client (behind nginx, the proxy bounds those).
HANDSHAKE_TIMEOUT_S = 120
# Connections the kernel holds for the server to accept (capped by net.core.somaxconn).
LISTEN_BACKLOG = 1024
_installed = False
# struct tcp_info (linux/tcp.h): tcpi_bytes_acked is a u64 at byte 120 (Linux 4.1 and later).
_BYTES_ACKED_AT = 120
_BYTES_ACKED = struct.Struct("=Q")
_TCP_INFO = getattr(socket, "TCP_INFO", None)


def buffered_bytes(transport) -> int:
    """Bytes a Twisted transport holds that the peer has not taken yet."""
    buffered = len(getattr(transport, "dataBuffer", b"")) - getattr(transport, "offset", 0)
    return buffered + getattr(transport, "_tempDataLen", 0)


def unsent(protocol) -> int:
    """Bytes queued on a socket that its client has not taken yet."""
    transport = getattr(protocol, "transport", None)
    return buffered_bytes(transport) if transport is not None else 0


def bytes_acked(transport) -> int | None:
    """Bytes sent on a plain TCP transport that the peer has acknowledged, or None where unknown."""
    sock = getattr(transport, "socket", None)
    if _TCP_INFO is None or sock is None:
        return None
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, _TCP_INFO, _BYTES_ACKED_AT + _BYTES_ACKED.size)
    except OSError:  # closed, or not TCP
        return None
    if len(info) < _BYTES_ACKED_AT + _BYTES_ACKED.size:
        return None
    return _BYTES_ACKED.unpack_from(info, _BYTES_ACKED_AT)[0]


def _may_queue(protocol, limit: int) -> bool:
    """Whether one more frame may be queued; a socket past the bound is closed with 4408 instead."""
    transport = getattr(protocol, "transport", None)
    if transport is not None and buffered_bytes(transport) > limit:
        log.info("closing slow websocket %s: %d bytes unsent", protocol.client_addr, buffered_bytes(transport))
        protocol.closeHandshakeTimeout = CLOSE_DRAIN_S
        protocol.sendClose(code=CLOSE_TOO_SLOW, reason="too slow to read; reconnect with since")
        return False
    return True


def cap_incoming(protocol) -> None:
    """Hold a socket's incoming messages and frames to TRANSPORT_MAX_BYTES, or less if Daphne was told so."""
    for option in ("maxMessagePayloadSize", "maxFramePayloadSize"):
        if not 0 < getattr(protocol, option, 0) <= TRANSPORT_MAX_BYTES:
            setattr(protocol, option, TRANSPORT_MAX_BYTES)


def with_backlog(endpoint: str) -> str:
    """A Twisted endpoint description that listens with LISTEN_BACKLOG, unless it says otherwise."""
    if endpoint.split(":", 1)[0] in ("tcp", "tcp6", "unix", "ssl") and ":backlog=" not in endpoint:
        return f"{endpoint}:backlog={LISTEN_BACKLOG}"
    return endpoint


def _prepare(frame: str):
    """An event frame, framed once for every socket of this process."""
    from autobahn.websocket.protocol import PreparedMessage

    return PreparedMessage(frame.encode(), False, False, True)


def install(*, limit: int) -> None:
    """Bound the send buffer of every Daphne WebSocket in this process (idempotent)."""
    global _installed
    if _installed:
        return
    from daphne.server import Server
    from daphne.ws_protocol import WebSocketProtocol
    from twisted.internet.tcp import Connection

    OPEN = WebSocketProtocol.STATE_OPEN
    original_send = WebSocketProtocol.serverSend
    original_create = Server.create_application
    original_run = Server.run
    original_ping = WebSocketProtocol._sendAutoPing
    original_ping_timeout = WebSocketProtocol.onAutoPingTimeout

    @wraps(original_send)
    def server_send(self, content, binary=False):
        if self.state == self.STATE_OPEN and not binary:
            # A frame for this socket alone (an ack, a welcome): straight to the socket, as a broadcast's.
            send_prepared(self, _prepare(content))
            return
        if self.state != self.STATE_OPEN and self.state != self.STATE_CONNECTING:
            return  # closing: the client will resume with `since`
        if _may_queue(self, limit):
            original_send(self, content, binary)

    def send_prepared(protocol, prepared) -> None:
        # The hot path of every fan-out, once per socket and frame: no call it can do without.
        if protocol.state != OPEN:
            return
        data, transport = prepared.payloadHybi, protocol.transport
        # Nothing queued before it (so order holds, and the bound cannot be passed) on a plain TCP
        # socket: send now, as asyncio's own transports do, rather than have Twisted register the
        # socket for writing and send on the next turn of the loop, which costs more than the send.
        if (isinstance(transport, Connection) and transport.connected and not transport.disconnecting
                and not transport._tempDataLen and len(transport.dataBuffer) == transport.offset):
            try:
                sent = transport.socket.send(data)
            except OSError:  # would block, or the peer went away: Twisted's write path handles both
                sent = 0
            if sent == len(data):
                return
            transport.write(data[sent:])
        elif _may_queue(protocol, limit):
            transport.write(data)

    @wraps(original_create)
    def create_application(self, protocol, scope):
        if scope.get("type") == "websocket":
            cap_incoming(protocol)  # during the handshake: no frame has been read yet
            scope.setdefault("extensions", {})[EXTENSION] = {"prepare": _prepare,
                                                            "send": partial(send_prepared, protocol),
                                                            "unsent": partial(unsent, protocol)}
        return original_create(self, protocol, scope)

    @wraps(original_run)
    def run(self):
        # Before run() builds the WebSocket factory (autobahn's openHandshakeTimeout), starts the
        # timeout checker (Daphne's own reject of a socket still connecting) and listens.
        for option in ("websocket_handshake_timeout", "websocket_connect_timeout"):
            setattr(self, option, max(getattr(self, option), HANDSHAKE_TIMEOUT_S))
        self.endpoints = [with_backlog(endpoint) for endpoint in self.endpoints]
        return original_run(self)

    @wraps(original_ping)
    def send_ping(self):
        if self.autoPingTimeoutCall is not None:
            return  # the last ping is unanswered: its timeout stands
        acked = bytes_acked(self.transport)
        original_ping(self)
        # Progress is what the peer takes after the ping itself (2 bytes of header, unmasked).
        self.inspraak_acked = None if acked is None else acked + 2 + len(self.autoPingPending or b"")

    @wraps(original_ping_timeout)
    def on_ping_timeout(self):
        acked, before = bytes_acked(self.transport), getattr(self, "inspraak_acked", None)
        if acked is not None and before is not None and acked > before and self.state == self.STATE_OPEN:
            self.inspraak_acked = acked  # the peer is taking data: wait for the pong as long again
            self.autoPingTimeoutCall = self.factory._batched_timer.call_later(self.autoPingTimeout,
                                                                              self.onAutoPingTimeout)
            return
        original_ping_timeout(self)

    WebSocketProtocol.serverSend = server_send
    WebSocketProtocol._sendAutoPing = send_ping
    WebSocketProtocol.onAutoPingTimeout = on_ping_timeout
    Server.create_application = create_application
    Server.run = run
    _installed = True
