"""Assessment pages. Thin: selectors read (cut to jurisdiction), services write.

Schemes, scores and results are about units, not people, so reading them is not
audited; exports of the bulletin are."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.assessment import selectors, services
from famplan.assessment.forms import ItemForm, SchemeFilterForm, SchemeForm, VetoForm
from famplan.assessment.models import ItemKind, Part, Scheme
from famplan.audit.services import audit_log
from famplan.common.errors import DomainError
from famplan.common.forms import show_refusal
from famplan.common.xlsx import content_disposition
from famplan.orgunits.jurisdiction import unit_in_scope
from famplan.orgunits.models import Level, OrgUnit
from famplan.registry.views import querystring_without_page
from famplan.transfer.exports import export_download

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

PER_PAGE = 20


@require_GET
@capability_required(Cap.ASSESSMENT_VIEW)
def scheme_list(request: HttpRequest) -> HttpResponse:
    form = SchemeFilterForm(request.GET or None)
    rows = selectors.schemes_for_user(request.user)
    if form.is_bound and not form.is_valid():
        rows = rows.none()
    elif form.is_bound:
        if form.cleaned_data["year"]:
            rows = rows.filter(year=form.cleaned_data["year"])
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/scheme_list.html",
        {
            "form": form,
            "page_obj": page,
            "querystring_without_page": querystring_without_page(request),
            "can_manage": request.user.can(Cap.ASSESSMENT_MANAGE),
        },
    )


def _scheme_unit(user: Any) -> OrgUnit | None:
    """The unit a user's scheme is for: their county (assessing its townships) or their
    township (assessing its villages)."""
    return OrgUnit.objects.filter(
        code=user.org_unit_id, level__in=[Level.COUNTY, Level.TOWNSHIP]
    ).first()


@require_http_methods(["GET", "POST"])
@capability_required(Cap.ASSESSMENT_MANAGE)
def scheme_create(request: HttpRequest) -> HttpResponse:
    form = SchemeForm(request.POST or None)
    county = _scheme_unit(request.user)
    if county is None:
        form.add_error(
            None, "考核方案由县级（考核乡镇）或乡镇（考核村）编制：您的单位不是县或乡镇。"
        )
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scheme = services.scheme_create(
                actor=request.user,
                unit=county,
                year=data["year"],
                title=data["title"],
                half_weight=data["half_weight"],
                veto_effect=data["veto_effect"],
                seed=data["seed"],
            )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "已创建考核方案，请添加考核项目。")
            return redirect("assessment:scheme_detail", pk=scheme.pk)
    return render(request, "assessment/scheme_form.html", {"form": form})


def _detail(
    request: HttpRequest,
    scheme: Scheme,
    item_form: ItemForm | None = None,
    veto_form: VetoForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_manage = user.can(Cap.ASSESSMENT_MANAGE) and unit_in_scope(user, scheme.unit_id)
    samples = list(selectors.samples_for_user(user, scheme))
    by_township: dict[str, list] = {}
    for s in samples:
        # In a township's scheme every village is its own assessed unit: list them
        # under the township, as the county's samples are listed under theirs.
        township = scheme.unit.name if scheme.by_township else s.township.name
        by_township.setdefault(township, []).append(s)
    context = {
        "scheme": scheme,
        "items": list(scheme.items.all()),
        "total": selectors.points_total(scheme),
        "samples": by_township,
        "vetoes": list(selectors.vetoes_for_user(user, scheme)),
        "can_manage": can_manage,
        "can_inspect": user.can(Cap.ASSESSMENT_INSPECT),
        "item_form": (item_form or ItemForm()) if can_manage and not scheme.is_published else None,
        "veto_form": (veto_form or VetoForm(scheme=scheme)) if can_manage else None,
    }
    return render(request, "assessment/scheme_detail.html", context, status=status)


@require_GET
@capability_required(Cap.ASSESSMENT_VIEW)
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.get_scheme_for_user(request.user, pk))


def _managed_scheme(request: HttpRequest, pk: int) -> Scheme:
    scheme = selectors.get_scheme_for_user(request.user, pk)
    if not unit_in_scope(request.user, scheme.unit_id):
        raise Http404("记录不存在")
    return scheme


@require_POST
@capability_required(Cap.ASSESSMENT_MANAGE)
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _managed_scheme(request, pk)
    form = ItemForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            # The form's fields are the service's arguments, one for one.
            services.item_add(actor=request.user, scheme=scheme, **data)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"已添加考核项目“{data['name']}”。")
            return redirect("assessment:scheme_detail", pk=scheme.pk)
    return _detail(request, scheme, item_form=form, status=400)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.ASSESSMENT_MANAGE)
def item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    scheme = _managed_scheme(request, pk)
    item = scheme.items.filter(pk=item_pk).first()
    if item is None:
        raise Http404("记录不存在")
    initial = {field: getattr(item, field) for field in ItemForm.base_fields}
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The form's fields are the service's arguments, one for one.
            services.item_update(actor=request.user, item=item, **data)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"已修改考核项目“{data['name']}”。")
            return redirect("assessment:scheme_detail", pk=scheme.pk)
    return render(request, "assessment/item_form.html", {"scheme": scheme, "form": form})


@require_POST
@capability_required(Cap.ASSESSMENT_MANAGE)
def item_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    scheme = _managed_scheme(request, pk)
    item = scheme.items.filter(pk=item_pk).first()
    if item is None:
        raise Http404("记录不存在")
    try:
        services.item_delete(actor=request.user, item=item)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已删除考核项目“{item.name}”。")
    return redirect("assessment:scheme_detail", pk=scheme.pk)


@require_POST
@capability_required(Cap.ASSESSMENT_MANAGE)
def scheme_publish(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _managed_scheme(request, pk)
    try:
        services.scheme_publish(actor=request.user, scheme=scheme)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "方案已发布，样本村已按种子抽取。")
    return redirect("assessment:scheme_detail", pk=scheme.pk)


@require_POST
@capability_required(Cap.ASSESSMENT_MANAGE)
def veto_create(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _managed_scheme(request, pk)
    form = VetoForm(request.POST, scheme=scheme)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.veto_record(
                actor=request.user,
                scheme=scheme,
                township=data["township"],
                reason=data["reason"],
                evidence=data["evidence"],
            )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"已记录对{data['township'].name}的一票否决。")
            return redirect("assessment:scheme_detail", pk=scheme.pk)
    return _detail(request, scheme, veto_form=form, status=400)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.ASSESSMENT_VIEW)
def sample_scores(request: HttpRequest, pk: int, village: str) -> HttpResponse:
    """A sample village's field-check scores; inspectors enter them here."""
    user = request.user
    scheme = selectors.get_scheme_for_user(user, pk)
    unit = OrgUnit.objects.filter(code=village, level=Level.VILLAGE).first()
    if unit is None or not unit_in_scope(user, unit.code):
        raise Http404("记录不存在")
    sampled = selectors.samples_for_user(user, scheme).filter(village_id=unit.code).exists()
    items = list(scheme.items.filter(kind=ItemKind.MANUAL))
    existing = {
        (s.item_id, s.part): s
        for s in selectors.scores_for_user(user, scheme).filter(village_id=unit.code)
    }
    can_enter = user.can(Cap.ASSESSMENT_INSPECT) and unit_in_scope(user, scheme.unit_id)
    error = None
    values: dict[str, str] = {}
    if request.method == "POST":
        if not can_enter:
            raise PermissionDenied("您没有此项操作的权限。")
        scores = {}
        for item in items:
            for part in Part.values:
                raw = request.POST.get(f"score_{item.pk}_{part}", "")
                note = request.POST.get(f"note_{item.pk}_{part}", "")
                values[f"{item.pk}_{part}"] = raw
                scores[item.pk, part] = (raw, note)
        try:
            written = services.field_scores_record(
                actor=user, scheme=scheme, village=unit, scores=scores
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, f"已保存{unit.name}的{written}项核查得分。")
            return redirect("assessment:sample_scores", pk=scheme.pk, village=unit.code)
    rows = []
    for item in items:
        cells = []
        for part in Part.values:
            found = existing.get((item.pk, part))
            raw = values.get(f"{item.pk}_{part}")
            cells.append(
                {
                    "part": part,
                    "label": Part(part).label,
                    "score": found,
                    "value": raw if raw is not None else (f"{found.score}" if found else ""),
                    "note": found.note if found else "",
                }
            )
        rows.append({"item": item, "cells": cells})
    return render(
        request,
        "assessment/sample_scores.html",
        {
            "scheme": scheme,
            "village": unit,
            "sampled": sampled,
            "rows": rows,
            "can_enter": can_enter and scheme.is_published,
            "error": error,
        },
        status=400 if error else 200,
    )


