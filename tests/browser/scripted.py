"""A small workshop played through the HTTP API and the workshop socket, as any other client would.

    fac = Member(server); fac.log_in("facilitator", "...")
    story = play_workshop(server, fac, official=("official", "..."), citizens=6)
    story.code, story.proposal, story.citizens[0].socket.command("proposal.endorse", ...)
"""
from __future__ import annotations

import contextlib
import itertools
import json
from dataclasses import dataclass, field

from websockets.sync.client import connect

from harness.daphne import DaphneServer, HttpClient

TIMEOUT = 10
_refs = itertools.count(1)


class Socket:
    """One participant's workshop socket: its welcome, commands answered by ref, and the events read."""

    def __init__(self, server: DaphneServer, http: HttpClient, code: str):
        self._stack = contextlib.ExitStack()
        self.ws = self._stack.enter_context(connect(
            server.ws_url(f"/ws/workshops/{code}/"), origin=server.url,
            additional_headers={"Cookie": http.cookie_header()}, open_timeout=TIMEOUT))
        self.welcome = json.loads(self.ws.recv(timeout=TIMEOUT))
        assert self.welcome["type"] == "welcome", self.welcome
        self.events: list[dict] = []

    def command(self, type_: str, **fields) -> dict:
        """Send a command and return its ack; an error frame fails the test."""
        ref = f"scripted-{next(_refs)}"
        self.ws.send(json.dumps({"type": type_, "ref": ref, **fields}))
        while True:
            frame = json.loads(self.ws.recv(timeout=TIMEOUT))
            if frame.get("type") in {"ack", "error"} and frame.get("ref") == ref:
                assert frame["type"] == "ack", f"{type_} {fields} was answered with {frame}"
                return frame
            if "seq" in frame:
                self.events.append(frame)

    def plenary_board(self) -> int:
        return next(b["id"] for b in self.welcome["boards"] if b["room"] is None)

    def close(self) -> None:
        self._stack.close()


class Member:
    """One person with a cookie jar of their own, and their socket once opened."""

    def __init__(self, server: DaphneServer, name: str = ""):
        self.server = server
        self.name = name
        self.http = HttpClient(server.url)
        self.socket: Socket | None = None

    def log_in(self, username: str, password: str) -> None:
        status, body = self.http.post("/api/session/login", {"username": username, "password": password})
        assert status == 200, (status, body)
        self.name = username

    def join(self, code: str, profile: dict | None = None) -> int:
        status, body = self.http.post(f"/api/workshops/{code}/join", {"name": self.name, "profile": profile or {}})
        assert status == 201, (status, body)
        return body["participant"]["id"]

    def open(self, code: str) -> Socket:
        self.socket = Socket(self.server, self.http, code)
        return self.socket

    def session_cookie(self) -> dict:
        """The session cookie, for a browser context that should be this person."""
        value = self.http.cookie("sessionid")
        assert value, f"{self.name} has no session"
        return {"name": "sessionid", "value": value, "url": self.server.url}

    def close(self) -> None:
        if self.socket:
            self.socket.close()


@dataclass
class Story:
    """What `play_workshop` made: the code, the published proposal and the people."""

    code: str
    proposal: int
    facilitator: Member
    official: Member
    citizens: list[Member] = field(default_factory=list)
    ideas: dict[str, int] = field(default_factory=dict)

    def close(self) -> None:
        for member in (self.facilitator, self.official, *self.citizens):
            member.close()


AGE = {"key": "age", "label": "Age", "options": ["under 30", "30 to 60", "over 60"]}
AGE_REFERENCE = {"age": {"under 30": 0.3, "30 to 60": 0.45, "over 60": 0.25}}
CITIZENS = ["Anna", "Bram", "Chris", "Dewi", "Emre", "Fleur"]


def play_workshop(server: DaphneServer, facilitator: Member, *, official: tuple[str, str], title: str,
                  respond: bool = True, survey: bool = True, language: str = "en") -> Story:
    """Six citizens, three ideas (one building on another), two reactions, a published proposal from
    two ideas with three endorsements, an official response, and a few survey answers.

    Citizens' rungs at the end: Anna and Bram empowered (their ideas fed an accepted proposal),
    Chris collaborating (built on Anna's idea), Dewi and Emre consulted, Fleur informed.
    """
    status, created = facilitator.http.post("/api/workshops", {
        "title": title, "language": language, "profile_questions": [AGE], "reference": AGE_REFERENCE})
    assert status == 201, created
    code = created["code"]
    username, password = official
    status, body = facilitator.http.post(f"/api/workshops/{code}/staff", {"username": username, "role": "official"})
    assert status == 201, body
    fac = facilitator.open(code)
    fac.command("workshop.start")

    citizens = []
    for index, name in enumerate(CITIZENS):
        member = Member(server, name)
        member.join(code, {"age": "over 60" if index == 5 else "30 to 60"})
        member.open(code)
        citizens.append(member)
    anna, bram, chris, dewi, emre, _fleur = (m.socket for m in citizens)
    board = anna.plenary_board()
    ideas = {
        "bench": anna.command("idea.post", board=board, text="Benches in the shade along the quay")["id"],
        "light": bram.command("idea.post", board=board, text="Better lighting on the footpath at night")["id"],
    }
    ideas["reply"] = chris.command("idea.post", board=board, text="With armrests, so older people can stand up easily",
                                   builds_on=ideas["bench"])["id"]
    dewi.command("idea.react", idea=ideas["bench"], value="agree")
    emre.command("idea.react", idea=ideas["light"], value="disagree")

    proposal = fac.command("proposal.draft", title="A quay to linger on",
                           body="Shaded benches with armrests along the quay,\nand lighting on the footpath.",
                           sources=[ideas["bench"], ideas["light"]])["id"]
    fac.command("proposal.publish", proposal=proposal)
    anna.command("proposal.endorse", proposal=proposal, value="agree")
    dewi.command("proposal.endorse", proposal=proposal, value="agree")
    emre.command("proposal.endorse", proposal=proposal, value="disagree")

    off = Member(server)
    off.log_in(username, password)
    if respond:
        status, body = off.http.post(f"/api/workshops/{code}/proposals/{proposal}/response",
                                     {"status": "accepted", "message": "The council will fund this in spring."})
        assert status == 201, body
    if survey:
        anna.command("survey.answer", answers={"collaboration": 8, "accessibility": 9, "safety": 7,
                                               "information": 6, "influence": 5})
        bram.command("survey.answer", answers={"collaboration": 6, "influence": 9})
        off.open(code).command("survey.answer", answers={"influence": 8, "engagement": 7, "alignment": 6,
                                                          "implementation": 9, "relevance": 8})
    return Story(code=code, proposal=proposal, facilitator=facilitator, official=off, citizens=citizens, ideas=ideas)
