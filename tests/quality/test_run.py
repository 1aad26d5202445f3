"""Quality runs: scores per village rolled up by code prefix, reruns that replace, the job."""

from __future__ import annotations

import pytest
from django.urls import reverse

from famplan.audit.models import AuditEntry
from famplan.jobs.models import Job, JobStatus
from famplan.jobs.services import job_run
from famplan.orgunits.models import OrgUnit
from famplan.quality.models import QualityIssue, QualityRun, QualityScore, QualityTally
from famplan.quality.rules import ID_INVALID, MISSING_FIELDS
from famplan.quality.selectors import score_table_for_user
from famplan.quality.services import RUN_KIND, quality_run

from .conftest import V1, V2, V3, set_fields


def figures(table) -> dict[str, tuple[int, int, str]]:
    return {
        r.unit.code: (r.people, r.people_with_errors, r.score_display)
        for r in [*table.rows, table.total]
    }


def test_it_scores_villages_and_rolls_up_by_code_prefix(sample, county_admin, units):
    run = quality_run(actor=county_admin, unit_code="620422")
    assert (run.people, run.people_with_errors) == (9, 4)
    assert {s.unit_id: (s.people, s.people_with_errors) for s in QualityScore.objects.all()} == {
        V1: (5, 2),
        V2: (3, 1),
        V3: (1, 1),
    }
    county = score_table_for_user(county_admin, units["620422"])
    assert figures(county) == {
        "620422100": (8, 3, "62.5%"),
        "620422101": (1, 1, "0.0%"),
        "620422": (9, 4, "55.6%"),
    }
    township = score_table_for_user(county_admin, units["620422100"])
    assert figures(township) == {
        V1: (5, 2, "60.0%"),
        V2: (3, 1, "66.7%"),
        "620422100": (8, 3, "62.5%"),
    }
    village_less = score_table_for_user(county_admin, units["620422101"])
    assert figures(village_less)["620422101202"] == (0, 0, "—")


def test_it_counts_issues_per_rule_and_unit(sample, county_admin, units):
    quality_run(actor=county_admin, unit_code="620422")
    county = score_table_for_user(county_admin, units["620422"])
    assert county.total.counts == {
        "missing_fields": 1,
        "id_area_unknown": 1,
        "id_mismatch": 1,
        "newborn_no_id": 1,
        "mother_age": 1,
        "id_invalid": 1,
    }
    # Columns only for rules that found something, in the rules' order (errors first).
    assert [r.code for r in county.rules][:3] == ["id_invalid", "id_mismatch", "missing_fields"]
    by_unit = {row.unit.code: row.counts for row in county.rows}
    assert by_unit["620422101"] == {"id_invalid": 1}


def test_it_replaces_previous_results_on_rerun(sample, county_admin, township_clerk):
    first = quality_run(actor=county_admin, unit_code="620422")
    issues = QualityIssue.objects.count()
    again = quality_run(actor=county_admin, unit_code="620422")
    assert QualityIssue.objects.count() == issues  # replaced, not added
    assert not QualityIssue.objects.filter(run=first).exists()
    assert QualityScore.objects.filter(run=again).count() == 3

    # The clerk fixes a record and checks her township only: its issue goes, 郭城驿镇's
    # result from the county run stays.
    set_fields(sample["no_ethnicity"], ethnicity="汉族")
    township_run = quality_run(actor=township_clerk, unit_code="620422100")
    assert not QualityIssue.objects.filter(rule=MISSING_FIELDS).exists()
    assert QualityIssue.objects.filter(rule=ID_INVALID, run=again, unit_id=V3).exists()
    assert QualityScore.objects.get(unit_id=V1).people_with_errors == 1
    assert QualityScore.objects.get(unit_id=V3).run_id == again.pk
    assert not QualityTally.objects.filter(rule=MISSING_FIELDS).exists()
    assert QualityRun.objects.count() == 3  # runs stay as history
    assert township_run.counts.get(MISSING_FIELDS) is None


def test_it_audits_each_run(sample, county_admin):
    run = quality_run(actor=county_admin, unit_code="620422")
    entry = AuditEntry.objects.get(action="quality.run.completed")
    assert entry.target_id == str(run.pk)
    assert entry.detail["people"] == 9


@pytest.mark.jurisdiction("quality:run")
def test_it_runs_as_a_job_from_the_button(
    sample, clerk_client, other_client, township_clerk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(reverse("quality:run"), {"unit": "620422100"})
    job = Job.objects.get(kind=RUN_KIND)
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert "合格率 62.5%" in job.message
    run = QualityRun.objects.get()
    assert (run.scope_unit_id, run.job_id, run.started_by) == ("620422100", job.pk, township_clerk)
    assert not QualityIssue.objects.filter(unit__code__startswith="620422101").exists()

    # Another township's clerk cannot check 会师镇: its code is a 404, nothing queued.
    with django_capture_on_commit_callbacks(execute=True):
        assert other_client.post(reverse("quality:run"), {"unit": "620422100"}).status_code == 404
    assert Job.objects.count() == 1


def test_it_needs_edit_rights_and_a_post_to_run(auditor, clerk_client):
    from tests.conftest import client_for

    assert client_for(auditor).post(reverse("quality:run")).status_code == 403
    assert clerk_client.get(reverse("quality:run")).status_code == 405


def test_it_refuses_a_job_whose_scope_is_not_the_starters(township_clerk, units):
    job = Job.objects.create(
        kind=RUN_KIND,
        title="检查",
        created_by=township_clerk,
        org_unit=OrgUnit.objects.get(code="620422100"),
        params={"unit": "620422101"},
    )
    job_run(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "管辖范围" in job.error
    assert not QualityRun.objects.exists()
