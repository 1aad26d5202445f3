"""Forms of the care pages. Entry forms are made for phones (one column, big fields);
filters are the registry's compact ones."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from famplan.accounts.models import User
from famplan.care import rules
from famplan.care.models import (
    ContactSide,
    FamilyKind,
    FamilyStatus,
    HelpKind,
    Need,
    TargetKind,
    TeamRole,
)
from famplan.common.dates import today
from famplan.common.idnumbers import InvalidIdNumber, parse_id_number
from famplan.common.text import validate_text
from famplan.orgunits.jurisdiction import scope
from famplan.orgunits.models import Level, OrgUnit
from famplan.registry.forms import IdNumberField
from famplan.registry.forms.filters import ANY, _style, unit_choices
from famplan.registry.models import Person

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


def _date(label: str, *, required: bool = True, initial: Any = None) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE,
        initial=initial,
        error_messages={
            "invalid": f"{label}：请输入有效日期，如2026-03-01。",
            "required": f"请填写{label}。",
        },
    )


def _text(label: str, max_length: int, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        validators=[validate_text],
        error_messages={
            "required": f"请填写{label}。",
            "max_length": f"{label}最多{max_length}个字。",
        },
    )


def _choice(label: str, choices: list, *, required: bool = False) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=required,
        choices=choices,
        error_messages={"invalid_choice": f"{label}选项无效。", "required": f"请选择{label}。"},
    )


def _big(form: forms.Form) -> None:
    """Large controls for thumbs: village workers enter on phones."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select form-select-lg"
        else:
            widget.attrs["class"] = "form-control form-control-lg"


def _unit_filter(form: forms.Form, user: Any) -> None:
    field = form.fields["unit"]
    field.choices = unit_choices(user)
    field.error_messages["invalid_choice"] = "所选单位不存在或不在您的管辖范围内。"


def _month(label: str = "月份") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m"],
        widget=MONTH,
        error_messages={"invalid": f"{label}：请输入有效月份，如2026-03。"},
    )


def _needs_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="需求",
        required=False,
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "需求选项无效。"},
    )


class _Filter(forms.Form):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "unit" in self.fields:
            _unit_filter(self, user)
        _style(self)

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return self.defaults()
        return {k: (v if v not in ("", None) else None) for k, v in self.cleaned_data.items()}

    def defaults(self) -> dict[str, Any]:
        return {}


class FamilyFilterForm(_Filter):
    unit = forms.ChoiceField(label="乡镇或村(居)", required=False)
    kind = _choice("类别", ANY + FamilyKind.choices)
    status = _choice("状态", [("confirmed", "在册"), ("closed", "已退出"), ("all", "全部")])
    need = _choice("需求", ANY + Need.choices)
    name = _text("姓名", 50)
    no_contact = forms.BooleanField(label="只看联系人不齐的", required=False)

    def defaults(self) -> dict[str, Any]:
        return {"status": FamilyStatus.CONFIRMED}

    def filters(self) -> dict[str, Any]:
        found = super().filters()
        if self.is_bound:
            status = found.get("status") or "confirmed"
            found["status"] = None if status == "all" else status
            found["no_contact"] = bool(found.get("no_contact"))
        return found


def _person(form: forms.Form, field: str, user: Any) -> Person | None:
    raw = form.cleaned_data.get(field) or ""
    if not raw:
        return None
    try:
        number = parse_id_number(raw).number
    except InvalidIdNumber as exc:
        raise forms.ValidationError(str(exc)) from None
    person = scope(Person.objects.filter(id_number=number), user, "unit").first()
    if person is None:
        raise forms.ValidationError("该身份证号在人口库中不存在或不在您的管辖范围内。")
    return person


