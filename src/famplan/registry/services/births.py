"""Births: the child joins the register with the mother; the couple's birth order.

The form (birth_record) and the import (registry.imports.births) apply the same rules
and side effects by calling the same functions here: `birth_problems` is the pure check
of one proposed birth over plain facts (the mother's and father's dict rows, the
mother's recorded births), and `births_write` writes any number of checked births with
everything that follows from them (the children, the birth orders, the later births'
orders, the audit rows) in a few set-based statements.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.dispatch import Signal

from famplan.audit.services import audit_log_rows
from famplan.common.bulk import bulk_set, chunked, insert_records
from famplan.common.dates import age_on, today
from famplan.common.errors import DomainError
from famplan.registry.models import (
    Birth,
    MaritalStatus,
    Person,
    Relation,
    Sex,
)
from famplan.registry.services.checks import check_on_register, locked
from famplan.registry.services.conflicts import reporting_number_conflicts
from famplan.registry.services.people import (
    FieldError,
    PersonData,
    _check_unit,
    _unique_id_number,
    check_person_facts,
    facts_of,
    people_write,
)

# A mother's age at the birth outside these bounds is almost surely a data error (a
# wrong birth date of mother or child): refused at entry and import, and flagged by the
# quality rules (quality/rules.py reads the same two numbers).
MIN_MOTHER_AGE = 15
MAX_MOTHER_AGE = 55

# 出生医学证明编号: one or two letters and digits (today one letter and nine digits, e.g.
# Q620012345). Loose on purpose: the numbering has changed over the years.
CERTIFICATE_SHAPE = re.compile(r"^[A-Z]{1,2}[0-9]{6,12}$")
CERTIFICATE_MESSAGE = "出生医学证明编号应为字母加数字，通常为1位字母和9位数字，如Q620012345"
# Full-width letters, digits and signs (typed with a Chinese input method) to ASCII.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
DUPLICATE_HINT = "如为双胞胎或多胞胎，请注明“多胞胎”"

# Sent by births_write, inside its transaction, once the births are written: with
# actor, births (a list of BirthWritten) and detail. Apps that follow births (the birth
# registration's link) listen here: the registry must not depend on them, and
# births_write inserts rows set-based, so no model signal fires.
births_recorded = Signal()

# check_person_facts speaks of a person; for the child of a birth, the birth's names.
_CHILD_FIELDS = {
    "name": "child_name",
    "id_number": "child_id_number",
    "birth_date": "born_on",
    "registered_on": "born_on",
}


@dataclass
class BirthData:
    """A proposed birth, as the form and the import hand it over (the parents apart)."""

    child_name: str
    sex: str
    born_on: date
    place_type: str
    facility: str = ""
    weight_g: int | None = None
    child_id_number: str | None = None
    medical_certificate_number: str | None = None
    # 多胞胎: a twin (or triplet ...) of a child already recorded for the same day,
    # which the duplicate rule would otherwise refuse.
    multiple: bool = False


@dataclass(frozen=True)
class RecordedBirth:
    """What the rules need of a birth already recorded (or an earlier row of the same
    import file: `row` is then its row number)."""

    pk: int | None
    mother_id: int
    father_id: int | None
    born_on: date
    birth_order: int
    child_name: str
    sex: str
    unit_id: str = ""
    row: int | None = None


@dataclass(frozen=True)
class BirthWritten:
    """A birth births_write has just written, as births_recorded hands it on."""

    pk: int
    mother_id: int
    father_id: int | None
    born_on: date
    sex: str
    unit_id: str
    mother_id_number: str | None = None


@dataclass
class NewBirth:
    """A checked birth for births_write: its data and the parents' facts."""

    data: BirthData
    mother: Mapping[str, Any]
    father: Mapping[str, Any] | None = None


def normalize_certificate_number(raw: str | None) -> str | None:
    """The number as stored: full-width characters made plain, upper case, no spaces
    or dashes (as people copy it from the certificate). None for blank."""
    if raw is None:
        return None
    text = str(raw).translate(_FULL_WIDTH).upper()
    text = re.sub(r"[\s\-—_]", "", text)
    return text or None


def recorded_births(mother_ids: Iterable[int]) -> dict[int, list[RecordedBirth]]:
    """Every recorded birth of these mothers, by mother, one query per 900 mothers."""
    wanted = sorted(set(mother_ids))
    found: dict[int, list[RecordedBirth]] = defaultdict(list)
    for chunk in chunked(wanted):
        rows = Birth.objects.filter(mother_id__in=chunk).values_list(
            "pk", "mother_id", "father_id", "born_on", "birth_order", "child__name", "sex",
            "unit_id",
        )  # fmt: skip
        for row in rows:
            found[row[1]].append(RecordedBirth(*row))
    return found


