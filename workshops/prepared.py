"""Hot model lookups compiled to SQL once per database thread, then run with new values.

Django builds a query's SQL anew every time it runs one. For the lookups that every command and
every socket makes (the actor with their workshop, an idea with its board and author), building
costs several times what PostgreSQL takes to answer: in-process on PostgreSQL a
`Participant.objects.select_related("workshop").get(pk=...)` took about 650 µs of CPU where the
same statement through a bare cursor took about 100 (bench/README.md, eleventh round). A `Lookup`
builds its queryset once, with marker values where the arguments go, keeps the SQL, the
positions of the markers among its parameters and what the compiler knows of how rows become
models (columns, select_related, converters), and then only executes and builds the models.
An `Update` does the same for a `filter(...).update(...)` with constant values, and an `Insert`
writes rows (and may return the new key) with the statement written once.

The statement is the ORM's own, so it reads what the queryset would read, statement counters
(`assertNumQueries`, CaptureQueriesContext) see it, and a change to the queryset is a change to
the lookup. It is compiled once per process, not per thread: Django runs each
HTTP request's sync code in a thread of its own (ASGIHandler's ThreadSensitiveContext), so a
per-thread lookup was compiled again for every request. What the compiled lookup keeps is the
same for every thread; each run takes the running thread's connection, and hands that to the
converters. No library does this for Django 5.2 (django-prepared-queries, the one there was,
stopped at Django 1.x).

Arguments are integers (keys) or text, passed to the database as they are (in the driver's own
integer type where the ORM used one): give a text column a str, anything else an int. An integer
outside a 64-bit column's range matches nothing, as in a `filter()`, without asking the database.
"""
import operator
import threading
from typing import Callable

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql import UpdateQuery
from django.db.models.query import (FlatValuesListIterable, ModelIterable, ValuesListIterable,
                                    get_related_populators)

__all__ = ["Lookup", "Insert", "Update"]

_INT64 = (-2 ** 63, 2 ** 63 - 1)
_MARKER = 1_000_000_007  # markers are _MARKER, _MARKER + 1, ...: in range for any integer column


def _slots(params: list, nargs: int, sql: str) -> list[tuple[int, int, type | None]]:
    """Where each argument's marker is among a statement's parameters, and how the ORM wrapped it:
    (position in params, argument, wrapper or None)."""
    # On PostgreSQL a comparison with a bigint column (seq__gt) passes psycopg's Int8, an int of its
    # own type, which the value keeps.
    slots = []
    for arg in range(nargs):
        marker = _MARKER + arg  # a text column's lookup turns it into text
        at = [i for i, p in enumerate(params)
              if (isinstance(p, int) and not isinstance(p, bool) and p == marker) or p == str(marker)]
        if len(at) != 1:
            raise ValueError(f"argument {arg} appears {len(at)} times among the parameters of {sql}")
        wrap = type(params[at[0]])
        slots.append((at[0], arg, None if wrap in (int, str) else wrap))
    return slots


def _with(params: list, slots, values: tuple) -> list:
    params = params.copy()
    for at, arg, wrap in slots:
        params[at] = values[arg] if wrap is None else wrap(values[arg])
    return params


def _checked(values: tuple, nargs: int) -> tuple | None:
    """The arguments as the database takes them (ints or text), or None when an integer is out of a
    64-bit column's range, so that nothing can match."""
    if len(values) != nargs:
        raise TypeError(f"expected {nargs} values, got {len(values)}")
    values = tuple(v if isinstance(v, str) else operator.index(v) for v in values)
    if not all(isinstance(v, str) or _INT64[0] <= v <= _INT64[1] for v in values):
        return None
    return values