@require_GET
@capability_required(Cap.ASSESSMENT_VIEW)
def bulletin(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = selectors.get_scheme_for_user(request.user, pk)
    return render(
        request,
        "assessment/bulletin.html",
        {
            "scheme": scheme,
            "results": selectors.results_for_user(request.user, scheme),
            "items": list(scheme.items.all()),
            "can_export": request.user.can(Cap.ASSESSMENT_EXPORT),
        },
    )


@require_GET
@capability_required(Cap.ASSESSMENT_VIEW)
def township_result(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    scheme = selectors.get_scheme_for_user(request.user, pk)
    result = selectors.get_result_for_user(request.user, scheme, code)
    return render(
        request,
        "assessment/township_result.html",
        {
            "scheme": scheme,
            "result": result,
            "samples": list(
                selectors.samples_for_user(request.user, scheme).filter(township_id=code)
            ),
        },
    )


@require_GET
@capability_required(Cap.ASSESSMENT_EXPORT)
def bulletin_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from weasyprint import HTML

    scheme = selectors.get_scheme_for_user(request.user, pk)
    results = selectors.results_for_user(request.user, scheme)
    html = render_to_string(
        "assessment/bulletin_pdf.html",
        {"scheme": scheme, "results": results, "items": list(scheme.items.all())},
    )
    content = HTML(string=html).write_pdf()
    audit_log(
        actor=request.user,
        action="assessment.bulletin.exported",
        target=scheme,
        detail={"format": "pdf", "rows": len(results)},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"考核通报_{scheme.year}.pdf")
    return response


BULLETIN_COLUMNS = [
    ("名次", 6),
    ("乡镇", 14),
    ("总分", 8),
    ("半年得分", 9),
    ("年终得分", 9),
    ("一票否决", 14),
    ("考核项目", 22),
    ("分值", 6),
    ("阶段", 9),
    ("实际值", 12),
    ("目标值", 22),
    ("得分", 6),
    ("计分说明", 40),
]


def bulletin_columns(scheme: Scheme) -> list[tuple[str, int]]:
    """The bulletin's columns, the second naming what is ranked (乡镇 or 村(居))."""
    columns = list(BULLETIN_COLUMNS)
    columns[1] = (scheme.assessed_label, columns[1][1])
    return columns


def bulletin_rows(scheme: Scheme, results: list[selectors.TownshipResult]) -> list[list]:
    """One row per township, item and part: the totals repeated, the item explained."""
    rows = []
    for r in results:
        veto = r.veto.get_reason_display() if r.veto else ""
        for part in Part.values:
            for s in r.scores[part]:
                rows.append(
                    [
                        r.rank,
                        r.township.name,
                        r.total,
                        r.half,
                        r.year,
                        veto,
                        s.item.name,
                        s.item.points,
                        Part(part).label,
                        s.value,
                        s.target,
                        s.points,
                        s.reason,
                    ]
                )
    return rows


@require_GET
@capability_required(Cap.ASSESSMENT_EXPORT)
def bulletin_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = selectors.get_scheme_for_user(request.user, pk)
    results = selectors.results_for_user(request.user, scheme)
    return export_download(
        actor=request.user,
        action="assessment.bulletin.exported",
        sheet="考核通报",
        columns=bulletin_columns(scheme),
        rows=bulletin_rows(scheme, results),
        detail={"format": "xlsx", "scheme": scheme.pk},
        filename=f"考核通报_{scheme.year}",
        target=scheme,
    )
