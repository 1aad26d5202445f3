"""Supplies pages: the points list and a point's page, the delivery and issue forms
(made for phones), the monthly report, the kinds table and voluntary service requests.

Thin: selectors read (cut to jurisdiction), services write. Points, stock and reports
are counts, not personal data; service requests are, so their views are audited.
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.common.dates import today
from famplan.common.errors import DomainError
from famplan.common.forms import show_refusal
from famplan.orgunits.jurisdiction import get_in_scope_or_404
from famplan.orgunits.models import OrgUnit
from famplan.registry.forms.filters import filters_for_audit
from famplan.registry.selectors import CappedPaginator
from famplan.registry.views import PER_PAGE, querystring_without_page
from famplan.supplies import selectors, services
from famplan.supplies.forms import (
    KindForm,
    MovementForm,
    PointFilterForm,
    PointForm,
    ReportForm,
    RequestFilterForm,
    RequestForm,
    VoidForm,
)
from famplan.supplies.models import Direction, DistributionPoint, SupplyKind
from famplan.transfer.exports import export_download

F = TypeVar("F", PointFilterForm, RequestFilterForm)


def _filters(request: HttpRequest, form_class: type[F]) -> tuple[F, dict | None]:
    """A list's filter form and its filters; None for filters that do not validate."""
    form = form_class(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, form.filters()


# --- points --------------------------------------------------------------------------


@require_GET
@capability_required(Cap.SUPPLIES_VIEW)
def point_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request, PointFilterForm)
    rows = selectors.search_points(request.user, **(filters or {}))
    if filters is None:
        rows = rows.none()
    page = CappedPaginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    shown = selectors.active_kinds()
    return render(
        request,
        "supplies/point_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": selectors.point_rows(list(page), shown),
            "kinds": shown,
            "querystring_without_page": querystring_without_page(request),
            "export_query": querystring_without_page(request).rstrip("&"),
            "can_export": request.user.can(Cap.SUPPLIES_EXPORT),
            "can_enter": request.user.can(Cap.SUPPLIES_ENTER),
            "can_manage": request.user.can(Cap.SUPPLIES_MANAGE),
            "can_service": request.user.can(Cap.SUPPLIES_SERVICE),
            # The import page of the transfer framework asks for the import right.
            "can_import": request.user.can(Cap.REGISTRY_IMPORT),
        },
    )


@require_GET
@capability_required(Cap.SUPPLIES_EXPORT)
def point_export(request: HttpRequest) -> HttpResponse:
    _form, filters = _filters(request, PointFilterForm)
    if filters is None:
        return redirect(f"{reverse('supplies:point_list')}?{request.GET.urlencode()}")
    shown = selectors.active_kinds()
    points = selectors.search_points(request.user, **filters)
    return export_download(
        actor=request.user,
        action="supplies.point.exported",
        sheet="药具发放点",
        columns=selectors.export_columns(shown),
        rows=selectors.export_rows(points, shown),
        detail={"filter": filters_for_audit(filters)},
    )


@require_GET
@capability_required(Cap.SUPPLIES_VIEW)
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    point = selectors.get_point_for_user(request.user, pk)
    shown = selectors.kinds()
    balances = selectors.stock(DistributionPoint.objects.filter(pk=point.pk))
    return render(
        request,
        "supplies/point_detail.html",
        {
            "point": point,
            "kinds": shown,
            "stock": [(k, balances.get((point.pk, k.pk), 0)) for k in shown],
            "months": selectors.monthly_movements(point, shown),
            "recent": selectors.recent_movements(point),
            "can_enter": request.user.can(Cap.SUPPLIES_ENTER)
            and services.can_enter(request.user, point),
            "can_manage": request.user.can(Cap.SUPPLIES_MANAGE),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SUPPLIES_MANAGE)
def point_create(request: HttpRequest) -> HttpResponse:
    form = PointForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            point = services.point_create(
                actor=request.user,
                unit=data["unit"],
                name=data["name"],
                place_kind=data["place_kind"],
                address=data["address"],
                opened_on=data["opened_on"],
            )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"已新建发放点“{point.name}”。")
            return redirect("supplies:point_detail", pk=point.pk)
    return render(request, "supplies/point_form.html", {"form": form, "title": "新建发放点"})


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SUPPLIES_MANAGE)
def point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = selectors.get_point_for_user(request.user, pk)
    initial = {
        "unit": point.unit_id,
        "name": point.name,
        "place_kind": point.place_kind,
        "address": point.address,
        "opened_on": point.opened_on,
        "closed_on": point.closed_on,
    }
    form = PointForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.point_update(
                actor=request.user,
                point=point,
                version=int(request.POST.get("version") or 0),
                unit=data["unit"],
                name=data["name"],
                place_kind=data["place_kind"],
                address=data["address"],
                opened_on=data["opened_on"],
                closed_on=data["closed_on"],
            )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("supplies:point_detail", pk=point.pk)
    return render(
        request,
        "supplies/point_form.html",
        {"form": form, "title": f"修改发放点：{point.name}", "point": point},
    )