def taken_certificate_numbers(numbers: Iterable[str | None]) -> set[str]:
    """Which of these certificate numbers a recorded birth already carries."""
    wanted = sorted({n for n in numbers if n})
    found: set[str] = set()
    for chunk in chunked(wanted):
        found.update(
            Birth.objects.filter(medical_certificate_number__in=chunk).values_list(
                "medical_certificate_number", flat=True
            )
        )
    return found


def child_data(data: BirthData, mother: Mapping[str, Any]) -> PersonData:
    """The child as a new person: in the mother's village and household from birth."""
    return PersonData(
        name=data.child_name,
        sex=data.sex,
        birth_date=data.born_on,
        unit_id=mother["unit_id"],
        id_number=data.child_id_number,
        ethnicity=mother["ethnicity"],
        hukou_type=mother["hukou_type"],
        hukou_unit_id=mother["hukou_unit_id"],
        household_id=mother["household_id"],
        relation_to_head=Relation.CHILD if mother["household_id"] else "",
        marital_status=MaritalStatus.UNMARRIED,
        registered_on=data.born_on,
    )


def _mother_problem(data: BirthData, mother: Mapping[str, Any]) -> FieldError | None:
    if mother["sex"] != Sex.FEMALE:
        return FieldError("mother", "母亲的性别应为女")
    try:
        check_on_register(mother, "mother", data.born_on)
    except FieldError as exc:
        return exc
    age = age_on(mother["birth_date"], data.born_on)
    if not MIN_MOTHER_AGE <= age <= MAX_MOTHER_AGE:
        return FieldError(
            "mother",
            f"母亲{mother['name']}生育时{age}岁，不在{MIN_MOTHER_AGE}至{MAX_MOTHER_AGE}岁之间，"
            "请核对母亲和婴儿的出生日期",
        )
    return None


def _duplicate_problem(data: BirthData, siblings: Iterable[RecordedBirth]) -> FieldError | None:
    # Same mother, same day, and the same name or sex: most likely the same child
    # entered twice (the form sent again, a row in two files). Twins are said so.
    if data.multiple:
        return None
    for other in siblings:
        if other.born_on != data.born_on:
            continue
        if other.child_name != data.child_name and other.sex != data.sex:
            continue
        what = f"{other.child_name}（{Sex(other.sex).label}）"
        where = f"与第 {other.row} 行" if other.row else "该母亲已登记"
        return FieldError(
            "multiple",
            f"{where}同日（{data.born_on:%Y-%m-%d}）出生的{what}疑似重复；{DUPLICATE_HINT}",
        )
    return None


def birth_problems(
    data: BirthData,
    *,
    mother: Mapping[str, Any] | None,
    father: Mapping[str, Any] | None = None,
    siblings: Iterable[RecordedBirth] = (),
    certificates_taken: Collection[str] = (),
) -> list[FieldError]:
    """Every refusal of one proposed birth, at most one a field, first the one the
    service raises. Pure: the caller loads the facts (the mother's and father's dict
    rows, the mother's recorded births, which certificate numbers are taken), for one
    birth (the service) or a whole file (the import). Normalises the child's ID number
    and the certificate number in `data`. Field names are the service's; a mother or
    father of None is left to the caller (not found)."""
    problems: dict[str, FieldError] = {}

    def add(problem: FieldError | None) -> None:
        if problem is not None:
            problems.setdefault(problem.field, problem)

    if data.born_on > today():
        add(FieldError("born_on", "出生日期不能晚于今天"))
    if mother is not None:
        add(_mother_problem(data, mother))
    if father is not None:
        if mother is not None and father["pk"] == mother["pk"]:
            add(FieldError("father", "父亲与母亲不能是同一人"))
        elif father["sex"] != Sex.MALE:
            add(FieldError("father", "父亲的性别应为男"))
    if data.weight_g is not None and not 300 <= data.weight_g <= 7000:
        add(FieldError("weight_g", "出生体重应在300至7000克之间"))
    data.medical_certificate_number = normalize_certificate_number(data.medical_certificate_number)
    number = data.medical_certificate_number
    if number is not None:
        if not CERTIFICATE_SHAPE.match(number):
            add(FieldError("medical_certificate_number", CERTIFICATE_MESSAGE))
        elif number in certificates_taken:
            add(FieldError("medical_certificate_number", f"出生医学证明编号{number}已登记"))
    child = PersonData(
        name=data.child_name,
        sex=data.sex,
        birth_date=data.born_on,
        unit_id="",
        id_number=data.child_id_number,
        registered_on=data.born_on,
    )
    try:
        check_person_facts(child)
    except FieldError as exc:
        add(FieldError(_CHILD_FIELDS.get(exc.field, exc.field), exc.message))
    data.child_id_number = child.id_number
    if mother is not None:
        add(_duplicate_problem(data, siblings))
    return list(problems.values())


