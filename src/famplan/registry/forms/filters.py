"""Filter forms of the registry lists. Choices are cut to the user's jurisdiction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from famplan.common.idnumbers import InvalidIdNumber, parse_id_number
from famplan.orgunits.jurisdiction import scope
from famplan.orgunits.models import Level, OrgUnit
from famplan.registry.forms import IdNumberField
from famplan.registry.models import PersonStatus, Sex

ANY = [("", "全部")]
HAS_ID_CHOICES = [("", "全部"), ("1", "有身份证号"), ("0", "无身份证号")]


def _style(form: forms.Form) -> None:
    for bound in form.fields.values():
        widget = bound.widget
        css = (
            "form-select form-select-sm"
            if isinstance(widget, forms.Select)
            else "form-control form-control-sm"
        )
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def unit_choices(user: Any) -> list[tuple[str, str]]:
    """Townships and villages under the user, as an indented tree in a plain select."""
    units = scope(
        OrgUnit.objects.filter(level__in=[Level.TOWNSHIP, Level.VILLAGE]), user, "code"
    ).order_by("code")
    choices = [("", "全部村(居)")]
    for unit in units.only("code", "name", "level"):
        indent = "　" if unit.level == Level.VILLAGE else ""
        choices.append((unit.code, f"{indent}{unit.name}（{unit.code}）"))
    return choices


class _UnitFilterMixin:
    def _setup_unit(self, user: Any) -> None:
        field = self.fields["unit"]  # type: ignore[attr-defined]
        field.choices = unit_choices(user)
        field.error_messages["invalid_choice"] = "所选村(居)不存在或不在您的管辖范围内。"


class PersonFilterForm(_UnitFilterMixin, forms.Form):
    id_number = IdNumberField(label="身份证号", required=False)
    name = forms.CharField(label="姓名", required=False, max_length=50, help_text="姓名或姓名开头")
    unit = forms.ChoiceField(label="村(居)", required=False)
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=ANY + PersonStatus.choices,
        error_messages={"invalid_choice": "状态选项无效。"},
    )
    sex = forms.ChoiceField(
        label="性别",
        required=False,
        choices=ANY + Sex.choices,
        error_messages={"invalid_choice": "性别选项无效。"},
    )
    born_from = forms.DateField(
        label="出生日期自",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "出生日期自：请输入有效日期，如2000-01-31。"},
    )
    born_to = forms.DateField(
        label="出生日期至",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "出生日期至：请输入有效日期，如2000-12-31。"},
    )
    has_id = forms.ChoiceField(
        label="身份证号登记",
        required=False,
        choices=HAS_ID_CHOICES,
        error_messages={"invalid_choice": "身份证号登记选项无效。"},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_unit(user)
        self.fields["name"].error_messages["max_length"] = "姓名最多50个字。"
        _style(self)

    def clean_id_number(self) -> str:
        # A search only reads, and the list shows who was found: a 15-digit number is
        # looked up by its 18-character form.
        value = self.cleaned_data.get("id_number") or ""
        if not value:
            return ""
        try:
            return parse_id_number(value, first_generation=True).number
        except InvalidIdNumber as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_name(self) -> str:
        return (self.cleaned_data.get("name") or "").strip()

    def clean(self) -> dict:
        cleaned = super().clean()
        born_from, born_to = cleaned.get("born_from"), cleaned.get("born_to")
        if born_from and born_to and born_from > born_to:
            self.add_error("born_to", "出生日期至不能早于出生日期自。")
        return cleaned

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for selectors.search_people (empty when invalid)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "id_number": data["id_number"] or None,
            "name": data["name"] or None,
            "unit": data["unit"] or None,
            "status": data["status"] or None,
            "sex": data["sex"] or None,
            "born_from": data["born_from"],
            "born_to": data["born_to"],
            "has_id": {"1": True, "0": False}.get(data["has_id"]),
        }


def filters_for_audit(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters as JSON for an audit row: set values only, dates as text."""
    return {
        key: value.isoformat() if isinstance(value, date) else value
        for key, value in filters.items()
        if value not in (None, "")
    }


class HouseholdFilterForm(_UnitFilterMixin, forms.Form):
    number = forms.CharField(
        label="户号", required=False, max_length=30, help_text="户号或户号开头"
    )
    head_name = forms.CharField(label="户主姓名", required=False, max_length=50)
    unit = forms.ChoiceField(label="村(居)", required=False)
    include_dissolved = forms.BooleanField(label="含已撤销的户", required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_unit(user)
        self.fields["number"].error_messages["max_length"] = "户号最多30位。"
        self.fields["head_name"].error_messages["max_length"] = "户主姓名最多50个字。"
        _style(self)
        self.fields["include_dissolved"].widget.attrs["class"] = "form-check-input"

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "number": data["number"].strip() or None,
            "head_name": data["head_name"].strip() or None,
            "unit": data["unit"] or None,
            "include_dissolved": data["include_dissolved"],
        }
