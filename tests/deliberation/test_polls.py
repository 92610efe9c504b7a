"""Polls over the socket (PROTOCOL 3.4): every kind, its invalid answers, visibility, anonymity, closing."""
import asyncio
import re
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async as db
from django.test import Client
from django.utils import timezone

from deliberation import polls, privacy
from deliberation.models import Board, Poll, PollAnswer
from deliberation.poll_selectors import voter_key
from tests.live import Live, make_citizen, make_workshop
from workshops.background import run_due_deadlines
from workshops.models import Deadline, Event

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_env")]

OPTIONS = ["Trees", "Benches", "Fountain"]


async def setup(n=2):
    workshop, fac = await db(make_workshop)()
    citizens = [await db(make_citizen)(workshop, name) for name in ["An", "Bo", "Cas"][:n]]
    sockets = [await Live.open(p) for p in (fac, *citizens)]
    return workshop, fac, citizens, sockets


async def open_poll(f, **fields):
    fields.setdefault("results", "live")
    ack = await f.command("poll.open", question="What first?", **fields)
    assert ack["type"] == "ack", ack
    opened = await f.event("poll.opened")
    assert opened["poll"]["id"] == ack["id"]
    return opened["poll"]


async def close(f, poll_id):
    assert (await f.command("poll.close", poll=poll_id))["type"] == "ack"
    return (await f.event("poll.closed"))["poll"]


async def test_single_choice_live_results_reach_everyone_and_an_answer_replaces_the_earlier_one():
    workshop, fac, (an, bo), (f, a, b) = await setup()
    poll = await open_poll(f, kind="single", options=OPTIONS)
    assert poll["status"] == "open" and [o["label"] for o in poll["options"]] == OPTIONS
    assert poll["results"] == {"n": 0, "counts": {}} and not poll["anonymous"]
    seen = (await a.event("poll.opened"))["poll"]
    assert seen == poll
    trees, benches, _ = [o["id"] for o in poll["options"]]
    ack = await a.command("poll.answer", poll=poll["id"], choice=trees)
    assert ack["type"] == "ack" and ack["answer"] == {"choice": trees}
    assert (await b.event("poll.results"))["results"] == {"n": 1, "counts": {str(trees): 1}}
    await a.command("poll.answer", poll=poll["id"], choice=benches)  # replaces, within the window: a flush follows
    await b.command("poll.answer", poll=poll["id"], choice=benches)
    final = await close(f, poll["id"])
    assert final["status"] == "closed" and final["results"] == {"n": 2, "counts": {str(benches): 2}}
    assert (await a.event("poll.closed"))["poll"]["results"] == final["results"]
    assert await db(PollAnswer.objects.filter(poll_id=poll["id"]).count)() == 2
    assert (await a.command("poll.answer", poll=poll["id"], choice=trees))["code"] == "conflict"
    assert (await f.command("poll.close", poll=poll["id"]))["code"] == "conflict"


