"""Reads of the supplies app, always cut to the user's jurisdiction.

Stock is deliveries minus issues up to a day, computed for all the points asked for
in one grouped query (GROUP BY point, kind), never in a loop over points. The
indicators engine reads `availability_rows` (one grouped query for every village and
month of a range).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Sum, When
from django.db.models.functions import TruncMonth

from famplan.common.dates import today
from famplan.orgunits.jurisdiction import code_prefix_filter, get_in_scope_or_404, scope
from famplan.orgunits.models import CODE_LENGTH, Level, OrgUnit
from famplan.supplies.models import (
    Direction,
    DistributionPoint,
    PlaceKind,
    ServiceRequest,
    StockMovement,
    SupplyKind,
)
from famplan.supplies.services import month_end

# The Huining target for the share of points with every essential kind in stock.
AVAILABILITY_TARGET = 0.95

SIGNED = Case(
    When(direction=Direction.DELIVERY, then=F("quantity")),
    default=-F("quantity"),
    output_field=IntegerField(),
)


def kinds() -> list[SupplyKind]:
    return list(SupplyKind.objects.all())


def active_kinds() -> list[SupplyKind]:
    return list(SupplyKind.objects.filter(active=True))


def essential_kind_ids() -> set[int]:
    return set(SupplyKind.objects.filter(essential=True, active=True).values_list("pk", flat=True))


# --- points ----------------------------------------------------------------------------


def points_for_user(user: Any) -> QuerySet[DistributionPoint]:
    return scope(DistributionPoint.objects.all(), user, "unit")


def get_point_for_user(user: Any, pk: Any) -> DistributionPoint:
    return get_in_scope_or_404(
        DistributionPoint.objects.select_related("unit", "unit__parent"), user, "unit", pk=pk
    )


def active_on(day: date) -> Q:
    """Points open at the end of `day`."""
    return Q(opened_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def enterable_points(user: Any) -> QuerySet[DistributionPoint]:
    """Active points whose deliveries and issues the user enters (services.entry_refusal):
    their subtree, less the township-run points for users below a township."""
    points = points_for_user(user).filter(closed_on__isnull=True)
    if len(user.org_unit_id or "") > CODE_LENGTH[Level.TOWNSHIP]:
        points = points.exclude(place_kind=PlaceKind.TOWNSHIP_CENTRE)
    return points.select_related("unit").order_by("unit_id", "name")


def stock(
    points: QuerySet[DistributionPoint], at: date | None = None
) -> dict[tuple[int, int], int]:
    """Stock on hand of every (point, kind) of `points` at the end of `at` (today by
    default): one grouped query for all of them. Pairs that never moved are absent."""
    at = at or today()
    rows = (
        StockMovement.objects.filter(point__in=points.order_by().values("pk"), moved_on__lte=at)
        .values("point_id", "kind_id")
        .annotate(balance=Sum(SIGNED))
        .order_by()
    )
    return {(r["point_id"], r["kind_id"]): r["balance"] for r in rows}


def stocked_points(balances: dict[tuple[int, int], int], essential: set[int]) -> set[int]:
    """The points holding every essential kind (a positive stock of each)."""
    held: dict[int, int] = defaultdict(int)
    for (point, kind), balance in balances.items():
        if kind in essential and balance > 0:
            held[point] += 1
    return {point for point, n in held.items() if n == len(essential)}


def search_points(
    user: Any,
    *,
    unit: str | None = None,
    place_kind: str | None = None,
    active: bool | None = True,
    has_stock: bool | None = None,
) -> QuerySet[DistributionPoint]:
    """Points in the user's jurisdiction matching every filter. `has_stock`: True for
    points holding every essential kind today, False for those missing one."""
    rows = points_for_user(user)
    if unit:
        rows = rows.filter(**code_prefix_filter("unit_id", unit))
    if place_kind:
        rows = rows.filter(place_kind=place_kind)
    if active is True:
        rows = rows.filter(closed_on__isnull=True)
    elif active is False:
        rows = rows.filter(closed_on__isnull=False)
    if has_stock is not None:
        # One grouped query over the matching points; the ids then cut the list.
        stocked = stocked_points(stock(rows), essential_kind_ids())
        rows = rows.filter(pk__in=stocked) if has_stock else rows.exclude(pk__in=stocked)
    return rows.select_related("unit", "unit__parent").order_by("unit_id", "name", "pk")


def point_rows(points: list[DistributionPoint], shown: list[SupplyKind]) -> list[dict]:
    """A page of points with their stock of each shown kind (one grouped query)."""
    ids = [p.pk for p in points]
    balances = stock(DistributionPoint.objects.filter(pk__in=ids))
    essential = {k.pk for k in shown if k.essential}
    stocked = stocked_points(balances, essential)
    return [
        {
            "point": p,
            "stock": [balances.get((p.pk, k.pk), 0) for k in shown],
            "stocked": p.pk in stocked,
        }
        for p in points
    ]


EXPORT_COLUMNS_BASE: list[tuple[str, float]] = [
    ("乡镇", 14),
    ("村(居)", 14),
    ("发放点", 24),
    ("类型", 18),
    ("地址", 24),
    ("启用日期", 12),
    ("停用日期", 12),
]


def export_columns(shown: list[SupplyKind]) -> list[tuple[str, float]]:
    return [
        *EXPORT_COLUMNS_BASE,
        *((f"{k.name}库存({k.unit})", 12) for k in shown),
        ("必备齐全", 10),
    ]


def export_rows(points: QuerySet[DistributionPoint], shown: list[SupplyKind]) -> Iterator[tuple]:
    """The export's rows: one streamed query of the points, one grouped query of stock."""
    balances = stock(points)
    essential = {k.pk for k in shown if k.essential}
    stocked = stocked_points(balances, essential)
    labels = dict(PlaceKind.choices)
    values = points.values_list(
        "pk", "unit__parent__name", "unit__name", "name", "place_kind", "address",
        "opened_on", "closed_on",
    )  # fmt: skip
    for pk, township, village, name, kind, address, opened, closed in values.iterator():
        yield (
            township, village, name, labels.get(kind, kind), address, opened, closed,
            *(balances.get((pk, k.pk), 0) for k in shown),
            "是" if pk in stocked else "否",
        )  # fmt: skip


