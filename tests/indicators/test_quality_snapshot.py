"""The data-quality rate reads the quality app's latest per-village scores as a snapshot
of today: filed under the periods holding today, and kept for past periods."""

from __future__ import annotations

from datetime import date

from famplan.common.dates import today
from famplan.indicators.models import MeasureValue
from famplan.indicators.selectors import report_for_user
from famplan.indicators.services import values_refresh
from famplan.orgunits.models import OrgUnit
from famplan.quality.models import QualityScore
from famplan.quality.services import quality_run

from .conftest import COUNTY, T1, V1, V2, V3


def test_it_takes_the_latest_quality_scores_for_this_year(county2024, county_admin):
    run = quality_run(actor=county_admin, unit_code=COUNTY)
    assert run.people == 23
    # The scores as a run could leave them: V1 1 of 15 with an error, V2 none of 4,
    # V3 2 of 4 (set directly, so the figures do not hang on the rules' details).
    for unit, bad in ((V1, 1), (V2, 0), (V3, 2)):
        QualityScore.objects.filter(unit_id=unit).update(people_with_errors=bad)
    year = today().year
    values_refresh(actor=county_admin, first_year=year, last_year=year)
    yearly = dict(
        MeasureValue.objects.filter(unit_id=T1, period_type="year", period_start=date(year, 1, 1))
        .filter(measure__startswith="quality_")
        .values_list("measure", "value")
    )
    assert yearly == {"quality_people": 19, "quality_passing": 18}
    month = MeasureValue.objects.get(
        unit_id=COUNTY,
        period_type="month",
        period_start=today().replace(day=1),
        measure="quality_people",
    )
    assert month.value == 23
    report = report_for_user(county_admin, OrgUnit.objects.get(code=COUNTY), year)
    quality = next(c for c in report.total.cells if c.indicator.code == "data_quality_rate")
    assert quality.value_text == "87.0"  # 20 / 23
    # Recomputing an earlier year leaves this year's snapshot alone, and has none itself.
    values_refresh(actor=county_admin, first_year=2024, last_year=2024)
    assert (
        MeasureValue.objects.filter(measure="quality_people", period_start__year=year).count() > 0
    )
    assert not MeasureValue.objects.filter(
        measure="quality_people", period_start__year=2024
    ).exists()
