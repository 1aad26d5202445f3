"""Distribution points in the fixture county and helpers to stock them.

会师镇: 东关社区 has a village clinic and the township's service centre, 南嘴村 a
village clinic; 郭城驿镇: 郭城村 a village clinic (other_clerk's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from famplan.common.dates import today
from famplan.supplies.models import Direction, DistributionPoint, PlaceKind, SupplyKind
from famplan.supplies.services import movement_record

VILLAGE = "620422100001"  # 东关社区, village_worker's
SECOND_VILLAGE = "620422100201"  # 南嘴村
TOWNSHIP = "620422100"
OTHER_VILLAGE = "620422101201"  # 郭城村, other_clerk's
OPENED = date(2020, 1, 1)


@dataclass
class Points:
    clinic: DistributionPoint  # 东关社区卫生室
    centre: DistributionPoint  # 会师镇计生服务站 (township-run, in 东关社区)
    second: DistributionPoint  # 南嘴村卫生室
    other: DistributionPoint  # 郭城村卫生室 (another township)


def make_point(unit: str, name: str, kind: str = PlaceKind.VILLAGE_CLINIC) -> DistributionPoint:
    return DistributionPoint.objects.create(
        unit_id=unit, name=name, place_kind=kind, opened_on=OPENED
    )


@pytest.fixture
def points(units) -> Points:
    return Points(
        clinic=make_point(VILLAGE, "东关社区卫生室"),
        centre=make_point(VILLAGE, "会师镇计生服务站", PlaceKind.TOWNSHIP_CENTRE),
        second=make_point(SECOND_VILLAGE, "南嘴村卫生室"),
        other=make_point(OTHER_VILLAGE, "郭城村卫生室"),
    )


def kind(code: str) -> SupplyKind:
    return SupplyKind.objects.get(code=code)


ESSENTIAL = ("condom_male", "oral_pill", "emergency_pill")


def deliver(actor, point, code: str, quantity: int, on: date | None = None):
    return movement_record(
        actor=actor,
        point=point,
        kind=kind(code),
        direction=Direction.DELIVERY,
        moved_on=on or today() - timedelta(days=10),
        quantity=quantity,
    )


def issue(actor, point, code: str, quantity: int, on: date | None = None, monthly: bool = False):
    return movement_record(
        actor=actor,
        point=point,
        kind=kind(code),
        direction=Direction.ISSUE,
        moved_on=on or today(),
        quantity=quantity,
        monthly=monthly,
    )


def stock_fully(actor, point, quantity: int = 10, on: date | None = None) -> None:
    for code in ESSENTIAL:
        deliver(actor, point, code, quantity, on)
