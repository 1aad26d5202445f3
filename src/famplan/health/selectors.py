"""Reads of the health records, always cut to the user's jurisdiction (the record's
village in `unit`): lists, the follow-up worklist, coverage against targets, and
folic acid rates per unit (one grouped query each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from famplan.common.dates import today
from famplan.common.idnumbers import normalize
from famplan.health.models import (
    CheckTarget,
    FolicAcidFollowUp,
    FolicAcidIssue,
    FollowUp,
    FollowUpStatus,
    PrePregnancyCheck,
)
from famplan.health.schedule import UPCOMING_DAYS
from famplan.orgunits.jurisdiction import code_prefix_filter, get_in_scope_or_404, scope
from famplan.orgunits.models import Level, OrgUnit


def _person_q(prefix: str, q: str) -> Q:
    value = normalize(q)
    if len(value) == 18 and value[:17].isdigit():
        return Q(**{f"{prefix}__id_number": value})
    return Q(**{f"{prefix}__name": q})


# --- checks --------------------------------------------------------------------------


def search_checks(
    user: Any,
    *,
    unit: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    risk_level: str | None = None,
    q: str | None = None,
) -> QuerySet[PrePregnancyCheck]:
    """Checks in the user's jurisdiction matching every filter, newest first. `q`: an
    ID number or a name of either spouse."""
    rows = scope(PrePregnancyCheck.objects.all(), user, "unit")
    if unit:
        rows = rows.filter(**code_prefix_filter("unit_id", unit))
    if date_from:
        rows = rows.filter(checked_on__gte=date_from)
    if date_to:
        rows = rows.filter(checked_on__lte=date_to)
    if risk_level:
        rows = rows.filter(risk_level=risk_level)
    q = (q or "").strip()
    if q:
        rows = rows.filter(_person_q("wife", q) | _person_q("husband", q))
    return rows.select_related("unit", "wife", "husband").order_by("-checked_on", "-pk")


def get_check_for_user(user: Any, pk: Any) -> PrePregnancyCheck:
    return get_in_scope_or_404(
        PrePregnancyCheck.objects.select_related("unit", "wife", "husband", "entered_by"),
        user,
        "unit",
        pk=pk,
    )


# --- the follow-up worklist ----------------------------------------------------------

STATE_CHOICES = [
    ("open", "待随访(到期及逾期)"),
    ("due", "到期未逾期"),
    ("overdue", "已逾期"),
    ("upcoming", f"即将开始({UPCOMING_DAYS}天内)"),
    ("done", "已随访"),
]


def followup_state(followup: FollowUp, on: date) -> str:
    """done, upcoming (not open yet), due (open, not past its due day) or overdue."""
    if followup.status == FollowUpStatus.DONE:
        return "done"
    if on < followup.opens_on:
        return "upcoming"
    return "due" if on <= followup.due_on else "overdue"


STATE_LABELS = {"done": "已随访", "upcoming": "未开始", "due": "到期", "overdue": "逾期"}


def worklist(
    user: Any,
    *,
    state: str = "open",
    kind: str | None = None,
    unit: str | None = None,
    on: date | None = None,
) -> QuerySet[FollowUp]:
    """Follow-ups of the user's villages in `state` on `on` (today), the most urgent
    first: one range on the (status, unit, due_on) index."""
    on = on or today()
    rows = scope(FollowUp.objects.all(), user, "unit")
    if unit:
        rows = rows.filter(**code_prefix_filter("unit_id", unit))
    if state == "done":
        rows = rows.filter(status=FollowUpStatus.DONE).order_by("-done_on", "-pk")
    else:
        rows = rows.filter(status=FollowUpStatus.OPEN)
        if state == "upcoming":
            rows = rows.filter(opens_on__gt=on, opens_on__lte=on + timedelta(days=UPCOMING_DAYS))
        else:
            rows = rows.filter(opens_on__lte=on)
            if state == "due":
                rows = rows.filter(due_on__gte=on)
            elif state == "overdue":
                rows = rows.filter(due_on__lt=on)
        rows = rows.order_by("due_on", "pk")
    if kind:
        rows = rows.filter(kind=kind)
    return rows.select_related("unit", "check_record__wife", "check_record__husband")


def worklist_counts(user: Any, on: date | None = None) -> dict[str, int]:
    """How many follow-ups are due and overdue in the user's villages (one query)."""
    on = on or today()
    rows = scope(FollowUp.objects.filter(status=FollowUpStatus.OPEN), user, "unit").filter(
        opens_on__lte=on
    )
    counts = rows.aggregate(
        due=Count("pk", filter=Q(due_on__gte=on)), overdue=Count("pk", filter=Q(due_on__lt=on))
    )
    return {"due": counts["due"] or 0, "overdue": counts["overdue"] or 0}


