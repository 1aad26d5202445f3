"""Reads of the benefits app, cut to the user's jurisdiction.

A cycle belongs to a county: everyone in the county sees it (a 404 outside). Entries,
roster rows and accounts belong to a village: scoped by the village code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404

from famplan.benefits.models import (
    Application,
    ApplicationStatus,
    BankAccount,
    Cycle,
    Entry,
    Notice,
    Objection,
    PaymentStatus,
    Program,
    RosterRow,
)
from famplan.common.idnumbers import InvalidIdNumber, normalize, parse_id_number
from famplan.orgunits.jurisdiction import (
    code_prefix_filter,
    get_in_scope_or_404,
    jurisdiction_code,
    scope,
)
from famplan.orgunits.models import OrgUnit
from famplan.registry.models import Person
from famplan.registry.services.births import normalize_certificate_number


def county_of(user: Any) -> str | None:
    code = jurisdiction_code(user)
    return code[:6] if code and len(code) >= 6 else None


def cycles_for_user(user: Any) -> QuerySet[Cycle]:
    county = county_of(user)
    if county is None:
        return Cycle.objects.none()
    return Cycle.objects.filter(county_id=county).select_related("program")


def get_cycle_for_user(user: Any, pk: int) -> Cycle:
    try:
        return cycles_for_user(user).get(pk=pk)
    except (Cycle.DoesNotExist, ValueError, TypeError):
        raise Http404("记录不存在") from None


def get_program(pk: int) -> Program:
    try:
        return Program.objects.get(pk=pk)
    except (Program.DoesNotExist, ValueError, TypeError):
        raise Http404("记录不存在") from None


def entries_for_user(
    user: Any, cycle: Cycle, *, status: str = "", unit: str = "", name: str = ""
) -> QuerySet[Entry]:
    qs = scope(Entry.objects.filter(cycle=cycle), user, "unit")
    if status:
        qs = qs.filter(status=status)
    if unit:
        qs = qs.filter(**code_prefix_filter("unit_id", unit))
    if name:
        qs = qs.filter(person__name__startswith=name)
    return qs.select_related("person", "unit").order_by("unit_id", "pk")


def get_entry_for_user(user: Any, pk: int) -> Entry:
    qs = Entry.objects.select_related("cycle__program", "person", "unit", "application__applicant")
    return get_in_scope_or_404(qs, user, "unit", pk=pk)


def get_objection_for_user(user: Any, pk: int) -> Objection:
    qs = Objection.objects.select_related("entry")
    return get_in_scope_or_404(qs, user, "entry__unit", pk=pk)


def status_counts(user: Any, cycle: Cycle) -> dict[str, int]:
    rows = scope(Entry.objects.filter(cycle=cycle), user, "unit").values("status")
    return {r["status"]: r["n"] for r in rows.annotate(n=Count("pk")).order_by()}


def villages_for_user(user: Any, cycle: Cycle) -> list[dict[str, Any]]:
    """The user's villages with entries in the cycle: counts and their notice."""
    rows = (
        scope(Entry.objects.filter(cycle=cycle), user, "unit")
        .values("unit_id", "unit__name")
        .annotate(
            n=Count("pk"),
            pending=Count("pk", filter=Q(status__in=["candidate", "duplicate"])),
            approved=Count("pk", filter=Q(status="village_ok")),
        )
        .order_by("unit_id")
    )
    notices = {
        n.unit_id: n for n in Notice.objects.filter(cycle=cycle).select_related("published_by")
    }
    return [{**r, "notice": notices.get(r["unit_id"])} for r in rows]


def notice_entries(cycle: Cycle, unit_id: str) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(cycle=cycle, unit_id=unit_id)
        .exclude(status__in=["village_no", "candidate", "duplicate"])
        .select_related("person")
        .order_by("pk")
    )


def roster_for_user(
    user: Any, cycle: Cycle, *, unit: str = "", status: str = "", exited: str = ""
) -> QuerySet[RosterRow]:
    qs = scope(RosterRow.objects.filter(cycle=cycle), user, "unit")
    if unit:
        qs = qs.filter(**code_prefix_filter("unit_id", unit))
    if status:
        qs = qs.filter(payment_status=status)
    if exited == "1":
        qs = qs.exclude(exit_month=None)
    return qs.select_related("unit").order_by("unit_id", "pk")


def get_roster_row_for_user(user: Any, pk: int) -> RosterRow:
    return get_in_scope_or_404(RosterRow.objects.select_related("cycle"), user, "unit", pk=pk)


def accounts_of(person_pk: int) -> QuerySet[BankAccount]:
    return BankAccount.objects.filter(person_id=person_pk).order_by("-active", "-created_at")


def person_by_key(people: QuerySet[Person], key: str) -> Person | None:
    """The person of `people` named by an ID number or, for a newborn who has none yet,
    the birth medical certificate number (出生医学证明编号), as typed and normalised. One
    lookup for the citizen page and the township's application form."""
    key = normalize(key or "")
    if not key:
        return None
    try:
        number = parse_id_number(key).number
    except InvalidIdNumber:
        certificate = normalize_certificate_number(key)  # the registry's, as it stores it
        return people.filter(birth__medical_certificate_number=certificate).first()
    return people.filter(id_number=number).first()


