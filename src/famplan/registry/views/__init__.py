"""Registry pages. Thin: forms validate, selectors read (cut to jurisdiction), services write."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from famplan.accounts.roles import Cap

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
