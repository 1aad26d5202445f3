"""Puts the client address where audit rows can find it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from famplan.audit import context


def client_ip(request: HttpRequest) -> str | None:
    # Behind the county's reverse proxy REMOTE_ADDR is the proxy; the proxy must be
    # configured to set X-Real-IP. We do not trust X-Forwarded-For chains from clients.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = context.set_current(context.RequestContext(ip=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            context.reset(token)
