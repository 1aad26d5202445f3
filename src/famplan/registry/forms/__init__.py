"""Registry forms: filters of the lists (filters.py) and the event forms (people.py,
events.py). Event forms run a service and turn its refusal into a form error.

Shared here: the base of the event forms, and fields that find a person or a household
inside the user's jurisdiction (outside it reads "未找到", exactly like absent)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from famplan.common.dates import EARLIEST_BIRTH_DATE, TOO_EARLY_MESSAGE
from famplan.common.errors import DomainError
from famplan.common.forms import show_refusal
from famplan.common.idnumbers import InvalidIdNumber, normalize, parse_id_number
from famplan.common.text import validate_text
from famplan.orgunits.jurisdiction import scope
from famplan.orgunits.models import Level, OrgUnit
from famplan.registry.models import Household, Person
from famplan.registry.selectors import households_for_user, people_for_user
from famplan.registry.services.people import ConflictError, FieldError

CONFLICT_MESSAGE = "该记录已被他人修改，请刷新页面后重新编辑。您的修改未保存。"


def find_person_by_id_number(people: QuerySet[Person], raw: str) -> Person:
    """The person of `people` (already cut to the user's jurisdiction) with this ID
    number. Raises ValidationError; a person outside `people` is simply not found.

    A 15-digit number is refused (its own message): without a check character one
    wrong digit could name somebody else, and a form that finds a person writes for them."""
    try:
        value = parse_id_number(raw).number
    except InvalidIdNumber as exc:
        raise ValidationError(str(exc), code="invalid") from None
    found = people.filter(id_number=value).first()
    if found is None:
        raise ValidationError(f"未找到身份证号为{value}的人员", code="not_found")
    return found


class IdNumberField(forms.CharField):
    """An ID number as typed, normalised (idnumbers.normalize: full-width digits, an
    Excel apostrophe, spaces) before anything checks it. Checking is the job of what
    uses it: the person services, a lookup, a search."""

    def __init__(self, **kwargs: Any) -> None:
        # No maxlength in the page: a browser cuts a pasted "'620422…" or a number with
        # spaces to 18 characters silently. The parser reports a wrong length instead.
        kwargs.setdefault("max_length", None)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("autocomplete", "off")

    def to_python(self, value: Any) -> str:
        return normalize(super().to_python(value))


class PersonByIdField(IdNumberField):
    """An ID number typed by the clerk, cleaned to the Person it names. The form sets
    `people` (the user's jurisdiction) before validation."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.people: QuerySet[Person] = Person.objects.none()

    def clean(self, value: Any) -> Person | None:
        raw = super().clean(value)
        if not raw:
            return None
        return find_person_by_id_number(self.people, raw)


class HouseholdByNumberField(forms.CharField):
    """A household number, cleaned to the Household (in the user's jurisdiction)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.households: QuerySet[Household] = Household.objects.none()

    def clean(self, value: Any) -> Household | None:
        raw = super().clean(value)
        if not raw:
            return None
        found = self.households.filter(number=raw.strip(), dissolved_on__isnull=True).first()
        if found is None:
            raise ValidationError(f"未找到户号为{raw.strip()}的户", code="not_found")
        return found


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{obj.name}（{obj.code}）"


def village_field(user: Any, label: str = "所属村(居)", **kwargs: Any) -> VillageChoiceField:
    """Villages inside the user's jurisdiction, and only those."""
    return VillageChoiceField(
        queryset=scope(OrgUnit.objects.filter(level=Level.VILLAGE), user, "code").order_by("code"),
        label=label,
        empty_label="请选择",
        error_messages={"invalid_choice": "所选村(居)不存在或不在您的管辖范围内"},
        **kwargs,
    )


def date_input() -> forms.DateInput:
    return forms.DateInput(
        attrs={"type": "date", "min": f"{EARLIEST_BIRTH_DATE:%Y-%m-%d}"}, format="%Y-%m-%d"
    )


def validate_not_too_early(value: Any) -> None:
    """No registry date precedes the earliest birth date (common.dates)."""
    if value is not None and value < EARLIEST_BIRTH_DATE:
        raise ValidationError(TOO_EARLY_MESSAGE, code="too_early")


class ServiceForm(forms.Form):
    """A form whose save() runs one registry service. The service's FieldError lands on
    the form field it names (through `field_map` where the names differ), any other
    refusal above the form; nothing is saved then, and save() returns None."""

    # service field name -> form field name, where the two differ
    field_map: dict[str, str] = {}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.setup()
        self._finish_fields()

    def setup(self) -> None:
        """Fields that depend on the user (their villages, their people)."""
        for field in self.fields.values():
            if isinstance(field, PersonByIdField):
                field.people = people_for_user(self.user)
            elif isinstance(field, HouseholdByNumberField):
                field.households = households_for_user(self.user)

    def _finish_fields(self) -> None:
        # Messages that name the field, and Bootstrap classes for the templates' loop.
        for field in self.fields.values():
            label = field.label or ""
            widget = field.widget
            choice = isinstance(widget, forms.Select | forms.RadioSelect)
            field.error_messages["required"] = f"请{'选择' if choice else '填写'}{label}"
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = f"{label}格式不正确，应为“年-月-日”"
                field.validators.append(validate_not_too_early)
            elif isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = f"{label}应为整数"
            elif isinstance(field, forms.CharField) and not isinstance(field, IdNumberField):
                # The same check as the import's text cleaner (common.text).
                field.validators.append(validate_text)
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def perform(self) -> Any:
        raise NotImplementedError

    def save(self) -> Any | None:
        try:
            return self.perform()
        except ConflictError:
            self.add_error(None, CONFLICT_MESSAGE)
        except FieldError as exc:
            show_refusal(self, exc, self.field_map)
        except DomainError as exc:
            self.add_error(None, exc.message)
        return None
