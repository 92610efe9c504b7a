"""The WebSocket handshake's Origin check, on the real ASGI application with explicit headers."""
import itertools

import pytest
from channels.db import database_sync_to_async as db
from channels.testing import WebsocketCommunicator

from config.asgi import application
from tests.live import make_citizen, make_workshop, session_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_env")]
_facilitators = itertools.count()


async def handshake(origin: str | None, host: str = "testserver:8000", *, scheme: str = "ws", **headers) -> bool:
    """Open a citizen's socket with these headers; True when the server accepted it and sent its welcome."""
    workshop, _ = await db(make_workshop)(username=f"fac{next(_facilitators)}")
    citizen = await db(make_citizen)(workshop, "An")
    key = await db(session_for)(citizen)
    sent = [(b"cookie", f"sessionid={key}".encode()), (b"host", host.encode())]
    if origin is not None:
        sent.append((b"origin", origin.encode()))
    sent += [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    comm = WebsocketCommunicator(application, f"/ws/workshops/{workshop.code}/", headers=sent)
    comm.scope["scheme"] = scheme
    connected, _ = await comm.connect()
    if connected:
        assert (await comm.receive_json_from(timeout=3))["type"] == "welcome"
        await comm.disconnect()
    return connected


async def test_the_servers_own_origin_is_accepted():
    assert await handshake("http://testserver:8000")
    assert await handshake("http://testserver", host="testserver")
    assert await handshake("http://testserver:80", host="testserver")
    assert await handshake("https://testserver", host="testserver", scheme="wss")


@pytest.mark.parametrize("origin", [
    "http://testserver:8001",        # another port
    "http://testserver",             # the default port is another port too
    "https://testserver:8000",       # another scheme
    "http://evil.example:8000",      # another host
    "http://testserver.evil.example:8000",
    "null",
    "",
    None,                            # no Origin at all
])
async def test_any_other_origin_is_refused_at_the_handshake(origin):
    assert not await handshake(origin)


async def test_a_plain_socket_is_refused_from_the_https_origin_and_a_secure_one_from_http():
    assert not await handshake("https://testserver", host="testserver", scheme="ws")
    assert not await handshake("http://testserver", host="testserver", scheme="wss")


async def test_a_host_that_is_not_allowed_is_refused_even_as_its_own_origin():
    """A rebound DNS name would otherwise be its own origin."""
    assert not await handshake("http://rebound.example:8000", host="rebound.example:8000")


async def test_a_trusted_origin_is_accepted(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://inspraak.example.org"]
    assert await handshake("https://inspraak.example.org")
    assert await handshake("https://inspraak.example.org:443")
    assert not await handshake("http://inspraak.example.org")


async def test_behind_the_proxy_the_scheme_is_its_forwarded_proto(settings):
    settings.ALLOWED_HOSTS = ["inspraak.example.org"]
    settings.BEHIND_PROXY = True
    assert await handshake("https://inspraak.example.org", host="inspraak.example.org", x_forwarded_proto="https")
    assert not await handshake("http://inspraak.example.org", host="inspraak.example.org", x_forwarded_proto="https")
    assert await handshake("http://inspraak.example.org", host="inspraak.example.org")


async def test_without_the_proxy_setting_a_forwarded_proto_is_ignored(settings):
    settings.ALLOWED_HOSTS = ["inspraak.example.org"]
    assert not await handshake("https://inspraak.example.org", host="inspraak.example.org", x_forwarded_proto="https")
