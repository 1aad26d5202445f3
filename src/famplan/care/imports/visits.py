"""Import of visit logs (走访记录): the paper logs of 包村, 包户 and special-family visits
entered at the township. Each row is checked by the visit form's own rules
(services.visit_check) and written by its own service (services.visit_record), so the
form and the file refuse alike; a row that repeats a visit already logged (the same
target, day and visitor) is refused, so a file imported twice adds nothing."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q

from famplan.accounts.roles import Cap
from famplan.care import services
from famplan.care.models import Assignment, FamilyStatus, SpecialFamily, TargetKind, Visit
from famplan.common.bulk import chunked
from famplan.orgunits.jurisdiction import scope
from famplan.orgunits.models import OrgUnit
from famplan.registry.models import Household
from famplan.registry.services.errors import FieldError
from famplan.transfer.imports.columns import Column, choice, id_number, text
from famplan.transfer.imports.columns import date as date_cell
from famplan.transfer.imports.framework import ImportContext, RecordType, Row, import_type

VIA = {"via": "import"}
KIND_ALIASES = {"村": TargetKind.VILLAGE, "户": TargetKind.HOUSEHOLD, "特扶家庭": TargetKind.FAMILY}
# The visit service's fields, as the file's columns.
FIELDS = {
    "unit": "village",
    "household": "household_number",
    "family": "member_id",
    "visited_on": "visited_on",
    "content": "content",
    "assignment": "visitor_name",
    "target_kind": "target_kind",
}


@import_type
class VisitImport(RecordType):
    key = "care_visits"
    label = "走访记录"
    description = (
        "包村、包户和计生特殊家庭的走访记录。包户填户号，特殊家庭填家庭成员（父母或子女）的"
        "身份证号；走访人与该对象的责任人同名时，记作该责任人的走访。同一对象、同一日期、"
        "同一走访人的记录已登记的，不重复导入。"
    )
    columns = [
        Column(
            "对象类型",
            "target_kind",
            True,
            choice(TargetKind.choices, KIND_ALIASES),
            sample="特殊家庭",
            width=10,
        ),
        Column(
            "村(居)",
            "village",
            True,
            text(20),
            "12位村(居)代码，或管辖范围内唯一的村(居)名称",
            as_text=True,
        ),
        Column("户号", "household_number", False, text(30), "包户时必填", as_text=True),
        Column(
            "家庭成员身份证号",
            "member_id",
            False,
            id_number(),
            "特殊家庭时必填：父亲、母亲或子女的身份证号",
            width=22,
            as_text=True,
            empty="",
        ),
        Column("走访日期", "visited_on", True, date_cell(), "不能晚于今天", width=12),
        Column("走访人", "visitor_name", False, text(50), "不填时为导入人"),
        Column("走访内容", "content", True, text(500), width=40),
        Column("下一步", "next_step", False, text(200), width=24),
    ]

    def check(self, row: Row, ctx: ImportContext) -> None:
        kind = row["target_kind"]
        if kind == TargetKind.HOUSEHOLD and not row["household_number"]:
            ctx.error(row, "household_number", "包户的走访须填写户号")
        if kind == TargetKind.FAMILY and not row["member_id"] and row.ok("member_id"):
            ctx.error(row, "member_id", "特殊家庭的走访须填写家庭成员身份证号")

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        if ctx.refuse_without(Cap.CARE_VISIT, rows, "登记走访"):
            return
        for row in rows:
            ctx.resolve_village(row, "village")
        targets = _Targets(ctx.actor, rows)
        visits: list[dict[str, Any]] = []
        seen: dict[tuple, int] = {}
        for row in rows:
            if not row.ok(*(c.field for c in self.columns)):
                continue
            found = targets.of(row, ctx)
            if found is None:
                continue
            target, target_key = found
            kind = row["target_kind"]
            kwargs = {
                "target_kind": kind,
                "visited_on": row["visited_on"],
                "content": row["content"],
                "visitor_name": row["visitor_name"],
                "next_step": row["next_step"],
                "assignment": targets.assignment(kind, target_key, row),
                **target,
            }
            try:
                checked = services.visit_check(
                    actor=ctx.actor, **{k: v for k, v in kwargs.items() if k != "next_step"}
                )
            except FieldError as exc:
                ctx.error(row, FIELDS.get(exc.field, ""), exc.message)
                continue
            key = (kind, target_key, row["visited_on"], checked.signed)
            first = seen.setdefault(key, row.number)
            if first != row.number:
                ctx.error(row, "visited_on", f"与第 {first} 行是同一次走访")
                continue
            if targets.logged(key):
                ctx.error(row, "visited_on", f"{checked.signed}该日对该对象的走访已登记")
                continue
            visits.append(kwargs)
        ctx.state["visits"] = visits

    def write(self, rows: list[Row], ctx: ImportContext) -> dict[str, int]:
        for kwargs in ctx.state["visits"]:
            services.visit_record(actor=ctx.actor, detail=VIA, **kwargs)
        return {"visits": len(ctx.state["visits"])}

    def samples(self, village_code: str) -> dict[str, Any]:
        return {"village": village_code}


def _target_key(record: Visit | Assignment) -> Any:
    """What a visit or a responsibility is of: its family, its household, or (包村) its
    village; the same key `_Targets.of` gives a row's target."""
    return record.family_id or record.household_id or record.unit_id


