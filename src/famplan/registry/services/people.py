"""Creating and editing people, with the ID number's facts enforced.

New people are written the same way from the form and from the import: the rules are
pure functions over a plain snapshot of what they need (`person_problems` over
PersonData and the household's facts), and one bulk writer (`people_write`) makes
every row, household head and audit row, for one person or a hundred thousand."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from famplan.audit.services import audit_log, audit_log_rows
from famplan.common.bulk import bulk_set, chunked, insert_records
from famplan.common.dates import EARLIEST_BIRTH_DATE, TOO_EARLY_MESSAGE, today, today_cached
from famplan.common.idnumbers import InvalidIdNumber, parse_id_number
from famplan.orgunits.jurisdiction import unit_in_scope
from famplan.orgunits.models import Level, OrgUnit
from famplan.registry.models import Household, Person, PersonStatus, Relation
from famplan.registry.services.conflicts import reporting_number_conflicts, taken_number_error
from famplan.registry.services.errors import ConflictError, FieldError


@dataclass
class PersonData:
    """The editable facts of a person, as forms and imports hand them over."""

    name: str
    sex: str
    birth_date: date
    unit_id: str
    id_number: str | None = None
    ethnicity: str = ""
    hukou_type: str = ""
    hukou_unit_id: str | None = None
    household_id: int | None = None
    relation_to_head: str = ""
    marital_status: str = ""
    phone: str = ""
    registered_on: date | None = None
    disability_grade: int | None = None
    one_child_certificate_on: date | None = None


def check_person_facts(data: PersonData) -> None:
    """The ID number must be valid and agree with birth date and sex. Raises FieldError.

    A 15-digit first-generation number is accepted where its birth date and sex agree
    with the record's, and `data.id_number` becomes its 18-character form."""
    if not data.name or not data.name.strip():
        raise FieldError("name", "姓名不能为空")
    if data.birth_date < EARLIEST_BIRTH_DATE:
        raise FieldError("birth_date", TOO_EARLY_MESSAGE)
    if data.id_number:
        try:
            facts = parse_id_number(data.id_number, first_generation=True)
        except InvalidIdNumber as exc:
            raise FieldError("id_number", str(exc)) from None
        if facts.first_generation:
            # No check character: only agreement with the record makes it trustworthy.
            if facts.birth_date != data.birth_date:
                raise FieldError(
                    "id_number",
                    f"15位第一代身份证号中的出生日期{facts.birth_date:%Y-%m-%d}与所填的"
                    f"{data.birth_date:%Y-%m-%d}不一致，无法换算为18位号码",
                )
            if facts.sex != data.sex:
                raise FieldError(
                    "id_number",
                    "15位第一代身份证号末位表示的性别与所填的不一致（奇数为男，偶数为女），"
                    "无法换算为18位号码",
                )
        data.id_number = facts.number
        if facts.birth_date != data.birth_date:
            raise FieldError(
                "birth_date",
                f"出生日期{data.birth_date:%Y-%m-%d}与身份证号中的{facts.birth_date:%Y-%m-%d}不一致",
            )
        if facts.sex != data.sex:
            raise FieldError("sex", "性别与身份证号不一致（第17位奇数为男，偶数为女）")
    else:
        data.id_number = None
    if data.birth_date > today_cached():
        raise FieldError("birth_date", "出生日期不能晚于今天")
    if data.registered_on and data.registered_on < data.birth_date:
        raise FieldError("registered_on", "登记日期不能早于出生日期")


def _check_unit(actor: Any, unit_id: str) -> None:
    if not unit_in_scope(actor, unit_id):
        raise FieldError("unit", "所选村(居)不在您的管辖范围内")
    if not OrgUnit.objects.filter(code=unit_id, level=Level.VILLAGE).exists():
        raise FieldError("unit", "所属单位必须是村(居)委会")


def _check_household(data: PersonData) -> None:
    if data.household_id is None:
        return
    # An edit: the person may be the head already, so only where the household is.
    household = Household.objects.filter(pk=data.household_id).first()
    if household is None or household.unit_id != data.unit_id:
        raise FieldError("household", "所选户不存在或不在该村(居)")


