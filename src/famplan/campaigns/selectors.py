"""Reads of work plans and campaigns, always cut to the user's jurisdiction.

A user sees the plans made in their subtree and the plans addressed to a unit in it (a
township: its own plans and the county's plans addressed to it; a village: its
township's plans addressed to it). Of a plan's units, a user sees the progress only of
those in their subtree. A published bulletin is the owner's document to every unit it
was addressed to, so it is read whole (see docs/decisions.md, "Campaigns").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from famplan.campaigns.models import (
    Bulletin,
    Campaign,
    CampaignStatus,
    CampaignUnit,
    Dispatch,
    ProgressReport,
    Task,
    TaskTarget,
)
from famplan.common.dates import today
from famplan.orgunits.jurisdiction import code_prefix_filter, jurisdiction_code, scope
from famplan.orgunits.models import OrgUnit

# The home page's to-do names a plan whose next dispatch date is this close.
DUE_DAYS = 3
# How many of the last-placed units a bulletin names (后三名).
NAMED_LAST = 3


def campaigns_for_user(user: Any) -> QuerySet[Campaign]:
    code = jurisdiction_code(user)
    if code is None:
        return Campaign.objects.none()
    addressed = scope(CampaignUnit.objects.all(), user, "unit").values("campaign_id")
    return Campaign.objects.filter(Q(**code_prefix_filter("owner_id", code)) | Q(pk__in=addressed))


def get_campaign_for_user(user: Any, pk: Any) -> Campaign:
    try:
        return campaigns_for_user(user).select_related("owner").get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise Http404("记录不存在") from None


def get_dispatch_for_user(user: Any, pk: Any) -> Dispatch:
    try:
        return Dispatch.objects.select_related("campaign", "campaign__owner").get(
            pk=pk, campaign__in=campaigns_for_user(user).values("pk")
        )
    except (Dispatch.DoesNotExist, ValueError, TypeError):
        raise Http404("记录不存在") from None


def get_task_for_user(user: Any, pk: Any) -> Task:
    try:
        return Task.objects.select_related("campaign").get(
            pk=pk, campaign__in=campaigns_for_user(user).values("pk")
        )
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404("记录不存在") from None


def get_bulletin_for_user(user: Any, pk: Any) -> Bulletin:
    try:
        return Bulletin.objects.select_related(
            "dispatch", "dispatch__campaign", "dispatch__campaign__owner", "published_by"
        ).get(pk=pk, dispatch__campaign__in=campaigns_for_user(user).values("pk"))
    except (Bulletin.DoesNotExist, ValueError, TypeError):
        raise Http404("记录不存在") from None


def search_campaigns(
    user: Any,
    *,
    status: str | None = None,
    kind: str | None = None,
    year: int | None = None,
    owner: str | None = None,
    q: str | None = None,
) -> QuerySet[Campaign]:
    rows = campaigns_for_user(user)
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if year:
        rows = rows.filter(starts_on__year__lte=year, ends_on__year__gte=year)
    if owner:
        rows = rows.filter(owner_id=owner)
    if q:
        rows = rows.filter(title__contains=q)
    return (
        rows.select_related("owner")
        .annotate(unit_count=Count("units", distinct=True))
        .order_by("-starts_on", "-pk")
    )


def visible_units(user: Any, campaign: Campaign) -> list[OrgUnit]:
    """The plan's units whose progress the user may see: those in their subtree."""
    ids = scope(CampaignUnit.objects.filter(campaign=campaign), user, "unit").values("unit_id")
    return list(OrgUnit.objects.filter(code__in=ids).order_by("code"))


# --- standings -------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    target: int
    done: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.done / self.target, 1) if self.target else None


@dataclass
class Standing:
    unit: str
    name: str
    cells: list[Cell]
    rate: int  # per mille
    rank: int = 0
    late: bool = False
    named_last: bool = False
    passed: bool = False

    @property
    def percent(self) -> float:
        return self.rate / 10


@dataclass
class Standings:
    day: date
    tasks: list[Task]
    rows: list[Standing] = field(default_factory=list)
    # The day whose reports lateness is judged by (the latest dispatch date up to `day`).
    late_for: date | None = None


