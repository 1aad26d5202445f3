"""Counts of special families per village and month, for the indicators engine
(indicators.measures registers them): rows of (village code, month index, measure
code, value), like health.counts.

A family is on the register at the end of month m when it was confirmed by then and
had not left (closed_on after that day); dismissed candidates never count. It was
visited in month m when it has a visit dated in m and is on the register at m's end.

Two grouped queries, each one pass over its table: families by (village, month
confirmed, month closed), spread into a running count here as the population measure
does; and visited families by (village, month of visit), counted distinct."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from django.db import connection

from famplan.care.models import FamilyStatus, SpecialFamily, Visit

Row = tuple[str, int, str, int]


def _month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        year, month = f"EXTRACT(YEAR FROM {column})", f"EXTRACT(MONTH FROM {column})"
    else:  # SQLite keeps dates as 'YYYY-MM-DD' text
        year, month = f"substr({column}, 1, 4)", f"substr({column}, 6, 2)"
    return f"(CAST({year} AS INTEGER) * 12 + CAST({month} AS INTEGER) - 1)"


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _first_day(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def special_family_counts(first: int, last: int) -> Iterator[Row]:
    """`special_families` (on the register at each month's end; the same count as
    `special_family_months`, which longer periods sum) and `special_families_visited`
    (of those, visited in the month) for [first, last]."""
    after = _first_day(last + 1)
    confirmed, closed = _month_sql("confirmed_on"), _month_sql("closed_on")
    families = f"""
        SELECT unit_id, CASE WHEN {confirmed} < %s THEN %s ELSE {confirmed} END AS c,
               CASE WHEN closed_on IS NULL OR closed_on >= %s THEN NULL ELSE {closed} END AS x,
               COUNT(*)
          FROM {_table(SpecialFamily)}
         WHERE status <> %s AND confirmed_on IS NOT NULL AND confirmed_on < %s
         GROUP BY unit_id, c, x
    """  # noqa: S608 - only table names and SQL of constants are pasted in
    before = first - 1
    deltas: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    with connection.cursor() as cursor:
        cursor.execute(families, [first, before, after, FamilyStatus.DISMISSED, after])
        for unit, came, gone, n in cursor.fetchall():
            deltas[unit][int(came)] += n
            if gone is not None:
                # Closed during month x: not on the register at x's end.
                deltas[unit][int(gone)] -= n
    for unit, by_month in deltas.items():
        running = sum(v for m, v in by_month.items() if m <= before)
        for month in range(first, last + 1):
            running += by_month.get(month, 0)
            if running:
                yield unit, month, "special_families", running
                yield unit, month, "special_family_months", running

    visited_month = _month_sql("v.visited_on")
    visits = f"""
        SELECT f.unit_id, {visited_month} AS m, COUNT(DISTINCT f.id)
          FROM {_table(Visit)} v JOIN {_table(SpecialFamily)} f ON f.id = v.family_id
         WHERE v.visited_on >= %s AND v.visited_on < %s AND f.status <> %s
           AND f.confirmed_on IS NOT NULL AND {_month_sql("f.confirmed_on")} <= {visited_month}
           AND (f.closed_on IS NULL OR {_month_sql("f.closed_on")} > {visited_month})
         GROUP BY f.unit_id, m
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(visits, [_first_day(first), after, FamilyStatus.DISMISSED])
        for unit, month, n in cursor.fetchall():
            if n:
                yield unit, int(month), "special_families_visited", int(n)
