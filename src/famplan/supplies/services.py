"""Writes of the supplies app: kinds, points, stock movements, service requests.

The movement rules live once here: `check_movements` judges proposed deliveries and
issues over a snapshot of the points' past movements (`movement_history`), and
`movements_write` records any number of checked ones with their audit rows.
`movement_record` (the forms) and the monthly issue import (imports/issues.py) both
call them, so the two paths cannot drift apart.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max, Min

from famplan.audit.services import audit_log, audit_log_rows
from famplan.common.bulk import chunked, insert_records
from famplan.common.dates import today_cached
from famplan.common.errors import DomainError
from famplan.orgunits.jurisdiction import jurisdiction_code, unit_in_scope
from famplan.orgunits.models import CODE_LENGTH, Level, OrgUnit
from famplan.registry.models import Person
from famplan.registry.services.checks import raise_first
from famplan.registry.services.errors import FieldError
from famplan.supplies.models import (
    Direction,
    DistributionPoint,
    PlaceKind,
    ServiceRequest,
    StockMovement,
    SupplyKind,
)

MAX_QUANTITY = 1_000_000
POINT_FIELDS = ("pk", "unit_id", "name", "place_kind", "opened_on", "closed_on")
KIND_FIELDS = ("pk", "name", "unit", "active")


def month_end(day: date) -> date:
    """The last day of `day`'s month: where a month's issue count is dated."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


# --- who may enter for a point ---------------------------------------------------------


def entry_refusal(user: Any, point: dict) -> str | None:
    """Why `user` may not enter deliveries or issues of `point` (a facts row), or None.

    A village worker enters for her own village's points, a township clerk for the
    township's; a point the township runs (its service centre) is entered at the
    township or above, even though it stands in a village."""
    if not unit_in_scope(user, point["unit_id"]):
        return "发放点不存在或不在您的管辖范围内"
    code = jurisdiction_code(user) or ""
    if point["place_kind"] == PlaceKind.TOWNSHIP_CENTRE and len(code) > CODE_LENGTH[Level.TOWNSHIP]:
        return f"{point['name']}由乡镇管理，请由乡镇专干录入"
    return None


def can_enter(user: Any, point: DistributionPoint) -> bool:
    return entry_refusal(user, point_facts(point)) is None


def point_facts(point: DistributionPoint) -> dict:
    return {
        "pk": point.pk,
        "unit_id": point.unit_id,
        "name": point.name,
        "place_kind": point.place_kind,
        "opened_on": point.opened_on,
        "closed_on": point.closed_on,
    }


def kind_facts(kind: SupplyKind) -> dict:
    return {"pk": kind.pk, "name": kind.name, "unit": kind.unit, "active": kind.active}


# --- stock movements -------------------------------------------------------------------


@dataclass(frozen=True)
class MovementEntry:
    """One proposed delivery or issue: facts rows of its point and kind, and the count.
    A monthly issue (monthly=True) is dated on its month's last day."""

    point: dict
    kind: dict
    direction: str
    moved_on: date
    quantity: int
    monthly: bool = False
    note: str = ""

    @property
    def key(self) -> tuple[int, int]:
        return self.point["pk"], self.kind["pk"]

    @property
    def signed(self) -> int:
        return self.quantity if self.direction == Direction.DELIVERY else -self.quantity


@dataclass
class History:
    """The past movements of some (point, kind) pairs, as the checks read them."""

    # (point, kind) -> [(day, signed quantity)]
    moves: dict[tuple[int, int], list[tuple[date, int]]]
    # (point, kind, month end) of the monthly issue counts already recorded
    monthly: set[tuple[int, int, date]]
    # (point, kind, month end) of the months with issues recorded by date
    dated: set[tuple[int, int, date]] = field(default_factory=set)


