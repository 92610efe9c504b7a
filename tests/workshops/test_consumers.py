"""The socket protocol against the real ASGI application, several participants at once."""
import asyncio
import json
import time
from datetime import datetime

import pytest
from channels.db import database_sync_to_async as db
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import override_settings

from deliberation.models import Board, Idea
from tests.live import Live, make_citizen, make_workshop
from workshops import background, hub as hub_module, services
from workshops.errors import DomainError
from workshops.models import CommandReceipt, Connection, Event, Participant

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_env")]


async def setup_room(n_citizens=2, **kwargs):
    workshop, facilitator = await db(make_workshop)(**kwargs)
    citizens = [await db(make_citizen)(workshop, name) for name in ["An", "Bo", "Cas", "Dee"][:n_citizens]]
    board = await db(lambda: Board.objects.get(workshop=workshop, room=None))()
    return workshop, facilitator, citizens, board


async def test_welcome_has_the_snapshot_of_what_the_participant_may_see():
    workshop, fac, (an, bo), board = await setup_room()
    a = await Live.open(an)
    w = a.welcome
    assert w["type"] == "welcome" and w["protocol"] == 1 and w["resumed"] is False
    assert w["me"] == {"id": an.pk, "name": "An", "role": "citizen", "rung": "informed", "room": None,
                       "muted_until": None, "admitted": True}
    assert w["workshop"]["code"] == workshop.code and w["workshop"]["status"] == "live"
    assert w["workshop"]["agenda"] == [{"title": "Intro", "minutes": 5}, {"title": "Ideas", "minutes": 20}]
    assert w["boards"] == [{"id": board.pk, "title": "Plenary", "room": None, "columns": ["Green", "Play"]}]
    assert {p["name"]: p["online"] for p in w["participants"]} == {"fac": False, "An": True, "Bo": False}
    assert w["ideas"] == [] and w["proposals"] == [] and w["flags"] == [] and w["rooms"] == []
    # The welcome's seq is the stream's end when it was read; only the quarter-second presence
    # flush (An's arrival, told after the welcome) may have come since.
    stored = await db(lambda: list(Event.objects.filter(workshop=workshop).values_list("seq", "type")))()
    assert [seq for seq, _ in stored][:w["seq"]] == list(range(1, w["seq"] + 1))
    assert {kind for seq, kind in stored if seq > w["seq"]} <= {"presence.changed"}
    await a.close()


async def test_a_socket_path_with_the_code_in_capitals_opens_and_hears_the_workshop_edited():
    workshop, fac, (an, _), board = await setup_room()
    a = await Live.open(an, code=workshop.code.upper())
    assert a.welcome["workshop"]["code"] == workshop.code
    await db(services.workshop_update)(actor=fac, changes={"description": "The empty lot", "columns": ["Play"]})
    updated = await a.event("workshop.updated")
    assert updated["workshop"]["description"] == "The empty lot"
    assert (await a.event("board.updated"))["board"] == {"id": board.pk, "title": "Plenary", "room": None,
                                                         "columns": ["Play"]}
    await a.close()


