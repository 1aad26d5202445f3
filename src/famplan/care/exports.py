"""What the care app exports: each sheet's columns once, the rows from the same
selectors as the list pages (one streamed query, never a query per row)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Max, OuterRef, QuerySet, Subquery

from famplan.care.models import (
    Assignment,
    ContactSide,
    FamilyKind,
    FamilySource,
    FamilyStatus,
    Need,
    SpecialFamily,
    TargetKind,
    TeamRole,
    Visit,
)
from famplan.care.selectors import CoverageRow

FAMILY_COLUMNS = [
    ("乡镇", 14),
    ("村(居)", 14),
    ("家庭(父母姓名)", 20),
    ("类别", 24),
    ("联系电话", 14),
    ("住址", 24),
    ("需求", 30),
    ("需求说明", 24),
    ("乡镇联系人", 16),
    ("村级联系人", 16),
    ("最近走访", 12),
    ("来源", 12),
    ("状态", 8),
    ("确认日期", 12),
]


def _contact(side: str) -> Subquery:
    held = Assignment.objects.filter(family=OuterRef("pk"), side=side, ends_on__isnull=True)
    return Subquery(held.order_by("pk").values("name")[:1])


def family_rows(families: QuerySet[SpecialFamily]) -> Iterator[tuple]:
    needs, kinds = dict(Need.choices), dict(FamilyKind.choices)
    sources, statuses = dict(FamilySource.choices), dict(FamilyStatus.choices)
    last = Visit.objects.filter(family=OuterRef("pk")).order_by().values("family")
    values = (
        families.prefetch_related(None)
        .order_by("unit_id", "name", "pk")
        .annotate(
            township_contact=_contact(ContactSide.TOWNSHIP),
            village_contact=_contact(ContactSide.VILLAGE),
            latest=Subquery(last.annotate(m=Max("visited_on")).values("m")),
        )
        .values_list(
            "unit__parent__name",
            "unit__name",
            "name",
            "kind",
            "phone",
            "address",
            "needs",
            "needs_note",
            "township_contact",
            "village_contact",
            "latest",
            "source",
            "status",
            "confirmed_on",
        )
    )
    for row in values.iterator():
        (
            township,
            village,
            name,
            kind,
            phone,
            address,
            need,
            note,
            tc,
            vc,
            latest,
            source,
            status,
            confirmed,
        ) = row
        yield (
            township,
            village,
            name,
            kinds.get(kind, kind),
            phone,
            address,
            "、".join(needs.get(n, n) for n in need or []),
            note,
            tc or "",
            vc or "",
            latest,
            sources.get(source, source),
            statuses.get(status, status),
            confirmed,
        )


ASSIGNMENT_COLUMNS = [
    ("乡镇", 14),
    ("村(居)", 14),
    ("对象类型", 10),
    ("对象", 24),
    ("责任人", 12),
    ("团队角色", 12),
    ("联系人岗位", 12),
    ("电话", 14),
    ("起始日期", 12),
    ("结束日期", 12),
]


def assignment_rows(assignments: QuerySet[Assignment], extra_last: bool = False) -> Iterator[tuple]:
    kinds, roles, sides = (
        dict(TargetKind.choices),
        dict(TeamRole.choices),
        dict(ContactSide.choices),
    )
    fields = [
        "unit__parent__name",
        "unit__name",
        "target_kind",
        "family__name",
        "household__number",
        "name",
        "role",
        "side",
        "phone",
        "starts_on",
        "ends_on",
    ]
    if extra_last:
        fields.append("last_visit")
    for row in assignments.values_list(*fields).iterator():
        township, village, kind, family, household, name, role, side, phone, start, end = row[:11]
        target = (
            family
            if kind == TargetKind.FAMILY
            else household
            if kind == TargetKind.HOUSEHOLD
            else village
        )
        out = (
            township,
            village,
            kinds.get(kind, kind),
            target or "",
            name,
            roles.get(role, role),
            sides.get(side, ""),
            phone,
            start,
            end,
        )
        yield (*out, row[11]) if extra_last else out


UNVISITED_COLUMNS = [*ASSIGNMENT_COLUMNS, ("最近走访", 12)]

VISIT_COLUMNS = [
    ("乡镇", 14),
    ("村(居)", 14),
    ("走访日期", 12),
    ("对象类型", 10),
    ("对象", 24),
    ("走访人(签名)", 12),
    ("走访内容", 40),
    ("下一步", 30),
]


def visit_rows(visits: QuerySet[Visit]) -> Iterator[tuple]:
    kinds = dict(TargetKind.choices)
    values = visits.values_list(
        "unit__parent__name",
        "unit__name",
        "visited_on",
        "target_kind",
        "family__name",
        "household__number",
        "visitor_name",
        "content",
        "next_step",
    )
    for township, village, day, kind, family, household, who, content, nxt in values.iterator():
        target = (
            family
            if kind == TargetKind.FAMILY
            else household
            if kind == TargetKind.HOUSEHOLD
            else village
        )
        yield township, village, day, kinds.get(kind, kind), target or "", who, content, nxt


COVERAGE_COLUMNS = [
    ("乡镇", 16),
    ("村(居)数", 10),
    ("已包村", 10),
    ("包村率", 10),
    ("户数", 10),
    ("已包户", 10),
    ("包户率", 10),
    ("特殊家庭", 10),
    ("双岗联系人齐全", 14),
    ("本期已走访家庭", 14),
    ("特殊家庭走访率", 14),
    ("在岗责任", 10),
    ("本期有走访的责任", 16),
]


def coverage_rows(rows: list[CoverageRow]) -> Iterator[tuple[Any, ...]]:
    for r in rows:
        yield (
            r.name,
            r.villages,
            r.villages_assigned,
            r.village_share,
            r.households,
            r.households_assigned,
            r.household_share,
            r.families,
            r.families_two_contacts,
            r.families_visited,
            r.family_visit_share,
            r.assignments,
            r.assignments_visited,
        )