def movement_history(pairs: Iterable[tuple[int, int]]) -> History:
    """The movements of every (point, kind) pair, in one query per chunk of points.
    Call inside the transaction that writes, after locking the points
    (lock_points): two writers to one point then see each other's movements."""
    wanted = set(pairs)
    points = sorted({p for p, _ in wanted})
    history = History({pair: [] for pair in wanted}, set())
    for chunk in chunked(points):
        rows = StockMovement.objects.filter(point_id__in=chunk).values_list(
            "point_id", "kind_id", "moved_on", "direction", "quantity", "monthly"
        )
        for point, kind, day, direction, quantity, monthly in rows.iterator():
            if (point, kind) not in wanted:
                continue
            signed = quantity if direction == Direction.DELIVERY else -quantity
            history.moves[(point, kind)].append((day, signed))
            if direction == Direction.ISSUE:
                (history.monthly if monthly else history.dated).add((point, kind, month_end(day)))
    return history


def lock_points(point_ids: Iterable[int]) -> None:
    """Row locks on the points, in key order, for the rest of the transaction."""
    ids = sorted(set(point_ids))
    for chunk in chunked(ids):
        list(DistributionPoint.objects.select_for_update().filter(pk__in=chunk).values_list("pk"))


def available_on(moves: list[tuple[date, int]], day: date) -> int:
    """What can still be issued on `day` without the stock going below zero at the end
    of that day or any later one: the lowest end-of-day balance from `day` on (a
    back-dated issue must not take stock that later issues have already used)."""
    by_day: dict[date, int] = {day: 0}
    for d, q in moves:
        by_day[d] = by_day.get(d, 0) + q
    balance = sum(q for d, q in by_day.items() if d < day)
    lowest = None
    for d in sorted(d for d in by_day if d >= day):
        balance += by_day[d]
        lowest = balance if lowest is None else min(lowest, balance)
    return lowest


def _month_label(day: date) -> str:
    return f"{day.year}年{day.month}月"


def check_movement(entry: MovementEntry, history: History) -> list[FieldError]:
    """The rules of one proposed movement over the history (which the caller extends
    with each accepted entry, so a file's rows are judged in order)."""
    point, kind, day = entry.point, entry.kind, entry.moved_on
    if not 1 <= entry.quantity <= MAX_QUANTITY:
        return [FieldError("quantity", f"数量应为 1 到 {MAX_QUANTITY} 之间的整数")]
    if day > today_cached():
        if entry.monthly:
            return [FieldError("moved_on", f"{_month_label(day)}尚未结束，月发放数请在月末后登记")]
        return [FieldError("moved_on", "日期不能晚于今天")]
    opened, closed = point["opened_on"], point["closed_on"]
    # A month's count is dated on its last day: the month need only overlap the
    # point's open days.
    first_day = day.replace(day=1) if entry.monthly else day
    if day < opened:
        return [FieldError("moved_on", f"日期早于{point['name']}的启用日期{opened:%Y-%m-%d}")]
    if closed is not None and first_day > closed:
        return [FieldError("moved_on", f"{point['name']}已于{closed:%Y-%m-%d}停用")]
    if entry.direction == Direction.DELIVERY:
        if not kind["active"]:
            return [FieldError("kind", f"{kind['name']}已停用，不能再入库")]
        return []
    # A month's issues are counted one way: a monthly total, or issue by issue.
    month = (point["pk"], kind["pk"], month_end(day))
    where = f"{point['name']}{_month_label(day)}的{kind['name']}"
    if entry.monthly and month in history.monthly:
        return [FieldError("moved_on", f"{where}月发放数已登记，不能重复登记")]
    if entry.monthly and month in history.dated:
        return [FieldError("moved_on", f"{where}已按日期登记发放，不能再登记月发放数")]
    if not entry.monthly and month in history.monthly:
        return [FieldError("moved_on", f"{where}已登记月发放数，不能再按日期登记")]
    available = max(available_on(history.moves.get(entry.key, []), day), 0)
    if entry.quantity > available:
        return [
            FieldError(
                "quantity",
                f"{point['name']}的{kind['name']}库存不足：{day:%Y-%m-%d}可发放 "
                f"{available} {kind['unit']}，本次发放 {entry.quantity} {kind['unit']}",
            )
        ]
    return []


