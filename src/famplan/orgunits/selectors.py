"""Reads of the division tree, always cut to the user's jurisdiction."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from famplan.orgunits.jurisdiction import get_in_scope_or_404, scope
from famplan.orgunits.models import OrgUnit


def units_for_user(user: Any) -> QuerySet[OrgUnit]:
    return scope(OrgUnit.objects.all(), user, "code")


def get_unit_for_user(user: Any, code: str) -> OrgUnit:
    return get_in_scope_or_404(OrgUnit.objects.all(), user, "code", code=code)


def breadcrumb_for_user(user: Any, unit: OrgUnit) -> list[OrgUnit]:
    """The unit's ancestors from the user's own unit down to the unit itself."""
    root = user.org_unit_id
    codes = [c for c in unit.ancestor_codes() if c.startswith(root)] + [unit.code]
    by_code = OrgUnit.objects.in_bulk(codes)
    return [by_code[c] for c in codes if c in by_code]


def children_for_user(user: Any, unit: OrgUnit) -> QuerySet[OrgUnit]:
    return units_for_user(user).filter(parent_id=unit.code).order_by("code")
