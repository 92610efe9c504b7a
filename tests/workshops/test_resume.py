"""Resuming with ?since=: a replay carries each idea as it is now for its reader, and a since from
before joining gets a snapshot (protocol 2.3)."""
import json
from types import SimpleNamespace

import pytest
from channels.db import database_sync_to_async as db
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deliberation import moderation, services as content
from tests import factories
from tests.live import Live, make_citizen, make_workshop
from workshops import breakouts, selectors, services, snapshot, stream
from workshops.models import Participant

SECRET = "Meet behind the town hall at midnight"
OLD, NEW = "Trees along the canal, paid by the parking fees", "Trees along the canal"
HELD_EDIT = "Trees along the canal, call me on 0470 12 34 56"
READERS = ["citizen", "author", "moderator"]


@pytest.fixture
def w(db):
    """A live workshop with a moderator, an author (An) and another citizen (Bo), all there from the start."""
    return _workshop()


def _workshop(**kwargs):
    workshop, fac = factories.workshop_with_facilitator(**kwargs)
    mod = services.staff_add(actor=fac, username=factories.staff_user("mod").username, role="moderator")
    an, bo = (services.participant_join(workshop=workshop, name=name) for name in ("An", "Bo"))
    readers = {"citizen": bo, "author": an, "moderator": mod}
    return SimpleNamespace(workshop=workshop, fac=fac, mod=mod, an=an, bo=bo, board=factories.plenary(workshop),
                           reader=readers.__getitem__, since=factories.last_seq(workshop))


def replay(reader: Participant, since: int) -> list[dict]:
    """What welcome hands the socket to replay (before the hub filters by audience)."""
    frame, items = selectors.welcome(participant_id=reader.pk, since=since)
    assert frame["resumed"] is True
    return items


def received(reader: Participant, items: list[dict]) -> list[dict]:
    """The replayed frames the reader's socket sends on: those whose audience takes the reader in."""
    reader.refresh_from_db()
    return [json.loads(i["frame"]) for i in items
            if stream.visible(i["audience"], participant_id=reader.pk, role=reader.role, room_id=reader.room_id)]


def idea_of(frames: list[dict], type: str) -> dict:
    [event] = [f for f in frames if f["type"] == type]
    return event["idea"]


def everything(items: list[dict]) -> str:
    return "\n".join(i["frame"] for i in items)


@pytest.mark.parametrize("who", READERS)
def test_a_hidden_idea_is_replayed_hidden_with_text_and_reason_only_for_author_and_moderators(w, who):
    idea = content.idea_post(actor=w.an, board=w.board, text=SECRET)
    moderation.idea_hide(actor=w.mod, idea=idea, reason="abuse")
    items = replay(w.reader(who), w.since)
    frames = received(w.reader(who), items)
    posted = idea_of(frames, "idea.posted")
    assert posted["id"] == idea.pk and posted["status"] == "hidden"
    if who == "citizen":
        assert posted["text"] == "" and "hidden_reason" not in posted
        assert SECRET not in everything(items) and "abuse" not in json.dumps(frames)
    else:
        assert posted["text"] == SECRET and posted["hidden_reason"] == "abuse"


@pytest.mark.parametrize("who", READERS)
def test_a_withdrawn_idea_is_replayed_withdrawn_without_its_text(w, who):
    idea = content.idea_post(actor=w.an, board=w.board, text=SECRET)
    content.idea_withdraw(actor=w.an, idea=idea)
    items = replay(w.reader(who), w.since)
    posted = idea_of(received(w.reader(who), items), "idea.posted")
    assert posted["status"] == "withdrawn" and posted["text"] == ""
    assert SECRET not in everything(items)


@pytest.mark.parametrize("who", READERS)
def test_a_held_idea_that_a_moderator_hid_is_replayed_hidden_and_never_reaches_others(db, who):
    w = _workshop(moderation="pre")
    idea = content.idea_post(actor=w.an, board=w.board, text=SECRET)
    moderation.idea_hide(actor=w.mod, idea=idea, reason="off topic")
    items = replay(w.reader(who), w.since)
    frames = received(w.reader(who), items)
    if who == "citizen":
        assert not [f for f in frames if f["type"].startswith("idea.")]
        assert SECRET not in everything(items)
    else:
        held = idea_of(frames, "idea.held")
        assert held["status"] == "hidden" and held["text"] == SECRET and held["hidden_reason"] == "off topic"
        assert "held_reason" not in held


@pytest.mark.parametrize("who", READERS)
def test_an_edited_idea_is_replayed_with_its_current_text_only(w, who):
    idea = content.idea_post(actor=w.an, board=w.board, text=OLD)
    content.idea_edit(actor=w.an, idea=idea, text=NEW)
    items = replay(w.reader(who), w.since)
    frames = received(w.reader(who), items)
    for type in ("idea.posted", "idea.edited"):
        assert idea_of(frames, type)["text"] == NEW and idea_of(frames, type)["edited"] is True
    assert OLD not in everything(items)


@pytest.mark.parametrize("who", READERS)
def test_an_edit_that_screening_held_is_replayed_to_others_as_hidden_without_any_text(w, who):
    idea = content.idea_post(actor=w.an, board=w.board, text=OLD)
    content.idea_edit(actor=w.an, idea=idea, text=HELD_EDIT)
    items = replay(w.reader(who), w.since)
    posted = idea_of(received(w.reader(who), items), "idea.posted")
    assert OLD not in everything(items)
    if who == "citizen":
        assert posted["status"] == "hidden" and posted["text"] == "" and "held_reason" not in posted
        assert HELD_EDIT not in everything(items)
    else:
        assert posted["status"] == "held" and posted["text"] == HELD_EDIT and posted["held_reason"]


