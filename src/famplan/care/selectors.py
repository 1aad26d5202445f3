"""Reads of the care app, always cut to the user's jurisdiction (the records' village):
the family register, visits, assignments, the worklist of visits due, the assignments
without a visit in a period and the coverage per township. Lists are querysets (one
query per page, whatever the rows); figures are grouped queries, never a loop over
units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Substr

from famplan.care import rules
from famplan.care.models import (
    Assignment,
    FamilyStatus,
    Help,
    SpecialFamily,
    TargetKind,
    Visit,
)
from famplan.common.dates import today
from famplan.orgunits.jurisdiction import code_prefix_filter, get_in_scope_or_404, scope
from famplan.orgunits.models import CODE_LENGTH, Level, OrgUnit
from famplan.registry.models import Household

TOWNSHIP = CODE_LENGTH[Level.TOWNSHIP]


def month_bounds(month: date) -> tuple[date, date]:
    """The first and the last day of `month`'s month."""
    first = month.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt - timedelta(days=1)


def open_between(first: date, last: date, prefix: str = "") -> Q:
    """Assignments (or a relation to them, `prefix`) in force on some day of [first, last]."""
    return Q(**{f"{prefix}starts_on__lte": last}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": first})
    )


def open_now(prefix: str = "") -> Q:
    return Q(**{f"{prefix}ends_on__isnull": True})


# --- special families ------------------------------------------------------------------


def families_for_user(user: Any) -> QuerySet[SpecialFamily]:
    return scope(SpecialFamily.objects.all(), user, "unit")


def _open_contacts() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(ends_on__isnull=True).order_by("side", "pk"),
        to_attr="contacts",
    )


def families_of_person(user: Any, person: Any) -> list[SpecialFamily]:
    """The special families in the user's scope that the person is a member of (mother,
    father or the only child), with their open contacts and last visit: two queries."""
    return list(
        families_for_user(user)
        .filter(Q(mother=person) | Q(father=person) | Q(child=person))
        .annotate(last_visit=Max("visits__visited_on"))
        .prefetch_related(_open_contacts())
        .order_by("-pk")
    )


def search_families(
    user: Any,
    *,
    unit: str | None = None,
    kind: str | None = None,
    status: str | None = FamilyStatus.CONFIRMED,
    need: str | None = None,
    name: str | None = None,
    no_contact: bool = False,
) -> QuerySet[SpecialFamily]:
    rows = families_for_user(user).exclude(status=FamilyStatus.DISMISSED)
    if unit:
        rows = rows.filter(**code_prefix_filter("unit_id", unit))
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if name:
        rows = rows.filter(name__contains=name)
    if need:
        # A JSON list of short codes: a text match is exact enough and portable.
        rows = rows.filter(needs__icontains=f'"{need}"')
    if no_contact:
        both = Assignment.objects.filter(family=OuterRef("pk"), ends_on__isnull=True)
        rows = rows.annotate(
            sides=Subquery(
                both.order_by()
                .values("family")
                .annotate(n=Count("side", distinct=True))
                .values("n")
            )
        ).filter(Q(sides__isnull=True) | Q(sides__lt=2))
    return (
        rows.annotate(last_visit=Max("visits__visited_on"))
        .select_related("unit", "unit__parent")
        .prefetch_related(_open_contacts())
        .order_by("unit_id", "name", "pk")
    )


def get_family_for_user(user: Any, pk: Any) -> SpecialFamily:
    return get_in_scope_or_404(
        SpecialFamily.objects.select_related(
            "unit", "unit__parent", "mother", "father", "child", "confirmed_by"
        ),
        user,
        "unit",
        pk=pk,
    )


def family_page(family: SpecialFamily) -> dict[str, Any]:
    """A family's contacts, visits and help, three queries."""
    return {
        "assignments": list(
            Assignment.objects.filter(family=family)
            .select_related("user")
            .order_by("ends_on", "side", "-starts_on")
        ),
        "visits": list(
            Visit.objects.filter(family=family)
            .select_related("assignment")
            .order_by("-visited_on", "-pk")[:50]
        ),
        "helps": list(Help.objects.filter(family=family).order_by("-given_on", "-pk")[:50]),
    }


