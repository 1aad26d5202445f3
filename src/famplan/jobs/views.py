"""Pages to watch background jobs: a list, a live progress bar, the result file."""

from __future__ import annotations

from pathlib import PurePath
from uuid import UUID

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.jobs.selectors import get_job_for_user, jobs_for_user

PAGE_SIZE = 50


@capability_required(Cap.JOBS_VIEW)
def job_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(jobs_for_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "jobs/list.html", {"page_obj": page, "jobs": page.object_list})


@capability_required(Cap.JOBS_VIEW)
def job_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    job = get_job_for_user(request.user, pk)
    breadcrumb = [{"label": "后台任务", "url": reverse("jobs:list")}, {"label": job.title}]
    return render(request, "jobs/detail.html", {"job": job, "breadcrumb": breadcrumb})


@capability_required(Cap.JOBS_VIEW)
def job_progress(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The progress fragment htmx polls; once the job is finished it stops asking."""
    job = get_job_for_user(request.user, pk)
    return render(request, "jobs/detail.html#progress", {"job": job})


@capability_required(Cap.JOBS_VIEW)
def job_download(request: HttpRequest, pk: UUID) -> FileResponse:
    job = get_job_for_user(request.user, pk)
    if not job.result_file:
        raise Http404("该任务没有结果文件")
    filename = PurePath(job.result_file.name).name
    audit_log(
        actor=request.user,
        action="jobs.file.downloaded",
        target=job,
        org_unit_id=job.org_unit_id,
        detail={"file": filename, "kind": job.kind},
    )
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=filename)