def assign_birth_orders(
    recorded: Mapping[int, Sequence[RecordedBirth]], new: Sequence[RecordedBirth]
) -> tuple[list[int], dict[int, tuple[int, int]]]:
    """The birth orders of new births, and the recorded births whose order changes.

    A birth's order is 1 + the highest order among the couple's births before it (the
    mother's, where the father is unknown): the highest order, not the number of rows,
    because births carried in from the old systems continue the orders of older
    children with no row here. New births come after recorded ones of the same day (so
    twins get consecutive orders) and among themselves in the given order. A recorded
    birth that comes after a new one keeps its order unless that is now too low, and
    then takes the lowest it can (a birth entered out of date order moves the later
    ones on). Returns ([order of each new birth], {pk: (old order, new order)})."""
    # Per mother: (sort key, index into `new` or -1 for a recorded birth, the birth).
    by_mother: dict[int, list[tuple[tuple, int, RecordedBirth]]] = defaultdict(list)
    for index, birth in enumerate(new):
        by_mother[birth.mother_id].append(((birth.born_on, 1, index, 0), index, birth))
    for mother, entries in by_mother.items():
        for b in recorded.get(mother, ()):
            entries.append(((b.born_on, 0, b.birth_order, b.pk), -1, b))
    orders = [0] * len(new)
    changed: dict[int, tuple[int, int]] = {}
    for entries in by_mother.values():
        entries.sort(key=lambda e: e[0])
        first_new = next(i for i, e in enumerate(entries) if e[1] >= 0)
        final: list[int] = [e[2].birth_order for e in entries]
        for i in range(first_new, len(entries)):
            _, index, birth = entries[i]
            top = max(
                (
                    final[j]
                    for j in range(i)
                    if birth.father_id is None or entries[j][2].father_id == birth.father_id
                ),
                default=0,
            )
            if index >= 0:
                final[i] = orders[index] = top + 1
            elif birth.birth_order <= top:
                final[i] = top + 1
                changed[birth.pk] = (birth.birth_order, top + 1)
    return orders, changed


def births_write(
    *, actor: Any, births: Sequence[NewBirth], detail: dict | None = None
) -> list[int]:
    """Write checked births with all that follows, set-based: the children (in the
    mother's village and household), the births with the couple's orders, the new
    orders of the couple's later births, and the audit rows (one per birth, one per
    changed order). `detail` is added to the audit rows (the import's {"via": ...}).
    Call with the mothers locked (people_in_scope, or the service's row lock)."""
    if not births:
        return []
    children = [child_data(b.data, b.mother) for b in births]
    child_ids = people_write(actor=actor, people=children, audit=False)
    proposed = [
        RecordedBirth(
            pk=None,
            mother_id=b.mother["pk"],
            father_id=b.father["pk"] if b.father else None,
            born_on=b.data.born_on,
            birth_order=0,
            child_name=b.data.child_name,
            sex=b.data.sex,
            unit_id=b.mother["unit_id"],
        )
        for b in births
    ]
    recorded = recorded_births(p.mother_id for p in proposed)
    orders, changed = assign_birth_orders(recorded, proposed)
    records = [
        {
            "unit_id": p.unit_id,
            "entered_by_id": actor.pk,
            "child_id": child_id,
            "mother_id": p.mother_id,
            "father_id": p.father_id,
            "born_on": p.born_on,
            "sex": p.sex,
            "birth_order": order,
            "place_type": b.data.place_type,
            "facility": b.data.facility,
            "weight_g": b.data.weight_g,
            "medical_certificate_number": b.data.medical_certificate_number,
        }
        for b, p, child_id, order in zip(births, proposed, child_ids, orders, strict=True)
    ]
    insert_records(Birth, records)
    bulk_set(Birth, ["birth_order"], [(pk, (new,)) for pk, (_, new) in changed.items()])
    extra = detail or {}
    target_type = Birth._meta.label_lower
    for order in sorted(set(orders)):
        audit_log_rows(
            actor=actor,
            action="registry.birth.recorded",
            target_type=target_type,
            rows=(
                (r["unit_id"], r["id"], f"出生 {r['born_on']}")
                for r in records
                if r["birth_order"] == order
            ),
            detail={"order": order, **extra},
        )
    if changed:
        moved = {b.pk: b for births_of in recorded.values() for b in births_of if b.pk in changed}
        for pair in sorted(set(changed.values())):
            audit_log_rows(
                actor=actor,
                action="registry.birth.updated",
                target_type=target_type,
                rows=(
                    (moved[pk].unit_id, pk, f"出生 {moved[pk].born_on}")
                    for pk, change in changed.items()
                    if change == pair
                ),
                detail={"birth_order": list(pair), "cause": "earlier_birth_entered", **extra},
            )
    births_recorded.send(
        sender=Birth,
        actor=actor,
        births=[
            BirthWritten(r["id"], r["mother_id"], r["father_id"], r["born_on"], r["sex"],
                         r["unit_id"], b.mother.get("id_number"))
            for r, b in zip(records, births, strict=True)
        ],
        detail=extra,
    )  # fmt: skip
    return [r["id"] for r in records]


