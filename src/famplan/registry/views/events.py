"""Entry forms for people, life events and household changes. Thin: the record in the
URL is fetched inside the user's jurisdiction (404 otherwise), the form runs the
service, and success lands on the person's (or household's) page with a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.registry import selectors
from famplan.registry.forms import ServiceForm
from famplan.registry.forms.events import (
    BirthForm,
    DeathForm,
    DivorceForm,
    HouseholdCreateForm,
    HouseholdMergeForm,
    HouseholdSplitForm,
    MarriageForm,
    MigrationInForm,
    MigrationOutForm,
    MigrationReturnForm,
    MoveAwayForm,
    ResidenceChangeForm,
)
from famplan.registry.forms.people import PersonCreateForm, PersonEditForm
from famplan.registry.models import Direction, Household, Person

TEMPLATE = "registry/events/form.html"


def person_url(person: Person | int) -> str:
    pk = person if isinstance(person, int) else person.pk
    return reverse("registry:person_detail", args=[pk])


def household_url(household: Household) -> str:
    return reverse("registry:household_detail", args=[household.pk])


def _form_page(
    request: HttpRequest,
    form_class: type[ServiceForm],
    *,
    title: str,
    done: Callable[[Any], tuple[str, str]],
    form_kwargs: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """GET shows the form; POST validates it and runs its service. `done(result)`
    gives the success message and the URL to land on."""
    kwargs = {"user": request.user, **(form_kwargs or {})}
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            result = form.save()
            if result is not None:
                message, url = done(result)
                messages.success(request, message)
                return redirect(url)
    else:
        form = form_class(**kwargs)
    return render(request, TEMPLATE, {"form": form, "title": title, **(context or {})})


def _edit_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    return capability_required(Cap.REGISTRY_EDIT)(require_http_methods(["GET", "POST"])(view))


# ---------------------------------------------------------------- people


@_edit_view
def person_create(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        PersonCreateForm,
        title="新增人员",
        done=lambda p: (f"已登记人员{p.name}。", person_url(p)),
    )


@_edit_view
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_person_for_user(request.user, pk)
    if request.method == "GET":
        # The form shows the whole record: a read of the person like the person page.
        audit_log(
            actor=request.user,
            action="registry.person.viewed",
            target=person,
            org_unit_id=person.unit_id,
            detail={"page": "edit"},
        )
    return _form_page(
        request,
        PersonEditForm,
        title="修改人员信息",
        form_kwargs={"person": person},
        context={"person": person},
        done=lambda p: (f"已保存{p.name}的信息。", person_url(p)),
    )


# ---------------------------------------------------------------- life events


@_edit_view
def birth_create(request: HttpRequest) -> HttpResponse:
    mother = None
    if request.GET.get("mother"):
        mother = selectors.get_person_for_user(request.user, request.GET["mother"])
    return _form_page(
        request,
        BirthForm,
        title="登记出生",
        form_kwargs={"mother": mother},
        context={"person": mother, "person_role": "母亲"},
        done=lambda b: (
            f"已登记{b.child.name}的出生（第{b.birth_order}孩）。",
            person_url(b.child_id),
        ),
    )


@_edit_view
def death_create(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_person_for_user(request.user, pk)
    return _form_page(
        request,
        DeathForm,
        title="登记死亡",
        form_kwargs={"person": person},
        context={"person": person},
        done=lambda d: (f"已登记{person.name}的死亡。", person_url(person)),
    )


@_edit_view
def marriage_create(request: HttpRequest) -> HttpResponse:
    person = None
    if request.GET.get("person"):
        person = selectors.get_person_for_user(request.user, request.GET["person"])
    return _form_page(
        request,
        MarriageForm,
        title="登记结婚",
        form_kwargs={"person": person},
        context={"person": person},
        done=lambda m: (
            f"已登记{m.husband.name}与{m.wife.name}的婚姻（{m.get_kind_display()}）。",
            person_url(person or m.wife),
        ),
    )


@_edit_view
def divorce_create(request: HttpRequest, pk: int) -> HttpResponse:
    marriage = selectors.get_marriage_for_user(request.user, pk)
    return _form_page(
        request,
        DivorceForm,
        title="登记离婚",
        form_kwargs={"marriage": marriage},
        context={"marriage": marriage},
        done=lambda m: (
            f"已登记{m.husband.name}与{m.wife.name}离婚。",
            person_url(m.wife_id),
        ),
    )


@_edit_view
def migration_out_create(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_person_for_user(request.user, pk)
    return _form_page(
        request,
        MigrationOutForm,
        title="登记流出",
        form_kwargs={"person": person},
        context={"person": person},
        done=lambda m: (f"已登记{person.name}流出至{m.place}。", person_url(person)),
    )


@_edit_view
def migration_in_create(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        MigrationInForm,
        title="登记流入人员",
        done=lambda m: (f"已登记{m.person.name}流入。", person_url(m.person_id)),
    )


@_edit_view
def migration_return(request: HttpRequest, pk: int) -> HttpResponse:
    migration = selectors.get_migration_for_user(request.user, pk)
    ending = "返回" if migration.direction == Direction.OUT else "离开"
    return _form_page(
        request,
        MigrationReturnForm,
        title=f"登记流动人员{ending}",
        form_kwargs={"migration": migration},
        context={"person": migration.person, "migration": migration},
        done=lambda m: (f"已登记{m.person.name}{ending}。", person_url(m.person_id)),
    )


@_edit_view
def residence_change(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_person_for_user(request.user, pk)
    return _form_page(
        request,
        ResidenceChangeForm,
        title="居住地变更",
        form_kwargs={"person": person},
        context={"person": person},
        done=lambda c: (f"{person.name}已迁至{c.unit.name}。", person_url(person)),
    )


@_edit_view
def move_away(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_person_for_user(request.user, pk)
    return _form_page(
        request,
        MoveAwayForm,
        title="户口迁出",
        form_kwargs={"person": person},
        context={"person": person},
        done=lambda c: (f"已登记{person.name}迁出至{c.place}。", person_url(person)),
    )


# ---------------------------------------------------------------- households


@_edit_view
def household_create(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        HouseholdCreateForm,
        title="新建户",
        done=lambda h: (f"已建立户{h.number}。", household_url(h)),
    )


@_edit_view
def household_split(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.get_household_for_user(request.user, pk)
    return _form_page(
        request,
        HouseholdSplitForm,
        title="分户",
        form_kwargs={"household": household},
        context={"household": household},
        done=lambda h: (f"已分出新户{h.number}。", household_url(h)),
    )


@_edit_view
def household_merge(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.get_household_for_user(request.user, pk)
    return _form_page(
        request,
        HouseholdMergeForm,
        title="并户",
        form_kwargs={"household": household},
        context={"household": household},
        done=lambda h: (f"户{household.number}已并入户{h.number}。", household_url(h)),
    )
