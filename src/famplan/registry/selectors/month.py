"""The monthly entry work: events entered this month, and whether they came in time.

An event is due by the 5th of the month after it happened (DEADLINE_DAY). This month's
report counts last month's events entered by the 5th (on time) and every event entered
late during this month: last month's entered after the 5th, and those of earlier months
entered at all this month (their deadline passed before the month began)."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Model, Q
from django.utils import timezone

from famplan.orgunits.jurisdiction import scope
from famplan.orgunits.models import CODE_LENGTH, Level, OrgUnit
from famplan.registry.models import (
    Birth,
    Death,
    Marriage,
    Migration,
    Person,
    ResidenceChange,
)

# The events of the monthly deadline: model, date field, Chinese label.
EVENT_KINDS: list[tuple[type[Model], str, str]] = [
    (Birth, "born_on", "出生"),
    (Death, "died_on", "死亡"),
    (Marriage, "married_on", "结婚"),
    (Migration, "moved_on", "流动"),
    (ResidenceChange, "moved_on", "迁移"),
]
DEADLINE_DAY = 5


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month_start(day: date) -> date:
    return (month_start(day) - timedelta(days=1)).replace(day=1)


def next_month_start(day: date) -> date:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=last) + timedelta(days=1)


def local_midnight(day: date) -> datetime:
    """The start of `day` in the site's time zone (Asia/Shanghai), as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def deadline_for(day: date) -> date:
    """The last day to enter an event of `day`: the 5th of the following month."""
    return next_month_start(day).replace(day=DEADLINE_DAY)


def entered_late(day: date, entered_at: datetime) -> bool:
    return entered_at >= local_midnight(deadline_for(day) + timedelta(days=1))


@dataclass(frozen=True)
class EnteredEvent:
    kind: str
    day: date
    entered_at: datetime
    unit: OrgUnit
    person: Person | None
    text: str

    @property
    def late(self) -> bool:
        """Entered after its deadline (the 5th of the month after the event)."""
        return entered_late(self.day, self.entered_at)


def _event_person(event: Model) -> tuple[Person | None, str]:
    if isinstance(event, Birth):
        return event.child, f"{event.child.name}（母亲{event.mother.name}）"
    if isinstance(event, Marriage):
        return event.wife, f"{event.husband.name}、{event.wife.name}"
    if isinstance(event, Migration):
        return event.person, f"{event.person.name}（{event.get_direction_display()}）"
    return event.person, event.person.name  # Death, ResidenceChange


_RELATED = {
    Birth: ("unit", "child", "mother"),
    Death: ("unit", "person"),
    Marriage: ("unit", "husband", "wife"),
    Migration: ("unit", "person"),
    ResidenceChange: ("unit", "person"),
}


def events_entered(user: Any, month: date, *, limit: int = 500) -> list[EnteredEvent]:
    """Events in the user's jurisdiction entered during `month` (by entered_at in local
    time), newest first: one query per event table."""
    start, end = local_midnight(month_start(month)), local_midnight(next_month_start(month))
    events: list[EnteredEvent] = []
    for model, date_field, label in EVENT_KINDS:
        rows = (
            scope(model.objects.all(), user, "unit")
            .filter(entered_at__gte=start, entered_at__lt=end)
            .select_related(*_RELATED[model])
            .order_by("-entered_at")[:limit]
        )
        for event in rows:
            person, text = _event_person(event)
            events.append(
                EnteredEvent(
                    label, getattr(event, date_field), event.entered_at, event.unit, person, text
                )
            )
    events.sort(key=lambda e: e.entered_at, reverse=True)
    return events[:limit]


@dataclass
class Timeliness:
    """The entry work of one unit (or all units) in this month."""

    unit: OrgUnit | None
    entered_this_month: int = 0
    # Last month's events entered by the 5th of this month.
    on_time: int = 0
    # Last month's events entered this month after the 5th.
    late_last_month: int = 0
    # Events of earlier months entered this month: late whenever they came in.
    late_earlier: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def late(self) -> int:
        """Events entered late this month (逾期录入), whatever month they happened in."""
        return self.late_last_month + self.late_earlier

    @property
    def last_month_total(self) -> int:
        return self.on_time + self.late_last_month


