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

import math
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
    MigrationStatus,
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


@measure_group(
    "migrants_away",
    Measure("migrants_away", "流动人口(期末)", "last"),
    Measure("migrants_away_contact", "其中有联系电话", "last"),
)
def migrants_away(first: int, last: int) -> Iterator[Row]:
    """Migrants (in or out) whose migration is open at the end of each month, and those
    of them with a contact phone (有效联系: someone can reach them for the services).

    As population: one grouped pass over the migrations, +1 in the month one began,
    -1 in the month it ended (the return; for one closed by a death, the person's
    leaving the register), folded in a running sum from an opening balance."""
    start, after = _bounds(first, last)
    before = first - 1
    ended = (
        f"(CASE WHEN m.returned_on IS NOT NULL THEN m.returned_on "
        f"WHEN m.status = '{MigrationStatus.CLOSED}' THEN COALESCE(p.left_on, m.moved_on) "
        f"ELSE NULL END)"
    )

    def month_of(column: str) -> str:
        return (
            f"CASE WHEN {column} IS NULL OR {column} >= %s THEN NULL "
            f"WHEN {column} < %s THEN {before} ELSE {month_sql(column)} END"
        )

    sql = f"""
        SELECT m.unit_id, {month_of("m.moved_on")} AS b, {month_of(ended)} AS e,
               CASE WHEN m.contact_phone <> '' THEN 1 ELSE 0 END AS c, COUNT(*)
          FROM {_table(Migration)} m JOIN {_table(Person)} p ON p.id = m.person_id
         WHERE m.moved_on < %s
         GROUP BY m.unit_id, b, e, c
    """  # noqa: S608 - only table names, a choice value and integers are pasted in
    deltas: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for unit, began, gone, contact, count in _fetch(sql, [after, start, after, start, after]):
        deltas[unit][int(began)][0] += count
        deltas[unit][int(began)][1] += count * contact
        if gone is not None:
            deltas[unit][int(gone)][0] -= count
            deltas[unit][int(gone)][1] -= count * contact
    for unit, by_month in deltas.items():
        away, reachable = by_month[before] if before in by_month else (0, 0)
        for month in range(first, last + 1):
            change = by_month.get(month)
            if change:
                away, reachable = away + change[0], reachable + change[1]
            if away:
                yield unit, month, "migrants_away", away
            if reachable:
                yield unit, month, "migrants_away_contact", reachable


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


# --- the service apps: registration, health, supplies, deliveries, benefits -----------
# Added after the registry's groups, in the same shape: each group ONE grouped query
# (GROUP BY village, month) for the whole range; townships and above rolled up when
# stored. Imports are local to each group: the indicators engine must load without them.


@measure_group(
    "birth_registrations",
    Measure("birth_registrations", "生育登记(件)", "sum"),
    Measure("birth_registrations_counter", "生育登记：乡镇窗口", "sum"),
    Measure("birth_registrations_online", "生育登记：网上申请", "sum"),
)
def birth_registrations(first: int, last: int) -> Iterator[Row]:
    """Registrations made (status registered) by the month of their registration day,
    in the wife's village, or the husband's where the wife's is outside the registry
    (a registration with neither village in the registry is the township's only and is
    not counted here: docs/decisions.md)."""
    from famplan.registration.models import BirthRegistration, Channel, Status

    start, after = _bounds(first, last)
    village = "COALESCE(wife_village_id, husband_village_id)"
    sql = f"""
        SELECT {village} AS v, {month_sql("registered_on")} AS m, COUNT(*),
               SUM(CASE WHEN channel = %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN channel = %s THEN 1 ELSE 0 END)
          FROM {_table(BirthRegistration)}
         WHERE status = %s AND registered_on >= %s AND registered_on < %s
           AND {village} IS NOT NULL
         GROUP BY v, m
    """  # noqa: S608
    params = [Channel.COUNTER, Channel.ONLINE, Status.REGISTERED, start, after]
    return _unpivot(_fetch(sql, params), BIRTH_REGISTRATIONS)


BIRTH_REGISTRATIONS = (
    "birth_registrations",
    "birth_registrations_counter",
    "birth_registrations_online",
)


def _health_count(code: str) -> Callable[[int, int], Iterable[Row]]:
    """One of health.counts' grouped queries (its rules, its home) as a measure group."""

    def compute(first: int, last: int) -> Iterable[Row]:
        from famplan.health.counts import health_counts

        return health_counts(first, last, [code])

    return compute


# The health app's counts (health/counts.py COUNTS, one grouped query each), with the
# rule a longer period takes. The labels are the health app's own.
HEALTH_COUNTS = (
    ("health_checks", "孕前优生健康检查(对)"),
    ("health_checks_high_risk", "孕前优生检查高风险(对)"),
    ("health_followups_due", "应随访(按截止月)"),
    ("health_followups_done", "已随访"),
    ("health_followups_done_on_time", "按时随访"),
    ("folic_issued", "叶酸发放(人次)"),
    ("folic_followups", "叶酸随访(人次)"),
    ("folic_aware", "叶酸知晓(人次)"),
    ("folic_taking", "叶酸服用(人次)"),
    ("folic_compliant", "叶酸按要求服用(人次)"),
)
for _code, _label in HEALTH_COUNTS:
    measure_group(_code, Measure(_code, _label, "sum"))(_health_count(_code))