async def test_post_build_react_edit_withdraw_reach_everyone_with_one_seq():
    workshop, fac, (an, bo, cas), board = await setup_room(3)
    a, b, c = [await Live.open(p) for p in (an, bo, cas)]
    f = await Live.open(fac)
    for s in (a, b, c, f):
        await s.drain()

    ack = await a.command("idea.post", board=board.pk, text="A playground by the station", column="Play")
    assert ack["type"] == "ack" and ack["status"] == "visible"
    idea_id = ack["id"]
    posted = [await s.event("idea.posted") for s in (b, c, f)]
    assert len({e["seq"] for e in posted}) == 1
    assert posted[0]["idea"]["text"] == "A playground by the station" and posted[0]["idea"]["column"] == "Play"
    assert posted[0]["idea"]["author"] == {"id": an.pk, "name": "An"}

    reply = await b.command("idea.post", board=board.pk, text="With shade trees", builds_on=idea_id)
    assert reply["type"] == "ack"
    built = await c.event("idea.posted")
    assert built["idea"]["builds_on"] == idea_id and built["idea"]["column"] == "Play"

    assert (await c.command("idea.react", idea=idea_id, value="agree"))["reactions"]["agree"] == 1
    reacted = await a.event("idea.reacted")
    assert reacted == {**reacted, "idea": idea_id, "reactions": {"agree": 1, "disagree": 0, "pass": 0}}

    assert (await a.command("idea.edit", idea=idea_id, text="A playground by the new station"))["type"] == "ack"
    edited = await b.event("idea.edited")
    assert edited["idea"]["edited"] is True and edited["idea"]["text"] == "A playground by the new station"

    assert (await a.command("idea.withdraw", idea=idea_id))["type"] == "ack"
    withdrawn = await c.event("idea.withdrawn")
    assert withdrawn["idea"] == idea_id
    # Each socket saw every event once, in seq order.
    for s in (b, c):
        seqs = [e["seq"] for e in await s.drain() if "seq" in e]
        assert seqs == sorted(set(seqs))
    for s in (a, b, c, f):
        await s.close()


async def test_a_repeated_ref_is_answered_again_and_executed_once():
    workshop, fac, (an, bo), board = await setup_room()
    a, b = await Live.open(an), await Live.open(bo)
    await b.drain()
    first = await a.command("idea.post", ref="same-ref", board=board.pk, text="Benches")
    again = await a.command("idea.post", ref="same-ref", board=board.pk, text="Benches")
    assert again == {**first, "duplicate": True}
    assert await db(lambda: Idea.objects.filter(text="Benches").count())() == 1
    assert len([e for e in await b.drain() if e["type"] == "idea.posted"]) == 1
    # Another participant may use the same ref for their own command.
    other = await b.command("idea.post", ref="same-ref", board=board.pk, text="Fountain")
    assert other["type"] == "ack" and "duplicate" not in other
    await a.close(); await b.close()


async def test_every_error_code_is_produced_and_changes_nothing():
    workshop, fac, (an, bo), board = await setup_room()
    a = await Live.open(an)
    b = await Live.open(bo)
    fac_live = await Live.open(fac)
    await b.drain()
    events_before = await db(lambda: Event.objects.filter(workshop=workshop).count())()

    await a.send_raw("{not json")
    assert (await a.event("error"))["code"] == "bad_json"
    assert (await a.command("idea.fly"))["code"] == "unknown_type"
    bad = await a.command("idea.post", board=board.pk, text="", extra=1)
    assert bad["code"] == "invalid" and {"text", "extra"} <= set(bad["fields"])
    assert (await a.command("idea.post", board=board.pk, text="x" * 501))["code"] == "invalid"
    missing_ref = json.dumps({"type": "idea.post", "board": board.pk, "text": "no ref"})
    await a.send_raw(missing_ref)
    assert (await a.event("error"))["fields"]["ref"]
    assert (await a.command("workshop.end"))["code"] == "forbidden"
    assert (await a.command("idea.post", board=999999, text="Nowhere"))["code"] == "not_found"
    assert (await a.command("idea.react", idea=999999, value="agree"))["code"] == "not_found"
    assert (await fac_live.command("workshop.start"))["code"] == "conflict"
    assert (await fac_live.command("timer.stop"))["code"] == "conflict"

    await db(lambda: Participant.objects.filter(pk=an.pk).update(
        muted_until="2999-01-01T00:00:00Z"))()
    muted = await a.command("idea.post", board=board.pk, text="Muted words")
    assert muted["code"] == "muted" and muted["retry_after"] > 0

    assert await db(lambda: Event.objects.filter(workshop=workshop).count())() == events_before
    assert await db(lambda: Idea.objects.count())() == 0
    assert await b.nothing()

    assert (await fac_live.command("workshop.end"))["type"] == "ack"
    assert (await b.command("idea.post", board=board.pk, text="Too late"))["code"] == "ended"

    await a.send_raw(json.dumps({"type": "idea.post", "ref": "big", "text": "x" * 17000}))
    assert (await a.event("error"))["code"] == "too_large"
    for s in (a, b, fac_live):
        await s.close()


