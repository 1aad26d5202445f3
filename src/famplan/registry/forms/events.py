"""Forms for life events and household changes. Each calls one registry service; people
named by ID number are found only inside the user's jurisdiction."""

from __future__ import annotations

from typing import Any

from django import forms

from famplan.registry.forms import (
    HouseholdByNumberField,
    IdNumberField,
    PersonByIdField,
    ServiceForm,
    date_input,
    village_field,
)
from famplan.registry.forms.people import PersonFieldsForm, blank
from famplan.registry.models import (
    Birth,
    BirthPlace,
    Death,
    Household,
    Marriage,
    Migration,
    Person,
    ResidenceChange,
    Sex,
)
from famplan.registry.selectors import people_for_user
from famplan.registry.services import (
    birth_record,
    death_record,
    divorce_record,
    household_create,
    household_merge,
    household_split,
    marriage_record,
    migration_in_record,
    migration_out_record,
    migration_return_record,
    move_away_record,
    residence_change_record,
)


class BirthForm(ServiceForm):
    field_map = {
        "mother": "mother_id_number",
        "father": "father_id_number",
        "name": "child_name",
        "birth_date": "born_on",
        "registered_on": "born_on",
        "id_number": "child_id_number",
    }

    mother_id_number = PersonByIdField(label="母亲身份证号")
    father_id_number = PersonByIdField(
        label="父亲身份证号", required=False, help_text="父亲不详的可不填"
    )
    child_name = forms.CharField(label="婴儿姓名", max_length=50)
    sex = forms.ChoiceField(label="性别", choices=blank("请选择", Sex.choices))
    born_on = forms.DateField(label="出生日期", widget=date_input())
    place_type = forms.ChoiceField(label="出生地点", choices=blank("请选择", BirthPlace.choices))
    facility = forms.CharField(label="助产机构", max_length=100, required=False)
    weight_g = forms.IntegerField(label="出生体重(克)", required=False)
    child_id_number = IdNumberField(
        label="婴儿身份证号", required=False, help_text="已办理的可填写"
    )

    def __init__(self, *args: Any, mother: Person | None = None, **kwargs: Any) -> None:
        self.mother = mother
        super().__init__(*args, **kwargs)
        if mother is not None:
            # Chosen on her own page (she may have no ID number): not asked again.
            del self.fields["mother_id_number"]

    def perform(self) -> Birth:
        data = self.cleaned_data
        return birth_record(
            actor=self.user,
            mother=self.mother or data["mother_id_number"],
            father=data.get("father_id_number"),
            child_name=data["child_name"].strip(),
            sex=data["sex"],
            born_on=data["born_on"],
            place_type=data["place_type"],
            facility=data.get("facility") or "",
            weight_g=data.get("weight_g"),
            child_id_number=data.get("child_id_number") or None,
        )


class DeathForm(ServiceForm):
    died_on = forms.DateField(label="死亡日期", widget=date_input())
    cause = forms.CharField(label="死亡原因", max_length=100, required=False)
    place = forms.CharField(label="死亡地点", max_length=100, required=False)

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        self.person = person
        super().__init__(*args, **kwargs)

    def perform(self) -> Death:
        data = self.cleaned_data
        return death_record(
            actor=self.user,
            person=self.person,
            died_on=data["died_on"],
            cause=data.get("cause") or "",
            place=data.get("place") or "",
        )


class MarriageForm(ServiceForm):
    field_map = {"husband": "husband_id_number", "wife": "wife_id_number"}

    husband_id_number = PersonByIdField(label="丈夫身份证号")
    wife_id_number = PersonByIdField(label="妻子身份证号")
    married_on = forms.DateField(label="结婚日期", widget=date_input())

    def __init__(self, *args: Any, person: Person | None = None, **kwargs: Any) -> None:
        # Opened from a person's page: that person is one spouse, by their sex.
        self.fixed = person
        super().__init__(*args, **kwargs)
        if person is not None:
            del self.fields["husband_id_number" if person.sex == Sex.MALE else "wife_id_number"]

    def perform(self) -> Marriage:
        data = self.cleaned_data
        husband, wife = data.get("husband_id_number"), data.get("wife_id_number")
        if self.fixed is not None:
            if self.fixed.sex == Sex.MALE:
                husband = self.fixed
            else:
                wife = self.fixed
        return marriage_record(
            actor=self.user, husband=husband, wife=wife, married_on=data["married_on"]
        )


class DivorceForm(ServiceForm):
    divorced_on = forms.DateField(label="离婚日期", widget=date_input())

    def __init__(self, *args: Any, marriage: Marriage, **kwargs: Any) -> None:
        self.marriage = marriage
        super().__init__(*args, **kwargs)

    def perform(self) -> Marriage:
        return divorce_record(
            actor=self.user, marriage=self.marriage, divorced_on=self.cleaned_data["divorced_on"]
        )


class MigrationOutForm(ServiceForm):
    moved_on = forms.DateField(label="流出日期", widget=date_input())
    place = forms.CharField(label="流入地", max_length=200)
    employer = forms.CharField(label="工作单位", max_length=100, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False)

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        self.person = person
        super().__init__(*args, **kwargs)

    def perform(self) -> Migration:
        data = self.cleaned_data
        return migration_out_record(
            actor=self.user,
            person=self.person,
            moved_on=data["moved_on"],
            place=data["place"],
            employer=data.get("employer") or "",
            contact_phone=data.get("contact_phone") or "",
        )


