"""Login and user management pages. Thin: forms validate, services write, selectors read."""

from __future__ import annotations

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from famplan.accounts import otp, selectors, services
from famplan.accounts.forms import (
    LoginForm,
    ManagerSetPasswordForm,
    OtpTokenForm,
    UserCreateForm,
    UserFilterForm,
    UserUpdateForm,
)
from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.common.errors import DomainError

PER_PAGE = 50


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        # Straight on to the second factor, carrying where the user was going.
        url = super().get_success_url()
        if otp.otp_required(self.request.user) and not otp.is_verified(self.request.user):
            return otp.pending_url(self.request.user, url)
        return url


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_changed")

    def form_valid(self, form: Form) -> HttpResponse:
        # Through the service for the audit row; Django's form.save() would skip it.
        user = services.password_change_own(
            user=self.request.user, password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, user)  # stay logged in on this device
        return HttpResponseRedirect(self.get_success_url())


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if safe else resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: the secret and its QR code, confirmed by one current code."""
    user, next_url = request.user, _next_url(request)
    if not otp.otp_required(user) or otp.is_verified(user):
        return redirect(next_url)
    if otp.confirmed_device(user) is not None:
        # Replacing a device takes a manager's reset: a stolen password must not do it.
        return redirect(otp.pending_url(user, next_url))
    key = otp.setup_key(request.session)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.otp_device_enrol(user=user, key=key, token=form.cleaned_data["token"])
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(otp.pending_url(user, next_url))
        if device is not None:
            django_otp.login(request, device)
            otp.forget_setup_key(request.session)
            messages.success(request, "已绑定身份验证器，以后登录时请输入其显示的动态口令。")
            return redirect(next_url)
        form.add_error("token", otp.WRONG_CODE_MESSAGE)
    uri = otp.config_uri(user, key)
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "next": next_url,
            "secret": otp.secret_base32(key),
            "otpauth_uri": uri,
            "qr_data_uri": otp.qr_svg_data_uri(uri),
        },
    )


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login: a code from the user's authenticator app."""
    user, next_url = request.user, _next_url(request)
    if not otp.otp_required(user) or otp.is_verified(user):
        return redirect(next_url)
    if otp.confirmed_device(user) is None:
        return redirect(otp.pending_url(user, next_url))
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = services.otp_verify(user=user, token=form.cleaned_data["token"])
        if check.verified:
            django_otp.login(request, check.device)
            return redirect(next_url)
        form.add_error("token", check.message)
    lockout_minutes = int(settings.OTP_LOCKOUT_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/otp_verify.html",
        {
            "form": form,
            "next": next_url,
            "failure_limit": settings.OTP_FAILURE_LIMIT,
            "lockout_minutes": lockout_minutes,
        },
    )


def _querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def _add_errors(form: Form, exc: DomainError | ValidationError) -> None:
    form.add_error(None, exc.message if isinstance(exc, DomainError) else exc)


@capability_required(Cap.USERS_MANAGE)
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None, manager=request.user)
    users = selectors.users_for_manager(request.user)
    if form.is_bound and not form.is_valid():
        users = users.none()  # a tampered unit filter shows nothing, not everything
    else:
        users = selectors.filter_users(users, **form.filters())
    page = Paginator(users, PER_PAGE).get_page(request.GET.get("page"))
    locked = selectors.locked_usernames([u.username for u in page.object_list])
    return render(
        request,
        "accounts/user_list.html",
        {
            "form": form,
            "page_obj": page,
            "locked": locked,
            "querystring_without_page": _querystring_without_page(request),
        },
    )


@capability_required(Cap.USERS_MANAGE)
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, manager=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                phone=data.get("phone") or "",
                org_unit=data["org_unit"],
                role=data["role"],
                password=data["password1"],
            )
        except (DomainError, ValidationError) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已创建用户“{user.username}”。")
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@capability_required(Cap.USERS_MANAGE)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.get_user_for_manager(request.user, pk)
    form = UserUpdateForm(request.POST or None, manager=request.user, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                actor=request.user,
                user=user,
                full_name=data["full_name"],
                phone=data.get("phone") or "",
                org_unit=data["org_unit"],
                role=data["role"],
            )
        except DomainError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已保存用户“{user.username}”。")
            return redirect("accounts:user_list")
    locked = user.username in selectors.locked_usernames([user.username])
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "managed": user,
            "locked": locked,
            "is_self": user.pk == request.user.pk,
            "otp_bound": otp.confirmed_device(user) is not None,
        },
    )


@require_POST
@capability_required(Cap.USERS_MANAGE)
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.get_user_for_manager(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(actor=request.user, user=user, active=active)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        state = "启用" if active else "停用"
        messages.success(request, f"已{state}用户“{user.username}”。")
    return redirect("accounts:user_edit", pk=user.pk)


@capability_required(Cap.USERS_MANAGE)
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.get_user_for_manager(request.user, pk)
    form = ManagerSetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                actor=request.user, user=user, password=form.cleaned_data["new_password1"]
            )
        except (DomainError, ValidationError) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已重置用户“{user.username}”的密码，并解除锁定。")
            return redirect("accounts:user_edit", pk=user.pk)
    return render(request, "accounts/user_password.html", {"form": form, "managed": user})


@require_POST
@capability_required(Cap.USERS_MANAGE)
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.get_user_for_manager(request.user, pk)
    try:
        services.user_unlock(actor=request.user, user=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已解除用户“{user.username}”的登录锁定。")
    return redirect(reverse("accounts:user_edit", kwargs={"pk": user.pk}))


@require_POST
@capability_required(Cap.USERS_MANAGE)
def user_otp_reset(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.get_user_for_manager(request.user, pk)
    try:
        services.otp_reset(actor=request.user, user=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"已重置用户“{user.username}”的动态口令，其下次登录时需重新绑定身份验证器。"
        )
    return redirect("accounts:user_edit", pk=user.pk)
