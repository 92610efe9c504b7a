"""The command registry: one transaction per command, and its receipt; read-only commands outside both."""
import threading
from datetime import timedelta

import pytest
from django.db import OperationalError, connections, transaction
from django.utils import timezone

from deliberation.models import Idea
from tests.factories import citizen, last_seq, plenary, workshop_with_facilitator
from workshops import registry, stream
from workshops.errors import DomainError
from workshops.events import Announcement
from workshops.models import CommandReceipt, Event, Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def refusing_command():
    """A command that writes (an event and a rename) and then refuses."""
    @registry.command("test.refuse")
    def refuse(actor, cmd):
        Participant.objects.filter(pk=actor.pk).update(name="Renamed")
        stream.emit(actor.workshop_id, Announcement(text="written", from_={"id": actor.pk, "name": actor.name}))
        raise DomainError("conflict", "Changed my mind.")
    yield
    del registry.COMMANDS["test.refuse"]


class _DriverError(Exception):
    """What psycopg raises, as Django's OperationalError carries it (`__cause__`): its SQLSTATE."""

    def __init__(self, sqlstate: str):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.fixture
def failing_command():
    """A command that writes (an event and a rename) and then fails as PostgreSQL ended its transaction,
    the first `runs[0]` times it runs, with the SQLSTATE in `runs[1]`."""
    runs = [0, registry.DEADLOCK]
    ran = []

    @registry.command("test.fail")
    def fail(actor, cmd):
        ran.append(actor.pk)
        Participant.objects.filter(pk=actor.pk).update(name=f"Renamed {len(ran)}")
        stream.emit(actor.workshop_id, Announcement(text=f"run {len(ran)}", from_={"id": actor.pk, "name": actor.name}))
        if len(ran) <= runs[0]:
            raise OperationalError("the transaction was ended") from _DriverError(runs[1])
        return {"runs": len(ran)}
    yield runs, ran
    del registry.COMMANDS["test.fail"]


def test_a_command_that_postgresql_ended_to_break_a_deadlock_runs_again_and_only_its_last_run_stays(
        failing_command):
    runs, ran = failing_command
    runs[0] = registry.ATTEMPTS - 1
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop, "An")
    answer = registry.execute(participant_id=an.pk, frame={"type": "test.fail", "ref": "f1"})
    assert answer == {"type": "ack", "ref": "f1", "runs": registry.ATTEMPTS} and len(ran) == registry.ATTEMPTS
    assert [e.payload["text"] for e in Event.objects.filter(type=Announcement.type_name())] == [
        f"run {registry.ATTEMPTS}"]
    assert Participant.objects.get(pk=an.pk).name == f"Renamed {registry.ATTEMPTS}"
    assert CommandReceipt.objects.get(participant=an, ref="f1").answer == answer


@pytest.mark.parametrize("times, sqlstate", [(registry.ATTEMPTS, registry.DEADLOCK), (1, "57014")],
                         ids=["a deadlock at every attempt", "another error"])
def test_a_command_runs_again_only_after_a_deadlock_and_a_few_times_at_most(failing_command, times, sqlstate):
    runs, ran = failing_command
    runs[:] = [times, sqlstate]
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop, "An")
    with pytest.raises(OperationalError):
        registry.execute(participant_id=an.pk, frame={"type": "test.fail", "ref": "f1"})
    assert len(ran) == (registry.ATTEMPTS if sqlstate == registry.DEADLOCK else 1)
    assert not Event.objects.filter(type=Announcement.type_name()).exists()
    assert Participant.objects.get(pk=an.pk).name == "An" and not CommandReceipt.objects.filter(ref="f1").exists()


def test_a_refused_command_leaves_nothing_but_its_receipt(refusing_command):
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop, "An")
    before = last_seq(workshop)
    answer = registry.execute(participant_id=an.pk, frame={"type": "test.refuse", "ref": "r1"})
    assert answer == {"type": "error", "ref": "r1", "code": "conflict", "message": "Changed my mind."}
    assert last_seq(workshop) == before and not Event.objects.filter(type=Announcement.type_name()).exists()
    assert Participant.objects.get(pk=an.pk).name == "An"
    assert CommandReceipt.objects.get(participant=an, ref="r1").answer == answer
    again = registry.execute(participant_id=an.pk, frame={"type": "test.refuse", "ref": "r1"})
    assert again == {**answer, "duplicate": True}
    assert not Event.objects.filter(type=Announcement.type_name()).exists()


def test_a_command_refused_before_its_handler_keeps_no_receipt_so_its_ref_may_be_sent_again():
    workshop, fac = workshop_with_facilitator()
    invalid = registry.execute(participant_id=fac.pk, frame={"type": "announce", "ref": "a1"})
    assert invalid["code"] == "invalid" and not CommandReceipt.objects.filter(ref="a1").exists()
    answer = registry.execute(participant_id=fac.pk, frame={"type": "announce", "ref": "a1", "text": "Hi"})
    assert answer == {"type": "ack", "ref": "a1"} and CommandReceipt.objects.get(ref="a1").answer == answer


def test_a_resent_command_runs_nothing_twice_and_answers_its_first_outcome_whatever_the_rules_say_now():
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop, "An")
    board = plenary(workshop)
    post = {"type": "idea.post", "ref": "p1", "board": board.pk, "text": "Shade on the square"}
    first = registry.execute(participant_id=an.pk, frame=post)
    assert first["type"] == "ack"
    seq = last_seq(workshop)
    again = registry.execute(participant_id=an.pk, frame=post)
    assert again == {**first, "duplicate": True}
    assert Idea.objects.filter(board=board).count() == 1 and last_seq(workshop) == seq
    # The same ref, now that the schema (no board) and the rules (a muted author) would refuse it.
    Participant.objects.filter(pk=an.pk).update(muted_until=timezone.now() + timedelta(hours=1))
    assert registry.execute(participant_id=an.pk, frame={"type": "idea.post", "ref": "p1"}) == again
    assert registry.execute(participant_id=an.pk, frame=post) == again
    assert Idea.objects.filter(board=board).count() == 1 and last_seq(workshop) == seq
    assert CommandReceipt.objects.filter(participant=an).count() == 1