class MigrationInForm(PersonFieldsForm):
    """A newcomer's own facts, the village they now live in, and where they came from."""

    field_map = {"household": "household_number", "registered_on": "moved_on"}

    moved_on = forms.DateField(label="流入日期", widget=date_input())
    place = forms.CharField(label="流出地（户籍地）", max_length=200)
    employer = forms.CharField(label="工作单位", max_length=100, required=False)
    contact_phone = forms.CharField(label="联系人电话", max_length=20, required=False)

    def setup(self) -> None:
        super().setup()
        self.fields["unit"] = village_field(self.user, label="现居住村(居)")
        self.order_fields(["name", "id_number", "sex", "birth_date", "unit"])

    def perform(self) -> Migration:
        data = self.cleaned_data
        return migration_in_record(
            actor=self.user,
            data=self.person_data(data["unit"].code),
            moved_on=data["moved_on"],
            place=data["place"],
            employer=data.get("employer") or "",
            contact_phone=data.get("contact_phone") or "",
        )


class MigrationReturnForm(ServiceForm):
    returned_on = forms.DateField(label="返回/离开日期", widget=date_input())

    def __init__(self, *args: Any, migration: Migration, **kwargs: Any) -> None:
        self.migration = migration
        super().__init__(*args, **kwargs)

    def perform(self) -> Migration:
        return migration_return_record(
            actor=self.user, migration=self.migration, returned_on=self.cleaned_data["returned_on"]
        )


class ResidenceChangeForm(ServiceForm):
    field_map = {"household": "household_number"}

    to_unit = forms.Field(label="新居住村(居)")  # replaced in setup by the user's villages
    moved_on = forms.DateField(label="变更日期", widget=date_input())
    household_number = HouseholdByNumberField(
        label="加入户号", required=False, help_text="新居住地的户，可不填"
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        self.person = person
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        super().setup()
        self.fields["to_unit"] = village_field(self.user, label="新居住村(居)")
        self.order_fields(["to_unit", "moved_on", "household_number"])

    def perform(self) -> ResidenceChange:
        data = self.cleaned_data
        household = data.get("household_number")
        return residence_change_record(
            actor=self.user,
            person=self.person,
            to_unit_id=data["to_unit"].code,
            moved_on=data["moved_on"],
            household_id=household.pk if household else None,
        )


class MoveAwayForm(ServiceForm):
    moved_on = forms.DateField(label="迁出日期", widget=date_input())
    place = forms.CharField(label="迁往地", max_length=200)

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        self.person = person
        super().__init__(*args, **kwargs)

    def perform(self) -> ResidenceChange:
        data = self.cleaned_data
        return move_away_record(
            actor=self.user, person=self.person, moved_on=data["moved_on"], place=data["place"]
        )


# ---------------------------------------------------------------- households


class HouseholdCreateForm(ServiceForm):
    field_map = {"head": "head_id_number"}

    unit = forms.Field(label="所属村(居)")  # replaced in setup by the user's villages
    number = forms.CharField(
        label="户号", max_length=30, required=False, help_text="不填则按村(居)代码自动编号"
    )
    address = forms.CharField(label="住址", max_length=200, required=False)
    head_id_number = PersonByIdField(label="户主身份证号", required=False)

    def setup(self) -> None:
        super().setup()
        self.fields["unit"] = village_field(self.user)
        self.order_fields(["unit", "number", "address", "head_id_number"])

    def perform(self) -> Household:
        data = self.cleaned_data
        return household_create(
            actor=self.user,
            unit_id=data["unit"].code,
            address=data.get("address") or "",
            head=data.get("head_id_number"),
            number=data.get("number") or None,
        )


def member_label(obj: Person) -> str:
    # Names repeat within a family's village; sex and birth date tell them apart.
    return f"{obj.name}（{obj.get_sex_display()}，{obj.birth_date:%Y-%m-%d}）"


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return member_label(obj)


class MembersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return member_label(obj)


class HouseholdSplitForm(ServiceForm):
    members = MembersField(
        label="分出的成员",
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": "所选成员不属于该户", "invalid_pk_value": "成员无效"},
    )
    new_head = MemberChoiceField(
        label="新户主",
        queryset=Person.objects.none(),
        empty_label="请选择",
        error_messages={"invalid_choice": "新户主须是该户成员"},
    )
    changed_on = forms.DateField(label="分户日期", widget=date_input())
    address = forms.CharField(
        label="新户住址", max_length=200, required=False, help_text="不填则沿用原住址"
    )

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        self.household = household
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        super().setup()
        members = (
            people_for_user(self.user).filter(household=self.household).order_by("birth_date", "id")
        )
        self.fields["members"].queryset = members
        self.fields["new_head"].queryset = members

    def perform(self) -> Household:
        data = self.cleaned_data
        return household_split(
            actor=self.user,
            household=self.household,
            members=list(data["members"]),
            new_head=data["new_head"],
            changed_on=data["changed_on"],
            address=data.get("address") or "",
        )


class HouseholdMergeForm(ServiceForm):
    field_map = {"target": "target_number"}

    target_number = HouseholdByNumberField(
        label="并入户号", help_text="本户全部成员并入该户，本户撤销"
    )
    changed_on = forms.DateField(label="并户日期", widget=date_input())

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        self.household = household
        super().__init__(*args, **kwargs)

    def perform(self) -> Household:
        data = self.cleaned_data
        return household_merge(
            actor=self.user,
            source=self.household,
            target=data["target_number"],
            changed_on=data["changed_on"],
        )
