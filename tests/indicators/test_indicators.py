"""Indicators with their intervals, against figures worked out by hand for the tiny county."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from famplan.audit.labels import action_label
from famplan.indicators.indicators import INDICATORS
from famplan.indicators.models import Target
from famplan.indicators.selectors import report_for_user
from famplan.indicators.services import values_refresh
from famplan.indicators.stats import Estimate, Verdict, judge, newcombe_difference, wilson
from famplan.orgunits.models import OrgUnit

from .conftest import COUNTY, T2, V4


def cells(row) -> dict:
    return {c.indicator.code: c for c in row.cells}


@pytest.fixture
def county_report(county2024, county_admin):
    values_refresh(actor=county_admin, first_year=2024, last_year=2024)
    return report_for_user(county_admin, OrgUnit.objects.get(code=COUNTY), 2024)


def test_it_computes_wilson_intervals_as_published():
    # Newcombe (1998), Table I: 81/263 -> 0.2553-0.3662; 15/148 -> 0.0624-0.1605; 0/20 -> 0-0.1611.
    assert wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    assert wilson(15, 148) == pytest.approx((0.0624, 0.1605), abs=1e-4)
    assert wilson(0, 20) == pytest.approx((0.0, 0.1611), abs=1e-4)


def test_it_bounds_a_difference_by_the_two_wilson_intervals():
    # Newcombe's method 10 for 10/100 - 4/100, worked by hand from the Wilson intervals
    # 0.0552-0.1744 and 0.0157-0.0984: 0.06 - sqrt(0.0448² + 0.0584²) = -0.0136 and
    # 0.06 + sqrt(0.0744² + 0.0243²) = 0.1383.
    assert newcombe_difference(10, 4, 100) == pytest.approx((-0.0136, 0.1383), abs=2e-4)


def test_it_computes_every_indicator_of_the_county(county_report):
    found = cells(county_report.total)
    # Mean population (21 + 23) / 2 = 22; 4 births, 2 deaths, 2 boys and 2 girls,
    # 1 third child, 3 in hospital.
    assert county_report.total.population_mean == 22
    assert found["birth_rate"].estimate.value == pytest.approx(4 / 22 * 1000)
    assert found["death_rate"].estimate.value == pytest.approx(2 / 22 * 1000)
    assert found["natural_growth_rate"].estimate.value == pytest.approx(2 / 22 * 1000)
    assert found["sex_ratio_at_birth"].estimate.value == pytest.approx(100)
    assert found["third_plus_share"].estimate.value == pytest.approx(25)
    assert found["hospital_delivery_rate"].estimate.value == pytest.approx(75)
    assert found["timeliness_rate"].estimate.value == pytest.approx(100 / 11)
    assert not found["data_quality_rate"].estimate.known  # no quality run yet


def test_it_gives_the_intervals_worked_by_hand(county_report):
    found = cells(county_report.total)
    # 3 of 4 in hospital: Wilson 30.06%-95.44%.
    hospital = found["hospital_delivery_rate"].estimate
    assert (hospital.low, hospital.high) == pytest.approx((30.06, 95.44), abs=0.01)
    # 2 boys of 4: Wilson on the share 0.1500-0.8500, as a ratio 100p/(1-p): 17.65-566.7.
    ratio = found["sex_ratio_at_birth"].estimate
    assert (ratio.low, ratio.high) == pytest.approx((17.65, 566.7), rel=1e-3)
    # 4 births over 22: Wilson 0.0731-0.3851 -> 73.1-385.1 per thousand.
    rate = found["birth_rate"].estimate
    assert (rate.low, rate.high) == pytest.approx((73.1, 385.1), abs=0.1)


def test_it_judges_only_where_the_interval_can_tell(county_report, county_admin):
    found = cells(county_report.total)
    # Defaults: sex ratio <= 107 and hospital delivery >= 85 both fall inside the interval.
    assert found["sex_ratio_at_birth"].verdict == Verdict.UNCLEAR
    assert found["sex_ratio_at_birth"].verdict_label == "数据太少，无法判断"
    assert found["hospital_delivery_rate"].verdict == Verdict.UNCLEAR
    Target.objects.create(
        indicator="hospital_delivery_rate", unit_id=COUNTY, year=2024, direction="ge", low=99
    )
    Target.objects.create(
        indicator="third_plus_share", unit_id=COUNTY, year=2024, direction="le", high=99
    )
    again = cells(report_for_user(county_admin, OrgUnit.objects.get(code=COUNTY), 2024).total)
    assert again["hospital_delivery_rate"].verdict == Verdict.MISSED  # upper 95.4 < 99
    assert again["third_plus_share"].verdict == Verdict.MET  # upper 80.6 <= 99


@pytest.mark.parametrize(
    "interval,direction,low,high,verdict",
    [
        ((100, 106), "le", None, 107, Verdict.MET),
        ((108, 115), "le", None, 107, Verdict.MISSED),
        ((100, 115), "le", None, 107, Verdict.UNCLEAR),
        ((86, 90), "ge", 85, None, Verdict.MET),
        ((70, 84.9), "ge", 85, None, Verdict.MISSED),
        ((104, 106), "between", 103, 107, Verdict.MET),
        ((108, 110), "between", 103, 107, Verdict.MISSED),
        ((101, 104), "between", 103, 107, Verdict.UNCLEAR),
    ],
)
def test_it_flags_a_unit_only_when_the_interval_excludes_the_target(
    interval, direction, low, high, verdict
):
    estimate = Estimate(sum(interval) / 2, *interval, 1, 1)
    assert judge(estimate, direction, low, high) == verdict


def test_it_says_no_data_rather_than_zero(county2024, county_admin):
    values_refresh(actor=county_admin, first_year=2024, last_year=2024)
    township = report_for_user(county_admin, OrgUnit.objects.get(code=T2), 2024)
    v4 = cells(next(r for r in township.rows if r.unit.code == V4))  # nobody lives there
    assert not v4["birth_rate"].estimate.known
    assert v4["birth_rate"].verdict == Verdict.NO_TARGET
    assert v4["natural_growth_rate"].verdict == Verdict.NO_DATA
    assert v4["natural_growth_rate"].value_text == "—"
    empty = Estimate(None, None, None, 0, 0)
    assert judge(empty, "le", None, 9) == Verdict.NO_DATA


def test_it_gives_an_unbounded_sex_ratio_with_no_girls():
    estimate = INDICATORS["sex_ratio_at_birth"].estimate({"births_male": 3, "births_female": 0})
    assert estimate.value == math.inf and estimate.high == math.inf
    assert judge(estimate, "le", None, 107) == Verdict.UNCLEAR


def test_it_names_every_audit_action_of_the_app():
    source = Path(__file__).resolve().parents[2] / "src" / "famplan" / "indicators"
    codes = set()
    for path in source.rglob("*.py"):
        codes.update(
            re.findall(r'"(indicators\.[a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8"))
        )
    assert codes >= {"indicators.values.refreshed", "indicators.report.exported"}
    assert all(action_label(code) for code in codes), codes
