"""Writing audit rows. Call inside the same transaction as the write it records."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from famplan.audit import context
from famplan.audit.models import AuditEntry, Result


def _target_fields(target: models.Model | None) -> dict[str, str]:
    if target is None:
        return {}
    return {
        "target_type": target._meta.label_lower,
        "target_id": str(target.pk),
        "target_label": str(target)[:200],
    }


def audit_log(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    org_unit_id: str | None = None,
    detail: dict | None = None,
    result: str = Result.OK,
    username: str | None = None,
) -> AuditEntry:
    """Append one audit row. `actor` is a User (or None for anonymous / system)."""
    user_id = getattr(actor, "pk", None) if actor is not None else None
    if org_unit_id is None:
        org_unit_id = getattr(actor, "org_unit_id", None)
    return AuditEntry.objects.create(
        user_id=user_id,
        username=username if username is not None else getattr(actor, "username", "") or "",
        ip=context.current().ip,
        action=action,
        org_unit_id=org_unit_id,
        detail=detail or {},
        result=result,
        **_target_fields(target),
    )


def audit_log_many(
    *,
    actor: Any,
    action: str,
    targets: Iterable[models.Model],
    detail: dict | None = None,
    org_unit_attr: str | None = None,
) -> int:
    """One row per target in one bulk insert: for imports and batch writes."""
    ip = context.current().ip
    rows = [
        AuditEntry(
            user_id=actor.pk,
            username=actor.username,
            ip=ip,
            action=action,
            org_unit_id=getattr(t, org_unit_attr) if org_unit_attr else actor.org_unit_id,
            detail=detail or {},
            **_target_fields(t),
        )
        for t in targets
    ]
    AuditEntry.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
