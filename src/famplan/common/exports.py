"""The one path of every list export: write the rows, count them, audit, name the file.

Apps declare what they export (registry/exports.py: columns and values); views call
export_download with the rows cut to the user's jurisdiction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import Model
from django.http import HttpResponse

from famplan.audit.services import audit_log
from famplan.common.dates import today
from famplan.common.xlsx import write_xlsx, xlsx_response


class RowCounter:
    """Counts the rows of a stream as the writer consumes it (for the audit row)."""

    def __init__(self) -> None:
        self.n = 0

    def wrap(self, rows: Iterable[Sequence[object]]) -> Iterator[Sequence[object]]:
        for row in rows:
            self.n += 1
            yield row


def export_download(
    *,
    actor: Any,
    action: str,
    sheet: str,
    columns: Sequence[tuple[str, float]],
    rows: Iterable[Sequence[object]],
    detail: dict[str, Any],
    filename: str | None = None,
    target: Model | None = None,
    org_unit_id: str | None = None,
) -> HttpResponse:
    """`rows` as a one-sheet .xlsx download named "<filename or sheet>_<yyyymmdd>.xlsx",
    and one audit row `action` with `detail` and the number of rows written."""
    counter = RowCounter()
    content = write_xlsx(columns, counter.wrap(rows), sheet_name=sheet)
    audit_log(
        actor=actor,
        action=action,
        target=target,
        org_unit_id=org_unit_id,
        detail={**detail, "rows": counter.n},
    )
    return xlsx_response(f"{filename or sheet}_{today():%Y%m%d}.xlsx", content)
