"""Forms of the supplies pages: the points filter, a point, a delivery or issue (made
for a phone: one column, big fields, a numeric keypad), the report's choice, a kind
and a voluntary service request."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms

from famplan.common.dates import today
from famplan.common.idnumbers import InvalidIdNumber, parse_id_number
from famplan.common.text import validate_text
from famplan.orgunits.jurisdiction import scope
from famplan.orgunits.models import CODE_LENGTH, Level, OrgUnit
from famplan.registry.forms import IdNumberField
from famplan.registry.forms.filters import ANY, _style, unit_choices
from famplan.registry.models import Person
from famplan.supplies import selectors
from famplan.supplies.models import DistributionPoint, PlaceKind, SupplyKind
from famplan.supplies.services import MAX_QUANTITY

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ACTIVE_CHOICES = [("1", "在用"), ("0", "已停用"), ("all", "全部")]
STOCK_CHOICES = [("", "全部"), ("1", "必备药具齐全"), ("0", "缺少必备药具")]


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


def _big(form: forms.Form) -> None:
    """Large controls for thumbs: village workers enter on phones."""
    for bound in form.fields.values():
        widget = bound.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select form-select-lg"
        else:
            widget.attrs["class"] = "form-control form-control-lg"


class PointFilterForm(forms.Form):
    unit = forms.ChoiceField(label="乡镇或村(居)", required=False)
    place_kind = forms.ChoiceField(
        label="类型",
        required=False,
        choices=ANY + PlaceKind.choices,
        error_messages={"invalid_choice": "类型选项无效。"},
    )
    active = forms.ChoiceField(
        label="状态",
        required=False,
        choices=ACTIVE_CHOICES,
        error_messages={"invalid_choice": "状态选项无效。"},
    )
    has_stock = forms.ChoiceField(
        label="库存",
        required=False,
        choices=STOCK_CHOICES,
        error_messages={"invalid_choice": "库存选项无效。"},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        field.choices = unit_choices(user)
        field.error_messages["invalid_choice"] = "所选单位不存在或不在您的管辖范围内。"
        _style(self)

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for selectors.search_points (the defaults when unbound)."""
        if not self.is_bound:
            return {"active": True}
        data = self.cleaned_data
        return {
            "unit": data["unit"] or None,
            "place_kind": data["place_kind"] or None,
            "active": {"1": True, "0": False, "all": None}.get(data["active"] or "1"),
            "has_stock": {"1": True, "0": False}.get(data["has_stock"]),
        }


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{obj.parent.name if obj.parent_id else ''} {obj.name}".strip()


class PointForm(forms.Form):
    unit = VillageChoiceField(
        label="所在村(居)",
        queryset=OrgUnit.objects.none(),
        empty_label="请选择",
        error_messages={
            "required": "请选择所在村(居)。",
            "invalid_choice": "所选村(居)不存在或不在您的管辖范围内。",
        },
    )
    name = _text("发放点名称", 100, required=True)
    place_kind = forms.ChoiceField(
        label="类型",
        choices=PlaceKind.choices,
        error_messages={"required": "请选择类型。", "invalid_choice": "类型选项无效。"},
    )
    address = _text("地址", 200)
    opened_on = _date("启用日期", initial=today)
    closed_on = _date("停用日期", required=False)

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scope(
            OrgUnit.objects.filter(level=Level.VILLAGE).select_related("parent"), user, "code"
        ).order_by("code")
        if not editing:
            del self.fields["closed_on"]
        else:
            self.fields["closed_on"].help_text = "停用时填写；重新启用时清空"
        _big(self)


