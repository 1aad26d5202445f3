"""Writes of the indicators app: refreshing the values table, setting and copying targets."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from famplan.audit.services import audit_log
from famplan.common import dates
from famplan.common.bulk import insert_values
from famplan.common.errors import DomainError
from famplan.common.progress import Progress, no_progress
from famplan.indicators.elements import ELEMENTS, ElementError, check_elements, check_month
from famplan.indicators.indicators import INDICATORS
from famplan.indicators.measures import GROUPS, MEASURES
from famplan.indicators.models import Direction, MeasureValue, Target, ValuesRun
from famplan.indicators.periods import MONTHS_IN, PeriodType, month_first_day, month_index
from famplan.jobs.models import Job
from famplan.jobs.services import job_start
from famplan.orgunits.jurisdiction import code_prefix_filter, unit_in_scope
from famplan.orgunits.models import CODE_LENGTH, Level, OrgUnit

REFRESH_KIND = "indicators.refresh"
# A full rebuild covers this many years before the current one (the demo's history).
REBUILD_YEARS = 10
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Code lengths rolled up from the villages: township, county, city, province.
ROLLUP_LENGTHS = [
    CODE_LENGTH[level] for level in (Level.TOWNSHIP, Level.COUNTY, Level.CITY, Level.PROVINCE)
]
RUN_LOCK_KEY = 7_201_009  # any constant shared by every process of this database


class TargetError(DomainError):
    """A refused target, naming the field the message is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# --- the values table ------------------------------------------------------------------


def rebuild_years() -> tuple[int, int]:
    this_year = dates.today().year
    return this_year - REBUILD_YEARS, this_year


def values_refresh_start(*, user: Any, first_year: int, last_year: int) -> Job:
    """Queue a refresh of the given years (the values of every unit)."""
    _check_years(first_year, last_year)
    span = f"{first_year}年" if first_year == last_year else f"{first_year}—{last_year}年"
    return job_start(
        user=user,
        kind=REFRESH_KIND,
        title=f"统计指标计算：{span}",
        params={"first_year": first_year, "last_year": last_year},
    )


def _check_years(first_year: int, last_year: int) -> None:
    if not (FIRST_YEAR <= first_year <= last_year <= LAST_YEAR):
        raise DomainError(f"年份应在{FIRST_YEAR}至{LAST_YEAR}之间，且起始年份不晚于截止年份")
    if first_year > dates.today().year:
        raise DomainError("不能计算未来年份的指标")


def values_refresh(
    *,
    actor: Any,
    first_year: int,
    last_year: int,
    job: Job | None = None,
    progress: Progress = no_progress,
) -> ValuesRun:
    """Recompute every measure for every unit and period of the years, then replace those
    years' values in one short transaction (delete, insert): a rerun replaces, never adds.

    The grouped queries only read, outside any transaction, as the quality run does:
    on SQLite a transaction held for the whole computation would block the clerks."""
    _check_years(first_year, last_year)
    clock, started_at = time.perf_counter(), timezone.now()
    first, last = first_year * 12, last_year * 12 + 11
    by_key: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    with _grouping_settings():
        for index, group in enumerate(GROUPS):
            progress(70 * index / len(GROUPS), f"正在统计：{group.name}", force=True)
            for unit, month, measure, value in group.compute(first, last):
                by_key[unit, measure][month] = value
    progress(70, "正在汇总季度、半年和年度", force=True)
    units = _unit_codes()
    _roll_up_months(by_key, units)
    rows = list(_derive(by_key))
    progress(75, "正在汇总乡镇、县", force=True)
    rows += _roll_up([r for r in rows if len(r[2]) == VILLAGE_CODE and _latest(r[3])], units)
    progress(80, f"正在保存 {len(rows):,} 个数值", force=True)
    now_month = month_index(dates.today())
    with transaction.atomic():
        _one_writer_at_a_time()
        run = ValuesRun.objects.create(
            first_year=first_year,
            last_year=last_year,
            started_by=actor,
            job=job,
            started_at=started_at,
        )
        _replace_years(run.pk, first_year, last_year, now_month, rows)
        run.rows = len(rows)
        run.finished_at = timezone.now()
        run.seconds = time.perf_counter() - clock
        run.save(update_fields=["rows", "finished_at", "seconds"])
        audit_log(
            actor=actor,
            action="indicators.values.refreshed",
            target=run,
            org_unit_id=getattr(actor, "org_unit_id", None),
            detail={"first_year": first_year, "last_year": last_year, "rows": run.rows},
        )
    return run


