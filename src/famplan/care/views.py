"""Care pages: the special-family register (candidates from the registry, a family's
page with its contacts, visits and help), responsibility assignments (包村包户), the
visit form (made for a phone), the worklist of visits due, the assignments without a
visit in a month and the coverage per township.

Thin: selectors read (cut to jurisdiction), services write. A family's record is
personal and sensitive (失独 is a bereavement): every list, page and export of
families, visits and assignments is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.care import exports, selectors, services
from famplan.care.candidates import candidates_for_user
from famplan.care.forms import (
    AssignmentFilterForm,
    AssignmentForm,
    CoverageForm,
    EndForm,
    FamilyEditForm,
    FamilyFilterForm,
    FamilyForm,
    HelpForm,
    ReasonForm,
    TargetForm,
    UnvisitedForm,
    VisitFilterForm,
    VisitForm,
    WorklistForm,
)
from famplan.care.models import Assignment, FamilyStatus, TargetKind
from famplan.common.errors import DomainError
from famplan.common.forms import show_refusal
from famplan.orgunits.jurisdiction import get_in_scope_or_404, scope
from famplan.orgunits.models import Level, OrgUnit
from famplan.registry.forms.filters import filters_for_audit
from famplan.registry.models import Household
from famplan.registry.selectors import CappedPaginator
from famplan.registry.views import PER_PAGE, querystring_without_page
from famplan.transfer.exports import export_download


def _filters(request: HttpRequest, form_class: type) -> tuple[Any, dict | None]:
    form = form_class(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, form.filters()


def _page(request: HttpRequest, rows: Any) -> Any:
    return CappedPaginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _list_context(request: HttpRequest, form: Any, page: Any, **extra: Any) -> dict:
    return {
        "form": form,
        "page_obj": page,
        "querystring_without_page": querystring_without_page(request),
        "export_query": querystring_without_page(request).rstrip("&"),
        "can_export": request.user.can(Cap.CARE_EXPORT),
        "can_families": request.user.can(Cap.CARE_FAMILIES),
        "can_assign": request.user.can(Cap.CARE_ASSIGN),
        "can_visit": request.user.can(Cap.CARE_VISIT),
        "can_import": request.user.can(Cap.REGISTRY_IMPORT),
        **extra,
    }


def _back_to(request: HttpRequest, name: str) -> HttpResponse:
    return redirect(f"{reverse(name)}?{request.GET.urlencode()}")


# --- special families ------------------------------------------------------------------


@require_GET
@capability_required(Cap.CARE_VIEW)
def family_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request, FamilyFilterForm)
    rows = selectors.search_families(request.user, **(filters or {}))
    page = _page(request, rows if filters is not None else rows.none())
    audit_log(
        actor=request.user,
        action="care.family.listed",
        detail={"filter": filters_for_audit(filters or {}), "page": page.number},
    )
    return render(
        request, "care/family_list.html", _list_context(request, form, page, tab="families")
    )


@require_GET
@capability_required(Cap.CARE_EXPORT)
def family_export(request: HttpRequest) -> HttpResponse:
    _form, filters = _filters(request, FamilyFilterForm)
    if filters is None:
        return _back_to(request, "care:family_list")
    families = selectors.search_families(request.user, **filters)
    return export_download(
        actor=request.user,
        action="care.family.exported",
        sheet="计生特殊家庭",
        columns=exports.FAMILY_COLUMNS,
        rows=exports.family_rows(families),
        detail={"filter": filters_for_audit(filters)},
    )


@require_GET
@capability_required(Cap.CARE_VIEW)
def family_detail(request: HttpRequest, pk: int) -> HttpResponse:
    family = selectors.get_family_for_user(request.user, pk)
    if family.status == FamilyStatus.DISMISSED:
        raise Http404("记录不存在")
    audit_log(
        actor=request.user, action="care.family.viewed", target=family, org_unit_id=family.unit_id
    )
    return render(
        request,
        "care/family_detail.html",
        {
            "family": family,
            **selectors.family_page(family),
            "can_families": request.user.can(Cap.CARE_FAMILIES),
            "can_assign": request.user.can(Cap.CARE_ASSIGN),
            "can_visit": request.user.can(Cap.CARE_VISIT),
            "open": family.status == FamilyStatus.CONFIRMED,
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CARE_FAMILIES)
def family_create(request: HttpRequest) -> HttpResponse:
    form = FamilyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            family = services.family_create(actor=request.user, **data)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"已登记特殊家庭“{family.name}”。")
            return redirect("care:family_detail", pk=family.pk)
    return render(
        request, "care/form.html", {"form": form, "title": "登记特殊家庭", "testid": "family-form"}
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CARE_FAMILIES)
def family_edit(request: HttpRequest, pk: int) -> HttpResponse:
    family = selectors.get_family_for_user(request.user, pk)
    if family.status == FamilyStatus.DISMISSED:
        raise Http404("记录不存在")
    initial = {f: getattr(family, f) for f in ("phone", "address", "needs", "needs_note")}
    form = FamilyEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_update(
                actor=request.user,
                family=family,
                version=int(request.POST.get("version") or 0),
                **form.cleaned_data,
            )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("care:family_detail", pk=family.pk)
    return render(
        request,
        "care/form.html",
        {
            "form": form,
            "title": f"修改：{family.name}",
            "version": family.version,
            "testid": "family-edit",
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CARE_FAMILIES)
def family_close(request: HttpRequest, pk: int) -> HttpResponse:
    family = selectors.get_family_for_user(request.user, pk)
    form = ReasonForm(request.POST or None, with_date="退出日期")
    form.fields["reason"].label = "退出原因"
    if request.method == "POST" and form.is_valid():
        try:
            services.family_close(
                actor=request.user,
                family=family,
                closed_on=form.cleaned_data["day"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            show_refusal(form, exc, {"closed_on": "day"})
        else:
            messages.success(request, f"“{family.name}”已退出特殊家庭名册。")
            return redirect("care:family_detail", pk=family.pk)
    return render(
        request,
        "care/form.html",
        {"form": form, "title": f"退出名册：{family.name}", "testid": "close-form"},
    )


@require_GET
@capability_required(Cap.CARE_FAMILIES)
def candidate_list(request: HttpRequest) -> HttpResponse:
    found = candidates_for_user(request.user)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    units = OrgUnit.objects.in_bulk({c.unit_id for c in page})
    audit_log(actor=request.user, action="care.candidate.listed", detail={"count": len(found)})
    return render(
        request,
        "care/candidate_list.html",
        {
            "page_obj": page,
            "rows": [(c, units.get(c.unit_id)) for c in page],
            "querystring_without_page": querystring_without_page(request),
            "tab": "candidates",
        },
    )


@require_POST
@capability_required(Cap.CARE_FAMILIES)
def candidate_confirm(request: HttpRequest, child: int) -> HttpResponse:
    if not any(c.child["pk"] == child for c in candidates_for_user(request.user)):
        raise Http404("记录不存在")
    try:
        family = services.family_confirm(actor=request.user, child_id=child)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("care:candidate_list")
    messages.success(request, f"已确认“{family.name}”为特殊家庭，请设置双岗联系人。")
    return redirect("care:family_detail", pk=family.pk)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CARE_FAMILIES)
def candidate_dismiss(request: HttpRequest, child: int) -> HttpResponse:
    found = [c for c in candidates_for_user(request.user) if c.child["pk"] == child]
    if not found:
        raise Http404("记录不存在")
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = "核实不符的原因"
    if request.method == "POST" and form.is_valid():
        try:
            services.family_dismiss(
                actor=request.user, child_id=child, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "已记录核实不符。")
            return redirect("care:candidate_list")
    return render(
        request,
        "care/form.html",
        {"form": form, "title": f"核实不符：{found[0].name}", "testid": "dismiss-form"},
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CARE_FAMILIES)
def help_create(request: HttpRequest, pk: int) -> HttpResponse:
    family = selectors.get_family_for_user(request.user, pk)
    form = HelpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.help_record(actor=request.user, family=family, **form.cleaned_data)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "已登记帮扶。")
            return redirect("care:family_detail", pk=family.pk)
    return render(
        request,
        "care/form.html",
        {"form": form, "title": f"登记帮扶：{family.name}", "testid": "help-form"},
    )


# --- targets -----------------------------------------------------------------------------


def _target(request: HttpRequest) -> dict[str, Any] | None:
    """The target named in the query (?family=, ?household=, ?village=), in the user's
    jurisdiction (else 404), or None when none is named."""
    params = request.GET
    user = request.user
    if params.get("family"):
        family = selectors.get_family_for_user(user, params["family"])
        if family.status != FamilyStatus.CONFIRMED:
            raise Http404("记录不存在")
        return {
            "target_kind": TargetKind.FAMILY,
            "family": family,
            "unit": family.unit,
            "label": f"特殊家庭 {family.name}",
            "query": f"family={family.pk}",
        }
    if params.get("household"):
        household = get_in_scope_or_404(
            Household.objects.select_related("unit", "head"), user, "unit", pk=params["household"]
        )
        head = f"（户主 {household.head.name}）" if household.head_id else ""
        return {
            "target_kind": TargetKind.HOUSEHOLD,
            "household": household,
            "unit": household.unit,
            "label": f"{household.unit.name} 户 {household.number}{head}",
            "query": f"household={household.pk}",
        }
    if params.get("village"):
        village = get_in_scope_or_404(
            OrgUnit.objects.filter(level=Level.VILLAGE), user, "code", code=params["village"]
        )
        return {
            "target_kind": TargetKind.VILLAGE,
            "village": village,
            "unit": village,
            "label": f"包村 {village.name}",
            "query": f"village={village.code}",
        }
    return None


def _choose_target(request: HttpRequest, title: str) -> HttpResponse:
    """The first step: a village, and a household number for a household."""
    bound = "pick-village" in request.GET
    form = TargetForm(request.GET if bound else None, user=request.user, prefix="pick")
    if bound and form.is_valid():
        village, number = form.cleaned_data["village"], form.cleaned_data["household"].strip()
        if not number:
            return redirect(f"{request.path}?village={village.code}")
        households = scope(
            Household.objects.filter(number=number, unit_id=village.code), request.user, "unit"
        )
        household = households.first()
        if household is not None:
            return redirect(f"{request.path}?household={household.pk}")
        form.add_error("household", f"{village.name}没有户号为{number}的户。")
    return render(request, "care/target_form.html", {"form": form, "title": title})


def _target_args(target: dict) -> dict[str, Any]:
    return {k: target[k] for k in ("target_kind", "family", "household", "village") if k in target}


# --- assignments -------------------------------------------------------------------------


@require_GET
@capability_required(Cap.CARE_VIEW)
def assignment_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request, AssignmentFilterForm)
    rows = selectors.search_assignments(request.user, **(filters or {}))
    page = _page(request, rows if filters is not None else rows.none())
    audit_log(
        actor=request.user,
        action="care.assignment.listed",
        detail={"filter": filters_for_audit(filters or {}), "page": page.number},
    )
    return render(
        request, "care/assignment_list.html", _list_context(request, form, page, tab="assignments")
    )


@require_GET
@capability_required(Cap.CARE_EXPORT)
def assignment_export(request: HttpRequest) -> HttpResponse:
    _form, filters = _filters(request, AssignmentFilterForm)
    if filters is None:
        return _back_to(request, "care:assignment_list")
    return export_download(
        actor=request.user,
        action="care.assignment.exported",
        sheet="包村包户责任",
        columns=exports.ASSIGNMENT_COLUMNS,
        rows=exports.assignment_rows(selectors.search_assignments(request.user, **filters)),
        detail={"filter": filters_for_audit(filters)},
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CARE_ASSIGN)
def assignment_create(request: HttpRequest) -> HttpResponse:
    target = _target(request)
    if target is None:
        return _choose_target(request, "新增包村包户责任：选择对象")
    family = target["target_kind"] == TargetKind.FAMILY
    form = AssignmentForm(
        request.POST or None, user=request.user, unit_code=target["unit"].code, family=family
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assignment_create(actor=request.user, **_target_args(target), **data)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "已保存责任人。")
            if family:
                return redirect("care:family_detail", pk=target["family"].pk)
            return redirect(f"{reverse('care:assignment_list')}?unit={target['unit'].code}")
    return render(
        request,
        "care/form.html",
        {
            "form": form,
            "title": f"{'设置联系人' if family else '新增责任人'}：{target['label']}",
            "testid": "assignment-form",
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CARE_ASSIGN)
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.get_assignment_for_user(request.user, pk)
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_end(actor=request.user, assignment=assignment, **form.cleaned_data)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"{assignment.name}的责任已结束。")
            if assignment.family_id:
                return redirect("care:family_detail", pk=assignment.family_id)
            return redirect("care:assignment_list")
    return render(
        request,
        "care/form.html",
        {
            "form": form,
            "title": f"结束责任：{assignment.name}（{selectors.target_label(assignment)}）",
            "testid": "end-form",
        },
    )


def _unvisited(request: HttpRequest) -> tuple[UnvisitedForm, Any, Any]:
    form = UnvisitedForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return form, None, None
    filters = form.filters() if form.is_bound else {}
    month = form.month_value()
    rows = selectors.unvisited(
        request.user,
        month,
        unit=filters.get("unit"),
        kind=filters.get("kind"),
        role=filters.get("role"),
    )
    return form, month, rows


@require_GET
@capability_required(Cap.CARE_VIEW)
def unvisited(request: HttpRequest) -> HttpResponse:
    form, month, rows = _unvisited(request)
    page = _page(request, rows if rows is not None else Assignment.objects.none())
    audit_log(
        actor=request.user,
        action="care.unvisited.listed",
        detail={"month": f"{month:%Y-%m}" if month else None, "page": page.number},
    )
    return render(
        request,
        "care/unvisited.html",
        _list_context(request, form, page, month=month, tab="unvisited"),
    )


@require_GET
@capability_required(Cap.CARE_EXPORT)
def unvisited_export(request: HttpRequest) -> HttpResponse:
    _form, month, rows = _unvisited(request)
    if rows is None:
        return _back_to(request, "care:unvisited")
    return export_download(
        actor=request.user,
        action="care.unvisited.exported",
        sheet="未走访责任",
        filename=f"未走访责任_{month:%Y%m}",
        columns=exports.UNVISITED_COLUMNS,
        rows=exports.assignment_rows(rows, extra_last=True),
        detail={"month": f"{month:%Y-%m}"},
    )


# --- visits ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CARE_VISIT)
def visit_create(request: HttpRequest) -> HttpResponse:
    target = _target(request)
    if target is None:
        return _choose_target(request, "登记走访：选择对象")
    held = Assignment.objects.filter(
        target_kind=target["target_kind"],
        unit_id=target["unit"].code,
        family=target.get("family"),
        household=target.get("household"),
        ends_on__isnull=True,
    ).order_by("side", "pk")
    initial = {}
    mine = next((a for a in held if a.user_id == request.user.pk), None)
    if mine:
        initial["assignment"] = mine.pk
    form = VisitForm(request.POST or None, assignments=held, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_record(actor=request.user, **_target_args(target), **form.cleaned_data)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"已登记走访：{target['label']}。")
            if target.get("family"):
                return redirect("care:family_detail", pk=target["family"].pk)
            return redirect("care:worklist")
    return render(request, "care/visit_form.html", {"form": form, "target": target})


@require_GET
@capability_required(Cap.CARE_VIEW)
def visit_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request, VisitFilterForm)
    rows = selectors.search_visits(request.user, **(filters or {}))
    page = _page(request, rows if filters is not None else rows.none())
    audit_log(
        actor=request.user,
        action="care.visit.listed",
        detail={"filter": filters_for_audit(filters or {}), "page": page.number},
    )
    return render(request, "care/visit_list.html", _list_context(request, form, page, tab="visits"))


@require_GET
@capability_required(Cap.CARE_EXPORT)
def visit_export(request: HttpRequest) -> HttpResponse:
    _form, filters = _filters(request, VisitFilterForm)
    if filters is None:
        return _back_to(request, "care:visit_list")
    return export_download(
        actor=request.user,
        action="care.visit.exported",
        sheet="走访记录",
        columns=exports.VISIT_COLUMNS,
        rows=exports.visit_rows(selectors.search_visits(request.user, **filters)),
        detail={"filter": filters_for_audit(filters)},
    )


@require_GET
@capability_required(Cap.CARE_VIEW)
def worklist(request: HttpRequest) -> HttpResponse:
    form = WorklistForm(request.GET or None, user=request.user)
    valid = not form.is_bound or form.is_valid()
    kind, interval, within, unit = form.choice() if valid else (TargetKind.FAMILY, 30, 7, None)
    rows = selectors.due_queryset(request.user, kind, interval, within, unit)
    page = _page(request, rows if valid else rows.none())
    audit_log(
        actor=request.user,
        action="care.worklist.viewed",
        detail={"kind": kind, "interval": interval, "page": page.number},
    )
    return render(
        request,
        "care/worklist.html",
        _list_context(
            request,
            form,
            page,
            rows=selectors.due_rows(kind, list(page), interval),
            kind=kind,
            interval=interval,
            tab="worklist",
        ),
    )


# --- coverage ----------------------------------------------------------------------------


def _coverage(request: HttpRequest) -> tuple[CoverageForm, Any, Any]:
    form = CoverageForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, None, None
    month = form.month_value()
    return form, month, selectors.coverage(request.user, month)


@require_GET
@capability_required(Cap.CARE_VIEW)
def coverage(request: HttpRequest) -> HttpResponse:
    form, month, rows = _coverage(request)
    return render(
        request,
        "care/coverage.html",
        {
            "form": form,
            "month": month,
            "rows": rows or [],
            "tab": "coverage",
            "export_query": request.GET.urlencode(),
            "can_export": request.user.can(Cap.CARE_EXPORT),
        },
    )


@require_GET
@capability_required(Cap.CARE_EXPORT)
def coverage_export(request: HttpRequest) -> HttpResponse:
    _form, month, rows = _coverage(request)
    if rows is None:
        return _back_to(request, "care:coverage")
    return export_download(
        actor=request.user,
        action="care.coverage.exported",
        sheet="包村包户覆盖",
        filename=f"包村包户覆盖_{month:%Y%m}",
        columns=exports.COVERAGE_COLUMNS,
        rows=exports.coverage_rows(rows),
        detail={"month": f"{month:%Y-%m}"},
    )
