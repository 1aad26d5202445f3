"""Forms of the health pages: a check, closing a follow-up, a folic acid issue and its
follow-up, the list filters, the targets. They hand over typed data; the services
check the rules (one home), and their refusals land on the field they name."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from famplan.common.dates import today
from famplan.common.text import validate_text
from famplan.health.models import FollowUpKind, QuantityUnit, RiskFactor, RiskLevel
from famplan.health.people import PersonRef
from famplan.health.schedule import DEFAULT_COUNTY_TARGET, result_choices
from famplan.health.selectors import STATE_CHOICES
from famplan.health.services import CheckData, FolicData
from famplan.orgunits.jurisdiction import scope
from famplan.orgunits.models import Level, OrgUnit
from famplan.registry.forms import IdNumberField
from famplan.registry.forms.filters import ANY, unit_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def date_field(label: str, *, required: bool = True, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE,
        error_messages={
            "invalid": f"{label}：请输入有效日期，如2026-03-01。",
            "required": f"请填写{label}。",
        },
        **kwargs,
    )


def char(label: str, max_length: int, *, required: bool = False, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        validators=[validate_text],
        error_messages={
            "required": f"请填写{label}。",
            "max_length": f"{label}最多{max_length}个字。",
        },
        **kwargs,
    )


def _style(form: forms.Form) -> None:
    """Bootstrap classes; radio and checkbox lists are laid out by health.css."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select"
        else:
            widget.attrs["class"] = "form-control"


def _style_filter(form: forms.Form) -> None:
    for field in form.fields.values():
        small = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else None
        field.widget.attrs["class"] = small or "form-control form-control-sm"


def village_choices(
    user: Any, *, blank: str = "（按身份证号查找时可不选）"
) -> list[tuple[str, str]]:
    villages = scope(OrgUnit.objects.filter(level=Level.VILLAGE), user, "code").order_by("code")
    return [("", blank)] + [
        (v.code, f"{v.name}（{v.code}）") for v in villages.only("code", "name")
    ]


class _PersonFields:
    """ID number, or name and village, of one person (prefix_id_number, _name, _village)."""

    def _add_person(self, prefix: str, label: str, user: Any, *, required: bool) -> None:
        fields = self.fields  # type: ignore[attr-defined]
        fields[f"{prefix}_id_number"] = IdNumberField(label=f"{label}身份证号", required=False)
        fields[f"{prefix}_name"] = char(f"{label}姓名", 50)
        fields[f"{prefix}_village"] = forms.ChoiceField(
            label=f"{label}所在村(居)", required=False, choices=village_choices(user)
        )
        fields[f"{prefix}_village"].error_messages["invalid_choice"] = (
            "所选村(居)不存在或不在您的管辖范围内。"
        )
        self._required_people = getattr(self, "_required_people", {})
        self._required_people[prefix] = (label, required)

    def _ref(self, prefix: str) -> PersonRef:
        d = self.cleaned_data  # type: ignore[attr-defined]
        return PersonRef(
            d.get(f"{prefix}_id_number") or "",
            (d.get(f"{prefix}_name") or "").strip(),
            d.get(f"{prefix}_village") or "",
        )

    def _check_people(self) -> None:
        for prefix, (label, required) in self._required_people.items():
            ref = self._ref(prefix)
            if ref.id_number or (not required and ref.blank):
                continue
            if not (ref.name and ref.village):
                self.add_error(  # type: ignore[attr-defined]
                    f"{prefix}_id_number", f"请填写{label}身份证号，或{label}姓名和所在村(居)。"
                )


class CheckForm(_PersonFields, forms.Form):
    checked_on = date_field("检查日期")
    facility = char("检查机构", 100, required=True)
    risk_level = forms.ChoiceField(
        label="风险评估",
        choices=RiskLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择风险评估。", "invalid_choice": "风险评估选项无效。"},
    )
    risk_factors = forms.MultipleChoiceField(
        label="风险因素",
        required=False,
        choices=RiskFactor.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "风险因素选项无效。"},
    )
    advice = forms.CharField(
        label="咨询指导意见",
        required=False,
        max_length=500,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "咨询指导意见最多500个字。"},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._add_person("wife", "女方", user, required=True)
        self._add_person("husband", "男方", user, required=False)
        self.fields["husband_id_number"].help_text = "不填则取人口库中女方的在婚配偶"
        self.order_fields(
            [f"{p}_{f}" for p in ("wife", "husband") for f in ("id_number", "name", "village")]
        )
        self.fields["checked_on"].initial = today()
        _style(self)

    def clean(self) -> dict:
        cleaned = super().clean()
        self._check_people()
        return cleaned

    def data_for_service(self) -> CheckData:
        d = self.cleaned_data
        return CheckData(
            wife=self._ref("wife"),
            husband=self._ref("husband"),
            checked_on=d["checked_on"],
            facility=d["facility"],
            risk_level=d["risk_level"],
            risk_factors=list(d["risk_factors"]),
            advice=d["advice"],
        )


FIELD_ALIASES = {
    "wife": "wife_id_number",
    "husband": "husband_id_number",
    "woman": "woman_id_number",
}