@contextmanager
def _grouping_settings() -> Iterator[None]:
    """On PostgreSQL, memory for the grouped queries' hashes and sorts (the default 4 MB
    sent a province's population query to disk) and no JIT (compiling took 1.5 s of a
    5.5 s query), for this session while the measures are computed."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET work_mem = '64MB'")
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET work_mem")
            cursor.execute("RESET jit")


def _derive(by_key: dict[tuple[str, str], dict[int, int]]):
    """Village rows (period type, period start, unit, measure, value) of every period:
    the months as computed, the longer periods from their months by the measure's rule."""
    adapt = connection.ops.adapt_datefield_value
    starts: dict[int, Any] = {}

    def start_of(month: int) -> Any:
        if month not in starts:
            starts[month] = adapt(month_first_day(month))
        return starts[month]

    for (unit, measure), months in by_key.items():
        rule = MEASURES[measure].over_time
        for month, value in months.items():
            yield PeriodType.MONTH.value, start_of(month), unit, measure, value
        for period_type, size in MONTHS_IN.items():
            if size == 1:
                continue
            totals: dict[int, int] = {}
            if rule == "sum":
                for month, value in months.items():
                    key = month - month % size
                    totals[key] = totals.get(key, 0) + value
            elif rule == "first":
                totals = {m: v for m, v in months.items() if m % size == 0}
            elif rule == "last":
                totals = {m - size + 1: v for m, v in months.items() if m % size == size - 1}
            else:  # latest
                latest: dict[int, int] = {}
                for month in months:
                    key = month - month % size
                    latest[key] = max(latest.get(key, month), month)
                totals = {key: months[month] for key, month in latest.items()}
            for key, value in totals.items():
                if value:
                    yield period_type.value, start_of(key), unit, measure, value


def _replaced(first_year: int, last_year: int, now_month: int) -> Q:
    """The stored values a refresh of the years replaces."""
    in_years = Q(period_start__gte=date(first_year, 1, 1), period_start__lte=date(last_year, 12, 1))
    snapshots = [code for code, m in MEASURES.items() if m.snapshot]
    # Snapshots (quality scores) cannot be recomputed for the past: only the periods
    # holding today are replaced; earlier periods keep what their runs found.
    current = Q()
    for period_type, size in MONTHS_IN.items():
        current |= Q(
            period_type=period_type, period_start=month_first_day(now_month - now_month % size)
        )
    # Manual data elements are entered, not computed: a refresh leaves them alone.
    computed = ~Q(measure__in=[*snapshots, *ELEMENTS])
    return in_years & (computed | (current & Q(measure__in=snapshots)))


def _replace_years(
    run_id: int, first_year: int, last_year: int, now_month: int, rows: list[tuple]
) -> None:
    """Delete the values the refresh replaces and write the new rows."""
    replaced = _replaced(first_year, last_year, now_month)
    if connection.vendor == "postgresql" and len(rows) >= BULK_ROWS:
        kept = MeasureValue.objects.exclude(replaced)
        if kept.count() < len(rows):
            _rewrite_postgres(run_id, kept, rows)  # the key is built after: any order
            return
    MeasureValue.objects.filter(replaced).delete()
    # In the order of the table's key (period type, start, unit, measure): the inserts
    # then append to the index instead of landing all over it.
    rows.sort()  # the tuples are laid out in key order: no key function needed
    _insert(run_id, rows)


# A PostgreSQL refresh writing this many rows or more, most of the table, rewrites it.
BULK_ROWS = 200_000
KEY_COLUMNS = ("period_type", "period_start", "unit_id", "measure")


