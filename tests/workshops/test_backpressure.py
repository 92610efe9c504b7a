"""The private Daphne, autobahn and Twisted internals that workshops/backpressure.py patches and reads.

A new release may rename or reshape them without notice: pyproject.toml keeps Daphne below its
next major, and Twisted and autobahn come with it. Each assertion names what changed.
"""
import inspect
import socket
import time

from autobahn.websocket.protocol import PreparedMessage, WebSocketServerProtocol
from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol
from twisted.internet import tcp

from workshops import backpressure


def changed(what: str) -> str:
    return f"{what}: workshops/backpressure.py relies on it; read the new release and update the patch and this test"


def parameters(function) -> list[str]:
    """The parameter names of a function, or of the original that backpressure.install wrapped."""
    return list(inspect.signature(inspect.unwrap(function)).parameters)


def source(function) -> str:
    return inspect.getsource(inspect.unwrap(function))


def test_daphne_sends_every_websocket_message_through_server_send():
    assert inspect.unwrap(WebSocketProtocol.serverSend).__module__ == "daphne.ws_protocol", \
        changed("daphne.ws_protocol.WebSocketProtocol.serverSend is gone")
    assert parameters(WebSocketProtocol.serverSend) == ["self", "content", "binary"], \
        changed("WebSocketProtocol.serverSend(self, content, binary=False) has another signature")
    assert "self.serverSend(" in source(WebSocketProtocol.handle_reply), \
        changed("WebSocketProtocol.handle_reply no longer sends websocket.send through self.serverSend")


def test_daphne_makes_each_websockets_application_through_server_create_application():
    assert parameters(Server.create_application) == ["self", "protocol", "scope"], \
        changed("daphne.server.Server.create_application(self, protocol, scope) has another signature")
    on_connect = source(WebSocketProtocol.onConnect)
    assert "self.server.create_application" in on_connect, \
        changed("WebSocketProtocol.onConnect no longer makes the application through server.create_application")
    assert "self.client_addr" in on_connect, changed("WebSocketProtocol no longer sets client_addr in onConnect")


def test_autobahn_protocol_has_the_states_options_and_close_the_patch_uses():
    assert issubclass(WebSocketProtocol, WebSocketServerProtocol), \
        changed("Daphne's WebSocketProtocol is no longer autobahn's WebSocketServerProtocol")
    for state in ("STATE_CONNECTING", "STATE_OPEN"):
        assert isinstance(getattr(WebSocketServerProtocol, state, None), int), changed(f"autobahn has no {state}")
    # Options copied from the factory when the connection is made, before the handshake that
    # create_application runs in: what cap_incoming and the 4408 close set afterwards stays.
    for option in ("maxMessagePayloadSize", "maxFramePayloadSize", "closeHandshakeTimeout"):
        assert option in WebSocketServerProtocol.CONFIG_ATTRS, changed(f"autobahn's protocol option {option} is gone")
    assert "self.closeHandshakeTimeout" in source(WebSocketServerProtocol.sendCloseFrame), \
        changed("autobahn's sendCloseFrame no longer reads closeHandshakeTimeout")
    assert parameters(WebSocketServerProtocol.sendClose)[:3] == ["self", "code", "reason"], \
        changed("autobahn's sendClose(code, reason) has another signature")


def test_autobahn_prepares_an_unmasked_text_frame_once():
    assert parameters(PreparedMessage.__init__) == ["self", "payload", "isBinary", "applyMask", "doNotCompress"], \
        changed("autobahn's PreparedMessage(payload, isBinary, applyMask, doNotCompress) has another signature")
    prepared = backpressure._prepare("hé")
    assert getattr(prepared, "payloadHybi", None) == b"\x81\x03h\xc3\xa9", \
        changed("PreparedMessage.payloadHybi is no longer the whole unmasked frame")


class Reactor:
    """Enough of a reactor for a connection to queue writes; nothing is sent."""

    def addWriter(self, selectable):
        pass

    def removeWriter(self, selectable):
        pass


