"""A large welcome's shared parts are kept per process at a seq and followed by the events after it (2.3)."""
import json

import pytest
from channels.db import database_sync_to_async as db

from deliberation import moderation, services as content, tallies
from deliberation.models import Board, Idea
from tests.live import Live, make_citizen, make_workshop
from workshops import selectors
from workshops.models import Participant
from workshops.snapshot import shared_snapshot, welcome_frames

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_env")]


@pytest.fixture(autouse=True)
def keep_every_snapshot(settings):
    settings.INSPRAAK = {**settings.INSPRAAK, "SNAPSHOT_KEEP_BYTES": 0}


def welcome_of(participant) -> tuple[dict, list[dict]]:
    frame, replay = selectors.welcome(participant_id=participant.pk, since=None)
    return json.loads(welcome_frames(frame, limit=2**30)[0]), replay


def post(author, text, board):
    return content.idea_post(actor=Participant.objects.get(pk=author.pk), board=board, text=text)


def fresh(participant) -> dict:
    """The welcome as it would be read now, with nothing kept."""
    shared_snapshot.clear()
    return welcome_of(participant)[0]


def ids(ideas) -> set[int]:
    return {idea["id"] for idea in ideas}


async def test_a_kept_snapshot_and_the_events_after_it_add_up_to_the_state_now():
    workshop, fac = await db(make_workshop)()
    an, bo, cas = [await db(make_citizen)(workshop, n) for n in ("An", "Bo", "Cas")]
    board = await db(lambda: Board.objects.get(workshop=workshop, room=None))()
    first = await db(post)(an, "Shade", board)
    kept, _ = await db(welcome_of)(bo)  # kept for every citizen of the plenary
    second = await db(post)(an, "Water", board)
    await db(lambda: content.idea_react(actor=Participant.objects.get(pk=bo.pk),
                                        idea=Idea.objects.get(pk=first.pk), value="agree"))()
    await db(tallies.tallies_flush)()

    welcome, replay = await db(welcome_of)(cas)
    assert welcome["seq"] == kept["seq"] and ids(welcome["ideas"]) == {first.pk}
    assert [item["type"] for item in replay] == ["idea.posted", "rung.changed", "idea.reacted"][:len(replay)]
    assert replay[0]["seq"] == welcome["seq"] + 1
    assert ids(welcome["ideas"]) | {json.loads(replay[0]["frame"])["idea"]["id"]} == ids((await db(fresh)(cas))["ideas"])
    assert second.pk in ids((await db(fresh)(cas))["ideas"])


async def test_readers_of_another_kind_get_their_own_and_a_reader_gets_their_own_hidden_ideas():
    workshop, fac = await db(make_workshop)()
    an, bo = [await db(make_citizen)(workshop, n) for n in ("An", "Bo")]
    board = await db(lambda: Board.objects.get(workshop=workshop, room=None))()
    idea = await db(post)(an, "Shade", board)
    await db(lambda: moderation.idea_hide(actor=Participant.objects.get(pk=fac.pk), idea=Idea.objects.get(pk=idea.pk),
                                          reason="abuse"))()
    for_bo, _ = await db(welcome_of)(bo)  # kept for citizens of the plenary: without the hidden idea
    assert ids(for_bo["ideas"]) == set()
    for_an, _ = await db(welcome_of)(an)  # same kind, own hidden idea added
    assert for_an["seq"] == for_bo["seq"]
    [own] = for_an["ideas"]
    assert own["id"] == idea.pk and own["text"] == "Shade" and own["status"] == "hidden"
    for_fac, _ = await db(welcome_of)(fac)  # another kind: moderators see it
    assert [i["id"] for i in for_fac["ideas"]] == [idea.pk] and for_fac["flags"] == []


async def test_a_snapshot_is_read_anew_when_something_after_it_took_back_what_it_showed():
    workshop, fac = await db(make_workshop)()
    an, bo, cas = [await db(make_citizen)(workshop, n) for n in ("An", "Bo", "Cas")]
    board = await db(lambda: Board.objects.get(workshop=workshop, room=None))()
    idea = await db(post)(an, "Meet behind the old mill at nine", board)
    kept, _ = await db(welcome_of)(bo)
    assert ids(kept["ideas"]) == {idea.pk}
    await db(lambda: moderation.idea_hide(actor=Participant.objects.get(pk=fac.pk), idea=Idea.objects.get(pk=idea.pk),
                                          reason="personal_info"))()

    welcome, replay = await db(welcome_of)(cas)  # joined after the hide: the hidden text must not reach them
    assert "old mill" not in json.dumps(welcome) and replay == []
    assert welcome["seq"] > kept["seq"]


async def test_a_large_workshop_welcome_over_a_socket_is_followed_by_what_came_after_its_seq():
    workshop, fac = await db(make_workshop)()
    an, bo = [await db(make_citizen)(workshop, n) for n in ("An", "Bo")]
    board = await db(lambda: Board.objects.get(workshop=workshop, room=None))()
    await db(post)(an, "Shade", board)
    a = await Live.open(an)
    latest = await db(post)(an, "Water", board)
    b = await Live.open(bo)
    assert latest.pk not in ids(b.welcome["ideas"])
    posted = await b.event("idea.posted")
    assert posted["idea"]["id"] == latest.pk and posted["seq"] > b.welcome["seq"]
    await a.close()
    await b.close()


async def test_a_stale_kept_snapshot_is_read_anew_by_one_thread_while_the_others_use_it_or_wait():
    """A join storm: many sockets open in the moment the kept entry goes stale. One reads it anew; the
    rest keep using the stale one while it is within KEEP_EVENTS, and wait for the new one beyond."""
    import threading
    import time

    from workshops import snapshot

    workshop, fac = await db(make_workshop)()
    an = await db(make_citizen)(workshop, "An")
    me = await db(lambda: Participant.objects.select_related("workshop").get(pk=an.pk))()
    kept = snapshot.SharedSnapshots()
    assert kept.get(me, 10, lambda: {"ideas": [{"id": 1}]}) == (10, {"ideas": ["{\"id\":1}"]})
    [(key, (seq, _, parts))] = kept.entries.items()
    kept.entries[key] = (seq, time.monotonic() - snapshot.KEEP_S - 1, parts)  # stale now
    reading, release, builds = threading.Event(), threading.Event(), []

    def slow_build():
        builds.append(1)
        reading.set()
        release.wait(5)
        return {"ideas": [{"id": 1}, {"id": 2}]}

    renewer = threading.Thread(target=lambda: kept.get(me, 12, slow_build))
    renewer.start()
    assert reading.wait(5)
    # While it reads: a reader within KEEP_EVENTS of the stale entry gets the stale one at once...
    assert kept.get(me, 10 + snapshot.KEEP_EVENTS, lambda: builds.append("again"))[0] == 10
    # ...and one beyond it waits for the new entry instead of reading the workshop again.
    waited = []
    waiter = threading.Thread(target=lambda: waited.append(kept.get(me, 11 + snapshot.KEEP_EVENTS,
                                                                     lambda: builds.append("again"))))
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive() and not waited
    release.set()
    renewer.join(5)
    waiter.join(5)
    assert builds == [1] and waited[0][0] == 12 and len(waited[0][1]["ideas"]) == 2
