"""Registry pages. Thin: forms validate, selectors read (cut to jurisdiction), services write."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from famplan.accounts.roles import Cap
from famplan.audit.services import audit_log
from famplan.common.dates import today
from famplan.common.xlsx import write_xlsx, xlsx_response
from famplan.registry.forms.filters import filters_for_audit

PER_PAGE = 50


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def optional_url(name: str, pk: int, query_name: str = "person") -> str | None:
    """The URL of a page another part of the registry may provide (the event forms),
    for the record `pk`; None while no such page exists, so a link is only shown when
    it leads somewhere. Tries `<pk>` in the path, then `?<query_name>=<pk>`."""
    for kwargs in ({"pk": pk}, {"person_pk": pk}):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    try:
        return f"{reverse(name)}?{query_name}={pk}"
    except NoReverseMatch:
        return None


def url_if_exists(name: str, *args: object) -> str | None:
    """reverse(), or None where the page does not exist (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def edit_links(user: object, links: list[tuple[str, str]], *args: object) -> list[tuple[str, str]]:
    """(label, URL) for the entry pages that exist, for users who may enter records."""
    if not user.can(Cap.REGISTRY_EDIT):  # type: ignore[attr-defined]
        return []
    found = [(label, url_if_exists(name, *args)) for label, name in links]
    return [(label, url) for label, url in found if url]


class RowCounter:
    """Counts the rows of a stream as the writer consumes it (for the audit row)."""

    def __init__(self) -> None:
        self.n = 0

    def wrap(self, rows: Iterator[tuple]) -> Iterator[tuple]:
        for row in rows:
            self.n += 1
            yield row


def export_response(
    request: HttpRequest,
    *,
    kind: str,
    sheet: str,
    columns: list[tuple[str, float]],
    rows: Callable[..., Iterator[tuple]],
    queryset: QuerySet,
    filters: dict[str, Any],
) -> HttpResponse:
    """Every filtered row as .xlsx, IDs masked unless the user may and asks to see them
    (full_ids=1), and one audit row with the filter and the number of rows."""
    full_ids = request.GET.get("full_ids") == "1" and request.user.can(Cap.ID_UNMASK)
    counter = RowCounter()
    content = write_xlsx(columns, counter.wrap(rows(queryset, full_ids=full_ids)), sheet_name=sheet)
    audit_log(
        actor=request.user,
        action=f"registry.{kind}.exported",
        detail={"filter": filters_for_audit(filters), "rows": counter.n, "full_ids": full_ids},
    )
    stamp = today().strftime("%Y%m%d")
    return xlsx_response(f"{sheet}_{stamp}.xlsx", content)