def _rewrite_postgres(run_id: int, kept: Any, rows: list[tuple]) -> None:
    """The table rewritten instead of millions of rows deleted and inserted one by one
    through its key index: the kept rows (other years, manual elements, past snapshots)
    set aside, TRUNCATE, the key constraint dropped, everything written by COPY, the key
    rebuilt by one sort. A province's rebuild wrote 5.3 million rows in ~52 s the other
    way. Readers of the table wait for the commit meanwhile (TRUNCATE's lock) rather
    than read a half-written table."""
    quote = connection.ops.quote_name
    table = quote(MeasureValue._meta.db_table)
    key = quote("measurevalue_key")
    columns = ", ".join(COLUMNS)
    sql, params = kept.values_list(*COLUMNS).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE measurevalue_kept ON COMMIT DROP AS {sql}", params)
        cursor.execute(f"TRUNCATE {table}")
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {key}")
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT * FROM measurevalue_kept")  # noqa: S608
        _insert(run_id, rows)
        names = ", ".join(quote(c) for c in KEY_COLUMNS)
        # The key's sort in memory rather than in temporary files (64 MB by default).
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {key} UNIQUE ({names})")


def _unit_codes() -> set[str]:
    return set(OrgUnit.objects.values_list("code", flat=True))


VILLAGE_CODE = CODE_LENGTH[Level.VILLAGE]


def _latest(measure: str) -> bool:
    return MEASURES[measure].over_time == "latest"


def _roll_up_months(by_key: dict[tuple[str, str], dict[int, int]], units: set[str]) -> None:
    """Add the months of the townships, counties, cities and provinces to `by_key`: each
    level summed from the level below by code prefix (villages into townships, townships
    into counties, ...), as the units' codes nest, before the longer periods are derived
    (a sum of the villages' quarters is the quarter of their summed months, and so are
    a first and a last month). Done here rather than by INSERT ... SELECT substr(unit_id,
    1, n) ... GROUP BY on the stored rows: the village counts are in hand already, and
    reading them back took longer than summing them (docs/decisions.md). A unit the
    division tree lacks gets nothing; the division import refuses a unit without its
    parent, so every level sums all the villages. "Latest" snapshots are summed after
    deriving instead (`_roll_up`): their latest month may differ between villages."""
    below = {key: months for key, months in by_key.items() if not _latest(key[1])}
    for length in ROLLUP_LENGTHS:
        sums: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
        for (unit, measure), months in below.items():
            target = sums[unit[:length], measure]
            for month, value in months.items():
                target[month] = target.get(month, 0) + value
        below = {}
        for key, months in sums.items():
            # Zeros are not stored (a village's -1 against another's +1 after a move).
            kept = {month: value for month, value in months.items() if value}
            if kept and key[0] in units:
                below[key] = kept
        by_key.update(below)


def _roll_up(village_rows: list[tuple], units: set[str]) -> list[tuple]:
    """The rows of the units above the villages, summed level by level from the derived
    rows (the snapshots' roll-up; see `_roll_up_months`)."""
    rolled: list[tuple] = []
    below = village_rows
    for length in ROLLUP_LENGTHS:
        sums: dict[tuple, int] = defaultdict(int)
        for period_type, start, unit, measure, value in below:
            sums[period_type, start, unit[:length], measure] += value
        # Zeros are not stored (a village's -1 against another's +1 after a move).
        below = [(*key, value) for key, value in sums.items() if value and key[2] in units]
        rolled.extend(below)
    return rolled


# In the order of the rows' tuples: the table's key first (period type, start, unit,
# measure), so that sorting the tuples sorts by the key.
COLUMNS = ["run_id", "period_type", "period_start", "unit_id", "measure", "value"]


