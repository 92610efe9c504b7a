"""A large welcome's shared parts are kept per process at a seq and followed by the events after it (2.3)."""
import json
import threading
import time

import pytest
from channels.db import database_sync_to_async as db
from django.db import transaction

from deliberation import moderation, services as content, tallies
from deliberation.models import Board, Idea
from tests.live import Live, make_citizen, make_workshop
from workshops import selectors, snapshot, stream
from workshops.events import PresenceChanged
from workshops.models import Participant, Workshop
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


def stale(kept: snapshot.SharedSnapshots, *, whole_read_long_ago=False) -> None:
    """Make the one entry kept stale, and with `whole_read_long_ago` its parts too old to keep."""
    [(key, (seq, _, parts, whole_at))] = kept.entries.items()
    if whole_read_long_ago:
        whole_at = time.monotonic() - snapshot.KEEP_PARTS_S - 1
    kept.entries[key] = (seq, time.monotonic() - snapshot.KEEP_S - 1, parts, whole_at)


def tell_presence(workshop, participant) -> int:
    """A presence.changed for the participant, stored as a flush stores it; the workshop's seq after it."""
    with stream.publishing(), transaction.atomic():
        stream.emit(workshop.pk, PresenceChanged(participant=selectors.participant_payload(participant, online=True)))
    return Workshop.objects.get(pk=workshop.pk).last_seq


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
    workshop, fac = await db(make_workshop)()
    an = await db(make_citizen)(workshop, "An")
    me = await db(lambda: Participant.objects.select_related("workshop").get(pk=an.pk))()
    kept = snapshot.SharedSnapshots()
    assert kept.get(me, 10, lambda only: {"ideas": [{"id": 1}]}) == (10, {"ideas": ["{\"id\":1}"]})
    stale(kept)
    reading, release, builds = threading.Event(), threading.Event(), []

    def slow_build(only):
        builds.append(1)
        reading.set()
        release.wait(5)
        return {"ideas": [{"id": 1}, {"id": 2}]}

    renewer = threading.Thread(target=lambda: kept.get(me, 12, slow_build))
    renewer.start()
    assert reading.wait(5)
    # While it reads: a reader within KEEP_EVENTS of the stale entry gets the stale one at once...
    assert kept.get(me, 10 + snapshot.KEEP_EVENTS, lambda only: builds.append("again"))[0] == 10
    # ...and one beyond it waits for the new entry instead of reading the workshop again.
    waited = []
    waiter = threading.Thread(target=lambda: waited.append(kept.get(me, 11 + snapshot.KEEP_EVENTS,
                                                                     lambda only: builds.append("again"))))
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive() and not waited
    release.set()
    renewer.join(5)
    waiter.join(5)
    assert builds == [1] and waited[0][0] == 12 and len(waited[0][1]["ideas"]) == 2


async def test_a_stale_kept_snapshot_reads_anew_only_the_parts_that_the_events_since_may_have_changed():
    workshop, fac = await db(make_workshop)()
    an = await db(make_citizen)(workshop, "An")
    me = await db(lambda: Participant.objects.select_related("workshop").get(pk=an.pk))()
    kept, reads = snapshot.SharedSnapshots(), []

    def build(only):
        reads.append(only)
        n = len(reads)
        parts = {"workshop": {"n": n}, "participants": [{"id": n}], "ideas": [{"id": n}]}
        return {name: value for name, value in parts.items() if only is None or name == "workshop" or name in only}

    kept.get(me, 10, build)
    stale(kept)
    seq, parts = kept.get(me, 12, build, changed=lambda since: frozenset({"participants"}) if since == 10 else None)
    assert reads == [None, frozenset({"participants"})]
    assert seq == 12 and parts == {"workshop": '{"n":2}', "participants": ['{"id":2}'], "ideas": ['{"id":1}']}
    # The entry as renewed is what the next joins get, until it is stale again.
    assert kept.get(me, 13, build) == (12, parts) and len(reads) == 2
    # Events that may have changed anything: all of it is read anew.
    stale(kept)
    assert kept.get(me, 14, build, changed=lambda since: None)[1]["ideas"] == ['{"id":3}']
    # Parts kept from a whole read longer ago than KEEP_PARTS_S are read anew, whatever the events.
    stale(kept, whole_read_long_ago=True)
    assert kept.get(me, 16, build, changed=lambda since: frozenset())[1]["ideas"] == ['{"id":4}']
    assert reads[2:] == [None, None]