# --- one point's page ------------------------------------------------------------------


def get_movement_for_user(user: Any, pk: Any) -> StockMovement:
    return get_in_scope_or_404(
        StockMovement.objects.select_related("point", "kind", "entered_by"), user, "unit", pk=pk
    )


def recent_movements(point: DistributionPoint, limit: int = 20) -> list[StockMovement]:
    return list(
        StockMovement.objects.filter(point=point)
        .select_related("kind", "entered_by")
        .order_by("-moved_on", "-pk")[:limit]
    )


@dataclass
class MonthMovements:
    month: date
    delivered: list[int] = field(default_factory=list)  # by kind, in the shown order
    issued: list[int] = field(default_factory=list)


def monthly_movements(
    point: DistributionPoint, shown: list[SupplyKind], months: int = 12
) -> list[MonthMovements]:
    """Deliveries and issues of each shown kind in each of the last `months` months
    (newest first), in one grouped query."""
    last = today().replace(day=1)
    first = last
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    rows = (
        StockMovement.objects.filter(point=point, moved_on__gte=first)
        .annotate(month=TruncMonth("moved_on"))
        .values("month", "kind_id", "direction")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    totals = {(r["month"], r["kind_id"], r["direction"]): r["total"] for r in rows}
    result = []
    month = last
    while month >= first:
        result.append(
            MonthMovements(
                month,
                [totals.get((month, k.pk, Direction.DELIVERY), 0) for k in shown],
                [totals.get((month, k.pk, Direction.ISSUE), 0) for k in shown],
            )
        )
        month = (month - timedelta(days=1)).replace(day=1)
    return result


# --- the monthly report ----------------------------------------------------------------


@dataclass
class ReportRow:
    code: str  # a unit's code, or "" for a point
    name: str
    issued: list[int]  # by kind, in the report's order
    stock: list[int]
    points_active: int = 0
    points_stocked: int = 0

    @property
    def availability(self) -> float | None:
        return self.points_stocked / self.points_active if self.points_active else None

    @property
    def meets_target(self) -> bool:
        value = self.availability
        return value is not None and value >= AVAILABILITY_TARGET


@dataclass
class MonthlyReport:
    unit: OrgUnit
    month: date
    kinds: list[SupplyKind]
    rows: list[ReportRow]
    total: ReportRow

    @property
    def essential_names(self) -> str:
        return "、".join(k.name for k in self.kinds if k.essential)


def report_units(user: Any) -> QuerySet[OrgUnit]:
    """The units a user may report on: their own and every unit under it."""
    return scope(
        OrgUnit.objects.filter(level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]),
        user,
        "code",
    ).order_by("code")


