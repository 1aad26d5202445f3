"""Forms for login and user management. Choices are cut to what the manager may assign."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import ValidationError

from famplan.accounts import services
from famplan.accounts.models import User
from famplan.accounts.roles import Role
from famplan.common.errors import DomainError
from famplan.orgunits.models import OrgUnit
from famplan.orgunits.selectors import units_for_user

NO_UNIT_MESSAGE = "该账号未分配所属单位，请联系管理员"


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates can loop over fields."""

    def _style_fields(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class LoginForm(AuthenticationForm):
    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if user.org_unit_id is None:
            # A bare createsuperuser account: right password, but no jurisdiction.
            services.login_refused(user=user, reason="no_org_unit")
            raise ValidationError(NO_UNIT_MESSAGE, code="no_org_unit")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        indent = "　" * obj.level_rank  # full-width space: a tree in a plain <select>
        return f"{indent}{obj.name}（{obj.code}）"


def unit_field(manager: User, **kwargs: Any) -> UnitChoiceField:
    return UnitChoiceField(
        queryset=units_for_user(manager).order_by("code"),
        label="所属单位",
        error_messages={
            "invalid_choice": "所选单位不存在或不在您的管辖范围内。",
            "required": "请选择所属单位。",
        },
        **kwargs,
    )


def role_choices(manager: User) -> list[tuple[str, str]]:
    return [(r, Role(r).label) for r in services.assignable_roles(manager)]


class _UserFieldsMixin(BootstrapMixin):
    def _setup(self, manager: User) -> None:
        self.manager = manager
        self.fields["org_unit"] = unit_field(manager)
        self.fields["role"] = forms.ChoiceField(
            label="角色",
            choices=[("", "请选择"), *role_choices(manager)],
            error_messages={"invalid_choice": "您不能分配该角色。", "required": "请选择角色。"},
        )
        self.fields["full_name"].required = True

    def _check_role_fits_unit(self, cleaned: dict) -> None:
        role, unit = cleaned.get("role"), cleaned.get("org_unit")
        if role and unit:
            try:
                services.check_role_for_unit(role, unit)
            except DomainError as exc:
                self.add_error("role", exc.message)  # type: ignore[attr-defined]


class UserCreateForm(_UserFieldsMixin, forms.ModelForm):
    password1 = forms.CharField(
        label="初始密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="确认初始密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "org_unit", "role"]

    def __init__(self, *args: Any, manager: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup(manager)
        self.order_fields(["username", "full_name", "phone", "org_unit", "role"])
        self._style_fields()

    def clean(self) -> dict:
        cleaned = super().clean()
        self._check_role_fits_unit(cleaned)
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "两次输入的密码不一致。")
        elif p1:
            probe = User(
                username=cleaned.get("username") or "",
                full_name=cleaned.get("full_name") or "",
                phone=cleaned.get("phone") or "",
            )
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class UserUpdateForm(_UserFieldsMixin, forms.Form):
    """A plain form, not a ModelForm: the service compares the stored row with these
    values, so the form must not write them onto the instance first."""

    full_name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="电话", max_length=20, required=False)

    def __init__(self, *args: Any, manager: User, user: User, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "full_name": user.full_name,
                "phone": user.phone,
                "org_unit": user.org_unit_id,
                "role": user.role,
            },
        )
        super().__init__(*args, **kwargs)
        self._setup(manager)
        if user.pk == manager.pk:
            # Nobody raises their own role or moves themselves; the service refuses too.
            for name in ("org_unit", "role"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "不能修改自己的角色或所属单位。"
        self._style_fields()

    def clean(self) -> dict:
        cleaned = super().clean()
        self._check_role_fits_unit(cleaned)
        return cleaned


class ManagerSetPasswordForm(BootstrapMixin, SetPasswordForm):
    """Django's form (its Chinese messages and the password validators); the view
    saves through the service, never through form.save()."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_fields()


ACTIVE_CHOICES = [("", "全部"), ("1", "在用"), ("0", "已停用")]


class UserFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="用户名或姓名", required=False, max_length=50)
    unit = forms.CharField(label="单位", required=False)
    role = forms.ChoiceField(label="角色", required=False)
    active = forms.ChoiceField(label="状态", required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args: Any, manager: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = unit_field(manager, required=False, empty_label="全部单位")
        self.fields["unit"].label = "单位"
        self.fields["role"].choices = [("", "全部角色"), *role_choices(manager)]
        self._style_fields()

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        active = {"1": True, "0": False}.get(data.get("active") or "")
        unit = data.get("unit")
        return {
            "q": data.get("q") or "",
            "unit": unit.code if unit else "",
            "role": data.get("role") or "",
            "active": active,
        }


class OtpTokenForm(BootstrapMixin, forms.Form):
    """The 6-digit code from the authenticator app; spaces typed between groups are fine."""

    token = forms.CharField(
        label="动态口令",
        max_length=12,
        error_messages={"required": "请输入 6 位数字动态口令。"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_fields()

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not (len(token) == 6 and token.isascii() and token.isdigit()):
            raise ValidationError("动态口令应为 6 位数字。", code="otp_format")
        return token
