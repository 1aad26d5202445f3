"""Campaigns pages: the plans list, a plan's page (phases, the split of each task's
target, dispatch dates, live progress and the units late), the forms that build a plan
while it is a draft, the progress report (made for phones), and the bulletins as a
page, a PDF and an .xlsx.

Thin: selectors read (cut to jurisdiction), services write and refuse in Chinese.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.campaigns import selectors, services
from famplan.campaigns.forms import (
    CampaignFilterForm,
    CampaignForm,
    DispatchForm,
    PhaseForm,
    ReportForm,
    TargetsForm,
    TaskForm,
)
from famplan.campaigns.measures import measure_label
from famplan.campaigns.models import Campaign, CampaignStatus, DispatchKind, Split
from famplan.campaigns.pdf import bulletin_pdf as render_bulletin_pdf
from famplan.common.dates import today
from famplan.common.errors import DomainError
from famplan.common.forms import show_refusal
from famplan.common.xlsx import content_disposition
from famplan.orgunits.models import OrgUnit
from famplan.registry.selectors import CappedPaginator
from famplan.registry.views import PER_PAGE, querystring_without_page
from famplan.transfer.exports import export_download


def _managed(request: HttpRequest, pk: int) -> Campaign:
    """A plan the user may manage: in sight (else 404) and of their own level or above
    (else 403)."""
    campaign = selectors.get_campaign_for_user(request.user, pk)
    if services.manage_refusal(request.user, campaign):
        raise PermissionDenied("该方案由上级单位制定")
    return campaign


# --- the list and a plan ---------------------------------------------------------------


@require_GET
@capability_required(Cap.CAMPAIGNS_VIEW)
def campaign_list(request: HttpRequest) -> HttpResponse:
    form = CampaignFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    rows = selectors.search_campaigns(request.user, **(form.filters() if valid else {}))
    if not valid:
        rows = rows.none()
    page = CappedPaginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "form": form,
            "page_obj": page,
            "querystring_without_page": querystring_without_page(request),
            "can_manage": request.user.can(Cap.CAMPAIGNS_MANAGE) and bool(_children(request)),
        },
    )


def _children(request: HttpRequest) -> list[OrgUnit]:
    owner = OrgUnit.objects.filter(code=request.user.org_unit_id).first()
    return services.child_units(owner) if owner else []


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CAMPAIGNS_MANAGE)
def campaign_create(request: HttpRequest) -> HttpResponse:
    children = _children(request)
    if not children:
        raise PermissionDenied("本单位没有下级单位，不能制定工作方案")
    form = CampaignForm(request.POST or None, children=children)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                units=[u.code for u in data["units"]],
                note=data["note"],
            )
        except DomainError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, "方案已创建，请添加阶段、任务和通报日期。")
            return redirect("campaigns:detail", campaign.pk)
    return render(
        request, "campaigns/form.html", {"form": form, "title": "新建工作方案", "campaign": None}
    )


@require_GET
@capability_required(Cap.CAMPAIGNS_VIEW)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = selectors.get_campaign_for_user(user, pk)
    day = min(today(), campaign.ends_on)
    table = selectors.standings(user, campaign, day)
    published = selectors.bulletins(campaign)
    dispatches = [(d, published.get(d.pk)) for d in campaign.dispatches.all()]
    manages = user.can(Cap.CAMPAIGNS_MANAGE) and not services.manage_refusal(user, campaign)
    all_units = len(table.rows) == campaign.units.count()
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "phases": list(campaign.phases.all()),
            "tasks": [(t, measure_label(t.measure) if t.linked else "") for t in table.tasks],
            "table": table,
            "all_units": all_units,
            "dispatches": dispatches,
            "today": today(),
            "manages": manages,
            "draft": campaign.status == CampaignStatus.DRAFT,
            "can_report": user.can(Cap.CAMPAIGNS_REPORT)
            and campaign.status == CampaignStatus.ACTIVE
            and any(not t.linked for t in table.tasks)
            and bool(table.rows),
            "late_count": sum(r.late for r in table.rows),
            "can_import": user.can(Cap.REGISTRY_IMPORT),
        },
    )


# --- building a draft ------------------------------------------------------------------


def _form_page(request: HttpRequest, campaign: Campaign, form: object, title: str) -> HttpResponse:
    return render(
        request, "campaigns/form.html", {"form": form, "title": title, "campaign": campaign}
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CAMPAIGNS_MANAGE)
def phase_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    form = PhaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.phase_add(actor=request.user, campaign=campaign, **form.cleaned_data)
        except DomainError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, "阶段已添加。")
            return redirect("campaigns:detail", campaign.pk)
    return _form_page(request, campaign, form, "添加阶段")


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CAMPAIGNS_MANAGE)
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    form = TaskForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        phase = campaign.phases.filter(pk=data["phase"]).first() if data["phase"] else None
        try:
            task = services.task_add(
                actor=request.user,
                campaign=campaign,
                name=data["name"],
                count_unit=data["count_unit"],
                split=data["split"],
                total=data["total"] or 0,
                measure=data["measure"],
                phase=phase,
            )
        except DomainError as refusal:
            show_refusal(form, refusal)
        else:
            if task.split == Split.MANUAL:
                messages.success(request, "任务已添加，请逐单位填写目标数。")
                return redirect("campaigns:task_targets", task.pk)
            messages.success(request, "任务已添加，目标已分解到各单位。")
            return redirect("campaigns:detail", campaign.pk)
    return _form_page(request, campaign, form, "添加任务")


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CAMPAIGNS_MANAGE)
def task_targets(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.get_task_for_user(request.user, pk)
    campaign = _managed(request, task.campaign_id)
    units = list(
        OrgUnit.objects.filter(code__in=services.campaign_unit_codes(campaign)).order_by("code")
    )
    current = dict(task.targets.values_list("unit_id", "target"))
    form = TargetsForm(request.POST or None, units=units, initial_targets=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_targets_set(actor=request.user, task=task, targets=form.targets())
        except DomainError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, f"{task.name}的目标已保存。")
            return redirect("campaigns:detail", campaign.pk)
    return _form_page(request, campaign, form, f"逐单位填写目标：{task.name}")


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CAMPAIGNS_MANAGE)
def dispatch_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    form = DispatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dispatch_add(actor=request.user, campaign=campaign, **form.cleaned_data)
        except DomainError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, "通报日期已添加。")
            return redirect("campaigns:detail", campaign.pk)
    return _form_page(request, campaign, form, "添加通报日期")


@require_POST
@capability_required(Cap.CAMPAIGNS_MANAGE)
def campaign_publish(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    try:
        services.campaign_publish(actor=request.user, campaign=campaign)
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "方案已下发，各单位可以报送进度。")
    return redirect("campaigns:detail", campaign.pk)


# --- progress --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CAMPAIGNS_REPORT)
def progress_report(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = selectors.get_campaign_for_user(user, pk)
    units = selectors.visible_units(user, campaign)
    if not units:
        raise PermissionDenied("您的管辖范围内没有本方案的任务单位")
    tasks = list(campaign.tasks.filter(measure="").order_by("order", "pk"))
    linked = list(campaign.tasks.exclude(measure="").order_by("order", "pk"))
    chosen = request.POST.get("unit") or request.GET.get("unit") or None
    targets = selectors.task_targets(campaign, [u.code for u in units])
    form = ReportForm(request.POST or None, tasks=tasks, units=units, targets=targets, unit=chosen)
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_report(
                actor=user,
                campaign=campaign,
                unit=form.unit(),
                counts=form.counts(),
                reported_on=form.reported_on(),
            )
        except DomainError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, "进度已报送。")
            return redirect("campaigns:detail", campaign.pk)
    return render(
        request,
        "campaigns/report_form.html",
        {
            "campaign": campaign,
            "form": form,
            "linked": [(t, measure_label(t.measure)) for t in linked],
            "unit_name": units[0].name if len(units) == 1 else "",
        },
    )


# --- bulletins -------------------------------------------------------------------------


@require_POST
@capability_required(Cap.CAMPAIGNS_MANAGE)
def bulletin_publish(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = selectors.get_dispatch_for_user(request.user, pk)
    campaign = _managed(request, dispatch.campaign_id)
    try:
        bulletin = services.bulletin_publish(actor=request.user, dispatch=dispatch)
    except DomainError as refusal:
        messages.error(request, refusal.message)
        return redirect("campaigns:detail", campaign.pk)
    messages.success(request, "通报已发布。")
    return redirect("campaigns:bulletin", bulletin.pk)


def _bulletin_context(request: HttpRequest, pk: int) -> dict:
    bulletin = selectors.get_bulletin_for_user(request.user, pk)
    campaign = bulletin.dispatch.campaign
    rows = selectors.bulletin_rows(bulletin)
    return {
        "bulletin": bulletin,
        "campaign": campaign,
        "final": bulletin.dispatch.kind == DispatchKind.FINAL,
        "rows": rows,
        "named": [r["line"].unit_name for r in rows if r["line"].named_last],
        "late": [r["line"].unit_name for r in rows if r["line"].late],
    }


@require_GET
@capability_required(Cap.CAMPAIGNS_VIEW)
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = _bulletin_context(request, pk)
    context["can_export"] = request.user.can(Cap.CAMPAIGNS_EXPORT)
    return render(request, "campaigns/bulletin.html", context)


def _filename(context: dict) -> str:
    bulletin = context["bulletin"]
    what = "验收通报" if context["final"] else "进度通报"
    return f"{context['campaign'].title}_{what}_{bulletin.dispatch.day:%Y%m%d}"


@require_GET
@capability_required(Cap.CAMPAIGNS_EXPORT)
def bulletin_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    context = _bulletin_context(request, pk)
    content = render_bulletin_pdf(context)
    audit_log(
        actor=request.user,
        action="campaigns.bulletin.printed",
        target=context["campaign"],
        detail={"bulletin": context["bulletin"].pk, "day": str(context["bulletin"].dispatch.day)},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{_filename(context)}.pdf")
    return response


@require_GET
@capability_required(Cap.CAMPAIGNS_EXPORT)
def bulletin_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    context = _bulletin_context(request, pk)
    bulletin, final = context["bulletin"], context["final"]
    columns = [("名次", 6), ("单位", 16)]
    for task in bulletin.tasks:
        label = f"{task['name']}({task['count_unit']})"
        columns += [(f"{label}目标", 12), (f"{label}完成", 12), (f"{label}完成率%", 12)]
    columns += [("综合完成率%", 12), ("逾期未报", 10), ("后三名", 8)]
    if final:
        columns.append(("验收", 8))

    def rows():
        for row in context["rows"]:
            line = row["line"]
            values: list[object] = [line.rank, line.unit_name]
            for cell in row["cells"]:
                values += [cell.target, cell.done, cell.percent]
            values += [line.percent, line.late, line.named_last]
            if final:
                values.append("合格" if line.passed else "不合格")
            yield values

    return export_download(
        actor=request.user,
        action="campaigns.bulletin.exported",
        sheet="验收通报" if final else "进度通报",
        columns=columns,
        rows=rows(),
        detail={"bulletin": bulletin.pk, "day": str(bulletin.dispatch.day)},
        filename=_filename(context),
        target=context["campaign"],
    )
