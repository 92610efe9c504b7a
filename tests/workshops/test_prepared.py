"""Lookups compiled once: they find what their queryset finds, and count as statements."""
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deliberation.models import Idea
from tests.factories import citizen, idea, plenary, workshop_with_facilitator
from workshops.models import Participant, Workshop
from workshops.prepared import Lookup
from workshops.selectors import participant_with_workshop

pytestmark = pytest.mark.django_db

IDEA = Lookup(lambda pk, workshop: Idea.objects.select_related("board", "author").filter(
    pk=pk, board__workshop_id=workshop), nargs=2)
CITIZENS = Lookup(lambda workshop: Participant.objects.filter(workshop_id=workshop, role="citizen").order_by("-pk"))


def fields(obj) -> dict:
    return {k: v for k, v in vars(obj).items() if k != "_state"}


def test_a_lookup_builds_the_models_the_queryset_builds():
    workshop, _ = workshop_with_facilitator()
    an = citizen(workshop, "An")
    an.profile = {"age": "30-44"}
    an.save()
    found = participant_with_workshop.get(an.pk)
    orm = Participant.objects.select_related("workshop").get(pk=an.pk)
    assert fields(found) == fields(orm) and fields(found.workshop) == fields(orm.workshop)
    assert found.profile == {"age": "30-44"} and found.workshop.agenda == orm.workshop.agenda
    assert not found._state.adding and found._state.db == "default"
    with CaptureQueriesContext(connection) as queries:
        assert found.workshop.code == workshop.code  # select_related: no second statement
        participant_with_workshop.get(an.pk).save(update_fields=["name"])  # a model like any other
    assert len(queries) == 2


def test_every_value_takes_its_own_place():
    workshop, _ = workshop_with_facilitator()
    other, _ = workshop_with_facilitator(username="other")
    an = citizen(workshop, "An")
    first = idea(plenary(workshop), an, "Mine")
    assert IDEA.get(first.pk, workshop.pk).text == "Mine"
    assert IDEA.get(first.pk, workshop.pk).author.name == "An"
    with pytest.raises(Idea.DoesNotExist):
        IDEA.get(first.pk, other.pk)  # the same idea, looked for in another workshop


def test_nothing_found_none_or_too_many():
    workshop, _ = workshop_with_facilitator()
    assert CITIZENS.first(workshop.pk) is None and CITIZENS.all(workshop.pk) == []
    citizen(workshop, "An")
    bo = citizen(workshop, "Bo")
    assert [p.name for p in CITIZENS.all(workshop.pk)] == ["Bo", "An"]
    assert CITIZENS.first(workshop.pk).name == "Bo"
    with pytest.raises(Participant.MultipleObjectsReturned):
        CITIZENS.get(workshop.pk)
    with pytest.raises(Participant.DoesNotExist):
        participant_with_workshop.get(bo.pk + 1000)


@pytest.mark.parametrize("value", [2 ** 63, -2 ** 63 - 1, 10 ** 30])
def test_a_key_no_column_can_hold_finds_nothing_without_a_statement(value):
    workshop_with_facilitator()
    with CaptureQueriesContext(connection) as queries:
        with pytest.raises(Participant.DoesNotExist):
            participant_with_workshop.get(value)
    assert queries.captured_queries == []


def test_integers_and_text_go_in_nothing_else():
    for value in (1.0, None, b"1"):
        with pytest.raises(TypeError):
            participant_with_workshop.get(value)
    with pytest.raises(TypeError):
        participant_with_workshop.get(1, 2)


def test_a_text_argument_takes_the_place_of_a_text_column():
    by_code = Lookup(lambda code: Workshop.objects.filter(code=code))
    by_name = Lookup(lambda workshop, name: Participant.objects.filter(workshop_id=workshop, name=name), nargs=2)
    workshop, _ = workshop_with_facilitator()
    an = citizen(workshop, "An")
    assert by_code.get(workshop.code).pk == workshop.pk
    assert by_code.first("no-such-code") is None
    assert by_name.get(workshop.pk, "An").pk == an.pk and by_name.first(workshop.pk, "Bo") is None


