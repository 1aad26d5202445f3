"""The facility's delivery pages and the county admin's facility and token pages."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from python_calamine import CalamineWorkbook

from famplan.audit.models import AuditEntry
from famplan.common.dates import today
from famplan.deliveries.models import DeliveryRecord, FacilityToken, Via
from famplan.deliveries.services import deliveries_record, token_authenticate
from famplan.registry.models import Birth
from tests.conftest import client_for
from tests.deliveries.conftest import data, delivery
from tests.registry.factories import person


def form_values(mother, record_id="ZY0001", **overrides) -> dict:
    values = delivery(mother, record_id, **overrides)
    return {k: "" if v is None else str(v) for k, v in values.items()}


@pytest.mark.jurisdiction("deliveries:create")
def test_it_records_a_delivery_from_the_facility_form(
    facility_client, hospital, mother, facility_user, other_mother
):
    page = facility_client.get("/deliveries/new/")
    assert page.status_code == 200 and "会宁县人民医院" in page.content.decode()
    done = facility_client.post("/deliveries/new/", form_values(mother))
    assert done.status_code == 302
    record = DeliveryRecord.objects.get()
    assert (record.via, record.entered_by, record.birth.entered_by) == (
        Via.FORM,
        facility_user,
        facility_user,
    )
    # Refusals land on their fields, every one of them, and nothing is written.
    bad = facility_client.post(
        "/deliveries/new/",
        form_values(mother, "ZY0002", weight_g=100, delivered_on=date(2030, 1, 1).isoformat()),
    )
    errors = bad.context["form"].errors
    assert errors["weight_g"] == ["出生体重应在300至7000克之间"]
    assert errors["delivered_on"] == ["出生日期不能晚于今天"]
    assert DeliveryRecord.objects.count() == 1


def test_it_refuses_the_form_to_users_without_a_facility(village_client, units):
    assert village_client.get("/deliveries/new/").status_code == 403
    nurse = client_for(__import__("tests.conftest", fromlist=["make_user"]).make_user(
        "lonely", "620422", "facility"))  # fmt: skip
    assert nurse.get("/deliveries/new/").status_code == 403
    assert "尚未关联医疗卫生机构" in nurse.get("/deliveries/").content.decode()


@pytest.mark.jurisdiction("deliveries:list")
def test_it_lists_only_the_facilitys_deliveries_with_filters_and_paging(
    facility_client, hospital, mother, township_clerk, other_facility_user, county_admin,
    django_assert_max_num_queries,
):  # fmt: skip
    mothers = [mother] + [
        person(township_clerk, name=f"孙{i}", sex="F", born=date(1990, 1, 1 + i)) for i in range(5)
    ]

    def add(batch):
        deliveries_record(
            actor=hospital.facility.account, facility=hospital.facility, via=Via.API,
            items=[data(m, f"R{i}", delivered_on=(today() - timedelta(days=i)).isoformat())
                   for i, m in batch],
        )  # fmt: skip

    add(list(enumerate(mothers))[:1])
    with django_assert_max_num_queries(13):
        facility_client.get("/deliveries/")
    add(list(enumerate(mothers))[1:])
    with django_assert_max_num_queries(13):  # as many for 6 rows as for 1
        page = facility_client.get("/deliveries/")
    assert len(page.context["page_obj"].object_list) == 6
    filtered = facility_client.get("/deliveries/", {"q": "R3"})
    assert [d.record_id for d in filtered.context["page_obj"]] == ["R3"]
    since = facility_client.get("/deliveries/", {"date_from": (today() - timedelta(days=1))})
    assert {d.record_id for d in since.context["page_obj"]} == {"R0", "R1"}
    # Another facility's user sees none of them.
    other = client_for(other_facility_user).get("/deliveries/")
    assert list(other.context["page_obj"]) == []
    assert AuditEntry.objects.filter(action="deliveries.delivery.listed").count() == 5


@pytest.mark.jurisdiction("deliveries:export")
def test_it_exports_the_list_with_masked_ids(
    facility_client, hospital, mother, other_facility_user
):
    deliveries_record(actor=hospital.facility.account, facility=hospital.facility,
                      via=Via.API, items=[data(mother)])  # fmt: skip
    response = facility_client.get("/deliveries/export/")
    assert response["Content-Disposition"].startswith("attachment")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert rows[0][0] == "机构病案号" and rows[1][0] == "ZY0001"
    assert rows[1][3] != mother.id_number and "*" in rows[1][3]
    entry = AuditEntry.objects.get(action="deliveries.delivery.exported")
    assert entry.detail["rows"] == 1
    other = client_for(other_facility_user).get("/deliveries/export/")
    other_rows = CalamineWorkbook.from_filelike(io.BytesIO(other.content)).get_sheet_by_index(0)
    assert len(other_rows.to_python()) == 1


@pytest.mark.jurisdiction("deliveries:facility_list")
def test_it_lets_a_county_admin_add_facilities(county_client, other_client, hospital):
    page = county_client.get("/deliveries/facilities/")
    assert "会宁县人民医院" in page.content.decode()
    added = county_client.post(
        "/deliveries/facilities/", {"code": "H2", "name": "会宁县妇幼保健院", "unit": "620422"}
    )
    assert added.status_code == 302
    same = county_client.post(
        "/deliveries/facilities/", {"code": "H2", "name": "重复", "unit": "620422"}
    )
    assert same.context["form"].errors["code"] == ["机构代码H2已存在"]
    # Township clerks manage no facilities.
    assert other_client.get("/deliveries/facilities/").status_code == 403


@pytest.mark.jurisdiction("deliveries:facility_detail")
def test_it_shows_a_facility_inside_the_admins_jurisdiction_only(county_client, clinic, units):
    from famplan.accounts.roles import Role
    from tests.conftest import make_user

    assert county_client.get(f"/deliveries/facilities/{clinic.facility.pk}/").status_code == 200
    # An admin of another county (none of whose units this facility serves): a 404.
    from famplan.orgunits.models import Level, OrgUnit

    OrgUnit.objects.create(code="620421", name="靖远县", level=Level.COUNTY)
    elsewhere = client_for(make_user("jy_admin", "620421", Role.COUNTY_ADMIN))
    assert elsewhere.get(f"/deliveries/facilities/{clinic.facility.pk}/").status_code == 404


@pytest.mark.jurisdiction("deliveries:token_create")
@pytest.mark.jurisdiction("deliveries:token_revoke")
def test_it_shows_a_new_token_once_and_revokes_it(county_client, hospital, units):
    from famplan.accounts.roles import Role
    from famplan.orgunits.models import Level, OrgUnit
    from tests.conftest import make_user

    url = f"/deliveries/facilities/{hospital.facility.pk}/tokens/"
    response = county_client.post(url, {"name": "第二接口"})
    assert response["Cache-Control"].startswith("max-age=0")
    raw = response.context["new_token"][1]
    assert raw in response.content.decode()
    token = FacilityToken.objects.get(name="第二接口")
    assert token.digest != raw and raw not in str(token.__dict__)
    assert token_authenticate(raw) == token
    # Not shown again.
    assert (
        raw
        not in county_client.get(f"/deliveries/facilities/{hospital.facility.pk}/").content.decode()
    )
    OrgUnit.objects.create(code="620421", name="靖远县", level=Level.COUNTY)
    elsewhere = client_for(make_user("jy_admin", "620421", Role.COUNTY_ADMIN))
    assert elsewhere.post(url, {"name": "x"}).status_code == 404
    assert elsewhere.post(f"/deliveries/tokens/{token.pk}/revoke/").status_code == 404
    county_client.post(f"/deliveries/tokens/{token.pk}/revoke/")
    assert token_authenticate(raw) is None
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"deliveries.token.created", "deliveries.token.revoked"} <= actions


@pytest.mark.jurisdiction("deliveries:member_add")
def test_it_adds_facility_users_of_the_jurisdiction(county_client, clinic, units):
    from famplan.accounts.roles import Role
    from tests.conftest import make_user

    make_user("midwife", "620422100", Role.FACILITY)
    make_user("clerk2", "620422100", Role.TOWNSHIP_CLERK)
    url = f"/deliveries/facilities/{clinic.facility.pk}/members/"
    assert county_client.post(url, {"username": "midwife"}).status_code == 302
    wrong = county_client.post(url, {"username": "clerk2"})
    assert wrong.context["member_form"].errors["username"] == ["未找到该用户名的医疗卫生机构用户"]
    again = county_client.post(url, {"username": "midwife"})
    assert again.context["member_form"].errors["username"] == ["用户midwife已属于一个机构"]
    assert clinic.facility.members.count() == 1
    assert Birth.objects.count() == 0
