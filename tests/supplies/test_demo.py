"""The demo's points and year of movements: one point per village and a centre per
township, stock never below zero, availability around the 95% target, run once."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from famplan.audit.models import AuditEntry
from famplan.demo.supplies import supplies_generate
from famplan.orgunits.models import Level, OrgUnit
from famplan.supplies.models import DistributionPoint, PlaceKind, StockMovement
from famplan.supplies.selectors import availability_rows, monthly_report

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 20)


def test_it_makes_a_point_per_village_and_a_year_that_never_goes_below_zero(units):
    county = OrgUnit.objects.get(code="620422")
    result = supplies_generate(county=county, seed=3, today=TODAY)
    villages = OrgUnit.objects.filter(level=Level.VILLAGE).count()
    centres = DistributionPoint.objects.filter(place_kind=PlaceKind.TOWNSHIP_CENTRE)
    assert centres.count() == 2
    assert result.points >= villages + 2
    assert set(DistributionPoint.objects.values_list("unit_id", flat=True)) == set(
        OrgUnit.objects.filter(level=Level.VILLAGE).values_list("code", flat=True)
    )
    running: dict[tuple, int] = defaultdict(int)
    for m in StockMovement.objects.order_by("moved_on", "direction"):  # deliveries first
        running[(m.point_id, m.kind_id)] += m.signed
        assert running[(m.point_id, m.kind_id)] >= 0
    assert StockMovement.objects.filter(moved_on__gt=TODAY).count() == 0
    assert StockMovement.objects.filter(moved_on__lt=date(2025, 11, 1)).count() == 0
    assert AuditEntry.objects.filter(action="demo.supplies.generated").count() == 1
    assert supplies_generate(county=county, seed=3, today=TODAY).skipped


def test_availability_is_mostly_met(units):
    supplies_generate(county=OrgUnit.objects.get(code="620422"), seed=1, today=TODAY)
    october = 2026 * 12 + 9
    rows = list(availability_rows(october, october))
    active = sum(r[2] for r in rows)
    stocked = sum(r[3] for r in rows)
    assert active == DistributionPoint.objects.count()
    assert stocked >= active - 2


def test_the_report_and_the_indicator_rows_agree_month_by_month(units):
    """Two readings of one rule (open at the month's end, every essential kind held):
    the monthly report's totals and the indicators engine's village rows."""
    county = OrgUnit.objects.get(code="620422")
    supplies_generate(county=county, seed=5, today=TODAY)
    DistributionPoint.objects.filter(pk=DistributionPoint.objects.order_by("pk")[0].pk).update(
        closed_on=date(2026, 6, 15)
    )
    first, last = 2025 * 12 + 10, 2026 * 12 + 9
    rows = list(availability_rows(first, last))
    for index in range(first, last + 1):
        month = date(index // 12, index % 12 + 1, 1)
        report = monthly_report(county, month)
        from_rows = [(a, s) for _, m, a, s in rows if m == index]
        assert report.total.points_active == sum(a for a, _ in from_rows), month
        assert report.total.points_stocked == sum(s for _, s in from_rows), month
