"""Import of the special-family register (计生特殊家庭名册): the county's existing list, on
starting with famplan or from a township's paper register. A row whose parent is a
registry candidate (a couple whose only child died or is disabled, as the registry
shows it) confirms that candidate (services.family_confirm), so the family keeps its
link to the child; any other row enters the family by hand (services.family_create),
checked by the form's own rules (services.family_check). A parent already on the
register, or twice in the file, is refused, so a file imported twice adds nothing."""

from __future__ import annotations

import re
from typing import Any

from famplan.accounts.roles import Cap
from famplan.care import services
from famplan.care.candidates import Candidate, candidates
from famplan.care.models import FamilyKind, Need
from famplan.care.rules import PhoneInvalid, parse_phone
from famplan.common.bulk import chunked
from famplan.orgunits.jurisdiction import jurisdiction_code, scope
from famplan.orgunits.models import OrgUnit
from famplan.registry.models import Person
from famplan.registry.services.errors import FieldError
from famplan.transfer.imports.columns import CellInvalid, Column, choice, id_number, text
from famplan.transfer.imports.columns import date as date_cell
from famplan.transfer.imports.framework import ImportContext, RecordType, Row, import_type

VIA = {"via": "import"}
KIND_ALIASES = {"失独": FamilyKind.CHILD_DIED, "伤残": FamilyKind.CHILD_DISABLED}
_SEPARATORS = re.compile(r"[、,，;；/\s]+")
_NEEDS = {label: value for value, label in Need.choices}
# The family services' fields, as the file's columns.
FIELDS = {
    "unit": "village",
    "kind": "kind",
    "name": "name",
    "phone": "phone",
    "needs": "needs",
    "confirmed_on": "confirmed_on",
    "mother": "mother_id",
    "father": "father_id",
}


def needs_cell() -> Any:
    allowed = "、".join(label for _, label in Need.choices)

    def clean(value: Any) -> list[str]:
        words = [w for w in _SEPARATORS.split(str(value or "").strip()) if w]
        unknown = [w for w in words if w not in _NEEDS]
        if unknown:
            raise CellInvalid(f"“{unknown[0]}”不是需求选项，应为：{allowed}")
        return [_NEEDS[w] for w in words]

    clean.allowed = allowed
    return clean


