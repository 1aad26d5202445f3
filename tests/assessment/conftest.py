"""A published scheme in the fixture county.

会师镇 gets a third village (南嘴二村) so that one of its villages is not sampled (three
villages: two are drawn). Items: supplies availability (an indicator, ≥95%, 40 points,
proportional), benefits paid (an indicator, 100%, 20 points, 2 points per point short)
and two manual checks (publicity 20, ledgers 20). Values: 会师镇 95% availability and
everything paid; 郭城驿镇 90% and 97% paid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from famplan.assessment import services
from famplan.assessment.models import ItemKind, Rule, Scheme
from famplan.indicators.models import MeasureValue
from famplan.orgunits.models import Level, OrgUnit

YEAR = 2026
TOWNSHIP = "620422100"
OTHER_TOWNSHIP = "620422101"
EXTRA_VILLAGE = "620422100202"


@dataclass
class Fixture:
    scheme: Scheme
    supplies: object
    benefits: object
    publicity: object
    ledgers: object


def put_values(code: str, period_type: str, start: date, values: dict[str, int]) -> None:
    MeasureValue.objects.bulk_create(
        MeasureValue(unit_id=code, period_type=period_type, period_start=start, measure=m, value=v)
        for m, v in values.items()
    )


def values_for_both_parts(code: str, values: dict[str, int]) -> None:
    put_values(code, "half", date(YEAR, 1, 1), values)
    put_values(code, "year", date(YEAR, 1, 1), values)


def draft_scheme(county_admin, **extra) -> Fixture:
    scheme = services.scheme_create(
        actor=county_admin,
        unit=OrgUnit.objects.get(code="620422"),
        year=YEAR,
        title="2026年度目标管理责任制考核方案",
        seed=20260101,
        **extra,
    )
    add = services.item_add
    supplies = add(
        actor=county_admin,
        scheme=scheme,
        name="免费药具可及率",
        kind=ItemKind.INDICATOR,
        indicator="supply_availability_rate",
        points=Decimal(40),
        rule=Rule.PROPORTIONAL,
    )
    benefits = add(
        actor=county_admin,
        scheme=scheme,
        name="奖励扶助资金兑现",
        kind=ItemKind.INDICATOR,
        indicator="benefit_payment_rate",
        points=Decimal(20),
        rule=Rule.STEP,
        step=1,
        step_points=Decimal(2),
    )
    publicity = add(
        actor=county_admin,
        scheme=scheme,
        name="宣传服务到户",
        kind=ItemKind.MANUAL,
        points=Decimal(20),
        criteria="入户查看宣传资料和服务记录",
    )
    ledgers = add(
        actor=county_admin,
        scheme=scheme,
        name="台账与个案信息准确",
        kind=ItemKind.MANUAL,
        points=Decimal(20),
    )
    return Fixture(scheme, supplies, benefits, publicity, ledgers)


@pytest.fixture
def extra_village(units) -> OrgUnit:
    return OrgUnit.objects.create(
        code=EXTRA_VILLAGE, name="南嘴二村", level=Level.VILLAGE, parent_id=TOWNSHIP
    )


@pytest.fixture
def values(units) -> None:
    values_for_both_parts(
        TOWNSHIP,
        {
            "supply_points_active": 20,
            "supply_points_with_stock": 19,
            "benefit_due": 10000,
            "benefit_paid": 10000,
        },
    )
    values_for_both_parts(
        OTHER_TOWNSHIP,
        {
            "supply_points_active": 20,
            "supply_points_with_stock": 18,
            "benefit_due": 10000,
            "benefit_paid": 9700,
        },
    )


@pytest.fixture
def draft(county_admin, extra_village) -> Fixture:
    return draft_scheme(county_admin)


@pytest.fixture
def published(draft, county_admin, values) -> Fixture:
    services.scheme_publish(actor=county_admin, scheme=draft.scheme)
    draft.scheme.refresh_from_db()
    return draft


def sampled(scheme: Scheme, township: str) -> list[str]:
    return list(scheme.samples.filter(township_id=township).values_list("village_id", flat=True))
