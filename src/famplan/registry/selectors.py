"""Reads of the population registry, always cut to the user's jurisdiction.

Hot paths (search by ID number, by name) are one indexed query each: the ID number is
an equality on its unique index, a name prefix a range on the (name, unit) index, and
the jurisdiction a range on the unit code.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Model, Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property

from famplan.common.idnumbers import mask_id_number, normalize
from famplan.orgunits.jurisdiction import code_prefix_filter, get_in_scope_or_404, scope
from famplan.orgunits.models import CODE_LENGTH, Level, OrgUnit
from famplan.registry.models import (
    Birth,
    Death,
    Household,
    HouseholdChange,
    Marriage,
    MarriageEnd,
    Migration,
    Person,
    PersonStatus,
    ResidenceChange,
    Sex,
)

# Above every character a name can hold, CJK Extension B (生僻字 in real names) included:
# name >= q AND name < q + NAME_CEILING is "name starts with q" as a plain index range
# (binary comparison on SQLite, code-point order under PostgreSQL's C collation).
NAME_CEILING = "\U0010ffff"

# Counting past this many rows tells the user nothing a filter would not: pages show
# "10000+" instead of a COUNT(*) over the whole county on every page view.
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A paginator that counts at most COUNT_CAP + 1 rows (a LIMITed subquery)."""

    cap = COUNT_CAP

    @cached_property
    def raw_count(self) -> int:
        # Unordered: any cap + 1 matching rows will do, so no sort of the whole match.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.raw_count, self.cap)

    @property
    def capped(self) -> bool:
        return self.raw_count > self.cap

    @property
    def count_display(self) -> str:
        return f"{self.cap}+" if self.capped else str(self.count)

    def page(self, number: Any) -> Any:
        """The page's rows in two steps: first their keys, sorted from the index alone,
        then those rows with their joins. Sorting whole joined rows made a county's
        birth list take half a second; sorting narrow index entries takes a tenth."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        keys = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        rows = list(self.object_list.filter(pk__in=keys)) if keys else []
        return self._get_page(rows, number, self)


# ---------------------------------------------------------------- people


def people_for_user(user: Any) -> QuerySet[Person]:
    return village_equality(scope(Person.objects.all(), user, "unit"), user.org_unit_id)


def village_equality(queryset: QuerySet, code: str | None) -> QuerySet:
    """Add `unit_id = code` where `code` is a village: the range the jurisdiction filter
    writes holds one value then, and SQLite's planner, which cannot tell how narrow a
    range is, picks the unit index for an equality instead of a wide date index."""
    if code and len(code) == CODE_LENGTH[Level.VILLAGE]:
        return queryset.filter(unit_id=code)
    return queryset


def search_people(
    user: Any,
    *,
    q: str | None = None,
    id_number: str | None = None,
    name: str | None = None,
    unit: str | None = None,
    status: str | None = None,
    sex: str | None = None,
    born_from: date | None = None,
    born_to: date | None = None,
    has_id: bool | None = None,
) -> QuerySet[Person]:
    """People in the user's jurisdiction matching every given filter, their villages
    fetched with the page.

    `q` is a quick search: an 18-character value is an ID number, anything else a name.
    """
    people = people_for_user(user)
    q = (q or "").strip()
    if q:
        if len(q) == 18 and q[:17].isdigit():
            id_number = id_number or q
        else:
            name = name or q
    if id_number:
        people = people.filter(id_number=normalize(id_number))
    if name:
        name = name.strip()
        people = people.filter(name__gte=name, name__lt=name + NAME_CEILING)
    if unit:
        # A township code selects all its villages; a village code just that village.
        people = village_equality(people.filter(**code_prefix_filter("unit_id", unit)), unit)
    if status:
        people = people.filter(status=status)
    if sex:
        people = people.filter(sex=sex)
    if born_from:
        people = people.filter(birth_date__gte=born_from)
    if born_to:
        people = people.filter(birth_date__lte=born_to)
    if has_id is True:
        people = people.filter(id_number__isnull=False)
    elif has_id is False:
        people = people.filter(id_number__isnull=True)
    # The order is one an index gives, so a page reads 50 rows instead of sorting every
    # match: by name along the (name, unit) index for a name search, else village by
    # village along the unit index (sorting by name within one village at a time).
    # The village names of a page come in one extra query (prefetch), not a join: with
    # the join, SQLite walks every village of the jurisdiction and sorts all its people
    # (1.8 s for a county) instead of reading an index in order.
    ordering = ("name", "unit_id", "id") if name else ("unit_id", "name", "id")
    return people.prefetch_related("unit").order_by(*ordering)


def get_person_for_user(user: Any, pk: int) -> Person:
    queryset = Person.objects.select_related("unit", "household", "hukou_unit", "entered_by")
    return get_in_scope_or_404(queryset, user, "unit", pk=pk)


SEX_LABELS = dict(Sex.choices)
STATUS_LABELS = dict(PersonStatus.choices)

EXPORT_COLUMNS: list[tuple[str, float]] = [
    ("姓名", 12),
    ("身份证号", 21),
    ("性别", 6),
    ("出生日期", 12),
    ("民族", 8),
    ("村(居)代码", 14),
    ("村(居)", 14),
    ("户号", 18),
    ("状态", 10),
]


def id_for_export(id_number: str | None, full_ids: bool) -> str:
    """The ID number as an export shows it: masked unless the full numbers were asked
    for (by a user with the right, which the view checks and the audit row records)."""
    return (id_number or "") if full_ids else mask_id_number(id_number)


def export_rows(people: QuerySet[Person], *, full_ids: bool) -> Iterator[tuple]:
    """Rows for the people export: one query (the village and household joined),
    streamed in chunks; ID numbers masked unless `full_ids`."""
    rows = (
        people.order_by("unit_id", "name", "id")
        .values_list(
            "name",
            "id_number",
            "sex",
            "birth_date",
            "ethnicity",
            "unit_id",
            "unit__name",
            "household__number",
            "status",
        )
        .iterator(chunk_size=5000)
    )
    for name, id_number, sex, born, ethnicity, unit_id, unit_name, hh, status in rows:
        yield (
            name,
            id_for_export(id_number, full_ids),
            SEX_LABELS.get(sex, sex),
            born,
            ethnicity,
            unit_id,
            unit_name,
            hh,
            STATUS_LABELS.get(status, status),
        )


# ---------------------------------------------------------------- households


def households_for_user(user: Any) -> QuerySet[Household]:
    return village_equality(scope(Household.objects.all(), user, "unit"), user.org_unit_id)


def search_households(
    user: Any,
    *,
    number: str | None = None,
    unit: str | None = None,
    head_name: str | None = None,
    include_dissolved: bool = False,
) -> QuerySet[Household]:
    households = households_for_user(user)
    if number:
        number = number.strip()
        households = households.filter(number__gte=number, number__lt=number + NAME_CEILING)
    if unit:
        households = village_equality(
            households.filter(**code_prefix_filter("unit_id", unit)), unit
        )
    if head_name:
        head_name = head_name.strip()
        households = households.filter(
            head__name__gte=head_name, head__name__lt=head_name + NAME_CEILING
        )
    if not include_dissolved:
        households = households.filter(dissolved_on__isnull=True)
    # Villages by prefetch, not a join: see search_people. Household numbers start
    # with the village code, so number order is village order too.
    return households.select_related("head").prefetch_related("unit").order_by("number")


def member_counts(household_ids: list[int]) -> dict[int, int]:
    """Members per household for one page of a list: one grouped query."""
    rows = (
        Person.objects.filter(household_id__in=household_ids)
        .values("household_id")
        .annotate(n=Count("id"))
    )
    return {row["household_id"]: row["n"] for row in rows}


def get_household_for_user(user: Any, pk: int) -> Household:
    queryset = Household.objects.select_related("unit", "head")
    return get_in_scope_or_404(queryset, user, "unit", pk=pk)


def get_marriage_for_user(user: Any, pk: int) -> Marriage:
    """A marriage of the user's jurisdiction (its unit is the wife's village), or 404."""
    queryset = Marriage.objects.select_related("husband", "wife", "unit")
    return get_in_scope_or_404(queryset, user, "unit", pk=pk)


def get_migration_for_user(user: Any, pk: int) -> Migration:
    queryset = Migration.objects.select_related("person", "unit")
    return get_in_scope_or_404(queryset, user, "unit", pk=pk)


def household_members(household: Household) -> list[Person]:
    """Members, the head first, then by birth date."""
    members = list(household.members.select_related("unit").order_by("birth_date", "id"))
    members.sort(key=lambda p: p.pk != household.head_id)
    return members


# ---------------------------------------------------------------- timeline


@dataclass(frozen=True)
class TimelineEntry:
    day: date
    kind: str
    text: str
    # Another person the event links to (a child, a spouse, a parent), if any.
    other: Person | None = None


def person_timeline(person: Person) -> list[TimelineEntry]:
    """The person's life events, oldest first: one query per event table (six in all,
    whatever the number of events)."""
    pk = person.pk
    entries: list[TimelineEntry] = []

    births = Birth.objects.filter(Q(child_id=pk) | Q(mother_id=pk) | Q(father_id=pk))
    for birth in births.select_related("child", "mother", "father"):
        if birth.child_id == pk:
            parents = "、".join(p.name for p in (birth.mother, birth.father) if p)
            entries.append(
                TimelineEntry(birth.born_on, "出生", f"出生，父母：{parents}", birth.mother)
            )
        else:
            role = "母亲" if birth.mother_id == pk else "父亲"
            entries.append(
                TimelineEntry(
                    birth.born_on,
                    "生育",
                    f"第{birth.birth_order}孩出生（{birth.get_sex_display()}）：{birth.child.name}"
                    f"，本人为{role}",
                    birth.child,
                )
            )

    deaths = list(Death.objects.filter(person_id=pk))
    for death in deaths:
        text = "死亡" + (f"，原因：{death.cause}" if death.cause else "")
        entries.append(TimelineEntry(death.died_on, "死亡", text))

    marriages = Marriage.objects.filter(Q(husband_id=pk) | Q(wife_id=pk))
    for marriage in marriages.select_related("husband", "wife"):
        spouse = marriage.wife if marriage.husband_id == pk else marriage.husband
        entries.append(
            TimelineEntry(
                marriage.married_on,
                "结婚",
                f"{marriage.get_kind_display()}，配偶：{spouse.name}",
                spouse,
            )
        )
        # A marriage ended by this person's own death is told by the death entry.
        own_death = marriage.end_cause == MarriageEnd.DEATH and any(
            d.died_on == marriage.ended_on for d in deaths
        )
        if marriage.ended_on and not own_death:
            cause = marriage.get_end_cause_display() or "婚姻终止"
            entries.append(
                TimelineEntry(
                    marriage.ended_on, cause, f"与{spouse.name}的婚姻终止（{cause}）", spouse
                )
            )

    for migration in Migration.objects.filter(person_id=pk):
        where = "流入，来自" if migration.direction == "in" else "流出，前往"
        label = migration.get_direction_display()
        entries.append(TimelineEntry(migration.moved_on, label, where + migration.place))
        if migration.returned_on:
            entries.append(TimelineEntry(migration.returned_on, "返回", "流动结束（返回）"))

    units = {person.unit_id}
    changes = ResidenceChange.objects.filter(person_id=pk).select_related("from_unit", "unit")
    for change in changes:
        units.update((change.unit_id, change.from_unit_id))
        if change.place and change.unit_id == change.from_unit_id:
            entries.append(TimelineEntry(change.moved_on, "迁出", f"户口迁出，迁往{change.place}"))
        else:
            entries.append(
                TimelineEntry(
                    change.moved_on,
                    "居住地变更",
                    f"由{change.from_unit.name}迁至{change.unit.name}",
                )
            )

    entries.extend(_household_change_entries(person, units))
    entries.sort(key=lambda e: e.day)
    return entries


def _household_change_entries(person: Person, units: set[str]) -> list[TimelineEntry]:
    """Splits and merges that moved the person. They list the people they moved (a JSON
    array): PostgreSQL finds them with the array's containment; elsewhere, the changes
    of the villages the person lived in are read in one query and filtered here."""
    changes = HouseholdChange.objects.filter(unit_id__in=units, changed_on__gte=person.birth_date)
    if connection.features.supports_json_field_contains:
        changes = changes.filter(person_ids__contains=[person.pk])
    entries = []
    for change in changes.select_related("from_household", "to_household"):
        if person.pk in (change.person_ids or []):
            kind = change.get_kind_display()
            entries.append(
                TimelineEntry(
                    change.changed_on,
                    kind,
                    f"{kind}：由户{change.from_household.number}到户{change.to_household.number}",
                )
            )
    return entries


# ---------------------------------------------------------------- monthly entry

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


@dataclass(frozen=True)
class EnteredEvent:
    kind: str
    day: date
    entered_at: datetime
    unit: OrgUnit
    person: Person | None
    text: str


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
    """Last month's events of one unit (or all units): entered by the deadline or late."""

    unit: OrgUnit | None
    entered_this_month: int = 0
    on_time: int = 0
    late: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def last_month_total(self) -> int:
        return self.on_time + self.late


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
        label = f"{self.last_month.month}月"
        if self.before_deadline:
            return (
                f"{label}事件须于{self.deadline.month}月{DEADLINE_DAY}日前录入，"
                f"还剩{self.days_left}天（含今天）；已录入{self.total.on_time}条"
            )
        if self.total.late:
            return f"有{self.total.late}条上月事件在{DEADLINE_DAY}日后录入"
        return f"上月事件已于{DEADLINE_DAY}日前全部录入（共{self.total.on_time}条）"


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
    so tests and reports can ask about any day): events entered this month, and last
    month's events entered by the 5th or late. Two grouped queries per event table."""
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
            .annotate(n=Count("id"))
        )
        for row in entered:
            counts[row["unit_id"]]["entered"] += row["n"]
            counts[row["unit_id"]][label] += row["n"]
        timeliness = (
            scoped.filter(**{f"{date_field}__gte": last_start, f"{date_field}__lt": this_start})
            .values("unit_id")
            .annotate(
                on_time=Count("id", filter=Q(entered_at__lt=after_deadline)),
                late=Count("id", filter=Q(entered_at__gte=after_deadline)),
            )
        )
        for row in timeliness:
            counts[row["unit_id"]]["on_time"] += row["on_time"]
            counts[row["unit_id"]]["late"] += row["late"]

    for unit_id, numbers in counts.items():
        targets = [total]
        if width and unit_id[:width] in rows:
            targets.append(rows[unit_id[:width]])
        for target in targets:
            target.entered_this_month += numbers.get("entered", 0)
            target.on_time += numbers.get("on_time", 0)
            target.late += numbers.get("late", 0)
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
