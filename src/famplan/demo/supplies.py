"""`supplies_generate`: demo distribution points and a year of deliveries and issues.

One point per village (a village clinic, or a community health station in a 社区), the
township's service centre in each township's first village, and a self-service
machine or a pharmacy in some townships. Each point opened twelve months ago with a
delivery of about four and a half months' use, is restocked every quarter, and records one issue
count per kind for every finished month (as the monthly import would). A few points
miss their last restocking of an essential kind and run out, so availability sits
just around the 95% target instead of a flat 100%.

Written straight into the tables through common.bulk (the services' checks hold by
construction: no issue exceeds the stock), with one audit row for the whole load, as
the population generator does.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from famplan.audit.services import audit_log
from famplan.common.bulk import insert_records
from famplan.demo.users import demo_generator_user
from famplan.orgunits.jurisdiction import code_prefix_filter
from famplan.orgunits.models import Level, OrgUnit
from famplan.supplies.models import (
    Direction,
    DistributionPoint,
    PlaceKind,
    StockMovement,
    SupplyKind,
)
from famplan.supplies.services import month_end

MONTHS = 12
# Mean monthly use per kind code at a village point (a township point gives out more).
MONTHLY_USE = {
    "condom_male": 60,
    "oral_pill": 6,
    "emergency_pill": 3,
    "condom_female": 2,
    "topical": 1,
}
RESTOCK_EVERY = 3  # months
RUN_OUT_SHARE = 0.05  # points that miss their last restocking of one essential kind


@dataclass(frozen=True)
class SuppliesResult:
    skipped: bool
    points: int = 0
    movements: int = 0


def _first_of_month_before(day: date, months: int) -> date:
    first = day.replace(day=1)
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def _points_for(county: OrgUnit, rng: random.Random, opened: date) -> list[dict]:
    villages = list(
        OrgUnit.objects.filter(level=Level.VILLAGE, **code_prefix_filter("code", county.code))
        .order_by("code")
        .values_list("code", "name", "parent__name")
    )
    points = []
    seats: dict[str, tuple[str, str]] = {}
    for code, name, township in villages:
        seats.setdefault(code[:9], (code, township))
        community = "社区" in name
        short = name.replace("村民委员会", "村").replace("居民委员会", "").replace("委员会", "")
        points.append(
            {
                "unit_id": code,
                "name": f"{short}{'卫生服务站' if community else '卫生室'}",
                "place_kind": PlaceKind.COMMUNITY_CENTRE if community else PlaceKind.VILLAGE_CLINIC,
                "scale": 1.0,
            }
        )
    for code, township in seats.values():
        points.append(
            {
                "unit_id": code,
                "name": f"{township}计生服务站",
                "place_kind": PlaceKind.TOWNSHIP_CENTRE,
                "scale": 3.0,
            }
        )
        if rng.random() < 0.3:
            machine = rng.random() < 0.5
            points.append(
                {
                    "unit_id": code,
                    "name": f"{township}{'自助发放机' if machine else '定点药店'}",
                    "place_kind": PlaceKind.MACHINE if machine else PlaceKind.PHARMACY,
                    "scale": 1.5,
                }
            )
    for point in points:
        point["opened_on"] = opened
        point["address"] = ""
    return points


def _movements(
    point: dict, kinds: list[SupplyKind], rng: random.Random, opened: date, entered_by: int
) -> list[dict]:
    rows = []
    essential = [k for k in kinds if k.essential]
    short_of = rng.choice(essential).pk if essential and rng.random() < RUN_OUT_SHARE else None
    for kind in kinds:
        use = MONTHLY_USE.get(kind.code, 2) * point["scale"] * rng.uniform(0.6, 1.4)
        balance = 0
        month = opened
        for index in range(MONTHS):
            restock = index % RESTOCK_EVERY == 0
            if restock and not (kind.pk == short_of and index == MONTHS - RESTOCK_EVERY):
                quantity = max(math.ceil(use * (RESTOCK_EVERY + 1.5)) - balance, 0)
                if quantity:
                    rows.append(
                        _row(point, kind, Direction.DELIVERY, month + timedelta(days=2), quantity)
                    )
                    balance += quantity
            issued = min(max(round(rng.gauss(use, use / 4)), 0), balance)
            if issued:
                end = month_end(month)
                rows.append(_row(point, kind, Direction.ISSUE, end, issued, monthly=True))
                balance -= issued
            month = month_end(month) + timedelta(days=1)
    for row in rows:
        row["entered_by_id"] = entered_by
    return rows


def _row(
    point: dict, kind: SupplyKind, direction: str, day: date, quantity: int, monthly: bool = False
) -> dict:
    return {
        "point_id": point["id"],
        "unit_id": point["unit_id"],
        "direction": direction,
        "kind_id": kind.pk,
        "moved_on": day,
        "monthly": monthly,
        "quantity": quantity,
        "note": "",
    }


def supplies_generate(*, county: OrgUnit, seed: int, today: date) -> SuppliesResult:
    """Points and a year of movements for the county as of `today`, the same for the
    same seed. Does nothing when the county has points already."""
    with transaction.atomic():
        existing = DistributionPoint.objects.filter(**code_prefix_filter("unit_id", county.code))
        if existing.exists():
            return SuppliesResult(skipped=True)
        rng = random.Random(f"{seed}:supplies")
        # The finished months of the last year: the first opens the year.
        opened = _first_of_month_before(today, MONTHS)
        points = _points_for(county, rng, opened)
        scales = [p.pop("scale") for p in points]
        insert_records(DistributionPoint, points)
        generator = demo_generator_user(county=county)
        kinds = list(SupplyKind.objects.filter(active=True))
        movements: list[dict] = []
        for point, scale in zip(points, scales, strict=True):
            movements += _movements({**point, "scale": scale}, kinds, rng, opened, generator.pk)
        insert_records(StockMovement, movements)
        audit_log(
            actor=generator,
            action="demo.supplies.generated",
            org_unit_id=county.code,
            detail={"seed": seed, "points": len(points), "movements": len(movements)},
        )
    return SuppliesResult(skipped=False, points=len(points), movements=len(movements))
