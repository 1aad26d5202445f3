"""Filter forms of the event lists (births, deaths, marriages, migrations): a date range
on the event's date, a village in the user's jurisdiction, and a few filters of each kind."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from famplan.registry.forms.filters import ANY, _style, _UnitFilterMixin
from famplan.registry.models import BirthPlace, Direction, MarriageKind, MigrationStatus, Sex

BIRTH_ORDER_CHOICES = [("", "全部"), ("1", "第1孩"), ("2", "第2孩"), ("3", "第3孩及以上")]
MARRIAGE_STATE_CHOICES = [("", "全部"), ("current", "在婚"), ("ended", "已终止")]


def _choice(label: str, choices: list[tuple[str, str]]) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=choices,
        error_messages={"invalid_choice": f"{label}选项无效。"},
    )


class EventFilterForm(_UnitFilterMixin, forms.Form):
    """The fields every event list shares; subclasses name the date and add their own."""

    date_label: ClassVar[str] = "日期"

    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.ChoiceField(label="村(居)", required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_unit(user)
        for name, suffix, example in (
            ("date_from", "自", "2024-01-01"),
            ("date_to", "至", "2024-12-31"),
        ):
            field = self.fields[name]
            field.label = f"{self.date_label}{suffix}"
            field.error_messages["invalid"] = f"{field.label}：请输入有效日期，如{example}。"
        _style(self)

    def clean(self) -> dict:
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", f"{self.date_label}至不能早于{self.date_label}自。")
        return cleaned

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for the list's selector (empty when invalid)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "unit": data["unit"] or None,
            **self.own_filters(data),
        }

    def own_filters(self, data: dict[str, Any]) -> dict[str, Any]:
        return {}


class BirthFilterForm(EventFilterForm):
    date_label = "出生日期"
    sex = _choice("性别", ANY + Sex.choices)
    order = _choice("孩次", BIRTH_ORDER_CHOICES)
    place_type = _choice("出生地点", ANY + BirthPlace.choices)

    def own_filters(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "sex": data["sex"] or None,
            "order": int(data["order"]) if data["order"] else None,
            "place_type": data["place_type"] or None,
        }


class DeathFilterForm(EventFilterForm):
    date_label = "死亡日期"
    sex = _choice("性别", ANY + Sex.choices)

    def own_filters(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"sex": data["sex"] or None}


class MarriageFilterForm(EventFilterForm):
    date_label = "结婚日期"
    kind = _choice("婚姻类型", ANY + MarriageKind.choices)
    state = _choice("婚姻状态", MARRIAGE_STATE_CHOICES)

    def own_filters(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "kind": data["kind"] or None,
            "ended": {"current": False, "ended": True}.get(data["state"]),
        }


class MigrationFilterForm(EventFilterForm):
    date_label = "流动日期"
    field_order = ["direction", "status", "date_from", "date_to", "unit"]
    direction = _choice("方向", ANY + Direction.choices)
    status = _choice("状态", ANY + MigrationStatus.choices)

    def own_filters(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"direction": data["direction"] or None, "status": data["status"] or None}
