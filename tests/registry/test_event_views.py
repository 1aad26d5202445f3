"""The registry's entry forms: each renders, refuses bad input in Chinese on the field
at fault, saves through its service, and stays inside the user's jurisdiction."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from famplan.audit.models import AuditEntry
from famplan.common.idnumbers import make_id_number
from famplan.registry.models import (
    Birth,
    Death,
    Household,
    MaritalStatus,
    Marriage,
    Migration,
    MigrationStatus,
    Person,
    PersonStatus,
    ResidenceChange,
)
from famplan.registry.services import (
    PersonData,
    household_create,
    marriage_record,
    migration_in_record,
    migration_out_record,
)
from tests.registry.factories import person

VILLAGE = "620422100001"
SECOND_VILLAGE = "620422100201"
OTHER_VILLAGE = "620422101201"  # 郭城驿镇, other_clerk's township


def url(name: str, *args) -> str:
    return reverse(f"registry:{name}", args=args)


def person_page(p: Person | int) -> str:
    return url("person_detail", p if isinstance(p, int) else p.pk)


def errors(response, field: str = "__all__") -> list[str]:
    assert response.status_code == 200, response.status_code
    return response.context["form"].errors.get(field, [])


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def husband(township_clerk) -> Person:
    return person(township_clerk, name="王强", sex="M", born=date(1988, 3, 1))


@pytest.fixture
def wife(township_clerk) -> Person:
    return person(township_clerk, name="李芳", sex="F", born=date(1990, 6, 1))


@pytest.fixture
def marriage(township_clerk, husband, wife) -> Marriage:
    return marriage_record(
        actor=township_clerk, husband=husband, wife=wife, married_on=date(2015, 5, 1)
    )


@pytest.fixture
def household(township_clerk, husband, wife) -> Household:
    home = household_create(actor=township_clerk, unit_id=VILLAGE, head=husband, address="东关1号")
    Person.objects.filter(pk=wife.pk).update(household=home, relation_to_head="spouse")
    return home


@pytest.fixture
def migration(township_clerk, husband) -> Migration:
    return migration_out_record(
        actor=township_clerk, person=husband, moved_on=date(2024, 3, 1), place="兰州市"
    )


def person_form(**overrides) -> dict[str, str]:
    born = date(1992, 4, 5)
    values = {
        "name": "赵敏",
        "id_number": make_id_number("620422", born, 77, "F"),
        "sex": "F",
        "birth_date": "1992-04-05",
        "unit": VILLAGE,
        "ethnicity": "汉族",
        "hukou_type": "rural",
        "phone": "13900000000",
    }
    values.update(overrides)
    return values


# ---------------------------------------------------------------- permissions


@pytest.mark.parametrize("name", ["person_create", "birth_create", "household_create"])
def test_it_requires_the_edit_capability(client, auditor, facility_user, name):
    for user in (auditor, facility_user):
        client.force_login(user)
        assert client.get(url(name)).status_code == 403


# ---------------------------------------------------------------- people


class TestPersonForms:
    def test_it_renders_the_create_form_with_the_users_villages_only(self, clerk_client):
        response = clerk_client.get(url("person_create"))
        assert response.status_code == 200
        content = response.content.decode()
        assert "新增人员" in content and "东关社区" in content and "南嘴村" in content
        assert "郭城村" not in content

    def test_it_creates_a_person(self, clerk_client, township_clerk):
        response = clerk_client.post(url("person_create"), person_form(registered_on="2020-01-01"))
        created = Person.objects.get(name="赵敏")
        assert response.status_code == 302 and response.url == person_page(created)
        assert flash(response) == ["已登记人员赵敏。"]
        assert (created.unit_id, created.registered_on) == (VILLAGE, date(2020, 1, 1))
        assert created.entered_by == township_clerk
        assert AuditEntry.objects.filter(action="registry.person.created").count() == 1

    def test_it_creates_a_person_without_an_id_number(self, clerk_client):
        response = clerk_client.post(url("person_create"), person_form(id_number=""))
        assert response.status_code == 302
        assert Person.objects.get(name="赵敏").id_number is None

    def test_it_names_the_missing_fields(self, clerk_client):
        response = clerk_client.post(url("person_create"), {"name": ""})
        form_errors = response.context["form"].errors
        assert form_errors["name"] == ["请填写姓名"]
        assert form_errors["sex"] == ["请选择性别"]
        assert form_errors["birth_date"] == ["请填写出生日期"]
        assert form_errors["unit"] == ["请选择所属村(居)"]
        assert "请填写姓名" in response.content.decode()

    def test_it_shows_the_services_refusal_on_the_field(self, clerk_client):
        good = person_form()["id_number"]
        bad = good[:17] + ("1" if good[17] == "0" else "0")
        assert errors(
            clerk_client.post(url("person_create"), person_form(id_number=bad)), "id_number"
        ) == ["身份证号校验位错误"]
        response = clerk_client.post(url("person_create"), person_form(birth_date="1992-04-06"))
        assert "不一致" in errors(response, "birth_date")[0]
        response = clerk_client.post(url("person_create"), person_form(birth_date="1992-13-01"))
        assert errors(response, "birth_date") == ["出生日期格式不正确，应为“年-月-日”"]
        assert not Person.objects.exists()

    def test_it_refuses_a_duplicate_id_number(self, clerk_client, wife):
        response = clerk_client.post(
            url("person_create"),
            person_form(id_number=wife.id_number, birth_date="1990-06-01"),
        )
        assert "已登记" in errors(response, "id_number")[0]
        assert Person.objects.count() == 1

    def test_it_edits_a_person(self, clerk_client, wife):
        response = clerk_client.get(url("person_edit", wife.pk))
        assert response.status_code == 200
        form = response.context["form"]
        assert form.initial["name"] == "李芳" and form.initial["version"] == wife.version
        data = {k: v for k, v in form.initial.items() if v is not None}
        data.update(name="李芳芳", phone="13811112222", birth_date="1990-06-01")
        data["registered_on"] = wife.registered_on.isoformat()
        response = clerk_client.post(url("person_edit", wife.pk), data)
        assert response.status_code == 302 and response.url == person_page(wife)
        wife.refresh_from_db()
        assert (wife.name, wife.phone, wife.version) == ("李芳芳", "13811112222", 2)

    def test_it_refuses_a_stale_edit(self, clerk_client, wife, husband, township_clerk):
        stale = clerk_client.get(url("person_edit", wife.pk)).context["form"].initial
        # Meanwhile a marriage is recorded, moving her record to a new version.
        marriage_record(
            actor=township_clerk, husband=husband, wife=wife, married_on=date(2015, 5, 1)
        )
        data = {k: v for k, v in stale.items() if v is not None}
        data.update(name="覆盖", birth_date="1990-06-01", registered_on="1990-06-01")
        response = clerk_client.post(url("person_edit", wife.pk), data)
        assert "刷新" in errors(response)[0]
        assert "刷新页面" in response.content.decode()
        wife.refresh_from_db()
        assert wife.name == "李芳" and wife.marital_status == MaritalStatus.FIRST_MARRIED

    @pytest.mark.jurisdiction("registry:person_create")
    def test_it_offers_only_villages_in_the_jurisdiction(self, other_client):
        response = other_client.post(url("person_create"), person_form(unit=VILLAGE))
        assert errors(response, "unit") == ["所选村(居)不存在或不在您的管辖范围内"]
        assert not Person.objects.exists()

    @pytest.mark.jurisdiction("registry:person_create")
    def test_it_does_not_find_a_household_of_another_township(self, other_client, household):
        response = other_client.post(
            url("person_create"), person_form(unit=OTHER_VILLAGE, household_number=household.number)
        )
        assert errors(response, "household_number") == [f"未找到户号为{household.number}的户"]
        assert not Person.objects.filter(name="赵敏").exists()


# ---------------------------------------------------------------- 404 outside the jurisdiction

PERSON_URLS = [
    "registry:person_edit",
    "registry:death_create",
    "registry:migration_out_create",
    "registry:residence_change",
    "registry:move_away",
]


# Spelled out: the URL-walking test reads the names from the mark's literal arguments.
@pytest.mark.jurisdiction(
    "registry:person_edit",
    "registry:death_create",
    "registry:migration_out_create",
    "registry:residence_change",
    "registry:move_away",
)
@pytest.mark.parametrize("name", PERSON_URLS)
def test_it_hides_another_townships_person(other_client, clerk_client, wife, name):
    target = reverse(name, args=[wife.pk])
    assert clerk_client.get(target).status_code == 200
    assert other_client.get(target).status_code == 404
    response = other_client.post(
        target, {"died_on": "2024-01-01", "moved_on": "2024-01-01", "place": "兰州", "name": "x"}
    )
    assert response.status_code == 404
    wife.refresh_from_db()
    assert wife.status == PersonStatus.ACTIVE and wife.version == 1
    assert other_client.get(reverse(name, args=[999999])).status_code == 404


@pytest.mark.jurisdiction("registry:divorce_create")
def test_it_hides_another_townships_marriage(other_client, clerk_client, marriage):
    target = url("divorce_create", marriage.pk)
    assert clerk_client.get(target).status_code == 200
    assert other_client.get(target).status_code == 404
    assert other_client.post(target, {"divorced_on": "2020-01-01"}).status_code == 404
    marriage.refresh_from_db()
    assert marriage.ended_on is None


@pytest.mark.jurisdiction("registry:migration_return")
def test_it_hides_another_townships_migration(other_client, clerk_client, migration):
    target = url("migration_return", migration.pk)
    assert clerk_client.get(target).status_code == 200
    assert other_client.get(target).status_code == 404
    assert other_client.post(target, {"returned_on": "2024-09-01"}).status_code == 404
    migration.refresh_from_db()
    assert migration.status == MigrationStatus.ACTIVE


@pytest.mark.jurisdiction("registry:household_split", "registry:household_merge")
@pytest.mark.parametrize("name", ["household_split", "household_merge"])
def test_it_hides_another_townships_household(other_client, clerk_client, household, name):
    target = url(name, household.pk)
    assert clerk_client.get(target).status_code == 200
    assert other_client.get(target).status_code == 404
    assert other_client.post(target, {"changed_on": "2024-01-01"}).status_code == 404
    assert Household.objects.count() == 1


# ---------------------------------------------------------------- births


class TestBirthForm:
    def post(self, client, mother_query="", **overrides):
        values = {
            "child_name": "王小宝",
            "sex": "M",
            "born_on": "2024-01-02",
            "place_type": "hospital",
            "facility": "会宁县妇幼保健院",
            "weight_g": "3300",
        }
        values.update(overrides)
        return client.post(url("birth_create") + mother_query, values)

    def test_it_records_a_birth_by_id_numbers(self, clerk_client, husband, wife, marriage):
        assert clerk_client.get(url("birth_create")).status_code == 200
        response = self.post(
            clerk_client, mother_id_number=wife.id_number, father_id_number=husband.id_number
        )
        record = Birth.objects.get()
        assert response.status_code == 302 and response.url == person_page(record.child_id)
        assert flash(response) == ["已登记王小宝的出生（第1孩）。"]
        assert (record.mother, record.father, record.weight_g) == (wife, husband, 3300)

    def test_it_records_a_birth_from_the_mothers_page(self, clerk_client, township_clerk):
        mother = person(
            township_clerk, name="无证母亲", sex="F", born=date(1995, 1, 1), with_id=False
        )
        page = clerk_client.get(url("birth_create") + f"?mother={mother.pk}")
        assert "无证母亲" in page.content.decode()
        assert "mother_id_number" not in page.context["form"].fields
        response = self.post(clerk_client, f"?mother={mother.pk}")
        record = Birth.objects.get()
        assert response.status_code == 302
        assert record.mother == mother and record.father is None and record.birth_order == 1

    def test_it_names_the_field_at_fault(self, clerk_client, husband, wife):
        response = self.post(clerk_client, mother_id_number=husband.id_number)
        assert errors(response, "mother_id_number") == ["母亲的性别应为女"]
        response = self.post(clerk_client, mother_id_number=wife.id_number, weight_g="50")
        assert errors(response, "weight_g") == ["出生体重应在300至7000克之间"]
        response = self.post(clerk_client, mother_id_number=wife.id_number, born_on="")
        assert errors(response, "born_on") == ["请填写出生日期"]
        response = self.post(clerk_client, mother_id_number="123")
        assert errors(response, "mother_id_number") == ["身份证号应为18位，实际为3位"]
        assert not Birth.objects.exists() and Person.objects.count() == 2

    @pytest.mark.jurisdiction("registry:birth_create")
    def test_it_does_not_find_a_mother_of_another_township(self, other_client, wife):
        response = self.post(other_client, mother_id_number=wife.id_number)
        assert errors(response, "mother_id_number") == [f"未找到身份证号为{wife.id_number}的人员"]
        assert "未找到" in response.content.decode()
        # Exactly as for an ID number nobody has.
        nobody = make_id_number("620422", date(1991, 1, 1), 3, "F")
        response = self.post(other_client, mother_id_number=nobody)
        assert errors(response, "mother_id_number") == [f"未找到身份证号为{nobody}的人员"]
        assert other_client.get(url("birth_create") + f"?mother={wife.pk}").status_code == 404
        assert self.post(other_client, f"?mother={wife.pk}").status_code == 404
        assert not Birth.objects.exists()

    @pytest.mark.jurisdiction("registry:birth_create")
    def test_it_does_not_find_a_father_of_another_township(
        self, other_clerk, other_client, husband
    ):
        mother = person(
            other_clerk, name="郭女", sex="F", born=date(1993, 1, 1), unit=OTHER_VILLAGE
        )
        response = self.post(
            other_client, mother_id_number=mother.id_number, father_id_number=husband.id_number
        )
        assert errors(response, "father_id_number") == [
            f"未找到身份证号为{husband.id_number}的人员"
        ]
        assert not Birth.objects.exists()


# ---------------------------------------------------------------- deaths, marriages


class TestDeathAndMarriageForms:
    def test_it_records_a_death(self, clerk_client, husband, wife, marriage):
        response = clerk_client.post(
            url("death_create", husband.pk), {"died_on": "2024-02-02", "cause": "病故"}
        )
        assert response.status_code == 302 and response.url == person_page(husband)
        assert flash(response) == ["已登记王强的死亡。"]
        assert Death.objects.get().cause == "病故"
        wife.refresh_from_db()
        assert wife.marital_status == MaritalStatus.WIDOWED

    def test_it_refuses_a_death_before_birth_and_a_second_death(self, clerk_client, husband):
        response = clerk_client.post(url("death_create", husband.pk), {"died_on": "1980-01-01"})
        assert errors(response, "died_on") == ["死亡日期早于出生日期"]
        clerk_client.post(url("death_create", husband.pk), {"died_on": "2024-01-01"})
        response = clerk_client.post(url("death_create", husband.pk), {"died_on": "2024-01-02"})
        assert errors(response) == ["王强的死亡已登记"]
        assert Death.objects.count() == 1

    def test_it_records_a_marriage_by_id_numbers(self, clerk_client, husband, wife):
        assert clerk_client.get(url("marriage_create")).status_code == 200
        response = clerk_client.post(
            url("marriage_create"),
            {
                "husband_id_number": husband.id_number,
                "wife_id_number": wife.id_number,
                "married_on": "2015-05-01",
            },
        )
        assert response.status_code == 302 and response.url == person_page(wife)
        assert flash(response) == ["已登记王强与李芳的婚姻（初婚）。"]
        assert Marriage.objects.get().kind == "first"

    def test_it_records_a_marriage_from_a_persons_page(self, clerk_client, husband, wife):
        page = clerk_client.get(url("marriage_create") + f"?person={husband.pk}")
        assert list(page.context["form"].fields) == ["wife_id_number", "married_on"]
        response = clerk_client.post(
            url("marriage_create") + f"?person={husband.pk}",
            {"wife_id_number": wife.id_number, "married_on": "2015-05-01"},
        )
        assert response.status_code == 302 and response.url == person_page(husband)
        assert Marriage.objects.get().husband == husband

    def test_it_refuses_an_underage_marriage_on_the_spouses_field(
        self, clerk_client, township_clerk, wife
    ):
        young = person(township_clerk, name="小伙", sex="M", born=date(2004, 1, 1))
        response = clerk_client.post(
            url("marriage_create"),
            {
                "husband_id_number": young.id_number,
                "wife_id_number": wife.id_number,
                "married_on": "2024-06-01",
            },
        )
        assert errors(response, "husband_id_number") == ["小伙结婚时未满法定婚龄22岁"]
        assert not Marriage.objects.exists()

    @pytest.mark.jurisdiction("registry:marriage_create")
    def test_it_does_not_find_spouses_of_another_township(
        self, other_client, other_clerk, husband, wife
    ):
        local_man = person(
            other_clerk, name="郭男", sex="M", born=date(1990, 1, 1), unit=OTHER_VILLAGE
        )
        response = other_client.post(
            url("marriage_create"),
            {
                "husband_id_number": local_man.id_number,
                "wife_id_number": wife.id_number,
                "married_on": "2016-01-01",
            },
        )
        assert errors(response, "wife_id_number") == [f"未找到身份证号为{wife.id_number}的人员"]
        assert other_client.get(url("marriage_create") + f"?person={husband.pk}").status_code == 404
        assert not Marriage.objects.exists()

    def test_it_records_a_divorce(self, clerk_client, marriage, husband):
        page = clerk_client.get(url("divorce_create", marriage.pk))
        assert "王强 与 李芳" in page.content.decode()
        response = clerk_client.post(
            url("divorce_create", marriage.pk), {"divorced_on": "2014-01-01"}
        )
        assert errors(response, "divorced_on") == ["离婚日期早于结婚日期"]
        response = clerk_client.post(
            url("divorce_create", marriage.pk), {"divorced_on": "2020-01-01"}
        )
        assert response.status_code == 302
        marriage.refresh_from_db()
        husband.refresh_from_db()
        assert marriage.end_cause == "divorce" and husband.marital_status == MaritalStatus.DIVORCED
        response = clerk_client.post(
            url("divorce_create", marriage.pk), {"divorced_on": "2021-01-01"}
        )
        assert errors(response) == ["该婚姻已终止"]


# ---------------------------------------------------------------- migrations and moves


class TestMigrationForms:
    def test_it_records_a_migration_out_and_the_return(self, clerk_client, husband):
        response = clerk_client.post(
            url("migration_out_create", husband.pk), {"moved_on": "2024-03-01"}
        )
        assert errors(response, "place") == ["请填写流入地"]
        response = clerk_client.post(
            url("migration_out_create", husband.pk),
            {"moved_on": "2024-03-01", "place": "兰州市", "employer": "某厂"},
        )
        assert response.status_code == 302 and response.url == person_page(husband)
        out = Migration.objects.get()
        husband.refresh_from_db()
        assert husband.status == PersonStatus.AWAY and out.employer == "某厂"
        response = clerk_client.post(url("migration_return", out.pk), {"returned_on": "2024-01-01"})
        assert errors(response, "returned_on") == ["日期早于流动日期"]
        response = clerk_client.post(url("migration_return", out.pk), {"returned_on": "2024-09-01"})
        assert response.status_code == 302 and flash(response)[-1] == "已登记王强返回。"
        husband.refresh_from_db()
        assert husband.status == PersonStatus.ACTIVE

    def test_it_records_a_migrant_in(self, clerk_client):
        assert clerk_client.get(url("migration_in_create")).status_code == 200
        response = clerk_client.post(
            url("migration_in_create"),
            person_form(moved_on="2024-03-01", place="定西市安定区", contact_phone="13700000000"),
        )
        assert response.status_code == 302
        newcomer = Person.objects.get(name="赵敏")
        assert response.url == person_page(newcomer)
        assert newcomer.registered_on == date(2024, 3, 1)
        assert Migration.objects.get().direction == "in"

    def test_it_refuses_a_migrant_in_already_registered(self, clerk_client, wife):
        response = clerk_client.post(
            url("migration_in_create"),
            person_form(
                id_number=wife.id_number,
                birth_date="1990-06-01",
                moved_on="2024-03-01",
                place="定西",
            ),
        )
        assert "居住地变更" in errors(response, "id_number")[0]
        response = clerk_client.post(
            url("migration_in_create"),
            person_form(id_number="", moved_on="1980-01-01", place="定西"),
        )
        assert errors(response, "moved_on") == ["流入日期早于出生日期"]
        assert not Migration.objects.exists()

    @pytest.mark.jurisdiction("registry:migration_in_create")
    def test_it_offers_a_migrant_in_only_the_users_villages(self, other_client):
        response = other_client.post(
            url("migration_in_create"),
            person_form(unit=VILLAGE, moved_on="2024-03-01", place="定西"),
        )
        assert errors(response, "unit") == ["所选村(居)不存在或不在您的管辖范围内"]
        assert not Person.objects.exists()

    def test_it_changes_the_residence(self, clerk_client, wife, township_clerk):
        new_home = household_create(actor=township_clerk, unit_id=SECOND_VILLAGE)
        response = clerk_client.post(
            url("residence_change", wife.pk),
            {"to_unit": VILLAGE, "moved_on": "2024-05-01"},
        )
        assert errors(response, "to_unit") == ["新居住地与原居住地相同"]
        response = clerk_client.post(
            url("residence_change", wife.pk),
            {
                "to_unit": SECOND_VILLAGE,
                "moved_on": "2024-05-01",
                "household_number": new_home.number,
            },
        )
        assert response.status_code == 302 and flash(response) == ["李芳已迁至南嘴村。"]
        wife.refresh_from_db()
        assert wife.unit_id == SECOND_VILLAGE and wife.household_id == new_home.pk

    @pytest.mark.jurisdiction("registry:residence_change")
    def test_it_refuses_a_village_of_another_township(self, clerk_client, wife):
        response = clerk_client.post(
            url("residence_change", wife.pk), {"to_unit": OTHER_VILLAGE, "moved_on": "2024-05-01"}
        )
        assert errors(response, "to_unit") == ["所选村(居)不存在或不在您的管辖范围内"]
        assert not ResidenceChange.objects.exists()

    def test_it_records_a_move_away(self, clerk_client, wife):
        response = clerk_client.post(url("move_away", wife.pk), {"moved_on": "2024-05-01"})
        assert errors(response, "place") == ["请填写迁往地"]
        response = clerk_client.post(
            url("move_away", wife.pk), {"moved_on": "2024-05-01", "place": "兰州市城关区"}
        )
        assert response.status_code == 302 and response.url == person_page(wife)
        wife.refresh_from_db()
        assert (wife.status, wife.left_on) == (PersonStatus.MOVED_OUT, date(2024, 5, 1))
        response = clerk_client.post(
            url("move_away", wife.pk), {"moved_on": "2024-06-01", "place": "兰州"}
        )
        assert "已迁出" in errors(response)[0]


# ---------------------------------------------------------------- households


class TestHouseholdForms:
    def test_it_creates_a_household(self, clerk_client, husband):
        assert clerk_client.get(url("household_create")).status_code == 200
        response = clerk_client.post(
            url("household_create"),
            {"unit": VILLAGE, "address": "东关2号", "head_id_number": husband.id_number},
        )
        created = Household.objects.get()
        assert response.status_code == 302
        assert response.url == url("household_detail", created.pk)
        assert created.number == f"{VILLAGE}0001" and created.head == husband

    def test_it_refuses_a_head_from_another_village(self, clerk_client, husband):
        response = clerk_client.post(
            url("household_create"), {"unit": SECOND_VILLAGE, "head_id_number": husband.id_number}
        )
        assert errors(response, "head_id_number") == ["户主须为本村(居)人员"]
        assert not Household.objects.exists()

    @pytest.mark.jurisdiction("registry:household_create")
    def test_it_stays_inside_the_jurisdiction_when_creating(self, other_client, husband):
        response = other_client.post(url("household_create"), {"unit": VILLAGE})
        assert errors(response, "unit") == ["所选村(居)不存在或不在您的管辖范围内"]
        response = other_client.post(
            url("household_create"), {"unit": OTHER_VILLAGE, "head_id_number": husband.id_number}
        )
        assert errors(response, "head_id_number") == [f"未找到身份证号为{husband.id_number}的人员"]
        assert not Household.objects.exists()

    def test_it_splits_a_household(self, clerk_client, township_clerk, household, husband, wife):
        son = person(township_clerk, name="儿子", sex="M", born=date(2010, 1, 1))
        Person.objects.filter(pk=son.pk).update(household=household)
        page = clerk_client.get(url("household_split", household.pk))
        assert "儿子" in page.content.decode() and 'type="checkbox"' in page.content.decode()
        response = clerk_client.post(
            url("household_split", household.pk),
            {"members": [wife.pk, son.pk], "new_head": husband.pk, "changed_on": "2024-01-01"},
        )
        assert errors(response, "new_head") == ["新户主须是分出的成员之一"]
        response = clerk_client.post(
            url("household_split", household.pk), {"changed_on": "2024-01-01"}
        )
        assert errors(response, "members") == ["请选择分出的成员"]
        response = clerk_client.post(
            url("household_split", household.pk),
            {"members": [wife.pk, son.pk], "new_head": wife.pk, "changed_on": "2024-01-01"},
        )
        new = Household.objects.exclude(pk=household.pk).get()
        assert response.status_code == 302 and response.url == url("household_detail", new.pk)
        assert new.head == wife and set(new.members.all()) == {wife, son}

    def test_it_refuses_a_stranger_as_a_member(self, clerk_client, township_clerk, household, wife):
        stranger = person(township_clerk, name="外人")
        response = clerk_client.post(
            url("household_split", household.pk),
            {"members": [stranger.pk], "new_head": stranger.pk, "changed_on": "2024-01-01"},
        )
        assert errors(response, "members") == ["所选成员不属于该户"]
        assert Household.objects.count() == 1

    def test_it_merges_households(self, clerk_client, township_clerk, household):
        single = person(township_clerk, name="独居", sex="M", born=date(1950, 1, 1))
        other = household_create(actor=township_clerk, unit_id=VILLAGE, head=single)
        response = clerk_client.post(
            url("household_merge", other.pk),
            {"target_number": other.number, "changed_on": "2024-02-02"},
        )
        assert errors(response, "target_number") == ["不能与本户合并"]
        response = clerk_client.post(
            url("household_merge", other.pk),
            {"target_number": household.number, "changed_on": "2024-02-02"},
        )
        assert response.status_code == 302 and response.url == url("household_detail", household.pk)
        other.refresh_from_db()
        single.refresh_from_db()
        assert other.dissolved_on == date(2024, 2, 2) and single.household == household

    @pytest.mark.jurisdiction("registry:household_merge")
    def test_it_does_not_find_a_household_of_another_township(
        self, other_client, other_clerk, household
    ):
        theirs = household_create(actor=other_clerk, unit_id=OTHER_VILLAGE)
        response = other_client.post(
            url("household_merge", theirs.pk),
            {"target_number": household.number, "changed_on": "2024-02-02"},
        )
        assert errors(response, "target_number") == [f"未找到户号为{household.number}的户"]
        theirs.refresh_from_db()
        assert theirs.dissolved_on is None


def test_it_registers_a_migrant_in_through_the_service_once(township_clerk):
    # The form and the service agree on one audit row per entry, also for people
    # created as part of an event.
    migration_in_record(
        actor=township_clerk,
        data=PersonData(name="来人", sex="M", birth_date=date(1990, 1, 1), unit_id=VILLAGE),
        moved_on=date(2024, 1, 1),
        place="定西",
    )
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["registry.migration.in"]