def _insert(run_id: int, rows: list[tuple]) -> None:
    """Write the rows: PostgreSQL's COPY (an order of magnitude faster than INSERTs at a
    province's millions of rows), elsewhere one prepared INSERT run with executemany."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(MeasureValue._meta.db_table)
        names = ", ".join(COLUMNS)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row((run_id, *row))
        return
    if connection.vendor == "sqlite":
        # The driver's own executemany over the whole list: Django's wrapper peeks at
        # every row (itertools.tee) and the batching copies them, ~1 µs a row here.
        table = connection.ops.quote_name(MeasureValue._meta.db_table)
        sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)"  # noqa: S608
        connection.ensure_connection()
        connection.connection.executemany(sql, [(run_id, *row) for row in rows])
        return
    insert_values(MeasureValue, COLUMNS, ((run_id, *row) for row in rows))  # pragma: no cover


def _one_writer_at_a_time() -> None:
    """Two refreshes of the same years must not both delete, then both insert. SQLite's
    IMMEDIATE transactions already take turns; on PostgreSQL an advisory lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RUN_LOCK_KEY])


# --- targets ---------------------------------------------------------------------------


def _number(value: Any, field: str, label: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TargetError(field, f"{label}应为数字") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise TargetError(field, f"{label}应为数字")
    return number


def check_target(
    indicator: str, year: int, direction: str, low: Any, high: Any
) -> tuple[float | None, float | None]:
    """The target's bounds as numbers, or a TargetError naming the field: a target must
    be possible (a lower bound below the upper, within the indicator's range)."""
    if indicator not in INDICATORS:
        raise TargetError("indicator", "请选择指标")
    spec = INDICATORS[indicator]
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise TargetError("year", f"年度应在{FIRST_YEAR}至{LAST_YEAR}之间")
    if direction not in Direction.values:
        raise TargetError("direction", "请选择目标方向（不高于、不低于或介于）")
    lo, hi = _number(low, "low", "下限"), _number(high, "high", "上限")
    if direction == Direction.AT_MOST:
        lo = None
        if hi is None:
            raise TargetError("high", f"请填写{spec.label}的上限")
    elif direction == Direction.AT_LEAST:
        hi = None
        if lo is None:
            raise TargetError("low", f"请填写{spec.label}的下限")
    else:
        if lo is None or hi is None:
            raise TargetError("low" if lo is None else "high", f"请填写{spec.label}的下限和上限")
        if lo >= hi:
            raise TargetError("low", f"{spec.label}的目标范围不可能：下限{lo:g}不低于上限{hi:g}")
    smallest, largest = spec.bounds
    for field, value in (("low", lo), ("high", hi)):
        if value is not None and not smallest <= value <= largest:
            raise TargetError(
                field, f"{spec.label}的目标应在{smallest:g}至{largest:g}{spec.unit_label}之间"
            )
    return lo, hi


@transaction.atomic
def target_set(
    *, actor: Any, unit: OrgUnit, indicator: str, year: int, direction: str, low: Any, high: Any
) -> Target:
    """Set (or replace) the unit's own target on one indicator for one year."""
    if not unit_in_scope(actor, unit.code):
        raise TargetError("unit", "所选单位不在您的管辖范围内")
    lo, hi = check_target(indicator, year, direction, low, high)
    target, _ = Target.objects.update_or_create(
        indicator=indicator,
        unit=unit,
        year=year,
        defaults={
            "direction": direction,
            "low": lo,
            "high": hi,
            "copied_from": "",
            "set_by": actor,
        },
    )
    audit_log(
        actor=actor,
        action="indicators.target.set",
        target=target,
        org_unit_id=unit.code,
        detail={
            "indicator": indicator,
            "year": year,
            "direction": direction,
            "low": lo,
            "high": hi,
        },
    )
    return target


@transaction.atomic
def targets_copy_down(*, actor: Any, unit: OrgUnit, year: int) -> int:
    """Give every unit below `unit` the targets `unit` holds for the year (its own, the
    ones it inherited, or the plan's defaults), replacing theirs. Returns rows written."""
    from famplan.indicators.selectors import effective_targets

    if not unit_in_scope(actor, unit.code):
        raise TargetError("unit", "所选单位不在您的管辖范围内")
    targets = {code: t for code, t in effective_targets([unit.code], year)[unit.code].items() if t}
    below = list(
        OrgUnit.objects.filter(**code_prefix_filter("code", unit.code))
        .exclude(code=unit.code)
        .values_list("code", flat=True)
    )
    Target.objects.filter(
        year=year, indicator__in=list(targets), **code_prefix_filter("unit_id", unit.code)
    ).exclude(unit_id=unit.code).delete()
    Target.objects.bulk_create(
        [
            Target(
                indicator=code,
                unit_id=child,
                year=year,
                direction=t.direction,
                low=t.low,
                high=t.high,
                copied_from=unit.code,
                set_by=actor,
            )
            for child in below
            for code, t in targets.items()
        ],
        batch_size=1000,
    )
    audit_log(
        actor=actor,
        action="indicators.target.copied",
        target=unit,
        org_unit_id=unit.code,
        detail={"year": year, "indicators": sorted(targets), "units": len(below)},
    )
    return len(below) * len(targets)


# --- manual data elements --------------------------------------------------------------


def village_households(code: str, month: date) -> int:
    """Households of the village not dissolved before the month (publicity's bound)."""
    from famplan.registry.models import Household

    alive = Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=month)
    return Household.objects.filter(alive, unit_id=code).count()