@dataclass(frozen=True)
class BirthCompletion:
    """What a recorded birth lacks and is now known: its certificate number, its father
    (a hospital's delivery matched to the birth the village entered)."""

    pk: int
    medical_certificate_number: str | None = None
    father_id: int | None = None


def births_complete(
    *, actor: Any, completions: Sequence[BirthCompletion], detail: dict | None = None
) -> None:
    """Fill in recorded births' certificate numbers and fathers where they have none,
    set-based, with one audit row per birth (registry.birth.updated, the fields filled).
    What a birth already carries is never overwritten: a birth with another number or
    father is the caller's conflict to report. The caller checks the values first with
    birth_problems (the number's shape, the number taken, the father's sex). The birth
    order stays as recorded: it was given when the birth was entered."""
    wanted = {c.pk: c for c in completions if c.medical_certificate_number or c.father_id}
    if not wanted:
        return
    rows: dict[int, tuple] = {}
    for chunk in chunked(sorted(wanted)):
        for row in (
            Birth.objects.select_for_update()
            .filter(pk__in=chunk)
            .values_list("pk", "medical_certificate_number", "father_id", "unit_id", "born_on")
        ):
            rows[row[0]] = row
    items: list[tuple[int, tuple]] = []
    filled: dict[int, tuple[str, ...]] = {}
    for pk, (_, number, father_id, _unit, _day) in sorted(rows.items()):
        c = wanted[pk]
        fields = []
        if number is None and c.medical_certificate_number:
            number = c.medical_certificate_number
            fields.append("medical_certificate_number")
        if father_id is None and c.father_id:
            father_id = c.father_id
            fields.append("father")
        if fields:
            items.append((pk, (number, father_id)))
            filled[pk] = tuple(fields)
    bulk_set(Birth, ["medical_certificate_number", "father"], items)
    extra = detail or {}
    for fields in sorted(set(filled.values())):
        audit_log_rows(
            actor=actor,
            action="registry.birth.updated",
            target_type=Birth._meta.label_lower,
            rows=(
                (rows[pk][3], pk, f"出生 {rows[pk][4]}")
                for pk, these in filled.items()
                if these == fields
            ),
            detail={"filled": list(fields), **extra},
        )


@reporting_number_conflicts("registry.birth_record")
@transaction.atomic
def birth_record(
    *,
    actor: Any,
    mother: Person,
    father: Person | None,
    child_name: str,
    sex: str,
    born_on: date,
    place_type: str,
    facility: str = "",
    weight_g: int | None = None,
    child_id_number: str | None = None,
    medical_certificate_number: str | None = None,
    multiple: bool = False,
) -> Birth:
    """A child is born: the child joins the register (and the mother's household) from
    the day of birth, and the birth gets the couple's birth order. The import's rules
    and writer with one birth: lock, load the facts, check, write."""
    # Locks: two clerks entering the same birth at once must not both pass the
    # duplicate rule, nor both take the same order.
    mother = locked(mother)
    father = locked(father) if father is not None else None
    data = BirthData(
        child_name=child_name,
        sex=sex,
        born_on=born_on,
        place_type=place_type,
        facility=facility,
        weight_g=weight_g,
        child_id_number=child_id_number,
        medical_certificate_number=medical_certificate_number,
        multiple=multiple,
    )
    mother_facts = facts_of(mother)
    father_facts = facts_of(father) if father is not None else None
    problems = birth_problems(
        data,
        mother=mother_facts,
        father=father_facts,
        siblings=recorded_births([mother.pk]).get(mother.pk, []),
        certificates_taken=taken_certificate_numbers(
            [normalize_certificate_number(medical_certificate_number)]
        ),
    )
    if problems:
        raise problems[0]
    _check_unit(actor, mother.unit_id)
    _unique_id_number(actor, data.child_id_number, field="child_id_number")
    try:
        with transaction.atomic():
            (pk,) = births_write(actor=actor, births=[NewBirth(data, mother_facts, father_facts)])
    except IntegrityError:  # a concurrent save of the same ID or certificate number
        raise DomainError("婴儿身份证号或出生医学证明编号刚被他人登记，请核对后重试") from None
    return Birth.objects.select_related("child", "mother", "father").get(pk=pk)
