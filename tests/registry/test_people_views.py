"""The people pages: list with filters, Excel export, person page with masked ID."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from famplan.audit.models import AuditEntry
from famplan.registry.services import birth_record, household_create, marriage_record
from tests.conftest import client_for
from tests.registry.factories import person

LIST = reverse("registry:person_list")
EXPORT = reverse("registry:person_export")


def detail(pk: int) -> str:
    return reverse("registry:person_detail", args=[pk])


@pytest.fixture
def huishi(county_admin):
    return {
        "zhang": person(county_admin, name="张伟", born=date(1988, 8, 8)),
        "wang": person(
            county_admin, name="王芳", sex="F", born=date(1995, 5, 5), unit="620422100201"
        ),
        "no_id": person(county_admin, name="张小明", born=date(2012, 1, 1), with_id=False),
    }


@pytest.fixture
def guocheng(county_admin):
    return person(county_admin, name="张伟", born=date(1970, 7, 7), unit="620422101201")


def listed(response) -> list[str]:
    return [p.name for p in response.context["page_obj"]]


def read_xlsx(response) -> list[list]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return workbook.get_sheet_by_index(0).to_python()


@pytest.mark.jurisdiction(
    "registry:person_list", "registry:person_detail", "registry:person_export"
)
def test_it_keeps_another_townships_people_out_of_reach(other_client, huishi, guocheng):
    assert other_client.get(detail(huishi["zhang"].pk)).status_code == 404
    assert other_client.get(detail(huishi["wang"].pk), {"unmask": "1"}).status_code == 404
    assert other_client.post(detail(huishi["zhang"].pk), {"action": "unmask"}).status_code == 404

    response = other_client.get(LIST, {"name": "张"})
    assert listed(response) == ["张伟"] and response.context["page_obj"][0] == guocheng
    assert listed(other_client.get(LIST, {"id_number": huishi["zhang"].id_number})) == []

    rows = read_xlsx(other_client.get(EXPORT))
    assert [r[0] for r in rows[1:]] == ["张伟"] and rows[1][5] == "620422101201"
    # No audit row of a view was written for the refused pages.
    assert not AuditEntry.objects.filter(action="registry.person.viewed").exists()


def test_it_lists_people_with_masked_ids_and_their_village(clerk_client, huishi, guocheng):
    response = clerk_client.get(LIST)
    assert response.status_code == 200
    assert listed(response) == ["张伟", "张小明", "王芳"]
    page = response.content.decode()
    zhang = huishi["zhang"]
    assert zhang.id_masked in page and zhang.id_number not in page
    assert "南嘴村" in page and "东关社区" in page
    assert f'href="{detail(zhang.pk)}"' in page
    assert "共 3 人" in page


def test_it_filters_the_list(clerk_client, huishi):
    def names(**params) -> list[str]:
        return listed(clerk_client.get(LIST, params))

    assert names(id_number=huishi["wang"].id_number.lower()) == ["王芳"]
    assert names(name="张") == ["张伟", "张小明"]
    assert names(name="张伟") == ["张伟"]
    assert names(unit="620422100201") == ["王芳"]
    assert names(sex="F") == ["王芳"]
    assert names(has_id="0") == ["张小明"]
    assert names(born_from="1990-01-01", born_to="2000-12-31") == ["王芳"]
    assert names(status="deceased") == []


def test_it_explains_a_bad_filter_in_chinese_and_shows_nobody(clerk_client, huishi):
    response = clerk_client.get(LIST, {"id_number": "62042219900101123"})
    assert listed(response) == []
    assert "身份证号应为18位，实际为17位" in response.content.decode()

    response = clerk_client.get(LIST, {"born_from": "2000-01-01", "born_to": "1999-01-01"})
    assert listed(response) == []
    assert "出生日期至不能早于出生日期自" in response.content.decode()

    response = clerk_client.get(LIST, {"born_from": "2000-13-01"})
    assert "出生日期自：请输入有效日期" in response.content.decode()

    response = clerk_client.get(LIST, {"unit": "620422101201"})  # another township's village
    assert listed(response) == []
    assert "所选村(居)不存在或不在您的管辖范围内" in response.content.decode()


def test_it_lists_in_a_fixed_number_of_queries(
    clerk_client, county_admin, django_assert_max_num_queries
):
    for i in range(3):
        person(county_admin, name=f"甲{i}")
    # session, user, filter units, capped count, menu unit, page keys, page rows, the
    # page's villages, the audit row (chain head, insert), session save (3)
    with django_assert_max_num_queries(13) as few:
        clerk_client.get(LIST)
    for i in range(40):
        person(county_admin, name=f"乙{i}", unit="620422100201" if i % 2 else "620422100001")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = clerk_client.get(LIST)
    assert len(response.context["page_obj"]) == 43


def test_it_shows_a_person_with_masked_id_and_audits_the_view(clerk_client, township_clerk, huishi):
    zhang = huishi["zhang"]
    response = clerk_client.get(detail(zhang.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert zhang.id_masked in page and zhang.id_number not in page
    assert "显示完整号码" not in page  # a township clerk may not unmask
    for label in ("姓名", "性别", "出生日期", "民族", "户口性质", "所属村(居)", "状态"):
        assert label in page
    entry = AuditEntry.objects.get(action="registry.person.viewed")
    assert (entry.user_id, entry.target_id, entry.org_unit_id) == (
        township_clerk.pk,
        str(zhang.pk),
        "620422100001",
    )
    clerk_client.get(detail(zhang.pk))
    assert AuditEntry.objects.filter(action="registry.person.viewed").count() == 2


def test_it_unmasks_the_id_only_for_those_allowed_and_audits_it(
    clerk_client, county_client, county_admin, huishi
):
    zhang = huishi["zhang"]
    refused = clerk_client.post(detail(zhang.pk), {"action": "unmask"})
    assert refused.status_code == 403
    assert not AuditEntry.objects.filter(action="registry.person.id_unmasked").exists()

    masked = county_client.get(detail(zhang.pk)).content.decode()
    assert "显示完整号码" in masked and zhang.id_number not in masked

    response = county_client.post(detail(zhang.pk), {"action": "unmask"})
    assert response.status_code == 200
    assert zhang.id_number in response.content.decode()
    entry = AuditEntry.objects.get(action="registry.person.id_unmasked")
    assert (entry.user_id, entry.target_id) == (county_admin.pk, str(zhang.pk))


def test_it_shows_the_household_and_the_timeline(village_client, village_worker):
    husband = person(village_worker, name="王强", born=date(1990, 3, 1))
    wife = person(village_worker, name="李芳", sex="F", born=date(1992, 6, 1))
    household = household_create(actor=village_worker, unit_id="620422100001", head=husband)
    marriage_record(actor=village_worker, husband=husband, wife=wife, married_on=date(2015, 5, 1))
    birth = birth_record(
        actor=village_worker,
        mother=wife,
        father=husband,
        child_name="王一",
        sex="M",
        born_on=date(2016, 1, 2),
        place_type="hospital",
    )
    page = village_client.get(detail(husband.pk)).content.decode()
    household_url = reverse("registry:household_detail", args=[household.pk])
    assert f'href="{household_url}"' in page and household.number in page
    assert "初婚，配偶：李芳" in page
    assert "第1孩出生（男）：王一" in page
    assert f'href="{detail(birth.child_id)}"' in page


def test_it_links_to_the_event_forms(village_client, clerk_client, auditor, huishi):
    wang = huishi["wang"]
    links = dict(village_client.get(detail(huishi["zhang"].pk)).context["event_links"])
    assert links["登记死亡"] == reverse("registry:death_create", args=[huishi["zhang"].pk])
    assert "登记生育" not in links  # a man
    # 王芳 lives in 南嘴村, outside the village worker's reach; her township's clerk
    # may record a birth for her.
    assert village_client.get(detail(wang.pk)).status_code == 404
    links = dict(clerk_client.get(detail(wang.pk)).context["event_links"])
    assert links["登记生育"] == reverse("registry:birth_create") + f"?mother={wang.pk}"
    # Every link leads to a page that opens (links are built with reverse(), no net).
    for label, url in links.items():
        assert clerk_client.get(url).status_code == 200, label
    # Read-only users see no entry links at all.
    assert client_for(auditor).get(detail(wang.pk)).context["event_links"] == []


def test_it_exports_the_filtered_list_to_excel_and_audits_it(
    village_client, village_worker, huishi, county_admin
):
    for i in range(60):  # more than one page: the export has them all
        person(county_admin, name=f"张{i:02d}")

    response = village_client.get(EXPORT, {"name": "张"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx(response)
    assert rows[0][:3] == ["姓名", "身份证号", "性别"]
    body = rows[1:]
    assert len(body) == 62  # 60 + 张伟 + 张小明 (王芳 lives in another village)
    by_name = {r[0]: r for r in body}
    zhang = huishi["zhang"]
    assert by_name["张伟"][1] == zhang.id_masked
    assert by_name["张伟"][6] == "东关社区" and by_name["张伟"][2] == "男"
    assert "王芳" not in by_name

    entry = AuditEntry.objects.get(action="registry.person.exported")
    assert entry.user_id == village_worker.pk
    assert entry.detail == {"filter": {"name": "张"}, "rows": 62, "full_ids": False}


def test_it_exports_full_ids_only_to_those_allowed(county_client, clerk_client, huishi):
    zhang = huishi["zhang"]
    rows = read_xlsx(clerk_client.get(EXPORT, {"name": "张伟", "full_ids": "1"}))
    assert rows[1][1] == zhang.id_masked
    rows = read_xlsx(county_client.get(EXPORT, {"name": "张伟", "full_ids": "1"}))
    assert rows[1][1] == zhang.id_number
    flags = [
        e.detail["full_ids"] for e in AuditEntry.objects.filter(action="registry.person.exported")
    ]
    assert sorted(flags) == [False, True]


def test_it_refuses_export_without_the_capability(auditor, huishi):
    client = client_for(auditor)
    assert client.get(LIST).status_code == 200
    assert client.get(EXPORT).status_code == 403
    assert "导出Excel" not in client.get(LIST).content.decode()


def test_it_sends_a_bad_export_filter_back_to_the_list(clerk_client, huishi):
    response = clerk_client.get(EXPORT, {"sex": "X"})
    assert response.status_code == 302 and response["Location"].startswith(LIST)
    assert not AuditEntry.objects.filter(action="registry.person.exported").exists()
