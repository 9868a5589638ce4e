"""Inserting many rows of one model with one prepared statement (``executemany``; ``COPY`` on PostgreSQL).

Django's ``bulk_create`` compiles every value of every row into SQL (and SQLite caps a statement at 999
parameters: 20 students per INSERT). Here the statement is built once and the rows are sent as parameter
tuples; values that the driver takes as they are (text, numbers, booleans, NULL) are not converted, the
others (dates, timestamps, JSON) go through the field's ``get_db_prep_save``. Primary keys are allocated
before the insert (``allocate_ids``) so the caller knows them without reading the rows back.

Callers hold a transaction: on SQLite the write lock makes ``MAX(id)`` safe; on PostgreSQL the ids come
from the table's identity sequence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.base import ModelState

from srodesk.core.audit import snapshot, to_json_value

#: Field types whose Python values the database drivers take unchanged.
PLAIN = (models.CharField, models.TextField, models.BooleanField, models.IntegerField, models.ForeignKey)


def column_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return list(model._meta.concrete_fields)


class RowInserter:
    """``INSERT INTO <table> (<columns>) VALUES (%s, …)`` for rows given as sequences in ``attnames`` order."""

    def __init__(self, model: type[models.Model], attnames: Sequence[str]) -> None:
        opts = model._meta
        by_attname = {f.attname: f for f in opts.concrete_fields}
        fields = [by_attname[name] for name in attnames]
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        self.sql = f"INSERT INTO {qn(opts.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608 - model names
        self.copy_sql = f"COPY {qn(opts.db_table)} ({columns}) FROM STDIN"
        self.converters: list[Callable[[Any], Any] | None] = [
            None if isinstance(f, PLAIN) else _db_converter(f) for f in fields
        ]
        self.count = 0

    def insert(self, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        converters = [(i, convert) for i, convert in enumerate(self.converters) if convert is not None]
        params: list[list[Any]] = []
        for row in rows:
            values = list(row)
            for i, convert in converters:
                values[i] = convert(values[i])
            params.append(values)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY is several times faster than executemany for many rows on PostgreSQL.
                with cursor.copy(self.copy_sql) as copy:
                    for values in params:
                        copy.write_row(values)
            else:
                cursor.executemany(self.sql, params)
        self.count += len(rows)


class JsonText(str):
    """A JSON value already serialized (by the caller, for its own use): stored as it is."""

    __slots__ = ()


def _json_text_adapter(vendor: str) -> Callable[[JsonText], Any]:
    if vendor == "postgresql":
        from psycopg.types.json import Jsonb

        def adapt_postgresql(text: JsonText) -> Any:
            return Jsonb(text, dumps=str)

        return adapt_postgresql
    if vendor == "sqlite":
        return str
    raise ImproperlyConfigured(f"roster import supports SQLite and PostgreSQL, not {vendor}")


def _db_converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """The field's conversion to a database value; dates and timestamps memoised (rows repeat them)."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    if isinstance(field, models.JSONField):
        adapt = wrapper.ops.adapt_json_value
        adapt_text = _json_text_adapter(wrapper.vendor)
        encoder = field.encoder
        last: list[Any] = [object(), None]

        def convert_json(value: Any) -> Any:
            if value is None:
                return None
            if isinstance(value, JsonText):
                return adapt_text(value)
            if value is not last[0]:
                last[0], last[1] = value, adapt(value, encoder)
            return last[1]

        return convert_json
    memo: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        if value is None:
            return None
        try:
            return memo[value]
        except KeyError:
            result = memo[value] = field.get_db_prep_save(value, wrapper)
            return result

    return convert


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys for ``model`` (inside the caller's transaction)."""
    if count == 0:
        return []
    opts = model._meta
    table, pk = opts.db_table, opts.pk.column
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count]
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT MAX({qn(pk)}) FROM {qn(table)}")  # noqa: S608 - model names
            highest = cursor.fetchone()[0] or 0
            # AUTOINCREMENT never reuses the id of a removed row: start above the highest ever used.
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(highest, row[0] if row else 0) + 1
            return list(range(start, start + count))
    raise ImproperlyConfigured(f"roster import supports SQLite and PostgreSQL, not {connection.vendor}")


def light_instance(model: type[models.Model], values: dict[str, Any]) -> Any:
    """A model instance over ``values`` (every concrete attname) without running ``__init__``: enough
    for ``str()``, attribute reads and audit snapshots of a row just inserted."""
    obj = model.__new__(model)
    obj.__dict__.update(values)
    obj._state = ModelState()
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


class Snapshotter:
    """The change hook's snapshot (``core.audit.snapshot``) of a row given as a dict of attnames.

    The audited attnames are taken from ``snapshot()`` itself, so secrets and the skipped fields stay out
    exactly as they do for a ``save()``.
    """

    def __init__(self, model: type[models.Model]) -> None:
        names = list(snapshot(model()).keys())
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        self.plain = [name for name in names if isinstance(by_attname[name], PLAIN)]
        self.other = [name for name in names if not isinstance(by_attname[name], PLAIN)]
        #: A file field snapshots as its file's name, ``None`` when empty.
        self.files = [name for name in names if isinstance(by_attname[name], models.FileField)]
        self.names = names
        self._memo: dict[Any, Any] = {}

    def __call__(self, values: dict[str, Any]) -> dict[str, Any]:
        data = {name: values[name] for name in self.plain}
        memo = self._memo
        for name in self.other:
            value = values[name]
            if value is None or isinstance(value, dict | list):
                data[name] = to_json_value(value)
                continue
            key = (value, getattr(value, "tzinfo", None))
            try:
                data[name] = memo[key]
            except KeyError:
                data[name] = memo[key] = to_json_value(value)
        for name in self.files:
            data[name] = data[name] or None
        return {name: data[name] for name in self.names}
