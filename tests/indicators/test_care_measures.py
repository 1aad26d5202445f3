"""The special-family measures and visit rate (care.counts) on a fixture counted by
hand, written straight with the ORM.

2024, in the fixture county (会师镇 T1: V1, V2; 郭城驿镇 T2: V3, V4):
- F1 in V1, confirmed 10 Dec 2023, open; visited 5 Jan, 20 Jan (the same month: one
  family) and 1 Mar.
- F2 in V1, confirmed 15 Feb, closed 10 Apr; visited 20 Feb and 5 Apr (April does not
  count: at April's end it is off the register).
- F3 in V3, confirmed 1 Mar; visited 25 Feb (before it was confirmed: not counted) and
  10 Mar.
- F4 in V1, a dismissed candidate, "visited" 10 Jan: never counted.
On the register at each month's end: V1 1, 2, 2, then 1 from April; V3 0, 0, then 1.
So V1's year holds 14 family-months with 3 visited (Jan, Feb, Mar), V3's 10 with 1;
Q1 of V1 5 family-months, 3 visited (60%).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from famplan.care.models import FamilyStatus, SpecialFamily, TargetKind, Visit
from famplan.indicators.indicators import INDICATORS
from famplan.indicators.models import MeasureValue
from famplan.indicators.services import values_refresh
from famplan.indicators.stats import wilson

from .conftest import COUNTY, T1, T2, V1, V3

pytestmark = pytest.mark.django_db
CODES = ("special_families", "special_family_months", "special_families_visited")


def family(unit, confirmed, closed=None, status=FamilyStatus.CONFIRMED) -> SpecialFamily:
    if closed:
        status = FamilyStatus.CLOSED
    return SpecialFamily.objects.create(
        unit_id=unit,
        kind="died",
        source="manual",
        name="某",
        status=status,
        confirmed_on=confirmed,
        closed_on=closed,
    )


def visit(f: SpecialFamily, on: date) -> None:
    Visit.objects.create(
        unit_id=f.unit_id,
        target_kind=TargetKind.FAMILY,
        family=f,
        visited_on=on,
        visitor_name="李医生",
        content="走访",
    )


@pytest.fixture
def care2024(units, county_admin):
    f1 = family(V1, date(2023, 12, 10))
    for day in (date(2024, 1, 5), date(2024, 1, 20), date(2024, 3, 1)):
        visit(f1, day)
    f2 = family(V1, date(2024, 2, 15), closed=date(2024, 4, 10))
    visit(f2, date(2024, 2, 20))
    visit(f2, date(2024, 4, 5))
    f3 = family(V3, date(2024, 3, 1))
    visit(f3, date(2024, 2, 25))
    visit(f3, date(2024, 3, 10))
    visit(family(V1, date(2024, 1, 1), status=FamilyStatus.DISMISSED), date(2024, 1, 10))
    values_refresh(actor=county_admin, first_year=2024, last_year=2024)


def stored(period_type: str, start: date) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for unit, measure, value in MeasureValue.objects.filter(
        period_type=period_type, period_start=start, measure__in=CODES
    ).values_list("unit_id", "measure", "value"):
        found[unit][measure] = value
    return found


def test_it_counts_families_on_the_register_and_visited_by_month(care2024):
    months = [stored("month", date(2024, m, 1)) for m in range(1, 13)]
    assert [m[V1].get("special_families", 0) for m in months] == [1, 2, 2] + [1] * 9
    assert [m[V3].get("special_families", 0) for m in months] == [0, 0] + [1] * 10
    assert [m[V1].get("special_families_visited", 0) for m in months] == [1, 1, 1] + [0] * 9
    assert [m[V3].get("special_families_visited", 0) for m in months] == [0, 0, 1] + [0] * 9
    assert months[2][COUNTY] == {
        "special_families": 3,
        "special_family_months": 3,
        "special_families_visited": 2,
    }


def test_longer_periods_hold_the_end_stock_and_sum_family_months(care2024):
    year = stored("year", date(2024, 1, 1))
    assert year[V1] == {
        "special_families": 1,
        "special_family_months": 14,
        "special_families_visited": 3,
    }
    assert year[V3] == {
        "special_families": 1,
        "special_family_months": 10,
        "special_families_visited": 1,
    }
    assert (year[T1]["special_family_months"], year[T2]["special_family_months"]) == (14, 10)
    assert year[COUNTY] == {
        "special_families": 2,
        "special_family_months": 24,
        "special_families_visited": 4,
    }
    q1 = stored("quarter", date(2024, 1, 1))
    assert (q1[V1]["special_family_months"], q1[V1]["special_families_visited"]) == (5, 3)


def test_the_visit_rate_and_its_interval(care2024):
    spec = INDICATORS["special_family_visit_rate"]
    q1 = stored("quarter", date(2024, 1, 1))[V1]
    assert spec.estimate(q1).value == pytest.approx(60.0)
    county = stored("year", date(2024, 1, 1))[COUNTY]
    estimate = spec.estimate(county)
    low, high = wilson(4, 24)
    assert (estimate.value, estimate.low, estimate.high) == pytest.approx(
        (100 * 4 / 24, 100 * low, 100 * high)
    )
    march = stored("month", date(2024, 3, 1))[V3]
    assert spec.estimate(march).value == pytest.approx(100.0)


families = st.lists(
    st.tuples(
        st.sampled_from([V1, "620422100201", V3, "620422101202"]),
        st.dates(date(2023, 6, 1), date(2025, 6, 30)),
        st.none() | st.integers(0, 400),
        st.lists(st.integers(-60, 500), max_size=4),
    ),
    max_size=6,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=families)
def test_the_counts_add_up_and_visited_never_exceeds_the_register(units, county_admin, rows):
    from datetime import timedelta

    with transaction.atomic():
        for unit, confirmed, closed_after, visits in rows:
            f = family(
                unit,
                confirmed,
                confirmed + timedelta(closed_after) if closed_after is not None else None,
            )
            for days in visits:
                visit(f, confirmed + timedelta(days))
        values_refresh(actor=county_admin, first_year=2024, last_year=2024)
        found: dict[tuple, dict[str, int]] = defaultdict(dict)
        for unit, period_type, start, measure, value in MeasureValue.objects.filter(
            measure__in=CODES
        ).values_list("unit_id", "period_type", "period_start", "measure", "value"):
            found[period_type, start, unit][measure] = value
        for (period_type, _start, unit), by in found.items():
            assert by.get("special_families_visited", 0) <= by.get("special_family_months", 0)
            if period_type == "month":
                assert by.get("special_families", 0) == by.get("special_family_months", 0)
        transaction.set_rollback(True)
