"""Job pages: a list, a live progress bar that stops when done, the result download."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from famplan.audit.models import AuditEntry
from famplan.jobs.models import Job, JobStatus


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_job(user, status=JobStatus.RUNNING, result: bytes | None = None, **extra) -> Job:
    job = Job.objects.create(
        kind="orgunits.import_divisions",
        title=f"{user.username} 的任务",
        created_by=user,
        org_unit_id=user.org_unit_id,
        status=status,
        **extra,
    )
    if result is not None:
        job.result_file.save("报告.xlsx", ContentFile(result))
    return job


@pytest.fixture
def clerk_job(township_clerk) -> Job:
    return make_job(
        township_clerk, JobStatus.FAILED, result=b"report-bytes", error="文件有 2 行错误"
    )


def url(name: str, job: Job) -> str:
    return reverse(name, args=[job.pk])


@pytest.mark.jurisdiction("jobs:list")
def test_it_lists_jobs_by_jurisdiction(
    clerk_client,
    other_client,
    village_client,
    county_client,
    township_clerk,
    village_worker,
    other_clerk,
):
    own = make_job(township_clerk)
    village = make_job(village_worker)
    other = make_job(other_clerk)

    def listed(client) -> set:
        return {j.pk for j in client.get(reverse("jobs:list")).context["jobs"]}

    assert listed(clerk_client) == {own.pk, village.pk}  # a manager sees the subtree
    assert listed(other_client) == {other.pk}
    assert listed(village_client) == {village.pk}
    assert listed(county_client) == {own.pk, village.pk, other.pk}


def test_it_shows_a_worker_only_their_own_jobs(village_client, village_worker, units):
    from tests.conftest import make_user

    neighbour = make_user("neighbour", "620422100001", "village_worker")
    make_job(neighbour)

    assert list(village_client.get(reverse("jobs:list")).context["jobs"]) == []


def test_it_lists_jobs_in_a_fixed_number_of_queries(
    county_client, township_clerk, other_clerk, django_assert_max_num_queries
):
    for _ in range(15):
        make_job(township_clerk)
        make_job(other_clerk)

    # session, user, TOTP device, count, menu unit, page (creators and units joined),
    # session save: none per job
    with django_assert_max_num_queries(9):
        response = county_client.get(reverse("jobs:list"))

    assert len(response.context["jobs"]) == 30
    assert "township_clerk 的任务" in response.content.decode()


@pytest.mark.jurisdiction("jobs:detail", "jobs:progress", "jobs:download")
def test_it_hides_another_townships_job(other_client, village_client, clerk_job):
    for name in ("jobs:detail", "jobs:progress", "jobs:download"):
        assert other_client.get(url(name, clerk_job)).status_code == 404, name
        # A village worker is inside the township but did not start the job.
        assert village_client.get(url(name, clerk_job)).status_code == 404, name
    assert not AuditEntry.objects.filter(action="jobs.file.downloaded").exists()


def test_it_answers_404_for_an_absent_job(clerk_client):
    missing = "00000000-0000-0000-0000-000000000000"
    assert clerk_client.get(reverse("jobs:detail", args=[missing])).status_code == 404


def test_it_polls_progress_while_the_job_runs(clerk_client, township_clerk):
    job = make_job(township_clerk, percent=42, message="正在写入区划")

    page = clerk_client.get(url("jobs:detail", job)).content.decode()
    fragment = clerk_client.get(url("jobs:progress", job)).content.decode()

    for html in (page, fragment):
        assert 'hx-trigger="every 1s"' in html
        assert f'hx-get="{url("jobs:progress", job)}"' in html
        assert '<progress class="job-progress" max="100" value="42"' in html
        assert "正在写入区划" in html
    assert "<html" not in fragment  # only the fragment, not the whole page


def test_it_stops_polling_once_the_job_is_done(clerk_client, clerk_job):
    fragment = clerk_client.get(url("jobs:progress", clerk_job)).content.decode()

    assert "hx-trigger" not in fragment
    assert "hx-get" not in fragment
    assert "文件有 2 行错误" in fragment
    assert f'href="{url("jobs:download", clerk_job)}"' in fragment


def test_it_downloads_the_result_file_and_audits_it(clerk_client, township_clerk, clerk_job):
    response = clerk_client.get(url("jobs:download", clerk_job))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"report-bytes"
    entry = AuditEntry.objects.get(action="jobs.file.downloaded")
    assert entry.user_id == township_clerk.pk
    assert entry.target_id == str(clerk_job.pk)
    assert entry.org_unit_id == "620422100"


def test_it_answers_404_for_a_job_without_a_result_file(clerk_client, township_clerk):
    job = make_job(township_clerk, JobStatus.SUCCEEDED)

    assert clerk_client.get(url("jobs:download", job)).status_code == 404
