"""The "出生一件事" bundle (国办发〔2024〕3号): a newborn's checklist in one place, and the
worklist of what is still missing for each newborn of a village. Items other offices
own are recorded here (number, date, by whom); birth registration is famplan's own."""

from __future__ import annotations

from itertools import islice

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.common.errors import DomainError
from famplan.common.forms import show_refusal
from famplan.registration import selectors, services
from famplan.registration.forms import BundleFilterForm, BundleItemForm
from famplan.registration.models import BundleItem
from famplan.registry.forms.filters import filters_for_audit
from famplan.registry.selectors import CappedPaginator
from famplan.registry.views import PER_PAGE, querystring_without_page
from famplan.transfer.exports import export_download

BUNDLE_COLUMNS: list[tuple[str, float]] = [
    ("婴儿", 10),
    ("出生日期", 12),
    ("母亲", 10),
    ("村(居)", 20),
    ("出生医学证明", 16),
    ("生育登记", 22),
    ("户口登记", 16),
    ("医保参保", 16),
    ("社会保障卡", 16),
    ("育儿补贴申请", 16),
    ("尚未办理", 40),
]


def _filter(request: HttpRequest) -> tuple[BundleFilterForm, dict | None]:
    form = BundleFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, form.filters()


@require_GET
@capability_required(Cap.REGISTRATION_VIEW)
def bundle_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filter(request)
    births = selectors.newborns_for_user(request.user, **(filters or {}))
    if filters is None:
        births = births.none()
    page = CappedPaginator(births, PER_PAGE).get_page(request.GET.get("page"))
    births_shown = list(page.object_list)
    provided = selectors.provided_lines(births_shown)
    rows = [(b, selectors.bundle_lines(b, provided[b.pk])) for b in births_shown]
    audit_log(
        actor=request.user,
        action="registration.bundle.listed",
        detail={"filter": filters_for_audit(filters or {}), "page": page.number},
    )
    return render(
        request,
        "registration/bundle_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "querystring_without_page": querystring_without_page(request),
            "export_query": querystring_without_page(request).rstrip("&"),
            "can_export": request.user.can(Cap.REGISTRATION_EXPORT),
        },
    )


@require_GET
@capability_required(Cap.REGISTRATION_EXPORT)
def bundle_export(request: HttpRequest) -> HttpResponse:
    _form, filters = _filter(request)
    if filters is None:
        return redirect(f"{reverse('registration:bundle_list')}?{request.GET.urlencode()}")

    def export_rows():
        births = selectors.newborns_for_user(request.user, **filters).iterator(chunk_size=500)
        while chunk := list(islice(births, 500)):
            provided = selectors.provided_lines(chunk)
            for b in chunk:
                lines = selectors.bundle_lines(b, provided[b.pk])
                yield (
                    b.child.name,
                    b.born_on,
                    b.mother.name,
                    b.unit.name,
                    *(line.number if line.done else "" for line in lines[:6]),
                    "、".join(selectors.missing_from(lines)),
                )

    return export_download(
        actor=request.user,
        action="registration.bundle.exported",
        sheet="出生一件事",
        columns=BUNDLE_COLUMNS,
        rows=export_rows(),
        detail={"filter": filters_for_audit(filters)},
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.REGISTRATION_VIEW)
def bundle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    birth = selectors.get_birth_for_user(request.user, pk)
    can_record = request.user.can(Cap.REGISTRY_EDIT)
    failed: dict[str, BundleItemForm] = {}
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied("您没有此项操作的权限。")
        if request.POST.get("action") == "link":
            linked = services.registration_link_on_birth(actor=request.user, birth=birth)
            if linked is None:
                messages.error(request, "没有与该出生相符的已登记生育登记（母亲、预产期）。")
            else:
                messages.success(request, f"已关联生育登记 {linked.certificate_number}。")
            return redirect(reverse("registration:bundle_detail", args=[birth.pk]))
        item = request.POST.get("item", "")
        form = BundleItemForm(
            request.POST, auto_id=f"id_{item}_%s" if item in BundleItem.values else "id_%s"
        )
        if form.is_valid():
            try:
                services.bundle_item_record(actor=request.user, birth=birth, **form.cleaned_data)
            except DomainError as exc:
                show_refusal(form, exc)
            else:
                messages.success(request, "已登记。")
                return redirect(reverse("registration:bundle_detail", args=[birth.pk]))
        failed[request.POST.get("item", "")] = form
    else:
        audit_log(
            actor=request.user,
            action="registration.bundle.viewed",
            target=birth,
            org_unit_id=birth.unit_id,
        )
    lines = selectors.bundle_lines(birth)
    forms_by_item = {
        line.item: failed.get(line.item)
        or BundleItemForm(
            initial={"item": line.item, "number": line.number, "done_on": line.done_on},
            auto_id=f"id_{line.item}_%s",
        )
        for line in lines
        if line.item
    }
    return render(
        request,
        "registration/bundle_detail.html",
        {
            "birth": birth,
            "lines": [(line, forms_by_item.get(line.item)) for line in lines],
            "can_record": can_record,
        },
    )