# --- visits ----------------------------------------------------------------------------


def search_visits(
    user: Any,
    *,
    unit: str | None = None,
    kind: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    visitor: str | None = None,
) -> QuerySet[Visit]:
    rows = scope(Visit.objects.all(), user, "unit")
    if unit:
        rows = rows.filter(**code_prefix_filter("unit_id", unit))
    if kind:
        rows = rows.filter(target_kind=kind)
    if date_from:
        rows = rows.filter(visited_on__gte=date_from)
    if date_to:
        rows = rows.filter(visited_on__lte=date_to)
    if visitor:
        rows = rows.filter(visitor_name__contains=visitor)
    return rows.select_related(
        "unit", "unit__parent", "household", "family", "assignment"
    ).order_by("-visited_on", "-pk")


def target_label(record: Any) -> str:
    """What an assignment or a visit is about, in words."""
    if record.target_kind == TargetKind.FAMILY:
        return f"特殊家庭 {record.family.name}" if record.family_id else "特殊家庭"
    if record.target_kind == TargetKind.HOUSEHOLD:
        return f"户 {record.household.number}" if record.household_id else "户"
    return f"包村 {record.unit.name}"


# --- assignments -------------------------------------------------------------------------


def search_assignments(
    user: Any,
    *,
    unit: str | None = None,
    kind: str | None = None,
    role: str | None = None,
    name: str | None = None,
    current: bool | None = True,
) -> QuerySet[Assignment]:
    rows = scope(Assignment.objects.all(), user, "unit")
    if unit:
        rows = rows.filter(**code_prefix_filter("unit_id", unit))
    if kind:
        rows = rows.filter(target_kind=kind)
    if role:
        rows = rows.filter(role=role)
    if name:
        rows = rows.filter(name__contains=name)
    if current is True:
        rows = rows.filter(ends_on__isnull=True)
    elif current is False:
        rows = rows.filter(ends_on__isnull=False)
    return rows.select_related("unit", "unit__parent", "household", "family", "user").order_by(
        "unit_id", "target_kind", "pk"
    )


def get_assignment_for_user(user: Any, pk: Any) -> Assignment:
    return get_in_scope_or_404(
        Assignment.objects.select_related("unit", "household", "family"), user, "unit", pk=pk
    )


def unvisited(
    user: Any,
    month: date,
    *,
    unit: str | None = None,
    kind: str | None = None,
    role: str | None = None,
) -> QuerySet[Assignment]:
    """Assignments in force during the month without a visit logged against them in it."""
    first, last = month_bounds(month)
    done = Visit.objects.filter(
        assignment=OuterRef("pk"), visited_on__gte=first, visited_on__lte=last
    )
    rows = search_assignments(user, unit=unit, kind=kind, role=role, current=None)
    last_visit = Visit.objects.filter(assignment=OuterRef("pk")).order_by().values("assignment")
    return (
        rows.filter(open_between(first, min(last, today())))
        .filter(~Exists(done))
        .annotate(last_visit=Subquery(last_visit.annotate(m=Max("visited_on")).values("m")))
    )


# --- the worklist ------------------------------------------------------------------------


@dataclass
class DueRow:
    kind: str
    pk: Any  # family pk, household pk or village code
    label: str
    unit: OrgUnit
    last_visit: date | None
    due_on: date
    responsible: list[str]

    @property
    def overdue(self) -> bool:
        return self.due_on < today()

    @property
    def query(self) -> str:
        return f"{self.kind}={self.pk}"


# Never visited first, then the longest since a visit (both databases alike).
NEVER_FIRST = F("last").asc(nulls_first=True)


