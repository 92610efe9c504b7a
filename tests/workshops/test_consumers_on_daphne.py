"""The workshop socket on a real Daphne process: bad frames are answered, and the socket lives on.

Only a real server shows what the in-process communicator hides: autobahn's own
rules for close codes and for the bytes a frame may carry, and what is left of
a participant when the application instance crashed.
"""
import contextlib
import json
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from harness.daphne import DaphneServer, HttpClient, ServerDatabase, manage, server_env
from tests.bulk import bulk_ideas
from workshops.backpressure import TRANSPORT_MAX_BYTES, cap_incoming

PASSWORD = "socket-test-password-1"
TIMEOUT = 10


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A migrated SQLite database with one staff account, served by a real Daphne process."""
    tmp = tmp_path_factory.mktemp("socket-server")
    db = ServerDatabase.sqlite(tmp / "db.sqlite3")
    # Four sockets at most per participant (the default), said here because the 4429 test counts on it.
    env = server_env(db.url, INSPRAAK_MAX_SOCKETS_PER_PARTICIPANT="4")
    db.prepare(env)
    manage("createsuperuser", "--noinput", "--username", "fac", "--email", "fac@example.org",
           env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD})
    with DaphneServer(env, log_path=tmp / "daphne.log") as running:
        yield running
    db.drop()


@pytest.fixture(scope="module")
def facilitator(server) -> HttpClient:
    http = HttpClient(server.url)
    assert http.post("/api/session/login", {"username": "fac", "password": PASSWORD})[0] == 200
    return http


@pytest.fixture
def code(server, facilitator):
    """A workshop of the test's own, started by its facilitator, with nobody online."""
    status, body = facilitator.post("/api/workshops", {"title": "Sockets", "language": "en"})
    assert status == 201, body
    with open_socket(server, facilitator, body["code"]) as ws:
        ws.send(json.dumps({"type": "workshop.start", "ref": "start"}))
        assert answer(ws, "start")["type"] == "ack"
    assert online(server, body["code"]) == 0
    return body["code"]


def citizen(server, code, name) -> HttpClient:
    http = HttpClient(server.url)
    status, body = http.post(f"/api/workshops/{code}/join", {"name": name, "profile": {}})
    assert status == 201, body
    return http


def open_socket(server, http, code):
    return connect(server.ws_url(f"/ws/workshops/{code}/"), origin=server.url, open_timeout=TIMEOUT,
                   additional_headers={"Cookie": http.cookie_header()}, max_size=None)


def answer(ws, ref) -> dict:
    """The ack, error or pong that carries this ref (events before it are skipped)."""
    while True:
        frame = json.loads(ws.recv(timeout=TIMEOUT))
        if frame.get("type") in {"ack", "error", "pong"} and frame.get("ref") == ref:
            return frame


def welcome(ws) -> dict:
    frame = json.loads(ws.recv(timeout=TIMEOUT))
    assert frame["type"] == "welcome", frame
    return frame


def assert_pong(ws, ref="alive"):
    ws.send(json.dumps({"type": "ping", "ref": ref}))
    assert answer(ws, ref) == {"type": "pong", "ref": ref}


def online(server, code) -> int:
    """participants_online, once the server has settled (a closed socket is forgotten a moment later)."""
    http = HttpClient(server.url)
    deadline = time.monotonic() + TIMEOUT
    while True:
        status, body = http.get(f"/api/workshops/{code}")
        assert status == 200, body
        if body["participants_online"] == 0 or time.monotonic() > deadline:
            return body["participants_online"]
        time.sleep(0.1)


def next_error(ws) -> dict:
    """The next `error` frame without a ref: the answer to a frame the server could not read."""
    while True:
        frame = json.loads(ws.recv(timeout=TIMEOUT))
        if frame.get("type") == "error":
            return frame


