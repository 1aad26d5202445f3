"""The demo's care data: families from the registry's candidates plus a few entered by
hand, contacts, visits; the demo village worker has a family overdue; a second run
leaves them alone."""

from __future__ import annotations

from datetime import date

import pytest

from famplan.care.demo import care_generate
from famplan.care.models import Assignment, SpecialFamily, TargetKind, Visit
from famplan.care.selectors import due_queryset

from .conftest import VILLAGE, bereaved

pytestmark = pytest.mark.django_db


def test_it_generates_once_and_leaves_an_overdue_family_in_her_village(
    units, county_admin, village_worker
):
    couple = bereaved(county_admin)
    result = care_generate(county=units["620422"], actor=county_admin, seed=1, today=date.today())
    assert not result.skipped and result.families == SpecialFamily.objects.count() >= 2
    assert SpecialFamily.objects.filter(child=couple.children[0]).exists()
    assert Assignment.objects.filter(user=village_worker, family__unit_id=VILLAGE).exists()
    assert Visit.objects.exists()
    due = due_queryset(village_worker, TargetKind.FAMILY, 30, 0)
    assert due.exists()
    again = care_generate(county=units["620422"], actor=county_admin, seed=1, today=date.today())
    assert again.skipped and SpecialFamily.objects.count() == result.families