def due_queryset(
    user: Any, kind: str, interval: int, within: int, unit: str | None = None
) -> QuerySet:
    """The targets of one kind whose next visit is due by today + `within` days, most
    overdue first: confirmed special families, or households and villages with a
    responsibility in force."""
    cutoff = rules.last_visit_cutoff(today(), interval, within)
    due = Q(last__isnull=True) | Q(last__lte=cutoff)
    if kind == TargetKind.FAMILY:
        rows = families_for_user(user).filter(status=FamilyStatus.CONFIRMED)
        if unit:
            rows = rows.filter(**code_prefix_filter("unit_id", unit))
        rows = rows.annotate(last=Max("visits__visited_on"), since=Min("confirmed_on"))
        return (
            rows.filter(due)
            .select_related("unit")
            .prefetch_related(_open_contacts())
            .order_by(NEVER_FIRST, "unit_id", "pk")
        )
    held = Assignment.objects.filter(target_kind=kind, ends_on__isnull=True)
    if kind == TargetKind.HOUSEHOLD:
        rows = scope(Household.objects.all(), user, "unit").filter(dissolved_on__isnull=True)
        held = held.filter(household=OuterRef("pk"))
        visits = Visit.objects.filter(target_kind=kind, household=OuterRef("pk"))
        related = "head"
    else:
        rows = scope(OrgUnit.objects.filter(level=Level.VILLAGE), user, "code")
        held = held.filter(unit=OuterRef("pk"))
        visits = Visit.objects.filter(target_kind=kind, unit=OuterRef("pk"))
        related = "parent"
    if unit:
        rows = rows.filter(
            **code_prefix_filter("unit_id" if kind == TargetKind.HOUSEHOLD else "code", unit)
        )
    since = held.order_by().values("target_kind").annotate(m=Min("starts_on")).values("m")
    last = visits.order_by().values("target_kind").annotate(m=Max("visited_on")).values("m")
    rows = rows.annotate(since=Subquery(since), last=Subquery(last)).filter(since__isnull=False)
    return rows.filter(due).select_related(related).order_by(NEVER_FIRST, "pk")


def due_rows(kind: str, page: list[Any], interval: int) -> list[DueRow]:
    """A page of the worklist with who answers for each target (one query)."""
    if kind == TargetKind.FAMILY:
        return [
            DueRow(
                kind,
                f.pk,
                f"{f.name}（{f.get_kind_display()[:2]}）",
                f.unit,
                f.last,
                rules.due_on(f.last, f.confirmed_on or today(), interval),
                [a.name for a in f.contacts],
            )
            for f in page
        ]
    held = Assignment.objects.filter(target_kind=kind, ends_on__isnull=True)
    if kind == TargetKind.HOUSEHOLD:
        held = held.filter(household_id__in=[h.pk for h in page])
        key = "household_id"
    else:
        held = held.filter(unit_id__in=[u.pk for u in page])
        key = "unit_id"
    names: dict[Any, list[str]] = {}
    for target, name in held.order_by("pk").values_list(key, "name"):
        names.setdefault(target, []).append(name)
    units = {}
    if kind == TargetKind.HOUSEHOLD:
        units = OrgUnit.objects.in_bulk({h.unit_id for h in page})
    out = []
    for t in page:
        if kind == TargetKind.HOUSEHOLD:
            label = f"户 {t.number}" + (f"（户主 {t.head.name}）" if t.head_id else "")
            unit = units[t.unit_id]
        else:
            label, unit = f"{t.parent.name if t.parent_id else ''} {t.name}".strip(), t
        out.append(
            DueRow(
                kind,
                t.pk,
                label,
                unit,
                t.last,
                rules.due_on(t.last, t.since, interval),
                names.get(t.pk, []),
            )
        )
    return out


# --- coverage per township -------------------------------------------------------------