async def test_every_kind_gives_its_results():
    workshop, fac, (an, bo), (f, a, b) = await setup()
    multiple = await open_poll(f, kind="multiple", options=OPTIONS, max_choices=2)
    o = [x["id"] for x in multiple["options"]]
    await a.command("poll.answer", poll=multiple["id"], choices=[o[0], o[2]])
    await b.command("poll.answer", poll=multiple["id"], choices=[o[2]])
    assert (await close(f, multiple["id"]))["results"] == {"n": 2, "counts": {str(o[0]): 1, str(o[2]): 2}}

    scale = await open_poll(f, kind="scale", scale={"min": 1, "max": 5})
    assert scale["options"] == [] and scale["scale"] == {"min": 1, "max": 5}
    await a.command("poll.answer", poll=scale["id"], value=2)
    await b.command("poll.answer", poll=scale["id"], value=5)
    assert (await close(f, scale["id"]))["results"] == {"n": 2, "mean": 3.5, "median": 3.5,
                                                        "histogram": {"2": 1, "5": 1}}

    ranking = await open_poll(f, kind="ranking", options=OPTIONS)
    o = [x["id"] for x in ranking["options"]]
    await a.command("poll.answer", poll=ranking["id"], ranking=[o[2], o[0], o[1]])
    await b.command("poll.answer", poll=ranking["id"], ranking=[o[2], o[1], o[0]])
    assert (await close(f, ranking["id"]))["results"] == {
        "n": 2, "order": [o[2], o[0], o[1]], "borda": {str(o[0]): 1, str(o[1]): 1, str(o[2]): 4}}

    points = await open_poll(f, kind="points", options=OPTIONS[:2])
    assert points["points"] == 10
    o = [x["id"] for x in points["options"]]
    await a.command("poll.answer", poll=points["id"], points={str(o[0]): 6, str(o[1]): 4})
    await b.command("poll.answer", poll=points["id"], points={str(o[1]): 3})
    assert (await close(f, points["id"]))["results"] == {"n": 2, "totals": {str(o[0]): 6, str(o[1]): 7}}

    words = await open_poll(f, kind="words")
    ack = await a.command("poll.answer", poll=words["id"], words=["  Shade ", "TREES"])
    assert ack["answer"] == {"words": ["shade", "trees"]}
    await b.command("poll.answer", poll=words["id"], words=["trees", "kut", "jan@example.org"])
    assert (await close(f, words["id"]))["results"] == {
        "n": 2, "words": [{"word": "trees", "count": 2}, {"word": "shade", "count": 1}]}  # screened out: gone


INVALID = {
    "single": [({"choice": 999999}, "choice"), ({"choices": [1]}, "choices"), ({}, "choice"),
               ({"choice": "1"}, "choice")],
    "multiple": [({"choices": [999999]}, "choices"), ({"choices": []}, "choices"), ({"choices": ["a"]}, "choices.0"),
                 ({"choices": "all"}, "choices")],  # plus max_choices and repeats below
    "scale": [({"value": 11}, "value"), ({"value": -1}, "value"), ({"value": 2.5}, "value"),
              ({"ranking": [1]}, "ranking")],
    "ranking": [({"ranking": []}, "ranking")],  # plus a missing and a repeated option below
    "points": [({"points": {"999999": 1}}, "points"), ({"points": {"x": 1}}, "points")],
    "words": [({"words": []}, "words"), ({"words": ["a", "b", "c", "d"]}, "words"), ({"words": ["x" * 31]}, "words"),
              ({"words": ["  "]}, "words"), ({"value": 3}, "value")],
}


@pytest.mark.parametrize("kind", list(INVALID))
async def test_every_wrong_answer_is_invalid_with_its_field_and_changes_nothing(kind):
    workshop, fac, (an,), (f, a) = await setup(n=1)
    cases = INVALID[kind]
    if True:
        fields = {"options": OPTIONS} if kind in ("single", "multiple", "ranking", "points") else {}
        poll = await open_poll(f, kind=kind, **({"max_choices": 2} if kind == "multiple" else {}), **fields)
        o = [x["id"] for x in poll["options"]]
        if kind == "multiple":
            cases = cases + [({"choices": o}, "choices"), ({"choices": [o[0], o[0]]}, "choices")]
        if kind == "ranking":
            cases = cases + [({"ranking": o[:2]}, "ranking"), ({"ranking": [o[0], o[0], o[1]]}, "ranking"),
                             ({"ranking": o + [999999]}, "ranking")]
        if kind == "points":
            cases = cases + [({"points": {str(o[0]): 11}}, "points"), ({"points": {str(o[0]): 6, str(o[1]): 5}}, "points"),
                             ({"points": {str(o[0]): -1}}, "points"), ({"points": {str(o[0]): 1.5}}, f"points.{o[0]}")]
        for answer, field in cases:
            error = await a.command("poll.answer", poll=poll["id"], **answer)
            assert error["type"] == "error" and error["code"] == "invalid", (kind, answer, error)
            assert field in error["fields"], (kind, answer, error)
    assert await db(PollAnswer.objects.count)() == 0
    assert not [e for e in await a.drain() if e["type"] == "poll.results"]
    assert (await a.command("poll.answer", poll=999999, choice=1))["code"] == "not_found"


