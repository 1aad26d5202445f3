"""The township's and the county's view of hospital deliveries: by the mother's village,
whichever facility reported them; filters, paging, export, audit."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from python_calamine import CalamineWorkbook

from famplan.audit.models import AuditEntry
from famplan.common.dates import today
from famplan.deliveries.models import Via
from famplan.deliveries.services import deliveries_record
from tests.deliveries.conftest import data
from tests.registry.factories import person


def _report(hospital, items) -> None:
    deliveries_record(
        actor=hospital.facility.account, facility=hospital.facility, via=Via.API, items=items
    )


@pytest.fixture
def reported(hospital, clinic, mother, other_mother):
    """The county hospital reports a 会师镇 mother and a 郭城驿镇 mother; the 会师镇 clinic
    reports another 会师镇 mother."""
    _report(hospital, [data(mother, "H1"), data(other_mother, "H2")])
    third = person(hospital.facility.account, name="周丽", sex="F", born=date(1993, 3, 3))
    _report(clinic, [data(third, "C1", delivered_on=(today() - timedelta(days=20)).isoformat())])
    return {"mother": mother, "other": other_mother, "third": third}


def _ids(response) -> list[str]:
    return sorted(d.record_id for d in response.context["page_obj"])


@pytest.mark.jurisdiction("deliveries:area_list")
def test_it_lists_the_deliveries_of_the_jurisdictions_mothers_from_every_facility(
    clerk_client, other_client, county_client, reported
):
    page = clerk_client.get("/deliveries/area/")
    assert page.status_code == 200
    assert _ids(page) == ["C1", "H1"]  # 会师镇's mothers, both facilities
    assert "会宁县人民医院" in page.content.decode() and "会师镇卫生院" in page.content.decode()
    assert _ids(other_client.get("/deliveries/area/")) == ["H2"]
    assert _ids(county_client.get("/deliveries/area/")) == ["C1", "H1", "H2"]
    assert reported["other"].name not in page.content.decode()
    entries = AuditEntry.objects.filter(action="deliveries.area.listed")
    assert entries.count() == 3 and entries.first().detail["page"] == 1


def test_it_filters_by_village_facility_date_and_search(clerk_client, hospital, reported):
    assert _ids(clerk_client.get("/deliveries/area/", {"facility": hospital.facility.pk})) == ["H1"]
    since = (today() - timedelta(days=5)).isoformat()
    assert _ids(clerk_client.get("/deliveries/area/", {"date_from": since})) == ["H1"]
    assert _ids(clerk_client.get("/deliveries/area/", {"q": "周丽"})) == ["C1"]
    assert _ids(clerk_client.get("/deliveries/area/", {"unit": "620422100001"})) == ["C1", "H1"]
    # A village of another township is not a choice: a clear message, no rows.
    refused = clerk_client.get("/deliveries/area/", {"unit": "620422101201"})
    assert "不在您的管辖范围内" in refused.content.decode() and _ids(refused) == []
    bad = clerk_client.get("/deliveries/area/", {"date_from": "2026-02-30"})
    assert _ids(bad) == []


def test_it_refuses_users_without_the_capability(facility_client, village_client, units):
    assert facility_client.get("/deliveries/area/").status_code == 403
    assert village_client.get("/deliveries/area/").status_code == 403
    assert village_client.get("/deliveries/area/export/").status_code == 403


def test_the_list_reads_a_fixed_number_of_queries(
    clerk_client, hospital, mother, township_clerk, django_assert_max_num_queries
):
    def count() -> int:
        with django_assert_max_num_queries(16) as ctx:
            assert clerk_client.get("/deliveries/area/").status_code == 200
        return len(ctx.captured_queries)

    _report(hospital, [data(mother, "R0")])
    one = count()
    more = [
        person(township_clerk, name=f"钱{i}", sex="F", born=date(1991, 1, 1 + i)) for i in range(4)
    ]
    _report(hospital, [data(m, f"R{i + 1}") for i, m in enumerate(more)])
    assert count() == one


def test_it_pages_the_list(clerk_client, hospital, township_clerk, monkeypatch):
    monkeypatch.setattr("famplan.deliveries.area_views.PER_PAGE", 2)
    mothers = [
        person(township_clerk, name=f"吴{i}", sex="F", born=date(1992, 2, 1 + i)) for i in range(3)
    ]
    _report(hospital, [data(m, f"P{i}") for i, m in enumerate(mothers)])
    first = clerk_client.get("/deliveries/area/")
    assert len(first.context["page_obj"].object_list) == 2
    second = clerk_client.get("/deliveries/area/", {"page": 2})
    assert len(second.context["page_obj"].object_list) == 1


@pytest.mark.jurisdiction("deliveries:area_export")
def test_it_exports_what_the_list_shows_masked_unless_unmasked_by_the_county(
    clerk_client, other_client, county_client, reported
):
    response = clerk_client.get("/deliveries/area/export/")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    rows = rows.to_python()
    assert rows[0][-1] == "分娩机构"
    assert sorted(r[0] for r in rows[1:]) == ["C1", "H1"]
    assert all("*" in r[3] for r in rows[1:])
    # A full-ID request from a user without the unmask right is still masked.
    masked = clerk_client.get("/deliveries/area/export/", {"full_ids": "1"})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(masked.content)).get_sheet_by_index(0)
    assert all("*" in r[3] for r in sheet.to_python()[1:])
    full = county_client.get("/deliveries/area/export/", {"full_ids": "1", "q": "H2"})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(full.content)).get_sheet_by_index(0)
    assert sheet.to_python()[1][3] == reported["other"].id_number
    other = other_client.get("/deliveries/area/export/")
    other_rows = CalamineWorkbook.from_filelike(io.BytesIO(other.content)).get_sheet_by_index(0)
    assert [r[0] for r in other_rows.to_python()[1:]] == ["H2"]
    entries = AuditEntry.objects.filter(action="deliveries.area.exported").order_by("pk")
    assert [e.detail["rows"] for e in entries] == [2, 2, 1, 1]
    assert [e.detail["full_ids"] for e in entries] == [False, False, True, False]
