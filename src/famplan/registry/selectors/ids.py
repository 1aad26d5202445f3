"""How an ID number appears in an export."""

from __future__ import annotations

from famplan.common.idnumbers import mask_id_number


def id_for_export(id_number: str | None, full_ids: bool) -> str:
    """The ID number as an export shows it: masked unless the full numbers were asked
    for (by a user with the right, which the view checks and the audit row records)."""
    return (id_number or "") if full_ids else mask_id_number(id_number)
