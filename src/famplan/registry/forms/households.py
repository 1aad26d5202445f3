"""Forms of the household page: add a member, change the head. Each runs one service
of registry/services/households.py, which holds the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from famplan.registry.forms import PersonByIdField, ServiceForm
from famplan.registry.forms.events import MemberChoiceField
from famplan.registry.models import ON_REGISTER, Household, Person, Relation
from famplan.registry.selectors import people_for_user
from famplan.registry.services import household_head_change, household_member_add

# Relations a member can have to the head; "户主" is set by changing the head.
MEMBER_RELATIONS = [(value, label) for value, label in Relation.choices if value != Relation.HEAD]


class HouseholdMemberAddForm(ServiceForm):
    field_map = {"person": "id_number"}

    id_number = PersonByIdField(
        label="身份证号", help_text="本村(居)已登记的人员；加入本户后即离开原来的户"
    )
    relation = forms.ChoiceField(label="与户主关系", choices=[("", "请选择"), *MEMBER_RELATIONS])

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        self.household = household
        super().__init__(*args, **kwargs)

    def perform(self) -> Person:
        data = self.cleaned_data
        return household_member_add(
            actor=self.user,
            household=self.household,
            person=data["id_number"],
            relation=data["relation"],
        )


class HouseholdHeadChangeForm(ServiceForm):
    new_head = MemberChoiceField(
        label="新户主",
        queryset=Person.objects.none(),
        empty_label="请选择",
        error_messages={"invalid_choice": "新户主须为本户在册成员"},
    )
    old_head_relation = forms.ChoiceField(
        label="原户主与新户主的关系", choices=MEMBER_RELATIONS, initial=Relation.OTHER
    )

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        self.household = household
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        super().setup()
        # The choices offer members on the register; the service refuses the rest anyway.
        self.fields["new_head"].queryset = (
            people_for_user(self.user)
            .filter(household=self.household, status__in=ON_REGISTER)
            .exclude(pk=self.household.head_id or 0)
            .order_by("birth_date", "id")
        )

    def perform(self) -> Household:
        data = self.cleaned_data
        return household_head_change(
            actor=self.user,
            household=self.household,
            new_head=data["new_head"],
            old_head_relation=data["old_head_relation"],
        )