def check_movements(entries: list[MovementEntry], history: History) -> list[list[FieldError]]:
    """Judge entries in order: each accepted one joins the history the next is judged
    over (two rows of one file cannot together issue more than the stock)."""
    problems = []
    for entry in entries:
        found = check_movement(entry, history)
        problems.append(found)
        if not found:
            history.moves.setdefault(entry.key, []).append((entry.moved_on, entry.signed))
            if entry.direction == Direction.ISSUE:
                months = history.monthly if entry.monthly else history.dated
                months.add((*entry.key, month_end(entry.moved_on)))
    return problems


AUDIT_ACTIONS = {
    Direction.DELIVERY: "supplies.delivery.recorded",
    Direction.ISSUE: "supplies.issue.recorded",
}


def movements_write(
    *, actor: Any, entries: list[MovementEntry], detail: dict | None = None
) -> list[dict]:
    """Record checked movements with an audit row each; returns their rows (with ids)."""
    records = [
        {
            "point_id": e.point["pk"],
            "unit_id": e.point["unit_id"],
            "direction": e.direction,
            "kind_id": e.kind["pk"],
            "moved_on": e.moved_on,
            "monthly": e.monthly,
            "quantity": e.quantity,
            "note": e.note,
            "entered_by_id": getattr(actor, "pk", None),
        }
        for e in entries
    ]
    insert_records(StockMovement, records)
    by_kind = {e.kind["pk"]: e.kind for e in entries}
    names = {e.point["pk"]: e.point["name"] for e in entries}
    for direction, action in AUDIT_ACTIONS.items():
        rows = [
            (
                r["unit_id"],
                r["id"],
                f"{names[r['point_id']]} {by_kind[r['kind_id']]['name']} {r['quantity']}",
            )
            for r in records
            if r["direction"] == direction
        ]
        if rows:
            audit_log_rows(
                actor=actor,
                action=action,
                target_type=StockMovement._meta.label_lower,
                rows=rows,
                detail=detail,
            )
    return records


@transaction.atomic
def movement_record(
    *,
    actor: Any,
    point: DistributionPoint,
    kind: SupplyKind,
    direction: str,
    moved_on: date,
    quantity: int,
    monthly: bool = False,
    note: str = "",
) -> StockMovement:
    """Record one delivery or issue. An issue larger than the stock is refused with a
    message naming the point and kind; a monthly issue count is dated on the month's
    last day."""
    lock_points([point.pk])
    point.refresh_from_db()
    facts = point_facts(point)
    if refusal := entry_refusal(actor, facts):
        raise FieldError("point", refusal)
    if monthly:
        if direction != Direction.ISSUE:
            raise FieldError("moved_on", "只有发放可以按月汇总登记")
        moved_on = month_end(moved_on)
    entry = MovementEntry(
        facts, kind_facts(kind), direction, moved_on, quantity, monthly=monthly, note=note
    )
    history = movement_history([entry.key])
    raise_first(check_movements([entry], history)[0])
    (record,) = movements_write(actor=actor, entries=[entry], detail={"point": point.pk})
    return StockMovement.objects.get(pk=record["id"])


VOID_ACTIONS = {
    Direction.DELIVERY: "supplies.delivery.voided",
    Direction.ISSUE: "supplies.issue.voided",
}