class _Targets:
    """The file's villages, households and special families, looked up at once within
    the actor's jurisdiction, with their open responsibilities and the visits already
    logged on the file's days."""

    def __init__(self, actor: Any, rows: list[Row]) -> None:
        ok = [r for r in rows if r.ok("target_kind", "village", "household_number", "member_id")]
        codes = {r["village"] for r in ok}
        self.villages = OrgUnit.objects.in_bulk(codes)
        numbers = {(r["village"], r["household_number"]) for r in ok if r["household_number"]}
        self.households: dict[tuple[str, str], Household] = {}
        households = scope(Household.objects.filter(dissolved_on__isnull=True), actor, "unit")
        for chunk in chunked(sorted({n for _, n in numbers}), 500):
            for h in households.filter(number__in=chunk):
                self.households[h.unit_id, h.number] = h
        ids = {r["member_id"] for r in ok if r["member_id"]}
        self.families: dict[str, list[SpecialFamily]] = {}
        families = scope(
            SpecialFamily.objects.filter(status=FamilyStatus.CONFIRMED), actor, "unit"
        ).select_related("mother", "father", "child")
        for chunk in chunked(sorted(ids), 300):
            members = (
                Q(mother__id_number__in=chunk)
                | Q(father__id_number__in=chunk)
                | Q(child__id_number__in=chunk)
            )
            for f in families.filter(members):
                for member in (f.mother, f.father, f.child):
                    if member is not None and member.id_number in ids:
                        self.families.setdefault(member.id_number, []).append(f)
        days = {r["visited_on"] for r in rows if r.ok("visited_on")}
        self._logged = {
            (v.target_kind, _target_key(v), v.visited_on, v.visitor_name)
            for v in scope(Visit.objects.filter(visited_on__in=days), actor, "unit")
        }
        # Open responsibilities of the file's targets, by target and holder's name.
        self._held: dict[tuple, list[Assignment]] = defaultdict(list)
        for a in scope(Assignment.objects.filter(ends_on__isnull=True), actor, "unit").filter(
            Q(family_id__in=[f.pk for fs in self.families.values() for f in fs])
            | Q(household_id__in=[h.pk for h in self.households.values()])
            | Q(target_kind=TargetKind.VILLAGE, unit_id__in=codes)
        ):
            self._held[a.target_kind, _target_key(a), a.name].append(a)

    def of(self, row: Row, ctx: ImportContext) -> tuple[dict[str, Any], Any] | None:
        """The row's target, as the visit service's argument, and its key."""
        kind, code = row["target_kind"], row["village"]
        if kind == TargetKind.VILLAGE:
            return {"village": self.villages[code]}, code
        if kind == TargetKind.HOUSEHOLD:
            number = row["household_number"]
            household = self.households.get((code, number))
            if household is None:
                ctx.error(row, "household_number", f"该村(居)没有户号为{number}的户")
                return None
            return {"household": household}, household.pk
        found = [f for f in self.families.get(row["member_id"], []) if f.unit_id == code]
        if not found:
            ctx.error(row, "member_id", "该村(居)在册的计生特殊家庭中没有此身份证号的成员")
            return None
        return {"family": found[0]}, found[0].pk

    def assignment(self, kind: str, target_key: Any, row: Row) -> Assignment | None:
        """The target's responsibility held by the visitor named, if exactly one."""
        name = (row["visitor_name"] or "").strip()
        held = [
            a for a in self._held.get((kind, target_key, name), []) if a.open_on(row["visited_on"])
        ]
        return held[0] if len(held) == 1 else None

    def logged(self, key: tuple) -> bool:
        return key in self._logged