@override_settings(INSPRAAK={**settings.INSPRAAK, "RATE_LIMIT_COMMANDS": 3})
async def test_a_flood_is_rate_limited_with_retry_after():
    workshop, fac, (an,), board = await setup_room(1)
    a = await Live.open(an)
    answers = [await a.command("idea.react", idea=1, value="agree") for _ in range(4)]
    assert [x["code"] for x in answers[:3]] == ["not_found"] * 3
    # Counted in buckets of a tenth of the window: the wait is at most one bucket longer than the window.
    assert answers[3]["code"] == "rate_limited" and 0 < answers[3]["retry_after"] <= 11
    await a.close()


@override_settings(INSPRAAK={**settings.INSPRAAK, "RATE_LIMIT_COMMANDS": 3})
async def test_commands_counted_by_another_worker_count_here_too():
    from workshops import limits
    workshop, fac, (an,), board = await setup_room(1)
    for _ in range(3):  # what another worker counted for this participant, in the shared cache
        assert limits.commands().hit(an.pk) == 0.0
    a = await Live.open(an)
    assert (await a.command("idea.react", idea=1, value="agree"))["code"] == "rate_limited"
    await a.close()


async def test_a_citizen_cannot_run_facilitator_commands():
    workshop, fac, (an,), board = await setup_room(1)
    a = await Live.open(an)
    for type, fields in [("workshop.end", {}), ("phase.set", {"index": 1}), ("timer.start", {"seconds": 60}),
                         ("timer.stop", {}), ("announce", {"text": "Hi all"})]:
        assert (await a.command(type, **fields))["code"] == "forbidden", type
    await a.close()


async def test_resume_with_since_delivers_exactly_the_missed_events_in_order():
    workshop, fac, (an, bo), board = await setup_room()
    a, b = await Live.open(an), await Live.open(bo)
    await a.command("idea.post", board=board.pk, text="First")
    await b.event("idea.posted")
    # B goes away after having seen everything so far.
    since = (await db(lambda: Event.objects.filter(workshop=workshop).order_by("-seq").first().seq)())
    await b.close()
    missed = []
    for text in ["Second", "Third", "Fourth"]:
        missed.append((await a.command("idea.post", board=board.pk, text=text))["id"])
    b2 = await Live.open(bo, since=since)
    assert b2.welcome["resumed"] is True and "ideas" not in b2.welcome
    frames = await b2.drain()
    posted = [f["idea"]["id"] for f in frames if f["type"] == "idea.posted"]
    assert posted == missed
    seqs = [f["seq"] for f in frames]
    assert seqs == sorted(seqs) and seqs[0] > since and len(seqs) == len(set(seqs))
    await a.close(); await b2.close()


async def test_a_since_the_server_cannot_serve_gets_a_full_snapshot():
    workshop, fac, (an,), board = await setup_room(1)
    a = await Live.open(an, since=10_000)
    assert a.welcome["resumed"] is False and a.welcome["ideas"] == []
    await a.close()


async def test_a_dropped_layer_message_is_recovered_from_the_database():
    workshop, fac, (an, bo), board = await setup_room()
    a, b = await Live.open(an), await Live.open(bo)
    await b.drain()
    layer = get_channel_layer()
    real_group_send = layer.group_send
    dropped = []

    async def lossy(group, message):
        if not dropped:
            dropped.append(message)  # lost on the way, as Redis loses what it publishes to a subscriber that is away
            return
        await real_group_send(group, message)

    layer.group_send = lossy
    try:
        lost = await a.command("idea.post", board=board.pk, text="Lost on the wire")
        assert dropped and await b.nothing(0.3)
        kept = await a.command("idea.post", board=board.pk, text="Arrives and reveals the gap")
    finally:
        layer.group_send = real_group_send
    frames = [f for f in await b.drain() if f["type"] == "idea.posted"]
    assert [f["idea"]["id"] for f in frames] == [lost["id"], kept["id"]]
    await a.close(); await b.close()