async def test_only_facilitators_open_and_close_and_bad_polls_are_invalid():
    workshop, fac, (an,), (f, a) = await setup(n=1)
    assert (await a.command("poll.open", question="Q", kind="single", options=OPTIONS, results="live"))["code"] \
        == "forbidden"
    poll = await open_poll(f, kind="single", options=OPTIONS)
    assert (await a.command("poll.close", poll=poll["id"]))["code"] == "forbidden"
    bad = [({"kind": "single", "options": ["One"]}, "options"), ({"kind": "single"}, "options"),
           ({"kind": "single", "options": OPTIONS, "ideas": [1, 2]}, "options"),
           ({"kind": "single", "options": ["A", "a"]}, "options"),
           ({"kind": "scale", "options": OPTIONS}, "options"), ({"kind": "scale", "scale": {"min": 5, "max": 5}}, "scale"),
           ({"kind": "single", "options": OPTIONS, "max_choices": 2}, "max_choices"),
           ({"kind": "multiple", "options": OPTIONS, "max_choices": 4}, "max_choices"),
           ({"kind": "points", "options": OPTIONS, "points": 0}, "points"),
           ({"kind": "quiz", "options": OPTIONS}, "kind"), ({"kind": "single", "options": OPTIONS, "results": "never"},
                                                             "results")]
    for fields, field in bad:
        fields = {"results": "live", **fields}
        error = await f.command("poll.open", question="Q", **fields)
        assert error["code"] == "invalid" and field in error["fields"], (fields, error)
    assert await db(Poll.objects.count)() == 1


async def test_ideas_as_options_must_be_published_and_lose_their_text_once_hidden():
    workshop, fac, (an, bo), (f, a, b) = await setup()
    board = await db(lambda: Board.objects.get(workshop=workshop, room=None))()
    ids = [(await a.command("idea.post", board=board.pk, text=t))["id"] for t in ("Shade trees", "A fountain", "Wifi")]
    await f.command("idea.hide", idea=ids[2], reason="off topic")
    error = await f.command("poll.open", question="Rank", kind="ranking", ideas=ids, results="live")
    assert error["code"] == "invalid" and "ideas" in error["fields"]
    assert (await f.command("poll.open", question="Rank", kind="ranking", ideas=[ids[0], 999999],
                            results="live"))["code"] == "not_found"
    poll = await open_poll(f, kind="ranking", ideas=ids[:2])
    assert [(o["label"], o["idea"]) for o in poll["options"]] == [("Shade trees", ids[0]), ("A fountain", ids[1])]
    await f.command("idea.hide", idea=ids[1], reason="personal")
    late = await Live.open(bo)
    mine = next(p for p in late.welcome["polls"] if p["id"] == poll["id"])
    assert [o["label"] for o in mine["options"]] == ["Shade trees", ""]
    since = await db(lambda: Event.objects.filter(type="poll.opened").get().seq - 1)()
    resumed = await Live.open(bo, since=since)
    replayed = next(e for e in await resumed.drain() if e["type"] == "poll.opened")
    assert [o["label"] for o in replayed["poll"]["options"]] == ["Shade trees", ""]
    staff = await Live.open(fac)
    assert [o["label"] for o in staff.welcome["polls"][0]["options"]] == ["Shade trees", "A fountain"]
    # A withdrawn idea's text goes to nobody, moderators and facilitators included.
    assert (await a.command("idea.withdraw", idea=ids[0]))["type"] == "ack"
    staff = await Live.open(fac)
    assert [o["label"] for o in staff.welcome["polls"][0]["options"]] == ["", "A fountain"]
    replayed = next(e for e in await (await Live.open(fac, since=since)).drain() if e["type"] == "poll.opened")
    assert [o["label"] for o in replayed["poll"]["options"]] == ["", "A fountain"]


