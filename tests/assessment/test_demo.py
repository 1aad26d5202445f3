"""The demo's scheme: published on the Huining targets, the same samples for the same
seed, half-year scores in every sample village, run once."""

from __future__ import annotations

from datetime import date

import pytest

from famplan.assessment.models import FieldScore, Scheme
from famplan.assessment.selectors import points_total, scheme_results
from famplan.demo.assessment import assessment_generate
from famplan.orgunits.models import OrgUnit

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize("seed", [5])
def test_it_publishes_a_scheme_with_scores(units, county_admin, seed):
    county = OrgUnit.objects.get(code="620422")
    result = assessment_generate(county=county, seed=seed, today=TODAY)
    scheme = Scheme.objects.get(year=2026)
    assert scheme.is_published
    assert scheme.seed == seed
    assert points_total(scheme) == 100
    assert result.samples == 4
    assert FieldScore.objects.count() == result.scores == 8
    assert all(r.rank for r in scheme_results(scheme))
    assert assessment_generate(county=county, seed=seed, today=TODAY).skipped


def test_the_demo_township_assesses_its_villages(units, county_admin, township_clerk):
    county = OrgUnit.objects.get(code="620422")
    result = assessment_generate(county=county, seed=5, today=TODAY)
    scheme = Scheme.objects.get(unit_id=township_clerk.org_unit_id, year=2026)
    assert scheme.is_published and scheme.by_township and points_total(scheme) == 100
    villages = OrgUnit.objects.filter(parent_id=scheme.unit_id).count()
    assert result.village_scores == 3 * villages  # three items, every village
    results = scheme_results(scheme)
    assert len(results) == villages and all(r.rank for r in results)
