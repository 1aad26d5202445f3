"""Keeps users whose role needs a second factor on the TOTP pages until they pass it.

One place for the rule, so that no view, present or future, can forget it. It runs in
process_view, after URL resolution, and so sees the URL name; a path that resolves to
nothing goes on to the 404 page, which shows nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from famplan.accounts import otp
from famplan.accounts.roles import Role

# Where a user who has passed only the password may go.
EXEMPT_VIEWS = frozenset(
    {"accounts:login", "accounts:logout", "accounts:otp_setup", "accounts:otp_verify"}
)


class OTPRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        unknown = sorted(set(settings.OTP_REQUIRED_ROLES) - set(Role.values))
        if unknown:  # a typo here would silently drop the second factor
            raise ImproperlyConfigured(
                f"OTP_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}"
                f" (roles: {', '.join(Role.values)})"
            )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if (match is not None and match.view_name in EXEMPT_VIEWS) or request.path.startswith(
            settings.STATIC_URL
        ):
            return None
        user = request.user
        if not otp.otp_required(user) or otp.is_verified(user):
            return None
        # Back to this page afterwards, unless it was a form post (it cannot be replayed).
        next_url = request.get_full_path() if request.method == "GET" else ""
        url = otp.pending_url(user, next_url)
        if request.headers.get("HX-Request"):
            # htmx would swap the login step into a fragment; make it load the page.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
