"""Supplies pages: every URL cut to the jurisdiction, 403 without the capability, the
audit rows of service requests and exports, and list query counts that do not grow."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from famplan.audit.models import AuditEntry
from famplan.common.dates import today
from famplan.supplies.models import Direction, PlaceKind, ServiceRequest, StockMovement
from famplan.supplies.services import request_record
from tests.conftest import client_for
from tests.registry.factories import person
from tests.supplies.conftest import VILLAGE, deliver, kind, make_point, stock_fully

pytestmark = pytest.mark.django_db


def _xlsx_rows(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


@pytest.mark.jurisdiction("supplies:point_list")
def test_it_lists_only_the_points_of_the_jurisdiction(
    clerk_client, other_client, village_client, points, township_clerk,
    django_assert_max_num_queries,
):  # fmt: skip
    stock_fully(township_clerk, points.clinic)
    with django_assert_max_num_queries(12):
        page = clerk_client.get("/supplies/")
    assert {r["point"] for r in page.context["rows"]} == {
        points.clinic,
        points.centre,
        points.second,
    }
    assert [r["point"] for r in other_client.get("/supplies/").context["rows"]] == [points.other]
    mine = {r["point"] for r in village_client.get("/supplies/").context["rows"]}
    assert mine == {points.clinic, points.centre}
    stocked = clerk_client.get("/supplies/?has_stock=1").context["rows"]
    assert [r["point"] for r in stocked] == [points.clinic]
    assert stocked[0]["stocked"]


def test_the_list_query_count_does_not_grow_with_the_points(
    clerk_client, points, township_clerk, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12) as few:
        clerk_client.get("/supplies/?active=all")
    for n in range(15):
        stock_fully(township_clerk, make_point(VILLAGE, f"自助发放机{n}", PlaceKind.MACHINE))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = clerk_client.get("/supplies/?active=all")
    assert len(page.context["rows"]) == 18


def test_it_refuses_the_list_to_a_facility(facility_user):
    assert client_for(facility_user).get("/supplies/").status_code == 403


@pytest.mark.jurisdiction("supplies:point_export")
def test_it_exports_the_points_of_the_jurisdiction(clerk_client, points, township_clerk):
    deliver(township_clerk, points.clinic, "condom_male", 40)
    rows = _xlsx_rows(clerk_client.get("/supplies/export/"))
    assert rows[0][:3] == ("乡镇", "村(居)", "发放点")
    assert {r[2] for r in rows[1:]} == {"东关社区卫生室", "会师镇计生服务站", "南嘴村卫生室"}
    clinic = next(r for r in rows if r[2] == "东关社区卫生室")
    assert clinic[7] == 40  # the first kind shown: 男用避孕套
    entry = AuditEntry.objects.get(action="supplies.point.exported")
    assert entry.detail["rows"] == 3


@pytest.mark.jurisdiction("supplies:point_detail")
def test_it_shows_a_point_with_its_stock_only_inside_the_jurisdiction(
    village_client, other_client, points, township_clerk
):
    deliver(township_clerk, points.clinic, "oral_pill", 12)
    page = village_client.get(f"/supplies/points/{points.clinic.pk}/")
    assert page.status_code == 200
    assert dict((k.code, n) for k, n in page.context["stock"])["oral_pill"] == 12
    assert page.context["months"][0].delivered[1] == 12 or today().day <= 10
    assert other_client.get(f"/supplies/points/{points.clinic.pk}/").status_code == 404
    assert village_client.get(f"/supplies/points/{points.second.pk}/").status_code == 404


@pytest.mark.jurisdiction("supplies:point_create")
def test_a_clerk_creates_a_point_in_the_township_only(clerk_client, other_client, units):
    data = {
        "unit": VILLAGE, "name": "东关药店", "place_kind": PlaceKind.PHARMACY,
        "opened_on": today().isoformat(), "address": "",
    }  # fmt: skip
    response = clerk_client.post("/supplies/points/new/", data)
    assert response.status_code == 302
    refused = other_client.post("/supplies/points/new/", {**data, "name": "别处药店"})
    assert refused.status_code == 200
    assert "不在您的管辖范围内" in refused.content.decode()
    assert AuditEntry.objects.filter(action="supplies.point.created").count() == 1


def test_a_village_worker_does_not_create_points(village_client, units):
    assert village_client.get("/supplies/points/new/").status_code == 403


@pytest.mark.jurisdiction("supplies:point_edit")
def test_a_clerk_closes_a_point_of_the_township_only(clerk_client, other_client, points):
    point = points.second
    data = {
        "unit": point.unit_id, "name": point.name, "place_kind": point.place_kind,
        "opened_on": point.opened_on.isoformat(), "closed_on": today().isoformat(),
        "address": "", "version": point.version,
    }  # fmt: skip
    assert other_client.get(f"/supplies/points/{point.pk}/edit/").status_code == 404
    assert other_client.post(f"/supplies/points/{point.pk}/edit/", data).status_code == 404
    assert clerk_client.post(f"/supplies/points/{point.pk}/edit/", data).status_code == 302
    point.refresh_from_db()
    assert point.closed_on == today()
    stale = clerk_client.post(f"/supplies/points/{point.pk}/edit/", data)
    assert "已被他人修改" in stale.content.decode()


@pytest.mark.jurisdiction("supplies:delivery_create")
def test_a_village_worker_enters_deliveries_for_her_villages_points(
    village_client, points, village_worker
):
    page = village_client.get(f"/supplies/deliveries/new/?point={points.clinic.pk}")
    choices = set(page.context["form"].fields["point"].queryset)
    assert choices == {points.clinic}  # not the township's centre, not 南嘴村
    data = {
        "point": points.clinic.pk, "kind": kind("condom_male").pk,
        "moved_on": today().isoformat(), "quantity": "100",
    }  # fmt: skip
    response = village_client.post("/supplies/deliveries/new/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/supplies/points/{points.clinic.pk}/"
    refused = village_client.post("/supplies/deliveries/new/", {**data, "point": points.second.pk})
    assert "所选发放点不存在或不在您的录入范围内" in refused.content.decode()
    assert StockMovement.objects.get().entered_by == village_worker


@pytest.mark.jurisdiction("supplies:issue_create")
def test_an_issue_beyond_the_stock_is_refused_on_the_form(village_client, other_client, points):
    data = {
        "point": points.clinic.pk, "kind": kind("emergency_pill").pk,
        "moved_on": today().isoformat(), "quantity": "3",
    }  # fmt: skip
    refused = village_client.post("/supplies/issues/new/", data)
    assert refused.status_code == 200
    assert "东关社区卫生室的紧急避孕药库存不足" in refused.content.decode()
    assert not StockMovement.objects.exists()
    assert other_client.post("/supplies/issues/new/", data).status_code == 200
    assert not StockMovement.objects.exists()


def test_the_monthly_box_records_the_months_total(clerk_client, points, township_clerk):
    last = today().replace(day=1) - timedelta(days=1)
    deliver(township_clerk, points.clinic, "condom_male", 50, on=last.replace(day=1))
    data = {
        "point": points.clinic.pk, "kind": kind("condom_male").pk,
        "moved_on": last.replace(day=3).isoformat(), "quantity": "20", "monthly": "on",
    }  # fmt: skip
    assert clerk_client.post("/supplies/issues/new/", data).status_code == 302
    issue = StockMovement.objects.get(direction=Direction.ISSUE)
    assert issue.monthly and issue.moved_on == last


def test_an_auditor_sees_but_does_not_enter(auditor, points):
    client = client_for(auditor)
    assert client.get("/supplies/").status_code == 200
    assert client.get("/supplies/issues/new/").status_code == 403


@pytest.mark.jurisdiction("supplies:report")
def test_the_report_covers_only_units_in_the_jurisdiction(
    clerk_client, other_client, points, township_clerk, django_assert_max_num_queries
):
    stock_fully(township_clerk, points.clinic)
    with django_assert_max_num_queries(12):
        page = clerk_client.get(f"/supplies/report/?unit=620422100&month={today():%Y-%m}")
    report = page.context["report"]
    assert [r.name for r in report.rows] == ["东关社区", "南嘴村"]
    assert report.total.points_active == 3 and report.total.points_stocked == 1
    assert other_client.get("/supplies/report/?unit=620422100").status_code == 200
    assert other_client.get("/supplies/report/?unit=620422100").context["report"] is None
    default = clerk_client.get("/supplies/report/").context["report"]
    assert default.unit.code == "620422100"


@pytest.mark.jurisdiction("supplies:report_export")
def test_it_exports_the_report(clerk_client, other_client, points, township_clerk):
    stock_fully(township_clerk, points.clinic)
    response = clerk_client.get(f"/supplies/report/export/?unit=620422100&month={today():%Y-%m}")
    rows = _xlsx_rows(response)
    assert rows[0][0] == "单位" and rows[0][-1] == "药具可及率(%)"
    assert [r[0] for r in rows[1:]] == ["东关社区", "南嘴村", "会师镇合计"]
    assert rows[-1][-1] == pytest.approx(33.3)
    entry = AuditEntry.objects.get(action="supplies.report.exported")
    assert entry.detail["unit"] == "620422100" and entry.detail["rows"] == 3
    refused = other_client.get("/supplies/report/export/?unit=620422100")
    assert refused.status_code == 302  # back to the form, which names the bad choice


@pytest.mark.jurisdiction("supplies:kind_list")
def test_the_county_adds_a_kind_and_others_only_read(county_client, clerk_client):
    data = {"code": "ring", "name": "宫内节育器", "unit": "个", "order": "60"}
    assert clerk_client.post("/supplies/kinds/", data).status_code == 403
    assert clerk_client.get("/supplies/kinds/").status_code == 200
    assert county_client.post("/supplies/kinds/", data).status_code == 302
    assert AuditEntry.objects.filter(action="supplies.kind.created").count() == 1


@pytest.mark.jurisdiction("supplies:kind_edit")
def test_only_the_county_edits_a_kind(county_client, clerk_client, units):
    pill = kind("oral_pill")
    data = {"name": pill.name, "unit": "盒", "essential": "on", "active": "on", "order": "20"}
    assert clerk_client.post(f"/supplies/kinds/{pill.pk}/", data).status_code == 403
    assert county_client.post(f"/supplies/kinds/{pill.pk}/", data).status_code == 302
    pill.refresh_from_db()
    assert pill.unit == "盒"


@pytest.fixture
def woman(township_clerk):
    return person(township_clerk, name="王芳", sex="F", born=date(1994, 5, 6), unit=VILLAGE)


@pytest.mark.jurisdiction("supplies:request_create")
def test_a_worker_records_a_request_the_person_made(village_client, other_client, woman):
    data = {
        "id_number": woman.id_number, "requested_on": today().isoformat(),
        "asked": "咨询紧急避孕", "given": "讲解并发放紧急避孕药",
    }  # fmt: skip
    refused = other_client.post("/supplies/requests/new/", data)
    assert "不存在或不在您的管辖范围内" in refused.content.decode()
    response = village_client.post("/supplies/requests/new/", data)
    record = ServiceRequest.objects.get()
    assert response["Location"] == f"/supplies/requests/{record.pk}/"
    assert record.unit_id == VILLAGE and record.person == woman
    assert AuditEntry.objects.filter(action="supplies.request.recorded").count() == 1


@pytest.mark.jurisdiction("supplies:request_detail", "supplies:request_list")
def test_a_request_is_read_only_inside_the_jurisdiction_and_audited(
    village_client, other_client, woman, township_clerk, auditor
):
    record = request_record(
        actor=township_clerk, person=woman, requested_on=today(), asked="领取避孕套"
    )
    assert village_client.get(f"/supplies/requests/{record.pk}/").status_code == 200
    viewed = AuditEntry.objects.get(action="supplies.request.viewed")
    assert viewed.target_id == str(record.pk)
    assert other_client.get(f"/supplies/requests/{record.pk}/").status_code == 404
    assert list(village_client.get("/supplies/requests/").context["page_obj"]) == [record]
    assert list(other_client.get("/supplies/requests/").context["page_obj"]) == []
    assert AuditEntry.objects.filter(action="supplies.request.listed").count() == 2
    assert client_for(auditor).get("/supplies/requests/").status_code == 403


@pytest.mark.jurisdiction("supplies:request_export")
def test_it_exports_the_requests_of_the_jurisdiction_with_an_audit_row(
    clerk_client, other_client, woman, township_clerk
):
    request_record(actor=township_clerk, person=woman, requested_on=today(), asked="咨询避孕方法")
    rows = _xlsx_rows(clerk_client.get("/supplies/requests/export/"))
    assert rows[0] == ("日期", "服务对象", "村(居)", "咨询或需求", "提供的服务", "发放点")
    assert [r[1] for r in rows[1:]] == ["王芳"]
    assert woman.id_number not in str(rows)
    assert AuditEntry.objects.get(action="supplies.request.exported").detail["rows"] == 1
    assert len(_xlsx_rows(other_client.get("/supplies/requests/export/"))) == 1  # header only


def test_the_request_list_filters_by_date(village_client, woman, township_clerk):
    old = request_record(
        actor=township_clerk, person=woman, requested_on=date(2025, 1, 5), asked="咨询"
    )
    request_record(actor=township_clerk, person=woman, requested_on=today(), asked="领取")
    page = village_client.get("/supplies/requests/?date_to=2025-12-31")
    assert list(page.context["page_obj"]) == [old]
    bad = village_client.get("/supplies/requests/?date_from=2026-01-01&date_to=2025-01-01")
    assert list(bad.context["page_obj"]) == []
    assert "日期至不能早于日期自" in bad.content.decode()


@pytest.mark.jurisdiction("supplies:movement_void")
def test_a_worker_takes_back_her_own_villages_entry_only(
    village_client, other_client, points, township_clerk
):
    mine = deliver(township_clerk, points.clinic, "condom_male", 10)
    centre = deliver(township_clerk, points.centre, "condom_male", 10)
    url = f"/supplies/movements/{mine.pk}/void/"
    assert other_client.get(url).status_code == 404
    assert other_client.post(url, {"reason": "错"}).status_code == 404
    assert village_client.get(f"/supplies/movements/{centre.pk}/void/").status_code == 403
    assert "请填写撤销原因" in village_client.post(url, {"reason": ""}).content.decode()
    response = village_client.post(url, {"reason": "重复登记"})
    assert response["Location"] == f"/supplies/points/{points.clinic.pk}/"
    assert list(StockMovement.objects.all()) == [centre]


def test_the_export_and_the_request_list_take_the_same_queries_for_more_rows(
    clerk_client, points, township_clerk, woman, django_assert_max_num_queries
):
    request_record(actor=township_clerk, person=woman, requested_on=today(), asked="咨询")
    with django_assert_max_num_queries(30) as few_export:
        clerk_client.get("/supplies/export/")
    with django_assert_max_num_queries(30) as few_list:
        clerk_client.get("/supplies/requests/")
    for n in range(10):
        stock_fully(township_clerk, make_point(VILLAGE, f"药店{n}", PlaceKind.PHARMACY))
        request_record(actor=township_clerk, person=woman, requested_on=today(), asked="咨询")
    with django_assert_max_num_queries(len(few_export.captured_queries)):
        rows = _xlsx_rows(clerk_client.get("/supplies/export/"))
    assert len(rows) == 1 + 13
    with django_assert_max_num_queries(len(few_list.captured_queries)):
        page = clerk_client.get("/supplies/requests/")
    assert len(page.context["page_obj"]) == 11
