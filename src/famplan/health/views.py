"""Health pages: pre-pregnancy checks, the follow-up worklist and form (phone-sized),
folic acid issues and their follow-ups, rates, targets and coverage.

Thin: selectors read (cut to jurisdiction), services write. Every page showing a
person's health record, every list page and every export writes an audit row
(PIPL art. 28: health data are sensitive personal information)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.common.dates import today
from famplan.common.errors import DomainError
from famplan.common.forms import show_refusal
from famplan.health import exports, selectors, services
from famplan.health.forms import (
    FIELD_ALIASES,
    CheckFilterForm,
    CheckForm,
    FolicFilterForm,
    FolicFollowUpForm,
    FolicForm,
    FollowUpForm,
    RatesForm,
    SplitForm,
    TargetForm,
    WorklistFilterForm,
)
from famplan.orgunits.jurisdiction import unit_in_scope
from famplan.orgunits.models import OrgUnit
from famplan.registry.forms.filters import filters_for_audit
from famplan.registry.selectors import CappedPaginator
from famplan.registry.views import PER_PAGE, querystring_without_page
from famplan.transfer.exports import export_download


def _page(request: HttpRequest, rows: object) -> object:
    return CappedPaginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _list_context(request: HttpRequest, form: object, page: object) -> dict:
    return {
        "form": form,
        "page_obj": page,
        "querystring_without_page": querystring_without_page(request),
        "export_query": querystring_without_page(request).rstrip("&"),
        "can_export": request.user.can(Cap.HEALTH_EXPORT),
        "can_unmask": request.user.can(Cap.ID_UNMASK),
    }


def _export(
    request: HttpRequest, spec: exports.HealthExport, rows: object, filters: dict
) -> HttpResponse:
    full_ids = request.GET.get("full_ids") == "1" and request.user.can(Cap.ID_UNMASK)
    return export_download(
        actor=request.user,
        action=spec.action,
        sheet=spec.sheet,
        columns=spec.headers,
        rows=spec.rows(rows, full_ids=full_ids),
        detail={"filter": filters_for_audit(filters), "full_ids": full_ids},
    )


# --- checks --------------------------------------------------------------------------


@require_GET
@capability_required(Cap.HEALTH_VIEW)
def check_list(request: HttpRequest) -> HttpResponse:
    form = CheckFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    rows = selectors.search_checks(request.user, **(filters or {}))
    page = _page(request, rows if filters is not None else rows.none())
    audit_log(
        actor=request.user,
        action="health.check.listed",
        detail={"filter": filters_for_audit(filters or {}), "page": page.number},
    )
    context = _list_context(request, form, page)
    context["can_record"] = request.user.can(Cap.HEALTH_CHECK_RECORD)
    return render(request, "health/check_list.html", context)


@require_GET
@capability_required(Cap.HEALTH_EXPORT)
def check_export(request: HttpRequest) -> HttpResponse:
    filters = CheckFilterForm(request.GET or None, user=request.user).filters()
    if filters is None:
        return redirect(f"{reverse('health:check_list')}?{request.GET.urlencode()}")
    rows = selectors.search_checks(request.user, **filters)
    return _export(request, exports.CHECKS, rows, filters)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.HEALTH_CHECK_RECORD)
def check_create(request: HttpRequest) -> HttpResponse:
    form = CheckForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            check = services.check_record(actor=request.user, data=form.data_for_service())
        except DomainError as exc:
            show_refusal(form, exc, FIELD_ALIASES)
        else:
            messages.success(request, "已登记孕前优生健康检查，随访已按计划排入村(居)随访清单。")
            return redirect("health:check_detail", pk=check.pk)
    return render(request, "health/check_form.html", {"form": form})


@require_GET
@capability_required(Cap.HEALTH_VIEW)
def check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = selectors.get_check_for_user(request.user, pk)
    audit_log(
        actor=request.user, action="health.check.viewed", target=check, org_unit_id=check.unit_id
    )
    on = today()
    followups = [(f, selectors.followup_state(f, on)) for f in check.followups.order_by("due_on")]
    return render(
        request,
        "health/check_detail.html",
        {
            "c": check,
            "followups": followups,
            "state_labels": selectors.STATE_LABELS,
            "can_follow_up": request.user.can(Cap.HEALTH_FOLLOWUP_RECORD),
        },
    )


# --- the follow-up worklist ----------------------------------------------------------


@require_GET
@capability_required(Cap.HEALTH_VIEW)
def worklist(request: HttpRequest) -> HttpResponse:
    form = WorklistFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    on = today()
    rows = selectors.worklist(request.user, on=on, **_worklist_args(filters or {}))
    page = _page(request, rows if filters is not None else rows.none())
    audit_log(
        actor=request.user,
        action="health.followup.listed",
        detail={"filter": filters_for_audit(filters or {}), "page": page.number},
    )
    context = _list_context(request, form, page)
    context.update(
        counts=selectors.worklist_counts(request.user, on),
        states={f.pk: selectors.followup_state(f, on) for f in page.object_list},
        state_labels=selectors.STATE_LABELS,
        can_follow_up=request.user.can(Cap.HEALTH_FOLLOWUP_RECORD),
    )
    return render(request, "health/worklist.html", context)


def _worklist_args(filters: dict) -> dict:
    return {
        "state": filters.get("state") or "open",
        "kind": filters.get("kind"),
        "unit": filters.get("unit"),
    }


@require_GET
@capability_required(Cap.HEALTH_EXPORT)
def worklist_export(request: HttpRequest) -> HttpResponse:
    filters = WorklistFilterForm(request.GET or None, user=request.user).filters()
    if filters is None:
        return redirect(f"{reverse('health:worklist')}?{request.GET.urlencode()}")
    rows = selectors.worklist(request.user, **_worklist_args(filters))
    return _export(request, exports.FOLLOWUPS, rows, filters)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.HEALTH_VIEW)
def followup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One follow-up: the couple, the check, and (for a village worker) the form that
    closes it. Laid out for a phone: one column, large touch targets."""
    followup = selectors.get_followup_for_user(request.user, pk)
    can_record = request.user.can(Cap.HEALTH_FOLLOWUP_RECORD)
    form = FollowUpForm(request.POST or None, kind=followup.kind)
    if request.method == "POST":
        if not can_record:
            messages.error(request, "您没有登记随访结果的权限。")
            return redirect("health:followup_detail", pk=followup.pk)
        if form.is_valid():
            try:
                services.followup_record(
                    actor=request.user,
                    followup=followup,
                    result=form.cleaned_data["result"],
                    done_on=form.cleaned_data["done_on"],
                    note=form.cleaned_data["note"],
                )
            except services.StateError as exc:
                messages.error(request, exc.message)
                return redirect("health:followup_detail", pk=followup.pk)
            except DomainError as exc:
                show_refusal(form, exc, FIELD_ALIASES)
            else:
                messages.success(request, f"已登记{followup.get_kind_display()}结果。")
                return redirect("health:worklist")
    else:
        audit_log(
            actor=request.user,
            action="health.followup.viewed",
            target=followup,
            org_unit_id=followup.unit_id,
        )
    return render(
        request,
        "health/followup.html",
        {
            "f": followup,
            "c": followup.check_record,
            "state": selectors.followup_state(followup, today()),
            "state_labels": selectors.STATE_LABELS,
            "form": form,
            "can_record": can_record,
        },
    )


