"""Audit rows for logins, failed logins and logouts, from Django's auth signals.

A failed login records the username as typed and no user: whether the name exists is
not something the log should make easier to learn, and a typo is not a person.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from famplan.audit.models import Result
from famplan.audit.services import audit_log

USERNAME_MAX = 150


@receiver(user_logged_in, dispatch_uid="famplan_audit_login")
def audit_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_log(actor=user, action="accounts.login.succeeded", target=user)


@receiver(user_login_failed, dispatch_uid="famplan_audit_login_failed")
def audit_login_failed(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already masked the password in `credentials`; we keep only the name.
    username = str(credentials.get("username") or "")[:USERNAME_MAX]
    detail = {}
    if request is not None and getattr(request, "axes_locked_out", False):
        detail["locked_out"] = True  # set by axes when this failure hit the limit
    audit_log(
        actor=None,
        action="accounts.login.failed",
        username=username,
        detail=detail,
        result=Result.FAILED,
    )


@receiver(user_logged_out, dispatch_uid="famplan_audit_logout")
def audit_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:  # logging out a session that was not logged in
        return
    audit_log(actor=user, action="accounts.logout", target=user)