def get_followup_for_user(user: Any, pk: Any) -> FollowUp:
    return get_in_scope_or_404(
        FollowUp.objects.select_related(
            "unit", "done_by", "check_record__wife", "check_record__husband"
        ),
        user,
        "unit",
        pk=pk,
    )


# --- targets and coverage ------------------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    township: OrgUnit
    target: int | None
    done: int
    basis: str

    @property
    def rate(self) -> float | None:
        return self.done / self.target * 100 if self.target else None


def coverage(user: Any, year: int) -> list[CoverageRow]:
    """Per township of the user's jurisdiction: the year's target and the couples
    checked so far (checks grouped by township code prefix, one query)."""
    townships = list(
        scope(OrgUnit.objects.filter(level=Level.TOWNSHIP), user, "code").order_by("code")
    )
    if not townships:
        # Targets are set per township: a village has none of its own to cover.
        return []
    codes = [t.code for t in townships]
    targets = {t.township_id: t for t in CheckTarget.objects.filter(year=year, township__in=codes)}
    done = dict(
        scope(PrePregnancyCheck.objects.all(), user, "unit")
        .filter(checked_on__gte=date(year, 1, 1), checked_on__lte=date(year, 12, 31))
        .annotate(township=Substr("unit_id", 1, 9))
        .values("township")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("township", "n")
    )
    return [
        CoverageRow(
            t,
            targets[t.code].target if t.code in targets else None,
            done.get(t.code, 0),
            targets[t.code].basis if t.code in targets else "",
        )
        for t in townships
    ]


# --- folic acid ----------------------------------------------------------------------


def search_folic(
    user: Any,
    *,
    unit: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: str | None = None,
) -> QuerySet[FolicAcidIssue]:
    rows = scope(FolicAcidIssue.objects.all(), user, "unit")
    if unit:
        rows = rows.filter(**code_prefix_filter("unit_id", unit))
    if date_from:
        rows = rows.filter(issued_on__gte=date_from)
    if date_to:
        rows = rows.filter(issued_on__lte=date_to)
    q = (q or "").strip()
    if q:
        rows = rows.filter(_person_q("woman", q))
    return rows.select_related("unit", "woman").order_by("-issued_on", "-pk")


def get_issue_for_user(user: Any, pk: Any) -> FolicAcidIssue:
    return get_in_scope_or_404(
        FolicAcidIssue.objects.select_related("unit", "woman", "entered_by"), user, "unit", pk=pk
    )


@dataclass(frozen=True)
class RateRow:
    unit: OrgUnit
    visits: int
    aware: int
    taking: int
    compliant: int

    @property
    def awareness(self) -> float | None:
        return self.aware / self.visits * 100 if self.visits else None

    @property
    def uptake(self) -> float | None:
        return self.taking / self.visits * 100 if self.visits else None

    @property
    def compliance(self) -> float | None:
        # Of the women taking it, those who take it as advised.
        return self.compliant / self.taking * 100 if self.taking else None


def folic_rates(
    user: Any, *, date_from: date, date_to: date, level: str = Level.TOWNSHIP
) -> list[RateRow]:
    """Awareness, uptake and compliance per township (or village) of the user's
    jurisdiction, over the follow-up visits of the period: one grouped query."""
    length = 9 if level == Level.TOWNSHIP else 12
    rows = (
        scope(FolicAcidFollowUp.objects.all(), user, "unit")
        .filter(visited_on__gte=date_from, visited_on__lte=date_to)
        .annotate(code=Substr("unit_id", 1, length))
        .values("code")
        .annotate(
            visits=Count("pk"),
            aware=Count("pk", filter=Q(aware=True)),
            taking=Count("pk", filter=Q(taking=True)),
            compliant=Count("pk", filter=Q(compliant=True)),
        )
        .order_by("code")
    )
    rows = list(rows)
    units = OrgUnit.objects.in_bulk([r["code"] for r in rows])
    return [
        RateRow(units[r["code"]], r["visits"], r["aware"], r["taking"], r["compliant"])
        for r in rows
        if r["code"] in units
    ]


def rates_total(rows: list[RateRow], unit: OrgUnit) -> RateRow:
    return RateRow(
        unit,
        sum(r.visits for r in rows),
        sum(r.aware for r in rows),
        sum(r.taking for r in rows),
        sum(r.compliant for r in rows),
    )