# --- deliveries and issues ---------------------------------------------------------------


def _movement(request: HttpRequest, direction: str) -> HttpResponse:
    issue = direction == Direction.ISSUE
    initial = {}
    if request.method == "GET" and request.GET.get("point"):
        initial["point"] = request.GET["point"]
    form = MovementForm(request.POST or None, user=request.user, issue=issue, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            movement = services.movement_record(
                actor=request.user,
                point=data["point"],
                kind=data["kind"],
                direction=direction,
                moved_on=data["moved_on"],
                quantity=data["quantity"],
                monthly=bool(data.get("monthly")),
                note=data["note"],
            )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            point, kind = data["point"], data["kind"]
            balances = selectors.stock(DistributionPoint.objects.filter(pk=point.pk))
            left = balances.get((point.pk, kind.pk), 0)
            verb = "发放" if issue else "入库"
            messages.success(
                request,
                f"已登记{point.name}{kind.name}{verb} {movement.quantity} {kind.unit}，"
                f"现有库存 {left} {kind.unit}。",
            )
            return redirect("supplies:point_detail", pk=point.pk)
    title = "登记药具发放" if issue else "登记药具入库/配送"
    return render(request, "supplies/movement_form.html", {"form": form, "title": title})


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SUPPLIES_ENTER)
def delivery_create(request: HttpRequest) -> HttpResponse:
    return _movement(request, Direction.DELIVERY)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SUPPLIES_ENTER)
def issue_create(request: HttpRequest) -> HttpResponse:
    return _movement(request, Direction.ISSUE)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SUPPLIES_ENTER)
def movement_void(request: HttpRequest, pk: int) -> HttpResponse:
    movement = selectors.get_movement_for_user(request.user, pk)
    if not services.can_enter(request.user, movement.point):
        raise PermissionDenied(f"{movement.point.name}由乡镇管理，请由乡镇专干撤销。")
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.movement_void(
                actor=request.user, movement=movement, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"已撤销{movement.get_direction_display()}记录。")
            return redirect("supplies:point_detail", pk=movement.point_id)
    return render(request, "supplies/movement_void.html", {"form": form, "m": movement})


# --- the monthly report ------------------------------------------------------------------


def _report(request: HttpRequest) -> tuple[ReportForm, selectors.MonthlyReport | None]:
    form = ReportForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return form, None
    code, month = form.choice()
    unit = get_in_scope_or_404(OrgUnit.objects.all(), request.user, "code", code=code)
    return form, selectors.monthly_report(unit, month)


@require_GET
@capability_required(Cap.SUPPLIES_VIEW)
def report(request: HttpRequest) -> HttpResponse:
    form, result = _report(request)
    return render(
        request,
        "supplies/report.html",
        {
            "form": form,
            "report": result,
            "target": round(selectors.AVAILABILITY_TARGET * 100),
            "current_month": result is not None and result.month == today().replace(day=1),
            "export_query": request.GET.urlencode(),
            "can_export": request.user.can(Cap.SUPPLIES_EXPORT),
            "can_service": request.user.can(Cap.SUPPLIES_SERVICE),
        },
    )


