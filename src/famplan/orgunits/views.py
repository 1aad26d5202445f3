"""Pages of the division tree: drill down from the user's own unit; import a table."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.jobs.services import job_start
from famplan.orgunits.forms import DivisionImportForm
from famplan.orgunits.jobs import IMPORT_KIND
from famplan.orgunits.selectors import breadcrumb_for_user, children_for_user, get_unit_for_user


@capability_required(Cap.UNITS_VIEW)
def home(request: HttpRequest) -> HttpResponse:
    return redirect("orgunits:detail", code=request.user.org_unit_id)


@capability_required(Cap.UNITS_VIEW)
def detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, code)
    # One grouped query: each child with the number of its own children.
    children = children_for_user(request.user, unit).annotate(child_count=Count("children"))
    return render(
        request,
        "orgunits/detail.html",
        {
            "unit": unit,
            "breadcrumb": breadcrumb_for_user(request.user, unit),
            "children": children,
            "can_import": request.user.can(Cap.UNITS_IMPORT),
        },
    )


@capability_required(Cap.UNITS_IMPORT)
def import_divisions(request: HttpRequest) -> HttpResponse:
    form = DivisionImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = job_start(
            user=request.user,
            kind=IMPORT_KIND,
            title=f"导入行政区划：{upload.name}"[:200],
            # A web import may only touch the importing user's own subtree.
            params={"within": request.user.org_unit_id},
            input_file=upload,
        )
        return redirect("jobs:detail", pk=job.pk)
    breadcrumb = [request.user.org_unit, {"label": "导入行政区划"}]
    return render(request, "orgunits/import.html", {"form": form, "breadcrumb": breadcrumb})
