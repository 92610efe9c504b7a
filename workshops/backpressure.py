"""Daphne integration: a socket whose client stops reading is closed with 4408.

Daphne writes every frame into Twisted's transport buffer without limit, so a
client that stops reading would make the server's memory grow with every event.
This wraps Daphne's send so that once a socket's unsent bytes pass the bound it
is closed with 4408 (the client resumes with `since`) and nothing more is queued.
"""
import logging

log = logging.getLogger(__name__)

CLOSE_TOO_SLOW = 4408
_installed = False


def buffered_bytes(transport) -> int:
    """Bytes a Twisted transport holds that the peer has not taken yet."""
    buffered = len(getattr(transport, "dataBuffer", b"")) - getattr(transport, "offset", 0)
    return buffered + getattr(transport, "_tempDataLen", 0)


def install(*, limit: int) -> None:
    """Bound the send buffer of every Daphne WebSocket in this process (idempotent)."""
    global _installed
    if _installed:
        return
    from daphne.ws_protocol import WebSocketProtocol

    original = WebSocketProtocol.serverSend

    def server_send(self, content, binary=False):
        if self.state != self.STATE_OPEN and self.state != self.STATE_CONNECTING:
            return  # closing: the client will resume with `since`
        transport = getattr(self, "transport", None)
        if transport is not None and buffered_bytes(transport) > limit:
            log.info("closing slow websocket %s: %d bytes unsent", self.client_addr, buffered_bytes(transport))
            self.sendClose(code=CLOSE_TOO_SLOW, reason="too slow to read; reconnect with since")
            return
        original(self, content, binary)

    WebSocketProtocol.serverSend = server_send
    _installed = True
