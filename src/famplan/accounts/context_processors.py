"""Template context shared by every page: the menu the user may see."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from famplan.accounts import otp
from famplan.accounts.navigation import NAV_ITEMS


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    if otp.otp_required(user) and not otp.is_verified(user):
        return {"nav_items": []}  # every entry would lead back to the second-factor page
    items = []
    for item in NAV_ITEMS:
        if not user.can(item.capability):
            continue
        url = reverse(item.url_name)  # a menu entry for a missing page is a bug: fail loudly
        items.append({"label": item.label, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": items}