def _unique_id_number(
    actor: Any, id_number: str | None, exclude_pk: int | None = None, field: str = "id_number"
) -> None:
    """Refuse a number someone already holds: by name within the actor's jurisdiction,
    neutrally outside it (the conflict then goes to the county's worklist)."""
    if not id_number:
        return
    clash = Person.objects.filter(id_number=id_number)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    holder = clash.values_list("unit_id", flat=True).first()
    if holder is not None:
        raise taken_number_error(
            actor,
            kind="id_number",
            number=id_number,
            holder_unit_id=holder,
            field=field,
            message=f"身份证号{id_number}已登记",
        )


@reporting_number_conflicts("registry.person_create")
@transaction.atomic
def person_create(*, actor: Any, data: PersonData) -> Person:
    """A new person: the registry's person rules (the import runs the same ones over a
    file), then the same writer as the import with one row."""
    return _insert_checked(actor=actor, data=data, audit=True)


def insert_person(*, actor: Any, data: PersonData) -> Person:
    """Validate and save a new person without an audit row of its own: for services
    (a migration in) whose single audit row already names the new person."""
    return _insert_checked(actor=actor, data=data, audit=False)


def _insert_checked(*, actor: Any, data: PersonData, audit: bool) -> Person:
    # The household row is locked: two clerks adding a head to it at once must not
    # both pass the "has no head yet" rule.
    household = None
    if data.household_id is not None:
        household = households_by_pk([data.household_id], lock=True).get(data.household_id)
    problems = person_problems(data, household=household)
    # Facts of the person first (as the form shows them), then where they belong.
    if problems and problems[0].field not in HOUSEHOLD_FIELDS:
        raise problems[0]
    _check_unit(actor, data.unit_id)
    if problems:
        raise problems[0]
    _unique_id_number(actor, data.id_number)
    try:
        with transaction.atomic():
            (pk,) = people_write(actor=actor, people=[data], audit=audit)
    except IntegrityError:  # a concurrent insert of the same ID number
        raise FieldError("id_number", f"身份证号{data.id_number}已登记") from None
    return Person.objects.get(pk=pk)


@reporting_number_conflicts("registry.person_update")
@transaction.atomic
def person_update(*, actor: Any, person: Person, data: PersonData, version: int) -> Person:
    """Save edits made from `version`; refuse if the record changed since."""
    check_person_facts(data)
    _check_unit(actor, data.unit_id)
    _check_household(data)
    _unique_id_number(actor, data.id_number, exclude_pk=person.pk)
    values = {f.name: getattr(data, f.name) for f in fields(PersonData)}
    values["registered_on"] = data.registered_on or person.registered_on
    if person.left_on is not None and values["registered_on"] > person.left_on:
        raise FieldError("registered_on", "登记日期不能晚于注销日期")
    changed = {k: v for k, v in values.items() if getattr(person, k) != v}
    if not changed:
        return person
    try:
        with transaction.atomic():
            updated = Person.objects.filter(pk=person.pk, version=version).update(
                **changed, version=version + 1
            )
    except IntegrityError:  # a concurrent save of the same ID number
        raise FieldError("id_number", f"身份证号{data.id_number}已登记") from None
    if not updated:
        raise ConflictError("该记录已被他人修改，请刷新页面后重新编辑。")
    person.refresh_from_db()
    audit_log(
        actor=actor,
        action="registry.person.updated",
        target=person,
        org_unit_id=person.unit_id,
        detail={"fields": sorted(changed), "version": person.version},
    )
    return person


def bump_version(person: Person, **changes: Any) -> None:
    """Apply a service's own change to a person and move its version on, so that an
    edit form opened before the event cannot overwrite what the event did."""
    for key, value in changes.items():
        setattr(person, key, value)
    person.version += 1
    person.save(update_fields=[*changes, "version", "updated_at"])


# --- the person rules and writer shared by the form and the import ---------------------