def test_an_argument_used_twice_or_not_at_all_is_refused_when_compiled():
    twice = Lookup(lambda pk: Participant.objects.filter(pk=pk, workshop_id=pk))
    unused = Lookup(lambda pk: Participant.objects.all())
    workshop_with_facilitator()
    with pytest.raises(ValueError, match="appears 2 times"):
        twice.get(1)
    with pytest.raises(ValueError, match="appears 0 times"):
        unused.first(1)


@pytest.mark.django_db(transaction=True)
def test_one_compile_serves_every_thread_each_on_its_own_connection():
    """Django runs each HTTP request's sync code in a new thread: a lookup compiled per thread was
    compiled again for every request. It runs on the running thread's connection, converters too."""
    workshop, _ = workshop_with_facilitator()
    an = citizen(workshop, "An")
    an.presence_at = timezone.now()  # a datetime column: the backend's converter makes it aware
    an.save()
    assert participant_with_workshop.get(an.pk).name == "An"
    compiled = participant_with_workshop._compiled()
    seen = {}

    def other_thread():
        try:
            with CaptureQueriesContext(connections["default"]) as queries:
                found = participant_with_workshop.get(an.pk)
            seen.update(same=participant_with_workshop._compiled() is compiled, statements=len(queries),
                        found=fields(found), orm=fields(Participant.objects.get(pk=an.pk)))
        finally:
            connections.close_all()

    with CaptureQueriesContext(connection) as here:
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    assert seen["same"] and seen["statements"] == 1 and len(here) == 0
    assert seen["found"] == seen["orm"] and seen["found"]["presence_at"].tzinfo is not None


def test_values_list_rows_come_in_the_order_asked_for_annotations_too():
    from django.db.models import Exists, OuterRef

    from workshops.models import Connection
    rows = Lookup(lambda workshop: Participant.objects.filter(workshop_id=workshop).annotate(
        online=Exists(Connection.objects.filter(participant=OuterRef("pk")))).order_by("pk")
        .values_list("pk", "name", "online", "room_id"))
    names = Lookup(lambda workshop: Participant.objects.filter(workshop_id=workshop).order_by("pk")
                   .values_list("name", flat=True))
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop, "An")
    assert rows.all(workshop.pk) == [(fac.pk, fac.name, False, None), (an.pk, "An", False, None)]
    assert names.all(workshop.pk) == [fac.name, "An"]


def test_a_values_queryset_of_dicts_is_refused():
    dicts = Lookup(lambda workshop: Participant.objects.filter(workshop_id=workshop).values("pk"))
    with pytest.raises(ValueError, match="ValuesIterable"):
        dicts.all(1)


def test_an_insert_writes_what_create_would_and_breaks_constraints_as_create_does():
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from workshops.models import CommandReceipt
    from workshops.prepared import Insert
    receipt = Insert(CommandReceipt, ("participant", "ref", "type", "answer", "created_at"))
    workshop, _ = workshop_with_facilitator()
    an = citizen(workshop, "An")
    at = timezone.now()
    answer = {"type": "ack", "ref": "r1", "reactions": {"agree": 1}, "text": "ünïcode \\u2028"}
    with CaptureQueriesContext(connection) as queries:
        receipt(an.pk, "r1", "idea.react", answer, at)
    assert len(queries) == 1
    stored = CommandReceipt.objects.get(participant=an, ref="r1")
    assert (stored.type, stored.answer, stored.created_at) == ("idea.react", answer, at)
    with pytest.raises(IntegrityError), transaction.atomic():
        receipt(an.pk, "r1", "idea.react", {}, at)
    with pytest.raises(TypeError):
        receipt(an.pk, "r2")
    assert CommandReceipt.objects.filter(participant=an).count() == 1