@dataclass
class CoverageRow:
    code: str
    name: str
    villages: int = 0
    villages_assigned: int = 0
    households: int = 0
    households_assigned: int = 0
    families: int = 0
    families_two_contacts: int = 0
    families_visited: int = 0
    assignments: int = 0
    assignments_visited: int = 0

    def share(self, part: int, whole: int) -> str:
        return f"{100 * part / whole:.1f}%" if whole else "—"

    @property
    def village_share(self) -> str:
        return self.share(self.villages_assigned, self.villages)

    @property
    def household_share(self) -> str:
        return self.share(self.households_assigned, self.households)

    @property
    def family_visit_share(self) -> str:
        return self.share(self.families_visited, self.families)

    @property
    def assignment_visit_share(self) -> str:
        return self.share(self.assignments_visited, self.assignments)


def _by_township(
    rows: QuerySet, column: str, counted: str, distinct: bool = False
) -> dict[str, int]:
    grouped = (
        rows.order_by()
        .annotate(t=Substr(column, 1, TOWNSHIP))
        .values("t")
        .annotate(n=Count(counted, distinct=distinct))
    )
    return {r["t"]: r["n"] for r in grouped}


def coverage(user: Any, month: date) -> list[CoverageRow]:
    """Per township of the user's jurisdiction, for the month: villages and households
    with a responsibility in force at its end (or today), special families with both
    contacts and with a visit, assignments in force and those visited. One grouped query
    per figure."""
    first, last = month_bounds(month)
    end = min(last, today())
    townships = scope(OrgUnit.objects.filter(level=Level.TOWNSHIP), user, "code").order_by("code")
    code = user.org_unit_id or ""
    if len(code) > TOWNSHIP:  # a village user: her own township's row, her village only
        townships = OrgUnit.objects.filter(code=code[:TOWNSHIP])
    rows = {t.code: CoverageRow(t.code, t.name) for t in townships}
    in_force = Q(starts_on__lte=end) & (Q(ends_on__isnull=True) | Q(ends_on__gte=end))
    assignments = scope(Assignment.objects.all(), user, "unit")
    families = scope(SpecialFamily.objects.filter(status=FamilyStatus.CONFIRMED), user, "unit")
    figures = {
        "villages": _by_township(
            scope(OrgUnit.objects.filter(level=Level.VILLAGE), user, "code"), "code", "code"
        ),
        "villages_assigned": _by_township(
            assignments.filter(in_force, target_kind=TargetKind.VILLAGE), "unit_id", "unit_id", True
        ),
        "households": _by_township(
            scope(Household.objects.filter(dissolved_on__isnull=True), user, "unit"),
            "unit_id",
            "pk",
        ),
        "households_assigned": _by_township(
            assignments.filter(in_force, target_kind=TargetKind.HOUSEHOLD),
            "unit_id",
            "household_id",
            True,
        ),
        "families": _by_township(families, "unit_id", "pk"),
        "families_two_contacts": _by_township(
            families.filter(
                pk__in=Assignment.objects.filter(
                    target_kind=TargetKind.FAMILY, ends_on__isnull=True
                )
                .order_by()
                .values("family_id")
                .annotate(n=Count("side", distinct=True))
                .filter(n=2)
                .values("family_id")
            ),
            "unit_id",
            "pk",
        ),
        "families_visited": _by_township(
            families.filter(
                Exists(
                    Visit.objects.filter(
                        family=OuterRef("pk"), visited_on__gte=first, visited_on__lte=last
                    )
                )
            ),
            "unit_id",
            "pk",
        ),
        "assignments": _by_township(assignments.filter(open_between(first, end)), "unit_id", "pk"),
        "assignments_visited": _by_township(
            assignments.filter(open_between(first, end)).filter(
                Exists(
                    Visit.objects.filter(
                        assignment=OuterRef("pk"), visited_on__gte=first, visited_on__lte=last
                    )
                )
            ),
            "unit_id",
            "pk",
        ),
    }
    for field, counts in figures.items():
        for township, n in counts.items():
            if township in rows:
                setattr(rows[township], field, n)
    return list(rows.values())
