"""Indicator pages: jurisdiction, drill-down, export, refresh as a job, targets."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from famplan.audit.models import AuditEntry
from famplan.indicators.models import MeasureValue, Target, ValuesRun
from famplan.indicators.services import values_refresh
from famplan.jobs.models import Job, JobStatus

from .conftest import COUNTY, T1, T2, V1, V2, V3, V4

REPORT = reverse("indicators:report")


@pytest.fixture
def refreshed(county2024, county_admin):
    return values_refresh(actor=county_admin, first_year=2024, last_year=2024)


def row_units(response) -> list[str]:
    return [row.unit.code for row in response.context["report"].rows]


@pytest.mark.jurisdiction("indicators:report")
def test_it_shows_a_township_only_its_own_units(refreshed, clerk_client, other_client):
    response = clerk_client.get(REPORT, {"year": 2024})
    assert response.status_code == 200
    assert row_units(response) == [V1, V2]
    assert response.context["report"].total.value("population_end") == 19
    assert "数据更新于" in response.content.decode()
    assert other_client.get(REPORT, {"unit": T1, "year": 2024}).status_code == 404
    assert other_client.get(REPORT, {"unit": V1, "year": 2024}).status_code == 404


def test_it_drills_down_from_the_county_to_a_village(refreshed, county_client):
    county = county_client.get(REPORT, {"year": 2024})
    assert row_units(county) == [T1, T2]
    assert f"?unit={T1}&amp;year=2024" in county.content.decode()
    township = county_client.get(REPORT, {"unit": T1, "year": 2024})
    assert row_units(township) == [V1, V2]
    village = county_client.get(REPORT, {"unit": V1, "year": 2024})
    assert row_units(village) == [V1]
    assert village.context["report"].total.value("births") == 3


def test_it_says_when_a_year_was_never_computed(county2024, county_client):
    response = county_client.get(REPORT, {"year": 2024})
    assert "2024年的指标尚未计算" in response.content.decode()


def test_it_reads_the_report_in_a_fixed_number_of_queries(
    refreshed, county_client, clerk_client, django_assert_max_num_queries
):
    # Login (session, user, OTP device), the unit, its children, the values, the
    # targets, the run, the breadcrumb, the user's unit, the session save: however many
    # units the table has.
    with django_assert_max_num_queries(13) as county:
        county_client.get(REPORT, {"year": 2024})
    with django_assert_max_num_queries(13) as township:
        clerk_client.get(REPORT, {"year": 2024})
    assert len(township.captured_queries) <= len(county.captured_queries)


def test_it_refuses_users_without_the_capability(refreshed, facility_user):
    from tests.conftest import client_for

    assert client_for(facility_user).get(REPORT).status_code == 403


@pytest.mark.jurisdiction("indicators:report_export")
def test_it_exports_the_report_as_a_form_and_audits_it(refreshed, clerk_client, other_client):
    url = reverse("indicators:report_export", args=[T1])
    assert other_client.get(url, {"year": 2024}).status_code == 404
    response = clerk_client.get(url, {"year": 2024})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "2024年人口计生统计指标"
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows[0]
    assert header[:4] == ["单位", "区划代码", "期初人口", "期末人口"]
    assert [r[1] for r in rows[1:4]] == [V1, V2, T1]
    assert rows[3][0] == "合计" and rows[3][3] == 19
    births = header.index("出生人数")
    assert [r[births] for r in rows[1:4]] == [3, 1, 4]
    labels = {r[0]: r[1] for r in rows[4:] if r and r[0]}
    assert labels["填报单位"] == "会师镇（620422100）"
    assert labels["统计期"] == "2024年"
    entry = AuditEntry.objects.get(action="indicators.report.exported")
    assert entry.org_unit_id == T1 and entry.detail["year"] == 2024


@pytest.mark.jurisdiction("indicators:refresh")
def test_it_refreshes_a_year_as_a_job(
    county2024, county_client, clerk_client, django_capture_on_commit_callbacks
):
    # Values cover every unit: only the county may recompute them.
    assert clerk_client.post(reverse("indicators:refresh"), {"year": 2024}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = county_client.post(reverse("indicators:refresh"), {"year": 2024})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "jobs:detail", args=[job.pk]
    )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert "计算完成" in job.message
    run = ValuesRun.objects.get()
    assert run.job_id == job.pk and (run.first_year, run.last_year) == (2024, 2024)
    assert (
        MeasureValue.objects.filter(unit_id=COUNTY, measure="births", period_type="year")
        .get()
        .value
        == 4
    )
    assert AuditEntry.objects.filter(action="indicators.values.refreshed").count() == 1


def test_it_refuses_to_compute_a_future_year(county_admin):
    from famplan.common.errors import DomainError

    with pytest.raises(DomainError, match="不能计算未来年份的指标"):
        values_refresh(actor=county_admin, first_year=2099, last_year=2099)
    assert not ValuesRun.objects.exists()


@pytest.mark.jurisdiction("indicators:targets")
def test_it_shows_targets_with_their_source(county2024, clerk_client, other_client):
    response = clerk_client.get(reverse("indicators:targets"), {"year": 2024})
    assert response.status_code == 200
    page = response.content.decode()
    assert "≤9" in page and "≤107" in page and "≥95" in page
    assert "会宁县2017年计划生育精细化工作方案" in page
    assert other_client.get(reverse("indicators:targets"), {"unit": T1}).status_code == 404


@pytest.mark.jurisdiction("indicators:target_set")
def test_it_sets_a_target_and_refuses_an_impossible_one(county2024, clerk_client, other_client):
    url = reverse("indicators:target_set")
    good = {
        "unit": T1,
        "year": 2024,
        "indicator": "sex_ratio_at_birth",
        "direction": "between",
        "low": 103,
        "high": 107,
    }
    assert other_client.post(url, good).status_code == 404
    assert clerk_client.post(url, good).status_code == 302
    target = Target.objects.get()
    assert (target.unit_id, target.low, target.high) == (T1, 103, 107)
    assert AuditEntry.objects.filter(action="indicators.target.set").count() == 1
    bad = {**good, "low": 110, "high": 107}
    response = clerk_client.post(url, bad)
    assert response.status_code == 400
    assert "出生人口性别比的目标范围不可能：下限110不低于上限107" in response.content.decode()
    over = {**good, "indicator": "hospital_delivery_rate", "direction": "ge", "low": 120}
    assert "住院分娩率的目标应在0至100%之间" in clerk_client.post(url, over).content.decode()
    assert Target.objects.count() == 1


@pytest.mark.jurisdiction("indicators:targets_copy")
def test_it_copies_targets_down_to_townships_and_villages(county2024, county_client, other_client):
    Target.objects.create(
        indicator="natural_growth_rate", unit_id=COUNTY, year=2024, direction="le", high=8
    )
    assert (
        other_client.post(
            reverse("indicators:targets_copy"), {"unit": T1, "year": 2024}
        ).status_code
        == 404
    )
    response = county_client.post(
        reverse("indicators:targets_copy"), {"unit": COUNTY, "year": 2024}
    )
    assert response.status_code == 302
    copied = Target.objects.filter(indicator="natural_growth_rate").exclude(unit_id=COUNTY)
    assert sorted(copied.values_list("unit_id", flat=True)) == sorted([T1, T2, V1, V2, V3, V4])
    assert {(t.high, t.copied_from) for t in copied} == {(8, COUNTY)}
    # The plan's defaults go down too, so a township's page names them as its own.
    assert Target.objects.filter(indicator="sex_ratio_at_birth", unit_id=V1, high=107).exists()
    # Copying again replaces, never doubles.
    county_client.post(reverse("indicators:targets_copy"), {"unit": COUNTY, "year": 2024})
    assert Target.objects.filter(indicator="natural_growth_rate").count() == 7