async def test_the_parts_the_events_between_two_seqs_may_have_changed():
    workshop, fac = await db(make_workshop)()
    an = await db(make_citizen)(workshop, "An")
    board = await db(lambda: Board.objects.get(workshop=workshop, room=None))()

    def last_seq():
        return Workshop.objects.get(pk=workshop.pk).last_seq

    start = await db(last_seq)()
    presence = await db(tell_presence)(workshop, an)
    assert await db(stream.parts_changed)(workshop.pk, start, presence) == frozenset({"participants"})
    assert await db(stream.parts_changed)(workshop.pk, presence, presence) == frozenset()
    await db(post)(an, "Shade", board)
    end = await db(last_seq)()
    assert await db(stream.parts_changed)(workshop.pk, start, end) is None
    assert await db(stream.parts_changed)(workshop.pk, presence, end) is None


async def test_a_welcome_after_presence_changes_reads_the_participants_anew_and_keeps_the_ideas():
    workshop, fac = await db(make_workshop)()
    an, bo = [await db(make_citizen)(workshop, n) for n in ("An", "Bo")]
    board = await db(lambda: Board.objects.get(workshop=workshop, room=None))()
    idea = await db(post)(an, "Shade", board)
    kept, _ = await db(welcome_of)(an)
    cas = await db(make_citizen)(workshop, "Cas")  # no event: a join is told with presence

    def presence_told_and_stale():
        tell_presence(workshop, cas)
        # Changed behind the stream's back, which nothing does: shows whether the ideas were read again.
        Idea.objects.filter(pk=idea.pk).update(text="Shade, unread")
        stale(shared_snapshot)

    await db(presence_told_and_stale)()
    welcome, replay = await db(welcome_of)(bo)
    assert welcome["seq"] > kept["seq"] and replay == []
    assert "Cas" in {p["name"] for p in welcome["participants"]}
    assert [i["text"] for i in welcome["ideas"]] == ["Shade"]
    assert [i["text"] for i in (await db(fresh)(bo))["ideas"]] == ["Shade, unread"]


async def test_the_first_read_of_a_large_snapshot_is_one_threads_and_a_small_ones_is_everyones(settings):
    """A join storm's first sockets: one reads the workshop, the others wait for what it keeps; once a
    reader kind is known to be small (read anew for every welcome), nobody waits for anybody."""
    workshop, fac = await db(make_workshop)()
    an = await db(make_citizen)(workshop, "An")
    me = await db(lambda: Participant.objects.select_related("workshop").get(pk=an.pk))()
    kept, builds = snapshot.SharedSnapshots(), []
    reading, release = threading.Event(), threading.Event()

    def slow_build(only):
        builds.append(only)
        reading.set()
        release.wait(5)
        return {"ideas": [{"id": 1}]}

    first = threading.Thread(target=lambda: kept.get(me, 10, slow_build))
    first.start()
    assert reading.wait(5)
    got = []
    second = threading.Thread(target=lambda: got.append(kept.get(me, 11, lambda only: builds.append("again"))))
    late = threading.Thread(target=lambda: got.append(kept.get(me, 9, lambda only: builds.append("again"))))
    second.start()
    late.start()
    second.join(0.2)
    assert second.is_alive() and not got
    release.set()
    for thread in (first, second, late):
        thread.join(5)
    assert builds == [None]
    # The one whose seq is older than the kept one's is sent back to read its seq again.
    assert sorted(got, key=str) == sorted([(10, {"ideas": ['{"id":1}']}), None], key=str)

    settings.INSPRAAK = {**settings.INSPRAAK, "SNAPSHOT_KEEP_BYTES": 10 ** 6}
    small = snapshot.SharedSnapshots()
    assert small.get(me, 10, lambda only: {"ideas": []}) == (10, {"ideas": []})
    assert not small.entries and small.small
    release.clear()
    builds.clear()
    reading.clear()
    slow = threading.Thread(target=lambda: small.get(me, 11, slow_build))
    slow.start()
    assert reading.wait(5)
    assert small.get(me, 12, lambda only: {"ideas": [{"id": 2}]}) == (12, {"ideas": ['{"id":2}']})  # no wait
    release.set()
    slow.join(5)


