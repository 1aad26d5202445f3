"""Event lists (births, deaths, marriages, migrations): filtered, paginated, audited
pages and their Excel exports. The four share one flow; a ListSpec says what differs."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from famplan.accounts.permissions import capability_required
from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.registry import selectors
from famplan.registry.forms.event_filters import (
    BirthFilterForm,
    DeathFilterForm,
    EventFilterForm,
    MarriageFilterForm,
    MigrationFilterForm,
)
from famplan.registry.forms.filters import filters_for_audit
from famplan.registry.selectors import events
from famplan.registry.views import PER_PAGE, export_response, querystring_without_page


@dataclass(frozen=True)
class ListSpec:
    # "birth": URL names registry:birth_list / birth_export, audit registry.birth.*
    kind: str
    title: str
    form_class: type[EventFilterForm]
    search: Callable[..., QuerySet]
    columns: list[tuple[str, float]]
    export_rows: Callable[..., Iterator[tuple]]
    headers: Sequence[str]  # of the page's table; the row cells are in the template
    # Values a page shows that its rows do not hold (computed for the page's rows only).
    decorate: Callable[[Sequence[Any]], None] | None = None

    @property
    def list_url(self) -> str:
        return f"registry:{self.kind}_list"

    @property
    def export_url(self) -> str:
        return f"registry:{self.kind}_export"

    @property
    def template(self) -> str:
        return f"registry/lists/{self.kind}_list.html"


BIRTHS = ListSpec(
    kind="birth",
    title="出生登记",
    form_class=BirthFilterForm,
    search=events.search_births,
    columns=events.BIRTH_COLUMNS,
    export_rows=events.birth_export_rows,
    headers=(
        *("婴儿", "性别", "出生日期", "孩次", "母亲", "父亲"),
        *("出生地点", "助产机构", "体重(克)", "村(居)"),
    ),
)
DEATHS = ListSpec(
    kind="death",
    title="死亡登记",
    form_class=DeathFilterForm,
    search=events.search_deaths,
    columns=events.DEATH_COLUMNS,
    export_rows=events.death_export_rows,
    headers=("姓名", "身份证号", "性别", "死亡年龄", "死亡日期", "死亡原因", "村(居)"),
    decorate=events.add_ages_at_death,
)
MARRIAGES = ListSpec(
    kind="marriage",
    title="婚姻登记",
    form_class=MarriageFilterForm,
    search=events.search_marriages,
    columns=events.MARRIAGE_COLUMNS,
    export_rows=events.marriage_export_rows,
    headers=("丈夫", "妻子", "结婚日期", "婚姻类型", "终止", "村(居)"),
)
MIGRATIONS = ListSpec(
    kind="migration",
    title="流动人口",
    form_class=MigrationFilterForm,
    search=events.search_migrations,
    columns=events.MIGRATION_COLUMNS,
    export_rows=events.migration_export_rows,
    headers=(
        *("姓名", "身份证号", "方向", "流动日期", "流入地/流出地"),
        *("工作单位", "联系电话", "状态", "村(居)"),
    ),
)


def _filter(request: HttpRequest, spec: ListSpec) -> tuple[EventFilterForm, dict | None]:
    """The bound filter form and its filters; None when the form is invalid (the list
    then shows nothing, never everything)."""
    form = spec.form_class(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, form.filters()


def _list(request: HttpRequest, spec: ListSpec) -> HttpResponse:
    form, filters = _filter(request, spec)
    rows = spec.search(request.user, **(filters or {}))
    if filters is None:
        rows = rows.none()
    page = selectors.CappedPaginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    if spec.decorate:
        spec.decorate(page.object_list)
    # The page shows people's names: who looked at which list belongs in the log.
    audit_log(
        actor=request.user,
        action=f"registry.{spec.kind}.listed",
        detail={"filter": filters_for_audit(filters or {}), "page": page.number},
    )
    return render(
        request,
        spec.template,
        {
            "spec": spec,
            "form": form,
            "page_obj": page,
            "querystring_without_page": querystring_without_page(request),
            "export_query": querystring_without_page(request).rstrip("&"),
            "can_export": request.user.can(Cap.REGISTRY_EXPORT),
            "can_unmask": request.user.can(Cap.ID_UNMASK),
            "can_edit": request.user.can(Cap.REGISTRY_EDIT),
        },
    )


def _export(request: HttpRequest, spec: ListSpec) -> HttpResponse:
    _form, filters = _filter(request, spec)
    if filters is None:
        # Show the list with the same parameters: its form explains what is wrong.
        return redirect(f"{reverse(spec.list_url)}?{request.GET.urlencode()}")
    return export_response(
        request,
        kind=spec.kind,
        sheet=spec.title,
        columns=spec.columns,
        rows=spec.export_rows,
        queryset=spec.search(request.user, **filters),
        filters=filters,
    )


@require_GET
@capability_required(Cap.REGISTRY_VIEW)
def birth_list(request: HttpRequest) -> HttpResponse:
    return _list(request, BIRTHS)


@require_GET
@capability_required(Cap.REGISTRY_EXPORT)
def birth_export(request: HttpRequest) -> HttpResponse:
    return _export(request, BIRTHS)


@require_GET
@capability_required(Cap.REGISTRY_VIEW)
def death_list(request: HttpRequest) -> HttpResponse:
    return _list(request, DEATHS)


@require_GET
@capability_required(Cap.REGISTRY_EXPORT)
def death_export(request: HttpRequest) -> HttpResponse:
    return _export(request, DEATHS)


@require_GET
@capability_required(Cap.REGISTRY_VIEW)
def marriage_list(request: HttpRequest) -> HttpResponse:
    return _list(request, MARRIAGES)


@require_GET
@capability_required(Cap.REGISTRY_EXPORT)
def marriage_export(request: HttpRequest) -> HttpResponse:
    return _export(request, MARRIAGES)


@require_GET
@capability_required(Cap.REGISTRY_VIEW)
def migration_list(request: HttpRequest) -> HttpResponse:
    return _list(request, MIGRATIONS)


@require_GET
@capability_required(Cap.REGISTRY_EXPORT)
def migration_export(request: HttpRequest) -> HttpResponse:
    return _export(request, MIGRATIONS)
