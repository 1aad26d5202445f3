"""The one helper that cuts records down to a user's jurisdiction (their unit's subtree).

Every selector calls `scope` (querysets) or `get_in_scope_or_404` (one object). A record
outside the subtree answers 404, exactly as one that does not exist: an official must
not learn from the error that a person lives in another township.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def jurisdiction_code(user: Any) -> str | None:
    """The code prefix of the user's subtree, or None for a user with no unit."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.org_unit_id


def scope(queryset: QuerySet[M], user: Any, unit_field: str) -> QuerySet[M]:
    """Records whose `unit_field` (a path to an OrgUnit, or "code" for OrgUnit itself)
    lies in the user's subtree. `unit_field` names the foreign key; its column holds the
    unit code, so this filters the record's own table with no join."""
    code = jurisdiction_code(user)
    if code is None:
        return queryset.none()
    lookup = "code" if unit_field == "code" else f"{unit_field}_id"
    return queryset.filter(**code_prefix_filter(lookup, code))


def code_prefix_filter(lookup: str, prefix: str) -> dict[str, str]:
    """`lookup` starts with `prefix`, written as a range so that a plain b-tree index
    serves it on SQLite and PostgreSQL alike (SQLite's LIKE ... ESCAPE scans the table).
    Codes are digits and ':' sorts right after '9', so prefix <= code < prefix + ':'
    holds exactly for the codes that start with prefix (under a C/binary collation)."""
    return {f"{lookup}__gte": prefix, f"{lookup}__lt": prefix + ":"}


def get_in_scope_or_404(queryset: QuerySet[M], user: Any, unit_field: str, **lookup: Any) -> M:
    try:
        return scope(queryset, user, unit_field).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        # ValueError/TypeError: a tampered id that is not even the right type.
        raise Http404("记录不存在") from None


def unit_in_scope(user: Any, code: str | None) -> bool:
    prefix = jurisdiction_code(user)
    return bool(prefix and code and code.startswith(prefix))