# --- folic acid ----------------------------------------------------------------------


@require_GET
@capability_required(Cap.HEALTH_VIEW)
def folic_list(request: HttpRequest) -> HttpResponse:
    form = FolicFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    rows = selectors.search_folic(request.user, **(filters or {}))
    page = _page(request, rows if filters is not None else rows.none())
    audit_log(
        actor=request.user,
        action="health.folic_issue.listed",
        detail={"filter": filters_for_audit(filters or {}), "page": page.number},
    )
    context = _list_context(request, form, page)
    context["can_record"] = request.user.can(Cap.HEALTH_FOLIC_RECORD)
    return render(request, "health/folic_list.html", context)


@require_GET
@capability_required(Cap.HEALTH_EXPORT)
def folic_export(request: HttpRequest) -> HttpResponse:
    filters = FolicFilterForm(request.GET or None, user=request.user).filters()
    if filters is None:
        return redirect(f"{reverse('health:folic_list')}?{request.GET.urlencode()}")
    rows = selectors.search_folic(request.user, **filters)
    return _export(request, exports.FOLIC, rows, filters)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.HEALTH_FOLIC_RECORD)
def folic_create(request: HttpRequest) -> HttpResponse:
    form = FolicForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            issue = services.folic_issue_record(actor=request.user, data=form.data_for_service())
        except DomainError as exc:
            show_refusal(form, exc, FIELD_ALIASES)
        else:
            messages.success(request, "已登记叶酸发放。")
            return redirect("health:folic_detail", pk=issue.pk)
    return render(request, "health/folic_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@capability_required(Cap.HEALTH_VIEW)
def folic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = selectors.get_issue_for_user(request.user, pk)
    can_record = request.user.can(Cap.HEALTH_FOLIC_RECORD)
    form = FolicFollowUpForm(request.POST or None)
    if request.method == "POST":
        if not can_record:
            messages.error(request, "您没有登记叶酸随访的权限。")
            return redirect("health:folic_detail", pk=issue.pk)
        if form.is_valid():
            try:
                services.folic_followup_record(actor=request.user, issue=issue, **form.cleaned_data)
            except DomainError as exc:
                show_refusal(form, exc, FIELD_ALIASES)
            else:
                messages.success(request, "已登记叶酸随访。")
                return redirect("health:folic_detail", pk=issue.pk)
    else:
        audit_log(
            actor=request.user,
            action="health.folic_issue.viewed",
            target=issue,
            org_unit_id=issue.unit_id,
        )
    return render(
        request,
        "health/folic_detail.html",
        {
            "i": issue,
            "followups": list(issue.followups.order_by("-visited_on", "-pk")),
            "form": form,
            "can_record": can_record,
        },
    )


@require_GET
@capability_required(Cap.HEALTH_VIEW)
def folic_rates(request: HttpRequest) -> HttpResponse:
    """Awareness, uptake and compliance per unit: counts only, no personal data."""
    form = RatesForm(request.GET or None)
    period = form.period()
    rows, total = [], None
    if period is not None:
        date_from, date_to, level = period
        rows = selectors.folic_rates(
            request.user, date_from=date_from, date_to=date_to, level=level
        )
        unit = OrgUnit.objects.filter(code=request.user.org_unit_id).first()
        total = selectors.rates_total(rows, unit) if unit else None
    return render(request, "health/folic_rates.html", {"form": form, "rows": rows, "total": total})


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


RATES_COLUMNS = [("单位代码", 14), ("单位", 16), ("随访人次", 10), ("知晓人次", 10),
                 ("服用人次", 10), ("按要求服用人次", 12), ("知晓率(%)", 10), ("服用率(%)", 10),
                 ("依从率(%)", 10)]  # fmt: skip


@require_GET
@capability_required(Cap.HEALTH_EXPORT)
def folic_rates_export(request: HttpRequest) -> HttpResponse:
    form = RatesForm(request.GET or None)
    period = form.period()
    if period is None:
        return redirect(f"{reverse('health:folic_rates')}?{request.GET.urlencode()}")
    date_from, date_to, level = period
    rows = selectors.folic_rates(request.user, date_from=date_from, date_to=date_to, level=level)
    return export_download(
        actor=request.user,
        action="health.rates.exported",
        sheet="叶酸知晓服用依从率",
        columns=RATES_COLUMNS,
        rows=(
            (
                r.unit.code,
                r.unit.name,
                r.visits,
                r.aware,
                r.taking,
                r.compliant,
                _pct(r.awareness),
                _pct(r.uptake),
                _pct(r.compliance),
            )
            for r in rows
        ),
        detail={"from": date_from.isoformat(), "to": date_to.isoformat(), "level": level},
    )


# --- targets and coverage ------------------------------------------------------------

COVERAGE_COLUMNS = [("乡镇代码", 12), ("乡镇(街道)", 16), ("目标(对)", 10), ("已检查(对)", 10),
                    ("覆盖率(%)", 10), ("分解依据", 50)]  # fmt: skip


@require_GET
@capability_required(Cap.HEALTH_EXPORT)
def targets_export(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    rows = selectors.coverage(request.user, year)
    return export_download(
        actor=request.user,
        action="health.coverage.exported",
        sheet=f"{year}年孕前优生检查覆盖率",
        columns=COVERAGE_COLUMNS,
        rows=(
            (r.township.code, r.township.name, r.target, r.done, _pct(r.rate), r.basis)
            for r in rows
        ),
        detail={"year": year},
    )


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else today().year


@require_GET
@capability_required(Cap.HEALTH_VIEW)
def targets(request: HttpRequest) -> HttpResponse:
    """The year's target and coverage so far per township (aggregates only)."""
    year = _year(request)
    rows = selectors.coverage(request.user, year)
    with_target = [r for r in rows if r.target]
    total_target = sum(r.target for r in with_target)
    total_done = sum(r.done for r in rows)
    return render(
        request,
        "health/targets.html",
        {
            "year": year,
            "rows": rows,
            "total_target": total_target,
            "total_done": total_done,
            "total_rate": total_done / total_target * 100 if total_target else None,
            "can_set": request.user.can(Cap.HEALTH_TARGETS_SET),
            "can_export": request.user.can(Cap.HEALTH_EXPORT),
            "split_form": SplitForm(),
            "years": range(today().year + 1, today().year - 5, -1),
        },
    )


def _targets_url(year: int) -> str:
    return f"{reverse('health:targets')}?year={year}"


@require_POST
@capability_required(Cap.HEALTH_TARGETS_SET)
def targets_split(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    form = SplitForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect(_targets_url(year))
    try:
        shares = services.targets_split(
            actor=request.user, year=year, total=form.cleaned_data["total"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已将{year}年全县目标分解到 {len(shares)} 个乡镇。")
    return redirect(_targets_url(year))


@require_POST
@capability_required(Cap.HEALTH_TARGETS_SET)
def target_set(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    form = TargetForm(request.POST)
    if not form.is_valid():
        messages.error(request, "目标应为不小于0的整数。")
        return redirect(_targets_url(year))
    code = form.cleaned_data["township"]
    if not unit_in_scope(request.user, code):
        messages.error(request, "乡镇不存在或不在您的管辖范围内。")
        return redirect(_targets_url(year))
    try:
        services.target_set(
            actor=request.user, year=year, township_code=code, target=form.cleaned_data["target"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已保存乡镇目标。")
    return redirect(_targets_url(year))