class MovementForm(forms.Form):
    """A delivery or an issue at one point. `monthly` (issues only): the quantity is the
    month's total, recorded on the month's last day."""

    point = forms.ModelChoiceField(
        label="发放点",
        queryset=DistributionPoint.objects.none(),
        empty_label="请选择",
        error_messages={
            "required": "请选择发放点。",
            "invalid_choice": "所选发放点不存在或不在您的录入范围内。",
        },
    )
    kind = forms.ModelChoiceField(
        label="药具",
        queryset=SupplyKind.objects.none(),
        empty_label="请选择",
        error_messages={"required": "请选择药具。", "invalid_choice": "所选药具不存在或已停用。"},
    )
    moved_on = _date("日期", initial=today)
    monthly = forms.BooleanField(
        label="按月汇总（本月发放总数，记在该月最后一天）",
        required=False,
    )
    quantity = forms.IntegerField(
        label="数量",
        min_value=1,
        max_value=MAX_QUANTITY,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "pattern": "[0-9]*"}),
        error_messages={
            "required": "请填写数量。",
            "invalid": "数量应为整数。",
            "min_value": "数量至少为 1。",
            "max_value": f"数量不能超过 {MAX_QUANTITY}。",
        },
    )
    note = _text("备注", 200)

    def __init__(self, *args: Any, user: Any, issue: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = selectors.enterable_points(user)
        # A village worker sees her own village's points: the name says enough.
        village_user = len(user.org_unit_id or "") == CODE_LENGTH[Level.VILLAGE]
        self.fields["point"].label_from_instance = (
            (lambda p: p.name) if village_user else (lambda p: f"{p.name}（{p.unit.name}）")
        )
        # A retired kind can still be issued (its stock runs down), not delivered.
        kinds = SupplyKind.objects.all() if issue else SupplyKind.objects.filter(active=True)
        self.fields["kind"].queryset = kinds
        self.fields["kind"].label_from_instance = lambda k: f"{k.name}（{k.unit}）"
        if issue:
            self.fields["moved_on"].label = "发放日期"
        else:
            self.fields["moved_on"].label = "入库日期"
            del self.fields["monthly"]
        _big(self)


class ReportForm(forms.Form):
    unit = forms.ChoiceField(label="单位", required=False)
    month = forms.DateField(
        label="月份",
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": "月份：请输入有效月份，如2026-03。"},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = selectors.report_units(user).only("code", "name", "level")
        indent = {Level.TOWNSHIP: "　", Level.VILLAGE: "　　"}
        self.fields["unit"].choices = [
            (u.code, f"{indent.get(u.level, '')}{u.name}（{u.code}）") for u in units
        ]
        self.fields["unit"].error_messages["invalid_choice"] = (
            "所选单位不存在或不在您的管辖范围内。"
        )
        self._user = user
        _style(self)

    def choice(self) -> tuple[str, date]:
        """The unit code and the month (first day) asked for: the user's own unit and
        last month by default."""
        data = self.cleaned_data if self.is_bound else {}
        code = data.get("unit") or self._user.org_unit_id
        month = data.get("month")
        if month is None:
            first = today().replace(day=1)
            month = (first - timedelta(days=1)).replace(day=1)
        return code, month.replace(day=1)


class KindForm(forms.Form):
    code = forms.SlugField(
        label="代码",
        max_length=30,
        help_text="英文字母、数字、下划线，建成后不能修改（导入和报表用它）",
        error_messages={"required": "请填写代码。", "invalid": "代码只能含字母、数字、下划线。"},
    )
    name = _text("名称", 50, required=True)
    unit = _text("计数单位", 10, required=True)
    essential = forms.BooleanField(label="必备药具（计入药具可及率）", required=False)
    active = forms.BooleanField(label="在用", required=False, initial=True)
    order = forms.IntegerField(
        label="排序",
        min_value=0,
        max_value=999,
        initial=100,
        error_messages={"invalid": "排序应为整数。", "min_value": "排序不能小于0。"},
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
        else:
            del self.fields["active"]
        _style(self)


class RequestForm(forms.Form):
    """A service a person asked for: found by the ID number she or he gives."""

    id_number = IdNumberField(label="身份证号", error_messages={"required": "请填写身份证号。"})
    requested_on = _date("日期", initial=today)
    asked = _text("咨询或需求", 200, required=True)
    given = _text("提供的服务", 200)
    point = forms.ModelChoiceField(
        label="发放点",
        required=False,
        queryset=DistributionPoint.objects.none(),
        empty_label="（不涉及发放点）",
        error_messages={"invalid_choice": "所选发放点不存在或不在您的管辖范围内。"},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._user = user
        self.fields["point"].queryset = selectors.points_for_user(user).filter(
            closed_on__isnull=True
        )
        self.fields["asked"].help_text = "只记录本人主动提出的需求，如：咨询避孕方法、领取避孕套"
        _big(self)

    def clean_id_number(self) -> Person:
        raw = self.cleaned_data.get("id_number") or ""
        try:
            number = parse_id_number(raw, first_generation=True).number
        except InvalidIdNumber as exc:
            raise forms.ValidationError(str(exc)) from None
        person = scope(Person.objects.filter(id_number=number), self._user, "unit").first()
        if person is None:
            raise forms.ValidationError("该身份证号在人口库中不存在或不在您的管辖范围内。")
        return person


class RequestFilterForm(forms.Form):
    unit = forms.ChoiceField(label="村(居)", required=False)
    date_from = _date("日期自", required=False)
    date_to = _date("日期至", required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices(user)
        self.fields["unit"].error_messages["invalid_choice"] = (
            "所选村(居)不存在或不在您的管辖范围内。"
        )
        _style(self)

    def clean(self) -> dict:
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", "日期至不能早于日期自。")
        return cleaned

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        data = self.cleaned_data
        return {
            "unit": data["unit"] or None,
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }


class VoidForm(forms.Form):
    reason = _text("撤销原因", 200, required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = "如：数量录错、药具选错、重复登记"
        _big(self)