@transaction.atomic
def movement_void(*, actor: Any, movement: StockMovement, reason: str) -> None:
    """Take back a delivery or issue entered by mistake: the row goes, the audit row
    keeps what it was and why. A delivery whose stock later issues already gave out
    cannot be taken back (the stock would go below zero): those issues first."""
    reason = reason.strip()
    if not reason:
        raise FieldError("reason", "请填写撤销原因")
    lock_points([movement.point_id])
    locked = StockMovement.objects.select_related("point", "kind").filter(pk=movement.pk).first()
    if locked is None:
        raise DomainError("该记录已被撤销")
    point, kind = point_facts(locked.point), kind_facts(locked.kind)
    if refusal := entry_refusal(actor, point):
        raise FieldError("point", refusal)
    if locked.direction == Direction.DELIVERY:
        history = movement_history([(point["pk"], kind["pk"])])
        moves = history.moves[(point["pk"], kind["pk"])]
        moves.remove((locked.moved_on, locked.signed))
        if available_on(moves, locked.moved_on) < 0:
            raise DomainError(
                f"{point['name']}的{kind['name']}在这次入库后已发放，撤销后库存将小于零；"
                "请先撤销之后的发放"
            )
    detail = {
        "point": point["pk"],
        "kind": kind["name"],
        "moved_on": locked.moved_on.isoformat(),
        "quantity": locked.quantity,
        "monthly": locked.monthly,
        "reason": reason[:200],
    }
    audit_log(
        actor=actor,
        action=VOID_ACTIONS[locked.direction],
        target=locked,
        org_unit_id=locked.unit_id,
        detail=detail,
    )
    locked.delete()


# --- distribution points -----------------------------------------------------------------


def _check_point_unit(actor: Any, unit: OrgUnit) -> None:
    if unit.level != Level.VILLAGE or not unit_in_scope(actor, unit.code):
        raise FieldError("unit", "所选村(居)不存在或不在您的管辖范围内")


def _check_point_dates(
    point: DistributionPoint | None, opened_on: date, closed_on: date | None
) -> None:
    if opened_on > today_cached():
        raise FieldError("opened_on", "启用日期不能晚于今天")
    if closed_on is not None:
        if closed_on < opened_on:
            raise FieldError("closed_on", "停用日期不能早于启用日期")
        if closed_on > today_cached():
            raise FieldError("closed_on", "停用日期不能晚于今天")
    if point is None or point.pk is None:
        return
    span = StockMovement.objects.filter(point=point).aggregate(
        first=Min("moved_on"), last=Max("moved_on")
    )
    if span["first"] and opened_on > span["first"]:
        raise FieldError("opened_on", f"启用日期晚于第一笔出入库（{span['first']:%Y-%m-%d}）")
    if closed_on and span["last"] and closed_on < span["last"]:
        raise FieldError("closed_on", f"停用日期早于最后一笔出入库（{span['last']:%Y-%m-%d}）")


def _check_point_name(unit_id: str, name: str, pk: int | None) -> None:
    taken = DistributionPoint.objects.filter(unit_id=unit_id, name=name).exclude(pk=pk)
    if taken.exists():
        raise FieldError("name", f"该村(居)已有名为“{name}”的发放点")


@transaction.atomic
def point_create(
    *,
    actor: Any,
    unit: OrgUnit,
    name: str,
    place_kind: str,
    opened_on: date,
    address: str = "",
) -> DistributionPoint:
    _check_point_unit(actor, unit)
    _check_point_name(unit.code, name, None)
    _check_point_dates(None, opened_on, None)
    point = DistributionPoint.objects.create(
        unit=unit, name=name, place_kind=place_kind, address=address, opened_on=opened_on
    )
    audit_log(actor=actor, action="supplies.point.created", target=point, org_unit_id=unit.code)
    return point


