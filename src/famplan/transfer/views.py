"""Pages of the import framework: templates to download, an upload that starts a job."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.common.xlsx import xlsx_response
from famplan.jobs.selectors import jobs_for_user
from famplan.jobs.services import job_start
from famplan.orgunits.jurisdiction import scope
from famplan.orgunits.models import Level, OrgUnit
from famplan.transfer.forms import ImportForm
from famplan.transfer.imports.framework import IMPORT_TYPES
from famplan.transfer.imports.report import template_xlsx
from famplan.transfer.jobs import IMPORT_KIND

RECENT_JOBS = 10


def _render_home(request: HttpRequest, form: ImportForm, status: int = 200) -> HttpResponse:
    recent = jobs_for_user(request.user).filter(kind=IMPORT_KIND)[:RECENT_JOBS]
    context = {
        "form": form,
        "record_types": IMPORT_TYPES.values(),
        "recent_jobs": recent,
        "breadcrumb": [{"label": "数据导入"}],
    }
    return render(request, "transfer/home.html", context, status=status)


@capability_required(Cap.REGISTRY_IMPORT)
def home(request: HttpRequest) -> HttpResponse:
    return _render_home(request, ImportForm(initial={"record_type": request.GET.get("type")}))


@capability_required(Cap.REGISTRY_IMPORT)
def template(request: HttpRequest, record_type: str) -> HttpResponse:
    kind = IMPORT_TYPES.get(record_type)
    if kind is None:
        raise Http404("没有这种导入类型")
    villages = scope(OrgUnit.objects.filter(level=Level.VILLAGE), request.user, "code")
    rows = [
        (v.code, v.name, v.parent.name if v.parent else "")
        for v in villages.select_related("parent").order_by("code")
    ]
    samples = kind.samples(rows[0][0] if rows else request.user.org_unit_id)
    return xlsx_response(f"{kind.label}导入模板", template_xlsx(kind, rows, samples))


@require_POST
@capability_required(Cap.REGISTRY_IMPORT)
def upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_home(request, form, status=400)
    kind = IMPORT_TYPES[form.cleaned_data["record_type"]]
    upload_file = form.cleaned_data["file"]
    job = job_start(
        user=request.user,
        kind=IMPORT_KIND,
        title=f"导入{kind.label}：{upload_file.name}",
        params={"record_type": kind.key},
        input_file=upload_file,
    )
    return redirect("jobs:detail", pk=job.pk)
