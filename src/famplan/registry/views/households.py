"""Households: the list with filters and its export, the household page with its members."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.registry import selectors
from famplan.registry.forms.filters import HouseholdFilterForm
from famplan.registry.forms.households import HouseholdHeadChangeForm, HouseholdMemberAddForm
from famplan.registry.models import Household
from famplan.registry.views import PER_PAGE, edit_links, export_response, querystring_without_page
from famplan.registry.views.events import _edit_view, _form_page, household_url


@require_GET
@capability_required(Cap.REGISTRY_VIEW)
def household_list(request: HttpRequest) -> HttpResponse:
    form = HouseholdFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        households = Household.objects.none()
    else:
        households = selectors.search_households(request.user, **form.filters())
    page = selectors.CappedPaginator(households, PER_PAGE).get_page(request.GET.get("page"))
    audit_log(
        actor=request.user,
        action="registry.household.listed",
        detail={"query": request.GET.urlencode()[:500], "page": page.number},
    )
    counts = selectors.member_counts([h.pk for h in page.object_list])
    for household in page.object_list:
        household.member_count = counts.get(household.pk, 0)
    return render(
        request,
        "registry/household_list.html",
        {
            "form": form,
            "page_obj": page,
            "querystring_without_page": querystring_without_page(request),
            "export_query": querystring_without_page(request).rstrip("&"),
            "can_export": request.user.can(Cap.REGISTRY_EXPORT),
            "can_unmask": request.user.can(Cap.ID_UNMASK),
            "can_edit": request.user.can(Cap.REGISTRY_EDIT),
            "create_links": edit_links(request.user, [("新建户", "registry:household_create")]),
        },
    )


@require_GET
@capability_required(Cap.REGISTRY_EXPORT)
def household_export(request: HttpRequest) -> HttpResponse:
    form = HouseholdFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        # Show the list with the same parameters: its form explains what is wrong.
        return redirect(f"{reverse('registry:household_list')}?{request.GET.urlencode()}")
    filters = form.filters()
    return export_response(
        request,
        kind="household",
        sheet="户名单",
        columns=selectors.HOUSEHOLD_COLUMNS,
        rows=selectors.household_export_rows,
        queryset=selectors.search_households(request.user, **filters),
        filters=filters,
    )


@require_GET
@capability_required(Cap.REGISTRY_VIEW)
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.get_household_for_user(request.user, pk)
    members = selectors.household_members(household)
    living = selectors.living_members(members)
    # The page lists the members' personal data: audited like a person page.
    audit_log(
        actor=request.user,
        action="registry.household.viewed",
        target=household,
        org_unit_id=household.unit_id,
        detail={"members": [m.pk for m in members]},
    )
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": living,
            "former_members": [m for m in members if m not in living],
            "edit_links": []
            if household.dissolved_on
            else edit_links(
                request.user,
                [
                    ("添加成员", "registry:household_member_add"),
                    ("变更户主", "registry:household_head_change"),
                    ("分户", "registry:household_split"),
                    ("并户", "registry:household_merge"),
                ],
                household.pk,
            ),
        },
    )


@_edit_view
def household_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.get_household_for_user(request.user, pk)
    return _form_page(
        request,
        HouseholdMemberAddForm,
        title="添加成员",
        form_kwargs={"household": household},
        context={"household": household},
        done=lambda p: (f"{p.name}已加入户{household.number}。", household_url(household)),
    )


@_edit_view
def household_head_change(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.get_household_for_user(request.user, pk)
    return _form_page(
        request,
        HouseholdHeadChangeForm,
        title="变更户主",
        form_kwargs={"household": household},
        context={"household": household},
        done=lambda h: (f"户{h.number}的户主已变更为{h.head.name}。", household_url(h)),
    )
