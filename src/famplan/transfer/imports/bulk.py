"""Set-based lookups and writes for imports: one query per chunk, never one per row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

from famplan.orgunits.jurisdiction import scope
from famplan.registry.models import Person
from famplan.registry.services import PersonData, check_person_facts
from famplan.registry.services.people import FieldError
from famplan.transfer.imports.framework import WRITE_BATCH, ImportContext, Row, chunked

PERSON_FIELDS = (
    "pk",
    "id_number",
    "name",
    "sex",
    "birth_date",
    "status",
    "unit_id",
    "registered_on",
    "ethnicity",
    "hukou_type",
    "hukou_unit_id",
    "household_id",
    "marital_status",
)


def people_in_scope(ctx: ImportContext, id_numbers: Iterable[str | None]) -> dict[str, dict]:
    """People of the actor's subtree by ID number, locked for the import's transaction
    (like the services' row locks) so that two imports cannot record the same event."""
    wanted = sorted({n for n in id_numbers if n})
    people = scope(Person.objects.all(), ctx.actor, "unit").select_for_update()
    found: dict[str, dict] = {}
    for chunk in chunked(wanted):
        for values in people.filter(id_number__in=chunk).values(*PERSON_FIELDS):
            found[values["id_number"]] = values
    return found


def registered_id_numbers(id_numbers: Iterable[str | None]) -> set[str]:
    """Which of these ID numbers the registry already holds, anywhere (they are unique)."""
    wanted = sorted({n for n in id_numbers if n})
    found: set[str] = set()
    for chunk in chunked(wanted):
        found.update(Person.objects.filter(id_number__in=chunk).values_list("id_number", flat=True))
    return found


def check_facts(
    row: Row, ctx: ImportContext, data: PersonData, fields: dict[str, str], **messages: str
) -> None:
    """Run the registry's own person rules (check_person_facts) on a row; a refusal
    lands on the column mapped from the service's field name."""
    try:
        check_person_facts(data)
    except FieldError as exc:
        ctx.error(row, fields.get(exc.field, exc.field), messages.get(exc.field, exc.message))


def bulk_set(
    model: type[models.Model], fields: Sequence[str], items: list[tuple[int, tuple]]
) -> None:
    """UPDATE one row per (pk, values) with a single prepared statement (executemany),
    moving each record's version on like the services' bump_version does."""
    if not items:
        return
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
