"""Registry pages. Thin: forms validate, selectors read (cut to jurisdiction), services write."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from famplan.accounts.roles import Cap
from famplan.common.exports import export_download
from famplan.registry.exports import RegistryExport
from famplan.registry.forms.filters import filters_for_audit

PER_PAGE = 50


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def edit_links(user: object, links: list[tuple[str, str]], *args: object) -> list[tuple[str, str]]:
    """(label, URL) of entry pages, for users who may enter records. reverse() without
    a safety net: a link to a page that does not exist is a bug and fails loudly."""
    if not user.can(Cap.REGISTRY_EDIT):  # type: ignore[attr-defined]
        return []
    return [(label, reverse(name, args=args)) for label, name in links]


def export_response(
    request: HttpRequest,
    *,
    export: RegistryExport,
    queryset: QuerySet,
    filters: dict[str, Any],
) -> HttpResponse:
    """Every filtered row of `export` as .xlsx, IDs masked unless the user may and asks
    to see them (full_ids=1); one audit row with the filter and the number of rows."""
    full_ids = request.GET.get("full_ids") == "1" and request.user.can(Cap.ID_UNMASK)
    return export_download(
        actor=request.user,
        action=export.action,
        sheet=export.sheet,
        columns=export.headers,
        rows=export.rows(queryset, full_ids=full_ids),
        detail={"filter": filters_for_audit(filters), "full_ids": full_ids},
    )
