"""Data-quality pages: score drill-down, a run button, the worklist and its export."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.common.dates import today
from famplan.common.xlsx import write_xlsx, xlsx_response
from famplan.orgunits.models import OrgUnit
from famplan.orgunits.selectors import breadcrumb_for_user, get_unit_for_user
from famplan.quality.models import QualityIssue
from famplan.quality.rules import RECORD_TYPES, RULES
from famplan.quality.selectors import (
    latest_run_for_unit,
    rule_counts_for_user,
    score_table_for_user,
    worklist_for_user,
)
from famplan.quality.services import quality_run_start

PAGE_SIZE = 50
EXPORT_COLUMNS = [
    ("规则", 30),
    ("级别", 8),
    ("村(居)代码", 14),
    ("村(居)", 14),
    ("记录类型", 10),
    ("记录编号", 10),
    ("姓名", 12),
    ("说明", 60),
]


def _breadcrumb(request: HttpRequest, unit: OrgUnit, last: str | None = None) -> list[dict]:
    crumbs = [
        {"label": u.name, "url": f"{reverse('quality:home')}?unit={u.code}"}
        for u in breadcrumb_for_user(request.user, unit)
    ]
    crumbs.insert(0, {"label": "数据质量", "url": reverse("quality:home")})
    if last:
        crumbs.append({"label": last})
    return crumbs


@capability_required(Cap.QUALITY_VIEW)
def home(request: HttpRequest) -> HttpResponse:
    unit = get_unit_for_user(request.user, request.GET.get("unit") or request.user.org_unit_id)
    return render(
        request,
        "quality/home.html",
        {
            "unit": unit,
            "table": score_table_for_user(request.user, unit),
            "run": latest_run_for_unit(unit),
            "can_run": request.user.can(Cap.REGISTRY_EDIT),
            "breadcrumb": _breadcrumb(request, unit),
        },
    )


@capability_required(Cap.REGISTRY_EDIT)
@require_POST
def run(request: HttpRequest) -> HttpResponse:
    unit = get_unit_for_user(request.user, request.POST.get("unit") or request.user.org_unit_id)
    job = quality_run_start(user=request.user, unit=unit)
    return redirect("jobs:detail", pk=job.pk)


@capability_required(Cap.QUALITY_VIEW)
def worklist(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, code)
    rule = request.GET.get("rule") if request.GET.get("rule") in RULES else None
    page = Paginator(worklist_for_user(request.user, unit, rule), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit_log(
        actor=request.user,
        action="quality.worklist.viewed",
        org_unit_id=unit.code,
        detail={"rule": rule, "page": page.number},
    )
    for issue in page.object_list:
        issue.rule_title = RULES[issue.rule].title if issue.rule in RULES else issue.rule
        issue.record_label = RECORD_TYPES.get(issue.record_type, issue.record_type)
        # The person is joined (select_related): a page of rows is one query, not one per row.
        issue.person_url = (
            reverse("registry:person_detail", args=[issue.person_id]) if issue.person else None
        )
    return render(
        request,
        "quality/worklist.html",
        {
            "unit": unit,
            "rule": rule,
            "rule_counts": rule_counts_for_user(request.user, unit),
            "page_obj": page,
            "issues": page.object_list,
            "querystring_without_page": f"rule={rule}&" if rule else "",
            "run": latest_run_for_unit(unit),
            "breadcrumb": _breadcrumb(request, unit, "问题清单"),
        },
    )


def _export_row(issue: QualityIssue) -> list[object]:
    rule = RULES.get(issue.rule)
    return [
        rule.title if rule else issue.rule,
        issue.get_severity_display(),
        issue.unit_id,
        issue.unit.name,
        RECORD_TYPES.get(issue.record_type, issue.record_type),
        issue.record_id,
        issue.person.name if issue.person else "",
        issue.detail,
    ]


@capability_required(Cap.QUALITY_VIEW)
def worklist_export(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, code)
    rule = request.GET.get("rule") if request.GET.get("rule") in RULES else None
    issues = worklist_for_user(request.user, unit, rule)
    written = 0

    def rows() -> Iterator[list[object]]:
        nonlocal written
        for issue in issues.iterator(chunk_size=2000):
            written += 1
            yield _export_row(issue)

    content = write_xlsx(EXPORT_COLUMNS, rows(), sheet_name="问题清单")
    audit_log(
        actor=request.user,
        action="quality.worklist.exported",
        target=unit,
        org_unit_id=unit.code,
        detail={"rule": rule or "", "rows": written},
    )
    stamp = today().strftime("%Y%m%d")
    return xlsx_response(f"数据质量问题清单_{unit.name}_{stamp}", content)
