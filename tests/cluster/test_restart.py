"""A real Daphne process crashes while a citizen is posting ideas; nothing acked is lost or doubled.

One process on an SQLite file with the in-memory channel layer: what must
survive the crash is what the database holds. The citizen resumes with
`?since=` and resends what was not acknowledged, with the original refs, as
PROTOCOL.md 2.1 and 2.3 say a client does.
"""
import asyncio
import json
from collections import Counter

import pytest
from websockets.asyncio.client import connect

from harness.daphne import DaphneServer, HttpClient, ServerDatabase, manage, server_env

pytestmark = pytest.mark.cluster

PASSWORD = "restart-test-password"
ACKED_BEFORE = 5  # ideas the citizen sees acknowledged before the crash
IN_FLIGHT = 30  # ideas sent in a burst right before it, their acks never read
EXECUTED_UNACKED = 3  # the crash comes once the facilitator has seen this many of the burst posted
REPLY_TIMEOUT = 15


class Socket:
    """One participant's WebSocket and the frames it has read so far."""

    def __init__(self, ws, welcome: dict):
        self.ws = ws
        self.welcome = welcome
        self.events: list[dict] = []
        self.replies: dict[str, dict] = {}

    @classmethod
    async def open(cls, server: DaphneServer, client: HttpClient, code: str, since: int | None = None):
        query = "" if since is None else f"?since={since}"
        ws = await connect(server.ws_url(f"/ws/workshops/{code}/{query}"), origin=server.url,
                           additional_headers={"Cookie": client.cookie_header()}, open_timeout=10)
        async with asyncio.timeout(REPLY_TIMEOUT):
            welcome = json.loads(await ws.recv())
        assert welcome["type"] == "welcome", welcome
        return cls(ws, welcome)

    async def send(self, frame: dict) -> None:
        await self.ws.send(json.dumps(frame))

    async def read_one(self) -> None:
        """Read a frame: an ack or error by its ref, anything with a seq as an event."""
        frame = json.loads(await self.ws.recv())
        if frame["type"] in {"ack", "error"}:
            assert frame["ref"] not in self.replies, f"second reply to one command: {frame}"
            self.replies[frame["ref"]] = frame
        elif frame["type"] == "batch":
            self.events.extend(frame["events"])
        elif "seq" in frame:
            self.events.append(frame)

    async def reply(self, ref: str) -> dict:
        """Wait for the ack or error that answers the command with this ref."""
        async with asyncio.timeout(REPLY_TIMEOUT):
            while ref not in self.replies:
                await self.read_one()
        return self.replies[ref]

    async def command(self, frame: dict) -> dict:
        """Send a command and return its ack; an error fails the test."""
        await self.send(frame)
        reply = await self.reply(frame["ref"])
        assert reply["type"] == "ack", f"{frame} was answered with {reply}"
        return reply

    async def events_until(self, done, what: str) -> None:
        """Read events until done(events) holds."""
        try:
            async with asyncio.timeout(REPLY_TIMEOUT):
                while not done(self.events):
                    await self.read_one()
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}; events: {self.events}") from None

    def last_seq(self) -> int:
        return max([self.welcome["seq"], *(event["seq"] for event in self.events)])


def idea_ids_in(events: list[dict]) -> list[int]:
    """The ids of the ideas that idea.posted / idea.held events carry, in order."""
    return [e["idea"]["id"] for e in events if e["type"] in {"idea.posted", "idea.held"}]


@pytest.fixture
def server(tmp_path):
    db = ServerDatabase.sqlite(tmp_path / "db.sqlite3")
    env = server_env(db.url, INSPRAAK_RATE_LIMIT_COMMANDS="1000")
    db.prepare(env)
    manage("createsuperuser", "--noinput", "--username", "facilitator", "--email", "facilitator@example.org",
           env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD})
    server = DaphneServer(env, log_path=tmp_path / "daphne.log")
    server.start()
    yield server
    server.stop()
    print(f"--- {server.log_path} (tail)\n{server.log_tail()}")  # shown when the test fails


