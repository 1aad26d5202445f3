"""Query helpers shared by the registry's selectors: the village equality and the
name-prefix range."""

from __future__ import annotations

from django.db.models import QuerySet

from famplan.orgunits.models import CODE_LENGTH, Level

# Above every character a name can hold, CJK Extension B (生僻字 in real names) included:
# name >= q AND name < q + NAME_CEILING is "name starts with q" as a plain index range
# (binary comparison on SQLite, code-point order under PostgreSQL's C collation).
NAME_CEILING = "\U0010ffff"


def village_equality(queryset: QuerySet, code: str | None) -> QuerySet:
    """Add `unit_id = code` where `code` is a village: the range the jurisdiction filter
    writes holds one value then, and SQLite's planner, which cannot tell how narrow a
    range is, picks the unit index for an equality instead of a wide date index."""
    if code and len(code) == CODE_LENGTH[Level.VILLAGE]:
        return queryset.filter(unit_id=code)
    return queryset
