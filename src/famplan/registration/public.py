"""The citizen pages (no account): apply online, check the status.

They show nothing of the registry: an online application always goes to the chosen
township's queue, and the status check answers with the status alone, for the pairing
of an ID number and a receipt number, the same "not found" for any other. Both are
rate-limited (ratelimit.py) and CSRF-protected; the pages carry no inline script or
style (the site's strict CSP).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from famplan.audit.middleware import client_ip
from famplan.audit.models import Result
from famplan.audit.services import audit_log
from famplan.common.errors import DomainError
from famplan.common.forms import show_refusal
from famplan.registration import ratelimit, selectors, services
from famplan.registration.forms import ChildFormSet, RegistrationForm, StatusCheckForm
from famplan.registration.models import Channel, Status
from famplan.registration.views import children_from

# What the status page says for each status: the status and what to do next, nothing more.
STATUS_TEXT = {
    Status.PENDING: ("待核实", "乡镇(街道)正在核实您的申请，请耐心等待。"),
    Status.REGISTERED: ("已登记", "您的生育登记已办结，可到办理乡镇(街道)领取生育登记服务卡。"),
    Status.RETURNED: (
        "退回补正",
        "申请信息需要补正，请携带夫妻双方身份证件到办理乡镇(街道)办理，或重新在网上申请。",
    ),
}


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def public_apply(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not ratelimit.apply_allowed(client_ip(request)):
            return render(
                request,
                "registration/public/limited.html",
                {"message": ratelimit.APPLY_LIMITED_MESSAGE},
                status=429,
            )
        form = RegistrationForm(request.POST, channel=Channel.ONLINE)
        formset = ChildFormSet(request.POST, prefix="children")
        if form.is_valid() and formset.is_valid():
            try:
                registration = services.registration_submit(
                    actor=None, data=form.data_with(children_from(formset)), channel=Channel.ONLINE
                )
            except DomainError as exc:
                show_refusal(form, exc)
            else:
                # Shown here, not after a redirect: the receipt number is never in a URL.
                return render(
                    request,
                    "registration/public/submitted.html",
                    {
                        "receipt": registration.receipt_display,
                        "township": registration.township.name,
                    },
                )
    else:
        form = RegistrationForm(channel=Channel.ONLINE)
        formset = ChildFormSet(prefix="children")
    return render(request, "registration/public/apply.html", {"form": form, "formset": formset})


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def public_status(request: HttpRequest) -> HttpResponse:
    result = None
    status = 200
    if request.method == "POST":
        form = StatusCheckForm(request.POST)
        if form.is_valid():
            id_number = form.cleaned_data["id_number"]
            ip = client_ip(request)
            if not ratelimit.status_check_allowed(ip, id_number):
                return render(
                    request,
                    "registration/public/limited.html",
                    {"message": ratelimit.LIMITED_MESSAGE},
                    status=429,
                )
            found = selectors.find_for_status_check(id_number, form.cleaned_data["receipt_number"])
            audit_log(
                actor=None,
                action="registration.status.checked",
                target=found,
                org_unit_id=found.township_id if found else None,
                result=Result.OK if found else Result.FAILED,
            )
            if found is None:
                form.add_error(None, "未找到该申请，请核对身份证号和回执号。")
            else:
                result = STATUS_TEXT[found.status]
    else:
        form = StatusCheckForm()
    return render(
        request, "registration/public/status.html", {"form": form, "result": result}, status=status
    )