def monthly_report(unit: OrgUnit, month: date) -> MonthlyReport:
    """Issues of each kind in the month, stock at its end and availability, for each
    unit directly under `unit` (each point, for a village), and the total.

    Two queries whatever the size: the points under the unit, and one grouped query of
    their movements up to the month's end (issued in the month and balance by point
    and kind). Rows are rolled up by code prefix in Python."""
    first, end = month.replace(day=1), month_end(month)
    shown = [k for k in kinds() if k.active]
    essential = {k.pk for k in shown if k.essential}
    points = list(
        DistributionPoint.objects.filter(**code_prefix_filter("unit_id", unit.code))
        .filter(opened_on__lte=end)
        .values_list("pk", "unit_id", "name", "opened_on", "closed_on")
    )
    sums = (
        StockMovement.objects.filter(**code_prefix_filter("unit_id", unit.code), moved_on__lte=end)
        .values("point_id", "kind_id")
        .annotate(
            balance=Sum(SIGNED),
            issued=Sum(
                Case(
                    When(direction=Direction.ISSUE, moved_on__gte=first, then=F("quantity")),
                    default=0,
                    output_field=IntegerField(),
                )
            ),
        )
        .order_by()
    )
    balances, issued = {}, {}
    for r in sums:
        balances[(r["point_id"], r["kind_id"])] = r["balance"]
        issued[(r["point_id"], r["kind_id"])] = r["issued"]
    stocked = stocked_points(balances, essential)

    child_length = _child_length(unit)
    if child_length is None:
        keys = {pk: str(pk) for pk, *_ in points}
        order = [str(pk) for pk, *_ in sorted(points, key=lambda p: p[2])]
        names = {str(pk): name for pk, _, name, _, _ in points}
    else:
        children = OrgUnit.objects.filter(parent_id=unit.code).order_by("code")
        names = dict(children.values_list("code", "name"))
        order = list(names)
        keys = {pk: code[:child_length] for pk, code, *_ in points}
    width = len(shown)
    rows = {
        key: ReportRow(key if child_length else "", names.get(key, key), [0] * width, [0] * width)
        for key in order
    }
    total = ReportRow(unit.code, f"{unit.name}合计", [0] * width, [0] * width)
    for pk, _code, _name, opened, closed in points:
        row = rows.get(keys[pk])
        if row is None:  # a point under a unit not directly below (should not happen)
            continue
        for i, k in enumerate(shown):
            row.issued[i] += issued.get((pk, k.pk), 0)
            row.stock[i] += balances.get((pk, k.pk), 0)
        if opened <= end and (closed is None or closed > end):
            row.points_active += 1
            row.points_stocked += pk in stocked
    for row in rows.values():
        for i in range(len(shown)):
            total.issued[i] += row.issued[i]
            total.stock[i] += row.stock[i]
        total.points_active += row.points_active
        total.points_stocked += row.points_stocked
    return MonthlyReport(unit, first, shown, [rows[k] for k in order], total)


def _child_length(unit: OrgUnit) -> int | None:
    """The code length of the units directly under `unit`, None for a village."""
    below = {
        Level.PROVINCE: Level.CITY,
        Level.CITY: Level.COUNTY,
        Level.COUNTY: Level.TOWNSHIP,
        Level.TOWNSHIP: Level.VILLAGE,
    }
    child = below.get(Level(unit.level))
    return CODE_LENGTH[child] if child else None


def report_columns(report: MonthlyReport) -> list[tuple[str, float]]:
    return [
        ("单位", 20),
        *((f"{k.name}发放({k.unit})", 12) for k in report.kinds),
        *((f"{k.name}月末库存({k.unit})", 12) for k in report.kinds),
        ("在用发放点", 10),
        ("必备药具齐全的发放点", 12),
        ("药具可及率(%)", 12),
    ]


def report_sheet_rows(report: MonthlyReport) -> Iterator[tuple]:
    for row in [*report.rows, report.total]:
        share = row.availability
        yield (
            row.name,
            *row.issued,
            *row.stock,
            row.points_active,
            row.points_stocked,
            None if share is None else round(share * 100, 1),
        )


# --- for the indicators engine -----------------------------------------------------------


def _month_sql(column: str) -> str:
    """The month index (year * 12 + month - 1) of a date column, on both databases
    (as indicators.measures.month_sql; SQLite keeps dates as 'YYYY-MM-DD' text)."""
    if connection.vendor == "postgresql":
        year, month = f"EXTRACT(YEAR FROM {column})", f"EXTRACT(MONTH FROM {column})"
    else:
        year, month = f"substr({column}, 1, 4)", f"substr({column}, 6, 2)"
    return f"(CAST({year} AS INTEGER) * 12 + CAST({month} AS INTEGER) - 1)"


