"""Delivery pages. For facility users (Cap.BIRTHS_REPORT): enter a delivery, list and
export their facility's. For county admins (Cap.FACILITIES_MANAGE): facilities, their
users and API tokens (made and revoked here; a token is shown once)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.common.errors import DomainError
from famplan.common.forms import show_refusal
from famplan.deliveries import selectors, services
from famplan.deliveries.forms import (
    DeliveryFilterForm,
    DeliveryForm,
    FacilityForm,
    MemberForm,
    TokenForm,
)
from famplan.orgunits.jurisdiction import scope
from famplan.orgunits.models import Level, OrgUnit
from famplan.registry.forms.filters import filters_for_audit
from famplan.registry.selectors import CappedPaginator
from famplan.registry.views import PER_PAGE, querystring_without_page
from famplan.transfer.exports import export_download

NO_FACILITY = "您的账号尚未关联医疗卫生机构，请联系县级管理员。"


def _facility(request: HttpRequest):
    facility = selectors.facility_of(request.user)
    if facility is None:
        raise PermissionDenied(NO_FACILITY)
    return facility


def _filter(request: HttpRequest) -> tuple[DeliveryFilterForm, dict | None]:
    form = DeliveryFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, form.filters()


@require_GET
@capability_required(Cap.BIRTHS_REPORT)
def delivery_list(request: HttpRequest) -> HttpResponse:
    facility = selectors.facility_of(request.user)
    if facility is None:
        # The menu entry opens for every facility user; without a facility, it says so.
        return render(request, "deliveries/no_facility.html", {"message": NO_FACILITY})
    form, filters = _filter(request)
    rows = selectors.deliveries_for_user(request.user, **(filters or {}))
    if filters is None:
        rows = rows.none()
    page = CappedPaginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    audit_log(
        actor=request.user,
        action="deliveries.delivery.listed",
        detail={"filter": filters_for_audit(filters or {}), "page": page.number,
                "facility": facility.code},
    )  # fmt: skip
    return render(
        request,
        "deliveries/list.html",
        {
            "facility": facility,
            "form": form,
            "page_obj": page,
            "querystring_without_page": querystring_without_page(request),
            "export_query": querystring_without_page(request).rstrip("&"),
            "can_unmask": request.user.can(Cap.ID_UNMASK),
        },
    )


@require_GET
@capability_required(Cap.BIRTHS_REPORT)
def delivery_export(request: HttpRequest) -> HttpResponse:
    facility = _facility(request)
    _form, filters = _filter(request)
    if filters is None:
        return redirect(f"{reverse('deliveries:list')}?{request.GET.urlencode()}")
    full_ids = request.GET.get("full_ids") == "1" and request.user.can(Cap.ID_UNMASK)
    return export_download(
        actor=request.user,
        action="deliveries.delivery.exported",
        sheet="住院分娩登记",
        columns=selectors.EXPORT_COLUMNS,
        rows=selectors.export_rows(
            selectors.deliveries_for_user(request.user, **filters), full_ids=full_ids
        ),
        detail={"filter": filters_for_audit(filters), "full_ids": full_ids,
                "facility": facility.code},
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@capability_required(Cap.BIRTHS_REPORT)
def delivery_create(request: HttpRequest) -> HttpResponse:
    facility = _facility(request)
    form = DeliveryForm(request.POST or None, user=request.user, facility=facility)
    if request.method == "POST" and form.is_valid():
        result = form.save()
        if result is not None:
            d = result.delivery
            what = "（与已录入的出生登记匹配）" if d.status == "matched" else ""
            note = "（此前已提交，未重复保存）" if result.replayed else what
            messages.success(request, f"已登记病案号{d.record_id}的分娩：{d.child_name}{note}。")
            return redirect(reverse("deliveries:list"))
    return render(request, "deliveries/form.html", {"form": form, "facility": facility})


# --- facilities and tokens (county admin) ---------------------------------------------


def _service_areas(user) -> list[tuple[str, str]]:
    units = scope(OrgUnit.objects.filter(level__in=[Level.COUNTY, Level.TOWNSHIP]), user, "code")
    return [(u.code, f"{u.name}（{u.code}）") for u in units.order_by("code")]


@require_http_methods(["GET", "POST"])
@capability_required(Cap.FACILITIES_MANAGE)
def facility_list(request: HttpRequest) -> HttpResponse:
    form = FacilityForm(request.POST or None, units=_service_areas(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            facility = services.facility_create(
                actor=request.user, code=form.cleaned_data["code"],
                name=form.cleaned_data["name"], unit_id=form.cleaned_data["unit"],
            )  # fmt: skip
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"已添加机构{facility.name}。")
            return redirect(reverse("deliveries:facility_detail", args=[facility.pk]))
    return render(
        request,
        "deliveries/facility_list.html",
        {"facilities": selectors.facilities_for_user(request.user), "form": form},
    )


def _facility_page(request, facility, *, token_form=None, member_form=None, new_token=None):
    response = render(
        request,
        "deliveries/facility_detail.html",
        {
            "facility": facility,
            "tokens": facility.tokens.select_related("created_by").order_by("-created_at"),
            "members": facility.members.select_related("user").order_by("user__username"),
            "token_form": token_form or TokenForm(),
            "member_form": member_form or MemberForm(),
            "new_token": new_token,
            "api_docs": "/api/docs",
        },
    )
    return response


@require_GET
@capability_required(Cap.FACILITIES_MANAGE)
def facility_detail(request: HttpRequest, pk: int) -> HttpResponse:
    facility = selectors.get_facility_for_user(request.user, pk)
    return _facility_page(request, facility)


@never_cache
@require_POST
@capability_required(Cap.FACILITIES_MANAGE)
def token_create(request: HttpRequest, pk: int) -> HttpResponse:
    facility = selectors.get_facility_for_user(request.user, pk)
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.token_create(
                actor=request.user, facility=facility, name=form.cleaned_data["name"]
            )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            # Shown in this response only: never stored, never shown again.
            return _facility_page(request, facility, new_token=(token, raw))
    return _facility_page(request, facility, token_form=form)


@require_POST
@capability_required(Cap.FACILITIES_MANAGE)
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.get_token_for_user(request.user, pk)
    try:
        services.token_revoke(actor=request.user, token=token)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已吊销令牌 {token.prefix}…。")
    return redirect(reverse("deliveries:facility_detail", args=[token.facility_id]))


@require_POST
@capability_required(Cap.FACILITIES_MANAGE)
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    facility = selectors.get_facility_for_user(request.user, pk)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            services.facility_member_add(
                actor=request.user, facility=facility, username=form.cleaned_data["username"]
            )
        except DomainError as exc:
            form.add_error("username", exc.message)
        else:
            messages.success(request, "已添加机构用户。")
            return redirect(reverse("deliveries:facility_detail", args=[facility.pk]))
    return _facility_page(request, facility, member_form=form)