def test_oversize_deep_and_broken_frames_are_answered_and_the_socket_lives_on(server, code):
    http = citizen(server, code, "An")
    with open_socket(server, http, code) as ws:
        welcome(ws)
        ws.send(json.dumps({"type": "idea.post", "ref": "big", "text": "x" * 17 * 1024}))
        assert next_error(ws)["code"] == "too_large"
        assert_pong(ws, "after-big")
        ws.send("[" * 5000 + "]" * 5000)
        assert next_error(ws)["code"] == "bad_json"
        assert_pong(ws, "after-deep")
        deep_text = "{[" * 2500
        ws.send(json.dumps({"type": "ping", "ref": deep_text}))  # brackets inside a string are text, not depth
        assert answer(ws, deep_text) == {"type": "pong", "ref": deep_text}
        assert_pong(ws, "after-text")
        # A lone surrogate cannot go out again as UTF-8: refused as it comes in.
        ws.send('{"type": "ping", "ref": "\\ud800"}')
        assert next_error(ws)["code"] == "bad_json"
        assert_pong(ws, "after-surrogate")
        ws.send(b'{"type": "ping", "ref": "binary"}')
        assert answer(ws, "binary") == {"type": "pong", "ref": "binary"}
        ws.send(b"\xff\xfe")
        assert next_error(ws)["code"] == "bad_json"
        assert_pong(ws, "after-binary")
    assert online(server, code) == 0


def test_bad_frames_leave_no_connection_behind_so_a_fifth_socket_is_not_refused(server, code):
    http = citizen(server, code, "Bo")
    for bad in ["x" * 17 * 1024, "[" * 5000 + "]" * 5000] * 2:
        with open_socket(server, http, code) as ws:
            welcome(ws)
            ws.send(bad)
            with contextlib.suppress(ConnectionClosed):  # answered or not: the next socket is what counts here
                ws.recv(timeout=TIMEOUT)
    with open_socket(server, http, code) as ws:
        welcome(ws)
        assert_pong(ws)
    assert online(server, code) == 0


def test_past_the_transport_cap_daphne_closes_the_socket_and_the_participant_goes_offline(server, code):
    http = citizen(server, code, "Cas")
    with open_socket(server, http, code) as ws:
        welcome(ws)
        with pytest.raises(ConnectionClosed) as closed:
            # autobahn reads the frame's header and drops the connection: the send itself may be cut short
            # (the kernel had not taken all of it by then), or it went out whole and the next read sees it.
            ws.send("x" * (TRANSPORT_MAX_BYTES + 1))
            while True:
                ws.recv(timeout=TIMEOUT)
        # autobahn drops the TCP connection without a close frame (its failByDrop).
        assert closed.value.rcvd is None or closed.value.rcvd.code == 1009
    assert online(server, code) == 0


def test_the_transport_cap_holds_even_where_daphne_was_told_to_have_none():
    from daphne.ws_protocol import WebSocketProtocol

    protocol = WebSocketProtocol()
    protocol.maxMessagePayloadSize = protocol.maxFramePayloadSize = 0  # `daphne --websocket-max-message-size 0`
    cap_incoming(protocol)
    assert protocol.maxMessagePayloadSize == protocol.maxFramePayloadSize == TRANSPORT_MAX_BYTES
    protocol.maxMessagePayloadSize = protocol.maxFramePayloadSize = 64 * 1024  # a lower cap is kept
    cap_incoming(protocol)
    assert protocol.maxMessagePayloadSize == protocol.maxFramePayloadSize == 64 * 1024


def test_a_text_frame_that_is_not_utf8_is_closed_by_the_transport_and_the_participant_goes_offline(server, code):
    http = citizen(server, code, "Dee")
    with open_socket(server, http, code) as ws:
        welcome(ws)
        ws.send(b'{"type": "ping", "ref": "\xff"}', text=True)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.recv(timeout=TIMEOUT)
        assert closed.value.rcvd is None or closed.value.rcvd.code == 1007, closed.value
    assert online(server, code) == 0


def test_a_workshop_of_2000_long_ideas_is_welcomed_in_parts_and_its_facilitator_can_end_it(server, code, facilitator):
    bulk_ideas(server.env, code, 2000)
    with open_socket(server, facilitator, code) as ws:  # before the split: closed with 1011, on every reload
        frame = welcome(ws)
        raw = [ws.recv(timeout=TIMEOUT) for _ in range(frame.get("parts", 0))]
        assert len(raw) >= 5 and all(len(text.encode()) <= 256 * 1024 for text in raw)
        ideas = frame["ideas"] + [idea for text in raw for idea in json.loads(text).get("ideas", [])]
        assert len(ideas) == 2000 and len({idea["id"] for idea in ideas}) == 2000
        assert json.loads(raw[-1])["last"] is True
        ws.send(json.dumps({"type": "workshop.end", "ref": "end"}))
        assert answer(ws, "end")["type"] == "ack"
    status, body = facilitator.get(f"/api/workshops/{code}")
    assert status == 200 and body["status"] == "ended", body
