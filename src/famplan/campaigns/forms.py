"""Forms of the campaigns pages: the list's filters, a plan, a phase, a task with its
split, per-unit targets, a dispatch date, and the progress report (made for a phone:
one column, big fields, a numeric keypad)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from famplan.campaigns.counts import parse_count
from famplan.campaigns.measures import linkable_choices
from famplan.campaigns.models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    DispatchKind,
    Split,
    Task,
)
from famplan.common.dates import today
from famplan.common.errors import DomainError
from famplan.common.text import validate_text
from famplan.orgunits.models import OrgUnit
from famplan.registry.forms.filters import ANY, _style

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DATE,
        error_messages={
            "invalid": f"{label}：请输入有效日期，如2026-03-01。",
            "required": f"请填写{label}。",
        },
    )


def _text(label: str, max_length: int, *, required: bool = True, **kw: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        validators=[validate_text],
        error_messages={
            "required": f"请填写{label}。",
            "max_length": f"{label}最多{max_length}个字。",
        },
        **kw,
    )


def _choice(label: str, choices: list, *, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        error_messages={"required": f"请选择{label}。", "invalid_choice": f"{label}选项无效。"},
    )


def _big(form: forms.Form) -> None:
    """Large controls for thumbs: village workers report on phones."""
    for bound in form.fields.values():
        widget = bound.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select form-select-lg"
        else:
            widget.attrs["class"] = "form-control form-control-lg"


class CountField(forms.CharField):
    """A whole count as a person types it (campaigns.counts.parse_count)."""

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
        )
        super().__init__(label=label, **kwargs)

    def clean(self, value: Any) -> int | None:
        value = super().clean(value)
        if not value and not self.required:
            return None
        try:
            return parse_count(value, label=self.label)
        except DomainError as refusal:
            raise forms.ValidationError(refusal.message) from None


YEARS = [(str(y), f"{y}年") for y in range(2020, 2031)]


class CampaignFilterForm(forms.Form):
    status = _choice("状态", ANY + CampaignStatus.choices, required=False)
    kind = _choice("类别", ANY + CampaignKind.choices, required=False)
    year = _choice("年度", ANY + YEARS, required=False)
    q = _text("名称包含", 50, required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        data = self.cleaned_data
        return {
            "status": data["status"] or None,
            "kind": data["kind"] or None,
            "year": int(data["year"]) if data["year"] else None,
            "q": data["q"] or None,
        }


class UnitChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.name


class CampaignForm(forms.Form):
    kind = _choice("类别", CampaignKind.choices)
    title = _text("名称", 100)
    starts_on = _date("开始日期")
    ends_on = _date("结束日期")
    units = UnitChoices(
        label="任务单位",
        queryset=OrgUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "请至少选择一个任务单位。",
            "invalid_choice": "所选单位不是本单位的下级单位。",
            "invalid_pk_value": "所选单位不是本单位的下级单位。",
        },
    )
    note = _text("说明", 2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, children: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = OrgUnit.objects.filter(
            code__in=[u.code for u in children]
        ).order_by("code")
        self.fields["units"].initial = [u.code for u in children]
        self.fields["units"].help_text = "默认全部下级单位，可取消不参加的单位。"
        _big(self)


class PhaseForm(forms.Form):
    name = _text("阶段名称", 60)
    starts_on = _date("开始日期")
    ends_on = _date("结束日期")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _big(self)


class TaskForm(forms.Form):
    name = _text("任务", 100, help_text="服务、宣传、走访、数据核查等工作，如：入户宣传走访。")
    count_unit = _text("计量单位", 10, help_text="如：户、人次、场、份。")
    phase = forms.TypedChoiceField(label="所属阶段", required=False, coerce=int, empty_value=None)
    measure = _choice(
        "进度来源",
        [("", "各单位报送")],
        required=False,
    )
    split = _choice("目标分解", Split.choices)
    total = CountField(
        label="总目标数", required=False, help_text="逐单位填写时不用填，在下一步逐个填写。"
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [("", "不分阶段")] + [
            (p.pk, p.name) for p in campaign.phases.all()
        ]
        self.fields["phase"].error_messages["invalid_choice"] = "所选阶段不属于本方案。"
        self.fields["measure"].choices = [("", "各单位报送")] + [
            (code, f"按系统记录统计：{label}") for code, label in linkable_choices()
        ]
        self.fields["measure"].help_text = (
            "选“按系统记录统计”时，进度取自方案起止日期所在各月的业务记录（统计指标数值表），"
            "各单位不用报送。"
        )
        _big(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("split") in (Split.EVEN, Split.POPULATION) and not data.get("total"):
            self.add_error("total", "平均分解或按人口比例分解时，请填写总目标数。")
        return data


class TargetsForm(forms.Form):
    """One target per unit of the plan."""

    def __init__(
        self, *args: Any, units: list[OrgUnit], initial_targets: dict[str, int], **kw: Any
    ):
        super().__init__(*args, **kw)
        for unit in units:
            self.fields[f"target_{unit.code}"] = CountField(
                label=unit.name, initial=initial_targets.get(unit.code, 0)
            )
        _big(self)

    def targets(self) -> dict[str, int]:
        return {name.removeprefix("target_"): v for name, v in self.cleaned_data.items()}


class DispatchForm(forms.Form):
    day = _date("通报日期")
    kind = _choice("类别", DispatchKind.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _big(self)


class ReportForm(forms.Form):
    """A unit's cumulative count done on each reported task."""

    def __init__(
        self,
        *args: Any,
        tasks: list[Task],
        units: list[OrgUnit],
        targets: dict[tuple[int, str], int],
        unit: str | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if len(units) > 1:
            self.fields["unit"] = forms.ChoiceField(
                label="报送单位",
                choices=[("", "请选择")] + [(u.code, u.name) for u in units],
                initial=unit,
                error_messages={
                    "required": "请选择报送单位。",
                    "invalid_choice": "所选单位不是本方案的任务单位，或不在您的管辖范围内。",
                },
            )
        self.single_unit = units[0].code if len(units) == 1 else None
        for task in tasks:
            target = targets.get((task.pk, unit or self.single_unit or ""), None)
            hint = f"目标 {target} {task.count_unit}，" if target is not None else ""
            self.fields[f"task_{task.pk}"] = CountField(
                label=f"{task.name}（{task.count_unit}）",
                required=False,
                help_text=f"{hint}填写截至报送日期的累计完成数。",
            )
        self.fields["reported_on"] = forms.DateField(
            label="报送日期",
            required=False,
            initial=today,
            widget=DATE,
            help_text="默认今天；补录纸质报表时填报表上的日期。",
            error_messages={"invalid": "报送日期：请填写如 2026-03-15 的日期。"},
        )
        _big(self)

    def unit(self) -> str:
        return self.cleaned_data.get("unit") or self.single_unit or ""

    def reported_on(self) -> date | None:
        """The day typed, or None for today (the form's default)."""
        day = self.cleaned_data.get("reported_on")
        return None if day is None or day == today() else day

    def counts(self) -> dict[int, int]:
        return {
            int(name.removeprefix("task_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("task_") and value is not None
        }
