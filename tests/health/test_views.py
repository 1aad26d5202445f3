"""The health pages: jurisdiction (another township's records are a 404 or absent),
capabilities (403), audited reads, list query counts, exports."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from famplan.audit.models import AuditEntry
from famplan.common.dates import today
from famplan.health.models import (
    CheckTarget,
    FolicAcidFollowUp,
    FollowUp,
    FollowUpStatus,
    PrePregnancyCheck,
)
from famplan.health.services import folic_followup_record
from tests.conftest import client_for
from tests.health.conftest import VILLAGE, record_check, record_folic
from tests.registry.factories import person

pytestmark = pytest.mark.django_db


def _sheet(response) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return book.get_sheet_by_index(0).to_python()


@pytest.fixture
def check(township_clerk, couple):
    return record_check(township_clerk, couple, days_ago=40)


@pytest.fixture
def other_check(other_clerk, other_couple):
    return record_check(other_clerk, other_couple, days_ago=40)


@pytest.fixture
def issue(village_worker, couple):
    return record_folic(village_worker, couple.wife, days_ago=5)


@pytest.fixture
def other_issue(other_clerk, other_couple):
    return record_folic(other_clerk, other_couple.wife, days_ago=5)


# --- checks --------------------------------------------------------------------------


@pytest.mark.jurisdiction("health:check_list")
def test_the_check_list_shows_only_the_users_records(clerk_client, check, other_check):
    response = clerk_client.get("/health/checks/")
    assert response.status_code == 200
    assert "王芳" in response.text and "赵敏" not in response.text
    assert AuditEntry.objects.filter(action="health.check.listed").exists()


def test_the_check_list_filters(clerk_client, check):
    assert "王芳" in clerk_client.get("/health/checks/?q=王芳").text
    assert "王芳" not in clerk_client.get("/health/checks/?risk_level=high").text
    bad = clerk_client.get("/health/checks/?date_from=2026-13-01")
    assert "查询条件有误" in bad.text


def _add_checks(clerk, n: int, days_ago: int = 0) -> None:
    for i in range(n):
        wife = person(clerk, name=f"女{i}", sex="F", unit=VILLAGE)
        husband = person(clerk, name=f"男{i}", sex="M", unit=VILLAGE)
        record_check(
            clerk, type("C", (), {"wife": wife, "husband": husband})(), days_ago=days_ago + i
        )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_the_check_list_query_count_does_not_grow(clerk_client, township_clerk):
    _add_checks(township_clerk, 1)
    few = _queries(clerk_client, "/health/checks/")
    _add_checks(township_clerk, 12, days_ago=1)
    assert _queries(clerk_client, "/health/checks/") == few


@pytest.mark.jurisdiction("health:check_detail")
def test_a_check_page_is_an_audited_read_and_another_townships_is_a_404(
    clerk_client, other_client, check
):
    response = clerk_client.get(f"/health/checks/{check.pk}/")
    assert response.status_code == 200 and "王芳" in response.text
    row = AuditEntry.objects.get(action="health.check.viewed")
    assert row.target_id == str(check.pk)
    assert other_client.get(f"/health/checks/{check.pk}/").status_code == 404


@pytest.mark.jurisdiction("health:check_create")
def test_a_clerk_records_a_check_by_name_and_village(clerk_client, other_client, couple):
    form = {
        "wife_name": "王芳",
        "wife_village": VILLAGE,
        "checked_on": today().isoformat(),
        "facility": "会宁县妇幼保健院",
        "risk_level": "high",
        "risk_factors": ["anemia", "advanced_age"],
        "advice": "补铁",
    }
    response = clerk_client.post("/health/checks/new/", form)
    check = PrePregnancyCheck.objects.get()
    assert response.status_code == 302 and check.husband == couple.husband
    assert check.risk_factors == ["advanced_age", "anemia"]
    # Another township cannot find her: the refusal names the field, nothing is written.
    refused = other_client.post("/health/checks/new/", {**form, "checked_on": "2025-01-01"})
    assert refused.status_code == 200
    assert "所选村(居)不存在或不在您的管辖范围内" in refused.text
    assert PrePregnancyCheck.objects.count() == 1


def test_the_check_form_shows_the_service_refusal_on_its_field(clerk_client, couple):
    response = clerk_client.post(
        "/health/checks/new/",
        {
            "wife_id_number": couple.wife.id_number,
            "checked_on": today().isoformat(),
            "facility": "医院",
            "risk_level": "high",
        },
    )
    assert "高风险须选择至少一项风险因素" in response.text
    assert not PrePregnancyCheck.objects.exists()


def test_a_village_worker_cannot_record_checks(village_client):
    assert village_client.get("/health/checks/new/").status_code == 403


@pytest.mark.jurisdiction("health:check_export")
def test_the_check_export_holds_only_the_users_records_masked(
    clerk_client, county_admin, check, other_check, couple
):
    response = clerk_client.get("/health/checks/export/")
    rows = _sheet(response)
    assert len(rows) == 2 and rows[1][2] == "王芳"
    assert couple.wife.id_number not in str(rows) and "*" in rows[1][3]
    row = AuditEntry.objects.get(action="health.check.exported")
    assert row.detail["rows"] == 1
    full = _sheet(client_for(county_admin).get("/health/checks/export/?full_ids=1"))
    assert couple.wife.id_number in str(full) and len(full) == 3


# --- the worklist and the follow-up form --------------------------------------------


@pytest.mark.jurisdiction("health:worklist")
def test_the_worklist_shows_the_villages_follow_ups_due(
    village_client, other_client, check, other_check
):
    response = village_client.get("/health/followups/")
    assert response.status_code == 200
    assert "王芳" in response.text and "赵敏" not in response.text
    kinds = [f.kind for f in response.context["page_obj"]]
    assert kinds == ["early"]  # the outcome follow-up is not open yet
    assert "王芳" not in other_client.get("/health/followups/").text
    assert AuditEntry.objects.filter(action="health.followup.listed").exists()


def test_the_worklist_shows_overdue_and_done(village_client, village_worker, check):
    early = check.followups.get(kind="early")
    FollowUp.objects.filter(pk=early.pk).update(due_on=today() - timedelta(days=1))
    assert "逾期" in village_client.get("/health/followups/?state=overdue").text
    assert "王芳" not in village_client.get("/health/followups/?state=due").text
    assert "王芳" not in village_client.get("/health/followups/?state=done").text


def test_the_worklist_query_count_does_not_grow(village_client, township_clerk):
    _add_checks(township_clerk, 1, days_ago=40)
    few = _queries(village_client, "/health/followups/")
    _add_checks(township_clerk, 12, days_ago=41)
    assert _queries(village_client, "/health/followups/") == few


@pytest.mark.jurisdiction("health:followup_detail")
def test_a_village_worker_closes_a_follow_up(village_client, other_client, check):
    early = check.followups.get(kind="early")
    url = f"/health/followups/{early.pk}/"
    assert other_client.get(url).status_code == 404
    page = village_client.get(url)
    assert page.status_code == 200 and "已怀孕" in page.text
    assert AuditEntry.objects.filter(action="health.followup.viewed").count() == 1
    response = village_client.post(url, {"result": "pregnant", "done_on": today().isoformat()})
    assert response.status_code == 302
    early.refresh_from_db()
    assert early.status == FollowUpStatus.DONE and early.result == "pregnant"
    again = village_client.post(url, {"result": "pregnant", "done_on": today().isoformat()})
    assert again.status_code == 302
    assert AuditEntry.objects.filter(action="health.followup.recorded").count() == 1


def test_the_follow_up_form_refuses_a_result_of_the_other_kind(village_client, check):
    early = check.followups.get(kind="early")
    response = village_client.post(
        f"/health/followups/{early.pk}/", {"result": "live_birth", "done_on": today().isoformat()}
    )
    assert response.status_code == 200 and "随访结果选项无效" in response.text


def test_an_auditor_sees_a_follow_up_but_cannot_record_it(auditor, check):
    early = check.followups.get(kind="early")
    client = client_for(auditor)
    assert "保存随访结果" not in client.get(f"/health/followups/{early.pk}/").text
    client.post(f"/health/followups/{early.pk}/", {"result": "pregnant", "done_on": "2026-01-01"})
    early.refresh_from_db()
    assert early.status == FollowUpStatus.OPEN


@pytest.mark.jurisdiction("health:worklist_export")
def test_the_worklist_export(village_client, check, other_check):
    rows = _sheet(village_client.get("/health/followups/export/"))
    assert len(rows) == 2 and rows[1][2] == "王芳"
    assert AuditEntry.objects.get(action="health.followup.exported").detail["rows"] == 1


# --- folic acid ----------------------------------------------------------------------


@pytest.mark.jurisdiction("health:folic_list")
def test_the_folic_list_shows_only_the_users_records(village_client, issue, other_issue):
    response = village_client.get("/health/folic/")
    assert "王芳" in response.text and "赵敏" not in response.text
    assert AuditEntry.objects.filter(action="health.folic_issue.listed").exists()


@pytest.mark.jurisdiction("health:folic_export")
def test_the_folic_export(village_client, issue, other_issue):
    rows = _sheet(village_client.get("/health/folic/export/"))
    assert len(rows) == 2 and rows[1][2] == "王芳"
    assert AuditEntry.objects.get(action="health.folic_issue.exported").detail["rows"] == 1


@pytest.mark.jurisdiction("health:folic_create")
def test_a_village_worker_records_folic_acid(village_client, other_client, couple):
    form = {
        "woman_id_number": couple.wife.id_number,
        "issued_on": today().isoformat(),
        "quantity": "2",
        "quantity_unit": "bottle",
    }
    assert village_client.post("/health/folic/new/", form).status_code == 302
    refused = other_client.post("/health/folic/new/", form)
    assert "服用人身份证号在人口库中不存在或不在您的管辖范围内" in refused.text


@pytest.mark.jurisdiction("health:folic_detail")
def test_a_folic_issue_page_is_audited_and_takes_a_follow_up(village_client, other_client, issue):
    url = f"/health/folic/{issue.pk}/"
    assert other_client.get(url).status_code == 404
    assert village_client.get(url).status_code == 200
    assert AuditEntry.objects.filter(action="health.folic_issue.viewed").count() == 1
    response = village_client.post(
        url,
        {"visited_on": today().isoformat(), "aware": "1", "taking": "0", "compliant": "1"},
    )
    assert "未服用叶酸，不能登记为按要求服用" in response.text
    ok = village_client.post(
        url,
        {"visited_on": today().isoformat(), "aware": "1", "taking": "1", "compliant": "1"},
    )
    assert ok.status_code == 302 and FolicAcidFollowUp.objects.count() == 1


@pytest.mark.jurisdiction("health:folic_rates")
def test_the_rates_count_only_the_users_jurisdiction(
    clerk_client, village_worker, other_clerk, issue, other_issue
):
    for aware, taking, compliant in [
        (True, True, True),
        (True, True, False),
        (False, False, False),
    ]:
        folic_followup_record(
            actor=village_worker,
            issue=issue,
            visited_on=today(),
            aware=aware,
            taking=taking,
            compliant=compliant,
        )
    folic_followup_record(
        actor=other_clerk,
        issue=other_issue,
        visited_on=today(),
        aware=False,
        taking=False,
        compliant=False,
    )
    response = clerk_client.get("/health/folic/rates/")
    rows = response.context["rows"]
    assert [(r.unit.code, r.visits, r.aware, r.taking, r.compliant) for r in rows] == [
        ("620422100", 3, 2, 2, 1)
    ]
    assert round(rows[0].awareness, 1) == 66.7 and rows[0].compliance == 50.0
    villages = clerk_client.get("/health/folic/rates/?level=village").context["rows"]
    assert [r.unit.code for r in villages] == [VILLAGE]


# --- targets -------------------------------------------------------------------------


@pytest.mark.jurisdiction("health:targets")
def test_the_targets_page_shows_the_users_townships(clerk_client, county_client, check):
    CheckTarget.objects.create(year=today().year, township_id="620422100", target=200)
    CheckTarget.objects.create(year=today().year, township_id="620422101", target=100)
    response = clerk_client.get("/health/targets/")
    rows = response.context["rows"]
    assert [(r.township.code, r.target, r.done) for r in rows] == [("620422100", 200, 1)]
    assert rows[0].rate == 0.5
    assert len(county_client.get("/health/targets/").context["rows"]) == 2


@pytest.mark.jurisdiction("health:targets_split")
def test_only_the_county_splits_the_target(county_client, clerk_client, couple):
    assert clerk_client.post("/health/targets/split/", {"total": "3047"}).status_code == 403
    response = county_client.post("/health/targets/split/", {"total": "3047"})
    assert response.status_code == 302
    assert CheckTarget.objects.get(township_id="620422100").target == 3047


@pytest.mark.jurisdiction("health:target_set")
def test_the_county_edits_a_townships_target(county_admin, county_client, clerk_client):
    assert (
        clerk_client.post(
            "/health/targets/set/", {"township": "620422100", "target": "5"}
        ).status_code
        == 403
    )
    county_client.post("/health/targets/set/", {"township": "620422101", "target": "120"})
    assert CheckTarget.objects.get(township_id="620422101").target == 120
    # A township outside the county's code is refused, nothing written.
    county_client.post("/health/targets/set/", {"township": "620423100", "target": "1"})
    assert CheckTarget.objects.count() == 1


def test_a_village_sees_no_township_coverage(village_client, check):
    CheckTarget.objects.create(year=today().year, township_id="620422100", target=200)
    response = village_client.get("/health/targets/")
    assert response.context["rows"] == [] and "村(居)没有单独的目标" in response.text


@pytest.mark.jurisdiction("health:folic_rates_export")
def test_the_rates_export_holds_only_the_users_units(
    clerk_client, village_worker, other_clerk, issue, other_issue
):
    for actor, record in ((village_worker, issue), (other_clerk, other_issue)):
        folic_followup_record(
            actor=actor, issue=record, visited_on=today(), aware=True, taking=True,
            compliant=True,
        )  # fmt: skip
    rows = _sheet(clerk_client.get("/health/folic/rates/export/"))
    assert [r[0] for r in rows[1:]] == ["620422100"] and rows[1][6] == 100.0
    assert AuditEntry.objects.get(action="health.rates.exported").detail["rows"] == 1


@pytest.mark.jurisdiction("health:targets_export")
def test_the_coverage_export_holds_only_the_users_townships(clerk_client, county_client, check):
    CheckTarget.objects.create(year=today().year, township_id="620422100", target=200)
    rows = _sheet(clerk_client.get("/health/targets/export/"))
    assert rows[1][:4] == ["620422100", "会师镇", 200, 1] and len(rows) == 2
    assert len(_sheet(county_client.get("/health/targets/export/"))) == 3
    assert AuditEntry.objects.filter(action="health.coverage.exported").count() == 2
