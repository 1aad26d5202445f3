"""Writing audit rows. Call inside the same transaction as the write it records."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

from django.db import connections, models, router
from django.utils import timezone

from famplan.audit import chain, context
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
    """One row per target, for imports and batch writes: the target's `org_unit_attr`
    (e.g. "unit_id") as org unit, else the actor's. Written by audit_log_rows."""
    default_unit = getattr(actor, "org_unit_id", None)
    by_type: dict[str, list[tuple[str | None, Any, str]]] = {}
    for t in targets:
        unit = getattr(t, org_unit_attr) if org_unit_attr else default_unit
        by_type.setdefault(t._meta.label_lower, []).append((unit, t.pk, str(t)))
    return sum(
        audit_log_rows(actor=actor, action=action, target_type=kind, rows=rows, detail=detail)
        for kind, rows in by_type.items()
    )


# Rows per executemany: bounds the memory a 100,000-row import holds at once.
_ROWS_BATCH = 2000
_COLUMNS = (
    "at", "user", "username", "ip", "action", "org_unit", "target_type", "target_id",
    "target_label", "detail", "result", "seq", "prev_hash", "row_hash",
)  # fmt: skip


def audit_log_rows(
    *,
    actor: Any,
    action: str,
    target_type: str,
    rows: Iterable[tuple[str | None, Any, str]],
    detail: dict | None = None,
) -> int:
    """THE way to write many audit rows: one per (org unit id, target id, target label),
    all of one action on one kind of target (`target_type` as "app.model"), with the
    same detail, through one prepared INSERT run with executemany.

    Django's bulk_create compiles SQL for every batch and prepares every value through
    the field API, and needs model instances: for an import of 100,000 people that was
    most of the import's time. Here the constant values are prepared once and each row
    adds only its three values, and its place in the tamper-evidence chain (whose lock
    is held until the transaction ends). Call inside the transaction of the writes it
    records, as late in it as you can: other writers of audit rows wait for the commit."""
    connection = connections[router.db_for_write(AuditEntry)]
    fields = {name: AuditEntry._meta.get_field(name) for name in _COLUMNS}
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from _meta
        quote(AuditEntry._meta.db_table),
        ", ".join(quote(fields[name].column) for name in _COLUMNS),
        ", ".join(["%s"] * len(_COLUMNS)),
    )

    def prepared(name: str, value: Any) -> Any:
        return fields[name].get_db_prep_save(value, connection)

    now = timezone.now()
    at = prepared("at", now)
    user_id = getattr(actor, "pk", None)
    username = getattr(actor, "username", "") or ""
    ip = context.current().ip
    fixed = chain.fixed_part(
        at=now, user_id=user_id, username=username, ip=ip, action=action,
        result=Result.OK, detail=detail, target_type=target_type,
    )  # fmt: skip
    ip = prepared("ip", ip)
    detail_value = prepared("detail", detail or {})
    written = 0
    rows = iter(rows)
    with chain.appending(connection) as head, connection.cursor() as cursor:
        extend = head.extend
        while batch := list(islice(rows, _ROWS_BATCH)):
            values = []
            for unit, pk, label in batch:
                target_id, label = str(pk), label[:200]
                values.append(
                    (at, user_id, username, ip, action, unit, target_type, target_id,
                     label, detail_value, Result.OK, *extend(fixed, unit, target_id, label))
                )  # fmt: skip
            cursor.executemany(sql, values)
            written += len(batch)
    return written