@measure_group(
    "health_target_couples",
    Measure("health_target_couples", "孕前优生检查目标(对)", "sum"),
)
def health_target_couples(first: int, last: int) -> Iterator[Row]:
    """The townships' yearly targets of couples checked (health CheckTarget), spread
    down so that they roll up again exactly: each township's target over its villages
    by their married women of childbearing age (15-49) on the register on 1 January,
    the basis the county's split uses (health.services.targets_split; equal shares
    where the township has none), then each village's share over the twelve months in
    equal parts (largest remainder, the odd couples in the first months). A year, and a
    township, hold the target exactly; a month holds a twelfth of it.

    One query of the targets, one of the villages under them and ONE grouped query of
    the women (by village, birth year and whether born on 1 January, which places
    every woman exactly against each year's age bounds)."""
    from famplan.health.models import CheckTarget
    from famplan.health.schedule import CHILDBEARING_AGES
    from famplan.health.services import split_largest_remainder
    from famplan.orgunits.models import Level, OrgUnit
    from famplan.registry.models import MARRIED, ON_REGISTER

    first_year, last_year = first // 12, last // 12
    targets = list(
        CheckTarget.objects.filter(year__gte=first_year, year__lte=last_year, target__gt=0)
        .order_by()
        .values_list("year", "township_id", "target")
    )
    if not targets:
        return
    # The women's birth dates only as far as the years that have targets need them.
    first_year, last_year = min(y for y, _, _ in targets), max(y for y, _, _ in targets)
    townships = sorted({t for _, t, _ in targets})
    villages: dict[str, list[str]] = defaultdict(list)
    for code in (
        OrgUnit.objects.filter(level=Level.VILLAGE, parent_id__in=townships)
        .order_by("code")
        .values_list("code", flat=True)
    ):
        villages[code[:9]].append(code)
    youngest, oldest = CHILDBEARING_AGES
    if _postgres():
        year_of = "CAST(EXTRACT(YEAR FROM birth_date) AS INTEGER)"
        jan1 = "(EXTRACT(MONTH FROM birth_date) = 1 AND EXTRACT(DAY FROM birth_date) = 1)"
    else:
        year_of = "CAST(substr(birth_date, 1, 4) AS INTEGER)"
        jan1 = "(substr(birth_date, 6, 5) = '01-01')"
    # The counties' ranges rather than the townships': the planner then reads the
    # (unit, status) index (twice as fast on SQLite as the birth-date index).
    counties = sorted({t[:6] for t in townships})
    in_counties = " OR ".join(["(unit_id >= %s AND unit_id < %s)"] * len(counties))
    statuses = ", ".join(["%s"] * len(ON_REGISTER))
    marital = ", ".join(["%s"] * len(MARRIED))
    sql = f"""
        SELECT unit_id, {year_of} AS y, CASE WHEN {jan1} THEN 1 ELSE 0 END AS j, COUNT(*)
          FROM {_table(Person)}
         WHERE sex = %s AND status IN ({statuses}) AND marital_status IN ({marital})
           AND birth_date > %s AND birth_date <= %s AND ({in_counties})
         GROUP BY unit_id, y, j
    """  # noqa: S608 - only table names and placeholders are pasted in
    params: list = [Sex.FEMALE, *ON_REGISTER, *MARRIED]
    params += [date(first_year - oldest - 1, 1, 1), date(last_year - youngest, 1, 1)]
    for code in counties:
        params += [code, code + ":"]
    women: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for unit, year, jan_first, count in _fetch(sql, params):
        women[unit].append((int(year), int(jan_first), int(count)))

    def married_women(unit: str, year: int) -> int:
        # On the register on 1 January of `year` aged 15-49: born after 1 January of
        # year - 50 and on or before 1 January of year - 15 (as targets_split counts).
        low, high = year - oldest - 1, year - youngest
        return sum(
            n
            for y, j, n in women.get(unit, ())
            if low < y < high or (y == low and not j) or (y == high and j)
        )

    months = {f"{m:02d}": 1 for m in range(12)}
    for year, township, target in targets:
        in_township = villages.get(township, [])
        weights = {v: married_women(v, year) for v in in_township}
        for village, share in split_largest_remainder(target, weights).items():
            for month, couples in split_largest_remainder(share, months).items():
                index = year * 12 + int(month)
                if couples and first <= index <= last:
                    yield village, index, "health_target_couples", couples


