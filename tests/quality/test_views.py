"""Quality pages: scores cut to the user's subtree, the worklist and its export."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from famplan.audit.models import AuditEntry
from famplan.orgunits.models import Level, OrgUnit
from famplan.quality import views
from famplan.quality.services import quality_run

from .conftest import V1, V2, V3, good, set_fields


@pytest.fixture
def checked(sample, county_admin):
    quality_run(actor=county_admin, unit_code="620422")
    return sample


def rows_of(response) -> dict[str, tuple[int, int, str]]:
    table = response.context["table"]
    return {r.unit.code: (r.people, r.people_with_errors, r.score_display) for r in table.rows}


def home(client, unit: str | None = None):
    url = reverse("quality:home") + (f"?unit={unit}" if unit else "")
    return client.get(url)


@pytest.mark.jurisdiction("quality:home")
def test_it_shows_only_the_users_subtree(checked, county_client, clerk_client, village_client):
    assert rows_of(home(county_client)) == {
        "620422100": (8, 3, "62.5%"),
        "620422101": (1, 1, "0.0%"),
    }
    # The clerk lands on her township's villages; 郭城驿镇 is not there and is a 404.
    response = home(clerk_client)
    assert rows_of(response) == {V1: (5, 2, "60.0%"), V2: (3, 1, "66.7%")}
    assert "郭城" not in response.content.decode()
    assert home(clerk_client, "620422101").status_code == 404
    assert home(clerk_client, V3).status_code == 404
    assert home(clerk_client, "nonsense").status_code == 404
    # A village worker sees her own village as the one row.
    assert rows_of(home(village_client)) == {V1: (5, 2, "60.0%")}


def test_it_drills_down_from_county_to_villages(checked, county_client):
    response = home(county_client, "620422100")
    assert rows_of(response) == {V1: (5, 2, "60.0%"), V2: (3, 1, "66.7%")}
    page = response.content.decode()
    assert "62.5%" in page  # the township's total row
    assert reverse("quality:worklist", args=[V1]) in page
    assert "重新检查" in page and "最近检查" in page


def test_it_shows_the_run_button_only_to_editors(checked, auditor):
    from tests.conftest import client_for

    page = home(client_for(auditor)).content.decode()
    assert "重新检查" not in page
    assert "55.6%" in page


def test_it_says_when_nothing_was_checked_yet(sample, clerk_client, auditor):
    response = home(clerk_client)
    page = response.content.decode()
    # No table of villages with 0 people each: the page says no check has run.
    assert 'data-testid="no-run"' in page
    assert "尚未进行数据质量检查，暂无在册人数和合格率" in page
    assert "点击“重新检查”开始第一次检查" in page
    assert 'data-testid="scores"' not in page
    from tests.conftest import client_for

    assert "请联系录入人员进行检查" in home(client_for(auditor)).content.decode()
    worklist = clerk_client.get(reverse("quality:worklist", args=[V1])).content.decode()
    assert "尚未进行数据质量检查，暂无问题清单" in worklist
    assert "没有发现问题" not in worklist


def test_it_marks_a_village_added_after_the_last_check(checked, clerk_client):
    OrgUnit.objects.create(
        code="620422100299", name="新建村", level=Level.VILLAGE, parent_id="620422100"
    )
    response = home(clerk_client)
    rows = {r.unit.code: r.checked for r in response.context["table"].rows}
    assert rows == {V1: True, V2: True, "620422100299": False}
    page = response.content.decode()
    new_row = page.split('data-unit="620422100299"')[1].split("</tr>")[0]
    assert "尚未检查" in new_row and ">0<" not in new_row


def test_it_keeps_home_page_queries_flat_as_units_grow(checked, county_admin, county_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert home(county_client).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    for t in range(2, 6):
        township = OrgUnit.objects.create(
            code=f"62042210{t}", name=f"镇{t}", level=Level.TOWNSHIP, parent_id="620422"
        )
        for v in range(1, 4):
            village = OrgUnit.objects.create(
                code=f"{township.code}2{v:02d}",
                name=f"村{t}{v}",
                level=Level.VILLAGE,
                parent=township,
            )
            good(county_admin, name=f"人{t}{v}", unit=village.code)
    quality_run(actor=county_admin, unit_code="620422")
    assert len(rows_of(home(county_client))) == 6
    assert queries() == before


@pytest.mark.jurisdiction("quality:worklist")
def test_it_lists_a_villages_issues_by_rule(checked, clerk_client, other_client, village_client):
    url = reverse("quality:worklist", args=[V1])
    response = clerk_client.get(url)
    assert response.status_code == 200
    issues = list(response.context["issues"])
    assert {i.rule for i in issues} == {
        "id_mismatch",
        "missing_fields",
        "id_area_unknown",
        "newborn_no_id",
    }
    assert issues[0].rule == "id_mismatch"  # errors first
    page = response.content.decode()
    assert "必填项缺失" in page and "缺少：民族" in page
    person_url = reverse("registry:person_detail", args=[checked["no_ethnicity"].pk])
    assert person_url in page
    # Only the issues of the rule asked for.
    only = clerk_client.get(url, {"rule": "missing_fields"}).context["issues"]
    assert [i.person_id for i in only] == [checked["no_ethnicity"].pk]
    # The township's list holds its villages' issues, not 郭城驿镇's.
    township = clerk_client.get(reverse("quality:worklist", args=["620422100"]))
    assert {i.unit_id for i in township.context["issues"]} == {V1, V2}
    # Another township's clerk, and a worker for another village: 404.
    assert other_client.get(url).status_code == 404
    assert village_client.get(reverse("quality:worklist", args=[V2])).status_code == 404
    assert clerk_client.get(reverse("quality:worklist", args=[V3])).status_code == 404


def test_it_paginates_the_worklist(checked, clerk_client, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    url = reverse("quality:worklist", args=[V1])
    first = clerk_client.get(url)
    assert len(first.context["issues"]) == 2
    assert first.context["page_obj"].paginator.count == 4
    second = clerk_client.get(url, {"page": 2})
    assert {i.pk for i in first.context["issues"]}.isdisjoint(
        {i.pk for i in second.context["issues"]}
    )


@pytest.mark.jurisdiction("quality:worklist_export")
def test_it_exports_the_worklist_with_an_audit_row(checked, clerk_client, other_client):
    url = reverse("quality:worklist_export", args=["620422100"])
    response = clerk_client.get(url)
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("规则", "级别", "村(居)代码")
    assert len(rows) == 1 + 5  # V1's four issues, V2's one
    assert {r[2] for r in rows[1:]} == {V1, V2}
    mother_row = next(r for r in rows if r[2] == V2)
    assert mother_row[:5] == ("生育时母亲年龄不在15-55岁", "错误", V2, "南嘴村", "出生")
    assert mother_row[6] == "辛"  # the person to open: the mother
    entry = AuditEntry.objects.get(action="quality.worklist.exported")
    assert (entry.org_unit_id, entry.detail["rows"]) == ("620422100", 5)
    assert other_client.get(url).status_code == 404
    assert not AuditEntry.objects.filter(
        action="quality.worklist.exported", username="other_clerk"
    ).exists()


def test_it_names_the_person_of_each_issue(checked, clerk_client):
    response = clerk_client.get(reverse("quality:worklist", args=["620422100"]))
    page = response.content.decode()
    rows = [r for r in page.split("<tr>") if 'data-testid="issue-person"' in r]
    assert len(rows) == 5
    mother = checked["mother"]
    mother_row = next(r for r in rows if f">{mother.name}</a>" in r)
    assert mother.id_masked in mother_row and mother.id_number not in page
    assert mother.id_masked.startswith("6204") and "*" in mother.id_masked
    # The newborn has no ID number yet: the row says so instead of a record number.
    newborn_row = next(r for r in rows if f">{checked['newborn'].name}</a>" in r)
    assert "无身份证号" in newborn_row
    assert "#" not in "".join(page.split('data-testid="issues"')[1:])


def test_it_keeps_worklist_queries_fixed_as_issues_grow(
    checked, county_admin, clerk_client, django_assert_max_num_queries
):
    url = reverse("quality:worklist", args=["620422100"])
    with CaptureQueriesContext(connection) as ctx:
        assert len(clerk_client.get(url).context["issues"]) == 5
    few = len(ctx.captured_queries)
    for n in range(30):
        set_fields(good(county_admin, name=f"缺{n}", unit=V2), ethnicity="")
    quality_run(actor=county_admin, unit_code="620422")
    with django_assert_max_num_queries(few):
        response = clerk_client.get(url)
    assert len(response.context["issues"]) == 35
    assert all(f"缺{n}" in response.content.decode() for n in range(30))
