"""Typed-input safety on the registry's pages: ID numbers in full-width, with an Excel
apostrophe or a non-standard digit, 15-digit numbers, very old birth dates, control and
invisible characters. Driven through the views, as a clerk's browser would."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from famplan.common.dates import TOO_EARLY_MESSAGE
from famplan.common.idnumbers import FIRST_GENERATION_REFUSED, make_id_number
from famplan.registry.models import Birth, Person
from famplan.registry.services import PersonData, person_create
from famplan.registry.services.people import FieldError
from tests.registry.factories import person
from tests.registry.test_event_views import errors, person_form, url

LIST = reverse("registry:person_list")
VILLAGE = "620422100001"
SUPERSCRIPT_MESSAGE = "身份证号含有非标准数字“²”（第18位），请用半角数字0-9填写"


def full_width(value: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in value)


def first_generation(number: str) -> str:
    return number[:6] + number[8:17]


@pytest.fixture
def wife(township_clerk) -> Person:
    return person(township_clerk, name="李芳", sex="F", born=date(1990, 6, 1))


# ---------------------------------------------------------------- the search box


class TestSearchBox:
    def found(self, client, typed: str) -> list[str]:
        response = client.get(LIST, {"id_number": typed})
        assert response.status_code == 200
        return [p.name for p in response.context["page_obj"]]

    def test_it_finds_a_person_by_any_typed_form_of_the_number(self, clerk_client, wife):
        number = wife.id_number
        for typed in (full_width(number), "'" + number, f"\u3000{number}\xa0", number.lower()):
            assert self.found(clerk_client, typed) == ["李芳"], typed
        assert self.found(clerk_client, first_generation(number)) == ["李芳"]

    def test_it_explains_a_non_standard_digit_instead_of_failing(self, clerk_client, wife):
        response = clerk_client.get(LIST, {"id_number": wife.id_number[:17] + "²"})
        assert response.status_code == 200
        assert response.context["form"].errors["id_number"] == [SUPERSCRIPT_MESSAGE]
        assert SUPERSCRIPT_MESSAGE in response.content.decode()
        assert list(response.context["page_obj"]) == []


# ---------------------------------------------------------------- the person form


class TestPersonForm:
    def test_it_refuses_a_full_width_copy_of_a_registered_person(self, clerk_client, wife):
        response = clerk_client.post(
            url("person_create"),
            person_form(name="李芳", id_number=full_width(wife.id_number), birth_date="1990-06-01"),
        )
        assert errors(response, "id_number") == [f"身份证号{wife.id_number}已登记"]
        assert Person.objects.count() == 1

    def test_it_stores_an_apostrophe_number_in_the_plain_form(self, clerk_client):
        number = person_form()["id_number"]
        response = clerk_client.post(url("person_create"), person_form(id_number=f"'{number} "))
        assert response.status_code == 302
        assert Person.objects.get().id_number == number

    def test_it_explains_a_non_standard_digit_instead_of_failing(self, clerk_client):
        number = person_form()["id_number"]
        response = clerk_client.post(url("person_create"), person_form(id_number=number[:17] + "²"))
        assert errors(response, "id_number") == [SUPERSCRIPT_MESSAGE]
        assert not Person.objects.exists()

    def test_it_converts_an_agreeing_15_digit_number(self, clerk_client):
        number = person_form()["id_number"]
        old = first_generation(number)
        response = clerk_client.post(
            url("person_create"), person_form(id_number=old, birth_date="1992-04-06")
        )
        assert errors(response, "id_number") == [
            "15位第一代身份证号中的出生日期1992-04-05与所填的1992-04-06不一致，无法换算为18位号码"
        ]
        response = clerk_client.post(url("person_create"), person_form(id_number=old, sex="M"))
        assert errors(response, "id_number")[0].startswith("15位第一代身份证号末位表示的性别")
        assert not Person.objects.exists()
        response = clerk_client.post(url("person_create"), person_form(id_number=old))
        assert response.status_code == 302
        assert Person.objects.get().id_number == number

    def test_it_accepts_a_person_born_in_1880(self, clerk_client):
        born = date(1880, 5, 17)
        number = make_id_number("620422", born, 8, "F")
        response = clerk_client.post(
            url("person_create"),
            person_form(id_number=number, birth_date="1880-05-17", registered_on="1950-01-01"),
        )
        assert response.status_code == 302
        assert Person.objects.get().birth_date == born

    def test_it_refuses_a_birth_date_before_the_earliest_with_the_shared_message(
        self, clerk_client
    ):
        response = clerk_client.post(
            url("person_create"), person_form(id_number="", birth_date="1849-12-31")
        )
        assert errors(response, "birth_date") == [TOO_EARLY_MESSAGE]
        assert not Person.objects.exists()

    def test_it_refuses_control_characters_and_invisible_names(self, clerk_client):
        response = clerk_client.post(url("person_create"), person_form(name="赵\x01敏"))
        assert errors(response, "name") == ["含有不可见的控制字符（U+0001），请删除后重新填写"]
        response = clerk_client.post(url("person_create"), person_form(name="\u200b\u200b"))
        assert errors(response, "name") == ["不能只由空格或不可见字符组成"]
        response = clerk_client.post(url("person_create"), person_form(phone="139\u202e0000"))
        assert errors(response, "phone") == ["含有不可见的控制字符（U+202E），请删除后重新填写"]
        assert not Person.objects.exists()


# ---------------------------------------------------------------- the birth form


class TestBirthForm:
    def post(self, client, **overrides):
        values = {
            "child_name": "王小宝",
            "sex": "M",
            "born_on": "2024-01-02",
            "place_type": "hospital",
            "weight_g": "3300",
        }
        values.update(overrides)
        return client.post(url("birth_create"), values)

    def test_it_finds_the_mother_by_her_full_width_number(self, clerk_client, wife):
        response = self.post(clerk_client, mother_id_number=full_width(wife.id_number))
        assert response.status_code == 302
        assert Birth.objects.get().mother == wife

    def test_it_explains_a_non_standard_digit_instead_of_failing(self, clerk_client, wife):
        response = self.post(clerk_client, mother_id_number=wife.id_number[:17] + "²")
        assert errors(response, "mother_id_number") == [SUPERSCRIPT_MESSAGE]
        child = make_id_number("620422", date(2024, 1, 2), 5, "M")
        response = self.post(
            clerk_client, mother_id_number=wife.id_number, child_id_number=child[:17] + "²"
        )
        assert errors(response, "child_id_number") == [SUPERSCRIPT_MESSAGE]
        assert not Birth.objects.exists()

    def test_it_refuses_a_15_digit_number_to_find_the_mother(self, clerk_client, wife):
        response = self.post(clerk_client, mother_id_number=first_generation(wife.id_number))
        assert errors(response, "mother_id_number") == [FIRST_GENERATION_REFUSED]
        assert not Birth.objects.exists()

    def test_it_stores_the_childs_full_width_number_in_the_plain_form(self, clerk_client, wife):
        child = make_id_number("620422", date(2024, 1, 2), 5, "M")
        response = self.post(
            clerk_client, mother_id_number=wife.id_number, child_id_number=full_width(child)
        )
        assert response.status_code == 302
        assert Birth.objects.get().child.id_number == child

    def test_it_refuses_a_birth_before_the_earliest_date(self, clerk_client, wife):
        response = self.post(clerk_client, mother_id_number=wife.id_number, born_on="1849-01-01")
        assert errors(response, "born_on") == [TOO_EARLY_MESSAGE]


# ---------------------------------------------------------------- the service


def data_for(**overrides) -> PersonData:
    values = dict(name="百岁", sex="F", birth_date=date(1880, 5, 17), unit_id=VILLAGE)
    values.update(overrides)
    return PersonData(**values)


def test_the_service_accepts_1880_and_refuses_a_date_before_the_earliest(township_clerk):
    number = make_id_number("620422", date(1880, 5, 17), 9, "F")
    created = person_create(actor=township_clerk, data=data_for(id_number=number))
    assert (created.birth_date, created.id_number) == (date(1880, 5, 17), number)
    with pytest.raises(FieldError) as caught:
        person_create(actor=township_clerk, data=data_for(birth_date=date(1849, 12, 31)))
    assert (caught.value.field, caught.value.message) == ("birth_date", TOO_EARLY_MESSAGE)


def test_the_service_normalises_and_converts_like_the_forms(township_clerk):
    number = make_id_number("620422", date(1950, 2, 3), 10, "M")
    old = first_generation(number)
    created = person_create(
        actor=township_clerk, data=data_for(sex="M", birth_date=date(1950, 2, 3), id_number=old)
    )
    assert created.id_number == number
    with pytest.raises(FieldError) as caught:
        person_create(
            actor=township_clerk,
            data=data_for(sex="M", birth_date=date(1950, 2, 3), id_number=full_width(number)),
        )
    assert caught.value.message == f"身份证号{number}已登记"


def test_the_marriage_form_finds_both_spouses_by_typed_forms_of_their_numbers(
    clerk_client, township_clerk, wife
):
    from famplan.registry.models import Marriage

    husband = person(township_clerk, name="王强", sex="M", born=date(1988, 3, 1))
    response = clerk_client.post(
        url("marriage_create"),
        {
            "husband_id_number": "'" + full_width(husband.id_number),
            "wife_id_number": f"\u3000{wife.id_number.lower()} ",
            "married_on": "2015-05-01",
        },
    )
    assert response.status_code == 302
    assert Marriage.objects.get().husband == husband
    response = clerk_client.post(
        url("marriage_create"),
        {"husband_id_number": husband.id_number[:17] + "٣", "married_on": "2016-05-01"},
    )
    assert errors(response, "husband_id_number")[0].startswith("身份证号含有非标准数字“٣”")