def test_a_range_over_a_bigint_column_keeps_the_drivers_own_integer_type():
    """On PostgreSQL, Django passes a bigint comparison's value as psycopg's Int8 (seq__gt): the
    lookup finds the marker in it, and passes each value the same way."""
    from workshops import stream
    from workshops.models import Event
    from workshops.events import PresenceChanged
    from workshops.selectors import participant_payload
    workshop, fac = workshop_with_facilitator()
    an = citizen(workshop, "An")
    for online in (True, False, True, False):
        stream.emit(workshop, PresenceChanged(participant=participant_payload(an, online=online)),
                    audience=stream.EVERYONE)
    last = Workshop.objects.get(pk=workshop.pk).last_seq
    seqs = list(Event.objects.filter(workshop=workshop).order_by("seq").values_list("seq", flat=True))
    assert [e["seq"] for e in stream.events_after(workshop.pk, seqs[0], until=seqs[2])] == seqs[1:3]
    assert [e["seq"] for e in stream.events_after(workshop.pk, seqs[-2])] == [seqs[-1]] and seqs[-1] == last
    assert stream.events_after(workshop.pk, last) == []


def test_many_rows_go_in_one_statement_per_hundred_in_order(monkeypatch):
    from workshops import prepared
    from workshops.models import CommandReceipt
    from workshops.prepared import Insert
    monkeypatch.setattr(prepared, "MANY_ROWS", 3)
    receipt = Insert(CommandReceipt, ("participant", "ref", "type", "answer", "created_at"))
    workshop, _ = workshop_with_facilitator()
    an = citizen(workshop, "An")
    at = timezone.now()
    rows = [(an.pk, f"r{i}", "idea.react", {"n": i}, at) for i in range(7)]
    with CaptureQueriesContext(connection) as queries:
        receipt.many(rows)
    assert len(queries) == 3  # 3 + 3 + 1
    stored = CommandReceipt.objects.filter(participant=an).order_by("pk").values_list("ref", "answer", "created_at")
    assert list(stored) == [(f"r{i}", {"n": i}, at) for i in range(7)]
    with pytest.raises(TypeError):
        receipt.many([(an.pk, "r9", "idea.react", {}, at), (an.pk, "r10")])
    assert CommandReceipt.objects.filter(participant=an).count() == 7


def test_an_insert_returning_gives_the_new_key_of_the_row_it_wrote_in_one_statement():
    from workshops.prepared import Insert
    rows = Insert(Idea, ("board", "author", "text", "column", "builds_on", "status", "hidden_reason", "held_reason",
                         "edited", "created_at", "tally_pending"))
    workshop, _ = workshop_with_facilitator()
    an, board, at = citizen(workshop, "An"), plenary(workshop), timezone.now()
    before = idea(board, an, "Het eerste")
    with CaptureQueriesContext(connection) as queries:
        pk = rows.returning(board.pk, an.pk, "Meer schaduw", "", None, "visible", "", "", False, at, False)
    assert len(queries) == 1
    assert pk > before.pk
    stored = Idea.objects.get(pk=pk)
    assert (stored.board_id, stored.author_id, stored.text, stored.builds_on_id, stored.status, stored.created_at) == (
        board.pk, an.pk, "Meer schaduw", None, "visible", at)
    with pytest.raises(TypeError):
        rows.returning(board.pk, an.pk)


def test_an_update_changes_what_its_queryset_finds_and_says_how_many_rows():
    from workshops.prepared import Update
    to_involved = Update(lambda pk: Participant.objects.filter(pk=pk, rung__in=["informed", "consulted"]),
                         {"rung": "involved"})
    workshop, _ = workshop_with_facilitator()
    an, bo = citizen(workshop, "An"), citizen(workshop, "Bo")
    Participant.objects.filter(pk=bo.pk).update(rung="collaborating")
    with CaptureQueriesContext(connection) as queries:
        assert to_involved.run(an.pk) == 1
        assert to_involved.run(bo.pk) == 0  # the filter holds: not from a higher rung
    assert len(queries) == 2
    assert to_involved.run(2 ** 63) == 0  # out of the column's range: nothing, as a filter() finds
    assert dict(Participant.objects.filter(pk__in=[an.pk, bo.pk]).values_list("name", "rung")) == {
        "An": "involved", "Bo": "collaborating"}
    with pytest.raises(TypeError):
        to_involved.run()
    with pytest.raises(ValueError):  # each argument exactly once among the statement's values
        Update(lambda pk: Participant.objects.filter(pk=pk, workshop_id=pk), {"rung": "involved"}).run(an.pk)
