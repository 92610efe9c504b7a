"""Bad input, everywhere: arbitrary frames never crash a socket, leak it, or reach anyone else."""
import asyncio
import contextlib
import itertools
import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.live import Live, make_citizen
from workshops import background, hub, services
from workshops.models import Connection, Participant
from workshops.registry import COMMANDS

FIELDS = ["board", "text", "column", "builds_on", "idea", "value", "reason", "note", "flag", "uphold",
          "participant", "minutes", "room", "rooms", "names", "mode", "duration_s", "assignments", "grace_s",
          "index", "seconds", "label", "title", "body", "sources", "proposal", "answers", "comment", "status",
          "message", "capacity"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)

refs = itertools.count()


@st.composite
def command_frames(draw):
    frame = {"type": draw(st.sampled_from(sorted(COMMANDS)) | st.text(max_size=20))}
    ref = draw(st.one_of(st.just(None), json_values))
    frame["ref"] = f"fuzz-{next(refs)}" if ref is None else ref
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=5, unique=True)):
        frame[name] = draw(json_values)
    return json.dumps(frame)


frames = st.one_of(
    command_frames(),
    json_values.map(json.dumps),
    st.text(max_size=200),
)

_users = itertools.count()


def make_live_workshop():
    user = get_user_model().objects.create_user(f"fuzz{next(_users)}", password="x-123456", is_staff=True)
    workshop = services.workshop_create(user=user, title="Fuzz")
    facilitator = Participant.objects.get(workshop=workshop, user=user)
    services.workshop_start(actor=facilitator)
    return workshop


@contextlib.asynccontextmanager
async def own_hub():
    """A layer, hub and background loop of the example's own (each example runs on a new event loop)."""
    channel_layers.backends.clear()
    try:
        yield
    finally:
        await hub.shutdown_hub()
        await background.stop()
        channel_layers.backends.clear()


async def scenario(batch: list[str]) -> None:
    async with own_hub():
        workshop = await sync_to_async(make_live_workshop)()
        actor = await sync_to_async(make_citizen)(workshop, "Fuzzer")
        other = await sync_to_async(make_citizen)(workshop, "Bystander")
        observer = await Live.open(other)
        fuzzer = await Live.open(actor)
        await observer.drain()
        await fuzzer.drain()
        answers = []
        for text in batch:
            await fuzzer.send_raw(text)
            out = await fuzzer.comm.receive_output(timeout=5)
            assert out["type"] == "websocket.send", f"socket closed on {text!r}"
            answer = json.loads(out["text"])
            while answer.get("type") not in ("ack", "error", "pong"):
                answer = json.loads((await fuzzer.comm.receive_output(timeout=5))["text"])
            try:
                sent = json.loads(text)
            except ValueError:
                sent = None
            if isinstance(sent, dict) and isinstance(sent.get("ref"), str) and 1 <= len(sent["ref"]) <= 64 \
                    and isinstance(sent.get("type"), str):
                assert answer["ref"] == sent["ref"]
            answers.append(answer)
        # Exactly one answer each: nothing more is waiting.
        assert all(f.get("type") not in ("ack", "error") for f in await fuzzer.drain(0.1))
        if all(a["type"] != "ack" for a in answers):
            assert await observer.nothing(0.2), "a refused command reached another participant"
        await fuzzer.close()
        await observer.close()


@pytest.mark.django_db(transaction=True)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(batch=st.lists(frames, min_size=1, max_size=12))
def test_arbitrary_frames_get_one_answer_each_and_reach_nobody_else(batch):
    asyncio.run(scenario(batch))


LIMIT = 16 * 1024  # INSPRAAK["MAX_FRAME_BYTES"], checked below against the settings


@st.composite
def sized_frames(draw):
    """A ping padded to a size around the limit, in one-, two-, three- or four-byte characters."""
    char = draw(st.sampled_from(["x", "\u00e9", "\u20ac", "\U0001f333"]))
    size = draw(st.integers(LIMIT - 64, LIMIT + 64))
    head = json.dumps({"type": "ping", "ref": "sized", "pad": ""}, ensure_ascii=False)
    pad = char * max(0, (size - len(head.encode())) // len(char.encode()))
    frame = head[:-2] + pad + head[-2:]
    return frame, ("too_large" if len(frame.encode()) > LIMIT else "pong")


@st.composite
def deep_frames(draw):
    """Arrays or objects nested 1 to 6,000 deep, closed or not: past 32 levels always bad_json."""
    depth = draw(st.integers(1, 6000))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    frame = opener * depth + ("1" if opener != "[" else "") + closer * draw(st.sampled_from([depth, 0]))
    if len(frame.encode()) > LIMIT:
        return frame, "too_large"
    return frame, ("bad_json" if depth > 32 else None)


unicode_frames = st.text(st.characters(codec=None), max_size=300).map(lambda text: (text, None))
lone_surrogates = st.sampled_from(["\\ud800", "\\udfff", "\ud800", "x\udc00y"]).map(
    lambda bad: (json.dumps({"type": "ping", "ref": "r"})[:-1] + f', "x": "{bad}"}}', "bad_json"))
json_typed = json_values.map(lambda value: (json.dumps(value), None if isinstance(value, dict) else "invalid"))
binary_frames = st.one_of(st.binary(max_size=300), json_values.map(lambda v: json.dumps(v).encode()),
                          st.integers(LIMIT - 8, LIMIT + 8).map(lambda n: b" " * n)).map(lambda data: (data, None))
any_frame = st.one_of(sized_frames(), deep_frames(), unicode_frames, lone_surrogates, json_typed, binary_frames,
                      frames.map(lambda text: (text, None)))


async def survive(batch: list[tuple]) -> None:
    async with own_hub():
        workshop = await sync_to_async(make_live_workshop)()
        actor = await sync_to_async(make_citizen)(workshop, "Fuzzer")
        live = await Live.open(actor)
        for n, (frame, expected) in enumerate(batch):
            key = "bytes" if isinstance(frame, bytes) else "text"
            await live.comm.send_input({"type": "websocket.receive", key: frame})
            await live.send_raw(json.dumps({"type": "ping", "ref": f"alive-{n}"}))
            answers = []
            while not answers or answers[-1] != {"type": "pong", "ref": f"alive-{n}"}:
                out = await live.comm.receive_output(timeout=5)
                assert out["type"] == "websocket.send", f"socket closed on {frame[:80]!r}"
                answers.append(json.loads(out["text"]))
            replies = [a for a in answers[:-1] if a.get("type") in ("ack", "error", "pong")]
            assert len(replies) == 1, (frame[:80], answers)
            if expected == "pong":
                assert replies[0] == {"type": "pong", "ref": "sized"}
            elif expected is not None:
                assert replies[0]["type"] == "error" and replies[0]["code"] == expected, (frame[:80], replies)
        await live.close()
        assert await sync_to_async(Connection.objects.filter(participant=actor).count)() == 0


@pytest.mark.django_db(transaction=True)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.data_too_large])
@given(batch=st.lists(any_frame, min_size=1, max_size=8))
def test_no_frame_closes_the_socket_and_no_connection_is_left_behind(batch):
    assert django_settings.INSPRAAK["MAX_FRAME_BYTES"] == LIMIT
    asyncio.run(survive(batch))
