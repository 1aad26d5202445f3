"""The number-conflict list (quality.conflicts): apart from views.py so that it stays
one small, self-contained page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.common.idnumbers import mask_id_number
from famplan.quality.conflicts import SOURCE_LABELS, conflicts_for_user
from famplan.quality.models import NumberConflict

PAGE_SIZE = 50


@capability_required(Cap.QUALITY_VIEW)
def conflicts(request: HttpRequest) -> HttpResponse:
    page = Paginator(conflicts_for_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    audit_log(
        actor=request.user,
        action="quality.conflicts.viewed",
        detail={"page": page.number, "rows": len(page.object_list)},
    )
    for conflict in page.object_list:
        # ID numbers masked like everywhere else; household numbers are not personal.
        is_id = conflict.kind == NumberConflict.Kind.ID_NUMBER
        conflict.number_shown = mask_id_number(conflict.number) if is_id else conflict.number
        conflict.source_label = SOURCE_LABELS.get(conflict.source, conflict.source)
    return render(
        request,
        "quality/conflicts.html",
        {"page_obj": page, "conflicts": page.object_list, "querystring_without_page": ""},
    )