async def test_a_lost_last_message_is_recovered_by_the_hub_resync():
    workshop, fac, (an, bo), board = await setup_room()
    a, b = await Live.open(an), await Live.open(bo)
    await b.drain()
    layer = get_channel_layer()
    real_group_send = layer.group_send

    async def drop_all(group, message):
        return None

    layer.group_send = drop_all
    try:
        lost = await a.command("idea.post", board=board.pk, text="Nobody hears this at first")
    finally:
        layer.group_send = real_group_send
    assert await b.nothing(0.2)
    await (await hub_module.get_hub()).resync()
    assert (await b.event("idea.posted"))["idea"]["id"] == lost["id"]
    await a.close(); await b.close()


async def test_presence_changes_with_the_first_and_last_socket():
    workshop, fac, (an, bo), board = await setup_room()
    b = await Live.open(bo)
    await b.drain()  # Bo's own presence, told before or after their welcome
    a1 = await Live.open(an)
    online = await b.event("presence.changed")
    assert online["participant"] == {"id": an.pk, "name": "An", "role": "citizen", "online": True, "room": None}
    a2 = await Live.open(an)
    assert await b.nothing()
    await a1.close()
    assert await b.nothing()
    await a2.close()
    offline = await b.event("presence.changed")
    assert offline["participant"]["online"] is False
    await b.close()


async def test_a_flapping_participant_is_told_at_most_twice_per_window_and_the_last_state_arrives():
    workshop, fac, (an, bo), board = await setup_room()
    b = await Live.open(bo)
    started = time.monotonic()
    for _ in range(50):
        await (await Live.open(an)).close()
    last = await Live.open(an)
    assert time.monotonic() - started < 5  # the whole storm fits in one window
    storm = [e for e in await b.drain() if e["type"] == "presence.changed" and e["participant"]["id"] == an.pk]
    # Each flush tells the state as it is then, if it differs from the last told: online, offline.
    assert [e["participant"]["online"] for e in storm] == [True, False][:len(storm)] and storm
    if len(storm) == 2:  # a third waits for the window, and then tells the state as it is by then
        storm.append(await b.event("presence.changed", timeout=7, about=an))
        moments = [datetime.fromisoformat(e["at"]) for e in storm]
        assert (moments[2] - moments[0]).total_seconds() >= 5
    assert storm[-1]["participant"] == {"id": an.pk, "name": "An", "role": "citizen", "online": True, "room": None}
    assert await b.nothing(timeout=1.5)
    await last.close(); await b.close()


@override_settings(INSPRAAK={**settings.INSPRAAK, "MAX_SOCKETS_PER_PARTICIPANT": 2})
async def test_sockets_per_participant_are_capped():
    workshop, fac, (an,), board = await setup_room(1)
    a1, a2 = await Live.open(an), await Live.open(an)
    a3 = await Live.open(an)
    assert a3.welcome is None and a3.close_code == 4429
    await a1.close(); await a2.close()


async def test_timers_phases_and_announcements_reach_everyone():
    workshop, fac, (an,), board = await setup_room(1)
    f, a = await Live.open(fac), await Live.open(an)
    assert (await f.command("phase.set", index=1))["type"] == "ack"
    assert (await a.event("phase.changed"))["phase"] == 1
    assert (await f.command("phase.set", index=7))["code"] == "invalid"
    assert (await f.command("announce", text="Five more minutes"))["type"] == "ack"
    ann = await a.event("announcement")
    assert ann["text"] == "Five more minutes" and ann["from"] == {"id": fac.pk, "name": "fac"}
    started = await f.command("timer.start", seconds=1, label="Brainstorm")
    assert started["type"] == "ack"
    assert (await a.event("timer.started"))["label"] == "Brainstorm"
    # The server's own loop fires the timer; nobody has to ask.
    expired = await a.event("timer.expired", timeout=5)
    assert expired["label"] == "Brainstorm"
    again = await Live.open(an)
    assert again.welcome["workshop"]["timer"] is None and again.welcome["workshop"]["phase"] == 1
    await f.command("timer.start", seconds=600, label="Long")
    assert (await f.command("timer.stop"))["type"] == "ack"
    assert (await a.event("timer.stopped"))["type"] == "timer.stopped"
    for s in (f, a, again):
        await s.close()


