"""The import pages and the import job, end to end: template, upload, job, report."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from famplan.audit.models import AuditEntry
from famplan.jobs.models import Job, JobStatus
from famplan.registry.models import Birth, Person
from tests.registry.factories import person
from tests.registry.test_imports_events import BIRTH_HEADER
from tests.transfer.test_imports import PERSON_HEADER, new_id, person_row, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, record_type: str, rows: list[list], name: str = "人员.xlsx", capture=None):
    data = {"record_type": record_type, "file": SimpleUploadedFile(name, xlsx_bytes(rows), XLSX)}
    with capture(execute=True):
        return client.post(reverse("transfer:upload"), data)


def last_job() -> Job:
    return Job.objects.get()


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_it_lists_record_types_with_template_links(clerk_client):
    response = clerk_client.get(reverse("transfer:home"))
    assert response.status_code == 200
    html = response.content.decode()
    for key, label in [("persons", "人员"), ("births", "出生"), ("deaths", "死亡"),
                       ("marriages", "婚姻"), ("migrations", "流动人口")]:  # fmt: skip
        assert reverse("transfer:template", args=[key]) in html and label in html
    assert reverse("transfer:upload") in html


def test_it_refuses_users_without_the_import_capability(village_client):
    assert village_client.get(reverse("transfer:home")).status_code == 403
    assert village_client.get(reverse("transfer:template", args=["persons"])).status_code == 403
    assert village_client.post(reverse("transfer:upload")).status_code == 403


def test_it_serves_a_template_with_headers_sample_and_notes(clerk_client):
    response = clerk_client.get(reverse("transfer:template", args=["persons"]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["人员", "填写说明", "村(居)代码"]
    sheet = book.get_sheet_by_name("人员").to_python()
    # Headers only: the samples are on the notes sheet, where nobody imports them.
    assert sheet == [PERSON_HEADER]
    notes = book.get_sheet_by_name("填写说明").to_python()
    assert notes[0][:5] == ["列名", "必填", "说明", "允许的值", "示例"]
    samples = {r[0]: r[4] for r in notes[1 : len(PERSON_HEADER) + 1]}
    assert samples["姓名"] == "张秀英" and samples["村(居)代码"] == "620422100001"
    assert samples["出生日期"] == dt.date(1990, 5, 17)
    sex_note = next(r for r in notes if r[0] == "性别")
    assert sex_note[1] == "是" and sex_note[3] == "男、女"
    # The ID column is text in Excel, so typed ID numbers keep their last digits.
    ws = load_workbook(io.BytesIO(response.content))["人员"]
    assert ws.column_dimensions["B"].number_format == "@"
    assert clerk_client.get(reverse("transfer:template", args=["nothing"])).status_code == 404


@pytest.mark.parametrize("record_type", ["persons", "births"])
def test_it_imports_nothing_from_the_template_uploaded_unchanged(
    clerk_client, media, django_capture_on_commit_callbacks, record_type
):
    template = clerk_client.get(reverse("transfer:template", args=[record_type])).content
    data = {
        "record_type": record_type,
        "file": SimpleUploadedFile("模板.xlsx", template, XLSX),
    }
    with django_capture_on_commit_callbacks(execute=True):
        clerk_client.post(reverse("transfer:upload"), data)

    job = last_job()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("文件中没有数据行，未导入任何数据。")
    assert not Person.objects.exists() and not Birth.objects.exists()
    assert not AuditEntry.objects.filter(action="transfer.import.completed").exists()


def test_it_imports_an_upload_through_a_job(
    clerk_client, township_clerk, media, django_capture_on_commit_callbacks
):
    rows = [PERSON_HEADER, person_row("甲"), person_row("乙")]
    response = upload(clerk_client, "persons", rows, capture=django_capture_on_commit_callbacks)

    job = last_job()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.kind == "transfer.import" and job.params == {"record_type": "persons"}
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.percent == 100
    assert job.message == "导入完成：共 2 行（人员 2，新建户 0）"
    assert set(Person.objects.values_list("name", flat=True)) == {"甲", "乙"}
    assert AuditEntry.objects.filter(action="transfer.import.completed").count() == 1
    page = clerk_client.get(response["Location"]).content.decode()
    assert "导入完成" in page


def test_it_fails_a_job_with_a_downloadable_error_report(
    clerk_client, media, django_capture_on_commit_callbacks
):
    bad = person_row("乙")
    bad[2] = "未知"
    rows = [PERSON_HEADER, person_row("甲"), bad]
    upload(clerk_client, "persons", rows, capture=django_capture_on_commit_callbacks)

    job = last_job()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("文件有 1 行共 1 处错误，未导入任何数据。")
    assert Person.objects.count() == 0
    download = clerk_client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    report = b"".join(download.streaming_content)
    table = CalamineWorkbook.from_filelike(io.BytesIO(report)).get_sheet_by_name("错误行")
    data = table.to_python()
    assert data[1][0] == 3 and data[1][-1] == "性别：应为以下之一：男、女"


def test_it_imports_a_gb18030_csv_upload(clerk_client, media, django_capture_on_commit_callbacks):
    born = dt.date(1985, 9, 9)
    text = "姓名,性别,出生日期,村(居)代码,身份证号\r\n"
    text += f"郑十,男,1985/9/9,东关社区,{new_id(born, 'M')}\r\n"
    data = {
        "record_type": "persons",
        "file": SimpleUploadedFile("人员.csv", text.encode("gb18030"), "text/csv"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        clerk_client.post(reverse("transfer:upload"), data)
    assert last_job().status == JobStatus.SUCCEEDED, last_job().error
    assert Person.objects.get().name == "郑十"


def test_it_refuses_a_wrong_extension_and_a_big_file(clerk_client, media):
    data = {"record_type": "persons", "file": SimpleUploadedFile("人员.xls", b"x" * 10)}
    response = clerk_client.post(reverse("transfer:upload"), data)
    assert response.status_code == 400
    assert "只能导入 .xlsx 或 .csv 文件" in response.content.decode()
    with override_settings(MAX_IMPORT_FILE_MB=1):
        big = SimpleUploadedFile("人员.csv", b"x" * (1024 * 1024 + 1))
        response = clerk_client.post(
            reverse("transfer:upload"), {"record_type": "persons", "file": big}
        )
    assert response.status_code == 400
    assert "文件超过 1 MB" in response.content.decode()
    response = clerk_client.post(reverse("transfer:upload"), {"record_type": "x"})
    assert "请选择有效的数据类型。" in response.content.decode()
    assert "请选择要导入的文件。" in response.content.decode()
    assert not Job.objects.exists()


# --- jurisdiction --------------------------------------------------------------------------


@pytest.mark.jurisdiction("transfer:home", "transfer:template", "transfer:upload")
def test_it_keeps_another_townships_villages_people_and_imports_out_of_reach(
    clerk_client, other_client, township_clerk, media, django_capture_on_commit_callbacks
):
    # 会师镇's clerk has an import on record and a mother in 东关社区.
    upload(clerk_client, "persons", [PERSON_HEADER, person_row("会师人")],
           name="会师镇人员.xlsx", capture=django_capture_on_commit_callbacks)  # fmt: skip
    mother = person(township_clerk, name="会师母亲", sex="F", born=dt.date(1992, 2, 2))
    people_before = Person.objects.count()

    # The other township's clerk does not see that import on the page…
    home = other_client.get(reverse("transfer:home")).content.decode()
    assert "会师镇人员.xlsx" not in home
    assert "会师镇人员.xlsx" in clerk_client.get(reverse("transfer:home")).content.decode()

    # …nor 会师镇's villages in the template's village list.
    template = other_client.get(reverse("transfer:template", args=["persons"])).content
    villages = CalamineWorkbook.from_filelike(io.BytesIO(template))
    codes = [r[0] for r in villages.get_sheet_by_name("村(居)代码").to_python()[1:]]
    assert codes == ["620422101201", "620422101202"]

    # …and cannot import into 会师镇's villages or name its people: every row is refused.
    rows = [
        PERSON_HEADER,
        person_row("越界甲", village="620422100001"),
        person_row("越界乙", village="南嘴村"),
        person_row("本镇", village="郭城村"),
    ]
    upload(other_client, "persons", rows, capture=django_capture_on_commit_callbacks)
    job = Job.objects.filter(created_by__username="other_clerk").latest("created_at")
    assert job.status == JobStatus.FAILED
    report = CalamineWorkbook.from_filelike(io.BytesIO(job.result_file.read()))
    detail = report.get_sheet_by_name("错误明细").to_python()[1:]
    assert [(r[0], r[1], r[3]) for r in detail] == [
        (2, "村(居)代码", "村(居)“620422100001”不存在或不在您的管辖范围内"),
        (3, "村(居)代码", "村(居)“南嘴村”不存在或不在您的管辖范围内"),
    ]
    day = dt.date(2024, 5, 5)
    births = [BIRTH_HEADER, ["越界婴儿", "男", day, mother.id_number, "", "医院", "", "", ""]]
    upload(other_client, "births", births, name="出生.xlsx",
           capture=django_capture_on_commit_callbacks)  # fmt: skip
    job = Job.objects.filter(created_by__username="other_clerk").latest("created_at")
    assert job.status == JobStatus.FAILED
    assert "1 行" in job.error
    assert Person.objects.count() == people_before  # nothing written, not even 本镇
    assert not Birth.objects.exists()
    # The other clerk cannot open 会师镇's import job either.
    clerk_job = Job.objects.get(created_by__username="township_clerk")
    assert other_client.get(reverse("jobs:detail", args=[clerk_job.pk])).status_code == 404


def test_it_lists_the_first_errors_on_the_job_page(
    clerk_client, media, django_capture_on_commit_callbacks
):
    rows = [PERSON_HEADER, person_row("甲")]
    for n in range(59):
        bad = person_row(f"乙{n}")
        bad[2] = "未知"
        rows.append(bad)
    bad = person_row("丙", id_number="62042219900517")
    rows.append(bad)
    upload(clerk_client, "persons", rows, capture=django_capture_on_commit_callbacks)

    job = last_job()
    assert job.status == JobStatus.FAILED
    digest = job.result["import_errors"]
    assert (digest["total"], digest["rows"], len(digest["first"])) == (60, 60, 50)
    response = clerk_client.get(reverse("jobs:detail", args=[job.pk]))
    page = response.content.decode()
    assert "共 60 行 60 处错误，以下列出前 50 处，其余见错误报告" in page
    table = page.split('data-testid="import-errors"')[1].split("</table>")[0]
    body_rows = table.split("<tbody>")[1].split("<tr>")[1:]
    assert len(body_rows) == 50
    assert '<td class="num">3</td><td>性别</td><td>应为以下之一：男、女</td>' in body_rows[0]
    assert '<td class="num">52</td>' in body_rows[-1]
    assert "62042219900517" not in page  # reasons only: no cell values on the page
    # The progress fragment htmx swaps in shows the same list once the job is finished.
    fragment = clerk_client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert 'data-testid="import-errors"' in fragment


def test_it_lists_every_error_when_there_are_few(
    clerk_client, media, django_capture_on_commit_callbacks
):
    bad = person_row("乙")
    bad[2] = "未知"
    upload(
        clerk_client,
        "persons",
        [PERSON_HEADER, person_row("甲"), bad],
        capture=django_capture_on_commit_callbacks,
    )
    page = clerk_client.get(reverse("jobs:detail", args=[last_job().pk])).content.decode()
    assert "共 1 行 1 处错误。" in page and "以下列出前" not in page
