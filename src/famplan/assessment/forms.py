"""Forms of the assessment pages: the scheme list's filter, a scheme, an item, a veto.
The scores of a sample village are read straight from the POST (one field per item and
part) and checked by the service, which is their one home."""

from __future__ import annotations

from typing import Any

from django import forms

from famplan.assessment.models import ItemKind, Rule, SchemeStatus, VetoEffect, VetoReason
from famplan.assessment.services import ASSESSABLE_INDICATORS
from famplan.common.dates import today
from famplan.indicators.indicators import INDICATORS
from famplan.orgunits.models import OrgUnit


def _style(form: forms.Form) -> None:
    for bound in form.fields.values():
        widget = bound.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class SchemeFilterForm(forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *SchemeStatus.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].error_messages["invalid"] = "年度：请输入四位年份。"
        _style(self)


class SchemeForm(forms.Form):
    year = forms.IntegerField(
        label="年度",
        min_value=2000,
        max_value=2100,
        error_messages={"required": "请填写年度。", "invalid": "年度：请输入四位年份。"},
    )
    title = forms.CharField(label="方案名称", max_length=100, required=False)
    half_weight = forms.IntegerField(
        label="半年考核权重(%)",
        initial=30,
        min_value=0,
        max_value=100,
        error_messages={
            "required": "请填写半年考核权重。",
            "min_value": "半年考核权重应在0到100之间。",
            "max_value": "半年考核权重应在0到100之间。",
        },
    )
    veto_effect = forms.ChoiceField(label="一票否决的后果", choices=VetoEffect.choices)
    seed = forms.IntegerField(
        label="抽样种子",
        required=False,
        min_value=0,
        max_value=999_999_999,
        help_text="留空则随机生成；种子公开记录，任何人可用它重新抽出同样的样本村。",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = today().year
        _style(self)


class ItemForm(forms.Form):
    name = forms.CharField(
        label="考核项目", max_length=100, error_messages={"required": "请填写考核项目名称。"}
    )
    kind = forms.ChoiceField(label="类型", choices=ItemKind.choices)
    points = forms.DecimalField(
        label="分值",
        max_digits=5,
        decimal_places=1,
        min_value=0.1,
        error_messages={
            "required": "请填写分值。",
            "invalid": "分值：请输入数字。",
            "min_value": "分值应大于0。",
            "max_decimal_places": "分值最多一位小数。",
        },
    )
    indicator = forms.ChoiceField(label="关联指标", required=False)
    rule = forms.ChoiceField(label="计分规则", required=False, choices=[("", "—"), *Rule.choices])
    step = forms.FloatField(
        label="每档差距", required=False, min_value=0, help_text="按档扣分时填写，如1（个百分点）"
    )
    step_points = forms.DecimalField(
        label="每档扣分", required=False, max_digits=5, decimal_places=1, min_value=0
    )
    criteria = forms.CharField(label="评分标准", max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [
            ("", "—"),
            *((code, INDICATORS[code].label) for code in ASSESSABLE_INDICATORS),
        ]
        _style(self)


class VetoForm(forms.Form):
    township = forms.ModelChoiceField(
        label="乡镇",
        queryset=OrgUnit.objects.none(),
        error_messages={"required": "请选择乡镇。", "invalid_choice": "请选择本县的乡镇。"},
    )
    reason = forms.ChoiceField(label="否决事由", choices=VetoReason.choices)
    evidence = forms.CharField(
        label="事实与依据",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "请写明否决的事实与依据。"},
    )

    def __init__(self, *args: Any, scheme: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["township"]
        field.queryset = OrgUnit.objects.filter(
            parent_id=scheme.unit_id, level=scheme.assessed_level
        ).order_by("code")
        if scheme.by_township:
            field.label = "村(居)"
            field.error_messages = {
                "required": "请选择村(居)。",
                "invalid_choice": "请选择本乡镇的村(居)。",
            }
        _style(self)
