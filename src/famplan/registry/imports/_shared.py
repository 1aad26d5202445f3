"""What the registry's import record types share: columns, messages, lookups, samples."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from famplan.common.bulk import chunked
from famplan.common.idnumbers import InvalidIdNumber, parse_id_number
from famplan.orgunits.jurisdiction import scope
from famplan.registry.models import (
    Person,
    PersonStatus,
    Sex,
)
from famplan.registry.services.checks import (
    UnusableNumber,
    report_number_conflicts,
    taken_number_error,
)
from famplan.registry.services.people import FACT_FIELDS, FieldError
from famplan.transfer.imports.columns import Column, choice, id_number
from famplan.transfer.imports.framework import (
    ImportContext,
    RecordType,
    Row,
)

VIA = {"via": "import"}
STATUS_LABEL = dict(PersonStatus.choices)
NOT_IN_SCOPE = "在人口库中不存在或不在您的管辖范围内"

SEX = choice(Sex.choices, {"男性": Sex.MALE, "女性": Sex.FEMALE})
VILLAGE_NOTE = "12位村(居)代码，或管辖范围内唯一的村(居)名称；见“村(居)代码”工作表"


def id_column(
    header: str, field: str, required: bool = False, note: str = "", check: bool = True
) -> Column:
    note = note or "18位公民身份号码，末位可为X；请将该列设为文本格式"
    clean = id_number(check=check)
    return Column(header, field, required, clean, note, width=22, as_text=True, empty=None)


def template_samples(village_code: str) -> dict[str, Any]:
    """Sample values for a template row: a village of the user's, valid ID numbers."""
    from famplan.common.idnumbers import make_id_number

    area = village_code[:6] if len(village_code) >= 6 else "620422"
    woman, man = date(1990, 5, 17), date(1988, 11, 2)
    return {
        "unit_id": village_code,
        "id_number": make_id_number(area, woman, 12, "F"),
        "birth_date": woman,
        "registered_on": date(2020, 1, 1),
        "household_number": f"{village_code}0001",
        "born_on": date(2024, 3, 15),
        "mother_id": make_id_number(area, woman, 12, "F"),
        "father_id": make_id_number(area, man, 34, "M"),
        "husband_id": make_id_number(area, man, 34, "M"),
        "wife_id": make_id_number(area, woman, 12, "F"),
        "died_on": date(2024, 3, 15),
        "married_on": date(2015, 10, 1),
        "moved_on": date(2024, 3, 1),
    }


def people_in_scope(ctx: ImportContext, id_numbers: Iterable[str | None]) -> dict[str, dict]:
    """People of the actor's subtree by ID number, locked for the import's transaction
    (like the services' row locks) so that two imports cannot record the same event."""
    wanted = sorted({n for n in id_numbers if n})
    people = scope(Person.objects.all(), ctx.actor, "unit").select_for_update()
    found: dict[str, dict] = {}
    for chunk in chunked(wanted):
        for values in people.filter(id_number__in=chunk).values(*FACT_FIELDS):
            found[values["id_number"]] = values
    return found


def check_id_number(row: Row, ctx: ImportContext, field: str) -> None:
    """The ID number check alone, for a row whose other facts could not be checked."""
    try:
        parse_id_number(row.values[field])
    except InvalidIdNumber as exc:
        ctx.error(row, field, str(exc))


class RegistryImport(RecordType):
    """A registry record type: template samples are valid ID numbers of the user's area."""

    def samples(self, village_code: str) -> dict[str, Any]:
        return template_samples(village_code)


# --- life events: the registry's checks on rows -----------------------------------------


def report_problems(
    row: Row, ctx: ImportContext, problems: Iterable[FieldError], fields: dict[str, str]
) -> None:
    """Put the refusals of a registry check (services' check_* functions) on the row's
    cells: `fields` maps the service's field names to the import's where they differ.
    A number held outside the user's jurisdiction is also kept for the county."""
    for problem in problems:
        ctx.error(row, fields.get(problem.field, problem.field), problem.message)
        if isinstance(problem, UnusableNumber):
            defer_conflict(ctx, problem)


def defer_conflict(ctx: ImportContext, conflict: UnusableNumber) -> None:
    """Report the conflict once the import's transaction has ended: the file is
    refused (the row has an error), so anything written inside it rolls back."""
    pending = ctx.state.get("number_conflicts")
    if pending is None:
        pending = ctx.state["number_conflicts"] = []
        ctx.after_transaction.append(
            lambda: report_number_conflicts(
                actor=ctx.actor, conflicts=pending, job=ctx.job, source=ctx.record_type.key
            )
        )
    pending.append(conflict)


def report_taken_id(
    row: Row, ctx: ImportContext, field: str, holders: dict[str, str], message: str
) -> None:
    """The row's ID number is already held (holders: id_number_holders): the specific
    `message` within the user's jurisdiction, the neutral one beyond it."""
    number = row[field]
    if number and number in holders:
        error = taken_number_error(
            ctx.actor,
            kind="id_number",
            number=number,
            holder_unit_id=holders[number],
            field=field,
            message=message,
        )
        report_problems(row, ctx, [error], {})