def accounts_to_check(user: Any, applicant_pk: int | None = None) -> QuerySet[Application]:
    """Online applications in the user's scope whose typed account differs from the
    applicant's account on file (oldest first: the longest waiting)."""
    qs = scope(
        Application.objects.exclude(account_to_check="").exclude(
            status=ApplicationStatus.WITHDRAWN
        ),
        user,
        "unit",
    )
    if applicant_pk is not None:
        qs = qs.filter(applicant_id=applicant_pk)
    return qs.select_related("person", "applicant", "program").order_by("applied_on", "pk")


# --- reports ---------------------------------------------------------------------------


def report_by_unit(user: Any, cycle: Cycle, level: int) -> list[dict[str, Any]]:
    """Beneficiaries, amounts due and paid, and the payment rate (兑现率) per unit at
    `level` (9 township, 12 village), one grouped query by code prefix."""
    rows = (
        scope(RosterRow.objects.filter(cycle=cycle), user, "unit")
        .annotate(code=Substr("unit_id", 1, level))
        .values("code")
        .annotate(
            people=Count("pk"),
            exited=Count("pk", filter=~Q(exit_month=None)),
            due=Sum("amount_due"),
            paid=Sum("paid_amount", filter=Q(payment_status=PaymentStatus.PAID)),
            failed=Count("pk", filter=Q(payment_status=PaymentStatus.FAILED)),
        )
        .order_by("code")
    )
    names = dict(
        OrgUnit.objects.filter(code__in=[r["code"] for r in rows]).values_list("code", "name")
    )
    out = []
    for r in rows:
        due, paid = r["due"] or Decimal("0"), r["paid"] or Decimal("0")
        rate = (paid / due * 100).quantize(Decimal("0.1")) if due else None
        out.append(
            {**r, "name": names.get(r["code"], r["code"]), "due": due, "paid": paid, "rate": rate}
        )
    return out


def exits_by_reason(user: Any, cycle: Cycle) -> list[dict[str, Any]]:
    rows = (
        scope(RosterRow.objects.filter(cycle=cycle).exclude(exit_month=None), user, "unit")
        .values("exit_reason")
        .annotate(n=Count("pk"))
        .order_by("exit_reason")
    )
    from famplan.benefits.models import ExitReason

    labels = dict(ExitReason.choices)
    return [{"reason": labels.get(r["exit_reason"], r["exit_reason"]), "n": r["n"]} for r in rows]


def exit_proposals(user: Any, cycle: Cycle, limit: int = 200) -> list[dict[str, Any]]:
    """Roster rows the registry says should leave, with the reason and the month from
    which (the month after the event), in one query: the person died or moved away,
    changed hukou type, had a child since the roster's first month, or the disabled
    only child is no longer graded 1-3. Proposals only: the county records the exit."""
    from django.db.models import Exists, F, Min, OuterRef, Subquery

    from famplan.benefits.models import ExitReason
    from famplan.benefits.programs import RULES, add_months, month_of
    from famplan.common import dates
    from famplan.registry.models import Birth, PersonStatus

    rule = RULES[cycle.program.rule]
    rows = scope(RosterRow.objects.filter(cycle=cycle, exit_month=None), user, "unit").annotate(
        p_status=F("person__status"),
        p_left=F("person__left_on"),
        p_hukou=F("person__hukou_type"),
    )
    if rule.population == "parents":
        as_parent = Birth.objects.filter(
            Q(mother_id=OuterRef("person_id")) | Q(father_id=OuterRef("person_id")),
            born_on__gte=OuterRef("from_month"),
        )
        rows = rows.annotate(
            new_birth=Subquery(
                as_parent.order_by().values("born_on").annotate(m=Min("born_on")).values("m")[:1]
            ),
            child_graded=Exists(
                Birth.objects.filter(
                    Q(mother_id=OuterRef("person_id")) | Q(father_id=OuterRef("person_id")),
                    child__disability_grade__in=(1, 2, 3),
                )
            ),
        )
    next_month = add_months(month_of(dates.today()), 1)
    out = []
    for r in rows.order_by("unit_id", "pk")[: limit * 4]:
        reason, month = None, None
        if r.p_status == PersonStatus.DECEASED and r.p_left:
            reason, month = ExitReason.DEATH, add_months(month_of(r.p_left), 1)
        elif r.p_status == PersonStatus.MOVED_OUT and r.p_left:
            reason, month = ExitReason.HUKOU, add_months(month_of(r.p_left), 1)
        elif cycle.program.rule == "rural_reward" and r.p_hukou != r.hukou_type:
            reason, month = ExitReason.HUKOU, next_month
        elif rule.population == "parents" and r.new_birth:
            reason, month = ExitReason.NEW_BIRTH, add_months(month_of(r.new_birth), 1)
        elif r.category == "disabled" and not r.child_graded:
            reason, month = ExitReason.RECOVERED, next_month
        if reason:
            out.append({"row": r, "reason": reason, "label": ExitReason(reason).label,
                        "month": month})  # fmt: skip
        if len(out) >= limit:
            break
    return out