async def test_after_close_results_reach_only_facilitators_until_the_close_also_in_welcome_and_replay():
    workshop, fac, (an, bo), (f, a, b) = await setup()
    since = await db(lambda: type(workshop).objects.get(pk=workshop.pk).last_seq)()
    poll = await open_poll(f, kind="single", options=OPTIONS, results="after_close")
    assert poll["results"] is None and poll["results_visibility"] == "after_close"
    first = poll["options"][0]["id"]
    await a.command("poll.answer", poll=poll["id"], choice=first)
    assert (await f.event("poll.results"))["results"]["n"] == 1
    assert not [e for e in await b.drain() if e["type"] == "poll.results"]
    assert (await Live.open(bo)).welcome["polls"][0]["results"] is None
    assert (await Live.open(fac)).welcome["polls"][0]["results"] == {"n": 1, "counts": {str(first): 1}}
    resumed = await Live.open(bo, since=since)
    assert [e["type"] for e in await resumed.drain() if e["type"].startswith("poll.")] == ["poll.opened"]
    final = await close(f, poll["id"])
    assert (await b.event("poll.closed"))["poll"]["results"] == final["results"] == {"n": 1, "counts": {str(first): 1}}
    assert (await Live.open(bo)).welcome["polls"][0]["results"] == final["results"]


async def test_results_go_out_at_most_twice_a_second_and_a_trailing_flush_tells_the_rest():
    workshop, fac, (an, bo, cas), (f, a, b, c) = await setup(n=3)
    poll = await open_poll(f, kind="single", options=OPTIONS)
    first = poll["options"][0]["id"]
    for s in (a, b, c):
        await s.command("poll.answer", poll=poll["id"], choice=first)
    told = await db(lambda: list(Event.objects.filter(type="poll.results").values_list("payload", flat=True)))()
    assert [p["results"]["n"] for p in told] == [1]  # the other two came within the window
    assert await db(Deadline.objects.filter(kind=polls.RESULTS, done=False).count)() == 1
    await asyncio.sleep(polls.RESULTS_WINDOW.total_seconds())
    await db(run_due_deadlines)()  # or the background loop already did
    told = await db(lambda: list(Event.objects.filter(type="poll.results").order_by("seq")
                                 .values_list("payload", "created_at")))()
    assert [p["results"]["n"] for p, _ in told] == [1, 3]
    assert told[1][1] - told[0][1] >= polls.RESULTS_WINDOW
    seen = [e for e in await a.drain() if e["type"] == "poll.results"]
    assert seen[-1]["results"] == {"n": 3, "counts": {str(first): 3}}


async def test_a_timed_poll_closes_itself_once():
    workshop, fac, (an,), (f, a) = await setup(n=1)
    poll = await open_poll(f, kind="scale", duration_s=60)
    assert poll["closes_at"]
    await a.command("poll.answer", poll=poll["id"], value=7)
    assert await db(run_due_deadlines)(now=timezone.now() + timedelta(seconds=61)) >= 1
    closed = (await a.event("poll.closed"))["poll"]
    assert closed["status"] == "closed" and closed["results"]["median"] == 7
    assert await db(run_due_deadlines)(now=timezone.now() + timedelta(seconds=120)) == 0
    assert await db(Event.objects.filter(type="poll.closed").count)() == 1


async def test_ending_the_workshop_closes_open_polls_with_their_final_results_for_everyone():
    workshop, fac, (an, bo), (f, a, b) = await setup()
    hidden = await open_poll(f, kind="single", options=OPTIONS, results="after_close")
    live = await open_poll(f, kind="scale", duration_s=600)
    first = hidden["options"][0]["id"]
    await a.command("poll.answer", poll=hidden["id"], choice=first)
    await b.command("poll.answer", poll=hidden["id"], choice=first)  # within the results window
    await a.command("poll.answer", poll=live["id"], value=4)
    assert (await f.command("workshop.end"))["type"] == "ack"
    await b.event("workshop.ended")
    closed = {(await b.event("poll.closed", timeout=5))["poll"]["id"]: None for _ in range(2)}
    assert set(closed) == {hidden["id"], live["id"]}
    polls_now = {p["id"]: p for p in (await Live.open(bo)).welcome["polls"]}
    assert polls_now[hidden["id"]]["status"] == "closed"
    assert polls_now[hidden["id"]]["results"] == {"n": 2, "counts": {str(first): 2}}
    assert polls_now[live["id"]]["results"]["median"] == 4
    assert (await a.command("poll.answer", poll=live["id"], value=5))["code"] in ("ended", "conflict")
    assert await db(run_due_deadlines)(now=timezone.now() + timedelta(seconds=700)) == 0  # the timed close is gone
    assert await db(Event.objects.filter(type="poll.closed").count)() == 2