class FamilyForm(forms.Form):
    """A special family entered by hand."""

    unit = forms.ModelChoiceField(
        label="所属村(居)",
        queryset=OrgUnit.objects.none(),
        empty_label="请选择",
        error_messages={
            "required": "请选择所属村(居)。",
            "invalid_choice": "所选村(居)不存在或不在您的管辖范围内。",
        },
    )
    kind = _choice("类别", FamilyKind.choices, required=True)
    name = _text("家庭(父母姓名)", 100, required=True)
    mother = IdNumberField(label="母亲身份证号（人口库中有的填写）", required=False)
    father = IdNumberField(label="父亲身份证号（人口库中有的填写）", required=False)
    phone = _text("联系电话", 30)
    address = _text("住址", 200)
    needs = _needs_field()
    needs_note = _text("需求说明", 200)
    confirmed_on = _date("确认日期", initial=today)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._user = user
        field = self.fields["unit"]
        field.queryset = scope(
            OrgUnit.objects.filter(level=Level.VILLAGE).select_related("parent"), user, "code"
        ).order_by("code")
        field.label_from_instance = lambda u: (
            f"{u.parent.name if u.parent_id else ''} {u.name}".strip()
        )
        _big(self)

    def clean_mother(self) -> Person | None:
        return _person(self, "mother", self._user)

    def clean_father(self) -> Person | None:
        return _person(self, "father", self._user)