async def test_a_welcome_sent_back_by_a_newer_kept_snapshot_reads_its_seq_again(monkeypatch):
    workshop, fac = await db(make_workshop)()
    an = await db(make_citizen)(workshop, "An")
    board = await db(lambda: Board.objects.get(workshop=workshop, room=None))()
    await db(post)(an, "Shade", board)
    truth = await db(fresh)(an)
    asked, real_get = [], snapshot.SharedSnapshots.get

    def newer_once(self, participant, seq, build, changed):
        asked.append(seq)
        return None if len(asked) == 1 else real_get(self, participant, seq, build, changed)

    monkeypatch.setattr(snapshot.SharedSnapshots, "get", newer_once)
    shared_snapshot.clear()
    welcome, replay = await db(welcome_of)(an)
    assert len(asked) == 2 and welcome == truth and replay == []

    # Sent back every time (a stream running ahead of the reader): the last attempt reads it itself.
    monkeypatch.setattr(snapshot.SharedSnapshots, "get", lambda *args, **kwargs: asked.append(0))
    asked.clear()
    welcome, replay = await db(welcome_of)(an)
    assert len(asked) == selectors.WELCOME_ATTEMPTS and welcome == truth and replay == []


async def test_welcomes_from_one_kept_snapshot_read_the_events_after_it_once(monkeypatch):
    """A join storm: every welcome starts from the kept snapshot and replays what came after it (a
    presence.changed per person who joined since). The first welcome reads those events; the next
    read only what was stored since, and each gets the replay a welcome reading anew would get."""
    monkeypatch.setattr(snapshot, "KEEP_S", 60.0)  # the same kept snapshot throughout, however slow the run
    reads = []
    real = stream.stored_between
    monkeypatch.setattr(stream, "stored_between",
                        lambda wid, seq, until: reads.append((seq, until)) or real(wid, seq, until))
    workshop, fac = await db(make_workshop)()
    an, bo, cas, dee = [await db(make_citizen)(workshop, n) for n in ("An", "Bo", "Cas", "Dee")]
    base = (await db(welcome_of)(an))[0]["seq"]
    await db(tell_presence)(workshop, an)
    first = await db(tell_presence)(workshop, bo)
    welcome, replay = await db(welcome_of)(bo)
    assert welcome["seq"] == base and [item["seq"] for item in replay] == [base + 1, base + 2] == [first - 1, first]
    last = await db(tell_presence)(workshop, cas)
    for person in (cas, dee):
        welcome, replay = await db(welcome_of)(person)
        assert welcome["seq"] == base
        assert replay == await db(stream.events_after)(workshop.pk, base, until=last, reader=person)
    assert reads == [(base, first), (first, last)]


async def test_a_replay_read_once_is_rewritten_for_each_reader_on_copies():
    """What one reader's rewrite takes out never changes the events as read, which other readers share;
    an event the rewriters leave alone is sent as it was encoded when read."""
    workshop, fac = await db(make_workshop)()
    an, bo = [await db(make_citizen)(workshop, n) for n in ("An", "Bo")]
    board = await db(lambda: Board.objects.get(workshop=workshop, room=None))()
    base = await db(lambda: Workshop.objects.get(pk=workshop.pk).last_seq)()
    idea = await db(post)(an, "Meet behind the old mill at nine", board)
    seq = await db(tell_presence)(workshop, bo)
    stored = [item for _, item in await db(stream.stored_between)(workshop.pk, base, seq)]
    await db(lambda: moderation.idea_hide(actor=Participant.objects.get(pk=fac.pk), idea=Idea.objects.get(pk=idea.pk),
                                          reason="personal_info"))()

    for_bo = await db(lambda: stream.replay_for(Participant.objects.get(pk=bo.pk), stored))()
    posted = next(item for item in for_bo if item["type"] == "idea.posted")
    assert "old mill" not in posted["frame"] and json.loads(posted["frame"])["idea"]["status"] == "hidden"
    assert for_bo[-1]["type"] == "presence.changed" and for_bo[-1] is stored[-1][1]  # left alone: as read
    read = next(event for event, _ in stored if event.type == "idea.posted")
    assert read.payload["idea"]["text"] == "Meet behind the old mill at nine"  # the shared read, untouched
    for_fac = await db(lambda: stream.replay_for(Participant.objects.get(pk=fac.pk), stored))()
    posted = next(item for item in for_fac if item["type"] == "idea.posted")
    assert json.loads(posted["frame"])["idea"]["text"] == "Meet behind the old mill at nine"  # moderators read it
