"""Birth registration pages for staff: the list (the township's queue), the counter
form, a registration's page with its actions, the card PDF and the .xlsx export.

Thin: selectors read (cut to jurisdiction), services write; every view of a
registration, every list page and every export writes an audit row.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.common.errors import DomainError
from famplan.common.forms import show_refusal
from famplan.common.xlsx import content_disposition
from famplan.registration import selectors, services
from famplan.registration.forms import (
    ChildFormSet,
    RegistrationFilterForm,
    RegistrationForm,
    ReturnForm,
)
from famplan.registration.models import Channel, Status
from famplan.registration.pdf import card_pdf
from famplan.registry.forms.filters import filters_for_audit
from famplan.registry.models import Birth
from famplan.registry.selectors import CappedPaginator
from famplan.registry.views import PER_PAGE, querystring_without_page
from famplan.transfer.exports import export_download


def detail_url(pk: int) -> str:
    return reverse("registration:detail", args=[pk])


def _filter(request: HttpRequest) -> tuple[RegistrationFilterForm, dict | None]:
    form = RegistrationFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, form.filters()


@require_GET
@capability_required(Cap.REGISTRATION_VIEW)
def registration_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filter(request)
    rows = selectors.search_registrations(request.user, **(filters or {}))
    if filters is None:
        rows = rows.none()
    page = CappedPaginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    audit_log(
        actor=request.user,
        action="registration.registration.listed",
        detail={"filter": filters_for_audit(filters or {}), "page": page.number},
    )
    can_handle = request.user.can(Cap.REGISTRATION_HANDLE)
    return render(
        request,
        "registration/list.html",
        {
            "form": form,
            "page_obj": page,
            "querystring_without_page": querystring_without_page(request),
            "export_query": querystring_without_page(request).rstrip("&"),
            "can_export": request.user.can(Cap.REGISTRATION_EXPORT),
            "can_unmask": request.user.can(Cap.ID_UNMASK),
            "can_handle": can_handle,
            "pending": selectors.pending_count(request.user) if can_handle else None,
        },
    )


@require_GET
@capability_required(Cap.REGISTRATION_EXPORT)
def registration_export(request: HttpRequest) -> HttpResponse:
    _form, filters = _filter(request)
    if filters is None:
        return redirect(f"{reverse('registration:list')}?{request.GET.urlencode()}")
    full_ids = request.GET.get("full_ids") == "1" and request.user.can(Cap.ID_UNMASK)
    return export_download(
        actor=request.user,
        action="registration.registration.exported",
        sheet="生育登记",
        columns=selectors.EXPORT_COLUMNS,
        rows=selectors.export_rows(
            selectors.search_registrations(request.user, **filters), full_ids=full_ids
        ),
        detail={"filter": filters_for_audit(filters), "full_ids": full_ids},
    )


def children_from(formset: ChildFormSet) -> list[services.ChildData]:
    return [c for c in (f.child() for f in formset.forms) if c is not None]


@require_http_methods(["GET", "POST"])
@capability_required(Cap.REGISTRATION_HANDLE)
def registration_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = RegistrationForm(request.POST, user=request.user, channel=Channel.COUNTER)
        formset = ChildFormSet(request.POST, prefix="children")
        if form.is_valid() and formset.is_valid():
            try:
                registration = services.registration_submit(
                    actor=request.user,
                    data=form.data_with(children_from(formset)),
                    channel=Channel.COUNTER,
                )
            except DomainError as exc:
                show_refusal(form, exc)
            else:
                if registration.status == Status.REGISTERED:
                    messages.success(
                        request,
                        f"与人口信息库一致，已登记，登记证号 {registration.certificate_number}。",
                    )
                else:
                    messages.info(
                        request, "与人口信息库不完全一致，已进入待核实，请核对证件后办理。"
                    )
                return redirect(detail_url(registration.pk))
    else:
        form = RegistrationForm(user=request.user, channel=Channel.COUNTER)
        formset = ChildFormSet(prefix="children")
    return render(
        request,
        "registration/form.html",
        {"form": form, "formset": formset, "title": "办理生育登记"},
    )


@require_GET
@capability_required(Cap.REGISTRATION_VIEW)
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.get_registration_for_user(request.user, pk)
    audit_log(
        actor=request.user,
        action="registration.registration.viewed",
        target=registration,
        org_unit_id=registration.township_id,
    )
    can_handle = request.user.can(Cap.REGISTRATION_HANDLE) and selectors.can_handle(
        request.user, registration
    )
    candidates = (
        services.candidate_births(registration)
        if can_handle and registration.status == Status.REGISTERED and not registration.birth_id
        else []
    )
    return render(
        request,
        "registration/detail.html",
        {
            "r": registration,
            "children": list(registration.children.all()),
            "can_handle": can_handle,
            "return_form": ReturnForm(),
            "candidates": candidates,
        },
    )


def _act(request: HttpRequest, pk: int, action: callable, done: str) -> HttpResponse:
    registration = selectors.get_registration_to_handle(request.user, pk)
    try:
        action(registration)
    except DomainError as exc:  # FieldError included
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(detail_url(registration.pk))


@require_POST
@capability_required(Cap.REGISTRATION_HANDLE)
def registration_register(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda r: services.registration_register(actor=request.user, registration=r),
        "已登记。",
    )


@require_POST
@capability_required(Cap.REGISTRATION_HANDLE)
def registration_return(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(
        request,
        pk,
        lambda r: services.registration_return(actor=request.user, registration=r, reason=reason),
        "已退回补正。",
    )


@require_POST
@capability_required(Cap.REGISTRATION_HANDLE)
def registration_link_birth(request: HttpRequest, pk: int) -> HttpResponse:
    birth = Birth.objects.filter(pk=request.POST.get("birth") or 0).first()

    def link(r: object) -> None:
        if birth is None:
            raise DomainError("未找到该出生记录")
        services.registration_link_birth(actor=request.user, registration=r, birth=birth)

    return _act(request, pk, link, "已关联出生记录。")


@require_POST
@capability_required(Cap.REGISTRATION_HANDLE)
def registration_link_births(request: HttpRequest) -> HttpResponse:
    """Link the births recorded since: every registration the user's unit handles for
    which exactly one birth of the wife fits the expected date."""
    linked = services.registration_link_births(
        actor=request.user, registrations=selectors.registrations_to_handle(request.user)
    )
    messages.success(
        request, f"已关联 {linked} 条出生记录。" if linked else "没有可自动关联的出生记录。"
    )
    return redirect(reverse("registration:list"))


@require_GET
@capability_required(Cap.REGISTRATION_VIEW)
def registration_card(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.get_registration_for_user(request.user, pk)
    if registration.status != Status.REGISTERED:
        messages.error(request, "尚未登记，不能打印服务卡。")
        return redirect(detail_url(registration.pk))
    content = card_pdf(registration)
    audit_log(
        actor=request.user,
        action="registration.card.printed",
        target=registration,
        org_unit_id=registration.township_id,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"生育登记服务卡_{registration.certificate_number}.pdf"
    )
    response["Cache-Control"] = "no-store"
    return response
