"""Demo health records: cheap, on the generated couples, and a worklist for the demo
village worker."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from famplan.demo.generator import population_generate
from famplan.health.models import FolicAcidIssue, FollowUp, FollowUpStatus, PrePregnancyCheck
from famplan.health.selectors import worklist_counts
from famplan.orgunits.models import OrgUnit
from famplan.orgunits.services import divisions_import

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 30)
FIXTURE = (
    Path(__file__).resolve().parents[2]
    / "src/famplan/orgunits/fixtures/huining_620422_divisions.csv"
)


def test_the_demo_county_has_checks_follow_ups_and_folic_acid(monkeypatch):
    monkeypatch.setattr("famplan.health.selectors.today", lambda: TODAY)
    divisions_import(FIXTURE, source_name=FIXTURE.name)
    county = OrgUnit.objects.get(code="620422")
    result = population_generate(county=county, scale=0.01, seed=1, today=TODAY)
    assert result.counts["health_checks"] == PrePregnancyCheck.objects.count() > 30
    assert FollowUp.objects.count() == 2 * PrePregnancyCheck.objects.count()
    assert FolicAcidIssue.objects.exists()
    assert FollowUp.objects.filter(status=FollowUpStatus.DONE).exists()
    assert not PrePregnancyCheck.objects.filter(checked_on__gt=TODAY).exists()
    worker = type("U", (), {"is_authenticated": True, "is_active": True})()
    worker.org_unit_id = "620422100001"  # the demo village worker's village
    counts = worklist_counts(worker, TODAY)
    assert counts["due"] >= 1 and counts["overdue"] >= 1
    again = population_generate(county=county, scale=0.01, seed=1, today=TODAY, replace=True)
    assert again.counts["health_checks"] == PrePregnancyCheck.objects.count()