class FamilyEditForm(forms.Form):
    phone = _text("联系电话", 30)
    address = _text("住址", 200)
    needs = _needs_field()
    needs_note = _text("需求说明", 200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _big(self)


class ReasonForm(forms.Form):
    reason = _text("原因", 200, required=True)

    def __init__(self, *args: Any, with_date: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_date:
            self.fields["day"] = _date(with_date, initial=today)
        _big(self)


class HelpForm(forms.Form):
    kind = _choice("帮扶类别", HelpKind.choices, required=True)
    given_on = _date("帮扶日期", initial=today)
    amount = forms.DecimalField(
        label="金额(元)",
        required=False,
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        error_messages={
            "invalid": "金额应为数字，如500或500.50。",
            "max_digits": "金额过大。",
            "max_decimal_places": "金额最多两位小数。",
        },
    )
    description = _text("帮扶内容", 200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].help_text = "如：送米面油、协助办理大病救助、节日慰问"
        _big(self)


class AssignmentFilterForm(_Filter):
    unit = forms.ChoiceField(label="乡镇或村(居)", required=False)
    kind = _choice("对象类型", ANY + TargetKind.choices)
    role = _choice("团队角色", ANY + TeamRole.choices)
    name = _text("责任人", 50)
    current = _choice("状态", [("1", "在岗"), ("0", "已结束"), ("all", "全部")])

    def defaults(self) -> dict[str, Any]:
        return {"current": True}

    def filters(self) -> dict[str, Any]:
        found = super().filters()
        if self.is_bound:
            found["current"] = {"1": True, "0": False, "all": None}[found.get("current") or "1"]
        return found


class UnvisitedForm(_Filter):
    month = _month()
    unit = forms.ChoiceField(label="乡镇或村(居)", required=False)
    kind = _choice("对象类型", ANY + TargetKind.choices)
    role = _choice("团队角色", ANY + TeamRole.choices)

    def month_value(self) -> date:
        data = self.cleaned_data if self.is_bound else {}
        return (data.get("month") or today()).replace(day=1)


class CoverageForm(forms.Form):
    month = _month()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def month_value(self) -> date:
        data = self.cleaned_data if self.is_bound else {}
        return (data.get("month") or today()).replace(day=1)


class TargetForm(forms.Form):
    """The first step of a new assignment or visit: which village or household."""

    village = forms.ModelChoiceField(
        label="村(居)",
        queryset=OrgUnit.objects.none(),
        empty_label="请选择",
        error_messages={
            "required": "请选择村(居)。",
            "invalid_choice": "所选村(居)不存在或不在您的管辖范围内。",
        },
    )
    household = _text("户号（包户时填写；不填为包村）", 30)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["village"]
        field.queryset = scope(
            OrgUnit.objects.filter(level=Level.VILLAGE).select_related("parent"), user, "code"
        ).order_by("code")
        field.label_from_instance = lambda u: (
            f"{u.parent.name if u.parent_id else ''} {u.name}".strip()
        )
        _big(self)


class AssignmentForm(forms.Form):
    user = forms.ModelChoiceField(
        label="责任人账号（famplan用户）",
        required=False,
        queryset=User.objects.none(),
        empty_label="（不是系统用户，填写下面的姓名和电话）",
        error_messages={"invalid_choice": "所选账号不存在或不能负责该对象。"},
    )
    name = _text("责任人姓名", 50)
    phone = _text("责任人电话", 30)
    role = _choice("团队角色", TeamRole.choices, required=True)
    side = _choice("联系人岗位", ContactSide.choices, required=True)
    starts_on = _date("起始日期", initial=today)

    def __init__(self, *args: Any, user: Any, unit_code: str, family: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Accounts of the units above the target and of the target's village.
        prefixes = [unit_code[:n] for n in (6, 9, 12)]
        self.fields["user"].queryset = User.objects.filter(
            is_active=True,
            org_unit_id__in=prefixes,
            role__in=["county_admin", "township_clerk", "village_worker"],
        ).order_by("org_unit_id", "username")
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.full_name or u.username}（{u.get_role_display()}）"
        )
        if not family:
            del self.fields["side"]
        _big(self)


class EndForm(forms.Form):
    ends_on = _date("结束日期", initial=today)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _big(self)


class VisitForm(forms.Form):
    """A visit, entered on a phone at the family's door."""

    visited_on = _date("走访日期", initial=today)
    assignment = forms.ModelChoiceField(
        label="责任人",
        required=False,
        queryset=None,
        empty_label="（其他人员走访）",
        error_messages={"invalid_choice": "所选责任人不负责该对象。"},
    )
    visitor_name = _text("走访人(签名)", 50)
    content = forms.CharField(
        label="走访内容",
        max_length=500,
        validators=[validate_text],
        widget=forms.TextInput(attrs={"placeholder": "如：了解身体状况，送去慰问品"}),
        error_messages={"required": "请填写走访内容。", "max_length": "走访内容最多500个字。"},
    )
    next_step = _text("下一步", 200)

    def __init__(self, *args: Any, assignments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = assignments
        self.fields["assignment"].label_from_instance = lambda a: (
            f"{a.name}（{a.get_side_display() or a.get_role_display()}）"
        )
        self.fields["visitor_name"].help_text = "不填时为所选责任人，或您本人"
        _big(self)


class VisitFilterForm(_Filter):
    unit = forms.ChoiceField(label="乡镇或村(居)", required=False)
    kind = _choice("对象类型", ANY + TargetKind.choices)
    date_from = _date("日期自", required=False)
    date_to = _date("日期至", required=False)
    visitor = _text("走访人", 50)

    def clean(self) -> dict:
        cleaned = super().clean()
        if (
            cleaned.get("date_from")
            and cleaned.get("date_to")
            and cleaned["date_from"] > cleaned["date_to"]
        ):
            self.add_error("date_to", "日期至不能早于日期自。")
        return cleaned


class WorklistForm(_Filter):
    kind = _choice("对象", TargetKind.choices[::-1])
    unit = forms.ChoiceField(label="乡镇或村(居)", required=False)
    interval = forms.IntegerField(
        label="走访间隔(天)",
        required=False,
        min_value=1,
        max_value=rules.MAX_INTERVAL_DAYS,
        error_messages={
            "invalid": "走访间隔应为整数天。",
            "min_value": "走访间隔至少1天。",
            "max_value": f"走访间隔不超过{rules.MAX_INTERVAL_DAYS}天。",
        },
    )
    within = forms.IntegerField(
        label="几天内到期",
        required=False,
        min_value=0,
        max_value=90,
        error_messages={
            "invalid": "应为整数天。",
            "min_value": "不能小于0。",
            "max_value": "不超过90天。",
        },
    )

    def choice(self) -> tuple[str, int, int, str | None]:
        data = self.cleaned_data if self.is_bound else {}
        kind = data.get("kind") or TargetKind.FAMILY
        interval = data.get("interval") or rules.interval_days(kind)
        within = 7 if data.get("within") is None else data["within"]
        return kind, interval, within, data.get("unit") or None