async def test_an_anonymous_poll_stores_and_exports_no_participant():
    workshop, fac, (an, bo), (f, a, b) = await setup()
    poll = await open_poll(f, kind="single", options=OPTIONS, anonymous=True)
    first = poll["options"][0]["id"]
    await a.command("poll.answer", poll=poll["id"], choice=first)
    await a.command("poll.answer", poll=poll["id"], choice=first)  # the hash stops a second answer
    await b.command("poll.answer", poll=poll["id"], choice=first)
    rows = await db(lambda: list(PollAnswer.objects.filter(poll_id=poll["id"]).values()))()
    assert len(rows) == 2 and all(r["participant_id"] is None for r in rows)
    assert {r["voter"] for r in rows} == {voter_key(poll["id"], an.pk), voter_key(poll["id"], bo.pk)}
    for r in rows:
        # The answer alone, and a keyed hash for who gave it. (Looking for the ids' digits in the hash
        # failed whenever the test ran alone: a small id's digit is in almost any 64-digit hash.)
        assert r["data"] == {"choice": first} and re.fullmatch(r"[0-9a-f]{64}", r["voter"])
    # The welcome gives each their own answer back, found through the hash; so does their own data.
    assert (await Live.open(an)).welcome["my_poll_answers"] == {str(poll["id"]): {"choice": first}}
    mine = (await db(privacy.participant_data)(an))["poll_answers"]
    assert [(a["poll"], a["question"], a["answer"]) for a in mine] == [(poll["id"], "What first?", {"choice": first})]
    await close(f, poll["id"])
    client = Client()
    await db(lambda: client.force_login(fac.user))()
    exported = (await db(client.get)(f"/api/workshops/{workshop.code}/export?format=json")).json()
    (mine,) = exported["polls"]
    assert mine["anonymous"] and all(set(answer) == {"answer"} for answer in mine["answers"])
    csv_text = (await db(client.get)(f"/api/workshops/{workshop.code}/export?format=csv")).content.decode()
    poll_rows = [line for line in csv_text.splitlines() if line.startswith("poll_answer")]
    assert len(poll_rows) == 2 and all(",P" not in line for line in poll_rows)


async def test_a_named_poll_exports_answers_by_alias():
    workshop, fac, (an,), (f, a) = await setup(n=1)
    poll = await open_poll(f, kind="single", options=OPTIONS)
    await a.command("poll.answer", poll=poll["id"], choice=poll["options"][1]["id"])
    client = Client()
    await db(lambda: client.force_login(fac.user))()
    exported = (await db(client.get)(f"/api/workshops/{workshop.code}/export?format=json")).json()
    (mine,) = exported["polls"]
    assert mine["answers"] == [{"participant": "P2", "answer": {"choice": poll["options"][1]["id"]}}]
    assert mine["results"] == {"n": 1, "counts": {str(poll["options"][1]["id"]): 1}}


async def test_the_results_window_leaves_room_for_the_hubs_hold():
    # The hub may hold a coalesced event for up to COALESCE_S and hand the next over at once: three
    # updates stored RESULTS_WINDOW apart must still span more than a second at any socket.
    from django.conf import settings

    assert 2 * polls.RESULTS_WINDOW.total_seconds() - settings.INSPRAAK["COALESCE_S"] > 1.0