class _Compiled:
    def __init__(self, queryset: QuerySet, nargs: int):
        self.db = queryset.db
        compiler = queryset.query.get_compiler(using=self.db)  # holds this thread's connection: not kept
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots = _slots(self.params, nargs, self.sql)
        columns = [selected[0] for selected in compiler.select[:compiler.col_count]]
        if compiler.has_composite_fields(columns):
            raise ValueError("a Lookup does not read composite fields")
        self.converters = compiler.get_converters(columns)  # results_iter would find them every time
        self.model = queryset.model
        self.kind = queryset._iterable_class
        if self.kind not in (ModelIterable, ValuesListIterable, FlatValuesListIterable):
            raise ValueError(f"a Lookup reads models or values_list rows, not {self.kind.__name__}")
        if self.kind is ModelIterable:
            klass_info = compiler.klass_info
            fields = klass_info["select_fields"]
            self.start, self.end = fields[0], fields[-1] + 1
            self.init_list = [f[0].target.attname for f in compiler.select[self.start:self.end]]
            self.populators = get_related_populators(klass_info, compiler.select, self.db)
            self.annotations = list(compiler.annotation_col_map.items())

    def rows(self, values: tuple) -> list:
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql, _with(self.params, self.slots, values))
            fetched = cursor.fetchall()
        if self.converters:
            fetched = _converted(fetched, self.converters, connections[self.db])
        return list(map(tuple, fetched)) if self.kind is ValuesListIterable else list(fetched)

    def found(self, values: tuple) -> list:
        """What iterating the queryset yields: models, values_list tuples or flat values."""
        rows = self.rows(values)
        if self.kind is ValuesListIterable:
            return rows
        if self.kind is FlatValuesListIterable:
            return [row[0] for row in rows]
        found = []
        for row in rows:
            obj = self.model.from_db(self.db, self.init_list, row[self.start:self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, at in self.annotations:
                setattr(obj, name, row[at])
            found.append(obj)
        return found


def _converted(rows, converters: dict, connection) -> list[list]:
    """`SQLCompiler.apply_converters`, with this thread's connection rather than the compiler's."""
    converters = list(converters.items())
    out = []
    for row in map(list, rows):
        for pos, (convs, expression) in converters:
            value = row[pos]
            for converter in convs:
                value = converter(value, expression, connection)
            row[pos] = value
        out.append(row)
    return out


class Lookup:
    """`build(*args) -> QuerySet` (of models, or a `values_list`), compiled once per process; `all`, `first`
    and `get` run it with the values in the arguments' places.

    `build` must use each argument exactly once, as a filter value, and not depend on anything
    else that changes (the time, settings): it runs once per process (two threads that meet a new
    lookup at once may both build it; either result serves). The project has one database.
    """

    def __init__(self, build: Callable[..., QuerySet], nargs: int = 1):
        self.build, self.nargs = build, nargs
        self._once: _Compiled | None = None

    def _compiled(self) -> _Compiled:
        if self._once is None:
            self._once = _Compiled(self.build(*(_MARKER + arg for arg in range(self.nargs))), self.nargs)
        return self._once

    def all(self, *values) -> list:
        """What the queryset finds with these values, in its order: models, or the rows of a
        `values_list` (tuples, or values when flat)."""
        values = _checked(values, self.nargs)
        return [] if values is None else self._compiled().found(values)

    def first(self, *values):
        """The first instance found (give the queryset its order and `[:1]`), or None."""
        found = self.all(*values)
        return found[0] if found else None

    def get(self, *values):
        """The one instance the queryset finds with these values; DoesNotExist or
        MultipleObjectsReturned as `QuerySet.get` raises them."""
        found = self.all(*values)
        if len(found) == 1:
            return found[0]
        model = self._compiled().model
        if not found:
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
        raise model.MultipleObjectsReturned(f"get() returned more than one {model._meta.object_name}")


class Insert:
    """Rows into `model`'s table, `fields` in order, with the statement written once per thread (and
    row count).

    Each value goes through its field's `get_db_prep_save` on the thread's connection, as the ORM's
    insert does (JSON adapted, datetimes as the backend takes them); nothing else of `save()` runs
    (no signals, no `auto_now_add`: pass those values), and no key comes back. A constraint it breaks
    raises Django's IntegrityError, as `objects.create` would. For rows written by every command
    (receipts, the stream's events), whose `create()` or `bulk_create()` cost more to build than to run.
    """

    def __init__(self, model, fields: tuple[str, ...], using: str = "default"):
        self.fields = [model._meta.get_field(name) for name in fields]
        self.table, self.using = model._meta.db_table, using
        self.pk_column = model._meta.pk.column
        self._local = threading.local()

    def __call__(self, *values) -> None:
        self.many([values])

    def returning(self, *values):
        """One row; its primary key, as the database made it (RETURNING: PostgreSQL, and SQLite since 3.35)."""
        if len(values) != len(self.fields):
            raise TypeError(f"expected {len(self.fields)} values")
        connection = connections[self.using]
        params = [field.get_db_prep_save(value, connection) for field, value in zip(self.fields, values)]
        with connection.cursor() as cursor:
            cursor.execute(f"{self._sql(connection, 1)} RETURNING {connection.ops.quote_name(self.pk_column)}", params)
            return cursor.fetchone()[0]

    def many(self, rows: list[tuple]) -> None:
        """Several rows in one statement (up to MANY_ROWS; more take one statement per MANY_ROWS)."""
        n = len(self.fields)
        if any(len(values) != n for values in rows):
            raise TypeError(f"expected {n} values in every row")
        connection = connections[self.using]
        for start in range(0, len(rows), MANY_ROWS):
            chunk = rows[start:start + MANY_ROWS]
            params = [field.get_db_prep_save(value, connection)
                      for values in chunk for field, value in zip(self.fields, values)]
            with connection.cursor() as cursor:
                cursor.execute(self._sql(connection, len(chunk)), params)

    def _sql(self, connection, rows: int) -> str:
        statements = getattr(self._local, "sql", None)
        if statements is None:
            statements = self._local.sql = {}
        sql = statements.get(rows)
        if sql is None:
            quote = connection.ops.quote_name
            row = f"({', '.join(['%s'] * len(self.fields))})"
            sql = statements[rows] = (f"INSERT INTO {quote(self.table)} ({', '.join(quote(f.column) for f in self.fields)}) "
                                      f"VALUES {', '.join([row] * rows)}")
        return sql


# Rows per statement of Insert.many: SQLite allows 32,766 parameters a statement (999 before 3.32).
MANY_ROWS = 100


class Update:
    """`build(*args) -> QuerySet` and `.update(**values)` with constant values, compiled once per process;
    `run(*args)` updates what the queryset finds with these arguments and returns how many rows changed.

    As `Lookup` (the same rules for `build` and its arguments), for an UPDATE that a command makes
    every time: `filter(...).update(...)` built its statement anew at several times what it took to run.
    No signals run, as with `QuerySet.update`.
    """

    def __init__(self, build: Callable[..., QuerySet], values: dict, nargs: int = 1):
        self.build, self.values, self.nargs = build, values, nargs
        self._once: tuple[str, str, list, list] | None = None

    def _compiled(self) -> tuple[str, str, list, list]:
        if self._once is None:
            queryset = self.build(*(_MARKER + arg for arg in range(self.nargs)))
            query = queryset.query.chain(UpdateQuery)
            query.add_update_values(self.values)
            sql, params = query.get_compiler(queryset.db).as_sql()
            params = list(params)
            self._once = (queryset.db, sql, params, _slots(params, self.nargs, sql))
        return self._once

    def run(self, *values) -> int:
        values = _checked(values, self.nargs)
        if values is None:
            return 0
        db, sql, params, slots = self._compiled()
        with connections[db].cursor() as cursor:
            cursor.execute(sql, _with(params, slots, values))
            return cursor.rowcount