async def test_a_timer_that_fell_due_with_nobody_connected_fires_when_the_server_looks():
    workshop, fac, citizens, board = await setup_room(0)
    from workshops import services
    await db(services.timer_start)(actor=fac, seconds=1, label="Break")
    await asyncio.sleep(1.1)
    assert await db(background.run_due_deadlines)() == 1
    assert await db(background.run_due_deadlines)() == 0
    expired = await db(lambda: list(Event.objects.filter(workshop=workshop, type="timer.expired")))()
    assert len(expired) == 1 and expired[0].payload["label"] == "Break"


async def test_cross_origin_handshake_is_refused():
    workshop, fac, (an,), board = await setup_room(1)
    evil = await Live.open(an, origin="http://evil.example")
    assert evil.connected is False


async def test_no_participant_in_session_closes_4401_and_unknown_workshop_4404():
    workshop, fac, (an,), board = await setup_room(1)
    nobody = await Live.open(an, session_key="no-such-session")
    assert nobody.welcome is None and nobody.close_code == 4401
    lost = await Live.open(an, code="doesnotexist")
    assert lost.welcome is None and lost.close_code == 4404


async def test_ping_is_answered_with_pong():
    workshop, fac, (an,), board = await setup_room(1)
    a = await Live.open(an)
    await a.send_raw(json.dumps({"type": "ping", "ref": "p1"}))
    assert await a.frame() == {"type": "pong", "ref": "p1"}
    await a.close()


async def test_receipts_store_the_first_answer():
    workshop, fac, (an,), board = await setup_room(1)
    a = await Live.open(an)
    ack = await a.command("idea.post", ref="keep", board=board.pk, text="Trees")
    receipt = await db(lambda: CommandReceipt.objects.get(participant=an, ref="keep"))()
    assert receipt.answer == ack
    await a.close()


# roles that change

async def with_moderator(**kwargs):
    """A started workshop with its facilitator, a moderator (a staff account) and one citizen."""
    workshop, fac = await db(make_workshop)(language="nl", **kwargs)
    await db(lambda: get_user_model().objects.create_user("mod", is_staff=True))()
    mod = await db(services.staff_add)(actor=fac, username="mod", role="moderator")
    an = await db(make_citizen)(workshop, "An")
    board = await db(lambda: Board.objects.get(workshop=workshop, room=None))()
    return workshop, fac, mod, an, board


async def closed_with(live: Live) -> tuple[int, list[dict]]:
    """Read a socket until it closes: the close code and the frames that came before it."""
    frames = []
    while True:
        out = await live.comm.receive_output(timeout=3)
        if out["type"] == "websocket.close":
            return out.get("code"), frames
        frames.append(json.loads(out["text"]))


async def still_open(live: Live) -> bool:
    """Whether the socket is still open and answering."""
    await live.send_raw(json.dumps({"type": "ping", "ref": "still-there"}))
    return await live.event("pong") == {"type": "pong", "ref": "still-there"}


async def demoted_with_sockets_open():
    """The moderator, the citizen and the facilitator connected; then the moderator is made official."""
    workshop, fac, mod, an, board = await with_moderator()
    m, a, f = await Live.open(mod), await Live.open(an), await Live.open(fac)
    for s in (m, a, f):
        await s.drain()
    await db(services.staff_add)(actor=fac, username="mod", role="official")
    return mod, board, m, a, f


