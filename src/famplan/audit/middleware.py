"""Puts the client address where audit rows can find it, and audits refused requests."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from famplan.audit import context
from famplan.audit.models import Result
from famplan.audit.services import audit_log

DENIED = "audit.access.denied"
NOT_FOUND = "audit.access.not_found"


def client_ip(request: HttpRequest) -> str | None:
    # Behind the county's reverse proxy REMOTE_ADDR is the proxy; the proxy must be
    # configured to set X-Real-IP. We do not trust X-Forwarded-For chains from clients.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None


def audit_refusal(request: HttpRequest, response: HttpResponse) -> None:
    """Every 403, and every 404 a logged-in user gets from a page that exists (a record
    absent or outside their jurisdiction), is an audit row: probing shows in the log.
    A 404 for a URL that matches no page is left out, so bots cannot flood the log.

    Written here, after the view has returned, so the row stands even when the view ran
    in a transaction that the refusal rolled back (ATOMIC_REQUESTS)."""
    status = response.status_code
    if status not in (403, 404):
        return
    user = getattr(request, "user", None)
    logged_in = bool(user is not None and user.is_authenticated)
    match = getattr(request, "resolver_match", None)
    if status == 404 and (not logged_in or match is None):
        return
    detail = {"path": request.path[:500], "method": request.method, "status": status}
    if match is not None:
        detail["view"] = match.view_name
        detail["args"] = {k: str(v)[:100] for k, v in match.kwargs.items()}
    reason = getattr(request, "_famplan_refusal", "")
    if reason:
        detail["reason"] = reason[:200]
    audit_log(
        actor=user if logged_in else None,
        action=DENIED if status == 403 else NOT_FOUND,
        detail=detail,
        result=Result.DENIED if status == 403 else Result.FAILED,
    )


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = context.set_current(context.RequestContext(ip=client_ip(request)))
        try:
            response = self.get_response(request)
            audit_refusal(request, response)
            return response
        finally:
            context.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        # Keeps the refusal's message (e.g. the missing capability) for the audit row;
        # Django still turns the exception into the 403/404 page.
        request._famplan_refusal = str(exception)
