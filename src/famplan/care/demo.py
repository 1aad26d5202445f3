"""`care_generate`: demo special families, their contacts, visits and help, and
包村包户 assignments with visit logs, for `famplan demo` (small scale: seconds).

Families are the registry's candidates (the demo population has children who died;
it has no disability grades, so 伤残 families are entered by hand, two per county),
confirmed as the township would. Each family gets a township cadre and a village
contact (the demo village worker in her village); every village a 包村干部; the demo
village worker a few households. Visits are monthly over the last six months with
some months missed, so the worklist and the "without a visit" list have rows; her
village always has a family overdue. Written straight with bulk_create (the services'
rules hold by construction), one audit row for the load. Same seed, same data."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from famplan.accounts.models import User
from famplan.audit.services import audit_log
from famplan.care.candidates import candidates
from famplan.care.models import (
    Assignment,
    ContactSide,
    FamilyKind,
    FamilySource,
    FamilyStatus,
    Help,
    HelpKind,
    Need,
    SpecialFamily,
    TargetKind,
    TeamRole,
    Visit,
)
from famplan.orgunits.jurisdiction import code_prefix_filter
from famplan.orgunits.models import Level, OrgUnit
from famplan.registry.models import Household

MAX_FAMILIES = 80
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
CONTENTS = [
    "了解身体和生活情况，送去米面油",
    "陪同到乡镇卫生院体检",
    "聊天谈心，了解近期需求",
    "协助办理特别扶助金申领",
    "检查住房安全，帮助打扫院落",
]
NEXT_STEPS = ["下月再访", "联系卫生院上门随访", "反映至乡镇民政办", ""]


@dataclass(frozen=True)
class CareResult:
    skipped: bool
    families: int = 0
    assignments: int = 0
    visits: int = 0


def _phone(rng: random.Random) -> str:
    return f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"


def _person(rng: random.Random, role: str) -> str:
    return rng.choice(SURNAMES) + {"cadre": "干部", "village_doctor": "医生"}.get(role, "同志")


def _visits(rng: random.Random, today: date, since: date, skip: float) -> list[date]:
    """A visit in each of the last six months (from `since`), some months missed."""
    days = []
    for back in range(6, -1, -1):
        first = (today.replace(day=1) - timedelta(days=31 * back)).replace(day=1)
        day = first + timedelta(days=rng.randint(0, 27))
        if since <= day <= today and rng.random() > skip:
            days.append(day)
    return days


@transaction.atomic
def care_generate(*, county: OrgUnit, actor: Any, seed: int, today: date) -> CareResult:
    in_county = code_prefix_filter("unit_id", county.code)
    if SpecialFamily.objects.filter(**in_county).exists():
        return CareResult(skipped=True)
    rng = random.Random(seed * 7919 + 17)
    worker = User.objects.filter(username="village_worker", is_active=True).first()
    home = worker.org_unit_id if worker and worker.org_unit_id.startswith(county.code) else None
    start = (today.replace(day=1) - timedelta(days=190)).replace(day=1)

    found = candidates(county.code)
    rng.shuffle(found)
    found = sorted(found[:MAX_FAMILIES], key=lambda c: (c.unit_id, c.child["pk"]))
    families = [
        SpecialFamily(
            unit_id=c.unit_id,
            kind=c.kind,
            status=FamilyStatus.CONFIRMED,
            source=FamilySource.REGISTRY,
            mother_id=c.mother and c.mother["pk"],
            father_id=c.father and c.father["pk"],
            child_id=c.child["pk"],
            name=c.name,
            phone=c.phone,
            needs=sorted(rng.sample(Need.values, rng.randint(1, 3))),
            confirmed_on=start,
            confirmed_by=actor,
            entered_by=actor,
        )
        for c in found
    ]
    villages = list(
        OrgUnit.objects.filter(level=Level.VILLAGE, **code_prefix_filter("code", county.code))
        .order_by("code")
        .values_list("code", flat=True)
    )
    manual = [home] if home else []
    manual += rng.sample(villages, min(2, len(villages)))
    for unit in manual:
        families.append(
            SpecialFamily(
                unit_id=unit,
                kind=FamilyKind.CHILD_DISABLED if unit != home else FamilyKind.CHILD_DIED,
                status=FamilyStatus.CONFIRMED,
                source=FamilySource.MANUAL,
                name=f"{rng.choice(SURNAMES)}某某、{rng.choice(SURNAMES)}某某",
                phone=_phone(rng),
                needs=[Need.ELDER_CARE, Need.EMOTIONAL],
                confirmed_on=start,
                confirmed_by=actor,
                entered_by=actor,
            )
        )
    families = SpecialFamily.objects.bulk_create(families)

    assignments: list[Assignment] = []
    for f in families:
        assignments.append(
            Assignment(
                unit_id=f.unit_id,
                target_kind=TargetKind.FAMILY,
                family=f,
                name=_person(rng, "cadre"),
                phone=_phone(rng),
                role=TeamRole.CADRE,
                side=ContactSide.TOWNSHIP,
                starts_on=start,
                entered_by=actor,
            )
        )
        mine = worker if f.unit_id == home else None
        assignments.append(
            Assignment(
                unit_id=f.unit_id,
                target_kind=TargetKind.FAMILY,
                family=f,
                user=mine,
                name=mine.full_name if mine else _person(rng, "village_doctor"),
                phone=_phone(rng),
                role=TeamRole.VILLAGE_WORKER if mine else TeamRole.VILLAGE_DOCTOR,
                side=ContactSide.VILLAGE,
                starts_on=start,
                entered_by=actor,
            )
        )
    for code in villages:
        assignments.append(
            Assignment(
                unit_id=code,
                target_kind=TargetKind.VILLAGE,
                name=_person(rng, "cadre"),
                phone=_phone(rng),
                role=TeamRole.CADRE,
                starts_on=start,
                entered_by=actor,
            )
        )
    if home:
        for household in Household.objects.filter(unit_id=home, dissolved_on__isnull=True).order_by(
            "pk"
        )[:8]:
            assignments.append(
                Assignment(
                    unit_id=home,
                    target_kind=TargetKind.HOUSEHOLD,
                    household=household,
                    user=worker,
                    name=worker.full_name or worker.username,
                    phone=_phone(rng),
                    role=TeamRole.VILLAGE_WORKER,
                    starts_on=start,
                    entered_by=actor,
                )
            )
    assignments = Assignment.objects.bulk_create(assignments)

    visits: list[Visit] = []
    overdue_left = 1 if home else 0
    for a in assignments:
        skip = 0.25 if a.target_kind == TargetKind.FAMILY else 0.4
        days = _visits(rng, today, start, skip)
        if a.unit_id == home and a.target_kind == TargetKind.FAMILY and overdue_left:
            # Her village keeps one family overdue: its last visit two months ago.
            days = [d for d in days if d < today - timedelta(days=60)]
            overdue_left -= 1
        for day in days:
            visits.append(
                Visit(
                    unit_id=a.unit_id,
                    target_kind=a.target_kind,
                    family_id=a.family_id,
                    household_id=a.household_id,
                    assignment=a,
                    visited_on=day,
                    visitor=a.user,
                    visitor_name=a.name,
                    content=rng.choice(CONTENTS),
                    next_step=rng.choice(NEXT_STEPS),
                    entered_by=actor,
                )
            )
    Visit.objects.bulk_create(visits)
    helps = [
        Help(
            family=f,
            unit_id=f.unit_id,
            kind=rng.choice(HelpKind.values[:4]),
            amount=rng.choice([None, 200, 500, 1000]),
            description="节日慰问",
            given_on=start + timedelta(days=rng.randint(0, 150)),
            entered_by=actor,
        )
        for f in families
        if rng.random() < 0.5
    ]
    Help.objects.bulk_create(helps)
    audit_log(
        actor=actor,
        action="demo.care.generated",
        org_unit_id=county.code,
        detail={"families": len(families), "assignments": len(assignments), "visits": len(visits)},
    )
    return CareResult(False, len(families), len(assignments), len(visits))
