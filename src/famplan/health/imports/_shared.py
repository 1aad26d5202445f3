"""What the health imports share: the person columns (an ID number, or a name and a
village), finding those people as the forms do (health.people), the capability."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from famplan.common.idnumbers import make_id_number
from famplan.health.models import RiskFactor
from famplan.health.people import PeopleLookup, PersonRef, people_lookup, pick
from famplan.registry.services.errors import FieldError
from famplan.transfer.imports.columns import CellInvalid, Column, id_number, text
from famplan.transfer.imports.framework import ImportContext, RecordType, Row

VIA = {"via": "import"}
VILLAGE_NOTE = "按姓名查找时填写：12位村(居)代码，或管辖范围内唯一的村(居)名称"


def person_columns(prefix: str, label: str, *, note: str = "") -> list[Column]:
    note = note or "18位公民身份号码；不填时按姓名和村(居)查找。请将该列设为文本格式"
    return [
        Column(
            f"{label}身份证号",
            f"{prefix}_id",
            False,
            id_number(),
            note,
            width=22,
            as_text=True,
            empty="",
        ),
        Column(f"{label}姓名", f"{prefix}_name", False, text(50), "无身份证号时必填"),
        Column(f"{label}村(居)", f"{prefix}_village", False, text(20), VILLAGE_NOTE, as_text=True),
    ]


def ref_of(row: Row, prefix: str) -> PersonRef:
    return PersonRef(
        row[f"{prefix}_id"] or "", row[f"{prefix}_name"] or "", row[f"{prefix}_village"] or ""
    )


def row_ok(row: Row, prefix: str) -> bool:
    return row.ok(f"{prefix}_id", f"{prefix}_name", f"{prefix}_village")


def require_person(row: Row, ctx: ImportContext, prefix: str, label: str) -> None:
    """Within the row: an ID number, or a name and a village (as the form asks)."""
    if row[f"{prefix}_id"] or not row_ok(row, prefix):
        return
    if not (row[f"{prefix}_name"] and row[f"{prefix}_village"]):
        ctx.error(row, f"{prefix}_id", f"请填写{label}身份证号，或{label}姓名和{label}村(居)")


def lookup_rows(
    rows: list[Row], ctx: ImportContext, prefixes: Iterable[str], *, husbands: bool = False
) -> PeopleLookup:
    """Villages resolved within the actor's jurisdiction, then every row's people
    found at once (health.people.people_lookup: the form's lookup)."""
    prefixes = list(prefixes)
    for row in rows:
        for prefix in prefixes:
            ctx.resolve_village(row, f"{prefix}_village")
    refs = [ref_of(r, p) for r in rows for p in prefixes if row_ok(r, p)]
    return people_lookup(ctx.actor, refs, husbands=husbands)


def error_field(prefix: str, row: Row) -> str:
    """The column a "not found" lands on: the ID number, or the name when none was given."""
    return f"{prefix}_id" if row[f"{prefix}_id"] else f"{prefix}_name"


def pick_row(
    lookup: PeopleLookup, row: Row, ctx: ImportContext, prefix: str, label: str
) -> Any | None:
    try:
        return pick(lookup, ref_of(row, prefix), field=prefix, label=label)
    except FieldError as exc:
        ctx.error(row, error_field(prefix, row), exc.message)
        return None


def report(row: Row, ctx: ImportContext, problems: Iterable[FieldError], fields: dict) -> None:
    for problem in problems:
        ctx.error(row, fields.get(problem.field, problem.field), problem.message)


# Separators people type between risk factors: 、 , ， ; ； / and spaces.
_SEPARATORS = re.compile(r"[、,，;；/\s]+")
_FACTOR_ALIASES = {
    "高龄": RiskFactor.ADVANCED_AGE,
    "遗传病": RiskFactor.GENETIC,
    "家族史": RiskFactor.GENETIC,
    "出生缺陷家族史": RiskFactor.GENETIC,
    "慢性病": RiskFactor.CHRONIC,
    "慢性疾病": RiskFactor.CHRONIC,
    "感染": RiskFactor.INFECTION,
    "感染性疾病": RiskFactor.INFECTION,
    "体重异常": RiskFactor.WEIGHT,
    "不良生活习惯": RiskFactor.LIFESTYLE,
    "职业暴露": RiskFactor.EXPOSURE,
    "用药": RiskFactor.MEDICATION,
    "心理问题": RiskFactor.MENTAL,
}


def factor_lookup() -> dict[str, str]:
    lookup = {label: code for code, label in RiskFactor.choices}
    lookup |= {label.split("(")[0]: code for code, label in RiskFactor.choices}
    lookup |= {code: code for code in RiskFactor.values}
    return lookup | _FACTOR_ALIASES


def risk_factors(value: Any) -> list[str]:
    """A cell listing risk factors by their names (or short names, or codes), separated
    by 、 , ; / or spaces; each known factor once, in the list's order."""
    lookup = factor_lookup()
    raw = str(value).strip().replace("（", "(").replace("）", ")")
    # The list's own labels hold 、 and , in their brackets: take them whole first.
    found: list[str] = []
    for code, label in RiskFactor.choices:
        if label in raw:
            found.append(code)
            raw = raw.replace(label, " ")
    unknown = []
    for part in _SEPARATORS.split(raw):
        if not part:
            continue
        code = lookup.get(part)
        if code is None:
            unknown.append(part)
        else:
            found.append(code)
    if unknown:
        raise CellInvalid(f"无法识别的风险因素：{'、'.join(unknown)}（见说明中的可选项）")
    order = {code: i for i, code in enumerate(RiskFactor.values)}
    return sorted(set(found), key=order.__getitem__)


risk_factors.allowed = "、".join(label for _, label in RiskFactor.choices)  # type: ignore[attr-defined]


class HealthImport(RecordType):
    def samples(self, village_code: str) -> dict[str, Any]:
        area = village_code[:6] if len(village_code) >= 6 else "620422"
        woman, man = date(1994, 5, 17), date(1992, 11, 2)
        return {
            "wife_id": make_id_number(area, woman, 12, "F"),
            "woman_id": make_id_number(area, woman, 12, "F"),
            "husband_id": make_id_number(area, man, 34, "M"),
            "wife_village": village_code,
            "woman_village": village_code,
            "husband_village": village_code,
        }
