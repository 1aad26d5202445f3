"""The measures: counts over the registry, each group ONE grouped query for every village
and every month of a range (GROUP BY village code and month), never a loop over units.

A group returns rows (village code, month index, measure code, value). Longer periods
are derived from the months (`over_time`), townships and above are rolled up by code
prefix when the values are stored (services.values_refresh).

The SQL is written by hand for the two supported databases: the ORM's date functions
on SQLite call back into Python for every row (~2 µs each), which over a county's
600,000 people is seconds; `substr` on SQLite's ISO date text is not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import connection

from famplan.common.dates import today
from famplan.indicators.periods import month_first_day, month_index
from famplan.quality.models import QualityScore
from famplan.registry.models import (
    Birth,
    BirthPlace,
    Death,
    Direction,
    Marriage,
    Migration,
    Person,
    ResidenceChange,
    Sex,
)
from famplan.registry.selectors.month import DEADLINE_DAY

Row = tuple[str, int, str, int]  # village code, month index, measure code, value


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    # How a longer period takes the value from its months: "sum" (events), "first"
    # (a stock at the start), "last" (a stock at the end), "latest" (a snapshot: the
    # latest month that has one).
    over_time: str
    # Snapshot measures describe the records as they are now (quality scores): they
    # are computed for the periods holding today only and past periods keep theirs.
    snapshot: bool = False


@dataclass(frozen=True)
class MeasureGroup:
    name: str
    measures: tuple[str, ...]
    compute: Callable[[int, int], Iterable[Row]]  # (first month, last month) -> rows


MEASURES: dict[str, Measure] = {}
GROUPS: list[MeasureGroup] = []


def measure_group(name: str, *measures: Measure) -> Callable:
    def register(func: Callable[[int, int], Iterable[Row]]) -> Callable:
        for m in measures:
            if m.code in MEASURES:
                raise RuntimeError(f"measure {m.code!r} registered twice")
            MEASURES[m.code] = m
        GROUPS.append(MeasureGroup(name, tuple(m.code for m in measures), func))
        return func

    return register


# --- SQL pieces that differ between SQLite and PostgreSQL ---------------------------


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def month_sql(column: str) -> str:
    """The month index (year * 12 + month - 1) of a date column."""
    if _postgres():
        year, month = f"EXTRACT(YEAR FROM {column})", f"EXTRACT(MONTH FROM {column})"
        return f"(CAST({year} AS INTEGER) * 12 + CAST({month} AS INTEGER) - 1)"
    # SQLite stores dates as 'YYYY-MM-DD' text.
    year, month = f"substr({column}, 1, 4)", f"substr({column}, 6, 2)"
    return f"(CAST({year} AS INTEGER) * 12 + CAST({month} AS INTEGER) - 1)"


def entered_on_time_sql(entered: str, day: str) -> str:
    """True where the entry time (UTC) falls, in local time, on or before the deadline
    of the event's day: the DEADLINE_DAY of the month after it (as registry.selectors
    .month.entered_late says)."""
    extra = DEADLINE_DAY - 1
    if _postgres():
        return (
            f"(CAST({entered} AT TIME ZONE '{_zone()}' AS DATE) <= "
            f"CAST(date_trunc('month', {day}) + INTERVAL '1 month {extra} days' AS DATE))"
        )
    # SQLite keeps aware datetimes as UTC text; the zone's offset is fixed (China has
    # had no daylight saving time since 1991), so local = UTC + offset.
    minutes = _utc_offset_minutes()
    return (
        f"(date({entered}, '{minutes:+d} minutes') <= "
        f"date({day}, 'start of month', '+1 month', '+{extra} days'))"
    )


def _zone() -> str:
    zone = settings.TIME_ZONE
    if not all(c.isalnum() or c in "/_+-" for c in zone):  # it is pasted into the SQL
        raise ValueError(f"unexpected TIME_ZONE {zone!r}")
    return zone


def _utc_offset_minutes() -> int:
    from zoneinfo import ZoneInfo

    offset = datetime.now(ZoneInfo(_zone())).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _bounds(first: int, last: int) -> tuple[date, date]:
    """The first day of the range and the first day after it."""
    return month_first_day(first), month_first_day(last + 1)


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _unpivot(rows: list[tuple], codes: tuple[str, ...]) -> Iterator[Row]:
    """(unit, month, v1, v2, ...) rows to one Row per nonzero value."""
    for unit, month, *values in rows:
        for code, value in zip(codes, values, strict=True):
            if value:
                yield unit, int(month), code, int(value)


# --- population ----------------------------------------------------------------------


@measure_group(
    "population",
    Measure("population_start", "期初人口", "first"),
    Measure("population_end", "期末人口", "last"),
)
def population(first: int, last: int) -> Iterator[Row]:
    """People on a village's register at the end of each month, and at its start (the
    end of the month before), counted as registered_on <= d < left_on (docs/decisions.md:
    a migrant out stays on the register).

    Changes by month, folded in a running sum: +1 in the month a person was registered,
    -1 in the month they left, all before the range folded into one opening balance.
    People are counted in their current village; a change of residence between villages
    moves them back into the old village for the days before it (+1 old, -1 new from
    registration to the move), which telescopes right over a chain of moves.

    Two grouped queries, each ONE pass over its table: people by (village, month
    registered, month left) and moves by (old village, new village, month registered,
    month moved); the +1s and -1s are spread from those groups here. (Six passes, one
    per kind of change, took twice as long.)"""
    start, after = _bounds(first, last)
    # A move recorded after the person left the register (inconsistent records) counts
    # as one on the day they left: the correction ends with their time on the register.
    moved_day = "(CASE WHEN p.left_on < r.moved_on THEN p.left_on ELSE r.moved_on END)"
    reg, left, moved = month_sql("p.registered_on"), month_sql("p.left_on"), month_sql(moved_day)
    before = first - 1

    def month_of(expr: str, column: str) -> str:
        # The month of a change inside the range, `before` for one before it, NULL for
        # one after it (or none: a person still on the register).
        return (
            f"CASE WHEN {column} IS NULL OR {column} >= %s THEN NULL "
            f"WHEN {column} < %s THEN {before} ELSE {expr} END"
        )

    person, change = _table(Person), _table(ResidenceChange)
    people = f"""
        SELECT p.unit_id, {month_of(reg, "p.registered_on")} AS r,
               {month_of(left, "p.left_on")} AS l, COUNT(*)
          FROM {person} p WHERE p.registered_on < %s
         GROUP BY p.unit_id, r, l
    """  # noqa: S608 - only table names and integers are pasted in
    moves = f"""
        SELECT r.from_unit_id, r.unit_id, {month_of(reg, "p.registered_on")} AS rg,
               {month_of(moved, moved_day)} AS mv, COUNT(*)
          FROM {change} r JOIN {person} p ON p.id = r.person_id
         WHERE r.from_unit_id <> r.unit_id AND r.moved_on >= p.registered_on
           AND p.registered_on < %s
         GROUP BY r.from_unit_id, r.unit_id, rg, mv
    """  # noqa: S608
    deltas: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for unit, registered, gone, count in _fetch(people, [after, start, after, start, after]):
        deltas[unit][int(registered)] += count
        if gone is not None:
            deltas[unit][int(gone)] -= count
    for old, new, registered, moved_on, count in _fetch(moves, [after, start, after, start, after]):
        deltas[old][int(registered)] += count
        deltas[new][int(registered)] -= count
        if moved_on is not None:
            deltas[old][int(moved_on)] -= count
            deltas[new][int(moved_on)] += count
    for unit, by_month in deltas.items():
        running = by_month.get(before, 0)
        for month in range(first, last + 1):
            if running:
                yield unit, month, "population_start", running
            running += by_month.get(month, 0)
            if running:
                yield unit, month, "population_end", running


# --- events ----------------------------------------------------------------------------

BIRTHS = (
    "births",
    "births_male",
    "births_female",
    "births_order_1",
    "births_order_2",
    "births_order_3plus",
    "births_hospital",
)


@measure_group(
    "births",
    Measure("births", "出生人数", "sum"),
    Measure("births_male", "出生男孩", "sum"),
    Measure("births_female", "出生女孩", "sum"),
    Measure("births_order_1", "一孩", "sum"),
    Measure("births_order_2", "二孩", "sum"),
    Measure("births_order_3plus", "三孩及以上", "sum"),
    Measure("births_hospital", "住院分娩", "sum"),
)
def births(first: int, last: int) -> Iterator[Row]:
    start, after = _bounds(first, last)
    sql = f"""
        SELECT unit_id, {month_sql("born_on")} AS m, COUNT(*),
               SUM(CASE WHEN sex = %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN sex = %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN birth_order = 1 THEN 1 ELSE 0 END),
               SUM(CASE WHEN birth_order = 2 THEN 1 ELSE 0 END),
               SUM(CASE WHEN birth_order >= 3 THEN 1 ELSE 0 END),
               SUM(CASE WHEN place_type = %s THEN 1 ELSE 0 END)
          FROM {_table(Birth)}
         WHERE born_on >= %s AND born_on < %s
         GROUP BY unit_id, m
    """  # noqa: S608
    params = [Sex.MALE, Sex.FEMALE, BirthPlace.HOSPITAL, start, after]
    return _unpivot(_fetch(sql, params), BIRTHS)


def _count_by_month(model: type, day: str, code: str, where: str = "", params: list | None = None):
    def compute(first: int, last: int) -> Iterator[Row]:
        start, after = _bounds(first, last)
        sql = f"""
            SELECT unit_id, {month_sql(day)} AS m, COUNT(*) FROM {_table(model)}
             WHERE {day} >= %s AND {day} < %s {where}
             GROUP BY unit_id, m
        """  # noqa: S608
        return _unpivot(_fetch(sql, [start, after, *(params or [])]), (code,))

    return compute


measure_group("deaths", Measure("deaths", "死亡人数", "sum"))(
    _count_by_month(Death, "died_on", "deaths")
)
# A marriage counts in the wife's village (where the registry files it).
measure_group("marriages", Measure("marriages", "结婚对数", "sum"))(
    _count_by_month(Marriage, "married_on", "marriages")
)
measure_group("migrants_in", Measure("migrants_in", "流入人数", "sum"))(
    _count_by_month(Migration, "moved_on", "migrants_in", "AND direction = %s", [Direction.IN])
)
measure_group("migrants_out", Measure("migrants_out", "流出人数", "sum"))(
    _count_by_month(Migration, "moved_on", "migrants_out", "AND direction = %s", [Direction.OUT])
)

# The events of the monthly deadline (as on the monthly entry page): table, date column.
DEADLINE_EVENTS = [
    (Birth, "born_on"),
    (Death, "died_on"),
    (Marriage, "married_on"),
    (Migration, "moved_on"),
    (ResidenceChange, "moved_on"),
]


@measure_group(
    "timeliness",
    Measure("events_due", "应录入事件", "sum"),
    Measure("events_on_time", "按时录入事件", "sum"),
)
def timeliness(first: int, last: int) -> Iterator[Row]:
    """Events by the month they happened in, and those entered by the 5th of the month
    after (the county's monthly deadline)."""
    start, after = _bounds(first, last)
    parts = " UNION ALL ".join(
        f"SELECT unit_id, {day} AS d, entered_at FROM {_table(model)} "  # noqa: S608
        f"WHERE {day} >= %s AND {day} < %s"
        for model, day in DEADLINE_EVENTS
    )
    sql = f"""
        SELECT unit_id, {month_sql("d")} AS m, COUNT(*),
               SUM(CASE WHEN {entered_on_time_sql("entered_at", "d")} THEN 1 ELSE 0 END)
          FROM ({parts}) events
         GROUP BY unit_id, m
    """  # noqa: S608
    params = [start, after] * len(DEADLINE_EVENTS)
    return _unpivot(_fetch(sql, params), ("events_due", "events_on_time"))


# --- data quality (a snapshot) ---------------------------------------------------------


@measure_group(
    "quality",
    Measure("quality_people", "质量检查在册人数", "latest", snapshot=True),
    Measure("quality_passing", "无错误人数", "latest", snapshot=True),
)
def quality(first: int, last: int) -> Iterator[Row]:
    """The latest quality run's score of each village (quality app), filed under the
    current month: scores describe the records as they are now, not as they were."""
    now = month_index(today())
    if not first <= now <= last:
        return iter(())
    sql = f"SELECT unit_id, {now}, people, people - people_with_errors FROM {_table(QualityScore)}"  # noqa: S608
    return _unpivot(_fetch(sql, []), ("quality_people", "quality_passing"))