def _month_first_day(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def availability_rows(first: int, last: int) -> Iterator[tuple[str, int, int, int]]:
    """(village code, month index, points_active, points_with_stock) for every village
    that has a point open at the end of a month of first..last (month index = year * 12
    + month - 1, as indicators.periods.month_index).

    points_active: points open at the month's end (opened_on <= end < closed_on);
    points_with_stock: those of them holding a positive stock of every essential kind
    (essential and active in the kinds table) at the month's end. The availability
    indicator is points_with_stock / points_active (the Huining target is >= 95 %);
    both are stocks at the month's end, so a longer period takes its last month.

    ONE grouped query: every point LEFT JOINed with its movements of essential kinds,
    grouped by point, kind and month (all movements before the range folded into the
    month before it); the running balances and the counts per village are summed in
    Python, never a query per unit or per point."""
    after = _month_first_day(last + 1)
    before = first - 1
    point, move, kind = (
        connection.ops.quote_name(m._meta.db_table)
        for m in (DistributionPoint, StockMovement, SupplyKind)
    )
    month = _month_sql("m.moved_on")
    sql = f"""
        SELECT p.id, p.unit_id, p.opened_on, p.closed_on, m.kind_id,
               CASE WHEN m.moved_on < %s THEN {before} ELSE {month} END AS mo,
               SUM(CASE WHEN m.direction = %s THEN m.quantity ELSE -m.quantity END),
               (SELECT COUNT(*) FROM {kind} WHERE essential AND active)
          FROM {point} p
          LEFT JOIN {move} m ON m.point_id = p.id AND m.moved_on < %s
               AND m.kind_id IN (SELECT id FROM {kind} WHERE essential AND active)
         WHERE p.opened_on < %s AND (p.closed_on IS NULL OR p.closed_on >= %s)
         GROUP BY p.id, p.unit_id, p.opened_on, p.closed_on, m.kind_id, mo
    """  # noqa: S608 - only table names and an integer are pasted in
    start = _month_first_day(first)
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, Direction.DELIVERY, after, after, start])
        rows = cursor.fetchall()
    points: dict[int, tuple[str, date, date | None]] = {}
    deltas: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    essential = 0
    for pk, unit, opened, closed, kind_id, mo, total, n_essential in rows:
        points[pk] = (unit, _as_date(opened), _as_date(closed))
        essential = n_essential
        if kind_id is not None:
            deltas[(pk, kind_id)][int(mo)] = int(total)
    ends = {m: month_end(_month_first_day(m)) for m in range(first, last + 1)}
    # Running balance of each (point, kind) at each month's end: positive or not.
    held: dict[tuple[int, int], int] = defaultdict(int)  # (point, month) -> kinds held
    for (pk, _kind), by_month in deltas.items():
        balance = by_month.get(before, 0)
        for m in range(first, last + 1):
            balance += by_month.get(m, 0)
            if balance > 0:
                held[(pk, m)] += 1
    counts: dict[tuple[str, int], list[int]] = {}
    for pk, (unit, opened, closed) in points.items():
        for m, end in ends.items():
            if opened <= end and (closed is None or closed > end):
                pair = counts.setdefault((unit, m), [0, 0])
                pair[0] += 1
                pair[1] += bool(essential) and held.get((pk, m), 0) == essential
    for (unit, m), (active, stocked) in sorted(counts.items()):
        yield unit, m, active, stocked


def _as_date(value: Any) -> date | None:
    # Raw SQL on SQLite returns dates as text.
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# --- service requests --------------------------------------------------------------------


def requests_for_user(user: Any) -> QuerySet[ServiceRequest]:
    return scope(ServiceRequest.objects.all(), user, "unit")


def get_request_for_user(user: Any, pk: Any) -> ServiceRequest:
    return get_in_scope_or_404(
        ServiceRequest.objects.select_related("person", "unit", "point", "entered_by"),
        user,
        "unit",
        pk=pk,
    )


def search_requests(
    user: Any,
    *,
    unit: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[ServiceRequest]:
    rows = requests_for_user(user)
    if unit:
        rows = rows.filter(**code_prefix_filter("unit_id", unit))
    if date_from:
        rows = rows.filter(requested_on__gte=date_from)
    if date_to:
        rows = rows.filter(requested_on__lte=date_to)
    return rows.select_related("person", "unit", "point").order_by("-requested_on", "-pk")


REQUEST_COLUMNS: list[tuple[str, float]] = [
    ("日期", 12),
    ("服务对象", 12),
    ("村(居)", 16),
    ("咨询或需求", 30),
    ("提供的服务", 30),
    ("发放点", 22),
]


def request_rows(requests: QuerySet[ServiceRequest]) -> Iterator[tuple]:
    """The export's rows, one streamed query (no ID numbers: the name and village say
    whose request it is, and an export should carry no more than that)."""
    values = requests.values_list(
        "requested_on", "person__name", "unit__name", "asked", "given", "point__name"
    )
    for row in values.iterator():
        yield tuple("" if v is None else v for v in row)