def completion_rate(cells: list[Cell]) -> int:
    """The mean of the tasks' completion (each capped at 100%), in per mille; tasks
    without a target for the unit are left out, and a unit with none is complete."""
    rates = [min(c.done, c.target) * 1000 // c.target for c in cells if c.target]
    return sum(rates) // len(rates) if rates else 1000


def _window_start(campaign: Campaign, day: date) -> tuple[date | None, date]:
    """(the dispatch date up to `day` whose lateness counts, the first day a report
    counts for it: the day after the dispatch before it, or the plan's start)."""
    days = sorted(campaign.dispatches.filter(day__lte=day).values_list("day", flat=True))
    if not days:
        return None, campaign.starts_on
    due = days[-1]
    start = days[-2] + timedelta(days=1) if len(days) > 1 else campaign.starts_on
    return due, start


def task_targets(campaign: Campaign, units: list[str]) -> dict[tuple[int, str], int]:
    """(task, unit) -> target of the plan's tasks for `units`: one query."""
    rows = TaskTarget.objects.filter(task__campaign=campaign, unit_id__in=units)
    return {(t, u): n for t, u, n in rows.values_list("task_id", "unit_id", "target")}


def reported_counts(tasks: list[Task], units: list[str], day: date) -> dict[tuple[int, str], int]:
    """Each unit's latest reported count per task up to `day`: one query."""
    manual = [t.pk for t in tasks if not t.linked]
    found: dict[tuple[int, str], int] = {}
    if not manual or not units:
        return found
    rows = (
        ProgressReport.objects.filter(task_id__in=manual, unit_id__in=units, reported_on__lte=day)
        .order_by("task_id", "unit_id", "reported_on", "pk")
        .values_list("task_id", "unit_id", "done")
    )
    for task, unit, done in rows.iterator():
        found[task, unit] = done  # in order: the latest stays
    return found


def measured_counts(
    user: Any, campaign: Campaign, tasks: list[Task], units: list[str], day: date
) -> dict[tuple[int, str], int]:
    """Counts of the linked tasks from the indicators' values table: each unit's months
    from the plan's first month to the month of `day` (or the plan's end): one query."""
    from famplan.indicators.periods import PeriodType
    from famplan.indicators.selectors import values_for_user

    linked = [t for t in tasks if t.linked]
    found: dict[tuple[int, str], int] = {}
    if not linked or not units:
        return found
    last = min(day, campaign.ends_on)
    rows = (
        values_for_user(user)
        .filter(
            period_type=PeriodType.MONTH,
            period_start__gte=campaign.starts_on.replace(day=1),
            period_start__lte=last.replace(day=1),
            measure__in={t.measure for t in linked},
            unit_id__in=units,
        )
        .values("unit_id", "measure")
        .annotate(total=Sum("value"))
        .order_by()
    )
    by_measure = {(r["measure"], r["unit_id"]): r["total"] for r in rows}
    for t in linked:
        for u in units:
            found[t.pk, u] = by_measure.get((t.measure, u), 0)
    return found


def late_units(tasks: list[Task], units: list[str], start: date, due: date) -> set[str]:
    """Units without a report of every reported task between `start` and `due`."""
    manual = {t.pk for t in tasks if not t.linked}
    if not manual:
        return set()
    reported = set(
        ProgressReport.objects.filter(
            task_id__in=manual, unit_id__in=units, reported_on__gte=start, reported_on__lte=due
        )
        .values_list("unit_id", "task_id")
        .distinct()
    )
    return {u for u in units if any((u, t) not in reported for t in manual)}


def standings(user: Any, campaign: Campaign, day: date, *, final: bool = False) -> Standings:
    """The progress of the plan's units the user sees, as of `day`, ranked by their
    completion rate (ties share a rank; order then by code)."""
    tasks = list(campaign.tasks.order_by("order", "pk"))
    units = visible_units(user, campaign)
    codes = [u.code for u in units]
    targets = task_targets(campaign, codes)
    done = reported_counts(tasks, codes, day) | measured_counts(user, campaign, tasks, codes, day)
    due, start = _window_start(campaign, day)
    late = late_units(tasks, codes, start, due) if due else set()
    rows = []
    for unit in units:
        cells = [
            Cell(targets.get((t.pk, unit.code), 0), done.get((t.pk, unit.code), 0)) for t in tasks
        ]
        rows.append(
            Standing(
                unit=unit.code,
                name=unit.name,
                cells=cells,
                rate=completion_rate(cells),
                late=unit.code in late,
                passed=all(c.done >= c.target for c in cells),
            )
        )
    rows.sort(key=lambda r: (-r.rate, r.unit))
    for i, row in enumerate(rows):
        row.rank = rows[i - 1].rank if i and rows[i - 1].rate == row.rate else i + 1
    # The last three places are named, unless a unit there has finished everything.
    for row in rows[max(len(rows) - NAMED_LAST, 1) :]:
        row.named_last = row.rate < 1000
    return Standings(day=day, tasks=tasks, rows=rows, late_for=due)


def bulletins(campaign: Campaign) -> dict[int, Bulletin]:
    """The plan's published bulletins by dispatch id."""
    return {b.dispatch_id: b for b in Bulletin.objects.filter(dispatch__campaign=campaign)}


def bulletin_rows(bulletin: Bulletin) -> list[dict[str, Any]]:
    """The frozen lines with their cells, as the page, the PDF and the .xlsx show them."""
    rows = []
    for line in bulletin.lines.all():
        cells = [Cell(target, done) for target, done in line.figures]
        rows.append({"line": line, "cells": cells})
    return rows


# --- the home page ---------------------------------------------------------------------


def reports_due_count(user: Any) -> int:
    """Plans addressed to the user's own unit with a dispatch date in the next DUE_DAYS
    days, not yet published, and no report from the unit since the dispatch date before
    it (or the plan's start): one count query."""
    day = today()
    unit = user.org_unit_id
    upcoming = Dispatch.objects.filter(
        campaign=OuterRef("pk"),
        day__gte=day,
        day__lte=day + timedelta(days=DUE_DAYS),
        bulletin__isnull=True,
    )
    last_passed = (
        Dispatch.objects.filter(campaign=OuterRef("pk"), day__lt=day)
        .order_by("-day")
        .values("day")[:1]
    )
    reported = ProgressReport.objects.filter(
        task__campaign=OuterRef("pk"), unit_id=unit, reported_on__gt=OuterRef("since")
    )
    manual = Task.objects.filter(campaign=OuterRef("pk"), measure="")
    return (
        Campaign.objects.filter(status=CampaignStatus.ACTIVE, units__unit_id=unit)
        .annotate(since=Coalesce(Subquery(last_passed), Value(date(1900, 1, 1))))
        .filter(Exists(upcoming), Exists(manual), ~Exists(reported))
        .count()
    )
