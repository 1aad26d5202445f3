"""The audit log page and its Excel export, for county administrators and auditors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit import selectors
from famplan.audit.forms import AuditFilterForm, filters_for_log
from famplan.audit.labels import action_label
from famplan.audit.models import Result
from famplan.audit.services import audit_log
from famplan.common.dates import today
from famplan.common.xlsx import write_xlsx, xlsx_response

PER_PAGE = 50
EXPORT_LIMIT = 100_000

RESULT_LABELS = dict(Result.choices)

EXPORT_COLUMNS = [
    ("时间", 20),
    ("用户名", 16),
    ("IP", 16),
    ("操作代码", 30),
    ("操作", 14),
    ("单位代码", 14),
    ("单位", 14),
    ("对象类型", 18),
    ("对象ID", 10),
    ("对象", 24),
    ("结果", 8),
    ("详情", 50),
]


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, Any, bool]:
    form = AuditFilterForm(request.GET or None)
    entries = selectors.entries_for_user(request.user)
    if not form.is_bound:
        return form, entries, True
    if not form.is_valid():
        return form, entries.none(), False
    return form, selectors.filter_entries(entries, **form.filters()), True


@capability_required(Cap.AUDIT_VIEW)
def audit_list(request: HttpRequest) -> HttpResponse:
    form, entries, valid = _filtered(request)
    page = Paginator(entries.select_related("org_unit"), PER_PAGE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.action_label = action_label(entry.action)
    params = request.GET.copy()
    params.pop("page", None)
    query = params.urlencode()
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "valid": valid,
            "page_obj": page,
            "querystring_without_page": f"{query}&" if query else "",
            "export_query": query,
            "export_limit": EXPORT_LIMIT,
            "too_many": page.paginator.count > EXPORT_LIMIT,
        },
    )


def _export_rows(entries: Any, total: int) -> Iterator[list[Any]]:
    columns = (
        "at", "username", "ip", "action", "org_unit_id", "org_unit__name",
        "target_type", "target_id", "target_label", "result", "detail",
    )  # fmt: skip
    rows = entries.values_list(*columns)[:EXPORT_LIMIT].iterator(chunk_size=2000)
    for at, user, ip, action, code, unit, ttype, tid, label, result, detail in rows:
        yield [
            at, user, ip, action, action_label(action), code, unit, ttype, tid,
            label, RESULT_LABELS.get(result, result),
            json.dumps(detail, ensure_ascii=False) if detail else "",
        ]  # fmt: skip
    if total > EXPORT_LIMIT:
        yield [f"仅导出了最新的 {EXPORT_LIMIT} 行（共 {total} 行），请缩小筛选范围后分批导出。"]


@capability_required(Cap.AUDIT_VIEW)
def audit_export(request: HttpRequest) -> HttpResponse:
    form, entries, valid = _filtered(request)
    if not valid:
        return audit_list(request)  # show the filter errors instead of an empty file
    total = entries.count()
    content = write_xlsx(EXPORT_COLUMNS, _export_rows(entries, total), "审计日志")
    filters = filters_for_log(form.filters()) if form.is_bound else {}
    with transaction.atomic():
        audit_log(
            actor=request.user,
            action="audit.log.exported",
            detail={"filters": filters, "rows": min(total, EXPORT_LIMIT), "total": total},
        )
    filename = f"审计日志_{today():%Y%m%d}.xlsx"
    return xlsx_response(filename, content)