async def test_a_demoted_moderator_is_closed_with_4401_and_gets_no_held_idea_after_it():
    mod, board, m, a, f = await demoted_with_sockets_open()
    code, frames = await closed_with(m)
    assert code == 4401
    assert [fr for fr in frames if fr["type"] == "role.changed"] == [
        {**frames[-1], "type": "role.changed", "participant": mod.pk, "role": "official"}]
    held = await a.command("idea.post", board=board.pk, text="Bel me op 0612345678")
    assert held["status"] == "held"
    assert (await f.event("idea.held"))["idea"]["id"] == held["id"]
    # Nothing after the close: not the held idea with its phone number, not anything else.
    assert await m.comm.receive_nothing(timeout=0.3)
    # Reconnecting, they get the role they have now: an official sees no held idea and no flags.
    again = await Live.open(mod, since=frames[-1]["seq"])
    assert again.welcome["me"]["role"] == "official"
    await again.drain()
    second = await a.command("idea.post", board=board.pk, text="Of bel 0687654321")
    assert second["status"] == "held" and (await f.event("idea.held"))["idea"]["id"] == second["id"]
    assert await again.nothing()
    fresh = await Live.open(mod)
    assert fresh.welcome["me"]["role"] == "official" and fresh.welcome["flags"] == []
    assert {i["id"] for i in fresh.welcome["ideas"]} & {held["id"], second["id"]} == set()
    for s in (a, f, again, fresh):
        await s.close()


async def test_a_change_of_role_leaves_everyone_elses_sockets_open():
    mod, board, m, a, f = await demoted_with_sockets_open()
    assert (await closed_with(m))[0] == 4401
    for s in (a, f):
        assert (await s.event("presence.changed"))["participant"]["role"] == "official"
        assert not any(e["type"] == "role.changed" for e in await s.drain())
        assert await still_open(s)
    for s in (a, f):
        await s.close()


async def test_a_removed_staff_member_is_closed_with_4401_and_comes_back_as_a_citizen():
    workshop, fac, mod, an, board = await with_moderator(moderation="pre")
    m = await Live.open(mod)
    await m.drain()
    await db(services.staff_remove)(actor=fac, username="mod")
    code, frames = await closed_with(m)
    assert code == 4401 and frames[-1]["type"] == "role.changed" and frames[-1]["role"] == "citizen"
    back = await Live.open(mod)
    assert back.welcome["me"]["role"] == "citizen" and back.welcome["flags"] == []
    a = await Live.open(an)
    held = await a.command("idea.post", board=board.pk, text="A bench by the pond")
    assert held["status"] == "held"
    assert [e["type"] for e in await back.drain()] == ["presence.changed"]  # An came online; no held idea
    # Given a role again, their citizen socket closes too, and they return as moderator.
    await db(services.staff_add)(actor=fac, username="mod", role="moderator")
    assert (await closed_with(back))[0] == 4401
    mod_again = await Live.open(mod)
    assert mod_again.welcome["me"]["role"] == "moderator"
    assert held["id"] in {i["id"] for i in mod_again.welcome["ideas"]}
    await a.close(); await mod_again.close()


async def test_a_socket_opened_after_the_change_replays_it_and_stays_open():
    workshop, fac, mod, an, board = await with_moderator()
    m = await Live.open(mod)
    before = m.welcome["seq"]
    await m.close()
    await db(services.staff_add)(actor=fac, username="mod", role="official")
    resumed = await Live.open(mod, since=before)
    assert resumed.welcome["resumed"] is True and resumed.welcome["me"]["role"] == "official"
    assert (await resumed.event("role.changed"))["role"] == "official"
    assert await still_open(resumed)
    await resumed.close()


# frames that cannot break a socket

async def pong(live, ref="alive") -> dict:
    await live.send_raw(json.dumps({"type": "ping", "ref": ref}))
    return await live.frame()


async def test_an_oversize_frame_is_answered_too_large_and_the_socket_stays_open():
    workshop, fac, (an,), board = await setup_room(1)
    a = await Live.open(an)
    limit = settings.INSPRAAK["MAX_FRAME_BYTES"]
    # The limit counts UTF-8 bytes: 6,000 three-byte characters are 18,000 bytes.
    for frame in [json.dumps({"type": "ping", "ref": "big", "pad": "x" * limit}),
                  json.dumps({"type": "ping", "ref": "wide", "pad": "\u20ac" * 6000}, ensure_ascii=False)]:
        await a.send_raw(frame)
        assert await a.frame() == {"type": "error", "ref": None, "code": "too_large",
                                   "message": "Frames are at most 16 KiB."}
        assert await pong(a) == {"type": "pong", "ref": "alive"}
    fits = json.dumps({"type": "ping", "ref": "fits", "pad": ""})
    await a.send_raw(fits[:-2] + "x" * (limit - len(fits)) + fits[-2:])
    assert await a.frame() == {"type": "pong", "ref": "fits"}
    await a.close()