def test_a_twisted_connection_holds_unsent_bytes_where_buffered_bytes_counts_them():
    ours, theirs = socket.socketpair()
    try:
        connection = tcp.Connection(ours, None, Reactor())
        connection.connected = True
        for attribute in ("_tempDataLen", "dataBuffer", "offset", "socket", "connected", "disconnecting"):
            assert hasattr(connection, attribute), changed(f"twisted.internet.tcp.Connection has no {attribute}")
        assert connection.socket is ours, changed("tcp.Connection.socket is no longer the connection's socket")
        assert backpressure.buffered_bytes(connection) == 0
        connection.write(b"x" * 10)
        assert backpressure.buffered_bytes(connection) == 10, \
            changed("tcp.Connection.write no longer counts what it queued in _tempDataLen")
        assert len(connection.dataBuffer) == connection.offset, \
            changed("tcp.Connection no longer keeps what it has not flushed out of dataBuffer until it writes")
    finally:
        ours.close()
        theirs.close()


def test_daphne_run_takes_the_handshake_timeouts_and_the_endpoints_from_the_server():
    run = source(Server.run)
    assert "openHandshakeTimeout=self.websocket_handshake_timeout" in run, \
        changed("Server.run no longer gives autobahn's openHandshakeTimeout from self.websocket_handshake_timeout")
    assert "for socket_description in self.endpoints" in run and "serverFromString(" in run, \
        changed("Server.run no longer listens on self.endpoints through Twisted's serverFromString")
    assert "self.server.websocket_connect_timeout" in source(WebSocketProtocol.check_timeouts), \
        changed("WebSocketProtocol.check_timeouts no longer rejects a handshake after server.websocket_connect_timeout")


def test_every_listening_endpoint_daphne_builds_gets_the_backlog():
    from daphne.endpoints import build_endpoint_description_strings
    from twisted.internet import reactor
    from twisted.internet.endpoints import serverFromString

    for where in ({"host": "127.0.0.1", "port": 8001}, {"host": "::1", "port": 8001}, {"unix_socket": "/run/w.sock"}):
        for endpoint in build_endpoint_description_strings(**where):
            listening = serverFromString(reactor, backpressure.with_backlog(endpoint))
            assert listening._backlog == backpressure.LISTEN_BACKLOG, \
                changed(f"Twisted's {type(listening).__name__} no longer keeps the backlog in _backlog")
    assert backpressure.with_backlog("tcp:port=8001:backlog=64") == "tcp:port=8001:backlog=64"
    assert backpressure.with_backlog("fd:fileno=3") == "fd:fileno=3"  # already listening


def test_daphne_pings_through_autobahn_which_times_out_and_matches_pongs_where_the_patch_reads():
    assert "self._sendAutoPing()" in source(WebSocketProtocol.check_timeouts), \
        changed("WebSocketProtocol.check_timeouts no longer pings through autobahn's _sendAutoPing")
    ping = source(WebSocketServerProtocol._sendAutoPing)
    for part in ("self.sendPing(self.autoPingPending)", "self.autoPingTimeoutCall = self.factory._batched_timer.call_later(",
                 "self.onAutoPingTimeout"):
        assert part in ping, changed(f"autobahn's _sendAutoPing no longer has {part}")
    pong = source(WebSocketServerProtocol.processControlFrame)
    assert "payload == self.autoPingPending" in pong and "self.autoPingTimeoutCall.cancel()" in pong, \
        changed("autobahn no longer cancels autoPingTimeoutCall on the pong of autoPingPending")
    assert "self.dropConnection(abort=True)" in source(WebSocketServerProtocol.onAutoPingTimeout), \
        changed("autobahn's onAutoPingTimeout no longer drops the connection")


class Plain:
    """A transport with a socket, as Twisted's tcp.Connection has."""

    def __init__(self, sock):
        self.socket = sock


def test_bytes_acked_counts_what_the_peer_took_from_a_tcp_socket():
    listener = socket.create_server(("127.0.0.1", 0))
    sender = socket.create_connection(listener.getsockname())
    receiver, _ = listener.accept()
    try:
        start = backpressure.bytes_acked(Plain(sender))  # 1 on Linux: the SYN counts
        assert isinstance(start, int)
        sender.sendall(b"x" * 100_000)
        taken = 0
        while taken < 100_000:
            taken += len(receiver.recv(65536))
        deadline = time.monotonic() + 5
        while backpressure.bytes_acked(Plain(sender)) < start + 100_000 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert backpressure.bytes_acked(Plain(sender)) == start + 100_000
        assert backpressure.bytes_acked(Plain(receiver)) <= 1  # it sent nothing (its SYN may count)
    finally:
        for s in (sender, receiver, listener):
            s.close()
    assert backpressure.bytes_acked(Plain(sender)) is None  # closed
    assert backpressure.bytes_acked(object()) is None  # no socket: TLS, or a test transport
