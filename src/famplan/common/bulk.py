"""Fast set-based writes: one prepared statement run with executemany, never one ORM
save per row. Used by the imports, the audit log's bulk writer, the quality runs and the demo."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from itertools import islice
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

# SQLite allows 32766 parameters per statement (999 before 3.32); stay well below.
LOOKUP_CHUNK = 900
WRITE_BATCH = 2000

T = TypeVar("T")


def chunked(items: Sequence[T], size: int = LOOKUP_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _db() -> Any:
    # The real connection object: `django.db.connection` is a proxy whose every
    # attribute access costs a thread-local lookup, millions of times in an import.
    return connections[DEFAULT_DB_ALIAS]


def bulk_set(
    model: type[models.Model], fields: Sequence[str], items: list[tuple[int, tuple]]
) -> None:
    """UPDATE one row per (pk, values) with a single prepared statement (executemany),
    moving each record's version on like the services' bump_version does."""
    if not items:
        return
    connection = _db()
    quote = connection.ops.quote_name
    model_fields = [model._meta.get_field(name) for name in fields]
    sets = ", ".join(f"{quote(f.column)} = %s" for f in model_fields)
    # Names come from the model's _meta; every value is a parameter.
    table, version, updated, pk = (
        quote(n) for n in (model._meta.db_table, "version", "updated_at", "id")
    )
    sql = f"UPDATE {table} SET {sets}, {version} = {version} + 1, {updated} = %s WHERE {pk} = %s"  # noqa: S608
    now = model._meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection)
    params: list[list[Any]] = [
        [f.get_db_prep_save(v, connection) for f, v in zip(model_fields, values, strict=True)]
        + [now, pk]
        for pk, values in items
    ]
    with connection.cursor() as cursor:
        for chunk in chunked(params, WRITE_BATCH):
            cursor.executemany(sql, chunk)


# --- inserts ------------------------------------------------------------------------
# Django's bulk_create compiles SQL for every batch and prepares every value through
# the field API; on SQLite (999 parameters a statement) that cost ~20 s for 100,000
# people with their audit rows. One prepared INSERT run with executemany, with the
# primary keys reserved up front, does the same work in about a second.

_NOT_CONSTANT = object()
_PREPARED_TYPES = frozenset(
    {
        "DateField",
        "DateTimeField",
        "TimeField",
        "DurationField",
        "DecimalField",
        "JSONField",
        "UUIDField",
        "BinaryField",
        "GenericIPAddressField",
    }
)


def _reserve_ids(model: type[models.Model], count: int) -> list[int] | None:
    """`count` fresh primary keys for `model`, or None where the backend has no way here.

    SQLite: after the largest key ever handed out (the import holds the write lock from
    BEGIN IMMEDIATE on, so nobody else can take them). PostgreSQL: from the sequence."""
    connection = _db()
    quote = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT MAX({quote(pk)}) FROM {quote(table)}")  # noqa: S608
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            start = max(top, found[0] if found else 0) + 1
            return list(range(start, start + count))
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
    return None


def insert_values(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> int:
    """INSERT rows of database-ready values for `columns` (column names) with one prepared
    statement run with executemany, WRITE_BATCH rows at a time; `rows` may be a generator
    (it is consumed in order, a batch at a time). Returns the number of rows written."""
    connection = connections[using]
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    # Names come from the model's _meta; every value is a parameter.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    written = 0
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(rows, WRITE_BATCH)):
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: list[list]) -> list[int]:
    """insert_values with primary keys reserved up front: returns the new keys in row
    order (for records that others then point at)."""
    if not rows:
        return []
    connection = _db()
    ids = _reserve_ids(model, len(rows))
    if ids is None:  # pragma: no cover - SQLite and PostgreSQL are the supported backends
        raise NotImplementedError(connection.vendor)
    keyed = ([pk, *row] for pk, row in zip(ids, rows, strict=True))
    insert_values(model, [model._meta.pk.column, *columns], keyed)
    return ids


def insert_records(model: type[models.Model], records: list[dict[str, Any]]) -> None:
    """Insert records given as dicts of attribute names (``unit_id``, not ``unit``),
    like bulk_create would, and store each new primary key in its dict. Missing
    attributes take the field's default; auto_now fields take one 'now' for all."""
    if not records:
        return
    connection = _db()
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    plan: list[tuple[str, Any, Any, Any]] = []  # (attname, constant, default, converter)
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for record in records:
                record[f.attname] = now
            plan.append((f.attname, f.get_db_prep_save(now, connection), None, None))
            continue
        kind = f.get_internal_type()
        if kind == "DateField":  # the common case, without the field API's layers
            convert = connection.ops.adapt_datefield_value
        elif kind in _PREPARED_TYPES:
            convert = partial(f.get_db_prep_save, connection=connection)
        else:
            convert = None
        plan.append((f.attname, _NOT_CONSTANT, f.get_default(), convert))
    rows = []
    for record in records:
        get = record.get
        row = []
        for attname, constant, default, convert in plan:
            if constant is not _NOT_CONSTANT:
                row.append(constant)
                continue
            value = get(attname, default)
            if convert is not None and value is not None:
                value = convert(value)
            row.append(value)
        rows.append(row)
    ids = insert_rows(model, [f.column for f in fields], rows)
    pk_name = model._meta.pk.attname
    for record, pk in zip(records, ids, strict=True):
        record[pk_name] = pk


def insert_objects(model: type[models.Model], objs: list[models.Model]) -> None:
    """insert_records for unsaved instances: they get their primary keys."""
    insert_records(model, [obj.__dict__ for obj in objs])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS


def select_in(
    model: type[models.Model], columns: Sequence[str], key: str, keys: Sequence[Any]
) -> list[tuple]:
    """Rows of `columns` (column names) whose `key` column is one of `keys`: one plain
    SELECT per LOOKUP_CHUNK keys. Django's `__in` builds every value of the list through
    its lookup machinery, about 10 µs a value: a second for the ID numbers of a
    100,000-row import, where this takes a tenth of it. Values come back raw (dates as
    the database gives them), so use it for codes, numbers and keys."""
    connection = _db()
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    table = quote(model._meta.db_table)
    found: list[tuple] = []
    with connection.cursor() as cursor:
        for chunk in chunked(keys):
            marks = ", ".join(["%s"] * len(chunk))
            # Names come from the caller's model; every value is a parameter.
            cursor.execute(f"SELECT {names} FROM {table} WHERE {quote(key)} IN ({marks})", chunk)  # noqa: S608
            found.extend(cursor.fetchall())
    return found