@require_GET
@capability_required(Cap.SUPPLIES_EXPORT)
def report_export(request: HttpRequest) -> HttpResponse:
    _form, result = _report(request)
    if result is None:
        return redirect(f"{reverse('supplies:report')}?{request.GET.urlencode()}")
    return export_download(
        actor=request.user,
        action="supplies.report.exported",
        sheet="药具月报",
        filename=f"药具月报_{result.unit.name}_{result.month:%Y%m}",
        columns=selectors.report_columns(result),
        rows=selectors.report_sheet_rows(result),
        detail={"unit": result.unit.code, "month": f"{result.month:%Y-%m}"},
        org_unit_id=result.unit.code,
    )


# --- the kinds table ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SUPPLIES_VIEW)
def kind_list(request: HttpRequest) -> HttpResponse:
    """The table of kinds; the county adds a kind here (SUPPLIES_KINDS)."""
    can_edit = request.user.can(Cap.SUPPLIES_KINDS)
    form = KindForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("您没有此项操作的权限。")
        if form.is_valid():
            data = form.cleaned_data
            try:
                kind = services.kind_create(
                    actor=request.user,
                    code=data["code"],
                    name=data["name"],
                    unit=data["unit"],
                    essential=data["essential"],
                    order=data["order"],
                )
            except DomainError as exc:
                show_refusal(form, exc)
            else:
                messages.success(request, f"已新增药具种类“{kind.name}”。")
                return redirect("supplies:kind_list")
    return render(
        request,
        "supplies/kind_list.html",
        {
            "kinds": selectors.kinds(),
            "form": form,
            "can_edit": can_edit,
            "can_service": request.user.can(Cap.SUPPLIES_SERVICE),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SUPPLIES_KINDS)
def kind_edit(request: HttpRequest, pk: int) -> HttpResponse:
    kind = get_object_or_404(SupplyKind, pk=pk)
    initial = {f: getattr(kind, f) for f in ("name", "unit", "essential", "active", "order")}
    form = KindForm(request.POST or None, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.kind_update(actor=request.user, kind=kind, **data)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("supplies:kind_list")
    return render(request, "supplies/kind_form.html", {"form": form, "kind": kind})


# --- voluntary service requests ------------------------------------------------------------


@require_GET
@capability_required(Cap.SUPPLIES_SERVICE)
def request_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request, RequestFilterForm)
    rows = selectors.search_requests(request.user, **(filters or {}))
    if filters is None:
        rows = rows.none()
    page = CappedPaginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    audit_log(
        actor=request.user,
        action="supplies.request.listed",
        detail={"filter": filters_for_audit(filters or {}), "page": page.number},
    )
    return render(
        request,
        "supplies/request_list.html",
        {
            "form": form,
            "page_obj": page,
            "querystring_without_page": querystring_without_page(request),
            "export_query": querystring_without_page(request).rstrip("&"),
            "can_export": request.user.can(Cap.SUPPLIES_EXPORT),
            "can_service": True,
        },
    )


@require_GET
@capability_required(Cap.SUPPLIES_SERVICE)
def request_export(request: HttpRequest) -> HttpResponse:
    if not request.user.can(Cap.SUPPLIES_EXPORT):
        raise PermissionDenied("您没有此项操作的权限。")
    _form, filters = _filters(request, RequestFilterForm)
    if filters is None:
        return redirect(f"{reverse('supplies:request_list')}?{request.GET.urlencode()}")
    return export_download(
        actor=request.user,
        action="supplies.request.exported",
        sheet="药具服务记录",
        columns=selectors.REQUEST_COLUMNS,
        rows=selectors.request_rows(selectors.search_requests(request.user, **filters)),
        detail={"filter": filters_for_audit(filters)},
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SUPPLIES_SERVICE)
def request_create(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.request_record(
                actor=request.user,
                person=data["id_number"],
                requested_on=data["requested_on"],
                asked=data["asked"],
                given=data["given"],
                point=data["point"],
            )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "已登记服务记录。")
            return redirect("supplies:request_detail", pk=record.pk)
    return render(request, "supplies/request_form.html", {"form": form, "today": today()})


@require_GET
@capability_required(Cap.SUPPLIES_SERVICE)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.get_request_for_user(request.user, pk)
    audit_log(
        actor=request.user,
        action="supplies.request.viewed",
        target=record,
        org_unit_id=record.unit_id,
    )
    return render(request, "supplies/request_detail.html", {"r": record})