def test_ideas_listed_in_a_breakout_report_are_replayed_as_they_are_now(w):
    room, board = factories.room_with_board(w.workshop)
    kept, hidden = (factories.idea(board, w.an, text) for text in ("Benches", SECRET))
    breakouts.breakout_close(actor=w.fac, grace_s=0)
    hidden.board.room.breakout.refresh_from_db()
    moderation.idea_hide(actor=w.mod, idea=hidden, reason="abuse")
    items = replay(w.bo, w.since)
    [closed] = [f for f in received(w.bo, items) if f["type"] == "breakout.closed"]
    listed = {i["id"]: i for i in closed["ideas"]}
    assert listed[kept.pk]["text"] == "Benches" and listed[hidden.pk]["status"] == "hidden"
    assert listed[hidden.pk]["text"] == "" and SECRET not in everything(items)


def test_a_since_from_before_joining_gets_a_snapshot_without_what_moderation_hid(w):
    idea = content.idea_post(actor=w.an, board=w.board, text=SECRET)
    moderation.idea_hide(actor=w.mod, idea=idea, reason="abuse")
    cas = services.participant_join(workshop=w.workshop, name="Cas")
    frame, items = selectors.welcome(participant_id=cas.pk, since=0)
    assert frame["resumed"] is False and items == []
    assert [i["id"] for i in frame["ideas"]] == [] and SECRET not in json.dumps(frame)
    frame, items = selectors.welcome(participant_id=cas.pk, since=cas.joined_seq)
    assert frame["resumed"] is True


def test_a_since_too_far_behind_gets_the_snapshot_instead_of_a_long_replay(w, settings):
    """Everyone back at once after a stall would each have their long replay read and encoded for
    them alone; past MAX_REPLAY events they get the state as it is now, as a newcomer does."""
    settings.INSPRAAK = {**settings.INSPRAAK, "MAX_REPLAY": 3}
    ideas = [content.idea_post(actor=w.an, board=w.board, text=f"Idea {n}") for n in range(3)]
    behind = factories.last_seq(w.workshop) - w.since
    assert behind >= 3  # each idea is an event or more (the author's rung too)
    frame, items = selectors.welcome(participant_id=w.bo.pk, since=factories.last_seq(w.workshop) - 3)
    assert frame["resumed"] is True and len(items) == 3
    frame, items = selectors.welcome(participant_id=w.bo.pk, since=factories.last_seq(w.workshop) - 4)
    assert frame["resumed"] is False and items == []
    [sent] = snapshot.welcome_frames(frame)
    assert [i["id"] for i in json.loads(sent)["ideas"]] == [i.pk for i in ideas]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_env")
async def test_reconnecting_with_since_brings_ideas_back_as_they_are_now_for_each_reader():
    workshop, fac = await db(make_workshop)()
    await db(factories.staff_user)("mod")
    mod = await db(services.staff_add)(actor=fac, username="mod", role="moderator")
    an, bo = [await db(make_citizen)(workshop, name) for name in ("An", "Bo")]
    board = (await db(factories.plenary)(workshop)).pk
    a, b, m = [await Live.open(p) for p in (an, bo, mod)]
    for s in (a, m):
        await s.drain()
    since = max([b.welcome["seq"]] + [f["seq"] for f in await b.drain() if "seq" in f])
    await b.close()

    hidden = (await a.command("idea.post", board=board, text=SECRET))["id"]
    withdrawn = (await a.command("idea.post", board=board, text="Withdrawn: " + SECRET))["id"]
    edited = (await a.command("idea.post", board=board, text=OLD))["id"]
    assert (await m.command("idea.hide", idea=hidden, reason="abuse"))["type"] == "ack"
    assert (await a.command("idea.withdraw", idea=withdrawn))["type"] == "ack"
    assert (await a.command("idea.edit", idea=edited, text=NEW))["type"] == "ack"
    await a.close()

    b2 = await Live.open(bo, since=since)
    assert b2.welcome["resumed"] is True
    frames = await b2.drain()
    posted = {f["idea"]["id"]: f["idea"] for f in frames if f["type"] == "idea.posted"}
    assert {k: (v["status"], v["text"]) for k, v in posted.items()} == {
        hidden: ("hidden", ""), withdrawn: ("withdrawn", ""), edited: ("visible", NEW)}
    assert SECRET not in json.dumps(frames) and OLD not in json.dumps(frames)

    a2 = await Live.open(an, since=since)
    mine = {f["idea"]["id"]: f["idea"] for f in await a2.drain() if f["type"] == "idea.posted"}
    assert mine[hidden]["text"] == SECRET and mine[hidden]["hidden_reason"] == "abuse"

    cas = await db(make_citizen)(workshop, "Cas")
    c = await Live.open(cas, since=0)
    assert c.welcome["resumed"] is False and SECRET not in json.dumps(c.welcome)
    assert SECRET not in json.dumps(await c.drain())
    for s in (b2, a2, m, c):
        await s.close()


def test_a_long_replay_rewrites_every_idea_with_as_many_queries_as_a_short_one(w):
    def edited_replay(n: int) -> tuple[list[dict], int]:
        since = factories.last_seq(w.workshop)
        for i in range(n):
            idea = content.idea_post(actor=w.an, board=w.board, text=f"{OLD} {i}")
            content.idea_edit(actor=w.an, idea=idea, text=f"{NEW} {i}")
        with CaptureQueriesContext(connection) as queries:
            items = replay(w.bo, since)
        return received(w.bo, items), len(queries)

    short, short_queries = edited_replay(1)
    long, long_queries = edited_replay(30)
    assert long_queries == short_queries
    posted = [f["idea"]["text"] for f in long if f["type"] == "idea.posted"]
    assert posted == [f"{NEW} {i}" for i in range(30)]
