"""Care pages: every URL cut to the jurisdiction (another township's records are a 404
or absent), 403 without the capability, the audit rows of reads and exports, list query
counts that do not grow with the rows, and exports read back."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from famplan.audit.models import AuditEntry
from famplan.care.models import Assignment, FamilyStatus, Help, SpecialFamily, TargetKind, Visit
from famplan.common.dates import today
from tests.conftest import client_for

from .conftest import OTHER, VILLAGE, bereaved, confirmed, contact, household, visit

pytestmark = pytest.mark.django_db


def _xlsx(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def _names(response) -> list[str]:
    return [f.name for f in response.context["page_obj"]]


@pytest.mark.jurisdiction("care:family_list")
def test_the_register_lists_only_the_jurisdiction_and_is_audited(
    clerk_client,
    other_client,
    village_client,
    family,
    other_family,
    township_clerk,
    django_assert_max_num_queries,
):
    second = confirmed(township_clerk, "620422100201", "李")
    assert set(_names(clerk_client.get("/care/"))) == {family.name, second.name}
    assert _names(other_client.get("/care/")) == [other_family.name]
    assert _names(village_client.get("/care/")) == [family.name]
    assert AuditEntry.objects.filter(action="care.family.listed").count() == 3
    SpecialFamily.objects.filter(pk=second.pk).update(needs=["medical", "emotional"])
    assert _names(clerk_client.get("/care/?need=medical")) == [second.name]
    assert _names(clerk_client.get("/care/?need=living")) == []
    contact(township_clerk, family)
    assert len(_names(clerk_client.get("/care/?no_contact=on"))) == 2  # one side only
    contact(township_clerk, family, side="township", name="周干部")
    assert _names(clerk_client.get("/care/?no_contact=on")) == [second.name]
    with django_assert_max_num_queries(14) as few:
        clerk_client.get("/care/")
    for n in range(6):
        f = confirmed(township_clerk, VILLAGE, f"王{n}")
        contact(township_clerk, f)
        visit(township_clerk, f)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = clerk_client.get("/care/")
    assert len(page.context["page_obj"]) == 8


def test_a_facility_gets_no_care_pages(facility_user):
    client = client_for(facility_user)
    for url in ("/care/", "/care/worklist/", "/care/assignments/", "/care/visits/"):
        assert client.get(url).status_code == 403


@pytest.mark.jurisdiction("care:family_export")
def test_it_exports_the_register_of_the_jurisdiction(
    clerk_client, family, other_family, township_clerk
):
    contact(township_clerk, family)
    visit(township_clerk, family)
    rows = _xlsx(clerk_client.get("/care/export/"))
    assert rows[0][:3] == ("乡镇", "村(居)", "家庭(父母姓名)")
    assert [r[2] for r in rows[1:]] == [family.name]
    assert rows[1][9] == "李医生" and rows[1][10] is not None
    entry = AuditEntry.objects.get(action="care.family.exported")
    assert entry.detail["rows"] == 1


@pytest.mark.jurisdiction("care:family_detail")
def test_a_family_page_is_audited_and_in_the_jurisdiction_only(
    village_client, other_client, family, auditor
):
    page = village_client.get(f"/care/families/{family.pk}/")
    assert page.status_code == 200 and family.name in page.content.decode()
    assert AuditEntry.objects.filter(action="care.family.viewed", target_id=str(family.pk)).exists()
    assert other_client.get(f"/care/families/{family.pk}/").status_code == 404
    assert client_for(auditor).get(f"/care/families/{family.pk}/").status_code == 200


@pytest.mark.jurisdiction("care:family_create")
def test_a_clerk_enters_a_family_by_hand_in_the_township_only(
    clerk_client, other_client, village_client
):
    data = {
        "unit": VILLAGE,
        "kind": "disabled",
        "name": "孙某、钱某",
        "phone": "13900000000",
        "needs": ["medical", "emotional"],
        "confirmed_on": today().isoformat(),
    }
    assert clerk_client.post("/care/families/new/", data).status_code == 302
    refused = other_client.post("/care/families/new/", data)
    assert refused.status_code == 200 and "不在您的管辖范围内" in refused.content.decode()
    assert village_client.get("/care/families/new/").status_code == 403
    family = SpecialFamily.objects.get()
    assert family.needs == ["medical", "emotional"]


@pytest.mark.jurisdiction("care:family_edit")
def test_a_clerk_edits_a_family_of_the_township_only(clerk_client, other_client, family):
    data = {
        "phone": "0943-1234567",
        "address": "东关街1号",
        "needs": ["living"],
        "needs_note": "",
        "version": family.version,
    }
    assert other_client.post(f"/care/families/{family.pk}/edit/", data).status_code == 404
    assert clerk_client.post(f"/care/families/{family.pk}/edit/", data).status_code == 302
    family.refresh_from_db()
    assert (family.phone, family.needs) == ("09431234567", ["living"])


@pytest.mark.jurisdiction("care:family_close")
def test_a_clerk_closes_a_family_of_the_township_only(clerk_client, other_client, family):
    data = {"reason": "父母均已去世", "day": today().isoformat()}
    assert other_client.post(f"/care/families/{family.pk}/close/", data).status_code == 404
    assert clerk_client.post(f"/care/families/{family.pk}/close/", data).status_code == 302
    family.refresh_from_db()
    assert family.status == FamilyStatus.CLOSED


@pytest.mark.jurisdiction("care:help_create")
def test_help_is_recorded_for_a_family_of_the_township_only(
    clerk_client, other_client, village_client, family
):
    data = {"kind": "medical", "given_on": today().isoformat(), "amount": "800", "description": ""}
    assert other_client.post(f"/care/families/{family.pk}/help/", data).status_code == 404
    assert village_client.get(f"/care/families/{family.pk}/help/").status_code == 403
    assert clerk_client.post(f"/care/families/{family.pk}/help/", data).status_code == 302
    assert Help.objects.get().amount == 800


@pytest.mark.jurisdiction("care:candidate_list", "care:candidate_confirm")
def test_candidates_are_listed_and_confirmed_in_the_jurisdiction_only(
    clerk_client, other_client, village_client, township_clerk
):
    c = bereaved(township_clerk)
    page = clerk_client.get("/care/candidates/")
    assert [x.child["pk"] for x, _ in page.context["rows"]] == [c.children[0].pk]
    assert other_client.get("/care/candidates/").context["rows"] == []
    assert village_client.get("/care/candidates/").status_code == 403
    url = f"/care/candidates/{c.children[0].pk}/confirm/"
    assert other_client.post(url).status_code == 404
    response = clerk_client.post(url)
    family = SpecialFamily.objects.get()
    assert response.url == f"/care/families/{family.pk}/"
    assert clerk_client.post(url).status_code == 404  # no longer a candidate


@pytest.mark.jurisdiction("care:candidate_dismiss")
def test_a_candidate_is_dismissed_with_a_reason_in_the_jurisdiction_only(
    clerk_client, other_client, township_clerk
):
    c = bereaved(township_clerk)
    url = f"/care/candidates/{c.children[0].pk}/dismiss/"
    assert other_client.get(url).status_code == 404
    assert clerk_client.post(url, {"reason": ""}).status_code == 200
    assert clerk_client.post(url, {"reason": "子女系收养后另有亲生子女"}).status_code == 302
    assert SpecialFamily.objects.get().status == FamilyStatus.DISMISSED
    assert clerk_client.get("/care/").context["page_obj"].paginator.count == 0


@pytest.mark.jurisdiction("care:assignment_list", "care:assignment_export")
def test_assignments_are_listed_and_exported_in_the_jurisdiction_only(
    clerk_client,
    other_client,
    family,
    other_family,
    township_clerk,
    other_clerk,
    django_assert_max_num_queries,
):
    contact(township_clerk, family)
    contact(other_clerk, other_family, name="赵医生")
    page = clerk_client.get("/care/assignments/")
    assert [a.name for a in page.context["page_obj"]] == ["李医生"]
    assert [a.name for a in other_client.get("/care/assignments/").context["page_obj"]] == [
        "赵医生"
    ]
    rows = _xlsx(clerk_client.get("/care/assignments/export/"))
    assert [r[4] for r in rows[1:]] == ["李医生"]
    assert AuditEntry.objects.get(action="care.assignment.exported").detail["rows"] == 1
    with django_assert_max_num_queries(12) as few:
        clerk_client.get("/care/assignments/")
    for n in range(5):
        contact(township_clerk, confirmed(township_clerk, VILLAGE, f"王{n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        clerk_client.get("/care/assignments/")


@pytest.mark.jurisdiction("care:assignment_create")
def test_a_clerk_assigns_a_household_and_a_family_contact_in_the_township_only(
    clerk_client, other_client, village_client, family, township_clerk
):
    h = household()
    step = clerk_client.get(f"/care/assignments/new/?pick-village={VILLAGE}&pick-household=H1")
    assert step.url == f"/care/assignments/new/?household={h.pk}"
    assert other_client.get(f"/care/assignments/new/?household={h.pk}").status_code == 404
    assert other_client.get(f"/care/assignments/new/?family={family.pk}").status_code == 404
    assert other_client.get(f"/care/assignments/new/?village={VILLAGE}").status_code == 404
    assert village_client.get(f"/care/assignments/new/?household={h.pk}").status_code == 403
    data = {
        "name": "孙干部",
        "phone": "13900000000",
        "role": "cadre",
        "starts_on": today().isoformat(),
    }
    assert clerk_client.post(f"/care/assignments/new/?household={h.pk}", data).status_code == 302
    refused = clerk_client.post(f"/care/assignments/new/?family={family.pk}", data)
    assert "请选择联系人岗位" in refused.content.decode()
    ok = clerk_client.post(
        f"/care/assignments/new/?family={family.pk}", {**data, "side": "township"}
    )
    assert ok.status_code == 302
    assert Assignment.objects.filter(target_kind=TargetKind.HOUSEHOLD, household=h).count() == 1
    assert AuditEntry.objects.filter(action="care.assignment.created").count() == 2


@pytest.mark.jurisdiction("care:assignment_end")
def test_an_assignment_is_ended_in_the_jurisdiction_only(
    clerk_client, other_client, family, township_clerk
):
    a = contact(township_clerk, family)
    data = {"ends_on": today().isoformat()}
    assert other_client.post(f"/care/assignments/{a.pk}/end/", data).status_code == 404
    assert clerk_client.post(f"/care/assignments/{a.pk}/end/", data).status_code == 302
    a.refresh_from_db()
    assert a.ends_on == today()


@pytest.mark.jurisdiction("care:unvisited", "care:unvisited_export")
def test_assignments_without_a_visit_this_month(
    clerk_client, other_client, family, other_family, township_clerk, other_clerk
):
    visited = contact(township_clerk, family)
    idle = contact(township_clerk, family, side="township", name="周干部")
    contact(other_clerk, other_family, name="赵医生")
    visit(township_clerk, family, assignment=visited)
    visit(township_clerk, family, today() - timedelta(days=40), idle)
    page = clerk_client.get("/care/assignments/unvisited/")
    assert [a.name for a in page.context["page_obj"]] == ["周干部"]
    assert page.context["page_obj"][0].last_visit == today() - timedelta(days=40)
    assert [
        a.name for a in other_client.get("/care/assignments/unvisited/").context["page_obj"]
    ] == ["赵医生"]
    rows = _xlsx(clerk_client.get("/care/assignments/unvisited/export/"))
    assert [r[4] for r in rows[1:]] == ["周干部"]
    assert AuditEntry.objects.get(action="care.unvisited.exported").detail["rows"] == 1


@pytest.mark.jurisdiction("care:visit_create")
def test_a_village_worker_logs_a_visit_of_her_village_only(
    village_client, other_client, family, other_family, township_clerk, village_worker
):
    mine = contact(township_clerk, family, user=village_worker)
    form = village_client.get(f"/care/visits/new/?family={family.pk}")
    assert form.context["form"].initial["assignment"] == mine.pk
    assert village_client.get(f"/care/visits/new/?family={other_family.pk}").status_code == 404
    assert other_client.get(f"/care/visits/new/?family={family.pk}").status_code == 404
    data = {
        "visited_on": today().isoformat(),
        "assignment": mine.pk,
        "content": "送去慰问品",
        "visitor_name": "",
        "next_step": "下月再访",
    }
    assert village_client.post(f"/care/visits/new/?family={family.pk}", data).status_code == 302
    made = Visit.objects.get()
    assert (made.assignment, made.visitor_name) == (mine, "village_worker")


def test_read_only_roles_log_no_visits_and_enter_no_families(auditor, family, units):
    client = client_for(auditor)
    assert client.get(f"/care/families/{family.pk}/").status_code == 200
    assert client.get(f"/care/visits/new/?family={family.pk}").status_code == 403
    assert client.get("/care/families/new/").status_code == 403
    assert client.get("/care/assignments/new/").status_code == 403
    assert client.get("/care/export/").status_code == 403


def test_the_visit_list_and_the_worklist_do_not_grow_in_queries(
    clerk_client, township_clerk, django_assert_max_num_queries
):
    first = confirmed(township_clerk)
    contact(township_clerk, first)
    visit(township_clerk, first)
    household()
    with django_assert_max_num_queries(14) as visits_few:
        clerk_client.get("/care/visits/")
    with django_assert_max_num_queries(14) as work_few:
        clerk_client.get("/care/worklist/?interval=1")
    for n in range(6):
        f = confirmed(township_clerk, VILLAGE, f"王{n}")
        contact(township_clerk, f)
        visit(township_clerk, f, today() - timedelta(days=3))
    with django_assert_max_num_queries(len(visits_few.captured_queries)):
        assert len(clerk_client.get("/care/visits/").context["page_obj"]) == 7
    with django_assert_max_num_queries(len(work_few.captured_queries)):
        assert len(clerk_client.get("/care/worklist/?interval=1").context["rows"]) == 7


@pytest.mark.jurisdiction("care:visit_list", "care:visit_export")
def test_visits_are_listed_and_exported_in_the_jurisdiction_only(
    clerk_client, other_client, family, other_family, township_clerk, other_clerk
):
    visit(township_clerk, family)
    visit(other_clerk, other_family)
    page = clerk_client.get("/care/visits/")
    assert [v.family for v in page.context["page_obj"]] == [family]
    assert [v.family for v in other_client.get("/care/visits/").context["page_obj"]] == [
        other_family
    ]
    assert AuditEntry.objects.filter(action="care.visit.listed").count() == 2
    rows = _xlsx(clerk_client.get("/care/visits/export/"))
    assert [r[4] for r in rows[1:]] == [family.name]


@pytest.mark.jurisdiction("care:worklist")
def test_the_worklist_shows_what_is_due_in_the_jurisdiction(
    village_client, other_client, clerk_client, family, other_family, township_clerk, village_worker
):
    fresh = confirmed(township_clerk, VILLAGE, "李")
    visit(township_clerk, fresh)  # visited today: not due for 30 days
    visit(township_clerk, family, today() - timedelta(days=45))
    page = village_client.get("/care/worklist/")
    rows = page.context["rows"]
    assert [r.pk for r in rows] == [family.pk] and rows[0].overdue
    assert [r.pk for r in other_client.get("/care/worklist/").context["rows"]] == [other_family.pk]
    assert {
        r.pk for r in village_client.get("/care/worklist/?interval=1&within=7").context["rows"]
    } == {family.pk, fresh.pk}
    h = household()
    contact_h = Assignment.objects.create(
        unit_id=VILLAGE,
        target_kind=TargetKind.HOUSEHOLD,
        household=h,
        name="张村专",
        role="village_worker",
        starts_on=today() - timedelta(days=10),
    )
    households = clerk_client.get("/care/worklist/?kind=household").context["rows"]
    assert [(r.pk, r.responsible) for r in households] == [(h.pk, [contact_h.name])]
    assert other_client.get("/care/worklist/?kind=household").context["rows"] == []
    assert "interval" in village_client.get("/care/worklist/?interval=0").context["form"].errors


@pytest.mark.jurisdiction("care:coverage", "care:coverage_export")
def test_coverage_per_township(
    clerk_client, other_client, county_client, family, other_family, township_clerk, units
):
    contact(township_clerk, family)
    contact(township_clerk, family, side="township", name="周干部")
    visit(township_clerk, family)
    household()
    rows = clerk_client.get("/care/coverage/").context["rows"]
    assert [
        (r.name, r.villages, r.households, r.families, r.families_two_contacts, r.families_visited)
        for r in rows
    ] == [("会师镇", 2, 1, 1, 1, 1)]
    assert [r.name for r in other_client.get("/care/coverage/").context["rows"]] == ["郭城驿镇"]
    county = county_client.get("/care/coverage/").context["rows"]
    assert [(r.name, r.families, r.families_visited) for r in county] == [
        ("会师镇", 1, 1),
        ("郭城驿镇", 1, 0),
    ]
    sheet = _xlsx(clerk_client.get("/care/coverage/export/"))
    assert sheet[1][0] == "会师镇" and sheet[1][10] == "100.0%"


__all__ = ["OTHER"]


def test_every_page_renders_for_a_township_clerk(clerk_client, family, township_clerk):
    a = contact(township_clerk, family)
    c = bereaved(township_clerk, surname="李")
    h = household()
    for url in (
        "/care/",
        "/care/families/new/",
        f"/care/families/{family.pk}/",
        f"/care/families/{family.pk}/edit/",
        f"/care/families/{family.pk}/close/",
        f"/care/families/{family.pk}/help/",
        "/care/candidates/",
        f"/care/candidates/{c.children[0].pk}/dismiss/",
        "/care/assignments/",
        "/care/assignments/new/",
        f"/care/assignments/new/?family={family.pk}",
        f"/care/assignments/new/?household={h.pk}",
        f"/care/assignments/new/?village={VILLAGE}",
        f"/care/assignments/{a.pk}/end/",
        "/care/assignments/unvisited/",
        "/care/visits/",
        "/care/visits/new/",
        f"/care/visits/new/?household={h.pk}",
        f"/care/visits/new/?village={VILLAGE}",
        "/care/worklist/",
        "/care/worklist/?kind=village",
        "/care/coverage/",
        "/care/coverage/?month=2026-13",
    ):
        assert clerk_client.get(url).status_code == 200, url