class FollowUpForm(forms.Form):
    result = forms.ChoiceField(
        label="随访结果",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "请选择随访结果。", "invalid_choice": "随访结果选项无效。"},
    )
    done_on = date_field("随访日期")
    note = char("备注", 300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = result_choices(kind)
        self.fields["done_on"].initial = today()
        for name in ("done_on", "note"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-lg"


class FolicForm(_PersonFields, forms.Form):
    issued_on = date_field("发放日期")
    quantity = forms.IntegerField(
        label="数量",
        min_value=1,
        error_messages={
            "required": "请填写数量。",
            "invalid": "数量应为整数。",
            "min_value": "数量至少为1。",
        },
    )
    quantity_unit = forms.ChoiceField(
        label="单位", choices=QuantityUnit.choices, error_messages={"invalid_choice": "单位无效。"}
    )
    note = char("备注", 300)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._add_person("woman", "服用人", user, required=True)
        self.order_fields(["woman_id_number", "woman_name", "woman_village"])
        self.fields["issued_on"].initial = today()
        self.fields["quantity"].help_text = "每日0.4毫克，孕前3个月至孕早期3个月"
        _style(self)

    def clean(self) -> dict:
        cleaned = super().clean()
        self._check_people()
        return cleaned

    def data_for_service(self) -> FolicData:
        d = self.cleaned_data
        return FolicData(
            woman=self._ref("woman"),
            issued_on=d["issued_on"],
            quantity=d["quantity"],
            quantity_unit=d["quantity_unit"],
            note=d["note"],
        )


YES_NO = [("1", "是"), ("0", "否")]


def _yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": f"请选择{label}。", "invalid_choice": f"{label}选项无效。"},
    )


class FolicFollowUpForm(forms.Form):
    visited_on = date_field("随访日期")
    aware = _yes_no("知晓增补叶酸的作用和服用方法")
    taking = _yes_no("正在或曾经服用")
    compliant = _yes_no("按要求服用(每日0.4毫克)")
    note = char("备注", 300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = today()
        for name in ("visited_on", "note"):
            self.fields[name].widget.attrs["class"] = "form-control"


class _Filter(forms.Form):
    def _setup(self, user: Any) -> None:
        self.fields["unit"].choices = unit_choices(user)
        self.fields["unit"].error_messages["invalid_choice"] = (
            "所选单位不存在或不在您的管辖范围内。"
        )
        _style_filter(self)

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "结束日期不能早于开始日期。")
        return cleaned

    def filters(self) -> dict[str, Any] | None:
        """The filters, {} unbound, None when a value is wrong."""
        if not self.is_bound:
            return {}
        if not self.is_valid():
            return None
        return {
            k: (v.strip() if isinstance(v, str) else v) or None
            for k, v in self.cleaned_data.items()
        }


class CheckFilterForm(_Filter):
    unit = forms.ChoiceField(label="乡镇/村(居)", required=False)
    date_from = date_field("检查日期自", required=False)
    date_to = date_field("检查日期至", required=False)
    risk_level = forms.ChoiceField(
        label="风险评估",
        required=False,
        choices=ANY + RiskLevel.choices,
        error_messages={"invalid_choice": "风险评估选项无效。"},
    )
    q = char("姓名/身份证号", 30)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup(user)


class WorklistFilterForm(_Filter):
    state = forms.ChoiceField(
        label="状态",
        required=False,
        choices=STATE_CHOICES,
        error_messages={"invalid_choice": "状态选项无效。"},
    )
    kind = forms.ChoiceField(
        label="随访类型",
        required=False,
        choices=ANY + FollowUpKind.choices,
        error_messages={"invalid_choice": "随访类型选项无效。"},
    )
    unit = forms.ChoiceField(label="乡镇/村(居)", required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup(user)


class FolicFilterForm(_Filter):
    unit = forms.ChoiceField(label="乡镇/村(居)", required=False)
    date_from = date_field("发放日期自", required=False)
    date_to = date_field("发放日期至", required=False)
    q = char("姓名/身份证号", 30)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup(user)


class RatesForm(forms.Form):
    date_from = date_field("随访日期自", required=False)
    date_to = date_field("随访日期至", required=False)
    level = forms.ChoiceField(
        label="汇总到",
        required=False,
        choices=[(Level.TOWNSHIP, "乡镇"), (Level.VILLAGE, "村(居)")],
        error_messages={"invalid_choice": "汇总级别无效。"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style_filter(self)

    def period(self) -> tuple[date, date, str] | None:
        start = date(today().year, 1, 1)
        if not self.is_bound:
            return start, today(), Level.TOWNSHIP
        if not self.is_valid():
            return None
        d = self.cleaned_data
        date_from, date_to = d["date_from"] or start, d["date_to"] or today()
        if date_from > date_to:
            self.add_error("date_to", "结束日期不能早于开始日期。")
            return None
        return date_from, date_to, d["level"] or Level.TOWNSHIP


class SplitForm(forms.Form):
    total = forms.IntegerField(
        label="全县目标(对)",
        min_value=1,
        initial=DEFAULT_COUNTY_TARGET,
        error_messages={"required": "请填写全县目标。", "invalid": "全县目标应为整数。"},
    )


class TargetForm(forms.Form):
    township = forms.CharField(max_length=9)
    target = forms.IntegerField(
        label="目标(对)",
        min_value=0,
        error_messages={"required": "请填写目标。", "invalid": "目标应为整数。"},
    )
