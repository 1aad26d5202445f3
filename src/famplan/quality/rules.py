"""The data-quality rules: each check is one set-based query over a subtree of the registry.

A check yields `Found` rows (rule, record, village, person to open, detail); the run in
services.py stores them. Checks never loop over people or units issuing queries: each
reads its candidates in one query (the ID-number scan streams one query in chunks and
checks digits in Python, which is faster than spelling GB 11643 in portable SQL).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from operator import mul

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import (
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    Trim,
    TruncDate,
    Upper,
)

from famplan.common.idnumbers import (
    CHECK_CHARS,
    WEIGHTS,
    known_area_codes,
    mask_id_number,
)
from famplan.orgunits.jurisdiction import code_prefix_filter
from famplan.quality.models import Severity
from famplan.registry.models import ON_REGISTER, Birth, Death, Marriage, Migration, Person, Sex
from famplan.registry.services.births import MIN_MOTHER_AGE


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    severity: str
    record_type: str

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label


@dataclass(frozen=True)
class Found:
    rule: str
    record_id: int
    unit_id: str
    person_id: int | None
    detail: str
    record_type: str = ""  # the rule's own type unless a rule covers several tables

    @property
    def type(self) -> str:
        return self.record_type or RULES[self.rule].record_type


RECORD_TYPES = {
    "person": "人员",
    "birth": "出生",
    "death": "死亡",
    "marriage": "婚姻",
    "migration": "流动",
}

ID_INVALID = "id_invalid"
ID_MISMATCH = "id_mismatch"
ID_AREA_UNKNOWN = "id_area_unknown"
MOTHER_AGE = "mother_age"
DEATH_BEFORE_BIRTH = "death_before_birth"
DUPLICATE_ID = "duplicate_id"
PROBABLE_DUPLICATE = "probable_duplicate"
MISSING_FIELDS = "missing_fields"
NEWBORN_NO_ID = "newborn_no_id"
LATE_ENTRY = "late_entry"

# In the order the pages list them: errors first.
RULES: dict[str, Rule] = {
    r.code: r
    for r in [
        Rule(ID_INVALID, "身份证号校验位或格式错误", Severity.ERROR, "person"),
        Rule(ID_MISMATCH, "身份证号与出生日期、性别不一致", Severity.ERROR, "person"),
        Rule(DUPLICATE_ID, "身份证号重复", Severity.ERROR, "person"),
        Rule(MISSING_FIELDS, "必填项缺失", Severity.ERROR, "person"),
        Rule(MOTHER_AGE, "生育时母亲年龄不在15-55岁", Severity.ERROR, "birth"),
        Rule(DEATH_BEFORE_BIRTH, "死亡日期早于出生日期", Severity.ERROR, "death"),
        Rule(ID_AREA_UNKNOWN, "身份证号地址码不在区划代码表中", Severity.WARNING, "person"),
        Rule(PROBABLE_DUPLICATE, "疑似重复登记（同村同名同生日）", Severity.WARNING, "person"),
        Rule(LATE_ENTRY, "事件发生30天后才录入", Severity.WARNING, "event"),
        Rule(NEWBORN_NO_ID, "新生儿（不满3个月）尚无身份证号", Severity.INFO, "person"),
    ]
}

MOTHER_AGE_MIN, MOTHER_AGE_MAX = MIN_MOTHER_AGE, 55
NEWBORN_MONTHS = 3
LATE_AFTER_DAYS = 30
# Lateness is a measure of current work (last month's events by the 5th): events older
# than this were typed in from the paper ledgers when the registry started, and flagging
# each of them would bury the worklist under warnings nobody can act on.
LATE_WINDOW_DAYS = 365
ID_SCAN_CHUNK = 5000


def _in(prefix: str, field: str = "unit_id") -> dict[str, str]:
    return code_prefix_filter(field, prefix)


def _no_id() -> Q:
    return Q(id_number__isnull=True) | Q(id_number="")


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):  # clamp 31 March minus 1 month to 28/29 February
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# --- ID numbers ---------------------------------------------------------------------


_DIGIT_OFFSET = ord("0") * sum(WEIGHTS)


def _check_char(first17: str) -> str:
    # idnumbers.check_char, on the digits' bytes: no int() per digit. Four times faster,
    # which matters when scanning a county's half million numbers.
    return CHECK_CHARS[(sum(map(mul, WEIGHTS, first17.encode("ascii"))) - _DIGIT_OFFSET) % 11]


def _id_problem(value: str) -> str | None:
    if len(value) != 18:
        return f"身份证号应为18位，实际为{len(value)}位"
    if not value[:17].isdigit() or not value[:17].isascii() or value[17] not in "0123456789X":
        return "身份证号前17位应为数字，最后一位应为数字或X"
    if value[17] != _check_char(value[:17]):
        return "身份证号校验位错误"
    return None


def check_id_numbers(prefix: str, today: date) -> Iterator[Found]:
    """Check digit and format, birth date and sex against the record, area code: one
    streamed scan. The later checks only run on numbers whose check digit is right, so a
    typo shows once, as a wrong check digit, not three times."""
    known = known_area_codes()
    rows = (
        Person.objects.filter(**_in(prefix))
        .exclude(_no_id())
        .values_list("pk", "unit_id", "id_number", "birth_date", "sex")
        .order_by()
        .iterator(chunk_size=ID_SCAN_CHUNK)
    )
    for pk, unit_id, raw, birth_date, sex in rows:
        value = raw.strip().upper()
        problem = _id_problem(value)
        if problem:
            yield Found(ID_INVALID, pk, unit_id, pk, f"{problem}（{mask_id_number(value)}）")
            continue
        try:
            id_born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        except ValueError:
            yield Found(ID_INVALID, pk, unit_id, pk, f"身份证号中的出生日期{value[6:14]}无效")
            continue
        id_sex = "M" if value[16] in "13579" else "F"
        if id_born != birth_date or id_sex != sex:
            yield Found(ID_MISMATCH, pk, unit_id, pk, _mismatch(birth_date, sex, id_born, id_sex))
        if value[:6] not in known:
            yield Found(ID_AREA_UNKNOWN, pk, unit_id, pk, f"地址码{value[:6]}不在区划代码表中")


def _mismatch(birth_date: date, sex: str, id_born: date, id_sex: str) -> str:
    parts = []
    if id_born != birth_date:
        parts.append(f"出生日期{birth_date:%Y-%m-%d}，身份证号为{id_born:%Y-%m-%d}")
    if id_sex != sex:
        labels = dict(Sex.choices)
        parts.append(f"性别{labels.get(sex, '空')}，身份证号为{labels[id_sex]}")
    return "；".join(parts)


def check_duplicate_ids(prefix: str, today: date) -> Iterator[Found]:
    """The unique constraint compares exact strings; legacy imports may hold the same
    number twice in different case or with spaces. Duplicates are looked for across the
    whole register, so a clash with another township is flagged too."""
    normalized = Upper(Trim("id_number"))
    clashing = (
        Person.objects.exclude(_no_id())
        .annotate(norm=normalized)
        .values("norm")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("norm")
    )
    rows = (
        Person.objects.filter(**_in(prefix))
        .annotate(norm=normalized)
        .filter(norm__in=clashing)
        .values_list("pk", "unit_id", "norm")
    )
    for pk, unit_id, norm in rows:
        yield Found(DUPLICATE_ID, pk, unit_id, pk, f"身份证号{mask_id_number(norm)}与其他记录重复")


def check_probable_duplicates(prefix: str, today: date) -> Iterator[Found]:
    """People on the register sharing name, birth date and village with another one.
    A window count over (village, name, birth date) is one sort of the subtree; a
    correlated EXISTS per person was four times slower on SQLite at 100,000 people."""
    rows = (
        Person.objects.filter(**_in(prefix), status__in=ON_REGISTER)
        .annotate(same=Window(Count("pk"), partition_by=[F("unit_id"), F("name"), F("birth_date")]))
        .filter(same__gt=1)
        .values_list("pk", "unit_id", "name", "birth_date", "same")
    )
    for pk, unit_id, name, born, same in rows:
        detail = f"本村共有{same}名同名同生日的在册人员：{name}，{born:%Y-%m-%d}"
        yield Found(PROBABLE_DUPLICATE, pk, unit_id, pk, detail)


# --- completeness ---------------------------------------------------------------------

COMPLETENESS = [
    ("name_trimmed", "姓名"),
    ("sex", "性别"),
    ("relation_to_head", "与户主关系"),
    ("ethnicity", "民族"),
    ("hukou_type", "户口性质"),
    ("marital_status", "婚姻状况"),
]


def check_completeness(prefix: str, today: date) -> Iterator[Found]:
    """Missing fields of people on the register; a missing ID number is an error except
    for a newborn under three months, whose number is usually still being issued."""
    cutoff = months_before(today, NEWBORN_MONTHS)
    missing = Q()
    for field, _ in COMPLETENESS:
        missing |= Q(**{field: ""})
    rows = (
        Person.objects.filter(**_in(prefix), status__in=ON_REGISTER)
        .annotate(name_trimmed=Trim("name"))
        .filter(missing | _no_id())
        .values_list("pk", "unit_id", "birth_date", "id_number", *(f for f, _ in COMPLETENESS))
    )
    for pk, unit_id, born, id_number, *values in rows:
        labels = [
            label for (_, label), value in zip(COMPLETENESS, values, strict=True) if not value
        ]
        newborn = born > cutoff
        if not id_number and not newborn:
            labels.append("身份证号")
        if labels:
            yield Found(MISSING_FIELDS, pk, unit_id, pk, "缺少：" + "、".join(labels))
        if not id_number and newborn:
            yield Found(NEWBORN_NO_ID, pk, unit_id, pk, f"出生于{born:%Y-%m-%d}，尚未登记身份证号")


# --- events ---------------------------------------------------------------------------


def _ymd(field: str) -> CombinedExpression:
    # yyyymmdd as a number: the difference of two, divided by 10000, is the age in whole
    # years on both databases, with no date arithmetic functions that differ between them.
    return ExtractYear(field) * 10000 + ExtractMonth(field) * 100 + ExtractDay(field)


def check_mother_age(prefix: str, today: date) -> Iterator[Found]:
    rows = (
        Birth.objects.filter(**_in(prefix))
        .annotate(gap=_ymd("born_on") - _ymd("mother__birth_date"))
        .filter(Q(gap__lt=MOTHER_AGE_MIN * 10000) | Q(gap__gte=(MOTHER_AGE_MAX + 1) * 10000))
        .values_list("pk", "unit_id", "mother_id", "gap", "born_on", "mother__birth_date")
    )
    for pk, unit_id, mother_id, gap, born_on, mother_born in rows:
        age = gap // 10000
        yield Found(
            MOTHER_AGE,
            pk,
            unit_id,
            mother_id,
            f"母亲出生于{mother_born:%Y-%m-%d}，生育于{born_on:%Y-%m-%d}，时年{age}岁",
        )


def check_death_before_birth(prefix: str, today: date) -> Iterator[Found]:
    rows = (
        Death.objects.filter(**_in(prefix))
        .filter(died_on__lt=F("person__birth_date"))
        .values_list("pk", "unit_id", "person_id", "died_on", "person__birth_date")
    )
    for pk, unit_id, person_id, died_on, born in rows:
        yield Found(
            DEATH_BEFORE_BIRTH,
            pk,
            unit_id,
            person_id,
            f"死亡日期{died_on:%Y-%m-%d}早于出生日期{born:%Y-%m-%d}",
        )


# (model, record type, date field, person field, label)
EVENTS = [
    (Birth, "birth", "born_on", "child_id", "出生"),
    (Death, "death", "died_on", "person_id", "死亡"),
    (Marriage, "marriage", "married_on", "wife_id", "结婚"),
    (Migration, "migration", "moved_on", "person_id", "流动"),
]


def _late(model: type, date_field: str, prefix: str, today: date) -> QuerySet:
    return (
        model.objects.filter(**_in(prefix))
        .filter(**{f"{date_field}__gte": today - timedelta(days=LATE_WINDOW_DAYS)})
        .annotate(delay=TruncDate("entered_at") - F(date_field))
        .filter(delay__gt=timedelta(days=LATE_AFTER_DAYS))
    )


def check_late_entries(prefix: str, today: date) -> Iterator[Found]:
    """One query per event table; days late counted from the local date of entry."""
    for model, record_type, date_field, person_field, label in EVENTS:
        rows = _late(model, date_field, prefix, today).values_list(
            "pk", "unit_id", person_field, date_field, TruncDate("entered_at")
        )
        for pk, unit_id, person_id, occurred, entered in rows:
            days = (entered - occurred).days
            detail = f"{label}日期{occurred:%Y-%m-%d}，录入于{entered:%Y-%m-%d}（{days}天后）"
            yield Found(LATE_ENTRY, pk, unit_id, person_id, detail, record_type)


@dataclass(frozen=True)
class Check:
    label: str
    func: Callable[[str, date], Iterator[Found]]


CHECKS = [
    Check("身份证号", check_id_numbers),
    Check("身份证号重复", check_duplicate_ids),
    Check("疑似重复登记", check_probable_duplicates),
    Check("必填项", check_completeness),
    Check("母亲生育年龄", check_mother_age),
    Check("死亡与出生日期", check_death_before_birth),
    Check("录入及时性", check_late_entries),
]
