"""The audit log's filter form: every field optional, errors in Chinese."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from famplan.audit.labels import action_choices
from famplan.audit.models import Result
from famplan.audit.selectors import actions_in_log


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    username = forms.CharField(label="用户名", required=False, max_length=150)
    # Choices are the actions in the log, by their Chinese names (set in __init__).
    action = forms.ChoiceField(label="操作", required=False)
    unit = forms.RegexField(
        label="单位代码",
        required=False,
        regex=r"^\d{2,12}$",
        error_messages={"invalid": "单位代码须为 2 到 12 位数字。"},
        help_text="按前缀匹配，含下级单位",
    )
    result = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部"), *Result.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "全部"), *action_choices(actions_in_log())]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} {css}-sm"

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The cleaned filters with empty ones left out (for the query and the audit row)."""
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def filters_for_log(filters: dict[str, Any]) -> dict[str, str]:
    return {k: v.isoformat() if isinstance(v, dt.date) else str(v) for k, v in filters.items()}
