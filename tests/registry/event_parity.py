"""Running one input through the form's service and through the import, each on the same
starting state (a savepoint rolled back after each), and comparing what they did."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from famplan.audit.models import AuditEntry
from famplan.registry.services.people import FieldError
from famplan.transfer.imports.framework import IMPORT_TYPES
from tests.transfer.test_imports import fail, run


class _Undo(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


def rolled_back(action: Callable[[], Any], snapshot: Callable[[], Any]) -> Any:
    """Run `action`, take `snapshot()` of the database, then undo everything."""
    try:
        with transaction.atomic():
            action()
            raise _Undo(snapshot())
    except _Undo as done:
        return done.value


def audit_trail() -> Counter:
    """What was audited, apart from how it was entered (detail) and the import's own row."""
    rows = AuditEntry.objects.exclude(action="transfer.import.completed").values_list(
        "action", "target_type", "org_unit_id"
    )
    return Counter(rows)


def service_refusal(call: Callable[[], Any], fields: dict[str, str], record_type: str) -> set:
    """The service's refusal as (column header, message), its field mapped like the import."""
    with pytest.raises(FieldError) as caught:
        with transaction.atomic():
            call()
    columns = {c.field: c.header for c in IMPORT_TYPES[record_type].columns}
    column = fields.get(caught.value.field, caught.value.field)
    return {(columns.get(column, ""), caught.value.message)}


def import_refusals(actor: Any, record_type: str, rows: list[list]) -> set:
    with transaction.atomic():
        failure = fail(actor, record_type, rows)
    return {(e.header, e.reason) for e in failure.errors}


def imported(actor: Any, record_type: str, rows: list[list]) -> Callable[[], Any]:
    return lambda: run(actor, record_type, rows)