async def test_json_nested_deeper_than_32_levels_is_bad_json_and_the_socket_stays_open():
    workshop, fac, (an,), board = await setup_room(1)
    a = await Live.open(an)

    def nested(levels):  # the command object itself is the first level
        return '{"type": "ping", "ref": "deep", "x": ' + "[" * (levels - 1) + "]" * (levels - 1) + "}"

    for frame in ["[" * 5000 + "]" * 5000, '{"a":' * 2500 + "1" + "}" * 2500, nested(33), "[" * 5000]:
        await a.send_raw(frame)
        answer = await a.frame()
        assert answer["type"] == "error" and answer["code"] == "bad_json", frame[:40]
        assert await pong(a) == {"type": "pong", "ref": "alive"}
    await a.send_raw(nested(32))
    assert await a.frame() == {"type": "pong", "ref": "deep"}
    # Brackets inside strings are text, not nesting.
    await a.send_raw(json.dumps({"type": "ping", "ref": "[{" * 32, "x": "]" * 100}))
    assert await a.frame() == {"type": "pong", "ref": "[{" * 32}
    await a.close()


async def test_frames_that_are_not_utf8_json_get_bad_json_and_binary_json_is_read():
    workshop, fac, (an,), board = await setup_room(1)
    a = await Live.open(an)
    await a.comm.send_input({"type": "websocket.receive", "bytes": b'{"type": "ping", "ref": "bin"}'})
    assert await a.frame() == {"type": "pong", "ref": "bin"}
    for text, data in [('{"type": "ping", "ref": "\\ud800"}', None), ('{"type": "ping", "ref": "\ud800"}', None),
                       (None, b"\xff\xfe{}"), (None, b"")]:
        await a.comm.send_input({"type": "websocket.receive", "text": text, "bytes": data})
        assert (await a.frame())["code"] == "bad_json"
        assert await pong(a) == {"type": "pong", "ref": "alive"}
    for frame in ["[]", "3", '"ping"', '{"type": 7}', "null"]:
        await a.send_raw(frame)
        assert (await a.frame())["code"] == "invalid"
    await a.close()


async def test_a_cancelled_socket_leaves_no_connection_and_its_participant_goes_offline():
    workshop, fac, (an, bo), board = await setup_room()
    b = await Live.open(bo)
    a = await Live.open(an)
    assert (await b.event("presence.changed", about=an))["participant"]["online"] is True
    # As Daphne does at shutdown, or when an application outlives its close timeout.
    a.comm.future.cancel()
    offline = await b.event("presence.changed", about=an)
    assert offline["participant"] == {**offline["participant"], "id": an.pk, "online": False}
    assert await db(lambda: Connection.objects.filter(participant=an).count())() == 0
    await b.close()


def test_reading_a_16_kib_frame_takes_linear_time_whatever_its_quotes_and_brackets():
    import time

    from workshops.consumers import parse

    # An unterminated string full of escaped quotes took 0.65 s with a backtracking pattern: the event
    # loop of every socket in the process would wait on it. Now each takes about a millisecond.
    limit = settings.INSPRAAK["MAX_FRAME_BYTES"]
    for text in [json.dumps({"type": "ping", "ref": "r", "pad": '[{"' * 5000})[:limit - 100],
                 '"' * (limit - 100), '\\"' * (limit // 2 - 100), "[" * (limit - 100), '{"a":' * (limit // 5 - 100)]:
        started = time.perf_counter()
        with pytest.raises(DomainError):
            parse(text)
        assert time.perf_counter() - started < 0.1, text[:40]
