"""View decorators: login plus a capability. A missing capability is a 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def capability_required(capability: str) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if not request.user.can(capability):
                raise PermissionDenied("您没有此项操作的权限。")
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability  # read by the URL-walking test
        return wrapped

    return decorate
