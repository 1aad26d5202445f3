"""Drill-down pages of the division tree and the division import from the web."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from famplan.audit.models import AuditEntry
from famplan.jobs.models import Job, JobStatus
from famplan.orgunits.models import OrgUnit

HUINING = Path(__file__).parents[2] / "src/famplan/orgunits/fixtures/huining_620422_divisions.csv"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def detail_url(code: str) -> str:
    return reverse("orgunits:detail", args=[code])


@pytest.mark.jurisdiction("orgunits:home")
def test_it_sends_each_user_to_their_own_unit(clerk_client, other_client, county_client):
    assert clerk_client.get(reverse("orgunits:home"))["Location"] == detail_url("620422100")
    assert other_client.get(reverse("orgunits:home"))["Location"] == detail_url("620422101")
    assert county_client.get(reverse("orgunits:home"))["Location"] == detail_url("620422")


def test_it_lists_children_with_their_child_counts(county_client, django_assert_max_num_queries):
    OrgUnit.objects.create(
        code="620422100301", name="第三村", level="village", parent_id="620422100"
    )

    # session, user, TOTP device, unit, breadcrumb, menu unit, children, session save:
    # none per child
    with django_assert_max_num_queries(10):
        response = county_client.get(detail_url("620422"))

    assert response.status_code == 200
    rows = [(c.code, c.child_count) for c in response.context["children"]]
    assert rows == [("620422100", 3), ("620422101", 2)]
    page = response.content.decode()
    assert f'href="{detail_url("620422100")}"' in page
    assert "会师镇" in page and "郭城驿镇" in page


def test_it_shows_the_breadcrumb_from_the_users_own_unit(county_client, clerk_client):
    response = county_client.get(detail_url("620422100001"))
    assert [u.code for u in response.context["breadcrumb"]] == [
        "620422",
        "620422100",
        "620422100001",
    ]
    page = response.content.decode()
    assert 'data-testid="breadcrumb"' in page
    assert f'href="{detail_url("620422")}"' in page

    # A clerk's breadcrumb starts at the township: the county is not theirs to open.
    response = clerk_client.get(detail_url("620422100001"))
    assert [u.code for u in response.context["breadcrumb"]] == ["620422100", "620422100001"]
    assert f'href="{detail_url("620422")}"' not in response.content.decode()


@pytest.mark.jurisdiction("orgunits:detail")
def test_it_hides_units_outside_the_users_subtree(clerk_client, other_client, village_client):
    assert clerk_client.get(detail_url("620422100")).status_code == 200
    assert other_client.get(detail_url("620422100")).status_code == 404
    assert other_client.get(detail_url("620422100001")).status_code == 404
    assert clerk_client.get(detail_url("620422")).status_code == 404  # above, not below
    assert village_client.get(detail_url("620422100201")).status_code == 404  # a sibling
    assert clerk_client.get(detail_url("999999")).status_code == 404  # absent alike


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_it_imports_divisions_from_the_web_as_a_job(
    county_client, county_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = county_client.post(
            reverse("orgunits:import"), {"file": upload("会宁.csv", HUINING.read_bytes())}
        )

    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.kind == "orgunits.import_divisions"
    assert job.percent == 100
    assert "新增 344" in job.message  # the 7 units of the test county exist already
    assert OrgUnit.objects.count() == 351
    entry = AuditEntry.objects.get(action="orgunits.divisions.imported")
    assert entry.user_id == county_admin.pk
    assert entry.detail["total"] == 351


@pytest.mark.jurisdiction("orgunits:import")
def test_it_fails_the_job_with_an_xlsx_report_of_bad_rows(
    county_client, django_capture_on_commit_callbacks
):
    content = (
        "code,name,level,parent_code\n"
        "620422102,河畔镇,township,620422\n"
        "620422102001,,village,620422102\n"
        "620423100,别县镇,township,620423\n"  # another county: outside the admin's subtree
    ).encode()
    before = OrgUnit.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        county_client.post(reverse("orgunits:import"), {"file": upload("bad.csv", content)})

    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert "2 行错误" in job.error
    assert OrgUnit.objects.count() == before

    response = county_client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("行号", "区划代码", "名称", "级别", "上级代码", "错误原因")
    assert rows[1][:3] == (3, "620422102001", "")
    assert rows[1][5] == "名称为空"
    assert rows[2][:2] == (4, "620423100")
    assert "不在本单位（620422）辖区内" in rows[2][5]
    assert sheet["C2"].fill.fgColor.rgb == "FFFFC7CE"  # the empty name, in red
    assert sheet["B3"].fill.fgColor.rgb == "FFFFC7CE"  # the foreign code, in red
    assert sheet["B2"].fill.fgColor.rgb != "FFFFC7CE"


def test_it_refuses_the_import_page_to_a_township_clerk(clerk_client):
    assert clerk_client.get(reverse("orgunits:import")).status_code == 403
    response = clerk_client.post(reverse("orgunits:import"), {"file": upload("a.csv", b"x")})
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_it_refuses_a_file_that_is_not_csv(county_client):
    response = county_client.post(reverse("orgunits:import"), {"file": upload("a.xlsx", b"x")})

    assert response.status_code == 200
    assert "只能导入 .csv 文件" in response.content.decode()
    assert not Job.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(county_client, settings):
    settings.MAX_IMPORT_FILE_MB = 1
    big = upload("big.csv", b"0" * (1024 * 1024 + 1))

    response = county_client.post(reverse("orgunits:import"), {"file": big})

    assert "文件超过 1 MB" in response.content.decode()
    assert not Job.objects.exists()


def test_it_shows_the_import_form(county_client):
    response = county_client.get(reverse("orgunits:import"))

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()
