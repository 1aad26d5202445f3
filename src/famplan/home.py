"""The home page: the user's unit's figures (from the indicators' values table) and the
user's to-do list, one line for each kind of work waiting, with a link into it.

It stands above every app, like urls.py: each line is one count query through that
app's own scoped selector, asked only of a user who may open the page it links to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from famplan.accounts.roles import Cap
from famplan.common.dates import today
from famplan.orgunits.models import CODE_LENGTH, Level

# Failed imports and other jobs stay on the list this long.
FAILED_JOBS_DAYS = 30


@dataclass(frozen=True)
class Todo:
    label: str
    count: int
    url: str
    urgent: bool = False  # overdue work: shown first and marked


def _followups(user: Any) -> list[Todo]:
    from famplan.health.selectors import worklist_counts

    counts = worklist_counts(user)
    url = reverse("health:worklist")
    return [
        Todo("逾期未随访", counts["overdue"], f"{url}?state=overdue", urgent=True),
        Todo("到期待随访", counts["due"], f"{url}?state=due"),
    ]


def _late_entries(user: Any) -> list[Todo]:
    # From the indicators' values table (as fresh as its last run), as the figures are:
    # counting live would be two grouped queries per event table on every home page.
    from famplan.indicators.periods import month_period
    from famplan.indicators.selectors import unit_figures
    from famplan.registry.selectors.month import previous_month_start

    last_month = month_period(previous_month_start(today()))
    counts = unit_figures(user, [last_month])[last_month]
    late = counts.get("events_due", 0) - counts.get("events_on_time", 0)
    return [Todo("上月事件逾期录入", late, reverse("registry:this_month"), urgent=True)]


def _failed_jobs(user: Any) -> list[Todo]:
    from famplan.jobs.models import JobStatus
    from famplan.jobs.selectors import jobs_for_user

    since = timezone.now() - timedelta(days=FAILED_JOBS_DAYS)
    failed = jobs_for_user(user).filter(status=JobStatus.FAILED, created_at__gte=since).count()
    return [Todo(f"近{FAILED_JOBS_DAYS}天失败的导入和任务", failed, reverse("jobs:list"))]


def _registrations(user: Any) -> list[Todo]:
    from famplan.registration.selectors import pending_count

    return [
        Todo(
            "待核实的生育登记",
            pending_count(user),
            f"{reverse('registration:list')}?status=pending",
        )
    ]


def _benefit_reviews(user: Any) -> list[Todo]:
    from famplan.benefits.models import CycleStatus, Entry, EntryStatus
    from famplan.orgunits.jurisdiction import scope

    # What waits for the user's level: a village reviews the candidates, a township what
    # its villages passed and the suspected duplicates, the county what townships passed.
    length = len(user.org_unit_id or "")
    if length >= CODE_LENGTH[Level.VILLAGE]:
        waiting = [EntryStatus.CANDIDATE]
    elif length >= CODE_LENGTH[Level.TOWNSHIP]:
        waiting = [EntryStatus.VILLAGE_APPROVED, EntryStatus.DUPLICATE]
    else:
        waiting = [EntryStatus.TOWNSHIP_APPROVED]
    in_open_cycles = Entry.objects.filter(
        cycle__status__in=[CycleStatus.OPEN, CycleStatus.REVIEW], status__in=waiting
    )
    count = scope(in_open_cycles, user, "unit").count()
    return [Todo("待审核的扶助对象", count, reverse("benefits:home"))]


def _family_visits(user: Any) -> list[Todo]:
    from famplan.care import rules
    from famplan.care.models import TargetKind
    from famplan.care.selectors import due_queryset

    # Due today or before: the worklist's own query with nothing ahead (within=0).
    kind = TargetKind.FAMILY
    interval = rules.interval_days(kind)
    count = due_queryset(user, kind, interval, 0).count()
    url = f"{reverse('care:worklist')}?kind={kind}&interval={interval}&within=0"
    return [Todo("到期待走访的计生特殊家庭", count, url)]


def _campaign_reports(user: Any) -> list[Todo]:
    from famplan.campaigns.selectors import reports_due_count

    return [Todo("待报送的工作进度", reports_due_count(user), reverse("campaigns:list"))]


# (the capabilities the lines need: the data's and the linked page's; the lines)
TODO_SOURCES = [
    ((Cap.HEALTH_FOLLOWUP_RECORD,), _followups),
    ((Cap.INDICATORS_VIEW, Cap.REGISTRY_EDIT), _late_entries),
    ((Cap.REGISTRATION_HANDLE,), _registrations),
    ((Cap.BENEFITS_REVIEW,), _benefit_reviews),
    ((Cap.CARE_VIEW, Cap.CARE_VISIT), _family_visits),
    ((Cap.CAMPAIGNS_REPORT, Cap.CAMPAIGNS_VIEW), _campaign_reports),
    ((Cap.JOBS_VIEW,), _failed_jobs),
]


def todo_list(user: Any) -> list[Todo]:
    """The user's waiting work, overdue first; lines with nothing waiting are left out."""
    items = [
        item
        for caps, source in TODO_SOURCES
        if all(user.can(cap) for cap in caps)
        for item in source(user)
        if item.count
    ]
    return sorted(items, key=lambda item: not item.urgent)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from famplan.indicators.selectors import home_figures

    user = request.user
    figures = home_figures(user, today()) if user.can(Cap.INDICATORS_VIEW) else None
    return render(request, "home.html", {"figures": figures, "todos": todo_list(user)})