# What the events' rules read of a person: the dict rows the imports load in bulk
# (registry.imports._shared.people_in_scope) and facts_of() makes of one Person.
FACT_FIELDS = (
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
HOUSEHOLD_FACTS = ("pk", "number", "unit_id", "head_id", "dissolved_on")
# The service's field names of the household rules.
HOUSEHOLD_FIELDS = frozenset({"household", "relation_to_head"})


def facts_of(person: Person) -> dict[str, Any]:
    """The plain snapshot of one person that the pure event rules take."""
    return {name: getattr(person, name) for name in FACT_FIELDS}


def households_by_pk(pks: Iterable[int], *, lock: bool = False) -> dict[int, dict[str, Any]]:
    return _households("pk", pks, lock)


def households_by_number(numbers: Iterable[str], *, lock: bool = False) -> dict[str, dict]:
    """Households by number (numbers are unique across the registry), as facts."""
    return _households("number", numbers, lock)


def _households(key: str, values: Iterable[Any], lock: bool) -> dict[Any, dict[str, Any]]:
    wanted = sorted({v for v in values if v})
    households = Household.objects.all()
    if lock:
        households = households.select_for_update()
    found: dict[Any, dict[str, Any]] = {}
    for chunk in chunked(wanted):
        for row in households.filter(**{f"{key}__in": chunk}).values(*HOUSEHOLD_FACTS):
            found[row[key]] = row
    return found


def household_problems(data: PersonData, household: Mapping[str, Any] | None) -> list[FieldError]:
    """A new member of an existing household (its facts; None: no such household)."""
    if household is None or household["unit_id"] != data.unit_id:
        return [FieldError("household", "所选户不存在或不在该村(居)")]
    if household["dissolved_on"] is not None:
        return [FieldError("household", f"户号{household['number']}已撤销")]
    if data.relation_to_head == Relation.HEAD and household["head_id"] is not None:
        return [FieldError("relation_to_head", f"户号{household['number']}已有户主")]
    return []


def person_problems(
    data: PersonData, *, household: Mapping[str, Any] | None, household_later: bool = False
) -> list[FieldError]:
    """Every refusal of a new person, at most one a field, in the order the form shows
    them: the ID number's facts (check_person_facts, which also normalises the number
    in `data`), then the household rules. `household` is the facts of the household
    the person joins (households_by_pk / households_by_number), None for none or one
    that does not exist. `household_later`: a household is named but its rules are left
    to household_problems once it is looked up (the import, for a whole file)."""
    problems: list[FieldError] = []
    try:
        check_person_facts(data)
    except FieldError as exc:
        problems.append(exc)
    if household_later:
        return problems
    if household is None and data.household_id is None:
        if data.relation_to_head:
            problems.append(FieldError("relation_to_head", "填写与户主关系时须同时填写户号"))
    else:
        problems.extend(household_problems(data, household))
    return problems


def people_write(
    *, actor: Any, people: list[PersonData], detail: dict | None = None, audit: bool = True
) -> list[int]:
    """Insert checked people (their households already exist): the rows, the heads of
    their households, one audit row each. Returns the new primary keys in order.

    Plain dicts and one prepared INSERT rather than model saves: for 100,000 people of
    an import, building instances alone took longer than the whole insert."""
    day = today()
    records = []
    for data in people:
        record = dict(vars(data))
        record["registered_on"] = record["registered_on"] or day
        record["entered_by_id"] = actor.pk
        record["status"] = PersonStatus.ACTIVE
        records.append(record)
    insert_records(Person, records)
    heads = [
        (r["household_id"], (r["id"],))
        for r in records
        if r["relation_to_head"] == Relation.HEAD and r["household_id"]
    ]
    bulk_set(Household, ["head"], heads)
    if audit:
        for no_id in (False, True):
            audit_log_rows(
                actor=actor,
                action="registry.person.created",
                target_type=Person._meta.label_lower,
                rows=(
                    (r["unit_id"], r["id"], r["name"])
                    for r in records
                    if (not r["id_number"]) is no_id
                ),
                detail={"no_id_number": no_id, **(detail or {})},
            )
    return [r["id"] for r in records]


def households_write(
    *, actor: Any, households: Mapping[str, str], detail: dict | None = None
) -> dict[str, int]:
    """New households by number -> village code, with their audit rows; returns the
    number -> primary key of each. (The import makes the households its rows name.)"""
    records = [
        {"unit_id": unit, "number": number, "entered_by_id": actor.pk}
        for number, unit in households.items()
    ]
    insert_records(Household, records)
    audit_log_rows(
        actor=actor,
        action="registry.household.created",
        target_type=Household._meta.label_lower,
        rows=((h["unit_id"], h["id"], f"户 {h['number']}") for h in records),
        detail=detail,
    )
    return {h["number"]: h["id"] for h in records}