@transaction.atomic
def elements_record(
    *, actor: Any, unit: OrgUnit, month: date, values: dict[str, Any]
) -> dict[str, int | None]:
    """Set one village's manual figures for one month (a blank clears one), and move the
    sums of its quarter, half-year and year and of every unit above it by the change,
    so reports read them at once, without a refresh. Returns the figures as stored."""
    if not unit_in_scope(actor, unit.code):
        raise ElementError("unit", "所选单位不在您的管辖范围内")
    if unit.level != Level.VILLAGE:
        raise ElementError("unit", "填报数据按村（社区）填写，请选择村（社区）")
    first = check_month(month, dates.today())
    checked = check_elements(
        values, households=village_households(unit.code, first), label=unit.name
    )
    # One writer at a time, as a refresh: the sums above move by differences.
    _one_writer_at_a_time()
    stored = dict(
        MeasureValue.objects.select_for_update()
        .filter(
            period_type=PeriodType.MONTH,
            period_start=first,
            unit_id=unit.code,
            measure__in=list(ELEMENTS),
        )
        .values_list("measure", "value")
    )
    changes = {
        code: (value or 0) - stored.get(code, 0)
        for code, value in checked.items()
        if (value or 0) != stored.get(code, 0)
    }
    if changes:
        _move_sums(unit.code, month_index(first), changes)
    audit_log(
        actor=actor,
        action="indicators.elements.recorded",
        target=unit,
        org_unit_id=unit.code,
        detail={
            "month": first.isoformat(),
            "values": checked,
            "before": {code: stored.get(code) for code in ELEMENTS},
        },
    )
    return checked


def _move_sums(village: str, month: int, changes: dict[str, int]) -> None:
    """Add each change to the village's month and to every period holding it, of the
    village and of each unit above it (the ones the division tree has)."""
    prefixes = [village[:n] for n in ROLLUP_LENGTHS]
    units = [village, *OrgUnit.objects.filter(code__in=prefixes).values_list("code", flat=True)]
    periods = [
        (period_type.value, month_first_day(month - month % size))
        for period_type, size in MONTHS_IN.items()
    ]
    keys = [(u, pt, start) for u in units for pt, start in periods]
    found = {
        (v.unit_id, v.period_type, v.period_start, v.measure): v
        for v in MeasureValue.objects.select_for_update().filter(
            unit_id__in=units,
            measure__in=list(changes),
            period_type__in=[pt for pt, _ in periods],
            period_start__in=[start for _, start in periods],
        )
    }
    new, gone, moved = [], [], []
    for unit, period_type, start in keys:
        for code, change in changes.items():
            row = found.get((unit, period_type, start, code))
            if row is None:
                new.append(
                    MeasureValue(
                        unit_id=unit,
                        period_type=period_type,
                        period_start=start,
                        measure=code,
                        value=change,
                    )
                )
            elif row.value + change == 0:
                gone.append(row.pk)
            else:
                row.value += change
                moved.append(row)
    MeasureValue.objects.filter(pk__in=gone).delete()
    MeasureValue.objects.bulk_update(moved, ["value"])
    MeasureValue.objects.bulk_create(new)