@measure_group(
    "supply_points",
    Measure("supply_points_active", "在用发放点", "last"),
    Measure("supply_points_with_stock", "必备药具齐全的发放点", "last"),
)
def supply_points(first: int, last: int) -> Iterator[Row]:
    """Free contraceptive supply points open at each month's end and those holding
    every essential kind (supplies.selectors.availability_rows: one grouped query)."""
    from famplan.supplies.selectors import availability_rows

    return _unpivot(
        list(availability_rows(first, last)),
        ("supply_points_active", "supply_points_with_stock"),
    )


@measure_group(
    "delivery_records",
    Measure("delivery_records", "医院分娩实名登记(例)", "sum"),
)
def delivery_records(first: int, last: int) -> Iterable[Row]:
    """Delivery records received from the facilities (API or form), in the mother's
    village, by the day of the delivery."""
    from famplan.deliveries.models import DeliveryRecord

    return _count_by_month(DeliveryRecord, "delivered_on", "delivery_records")(first, last)


# The benefit programs preloaded by benefits/migrations/0002 (their codes are fixed);
# a program added later is in the totals only until its codes are added here.
BENEFIT_PROGRAMS = (
    ("rural_reward", "农村奖励扶助"),
    ("special_assistance", "特别扶助"),
    ("one_child_reward", "独生子女父母奖励"),
    ("childcare_subsidy", "育儿补贴"),
)
BENEFIT_TOTALS = ("benefit_people", "benefit_due", "benefit_paid")
BENEFIT_CODES = [
    f"benefit_{program}_{kind}"
    for program, _ in BENEFIT_PROGRAMS
    for kind in ("people", "due", "paid")
]


@measure_group(
    "benefits",
    Measure("benefit_people", "扶助对象(人)", "sum"),
    Measure("benefit_due", "应发金额(元)", "sum"),
    Measure("benefit_paid", "实发金额(元)", "sum"),
    *(
        Measure(f"benefit_{program}_{kind}", f"{label}：{what}", "sum")
        for program, label in BENEFIT_PROGRAMS
        for kind, what in (("people", "对象(人)"), ("due", "应发(元)"), ("paid", "实发(元)"))
    ),
)
def benefits(first: int, last: int) -> Iterator[Row]:
    """The frozen rosters (发放花名册) of each year's cycles: the people on them, the
    amounts due and the amounts paid (payment status paid), whole yuan, per village and
    program. A cycle is a year's round: its figures are filed under December of its year
    (the year, second half and fourth quarter hold them; docs/decisions.md)."""
    from famplan.benefits.models import Cycle, PaymentStatus, Program, RosterRow

    first_year, last_year = first // 12, last // 12
    sql = f"""
        SELECT r.unit_id, c.year, p.code, COUNT(*), SUM(r.amount_due),
               SUM(CASE WHEN r.payment_status = %s THEN COALESCE(r.paid_amount, 0) ELSE 0 END)
          FROM {_table(RosterRow)} r
          JOIN {_table(Cycle)} c ON c.id = r.cycle_id
          JOIN {_table(Program)} p ON p.id = c.program_id
         WHERE c.year >= %s AND c.year <= %s
         GROUP BY r.unit_id, c.year, p.code
    """  # noqa: S608
    totals: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0, 0, 0])
    known = {program for program, _ in BENEFIT_PROGRAMS}
    for unit, year, program, people, due, paid in _fetch(
        sql, [PaymentStatus.PAID, first_year, last_year]
    ):
        month = int(year) * 12 + 11
        if not first <= month <= last:
            continue
        values = (int(people), float(due or 0), float(paid or 0))
        for i, value in enumerate(values):
            totals[unit, month][i] += value
        if program in known:
            for kind, value in zip(("people", "due", "paid"), values, strict=True):
                if _yuan(value):
                    yield unit, month, f"benefit_{program}_{kind}", _yuan(value)
    for (unit, month), values in totals.items():
        for code, value in zip(BENEFIT_TOTALS, values, strict=True):
            if _yuan(value):
                yield unit, month, code, _yuan(value)


def _yuan(amount: float) -> int:
    """Whole yuan, halves up (the amounts are exact to the fen)."""
    return math.floor(round(amount, 2) + 0.5)


@measure_group(
    "special_families",
    Measure("special_families", "在册特殊家庭(户，期末)", "last"),
    Measure("special_family_months", "在册特殊家庭(户·月)", "sum"),
    Measure("special_families_visited", "当月有走访的特殊家庭(户·月)", "sum"),
)
def special_families(first: int, last: int) -> Iterable[Row]:
    """Special families (计生特殊家庭) on the register at each month's end, and those of
    them with at least one visit in the month (care.counts: its rules, its home).

    The engine derives a longer period from its months, and "families visited at least
    once in the quarter" is no sum, first or last of the months' counts. So a month's
    figure is exactly that; a quarter or a year sums family-months (户·月): the visited
    ones over those on the register, the share of months in which each family had its
    monthly visit (docs/decisions.md)."""
    from famplan.care.counts import special_family_counts

    return special_family_counts(first, last)