@dataclass
class MonthReport:
    today: date
    month: date  # first day of this month
    last_month: date  # first day of last month
    deadline: date  # the 5th of this month
    total: Timeliness
    rows: list[Timeliness]  # per village (township users) or per township (county users)

    @property
    def before_deadline(self) -> bool:
        return self.today <= self.deadline

    @property
    def days_left(self) -> int:
        """Days left to enter last month's events, today included."""
        return (self.deadline - self.today).days + 1 if self.before_deadline else 0

    @property
    def verdict(self) -> str:
        total = self.total
        earlier = (
            f"{total.late_earlier}条更早月份的事件本月补录（已逾期）" if total.late_earlier else ""
        )
        if self.before_deadline:
            text = (
                f"{self.last_month.month}月事件须于{self.deadline.month}月{DEADLINE_DAY}日前录入，"
                f"还剩{self.days_left}天（含今天）；已录入{total.on_time}条"
            )
            return f"{text}；另有{earlier}" if earlier else text
        if total.late:
            parts = []
            if total.late_last_month:
                parts.append(f"{total.late_last_month}条上月事件在{DEADLINE_DAY}日后录入")
            if earlier:
                parts.append(earlier)
            return "有" + "，".join(parts)
        return f"上月事件已于{DEADLINE_DAY}日前全部录入（共{total.on_time}条）"


def _row_level(user: Any) -> str | None:
    """The level of the rows of the monthly page: one below the user's unit, at most
    down to villages; None for a village worker (one row is the total)."""
    length = len(user.org_unit_id or "")
    if length >= CODE_LENGTH[Level.VILLAGE]:
        return None
    if length >= CODE_LENGTH[Level.TOWNSHIP]:
        return Level.VILLAGE
    return Level.TOWNSHIP


def month_report(user: Any, today: date) -> MonthReport:
    """This month's entry work for the user's jurisdiction as of `today` (a parameter,
    so tests and reports can ask about any day): events entered this month (those of
    earlier months among them late), and last month's events entered by the 5th or
    after it. Two grouped queries per event table."""
    this_start, last_start = month_start(today), previous_month_start(today)
    deadline = this_start.replace(day=DEADLINE_DAY)
    after_deadline = local_midnight(deadline + timedelta(days=1))
    month_from, month_to = local_midnight(this_start), local_midnight(next_month_start(today))

    level = _row_level(user)
    width = CODE_LENGTH[level] if level else None
    units: dict[str, OrgUnit] = {}
    if level:
        units = {u.code: u for u in scope(OrgUnit.objects.filter(level=level), user, "code")}
    rows: dict[str, Timeliness] = {code: Timeliness(unit) for code, unit in units.items()}
    total = Timeliness(user.org_unit)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    for model, date_field, label in EVENT_KINDS:
        scoped = scope(model.objects.all(), user, "unit")
        entered = (
            scoped.filter(entered_at__gte=month_from, entered_at__lt=month_to)
            .values("unit_id")
            .annotate(
                n=Count("id"),
                earlier=Count("id", filter=Q(**{f"{date_field}__lt": last_start})),
            )
        )
        for row in entered:
            counts[row["unit_id"]]["entered"] += row["n"]
            counts[row["unit_id"]]["late_earlier"] += row["earlier"]
            counts[row["unit_id"]][label] += row["n"]
        timeliness = (
            scoped.filter(**{f"{date_field}__gte": last_start, f"{date_field}__lt": this_start})
            .values("unit_id")
            .annotate(
                on_time=Count("id", filter=Q(entered_at__lt=after_deadline)),
                late=Count("id", filter=Q(entered_at__gte=after_deadline, entered_at__lt=month_to)),
            )
        )
        for row in timeliness:
            counts[row["unit_id"]]["on_time"] += row["on_time"]
            counts[row["unit_id"]]["late_last_month"] += row["late"]

    for unit_id, numbers in counts.items():
        targets = [total]
        if width and unit_id[:width] in rows:
            targets.append(rows[unit_id[:width]])
        for target in targets:
            target.entered_this_month += numbers.get("entered", 0)
            target.on_time += numbers.get("on_time", 0)
            target.late_last_month += numbers.get("late_last_month", 0)
            target.late_earlier += numbers.get("late_earlier", 0)
            for _, _, label in EVENT_KINDS:
                if numbers.get(label):
                    target.by_kind[label] = target.by_kind.get(label, 0) + numbers[label]

    return MonthReport(
        today=today,
        month=this_start,
        last_month=last_start,
        deadline=deadline,
        total=total,
        rows=sorted(rows.values(), key=lambda r: r.unit.code),
    )
