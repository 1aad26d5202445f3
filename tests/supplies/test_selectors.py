"""Stock, availability and the monthly report, worked out by hand on the fixture points."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from famplan.common.dates import today
from famplan.orgunits.models import OrgUnit
from famplan.supplies.models import DistributionPoint
from famplan.supplies.selectors import (
    availability_rows,
    monthly_report,
    search_points,
    stock,
)
from famplan.supplies.services import month_end
from tests.supplies.conftest import (
    OTHER_VILLAGE,
    SECOND_VILLAGE,
    VILLAGE,
    deliver,
    issue,
    kind,
    stock_fully,
)

pytestmark = pytest.mark.django_db


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _last_month() -> date:
    return today().replace(day=1) - timedelta(days=1)


def test_stock_is_one_grouped_query_for_all_points(
    township_clerk, points, django_assert_num_queries
):
    stock_fully(township_clerk, points.clinic)
    stock_fully(township_clerk, points.second)
    issue(township_clerk, points.second, "oral_pill", 4)
    with django_assert_num_queries(1):
        balances = stock(DistributionPoint.objects.all())
    assert balances[(points.second.pk, kind("oral_pill").pk)] == 6
    assert balances[(points.clinic.pk, kind("oral_pill").pk)] == 10
    assert (points.other.pk, kind("oral_pill").pk) not in balances


def test_the_has_stock_filter_wants_every_essential_kind(township_clerk, points):
    stock_fully(township_clerk, points.clinic)
    deliver(township_clerk, points.second, "condom_male", 10)  # one kind only
    stocked = set(search_points(township_clerk, has_stock=True))
    missing = set(search_points(township_clerk, has_stock=False))
    assert stocked == {points.clinic}
    assert missing == {points.second, points.centre}
    assert points.other not in stocked | missing  # another township's


def test_availability_rows_count_points_open_and_stocked_at_each_months_end(
    township_clerk, other_clerk, points, django_assert_num_queries
):
    last = _last_month()
    stock_fully(township_clerk, points.clinic, on=last.replace(day=1))
    stock_fully(other_clerk, points.other, on=last.replace(day=1))
    # This month the clinic gives out all its emergency pills: no longer stocked.
    issue(township_clerk, points.clinic, "emergency_pill", 10, on=today())
    first, this = _month_index(last), _month_index(today())
    with django_assert_num_queries(1):
        rows = list(availability_rows(first, this))
    by = {(unit, month): (active, stocked) for unit, month, active, stocked in rows}
    assert by[(VILLAGE, first)] == (2, 1)  # clinic stocked, township centre empty
    assert by[(VILLAGE, this)] == (2, 0)
    assert by[(SECOND_VILLAGE, first)] == (1, 0)
    assert by[(OTHER_VILLAGE, first)] == (1, 1)
    assert by[(OTHER_VILLAGE, this)] == (1, 1)


def test_availability_rows_leave_out_points_not_open_at_the_months_end(township_clerk, points):
    last = _last_month()
    DistributionPoint.objects.filter(pk=points.second.pk).update(opened_on=today().replace(day=1))
    rows = list(availability_rows(_month_index(last), _month_index(last)))
    assert (SECOND_VILLAGE, _month_index(last), 1, 0) not in rows
    assert {r[0] for r in rows} == {VILLAGE, OTHER_VILLAGE}


def test_the_monthly_report_of_a_township_rolls_villages_up(township_clerk, points):
    last = _last_month()
    stock_fully(township_clerk, points.clinic, quantity=20, on=last.replace(day=1))
    stock_fully(township_clerk, points.centre, quantity=20, on=last.replace(day=1))
    issue(township_clerk, points.clinic, "condom_male", 7, on=last, monthly=True)
    issue(township_clerk, points.clinic, "condom_male", 3, on=today())  # next month
    report = monthly_report(OrgUnit.objects.get(code="620422100"), last)
    assert [r.name for r in report.rows] == ["东关社区", "南嘴村"]
    condoms = [k.code for k in report.kinds].index("condom_male")
    village, second = report.rows
    assert village.issued[condoms] == 7
    assert village.stock[condoms] == 20 + 20 - 7
    assert (village.points_active, village.points_stocked) == (2, 2)
    assert (second.points_active, second.points_stocked) == (1, 0)
    assert report.total.points_active == 3 and report.total.points_stocked == 2
    assert report.total.availability == pytest.approx(2 / 3)
    assert not report.total.meets_target
    assert report.month == last.replace(day=1) and month_end(report.month) == last


def test_the_monthly_report_of_a_village_lists_its_points(township_clerk, points):
    stock_fully(township_clerk, points.clinic)
    report = monthly_report(OrgUnit.objects.get(code=VILLAGE), today())
    assert [r.name for r in report.rows] == ["东关社区卫生室", "会师镇计生服务站"]
    assert [r.points_stocked for r in report.rows] == [1, 0]
