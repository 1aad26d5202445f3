"""The township's and the county's view of hospital deliveries: every delivery of a
mother in the user's jurisdiction (her village), whichever facility reported it, with
filters, paging and an .xlsx export. Both are audited reads (names, masked ID numbers)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.deliveries import selectors
from famplan.deliveries.forms import AreaFilterForm
from famplan.registry.forms.filters import filters_for_audit
from famplan.registry.selectors import CappedPaginator
from famplan.registry.views import PER_PAGE, querystring_without_page
from famplan.transfer.exports import export_download


def _filter(request: HttpRequest) -> tuple[AreaFilterForm, dict | None]:
    form = AreaFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, form.filters()


@require_GET
@capability_required(Cap.DELIVERIES_VIEW)
def area_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filter(request)
    rows = selectors.deliveries_in_area(request.user, **(filters or {}))
    if filters is None:
        rows = rows.none()
    page = CappedPaginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    audit_log(
        actor=request.user,
        action="deliveries.area.listed",
        detail={"filter": filters_for_audit(filters or {}), "page": page.number},
    )
    return render(
        request,
        "deliveries/area_list.html",
        {
            "form": form,
            "page_obj": page,
            "querystring_without_page": querystring_without_page(request),
            "export_query": querystring_without_page(request).rstrip("&"),
            "can_export": request.user.can(Cap.DELIVERIES_EXPORT),
            "can_unmask": request.user.can(Cap.ID_UNMASK),
        },
    )


@require_GET
@capability_required(Cap.DELIVERIES_EXPORT)
def area_export(request: HttpRequest) -> HttpResponse:
    _form, filters = _filter(request)
    if filters is None:
        return redirect(f"{reverse('deliveries:area_list')}?{request.GET.urlencode()}")
    full_ids = request.GET.get("full_ids") == "1" and request.user.can(Cap.ID_UNMASK)
    rows = selectors.deliveries_in_area(request.user, **filters)
    return export_download(
        actor=request.user,
        action="deliveries.area.exported",
        sheet="辖区住院分娩",
        columns=selectors.AREA_EXPORT_COLUMNS,
        rows=selectors.export_rows(rows, full_ids=full_ids, with_facility=True),
        detail={"filter": filters_for_audit(filters), "full_ids": full_ids},
    )
