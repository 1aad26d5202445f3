"""Forms of birth registration: the application (counter and online), the couple's
children, returning for correction, the list filter and the citizen's status check."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from famplan.common.idnumbers import InvalidIdNumber, normalize, parse_id_number
from famplan.common.text import validate_text
from famplan.orgunits.jurisdiction import scope
from famplan.orgunits.models import Level, OrgUnit
from famplan.registration.models import (
    SPOUSE_LABELS,
    SPOUSES,
    Applicant,
    BundleItem,
    Channel,
    ChildRelation,
    Status,
)
from famplan.registration.services import (
    RECEIPT_LENGTH,
    ChildData,
    RegistrationData,
    SpouseData,
    normalize_receipt,
)
from famplan.registry.forms import IdNumberField
from famplan.registry.forms.filters import ANY, _style, unit_choices
from famplan.registry.models import Sex

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Mobile (11 digits from 1) or a landline with area code (0 + 9 to 11 digits).
PHONE_RE = re.compile(r"^(1\d{10}|0\d{9,11})$")


def normalize_phone(raw: str) -> str:
    """What a person typed as a phone number: spaces, dashes and brackets dropped, a
    leading +86 or 86 removed."""
    value = re.sub(r"[\s\-()（）]", "", raw or "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("86") and len(value) == 13:
        value = value[2:]
    return value


def _date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE,
        help_text=help_text,
        error_messages={
            "invalid": f"{label}：请输入有效日期，如2026-03-01。",
            "required": f"请填写{label}。",
        },
    )


def _char(label: str, max_length: int, *, required: bool = False) -> forms.CharField:
    """Free text a person typed: one line, no control or invisible characters."""
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


def _id_field(label: str) -> IdNumberField:
    return IdNumberField(label=label, error_messages={"required": f"请填写{label}。"})


class VillageField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{obj.parent.name if obj.parent_id else ''} {obj.name}".strip()


def _village_field(label: str) -> VillageField:
    return VillageField(
        label=label,
        queryset=OrgUnit.objects.filter(level=Level.VILLAGE)
        .select_related("parent")
        .order_by("code"),
        required=False,
        empty_label="县外或不在列表中（请填写地址）",
        error_messages={"invalid_choice": f"{label}选项无效。"},
    )


class RegistrationForm(forms.Form):
    """The application. `channel` decides who chooses the township: at the counter the
    clerk's township (a choice for users above a township), online the applicant."""

    township = forms.ModelChoiceField(
        label="办理乡镇(街道)",
        queryset=OrgUnit.objects.none(),
        empty_label="请选择",
        error_messages={"required": "请选择办理乡镇(街道)。", "invalid_choice": "所选乡镇不存在。"},
    )
    applicant = forms.ChoiceField(
        label="申请人",
        choices=Applicant.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择申请人是女方还是男方。"},
    )
    married_on = _date_field("结婚日期")
    expected_on = _date_field(
        "预产期或出生日期", required=False, help_text="已出生的填出生日期；尚未怀孕的可不填"
    )
    phone = _char("联系电话", 20)

    def __init__(
        self, *args: Any, user: Any = None, channel: str = Channel.COUNTER, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.channel = channel
        townships = OrgUnit.objects.filter(level=Level.TOWNSHIP).order_by("code")
        if channel == Channel.COUNTER:
            townships = scope(townships, user, "code")
        self.fields["township"].queryset = townships
        if channel == Channel.COUNTER and len(townships) == 1:
            self.fields["township"].initial = townships[0].pk
        for prefix in SPOUSES:
            label = SPOUSE_LABELS[prefix]
            self.fields[f"{prefix}_name"] = _char(f"{label}姓名", 50, required=True)
            self.fields[f"{prefix}_id_number"] = _id_field(f"{label}身份证号")
            self.fields[f"{prefix}_hukou_unit"] = _village_field(f"{label}户籍地")
            self.fields[f"{prefix}_hukou_address"] = _char(f"{label}户籍地址", 200)
            self.fields[f"{prefix}_residence_unit"] = _village_field(f"{label}现居住地")
            self.fields[f"{prefix}_residence_address"] = _char(f"{label}现居住地址", 200)
        if channel == Channel.ONLINE:
            self.fields["phone"].required = True
        else:
            for prefix in SPOUSES:
                self.fields[f"{prefix}_hukou_unit"].help_text = "在人口信息库中的可不填"
        _style(self)
        for name in ("applicant",):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def spouse_fields(self, prefix: str) -> list[forms.BoundField]:
        names = ("name", "id_number", "hukou_unit", "hukou_address")
        names += ("residence_unit", "residence_address")
        return [self[f"{prefix}_{n}"] for n in names]

    @property
    def spouse_fields_wife(self) -> list[forms.BoundField]:
        return self.spouse_fields("wife")

    @property
    def spouse_fields_husband(self) -> list[forms.BoundField]:
        return self.spouse_fields("husband")

    def _clean_id(self, prefix: str) -> str:
        value = normalize(self.cleaned_data.get(f"{prefix}_id_number") or "")
        try:
            parse_id_number(value)
        except InvalidIdNumber as exc:
            raise forms.ValidationError(f"{SPOUSE_LABELS[prefix]}{exc}") from None
        return value

    def clean_wife_id_number(self) -> str:
        return self._clean_id("wife")

    def clean_husband_id_number(self) -> str:
        return self._clean_id("husband")

    def clean_phone(self) -> str:
        value = normalize_phone(self.cleaned_data.get("phone") or "")
        if value and not PHONE_RE.match(value):
            raise forms.ValidationError("联系电话应为11位手机号或带区号的固定电话。")
        return value

    def data_with(self, children: list[ChildData]) -> RegistrationData:
        d = self.cleaned_data

        def spouse(prefix: str) -> SpouseData:
            return SpouseData(
                name=d[f"{prefix}_name"],
                id_number=d[f"{prefix}_id_number"],
                hukou_unit_id=d[f"{prefix}_hukou_unit"].pk if d[f"{prefix}_hukou_unit"] else None,
                hukou_address=d[f"{prefix}_hukou_address"],
                residence_unit_id=(
                    d[f"{prefix}_residence_unit"].pk if d[f"{prefix}_residence_unit"] else None
                ),
                residence_address=d[f"{prefix}_residence_address"],
            )

        return RegistrationData(
            township_id=d["township"].pk,
            applicant=d["applicant"],
            wife=spouse("wife"),
            husband=spouse("husband"),
            married_on=d["married_on"],
            expected_on=d["expected_on"],
            phone=d["phone"],
            children=children,
        )


class ChildForm(forms.Form):
    name = _char("姓名", 50)
    sex = forms.ChoiceField(label="性别", choices=[("", "请选择"), *Sex.choices], required=False)
    born_on = _date_field("出生日期", required=False)
    relation = forms.ChoiceField(label="子女关系", choices=ChildRelation.choices, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def clean(self) -> dict:
        cleaned = super().clean()
        filled = [k for k in ("name", "sex", "born_on") if cleaned.get(k)]
        if filled and len(filled) < 3:
            raise forms.ValidationError("子女的姓名、性别、出生日期请填写完整。")
        return cleaned

    def child(self) -> ChildData | None:
        d = self.cleaned_data
        if not d.get("name"):
            return None
        return ChildData(
            name=d["name"], sex=d["sex"], born_on=d["born_on"], relation=d["relation"] or "joint"
        )


ChildFormSet = forms.formset_factory(ChildForm, extra=4, max_num=20, absolute_max=20)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="退回原因",
        max_length=200,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写退回原因。", "max_length": "退回原因最多200个字。"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class RegistrationFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=ANY + Status.choices)
    channel = forms.ChoiceField(label="办理渠道", required=False, choices=ANY + Channel.choices)
    unit = forms.ChoiceField(label="乡镇/村(居)", required=False)
    date_from = _date_field("申请日期自", required=False)
    date_to = _date_field("申请日期至", required=False)
    q = _char("姓名/身份证号/证号", 30)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices(user)
        self.fields["unit"].error_messages["invalid_choice"] = (
            "所选单位不存在或不在您的管辖范围内。"
        )
        self.fields["status"].error_messages["invalid_choice"] = "状态选项无效。"
        self.fields["channel"].error_messages["invalid_choice"] = "办理渠道选项无效。"
        _style(self)

    def clean(self) -> dict:
        cleaned = super().clean()
        if (
            cleaned.get("date_from")
            and cleaned.get("date_to")
            and cleaned["date_from"] > cleaned["date_to"]
        ):
            self.add_error("date_to", "申请日期至不能早于申请日期自。")
        return cleaned

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        d = self.cleaned_data
        return {
            "status": d["status"] or None,
            "channel": d["channel"] or None,
            "unit": d["unit"] or None,
            "date_from": d["date_from"],
            "date_to": d["date_to"],
            "q": d["q"].strip() or None,
        }


class StatusCheckForm(forms.Form):
    id_number = _id_field("身份证号（夫妻任一方）")
    receipt_number = _char("回执号", 20, required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["id_number"].widget.attrs["autocomplete"] = "off"
        self.fields["receipt_number"].widget.attrs["autocomplete"] = "off"

    def clean_id_number(self) -> str:
        value = normalize(self.cleaned_data.get("id_number") or "")
        try:
            parse_id_number(value)
        except InvalidIdNumber as exc:
            raise forms.ValidationError(str(exc)) from None
        return value

    def clean_receipt_number(self) -> str:
        value = normalize_receipt(self.cleaned_data.get("receipt_number") or "")
        if len(value) != RECEIPT_LENGTH:
            raise forms.ValidationError(f"回执号应为{RECEIPT_LENGTH}位字母和数字。")
        return value


class BundleFilterForm(forms.Form):
    date_from = _date_field("出生日期自", required=False, help_text="默认近一年")
    date_to = _date_field("出生日期至", required=False)
    unit = forms.ChoiceField(label="乡镇/村(居)", required=False)
    missing = forms.BooleanField(label="只看未办齐的", required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices(user)
        self.fields["unit"].error_messages["invalid_choice"] = (
            "所选单位不存在或不在您的管辖范围内。"
        )
        _style(self)
        self.fields["missing"].widget.attrs["class"] = "form-check-input"

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        d = self.cleaned_data
        return {
            "date_from": d["date_from"],
            "date_to": d["date_to"],
            "unit": d["unit"] or None,
            "missing_only": d["missing"],
        }


class BundleItemForm(forms.Form):
    item = forms.ChoiceField(choices=BundleItem.choices, widget=forms.HiddenInput)
    number = _char("编号", 40, required=True)
    done_on = _date_field("办理日期")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
