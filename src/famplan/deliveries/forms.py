"""Forms of the delivery pages: the facility's delivery entry, the list filter, and the
county admin's facility, token and member forms."""

from __future__ import annotations

from typing import Any

from django import forms

from famplan.deliveries.models import DeliveryStatus, Via
from famplan.deliveries.services import DeliveriesRefused, DeliveryData, deliveries_record
from famplan.registry.forms import IdNumberField, date_input
from famplan.registry.forms.people import blank
from famplan.registry.models import BirthPlace, Sex

ANY = [("", "全部")]


def _style(form: forms.Form, small: bool = False) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{css} form-control-sm" if small else css
        label = field.label or ""
        choice = isinstance(widget, forms.Select)
        field.error_messages["required"] = f"请{'选择' if choice else '填写'}{label}"
        if isinstance(field, forms.DateField):
            field.error_messages["invalid"] = f"{label}格式不正确，应为“年-月-日”"
        elif isinstance(field, forms.IntegerField):
            field.error_messages["invalid"] = f"{label}应为整数"


class DeliveryForm(forms.Form):
    """One delivery, entered by a facility user: the same service as the API."""

    record_id = forms.CharField(label="机构病案号", max_length=64)
    mother_id_number = IdNumberField(label="母亲身份证号")
    father_id_number = IdNumberField(
        label="父亲身份证号", required=False, help_text="父亲须已在人口信息库中；不详的可不填"
    )
    delivered_on = forms.DateField(label="分娩日期", widget=date_input())
    sex = forms.ChoiceField(label="婴儿性别", choices=blank("请选择", Sex.choices))
    weight_g = forms.IntegerField(label="出生体重(克)", required=False)
    place = forms.ChoiceField(label="分娩地点", choices=BirthPlace.choices, initial="hospital")
    # No max_length: the service refuses a wrong number with the registry's message.
    medical_certificate_number = forms.CharField(
        label="出生医学证明编号",
        required=False,
        help_text="字母加数字，如 Q620012345；尚未办理的可不填",
    )
    child_name = forms.CharField(
        label="婴儿姓名",
        max_length=50,
        required=False,
        help_text="未取名的可不填，记为“母亲姓名之子/之女”",
    )
    multiple = forms.BooleanField(
        label="多胞胎", required=False, help_text="双胞胎、多胞胎逐个登记：第二个及以后的婴儿勾选"
    )

    def __init__(self, *args: Any, user: Any, facility: Any, **kwargs: Any) -> None:
        self.user, self.facility = user, facility
        super().__init__(*args, **kwargs)
        _style(self)

    def save(self):
        d = self.cleaned_data
        data = DeliveryData(
            record_id=d["record_id"],
            mother_id_number=d["mother_id_number"],
            delivered_on=d["delivered_on"],
            sex=d["sex"],
            weight_g=d.get("weight_g"),
            place=d["place"],
            child_name=d.get("child_name") or "",
            multiple=bool(d.get("multiple")),
            father_id_number=d.get("father_id_number") or None,
            medical_certificate_number=d.get("medical_certificate_number") or None,
        )
        try:
            (result,) = deliveries_record(
                actor=self.user, facility=self.facility, items=[data], via=Via.FORM
            )
        except DeliveriesRefused as refused:
            for error in refused.results[0].errors:
                self.add_error(error.field if error.field in self.fields else None, error.message)
            return None
        return result


class DeliveryFilterForm(forms.Form):
    date_from = forms.DateField(label="分娩日期自", required=False, widget=date_input())
    date_to = forms.DateField(label="分娩日期至", required=False, widget=date_input())
    status = forms.ChoiceField(label="状态", required=False, choices=ANY + DeliveryStatus.choices)
    via = forms.ChoiceField(label="录入方式", required=False, choices=ANY + Via.choices)
    q = forms.CharField(label="病案号/母亲姓名/身份证号", required=False, max_length=30)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self, small=True)

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to"):
            if cleaned["date_from"] > cleaned["date_to"]:
                self.add_error("date_to", "分娩日期至不能早于分娩日期自。")
        return cleaned

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        d = self.cleaned_data
        return {
            "date_from": d["date_from"],
            "date_to": d["date_to"],
            "status": d["status"] or None,
            "via": d["via"] or None,
            "q": d["q"].strip() or None,
        }


class AreaFilterForm(DeliveryFilterForm):
    """The township's and county's list: the delivery filters, the village and the facility."""

    unit = forms.ChoiceField(label="村(居)", required=False)
    facility = forms.TypedChoiceField(
        label="分娩机构", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from famplan.deliveries.selectors import facilities_of_county
        from famplan.registry.forms.filters import unit_choices

        self.fields["unit"].choices = unit_choices(user)
        self.fields["unit"].error_messages["invalid_choice"] = (
            "所选村(居)不存在或不在您的管辖范围内。"
        )
        self.fields["facility"].choices = ANY + [
            (f.pk, f.name) for f in facilities_of_county(user).only("pk", "name")
        ]
        self.fields["facility"].error_messages["invalid_choice"] = "所选分娩机构不存在。"
        _style(self, small=True)

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {
            **super().filters(),
            "unit": self.cleaned_data["unit"] or None,
            "facility": self.cleaned_data["facility"],
        }


class FacilityForm(forms.Form):
    code = forms.CharField(
        label="机构代码", max_length=30, help_text="如统一社会信用代码或卫健部门的机构编码"
    )
    name = forms.CharField(label="机构名称", max_length=100)
    unit = forms.ChoiceField(label="服务区域", help_text="可报告的产妇须在人口信息库中且属于该区域")

    def __init__(self, *args: Any, units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = blank("请选择", units)
        _style(self)


class TokenForm(forms.Form):
    name = forms.CharField(label="用途说明", max_length=50, help_text="如“HIS系统接口”")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class MemberForm(forms.Form):
    username = forms.CharField(
        label="用户名", max_length=150, help_text="角色为“医疗卫生机构”的用户"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
