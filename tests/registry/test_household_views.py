"""Household pages: the list with filters, the household page with its members."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from famplan.audit.models import AuditEntry
from famplan.registry.services import birth_record, household_create, household_merge
from tests.registry.factories import person

LIST = reverse("registry:household_list")
EXPORT = reverse("registry:household_export")


def read_xlsx(response) -> list[list]:
    assert response.status_code == 200
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return workbook.get_sheet_by_index(0).to_python()


def detail(pk: int) -> str:
    return reverse("registry:household_detail", args=[pk])


@pytest.fixture
def family(village_worker):
    """A couple with a child in 东关社区: husband head, wife and son members."""
    husband = person(village_worker, name="王强", born=date(1990, 3, 1))
    household = household_create(
        actor=village_worker, unit_id="620422100001", head=husband, address="东关街1号"
    )
    wife = person(
        village_worker,
        name="李芳",
        sex="F",
        born=date(1992, 6, 1),
        household_id=household.pk,
        relation_to_head="spouse",
    )
    birth_record(
        actor=village_worker,
        mother=wife,
        father=husband,
        child_name="王小宝",
        sex="M",
        born_on=date(2018, 1, 2),
        place_type="hospital",
    )
    return household


@pytest.fixture
def other_household(county_admin):
    head = person(county_admin, name="赵大", unit="620422101201")
    return household_create(actor=county_admin, unit_id="620422101201", head=head)


@pytest.mark.jurisdiction("registry:household_list", "registry:household_detail")
def test_it_keeps_another_townships_households_out_of_reach(other_client, family, other_household):
    assert other_client.get(detail(family.pk)).status_code == 404
    numbers = [h.number for h in other_client.get(LIST).context["page_obj"]]
    assert numbers == [other_household.number]
    assert not other_client.get(LIST, {"number": family.number}).context["page_obj"]
    assert not AuditEntry.objects.filter(action="registry.household.viewed").exists()


def test_it_shows_members_with_their_relation_to_the_head(village_client, village_worker, family):
    response = village_client.get(detail(family.pk))
    assert response.status_code == 200
    members = [(m.name, m.get_relation_to_head_display()) for m in response.context["members"]]
    assert members == [("王强", "户主"), ("李芳", "配偶"), ("王小宝", "子女")]
    page = response.content.decode()
    wife = response.context["members"][1]
    assert wife.id_masked in page and wife.id_number not in page
    assert "东关街1号" in page and "成员（3人）" in page
    assert dict(response.context["edit_links"])["分户"] == reverse(
        "registry:household_split", args=[family.pk]
    )
    entry = AuditEntry.objects.get(action="registry.household.viewed")
    assert (entry.user_id, entry.target_id) == (village_worker.pk, str(family.pk))


def test_it_lists_and_filters_households(clerk_client, township_clerk, family, other_household):
    second = household_create(actor=township_clerk, unit_id="620422100201")
    response = clerk_client.get(LIST)
    rows = [(h.number, h.member_count) for h in response.context["page_obj"]]
    assert rows == [(family.number, 3), (second.number, 0)]
    assert "王强" in response.content.decode()

    def numbers(**params) -> list[str]:
        return [h.number for h in clerk_client.get(LIST, params).context["page_obj"]]

    assert numbers(unit="620422100201") == [second.number]
    assert numbers(head_name="王") == [family.number]
    assert numbers(number=family.number[:12]) == [family.number]
    assert numbers(number="9999") == []


def test_it_hides_dissolved_households_unless_asked(clerk_client, village_worker, family):
    small = household_create(actor=village_worker, unit_id="620422100001")
    household_merge(actor=village_worker, source=small, target=family, changed_on=date(2024, 1, 1))
    assert [h.number for h in clerk_client.get(LIST).context["page_obj"]] == [family.number]
    shown = clerk_client.get(LIST, {"include_dissolved": "on"}).context["page_obj"]
    assert [h.number for h in shown] == [family.number, small.number]


def test_it_lists_households_in_a_fixed_number_of_queries(
    clerk_client, village_worker, family, django_assert_max_num_queries
):
    # session, user, filter units, capped count, menu unit, page keys, page rows, the
    # page's villages, member counts, the audit row (chain head, insert), session save (3)
    with django_assert_max_num_queries(14) as few:
        clerk_client.get(LIST)
    for i in range(20):
        head = person(village_worker, name=f"户主{i}")
        household_create(actor=village_worker, unit_id="620422100001", head=head)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = clerk_client.get(LIST)
    assert len(response.context["page_obj"]) == 21


@pytest.mark.jurisdiction("registry:household_export")
def test_it_exports_only_the_users_households(other_client, family, other_household):
    rows = read_xlsx(other_client.get(EXPORT))
    assert [r[0] for r in rows[1:]] == [other_household.number]
    assert not read_xlsx(other_client.get(EXPORT, {"number": family.number}))[1:]


def test_it_exports_the_filtered_households_with_masked_ids_and_audits_it(
    clerk_client, township_clerk, village_worker, family, django_assert_max_num_queries
):
    small = household_create(actor=village_worker, unit_id="620422100001")
    household_merge(actor=village_worker, source=small, target=family, changed_on=date(2024, 1, 1))
    for i in range(55):  # more than a page: the export holds every row
        household_create(actor=township_clerk, unit_id="620422100201")

    rows = read_xlsx(clerk_client.get(EXPORT, {"unit": "620422100001", "include_dissolved": "on"}))
    assert rows[0] == [
        "户号",
        "户主",
        "户主身份证号",
        "人数",
        "村(居)代码",
        "村(居)",
        "住址",
        "状态",
        "撤销日期",
    ]
    head = family.head
    assert rows[1] == [
        family.number,
        "王强",
        head.id_masked,
        3.0,
        "620422100001",
        "东关社区",
        "东关街1号",
        "在册",
        "",
    ]
    assert rows[2][0] == small.number and rows[2][7:] == ["已撤销", date(2024, 1, 1)]
    with django_assert_max_num_queries(10):  # one streamed query for all the rows
        assert len(read_xlsx(clerk_client.get(EXPORT))) == 1 + 1 + 55

    entries = AuditEntry.objects.filter(action="registry.household.exported").order_by("id")
    assert [e.detail["rows"] for e in entries] == [2, 56]
    assert entries[0].user_id == township_clerk.pk
    assert entries[0].detail["filter"] == {"unit": "620422100001", "include_dissolved": True}
    assert "导出Excel" in clerk_client.get(LIST).content.decode()


def test_it_sends_a_bad_household_export_filter_back_to_the_list(clerk_client, family):
    response = clerk_client.get(EXPORT, {"unit": "620422101201"})
    assert response.status_code == 302 and response["Location"].startswith(LIST + "?")
    assert not AuditEntry.objects.filter(action="registry.household.exported").exists()
