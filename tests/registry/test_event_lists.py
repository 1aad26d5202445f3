"""Event lists (births, deaths, marriages, migrations): jurisdiction, filters, paging,
audit rows, and their Excel exports."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from famplan.audit.models import AuditEntry
from famplan.registry.services import (
    PersonData,
    birth_record,
    death_record,
    divorce_record,
    marriage_record,
    migration_in_record,
    migration_out_record,
)
from tests.conftest import client_for
from tests.registry.factories import person

NANZUI = "620422100201"
GUOCHENG = "620422101201"
KINDS = ("birth", "death", "marriage", "migration")


def url(kind: str, action: str = "list") -> str:
    return reverse(f"registry:{kind}_{action}")


def read_xlsx(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return workbook.get_sheet_by_index(0).to_python()


def rows_of(response) -> list:
    assert response.status_code == 200
    return list(response.context["page_obj"])


@pytest.fixture
def huishi(county_admin):
    """会师镇: a family in 东关社区 (marriage, three births), a death, a divorce and two
    migrations in 南嘴村."""
    actor = county_admin
    husband = person(actor, name="王强", born=date(1988, 3, 1))
    wife = person(actor, name="李芳", sex="F", born=date(1990, 6, 1))
    marriage = marriage_record(actor=actor, husband=husband, wife=wife, married_on=date(2014, 5, 1))
    births = [
        birth_record(
            actor=actor,
            mother=wife,
            father=husband,
            child_name=name,
            sex=sex,
            born_on=born,
            place_type=place,
            facility=facility,
            weight_g=weight,
        )
        for name, sex, born, place, facility, weight in (
            ("王一", "M", date(2016, 1, 2), "hospital", "会宁县人民医院", 3200),
            ("王二", "F", date(2019, 3, 4), "home", "", None),
            ("王三", "F", date(2022, 6, 1), "hospital", "会宁县妇幼保健院", 2900),
        )
    ]
    old = person(actor, name="张伟", born=date(1950, 4, 1), unit=NANZUI)
    death = death_record(actor=actor, person=old, died_on=date(2023, 2, 3), cause="心脏病")
    ex_husband = person(actor, name="刘军", born=date(1985, 1, 1), unit=NANZUI)
    ex_wife = person(actor, name="陈静", sex="F", born=date(1987, 1, 1), unit=NANZUI)
    divorced = marriage_record(
        actor=actor, husband=ex_husband, wife=ex_wife, married_on=date(2010, 10, 1)
    )
    divorce_record(actor=actor, marriage=divorced, divorced_on=date(2020, 8, 8))
    leaver = person(actor, name="赵敏", sex="F", born=date(1995, 2, 2), unit=NANZUI)
    out = migration_out_record(
        actor=actor,
        person=leaver,
        moved_on=date(2024, 3, 1),
        place="兰州市城关区",
        employer="兰州某公司",
        contact_phone="13800000001",
    )
    arrival = migration_in_record(
        actor=actor,
        data=PersonData(
            name="孙丽",
            sex="F",
            birth_date=date(1993, 9, 9),
            unit_id=NANZUI,
            ethnicity="汉族",
            hukou_type="rural",
            registered_on=date(2024, 5, 1),
        ),
        moved_on=date(2024, 5, 1),
        place="陕西省西安市",
    )
    return {
        "wife": wife,
        "marriage": marriage,
        "divorced": divorced,
        "births": births,
        "death": death,
        "out": out,
        "in": arrival,
    }


@pytest.fixture
def guocheng(county_admin):
    """郭城驿镇: one event of each kind in 郭城村."""
    actor = county_admin
    husband = person(actor, name="郭强", born=date(1989, 1, 1), unit=GUOCHENG)
    wife = person(actor, name="郭芳", sex="F", born=date(1991, 1, 1), unit=GUOCHENG)
    marriage_record(actor=actor, husband=husband, wife=wife, married_on=date(2015, 1, 1))
    birth_record(
        actor=actor,
        mother=wife,
        father=husband,
        child_name="郭小宝",
        sex="M",
        born_on=date(2021, 1, 1),
        place_type="hospital",
    )
    old = person(actor, name="郭老汉", born=date(1940, 1, 1), unit=GUOCHENG)
    death_record(actor=actor, person=old, died_on=date(2022, 1, 1))
    worker = person(actor, name="郭二", born=date(1996, 1, 1), unit=GUOCHENG)
    migration_out_record(actor=actor, person=worker, moved_on=date(2023, 1, 1), place="深圳市")


def names(kind: str, events) -> list[str]:
    if kind == "birth":
        return [e.child.name for e in events]
    if kind == "marriage":
        return [e.husband.name for e in events]
    return [e.person.name for e in events]


@pytest.mark.jurisdiction(
    "registry:birth_list",
    "registry:birth_export",
    "registry:death_list",
    "registry:death_export",
    "registry:marriage_list",
    "registry:marriage_export",
    "registry:migration_list",
    "registry:migration_export",
)
def test_it_keeps_another_townships_events_out_of_reach(
    other_client, other_clerk, huishi, guocheng
):
    expected = {
        "birth": ["郭小宝"],
        "death": ["郭老汉"],
        "marriage": ["郭强"],
        "migration": ["郭二"],
    }
    for kind in KINDS:
        assert names(kind, rows_of(other_client.get(url(kind)))) == expected[kind]
        # Asking for a 会师镇 village is refused by the form, not answered.
        response = other_client.get(url(kind), {"unit": NANZUI})
        assert rows_of(response) == []
        assert "所选村(居)不存在或不在您的管辖范围内" in response.content.decode()

        rows = read_xlsx(other_client.get(url(kind, "export")))
        assert [r[0] for r in rows[1:]] == expected[kind]
        assert {r[-2] for r in rows[1:]} == {GUOCHENG}
    page = other_client.get(url("birth")).content.decode()
    assert "王一" not in page and "李芳" not in page
    actions = AuditEntry.objects.filter(user=other_clerk, action__startswith="registry.")
    assert set(actions.values_list("action", flat=True)) == {
        f"registry.{kind}.{verb}" for kind in KINDS for verb in ("listed", "exported")
    }


def test_it_lists_births_newest_first_with_the_people_linked(clerk_client, huishi, guocheng):
    response = clerk_client.get(url("birth"))
    births = rows_of(response)
    assert [(b.child.name, b.birth_order) for b in births] == [
        ("王三", 3),
        ("王二", 2),
        ("王一", 1),
    ]
    page = response.content.decode()
    wife = huishi["wife"]
    assert wife.id_masked in page and wife.id_number not in page
    first = huishi["births"][0]
    detail = reverse("registry:person_detail", args=[first.child_id])
    assert f'href="{detail}"' in page
    assert "会宁县人民医院" in page and "3200" in page and "东关社区" in page
    assert "共 3 条" in page


def test_it_filters_births(clerk_client, huishi):
    def listed(**params) -> list[str]:
        return names("birth", rows_of(clerk_client.get(url("birth"), params)))

    assert listed(sex="F") == ["王三", "王二"]
    assert listed(order="1") == ["王一"]
    assert listed(order="3") == ["王三"]
    assert listed(place_type="home") == ["王二"]
    assert listed(date_from="2017-01-01", date_to="2020-12-31") == ["王二"]
    assert listed(unit="620422100001") == ["王三", "王二", "王一"]
    assert listed(unit=NANZUI) == []


def test_it_lists_and_filters_deaths(clerk_client, huishi, guocheng):
    response = clerk_client.get(url("death"))
    [death] = rows_of(response)
    assert death.person.name == "张伟" and death.age_at_death == 72
    page = response.content.decode()
    assert "72岁" in page and "心脏病" in page and "南嘴村" in page
    assert death.person.id_masked in page and death.person.id_number not in page
    assert rows_of(clerk_client.get(url("death"), {"sex": "F"})) == []
    assert rows_of(clerk_client.get(url("death"), {"date_to": "2022-12-31"})) == []
    assert names("death", rows_of(clerk_client.get(url("death"), {"unit": NANZUI}))) == ["张伟"]


def test_it_lists_and_filters_marriages(clerk_client, huishi):
    def listed(**params) -> list[str]:
        return names("marriage", rows_of(clerk_client.get(url("marriage"), params)))

    assert listed() == ["王强", "刘军"]  # 2014, then 2010
    assert listed(state="current") == ["王强"]
    assert listed(state="ended") == ["刘军"]
    assert listed(kind="re") == []
    assert listed(kind="first", unit=NANZUI) == ["刘军"]
    assert listed(date_from="2012-01-01") == ["王强"]
    page = clerk_client.get(url("marriage")).content.decode()
    assert "2020-08-08（离婚）" in page and "在婚" in page


def test_it_lists_and_filters_migrations(clerk_client, huishi):
    def listed(**params) -> list[str]:
        return names("migration", rows_of(clerk_client.get(url("migration"), params)))

    assert listed() == ["孙丽", "赵敏"]
    assert listed(direction="out") == ["赵敏"]
    assert listed(direction="in", status="active") == ["孙丽"]
    assert listed(status="returned") == []
    assert listed(date_to="2024-04-30") == ["赵敏"]
    page = clerk_client.get(url("migration"), {"direction": "out"}).content.decode()
    assert "兰州市城关区" in page and "兰州某公司" in page and "13800000001" in page


def test_it_audits_each_list_page_with_its_filter(clerk_client, township_clerk, huishi):
    clerk_client.get(url("birth"), {"sex": "F", "page": "1"})
    entry = AuditEntry.objects.get(action="registry.birth.listed")
    assert entry.user_id == township_clerk.pk
    assert entry.detail == {"filter": {"sex": "F"}, "page": 1}
    for kind in ("death", "marriage", "migration"):
        clerk_client.get(url(kind))
        assert AuditEntry.objects.filter(action=f"registry.{kind}.listed").count() == 1


@pytest.mark.parametrize("kind", KINDS)
def test_it_explains_a_bad_date_in_chinese_and_shows_nothing(clerk_client, huishi, kind):
    response = clerk_client.get(url(kind), {"date_from": "2024-13-01"})
    assert rows_of(response) == []
    page = response.content.decode()
    assert "自：请输入有效日期" in page and "查询条件有误" in page

    response = clerk_client.get(url(kind), {"date_from": "2024-01-01", "date_to": "2023-01-01"})
    assert rows_of(response) == []
    assert "至不能早于" in response.content.decode()

    # The export of a bad filter goes back to the list, which explains it.
    response = clerk_client.get(url(kind, "export"), {"date_from": "2024-13-01"})
    assert response.status_code == 302
    assert response["Location"].startswith(url(kind) + "?")


def test_it_names_the_date_field_in_its_error(clerk_client, huishi):
    page = clerk_client.get(url("birth"), {"date_to": "昨天"}).content.decode()
    assert "出生日期至：请输入有效日期" in page
    page = clerk_client.get(url("migration"), {"status": "lost"}).content.decode()
    assert "状态选项无效" in page


def test_it_exports_all_filtered_births_with_masked_ids(village_client, village_worker, huishi):
    response = village_client.get(url("birth", "export"), {"sex": "F"})
    rows = read_xlsx(response)
    assert rows[0][:6] == ["婴儿姓名", "性别", "出生日期", "孩次", "母亲", "母亲身份证号"]
    wife = huishi["wife"]
    assert [r[:4] for r in rows[1:]] == [
        ["王三", "女", date(2022, 6, 1), 3.0],
        ["王二", "女", date(2019, 3, 4), 2.0],
    ]
    assert {r[5] for r in rows[1:]} == {wife.id_masked}
    # No 出生医学证明编号 recorded for these births: the cell is empty.
    assert rows[1][7:] == ["医院", "会宁县妇幼保健院", 2900.0, "", "620422100001", "东关社区"]
    entry = AuditEntry.objects.get(action="registry.birth.exported")
    assert entry.user_id == village_worker.pk
    assert entry.detail == {"filter": {"sex": "F"}, "rows": 2, "full_ids": False}


def test_it_exports_every_row_not_just_a_page(county_client, county_admin):
    for i in range(55):
        mother = person(county_admin, name=f"母{i:02d}", sex="F", born=date(1990, 1, 1))
        birth_record(
            actor=county_admin,
            mother=mother,
            father=None,
            child_name=f"婴{i:02d}",
            sex="M",
            born_on=date(2020, 1, 1),
            place_type="hospital",
        )
    assert len(rows_of(county_client.get(url("birth")))) == 50
    rows = read_xlsx(county_client.get(url("birth", "export")))
    assert len(rows) == 56
    assert AuditEntry.objects.get(action="registry.birth.exported").detail["rows"] == 55


def test_it_exports_deaths_marriages_and_migrations(clerk_client, huishi):
    death = huishi["death"]
    rows = read_xlsx(clerk_client.get(url("death", "export")))
    assert rows[1][:7] == [
        "张伟",
        death.person.id_masked,
        "男",
        date(1950, 4, 1),
        72.0,
        date(2023, 2, 3),
        "心脏病",
    ]

    rows = read_xlsx(clerk_client.get(url("marriage", "export"), {"state": "ended"}))
    assert len(rows) == 2
    assert rows[1][0] == "刘军" and rows[1][2] == "陈静"
    assert rows[1][5:8] == ["初婚", date(2020, 8, 8), "离婚"]
    assert rows[1][1] == huishi["divorced"].husband.id_masked

    rows = read_xlsx(clerk_client.get(url("migration", "export"), {"direction": "out"}))
    out = huishi["out"]
    assert rows[1][:9] == [
        "赵敏",
        out.person.id_masked,
        "女",
        "流出",
        date(2024, 3, 1),
        "兰州市城关区",
        "兰州某公司",
        "13800000001",
        "在外/在本地",
    ]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"registry.death.exported", "registry.marriage.exported"} <= actions
    assert "registry.migration.exported" in actions


def test_it_exports_full_ids_only_to_those_allowed(county_client, clerk_client, huishi):
    wife = huishi["wife"]
    rows = read_xlsx(clerk_client.get(url("birth", "export"), {"full_ids": "1"}))
    assert rows[1][5] == wife.id_masked
    rows = read_xlsx(county_client.get(url("birth", "export"), {"full_ids": "1"}))
    assert rows[1][5] == wife.id_number
    flags = sorted(
        e.detail["full_ids"] for e in AuditEntry.objects.filter(action="registry.birth.exported")
    )
    assert flags == [False, True]
    page = county_client.get(url("birth")).content.decode()
    assert "导出Excel（完整身份证号）" in page


def test_it_refuses_export_without_the_capability(auditor, huishi):
    client = client_for(auditor)
    for kind in KINDS:
        response = client.get(url(kind))
        assert response.status_code == 200 and "导出Excel" not in response.content.decode()
        assert client.get(url(kind, "export")).status_code == 403
    assert not AuditEntry.objects.filter(action__endswith=".exported").exists()


def add_events(actor, kind: str, n: int, start: int = 0) -> None:
    """`n` events of `kind` in 会师镇's two villages, each with its own people."""
    for i in range(start, start + n):
        unit = NANZUI if i % 2 else "620422100001"
        husband = person(actor, name=f"夫{i}", born=date(1980, 1, 1), unit=unit)
        wife = person(actor, name=f"妻{i}", sex="F", born=date(1982, 1, 1), unit=unit)
        if kind == "marriage":
            marriage_record(actor=actor, husband=husband, wife=wife, married_on=date(2010, 1, 1))
        elif kind == "birth":
            birth_record(
                actor=actor,
                mother=wife,
                father=husband,
                child_name=f"子{i}",
                sex="M",
                born_on=date(2015, 1, 1),
                place_type="hospital",
            )
        elif kind == "death":
            death_record(actor=actor, person=husband, died_on=date(2020, 1, 1))
        else:
            migration_out_record(
                actor=actor, person=husband, moved_on=date(2020, 1, 1), place="兰州"
            )


@pytest.mark.parametrize("kind", KINDS)
def test_it_lists_and_exports_in_a_fixed_number_of_queries(
    clerk_client, county_admin, django_assert_max_num_queries, kind
):
    add_events(county_admin, kind, 1)
    # session, user, filter units, capped count, menu unit, the page (people joined),
    # the page's villages, the audit row (chain head, insert), session save (3)
    with django_assert_max_num_queries(13) as few:
        clerk_client.get(url(kind))
    # session, user, filter units, the rows (one streamed query), the audit row (chain
    # head, insert), session save (3)
    with django_assert_max_num_queries(11) as few_export:
        clerk_client.get(url(kind, "export"))
    add_events(county_admin, kind, 30, start=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = clerk_client.get(url(kind))
    assert len(response.context["page_obj"]) == 31
    with django_assert_max_num_queries(len(few_export.captured_queries)):
        response = clerk_client.get(url(kind, "export"))
    assert len(read_xlsx(response)) == 32
