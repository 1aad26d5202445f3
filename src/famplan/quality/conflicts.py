"""Number conflicts: an ID or household number that someone could not use because a
record outside their jurisdiction holds it.

The registry refuses such a number with a neutral message (registry.services.checks:
taken_number_error) so as not to reveal that the record exists, or where, and sends
`number_conflict` once the refused write has rolled back. Here the conflict is recorded
(number_conflicts_record, the one writer) and shown (conflicts_for_user) only to users
whose jurisdiction holds both the user's unit and the unit of the record: the county
for two townships, a township for two of its villages.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from famplan.audit.services import audit_log
from famplan.orgunits.jurisdiction import scope
from famplan.quality.models import NumberConflict
from famplan.registry.services.checks import UnusableNumber

SOURCE_LABELS = {
    "persons": "人员导入",
    "births": "出生导入",
    "migrations": "流动人口导入",
    "registry.migration_in": "流入登记",
    "registry.household_create": "新建户",
}


@transaction.atomic
def number_conflicts_record(
    *, actor: Any, conflicts: list[UnusableNumber], job: Any = None, source: str = ""
) -> list[NumberConflict]:
    """Record refused numbers for the worklist, one row a (kind, number, holder) of this
    attempt, with who tried, from where, and the import job if any."""
    unit = getattr(actor, "org_unit_id", None)
    if not conflicts or unit is None:
        return []
    unique = {(c.kind, c.number, c.holder_unit_id): c for c in conflicts}
    rows = NumberConflict.objects.bulk_create(
        NumberConflict(
            kind=kind,
            number=number,
            reported_by=actor,
            reporter_unit_id=unit,
            holder_unit_id=holder,
            source=source[:40],
            job=job,
        )
        for kind, number, holder in unique
    )
    audit_log(
        actor=actor,
        action="quality.number_conflict.recorded",
        org_unit_id=unit,
        detail={"source": source, "conflicts": len(rows)},
    )
    return rows


def on_number_conflict(
    sender: Any,
    *,
    actor: Any,
    conflicts: list[UnusableNumber],
    job: Any = None,
    source: str = "",
    **kwargs: Any,
) -> None:
    """Receiver of registry.services.checks.number_conflict (connected in apps.ready)."""
    number_conflicts_record(actor=actor, conflicts=conflicts, job=job, source=source)


def conflicts_for_user(user: Any) -> QuerySet[NumberConflict]:
    """Conflicts whose both units lie in the user's jurisdiction, newest first: a clerk
    never sees who elsewhere tried a number of theirs, nor whose number it was."""
    both = scope(scope(NumberConflict.objects.all(), user, "reporter_unit"), user, "holder_unit")
    return both.select_related("reporter_unit", "holder_unit", "reported_by").order_by(
        "-created_at", "-pk"
    )