@import_type
class FamilyImport(RecordType):
    key = "care_families"
    label = "计生特殊家庭"
    description = (
        "计生特殊家庭名册：父亲或母亲至少填一人的身份证号。人口库中可查到的失独、伤残家庭"
        "按人口库确认（保留与子女的关联），其余按手工登记；已在名册中的家庭不重复导入。"
    )
    columns = [
        Column(
            "类别", "kind", True, choice(FamilyKind.choices, KIND_ALIASES), sample="失独", width=10
        ),
        Column(
            "村(居)",
            "village",
            True,
            text(20),
            "12位村(居)代码，或管辖范围内唯一的村(居)名称",
            as_text=True,
        ),
        Column("家庭(父母姓名)", "name", True, text(100), "如：张某某、李某某", width=20),
        Column("父亲身份证号", "father_id", False, id_number(), width=22, as_text=True, empty=""),
        Column("母亲身份证号", "mother_id", False, id_number(), width=22, as_text=True, empty=""),
        Column("联系电话", "phone", False, text(20), as_text=True),
        Column("住址", "address", False, text(200), width=24),
        Column("需求", "needs", False, needs_cell(), "多项用顿号分隔", empty=[], width=24),
        Column("需求说明", "needs_note", False, text(200), width=24),
        Column("确认日期", "confirmed_on", True, date_cell(), "不能晚于今天", width=12),
    ]

    def check(self, row: Row, ctx: ImportContext) -> None:
        if row.ok("father_id", "mother_id") and not (row["father_id"] or row["mother_id"]):
            ctx.error(row, "mother_id", "请至少填写父亲或母亲的身份证号")

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        if ctx.refuse_without(Cap.CARE_FAMILIES, rows, "登记计生特殊家庭"):
            return
        for row in rows:
            ctx.resolve_village(row, "village")
        ids = {row[f] for row in rows for f in ("father_id", "mother_id") if row.ok(f) and row[f]}
        people: dict[str, Person] = {}
        in_scope = scope(Person.objects.all(), ctx.actor, "unit")
        for chunk in chunked(sorted(ids), 500):
            people.update((p.id_number, p) for p in in_scope.filter(id_number__in=chunk))
        by_parent: dict[int, Candidate] = {}
        for c in candidates(jurisdiction_code(ctx.actor)):
            for parent in (c.mother, c.father):
                if parent:
                    by_parent[parent["pk"]] = c
        villages = OrgUnit.objects.in_bulk({r["village"] for r in rows if r.ok("village")})
        seen: dict[int, int] = {}
        plans: list[dict[str, Any]] = []
        for row in rows:
            if not row.ok(*(c.field for c in self.columns)):
                continue
            parents: dict[str, Person | None] = {}
            for side, field in (("father", "father_id"), ("mother", "mother_id")):
                parents[side] = people.get(row[field]) if row[field] else None
                if row[field] and parents[side] is None:
                    ctx.error(
                        row, field, f"未找到身份证号为{row[field]}的人员，或不在您的管辖范围内"
                    )
            if not row.ok("father_id", "mother_id"):
                continue
            repeated = [
                seen.setdefault(p.pk, row.number) for p in parents.values() if p is not None
            ]
            if any(first != row.number for first in repeated):
                first = next(f for f in repeated if f != row.number)
                ctx.error(row, "mother_id", f"与第 {first} 行是同一家庭")
                continue
            candidate = next(
                (by_parent[p.pk] for p in parents.values() if p is not None and p.pk in by_parent),
                None,
            )
            plan = self._plan(row, ctx, villages[row["village"]], parents, candidate)
            if plan is not None:
                plans.append(plan)
        ctx.state["plans"] = plans

    def _plan(
        self,
        row: Row,
        ctx: ImportContext,
        village: OrgUnit,
        parents: dict[str, Person | None],
        candidate: Candidate | None,
    ) -> dict[str, Any] | None:
        fields = {
            "phone": row["phone"],
            "address": row["address"],
            "needs": row["needs"],
            "needs_note": row["needs_note"],
            "confirmed_on": row["confirmed_on"],
        }
        if row["phone"]:
            try:
                fields["phone"] = parse_phone(row["phone"])
            except PhoneInvalid as exc:
                ctx.error(row, "phone", str(exc))
                return None
        if candidate is not None:
            for side, field in (("father", "father_id"), ("mother", "mother_id")):
                known = getattr(candidate, side)
                typed = parents[side]
                if typed is not None and (known is None or known["pk"] != typed.pk):
                    label = "父亲" if side == "father" else "母亲"
                    ctx.error(row, field, f"人口库中该家庭的{label}不是此人，请核对")
                    return None
            if candidate.kind != row["kind"]:
                ctx.error(
                    row,
                    "kind",
                    f"人口库显示该家庭为“{FamilyKind(candidate.kind).label}”，与类别不符",
                )
                return None
            if candidate.unit_id != village.code:
                name = OrgUnit.objects.get(code=candidate.unit_id).name
                ctx.error(row, "village", f"人口库显示该家庭在{name}，与村(居)不符")
                return None
            return {"confirm": candidate.child["pk"], **fields}
        try:
            services.family_check(
                actor=ctx.actor, unit=village, kind=row["kind"], name=row["name"],
                phone=row["phone"], needs=row["needs"], confirmed_on=row["confirmed_on"],
                mother=parents["mother"], father=parents["father"],
            )  # fmt: skip
        except FieldError as exc:
            ctx.error(row, FIELDS.get(exc.field, ""), exc.message)
            return None
        return {
            "create": {"unit": village, "kind": row["kind"], "name": row["name"], **parents},
            **fields,
        }

    def write(self, rows: list[Row], ctx: ImportContext) -> dict[str, int]:
        confirmed = created = 0
        for plan in ctx.state["plans"]:
            if "confirm" in plan:
                family = services.family_confirm(
                    actor=ctx.actor,
                    child_id=plan["confirm"],
                    needs=plan["needs"],
                    confirmed_on=plan["confirmed_on"],
                )
                if plan["phone"] or plan["address"] or plan["needs_note"]:
                    services.family_update(
                        actor=ctx.actor, family=family, version=family.version,
                        phone=plan["phone"] or family.phone, address=plan["address"],
                        needs=family.needs, needs_note=plan["needs_note"],
                    )  # fmt: skip
                confirmed += 1
            else:
                services.family_create(
                    actor=ctx.actor, **plan["create"], phone=plan["phone"],
                    address=plan["address"], needs=plan["needs"], needs_note=plan["needs_note"],
                    confirmed_on=plan["confirmed_on"], detail=VIA,
                )  # fmt: skip
                created += 1
        return {"families_confirmed": confirmed, "families_created": created}
