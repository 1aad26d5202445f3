"""Reads of user accounts for user management, cut to the manager's subtree.

A manager sees only the users they could manage: in their subtree and holding a role
they may assign. Anyone else is a 404, the same as a user that does not exist.
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from famplan.accounts.models import User
from famplan.accounts.roles import ASSIGNABLE_ROLES
from famplan.orgunits.jurisdiction import code_prefix_filter, get_in_scope_or_404, scope


def users_for_manager(manager: Any) -> QuerySet[User]:
    roles = ASSIGNABLE_ROLES.get(getattr(manager, "role", ""), ())
    users = User.objects.filter(role__in=roles).select_related("org_unit")
    return scope(users, manager, "org_unit")


def get_user_for_manager(manager: Any, pk: int) -> User:
    roles = ASSIGNABLE_ROLES.get(getattr(manager, "role", ""), ())
    users = User.objects.filter(role__in=roles).select_related("org_unit")
    return get_in_scope_or_404(users, manager, "org_unit", pk=pk)


def filter_users(
    users: QuerySet[User],
    *,
    q: str = "",
    unit: str = "",
    role: str = "",
    active: bool | None = None,
) -> QuerySet[User]:
    """`unit` is a unit code: its whole subtree. `q` matches username or name."""
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if unit:
        users = users.filter(**code_prefix_filter("org_unit_id", unit))
    if role:
        users = users.filter(role=role)
    if active is not None:
        users = users.filter(is_active=active)
    return users.order_by("org_unit_id", "username")


def locked_usernames(usernames: list[str]) -> set[str]:
    """Which of these accounts axes has locked right now (one query for a page)."""
    if not usernames:
        return set()
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = AccessAttempt.objects.filter(
        username__in=usernames,
        attempt_time__gte=since,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
    ).values_list("username", flat=True)
    return set(rows)
