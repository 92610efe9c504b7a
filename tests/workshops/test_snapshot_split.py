"""A welcome too large for one frame continues in `snapshot.part` frames, none over 256 KiB (PROTOCOL 2.3)."""
import json

import pytest
from channels.db import database_sync_to_async as db

from deliberation.models import Board, Idea
from tests.live import Live, make_citizen, make_workshop
from workshops import selectors
from workshops.snapshot import MAX_SERVER_FRAME_BYTES, Encoded, encode, welcome_frames

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_env")]

LONG = "Een speeltuin bij het station, met schaduw, bankjes en water voor iedereen die wacht. " * 6


def many_ideas(workshop, author, n=2000):
    """n ideas of 470 characters, written in bulk (posting them one by one would take minutes)."""
    board = Board.objects.get(workshop=workshop, room=None)
    Idea.objects.bulk_create([Idea(board=board, author=author, text=f"{i:05} {LONG}"[:470]) for i in range(n)])


def size(frame: dict | str) -> int:
    text = frame if isinstance(frame, str) else json.dumps(frame, separators=(",", ":"), ensure_ascii=False)
    return len(text.encode())


def assembled(welcome: dict, parts: list[dict]) -> dict:
    """What a client makes of a welcome and its parts: each part's lists added to the welcome's."""
    whole = {k: v for k, v in welcome.items() if k != "parts"}
    for part in parts:
        for name, items in part.items():
            if isinstance(items, list):
                whole[name] = whole[name] + items
    return whole


async def test_a_large_welcome_is_split_into_parts_that_add_up_to_it_and_events_follow():
    workshop, fac = await db(make_workshop)()
    an = await db(make_citizen)(workshop, "An")
    await db(many_ideas)(workshop, an)
    a = await Live.open(an)
    assert a.welcome["type"] == "welcome" and a.welcome["parts"] >= 5
    assert size(a.welcome) <= MAX_SERVER_FRAME_BYTES
    raw = [await a.comm.receive_from(timeout=10) for _ in range(a.welcome["parts"])]
    parts = [json.loads(text) for text in raw]
    assert all(size(text) <= MAX_SERVER_FRAME_BYTES for text in raw)
    assert [p["type"] for p in parts] == ["snapshot.part"] * len(parts)
    assert [p["last"] for p in parts] == [False] * (len(parts) - 1) + [True]
    unsplit = json.loads(welcome_frames((await db(selectors.welcome)(participant_id=an.pk, since=None))[0],
                                        limit=2**30)[0])
    assert size(unsplit) > 1024 * 1024  # over Daphne's own limit for one frame
    assert assembled(a.welcome, parts) == unsplit
    assert len(assembled(a.welcome, parts)["ideas"]) == 2000
    f = await Live.open(fac)
    await f.drain()
    assert (await f.command("announce", text="Nog tien minuten"))["type"] == "ack"
    announced = await a.event("announcement")
    assert announced["text"] == "Nog tien minuten" and announced["seq"] > a.welcome["seq"]
    await a.close()
    await f.close()


def test_a_welcome_that_fits_is_one_frame_and_no_item_is_cut():
    small = {"type": "welcome", "seq": 3, "ideas": [{"id": 1, "text": "a"}], "proposals": []}
    assert welcome_frames(small) == [json.dumps(small, separators=(",", ":"))]
    ideas = [{"id": i, "text": "x" * 300} for i in range(40)]
    frames = [json.loads(f) for f in welcome_frames({"type": "welcome", "seq": 3, "ideas": ideas,
                                                      "participants": [{"id": 1}], "flags": []}, limit=2000)]
    assert all(size(f) <= 2000 for f in frames)
    assert frames[0]["parts"] == len(frames) - 1 and frames[0]["flags"] == []
    assert assembled(frames[0], frames[1:])["ideas"] == ideas
    assert assembled(frames[0], frames[1:])["participants"] == [{"id": 1}]


def test_a_kept_list_is_split_as_the_same_list_read_anew_and_measured_once():
    """A kept part (Encoded) remembers where its items end, so that every welcome does not measure
    thousands of ideas again; it must split exactly as the list read anew, multi-byte text included."""
    ideas = [{"id": i, "text": "é€😀 " * (i % 90 + 1)} for i in range(400)]
    people = [{"id": i, "name": f"Burger {i}"} for i in range(300)]
    kept = Encoded(encode(item) for item in ideas)
    frame = {"type": "welcome", "seq": 3, "me": {"name": "An"}, "ideas": kept, "participants": people}
    for limit in (3000, 20000, MAX_SERVER_FRAME_BYTES):
        frames = welcome_frames(dict(frame), limit=limit)
        assert frames == welcome_frames({**frame, "ideas": ideas}, limit=limit)
        decoded = [json.loads(f) for f in frames]
        assert all(size(f) <= limit for f in frames)
        assert assembled(decoded[0], decoded[1:])["ideas"] == ideas
        assert assembled(decoded[0], decoded[1:])["participants"] == people
    assert kept.ends()[-1] == sum(len(encode(item).encode()) + 1 for item in ideas)
    assert kept.ends() is kept.ends()  # measured once, while the list is as it was