@pytest.fixture
def reading_command():
    """A read-only command that answers a large result and notes, per run, whether it ran in a transaction."""
    runs = []

    @registry.command("test.read", readonly=True)
    def read(actor, cmd):
        runs.append(transaction.get_connection().in_atomic_block)
        return {"rows": list(range(1000)), "run": len(runs)}
    yield runs
    del registry.COMMANDS["test.read"]


def test_a_resent_read_only_command_runs_again_and_its_receipt_keeps_no_result(reading_command, refusing_command):
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop, "An")
    first = registry.execute(participant_id=an.pk, frame={"type": "test.read", "ref": "r1"})
    assert first == {"type": "ack", "ref": "r1", "rows": list(range(1000)), "run": 1}
    assert CommandReceipt.objects.get(participant=an, ref="r1").answer == {"type": "ack", "ref": "r1"}
    again = registry.execute(participant_id=an.pk, frame={"type": "test.read", "ref": "r1"})
    assert again == {**first, "run": 2, "duplicate": True}
    # The ref stays used: another command sent with it is not run.
    other = registry.execute(participant_id=an.pk, frame={"type": "test.refuse", "ref": "r1"})
    assert other == {"type": "ack", "ref": "r1", "duplicate": True}
    assert Participant.objects.get(pk=an.pk).name == "An" and len(reading_command) == 2
    assert CommandReceipt.objects.filter(participant=an).count() == 1


def test_a_read_only_commands_receipt_keeps_the_code_of_its_handlers_refusal_and_none_before_it(reading_command):
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop, "An")

    @registry.command("test.read_refused", readonly=True)
    def read_refused(actor, cmd):
        raise DomainError("not_found", "No such board.")
    try:
        refused = registry.execute(participant_id=an.pk, frame={"type": "test.read_refused", "ref": "r1"})
        assert refused == {"type": "error", "ref": "r1", "code": "not_found", "message": "No such board."}
        assert CommandReceipt.objects.get(participant=an, ref="r1").answer == {"type": "error", "ref": "r1",
                                                                               "code": "not_found"}
        again = registry.execute(participant_id=an.pk, frame={"type": "test.read_refused", "ref": "r1"})
        assert again == {**refused, "duplicate": True}
    finally:
        del registry.COMMANDS["test.read_refused"]
    # Refused before the handler ran (the role, the fields): nothing is kept and the ref may be sent again.
    Participant.objects.filter(pk=an.pk).update(removed=True)
    assert registry.execute(participant_id=an.pk, frame={"type": "test.read", "ref": "r2"})["code"] == "forbidden"
    assert not CommandReceipt.objects.filter(ref="r2").exists() and not reading_command
    Participant.objects.filter(pk=an.pk).update(removed=False)
    assert registry.execute(participant_id=an.pk, frame={"type": "test.read", "ref": "r2"}) == {
        "type": "ack", "ref": "r2", "rows": list(range(1000)), "run": 1}


@pytest.mark.django_db(transaction=True)
def test_a_read_only_command_takes_no_write_lock_while_it_runs(reading_command):
    """On SQLite (IMMEDIATE transactions) a write transaction around the read would keep this writer waiting."""
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop, "An")
    written = []

    def writer():
        try:
            Participant.objects.filter(pk=fac.pk).update(name="Written meanwhile")
            written.append(True)
        finally:
            connections.close_all()

    @registry.command("test.read_while_writing", readonly=True)
    def read_while_writing(actor, cmd):
        thread = threading.Thread(target=writer)
        thread.start()
        thread.join(5)
        return {"written": bool(written), "in_transaction": transaction.get_connection().in_atomic_block}
    try:
        answer = registry.execute(participant_id=an.pk, frame={"type": "test.read_while_writing", "ref": "w1"})
    finally:
        del registry.COMMANDS["test.read_while_writing"]
    assert answer == {"type": "ack", "ref": "w1", "written": True, "in_transaction": False}
    assert Participant.objects.get(pk=fac.pk).name == "Written meanwhile"


def test_only_synthesis_suggest_deck_next_and_contributions_get_are_read_only():
    assert {t for t, c in registry.COMMANDS.items() if c.readonly} == {"synthesis.suggest", "deck.next",
                                                                      "contributions.get"}


def test_a_command_pays_for_no_savepoint_and_a_direct_caller_keeps_its_own():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from deliberation import services
    from tests.factories import idea
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop, "An")
    source = idea(plenary(workshop), fac, "Source")
    with CaptureQueriesContext(connection) as queries:
        answer = registry.execute(participant_id=an.pk, frame={"type": "idea.react", "ref": "r1", "idea": source.pk,
                                                               "value": "agree"})
    assert answer["type"] == "ack"
    # One SAVEPOINT: the command's own transaction's, since this test runs in one; none of the service.
    assert len([q for q in queries.captured_queries if q["sql"].upper().startswith("SAVEPOINT")]) == 1
    # Called on its own inside another transaction, a refused service rolls back to its savepoint only.
    an.muted_until = timezone.now() + timedelta(minutes=5)
    an.save()
    with transaction.atomic():
        with pytest.raises(DomainError):
            services.idea_react(actor=an, idea=source, value="disagree")
        assert Participant.objects.get(pk=an.pk).name == "An"  # the outer transaction goes on
