"""Entering and editing a person. The ID number's facts are checked by the service."""

from __future__ import annotations

from typing import Any

from django import forms

from famplan.registry.forms import (
    HouseholdByNumberField,
    IdNumberField,
    ServiceForm,
    date_input,
    village_field,
)
from famplan.registry.models import (
    DisabilityGrade,
    Ethnicity,
    HukouType,
    MaritalStatus,
    Person,
    Relation,
    Sex,
)
from famplan.registry.services import PersonData, person_create, person_update


def blank(label: str, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", label), *choices]


class PersonFieldsForm(ServiceForm):
    """A person's own facts, shared by entering a person and a migrant in."""

    field_map = {"household": "household_number"}

    name = forms.CharField(label="姓名", max_length=50)
    id_number = IdNumberField(
        label="身份证号",
        required=False,
        help_text="18位，最后一位可为X（15位的第一代号码自动换算）；无身份证号的可不填",
    )
    sex = forms.ChoiceField(label="性别", choices=blank("请选择", Sex.choices))
    birth_date = forms.DateField(label="出生日期", widget=date_input())
    ethnicity = forms.ChoiceField(
        label="民族", choices=blank("未填", Ethnicity.choices), required=False
    )
    hukou_type = forms.ChoiceField(
        label="户口性质", choices=blank("未填", HukouType.choices), required=False
    )
    household_number = HouseholdByNumberField(label="户号", required=False)
    relation_to_head = forms.ChoiceField(
        label="与户主关系", choices=blank("未填", Relation.choices), required=False
    )
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    disability_grade = forms.TypedChoiceField(
        label="残疾等级",
        choices=blank("无", [(str(v), label) for v, label in DisabilityGrade.choices]),
        coerce=int,
        empty_value=None,
        required=False,
        help_text="按残疾人证填写；计划生育家庭特别扶助读取此项",
    )
    one_child_certificate_on = forms.DateField(
        label="独生子女父母光荣证领证日期", widget=date_input(), required=False
    )

    def person_data(self, unit_id: str, **extra: Any) -> PersonData:
        data = self.cleaned_data
        household = data.get("household_number")
        return PersonData(
            name=data["name"].strip(),
            sex=data["sex"],
            birth_date=data["birth_date"],
            unit_id=unit_id,
            id_number=data.get("id_number") or None,
            ethnicity=data.get("ethnicity") or "",
            hukou_type=data.get("hukou_type") or "",
            household_id=household.pk if household else None,
            relation_to_head=data.get("relation_to_head") or "",
            phone=data.get("phone") or "",
            disability_grade=data.get("disability_grade"),
            one_child_certificate_on=data.get("one_child_certificate_on"),
            **extra,
        )


class PersonCreateForm(PersonFieldsForm):
    field_map = {"household": "household_number"}

    marital_status = forms.ChoiceField(
        label="婚姻状况", choices=blank("未填", MaritalStatus.choices), required=False
    )
    registered_on = forms.DateField(
        label="登记日期",
        widget=date_input(),
        required=False,
        help_text="在本村(居)登记的日期（出生或迁入）；不填为今天",
    )

    def setup(self) -> None:
        super().setup()
        self.fields["unit"] = village_field(self.user)
        self.order_fields(["name", "id_number", "sex", "birth_date", "unit"])

    def perform(self) -> Person:
        data = self.cleaned_data
        return person_create(
            actor=self.user,
            data=self.person_data(
                data["unit"].code,
                marital_status=data.get("marital_status") or "",
                registered_on=data.get("registered_on"),
            ),
        )


class PersonEditForm(PersonCreateForm):
    """Edits of a person's facts. The village changes only through a residence change
    (which keeps its history); `version` refuses an edit overtaken by another save."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        self.person = person
        kwargs.setdefault("initial", initial_for(person))
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        ServiceForm.setup(self)
        # The full number never travels in the form: seeing it is a right of its own
        # (ID_UNMASK, audited on the person page). Blank keeps the number on file.
        self.fields[
            "id_number"
        ].help_text = (
            f"当前：{self.person.id_masked or '未登记'}。更正时填写完整的新号码，不修改请留空"
        )
        self.fields["household_number"].households = self.fields[
            "household_number"
        ].households.filter(unit_id=self.person.unit_id)

    def perform(self) -> Person:
        data = self.cleaned_data
        person_data = self.person_data(
            self.person.unit_id,
            marital_status=data.get("marital_status") or "",
            registered_on=data.get("registered_on") or self.person.registered_on,
        )
        person_data.id_number = person_data.id_number or self.person.id_number
        return person_update(
            actor=self.user, person=self.person, data=person_data, version=data["version"]
        )


def initial_for(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "ethnicity": person.ethnicity,
        "hukou_type": person.hukou_type,
        "household_number": person.household.number if person.household_id else "",
        "relation_to_head": person.relation_to_head,
        "marital_status": person.marital_status,
        "phone": person.phone,
        "disability_grade": person.disability_grade,
        "one_child_certificate_on": person.one_child_certificate_on,
        "registered_on": person.registered_on,
        "version": person.version,
    }