async def test_acked_ideas_survive_a_crash_exactly_once_and_resent_refs_are_duplicates(server):
    facilitator = HttpClient(server.url)
    status, body = facilitator.get("/api/csrf")
    assert status == 200 and body.get("csrf"), (status, body)
    status, body = facilitator.post("/api/session/login", {"username": "facilitator", "password": PASSWORD})
    assert status == 200 and body["user"]["username"] == "facilitator", (status, body)
    status, body = facilitator.post("/api/workshops", {"title": "Het plein", "language": "nl"})
    assert status == 201, (status, body)
    code = body["code"]

    staff = await Socket.open(server, facilitator, code)
    assert staff.welcome["me"]["role"] == "facilitator", staff.welcome["me"]
    await staff.command({"type": "workshop.start", "ref": "start"})

    citizen = HttpClient(server.url)
    status, body = citizen.post(f"/api/workshops/{code}/join", {"name": "An"})
    assert status == 201, (status, body)
    me = body["participant"]["id"]

    first = await Socket.open(server, citizen, code)
    assert first.welcome["me"]["id"] == me and first.welcome["workshop"]["status"] == "live", first.welcome
    board = first.welcome["boards"][0]["id"]
    posts = {
        f"idea-{n}": {"type": "idea.post", "ref": f"idea-{n}", "board": board,
                      "text": f"Idee {n}: meer bomen en bankjes op het plein"}
        for n in range(ACKED_BEFORE + IN_FLIGHT)
    }
    refs = list(posts)
    acked: dict[str, int] = {}

    for ref in refs[:ACKED_BEFORE]:
        acked[ref] = (await first.command(posts[ref]))["id"]
    for ref in refs[ACKED_BEFORE:]:
        await first.send(posts[ref])
    # The citizen reads nothing more: the acks of the burst are lost with the
    # connection. The facilitator watches the burst being executed, and the
    # server is killed in the middle of it.
    await staff.events_until(lambda events: len(idea_ids_in(events)) >= ACKED_BEFORE + EXECUTED_UNACKED,
                             "the burst to be under way")
    server.restart(hard=True)
    await first.ws.close()
    await staff.ws.close()
    assert all(reply["type"] == "ack" for reply in first.replies.values()), first.replies
    acked.update((ref, reply["id"]) for ref, reply in first.replies.items())
    executed = {e["idea"]["text"]: e["idea"]["id"] for e in first.events + staff.events
                if e["type"] in {"idea.posted", "idea.held"}}

    # Resume after the last event read, then resend what was not acknowledged,
    # plus one acknowledged ref to prove it is not executed twice.
    since = first.last_seq()
    resumed = await Socket.open(server, citizen, code, since=since)
    assert resumed.welcome["resumed"] is True and resumed.welcome["seq"] >= since, resumed.welcome
    unacked = [ref for ref in refs if ref not in acked]
    for ref in [*unacked, refs[0]]:
        await resumed.send(posts[ref])
    replies = {ref: await resumed.reply(ref) for ref in [*unacked, refs[0]]}
    assert all(r["type"] == "ack" for r in replies.values()), replies
    assert replies[refs[0]].get("duplicate") is True and replies[refs[0]]["id"] == acked[refs[0]], replies[refs[0]]
    executed_unacked = [ref for ref in unacked if posts[ref]["text"] in executed]
    assert len(executed_unacked) >= EXECUTED_UNACKED, (executed_unacked, unacked)
    for ref in executed_unacked:  # executed before the crash, only the ack was lost
        assert replies[ref].get("duplicate") is True, replies[ref]
        assert replies[ref]["id"] == executed[posts[ref]["text"]], replies[ref]
    for ref in unacked:
        acked[ref] = replies[ref]["id"]
    assert len(set(acked.values())) == len(refs), f"two refs acked with one id: {acked}"

    # The stream: every idea arrives once, in seq order, across the crash.
    await resumed.events_until(lambda events: set(idea_ids_in(first.events + events)) >= set(acked.values()),
                               "an idea.posted event for every acked idea")
    stream = first.events + resumed.events
    seqs = [event["seq"] for event in stream]
    assert seqs == sorted(set(seqs)), f"events repeated or out of order across the resume: {seqs}"
    assert all(event["seq"] > since for event in resumed.events), (since, resumed.events)
    assert sorted(idea_ids_in(stream)) == sorted(acked.values()), stream
    await resumed.ws.close()

    # A full snapshot holds every acked idea exactly once, with its own text.
    fresh = await Socket.open(server, citizen, code)
    assert fresh.welcome["resumed"] is False, fresh.welcome
    mine = [idea for idea in fresh.welcome["ideas"] if idea["author"]["id"] == me]
    assert Counter(idea["id"] for idea in mine) == Counter(acked.values()), (mine, acked)
    texts = {idea["id"]: idea["text"] for idea in mine}
    assert {ref: texts[idea_id] for ref, idea_id in acked.items()} == {ref: posts[ref]["text"] for ref in refs}
    await fresh.ws.close()