@transaction.atomic
def point_update(
    *,
    actor: Any,
    point: DistributionPoint,
    version: int,
    unit: OrgUnit,
    name: str,
    place_kind: str,
    opened_on: date,
    closed_on: date | None,
    address: str = "",
) -> DistributionPoint:
    """Edit a point, or close it (closed_on) or open it again (closed_on=None). A point
    that has movements keeps its village: its history stays where it happened."""
    locked = DistributionPoint.objects.select_for_update().get(pk=point.pk)
    if locked.version != version:
        raise DomainError("该发放点已被他人修改，请刷新页面后重新编辑")
    if not unit_in_scope(actor, locked.unit_id):
        raise FieldError("unit", "发放点不存在或不在您的管辖范围内")
    _check_point_unit(actor, unit)
    if unit.code != locked.unit_id and StockMovement.objects.filter(point=locked).exists():
        raise FieldError("unit", "发放点已有出入库记录，不能改到其他村(居)")
    _check_point_name(unit.code, name, locked.pk)
    _check_point_dates(locked, opened_on, closed_on)
    changes = {
        "unit_id": unit.code,
        "name": name,
        "place_kind": place_kind,
        "address": address,
        "opened_on": opened_on,
        "closed_on": closed_on,
    }
    changed = {k: v for k, v in changes.items() if getattr(locked, k) != v}
    for key, value in changes.items():
        setattr(locked, key, value)
    locked.version += 1
    locked.save()
    audit_log(
        actor=actor,
        action="supplies.point.updated",
        target=locked,
        org_unit_id=locked.unit_id,
        detail={"changed": sorted(changed)},
    )
    return locked


# --- the kinds table -------------------------------------------------------------------


def _check_kind(code: str, name: str, pk: int | None) -> None:
    if SupplyKind.objects.filter(code=code).exclude(pk=pk).exists():
        raise FieldError("code", f"代码“{code}”已被使用")
    if SupplyKind.objects.filter(name=name).exclude(pk=pk).exists():
        raise FieldError("name", f"已有名为“{name}”的药具种类")


@transaction.atomic
def kind_create(
    *, actor: Any, code: str, name: str, unit: str, essential: bool, order: int = 100
) -> SupplyKind:
    _check_kind(code, name, None)
    kind = SupplyKind.objects.create(
        code=code, name=name, unit=unit, essential=essential, order=order
    )
    audit_log(actor=actor, action="supplies.kind.created", target=kind)
    return kind


@transaction.atomic
def kind_update(
    *,
    actor: Any,
    kind: SupplyKind,
    name: str,
    unit: str,
    essential: bool,
    active: bool,
    order: int,
) -> SupplyKind:
    """Edit a kind; its code stays (imports and reports name it). A kind in use is
    retired (active=False), never deleted: its history stays."""
    locked = SupplyKind.objects.select_for_update().get(pk=kind.pk)
    _check_kind(locked.code, name, locked.pk)
    before = {f: getattr(locked, f) for f in ("name", "unit", "essential", "active", "order")}
    locked.name, locked.unit, locked.essential = name, unit, essential
    locked.active, locked.order = active, order
    locked.save()
    audit_log(
        actor=actor,
        action="supplies.kind.updated",
        target=locked,
        detail={"changed": sorted(k for k, v in before.items() if getattr(locked, k) != v)},
    )
    return locked


# --- voluntary service requests ----------------------------------------------------------


@transaction.atomic
def request_record(
    *,
    actor: Any,
    person: Person,
    requested_on: date,
    asked: str,
    given: str = "",
    point: DistributionPoint | None = None,
) -> ServiceRequest:
    """Record a service a person asked for. Only the person's own request: what was
    asked and what was given, nothing about anyone else."""
    if not unit_in_scope(actor, person.unit_id):
        raise FieldError("id_number", "该人员不存在或不在您的管辖范围内")
    if point is not None and not unit_in_scope(actor, point.unit_id):
        raise FieldError("point", "发放点不存在或不在您的管辖范围内")
    if requested_on > today_cached():
        raise FieldError("requested_on", "日期不能晚于今天")
    if requested_on < person.birth_date:
        raise FieldError("requested_on", "日期早于该人员的出生日期")
    request = ServiceRequest.objects.create(
        person=person,
        unit_id=person.unit_id,
        point=point,
        requested_on=requested_on,
        asked=asked,
        given=given,
        entered_by=actor,
    )
    audit_log(
        actor=actor,
        action="supplies.request.recorded",
        target=request,
        org_unit_id=person.unit_id,
        detail={"person": person.pk},
    )
    return request
