"""Counts of the health records per village and month, for the indicators engine:
each function is ONE grouped query (GROUP BY village code, month) over a month range,
returning (village code, month index, measure code, value) rows like
indicators.measures' groups. The indicators helper registers them as measures;
townships and above are rolled up by code prefix there.

Month index: year * 12 + month - 1 (indicators.periods.month_index). The SQL is
written by hand, as in indicators.measures: the ORM's date functions on SQLite call
back into Python for every row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.db import connection

Row = tuple[str, int, str, int]

# measure code -> (table, date column, extra condition, label)
COUNTS: dict[str, tuple[str, str, str, str]] = {
    "health_checks": ("health_prepregnancycheck", "checked_on", "", "孕前优生健康检查(对)"),
    "health_checks_high_risk": (
        "health_prepregnancycheck",
        "checked_on",
        "risk_level = 'high'",
        "孕前优生检查高风险(对)",
    ),
    "health_followups_due": ("health_followup", "due_on", "", "应随访(按截止月)"),
    "health_followups_done": ("health_followup", "done_on", "status = 'done'", "已随访"),
    "health_followups_done_on_time": (
        "health_followup",
        "done_on",
        "status = 'done' AND done_on <= due_on",
        "按时随访",
    ),
    "folic_issued": ("health_folicacidissue", "issued_on", "", "叶酸发放(人次)"),
    "folic_followups": ("health_folicacidfollowup", "visited_on", "", "叶酸随访(人次)"),
    "folic_aware": ("health_folicacidfollowup", "visited_on", "aware", "叶酸知晓(人次)"),
    "folic_taking": ("health_folicacidfollowup", "visited_on", "taking", "叶酸服用(人次)"),
    "folic_compliant": (
        "health_folicacidfollowup",
        "visited_on",
        "compliant",
        "叶酸按要求服用(人次)",
    ),
}


def _month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        year, month = f"EXTRACT(YEAR FROM {column})", f"EXTRACT(MONTH FROM {column})"
    else:  # SQLite keeps dates as 'YYYY-MM-DD' text
        year, month = f"substr({column}, 1, 4)", f"substr({column}, 6, 2)"
    return f"(CAST({year} AS INTEGER) * 12 + CAST({month} AS INTEGER) - 1)"


def _bool(condition: str) -> str:
    # A bare boolean column: SQLite stores 0/1, PostgreSQL a boolean.
    if condition in ("aware", "taking", "compliant"):
        return f"{condition} = {'true' if connection.vendor == 'postgresql' else '1'}"
    return condition


def health_counts(first: int, last: int, measures: list[str] | None = None) -> Iterator[Row]:
    """Every count of COUNTS (or `measures`) per village and month of [first, last]:
    one grouped query per measure, on the (unit, date) indexes."""
    start = date(first // 12, first % 12 + 1, 1)
    after = date((last + 1) // 12, (last + 1) % 12 + 1, 1)
    with connection.cursor() as cursor:
        for code in measures or list(COUNTS):
            table, column, condition, _label = COUNTS[code]
            where = f"{column} >= %s AND {column} < %s"
            if condition:
                where += f" AND {_bool(condition)}"
            month = _month_sql(column)
            cursor.execute(
                f"SELECT unit_id, {month} AS m, COUNT(*) FROM {table} "  # noqa: S608 - constants
                f"WHERE {where} GROUP BY unit_id, m",
                [start, after],
            )
            for unit_id, m, value in cursor.fetchall():
                yield unit_id, int(m), code, int(value)
