"""The yearly cycle: open → candidates → village review → public notice → township
review → county approval → frozen roster → exits and new entrants.

Each step refuses a wrong state with a Chinese message, checks that the record is in
the actor's jurisdiction and that the actor works at the right level (a village
reviews its own people, a township its villages, the county approves), and writes its
audit row in the same transaction."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from famplan.audit.services import audit_log
from famplan.benefits import eligibility
from famplan.benefits.models import (
    Application,
    ApplicationStatus,
    BankAccount,
    Cycle,
    CycleStatus,
    Entry,
    EntrySource,
    EntryStatus,
    ExitReason,
    Notice,
    Objection,
    PaymentStatus,
    Program,
    RosterRow,
)
from famplan.benefits.programs import RULES, add_months, month_of, months_between, ym
from famplan.common import dates
from famplan.common.bulk import chunked
from famplan.common.errors import DomainError
from famplan.orgunits.jurisdiction import code_prefix_filter, unit_in_scope
from famplan.registry.models import Person

__all__ = [
    "LEVEL_COUNTY",
    "LEVEL_TOWNSHIP",
    "LEVEL_VILLAGE",
    "application_submit",
    "cycle_approve",
    "cycle_list_candidates",
    "cycle_open",
    "duplicate_resolve",
    "entrant_add",
    "entry_township_review",
    "entry_village_review",
    "exit_record",
    "notice_publish",
    "objection_record",
    "objection_resolve",
    "roster_freeze",
]

LEVEL_COUNTY, LEVEL_TOWNSHIP, LEVEL_VILLAGE = 6, 9, 12
LEVEL_NAMES = {LEVEL_COUNTY: "县级", LEVEL_TOWNSHIP: "乡镇", LEVEL_VILLAGE: "村(居)"}


def _level(actor: Any, needed: int, what: str) -> None:
    if len(actor.org_unit_id or "") != needed:
        raise DomainError(f"{what}须由{LEVEL_NAMES[needed]}用户办理")


def _in_scope(actor: Any, unit_id: str) -> None:
    if not unit_in_scope(actor, unit_id):
        raise DomainError("该记录不在您的管辖范围内")


def _village_level(actor: Any, unit_id: str, what: str) -> bool:
    """A village step is done by the village's own users, or recorded for the village by
    its township (代录: many villages work on paper and the township enters their
    review). Answers whether the township is acting for the village."""
    level = len(actor.org_unit_id or "")
    if level not in (LEVEL_VILLAGE, LEVEL_TOWNSHIP):
        raise DomainError(f"{what}须由村(居)用户办理，或由乡镇用户代录")
    if len(unit_id) != LEVEL_VILLAGE:
        raise DomainError(f"{what}须选择一个村(居)")
    _in_scope(actor, unit_id)
    return level == LEVEL_TOWNSHIP


def _state(cycle: Cycle, *allowed: str, doing: str) -> None:
    if cycle.status not in allowed:
        raise DomainError(f"本周期当前为“{cycle.get_status_display()}”，不能{doing}")


def _lock_cycle(cycle: Cycle) -> Cycle:
    return Cycle.objects.select_for_update().select_related("program").get(pk=cycle.pk)


def _lock_entry(entry: Entry) -> Entry:
    return (
        Entry.objects.select_for_update()
        .select_related("cycle__program", "person")
        .get(pk=entry.pk)
    )


# --- open and list ---------------------------------------------------------------------


@transaction.atomic
def cycle_open(
    *, actor: Any, program: Program, year: int, notice_days: int = 7, cutoff_on: date | None = None
) -> Cycle:
    _level(actor, LEVEL_COUNTY, "开启年度周期")
    if not program.active:
        raise DomainError(f"{program.name}已停用")
    if not 1 <= notice_days <= 60:
        raise DomainError("公示天数应在1至60天之间")
    county = actor.org_unit_id
    if Cycle.objects.filter(program=program, county_id=county, year=year).exists():
        raise DomainError(f"{program.name}{year}年度周期已开启，不能重复开启")
    if (
        Cycle.objects.filter(program=program, county_id=county)
        .exclude(status__in=[CycleStatus.FROZEN, CycleStatus.CLOSED])
        .exists()
    ):
        raise DomainError(f"{program.name}尚有未完成审批的周期，须先完成后再开启新周期")
    cycle = Cycle.objects.create(
        program=program,
        county_id=county,
        year=year,
        cutoff_on=cutoff_on or date(year, 12, 31),
        notice_days=notice_days,
        opened_by=actor,
    )
    audit_log(
        actor=actor,
        action="benefits.cycle.opened",
        target=cycle,
        detail={"program": program.code, "year": year, "notice_days": notice_days},
    )
    return cycle


def _entry_from(cycle: Cycle, result: eligibility.Result, source: str, app_id: int | None):
    f = result.facts
    award = result.award
    first = month_of(date(cycle.year, 1, 1))
    return Entry(
        cycle=cycle,
        person_id=f["pk"],
        unit_id=f["unit_id"],
        source=source,
        application_id=app_id,
        status=EntryStatus.CANDIDATE,
        checks=[c.as_dict() for c in result.checks],
        eligible=result.eligible,
        category=award.category if award else "",
        monthly_amount=award.monthly if award else Decimal("0"),
        from_month=award.from_month if award else first,
        to_month=award.to_month if award else first,
        amount_due=award.amount if award else Decimal("0"),
    )


def duplicate_keys(rows: list[dict[str, Any]]) -> dict[int, str]:
    """Person pk -> why it looks like another candidate: the same ID number, or the same
    name and birth date held by different registry people. Never merged: both go to
    the township's review queue."""
    by_key: dict[str, set[int]] = defaultdict(set)
    for r in rows:
        if r.get("id_number"):
            by_key[f"身份证号 {r['id_number']}"].add(r["pk"])
        by_key[f"姓名 {r['name']}，出生日期 {r['birth_date']:%Y-%m-%d}"].add(r["pk"])
    flagged: dict[int, str] = {}
    for key, pks in by_key.items():
        if len(pks) > 1:
            for pk in pks:
                flagged.setdefault(pk, f"与其他 {len(pks) - 1} 人{key}相同")
    return flagged


@transaction.atomic
def cycle_list_candidates(*, actor: Any, cycle: Cycle) -> dict[str, int]:
    """Candidates from the registry (everyone the rule finds eligible) and from the
    families' applications (judged by the same rule, listed even where they fail so the
    village sees why). Suspected duplicates wait in the township's queue."""
    _level(actor, LEVEL_COUNTY, "生成候选名单")
    cycle = _lock_cycle(cycle)
    _state(cycle, CycleStatus.OPEN, doing="生成候选名单")
    program = cycle.program
    county = cycle.county_id
    found = eligibility.run(program, cycle.cutoff_on, county, exclude_cycle_id=cycle.pk)
    by_person = {r.facts["pk"]: (r, EntrySource.REGISTRY) for r in found}
    apps = dict(
        Application.objects.filter(program=program, status=ApplicationStatus.SUBMITTED)
        .filter(**code_prefix_filter("unit_id", county))
        .values_list("person_id", "pk")
    )
    missing = [pk for pk in apps if pk not in by_person]
    for chunk in chunked(missing):
        for r in eligibility.run(
            program, cycle.cutoff_on, None, list(chunk), exclude_cycle_id=cycle.pk,
            eligible_only=False,
        ):  # fmt: skip
            by_person[r.facts["pk"]] = (r, EntrySource.APPLICATION)
    # An application makes the entry the family's, whether the registry found them too.
    entries = [
        _entry_from(cycle, r, EntrySource.APPLICATION if pk in apps else source, apps.get(pk))
        for pk, (r, source) in by_person.items()
    ]
    flagged = duplicate_keys([r.facts for r, _ in by_person.values()])
    for e in entries:
        if e.person_id in flagged:
            e.status = EntryStatus.DUPLICATE
            e.duplicate_key = flagged[e.person_id]
    Entry.objects.bulk_create(entries, batch_size=2000)
    Application.objects.filter(program=program, person_id__in=list(apps)).filter(
        status=ApplicationStatus.SUBMITTED
    ).update(status=ApplicationStatus.LISTED)
    cycle.status = CycleStatus.REVIEW
    cycle.save(update_fields=["status"])
    counts = {
        "entries": len(entries),
        "from_applications": sum(1 for e in entries if e.source == EntrySource.APPLICATION),
        "duplicates": len(flagged),
    }
    audit_log(actor=actor, action="benefits.cycle.listed", target=cycle, detail=counts)
    return counts


# --- village review and public notice ------------------------------------------------


def _notice_of(entry: Entry) -> Notice | None:
    return Notice.objects.filter(cycle_id=entry.cycle_id, unit_id=entry.unit_id).first()


@transaction.atomic
def entry_village_review(
    *, actor: Any, entry: Entry, approve: bool, attested: bool = False, note: str = ""
) -> Entry:
    entry = _lock_entry(entry)
    on_behalf = _village_level(actor, entry.unit_id, "村级审核")
    _state(entry.cycle, CycleStatus.REVIEW, doing="村级审核")
    if _notice_of(entry) is not None:
        raise DomainError("本村(居)名单已公示，不能再修改村级审核意见")
    if entry.status == EntryStatus.DUPLICATE:
        raise DomainError("该对象疑似重复，须先由乡镇核查")
    if entry.status not in (
        EntryStatus.CANDIDATE, EntryStatus.VILLAGE_APPROVED, EntryStatus.VILLAGE_REJECTED
    ):  # fmt: skip
        raise DomainError(f"该对象当前为“{entry.get_status_display()}”，不能村级审核")
    rule = RULES[entry.cycle.program.rule]
    if approve:
        if not entry.eligible:
            failed = "；".join(c["reason"] for c in entry.checks if not c["passed"])
            raise DomainError(f"不符合条件，不能审核通过：{failed}")
        if rule.needs_attestation and not attested:
            raise DomainError("须核实并确认符合当时的计划生育政策后方可审核通过")
    elif not note.strip():
        raise DomainError("审核不通过须填写原因")
    entry.status = EntryStatus.VILLAGE_APPROVED if approve else EntryStatus.VILLAGE_REJECTED
    entry.attested = bool(attested and approve)
    entry.village_note = note.strip()[:200]
    entry.village_by = actor
    entry.village_at = timezone.now()
    entry.save(update_fields=["status", "attested", "village_note", "village_by", "village_at"])
    audit_log(
        actor=actor,
        action="benefits.entry.village_reviewed",
        target=entry,
        org_unit_id=entry.unit_id,
        detail={"approve": approve, "attested": entry.attested, "on_behalf": on_behalf},
    )
    return entry


@transaction.atomic
def notice_publish(*, actor: Any, cycle: Cycle, unit_id: str) -> Notice:
    """The village's approved list goes on public notice for the cycle's notice days,
    from today. Every candidate of the village must have been decided first."""
    on_behalf = _village_level(actor, unit_id, "发布公示")
    cycle = _lock_cycle(cycle)
    _state(cycle, CycleStatus.REVIEW, doing="发布公示")
    if Notice.objects.filter(cycle=cycle, unit_id=unit_id).exists():
        raise DomainError("本村(居)名单已公示，不能重复公示")
    entries = Entry.objects.filter(cycle=cycle, unit_id=unit_id)
    pending = entries.filter(status__in=[EntryStatus.CANDIDATE, EntryStatus.DUPLICATE]).count()
    if pending:
        raise DomainError(f"尚有 {pending} 人未完成村级审核（含疑似重复待核查），不能公示")
    starts = dates.today()
    notice = Notice.objects.create(
        cycle=cycle,
        unit_id=unit_id,
        starts_on=starts,
        ends_on=starts + timedelta(days=cycle.notice_days - 1),
        published_by=actor,
    )
    audit_log(
        actor=actor,
        action="benefits.notice.published",
        target=cycle,
        org_unit_id=unit_id,
        detail={
            "starts_on": notice.starts_on.isoformat(),
            "ends_on": notice.ends_on.isoformat(),
            "people": entries.filter(status=EntryStatus.VILLAGE_APPROVED).count(),
            "on_behalf": on_behalf,
        },
    )
    return notice


@transaction.atomic
def objection_record(
    *, actor: Any, entry: Entry, received_on: date, content: str, raised_by: str = ""
) -> Objection:
    entry = _lock_entry(entry)
    _in_scope(actor, entry.unit_id)
    notice = _notice_of(entry)
    if notice is None:
        raise DomainError("本村(居)名单尚未公示，不能登记公示异议")
    if entry.status != EntryStatus.VILLAGE_APPROVED:
        raise DomainError("只能对公示名单中的对象登记异议")
    if not notice.starts_on <= received_on <= notice.ends_on:
        raise DomainError(
            f"收到日期须在公示期内（{notice.starts_on:%Y-%m-%d}至{notice.ends_on:%Y-%m-%d}）"
        )
    if received_on > dates.today():
        raise DomainError("收到日期不能晚于今天")
    if not content.strip():
        raise DomainError("请填写异议内容")
    objection = Objection.objects.create(
        entry=entry,
        received_on=received_on,
        content=content.strip()[:500],
        raised_by=raised_by.strip()[:50],
        recorded_by=actor,
    )
    audit_log(
        actor=actor, action="benefits.objection.recorded", target=entry, org_unit_id=entry.unit_id
    )
    return objection


@transaction.atomic
def objection_resolve(
    *, actor: Any, objection: Objection, upheld: bool, resolution: str
) -> Objection:
    """Settled by the township: an upheld objection takes the person off the list."""
    _level(actor, LEVEL_TOWNSHIP, "处理公示异议")
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    entry = _lock_entry(objection.entry)
    _in_scope(actor, entry.unit_id)
    if objection.outcome != Objection.Outcome.OPEN:
        raise DomainError("该异议已处理")
    if not resolution.strip():
        raise DomainError("请填写处理说明")
    objection.outcome = Objection.Outcome.UPHELD if upheld else Objection.Outcome.DISMISSED
    objection.resolution = resolution.strip()[:300]
    objection.save(update_fields=["outcome", "resolution"])
    if upheld:
        entry.status = EntryStatus.TOWNSHIP_REJECTED
        entry.township_note = f"公示异议成立：{objection.resolution}"[:200]
        entry.township_by = actor
        entry.township_at = timezone.now()
        entry.save(update_fields=["status", "township_note", "township_by", "township_at"])
    audit_log(
        actor=actor,
        action="benefits.objection.resolved",
        target=entry,
        org_unit_id=entry.unit_id,
        detail={"upheld": upheld},
    )
    return objection


# --- township and county -------------------------------------------------------------


@transaction.atomic
def entry_township_review(*, actor: Any, entry: Entry, approve: bool, note: str = "") -> Entry:
    _level(actor, LEVEL_TOWNSHIP, "乡镇审核")
    entry = _lock_entry(entry)
    _in_scope(actor, entry.unit_id)
    _state(entry.cycle, CycleStatus.REVIEW, doing="乡镇审核")
    if entry.status != EntryStatus.VILLAGE_APPROVED:
        raise DomainError(
            f"该对象当前为“{entry.get_status_display()}”，须村级审核通过并公示后才能乡镇审核"
        )
    notice = _notice_of(entry)
    if notice is None:
        raise DomainError("本村(居)名单尚未公示，不能乡镇审核")
    if dates.today() <= notice.ends_on:
        raise DomainError(f"公示期至{notice.ends_on:%Y-%m-%d}，期满后方可乡镇审核")
    if entry.objections.filter(outcome=Objection.Outcome.OPEN).exists():
        raise DomainError("尚有未处理的公示异议，须先处理")
    if not approve and not note.strip():
        raise DomainError("审核不通过须填写原因")
    entry.status = EntryStatus.TOWNSHIP_APPROVED if approve else EntryStatus.TOWNSHIP_REJECTED
    entry.township_note = note.strip()[:200]
    entry.township_by = actor
    entry.township_at = timezone.now()
    entry.save(update_fields=["status", "township_note", "township_by", "township_at"])
    audit_log(
        actor=actor,
        action="benefits.entry.township_reviewed",
        target=entry,
        org_unit_id=entry.unit_id,
        detail={"approve": approve},
    )
    return entry


@transaction.atomic
def duplicate_resolve(*, actor: Any, entry: Entry, distinct: bool, note: str) -> Entry:
    """A suspected duplicate checked by the township: different people (back to the
    village's list) or the same one listed twice (this entry is rejected). Never merged."""
    _level(actor, LEVEL_TOWNSHIP, "核查疑似重复")
    entry = _lock_entry(entry)
    _in_scope(actor, entry.unit_id)
    _state(entry.cycle, CycleStatus.REVIEW, doing="核查疑似重复")
    if entry.status != EntryStatus.DUPLICATE:
        raise DomainError("该对象不在疑似重复核查队列中")
    if not note.strip():
        raise DomainError("请填写核查说明")
    entry.status = EntryStatus.CANDIDATE if distinct else EntryStatus.TOWNSHIP_REJECTED
    entry.township_note = f"{'核查非重复' if distinct else '重复对象'}：{note.strip()}"[:200]
    entry.township_by = actor
    entry.township_at = timezone.now()
    entry.save(update_fields=["status", "township_note", "township_by", "township_at"])
    audit_log(
        actor=actor,
        action="benefits.duplicate.resolved",
        target=entry,
        org_unit_id=entry.unit_id,
        detail={"distinct": distinct},
    )
    return entry


PENDING_FOR_APPROVAL = (
    EntryStatus.CANDIDATE, EntryStatus.DUPLICATE, EntryStatus.VILLAGE_APPROVED
)  # fmt: skip


@transaction.atomic
def cycle_approve(*, actor: Any, cycle: Cycle) -> int:
    _level(actor, LEVEL_COUNTY, "县级审批")
    cycle = _lock_cycle(cycle)
    _in_scope(actor, cycle.county_id)
    _state(cycle, CycleStatus.REVIEW, doing="县级审批")
    pending = Entry.objects.filter(cycle=cycle, status__in=PENDING_FOR_APPROVAL).count()
    if pending:
        raise DomainError(f"尚有 {pending} 人未完成村级或乡镇审核，不能审批")
    approved = Entry.objects.filter(cycle=cycle, status=EntryStatus.TOWNSHIP_APPROVED).update(
        status=EntryStatus.APPROVED
    )
    cycle.status = CycleStatus.APPROVED
    cycle.approved_at = timezone.now()
    cycle.save(update_fields=["status", "approved_at"])
    audit_log(
        actor=actor, action="benefits.cycle.approved", target=cycle, detail={"people": approved}
    )
    return approved


def payees(program: Program, entries: list[dict[str, Any]]) -> dict[int, BankAccount]:
    """Entry person pk -> the active account of whoever is paid (the person, or the
    applicant of 育儿补贴), in one query per chunk."""
    rule = RULES[program.rule]
    payer_of = {
        e["person_id"]: (e["applicant_id"] if rule.payee_is_applicant else e["person_id"])
        for e in entries
    }
    accounts: dict[int, BankAccount] = {}
    wanted = sorted({p for p in payer_of.values() if p})
    for chunk in chunked(wanted):
        for a in BankAccount.objects.filter(person_id__in=chunk, active=True):
            accounts[a.person_id] = a
    return {pk: accounts[p] for pk, p in payer_of.items() if p in accounts}


ROSTER_PERSON_FIELDS = ("name", "id_number", "sex", "birth_date", "hukou_type")


@transaction.atomic
def roster_freeze(*, actor: Any, cycle: Cycle) -> int:
    """The roster: a copy of each approved entry's person, amount and account now.
    Later edits of the registry or of accounts do not change it."""
    _level(actor, LEVEL_COUNTY, "冻结花名册")
    cycle = _lock_cycle(cycle)
    _state(cycle, CycleStatus.APPROVED, doing="冻结花名册")
    entries = list(
        Entry.objects.filter(cycle=cycle, status=EntryStatus.APPROVED).values(
            "pk", "person_id", "unit_id", "category", "monthly_amount", "from_month",
            "to_month", "amount_due", "application__applicant_id",
            *(f"person__{f}" for f in ROSTER_PERSON_FIELDS),
        )
    )  # fmt: skip
    for e in entries:
        e["applicant_id"] = e.pop("application__applicant_id")
    accounts = payees(cycle.program, entries)
    rows = []
    for e in entries:
        account = accounts.get(e["person_id"])
        rows.append(
            RosterRow(
                cycle=cycle,
                entry_id=e["pk"],
                person_id=e["person_id"],
                unit_id=e["unit_id"],
                category=e["category"],
                monthly_amount=e["monthly_amount"],
                from_month=e["from_month"],
                to_month=e["to_month"],
                amount_due=e["amount_due"],
                payee_name=account.payee_name if account else "",
                bank_name=account.bank_name if account else "",
                account_number=account.account_number if account else "",
                **{f: e[f"person__{f}"] or "" for f in ("name", "id_number", "sex", "hukou_type")},
                birth_date=e["person__birth_date"],
            )
        )
    RosterRow.objects.bulk_create(rows, batch_size=2000)
    cycle.status = CycleStatus.FROZEN
    cycle.frozen_at = timezone.now()
    cycle.save(update_fields=["status", "frozen_at"])
    audit_log(
        actor=actor,
        action="benefits.roster.frozen",
        target=cycle,
        detail={"rows": len(rows), "without_account": sum(1 for r in rows if not r.account_number)},
    )
    return len(rows)


# --- exits and new entrants ----------------------------------------------------------


def _recompute(row: RosterRow) -> None:
    row.amount_due = row.monthly_amount * months_between(row.from_month, row.to_month)


@transaction.atomic
def exit_record(*, actor: Any, row: RosterRow, reason: str, month: date) -> RosterRow:
    """The person leaves the roster from `month` (the month after the event): nothing
    is due from then on. A row already sent to the bank keeps its amount."""
    _level(actor, LEVEL_COUNTY, "登记退出")
    row = RosterRow.objects.select_for_update().select_related("cycle").get(pk=row.pk)
    _in_scope(actor, row.unit_id)
    _state(row.cycle, CycleStatus.FROZEN, doing="登记退出")
    if reason not in ExitReason.values:
        raise DomainError("请选择退出原因")
    if row.exit_month is not None:
        raise DomainError(f"该对象已于{ym(row.exit_month)}退出")
    month = month_of(month)
    if not row.from_month <= month <= add_months(row.to_month, 1):
        raise DomainError(
            f"退出月份须在{ym(row.from_month)}至{ym(add_months(row.to_month, 1))}之间"
        )
    row.exit_month = month
    row.exit_reason = reason
    fields = ["exit_month", "exit_reason"]
    if row.payment_status in (PaymentStatus.PENDING, PaymentStatus.FAILED):
        row.to_month = add_months(month, -1)
        _recompute(row)
        fields += ["to_month", "amount_due"]
    row.save(update_fields=fields)
    audit_log(
        actor=actor,
        action="benefits.roster.exited",
        target=row,
        org_unit_id=row.unit_id,
        detail={"reason": reason, "month": ym(month), "amount_due": str(row.amount_due)},
    )
    return row


@transaction.atomic
def entrant_add(*, actor: Any, cycle: Cycle, person: Person, from_month: date) -> RosterRow:
    """A new entrant after freezing (he reached the age, the child died …): judged by
    the same rule, paid from `from_month`."""
    _level(actor, LEVEL_COUNTY, "增补对象")
    cycle = _lock_cycle(cycle)
    _in_scope(actor, person.unit_id)
    _state(cycle, CycleStatus.FROZEN, doing="增补对象")
    if Entry.objects.filter(cycle=cycle, person=person).exists():
        raise DomainError("该对象已在本周期名单中，不能重复纳入")
    (result,) = eligibility.run(
        cycle.program, cycle.cutoff_on, None, [person.pk], exclude_cycle_id=cycle.pk,
        eligible_only=False,
    )  # fmt: skip
    if not result.eligible:
        failed = "；".join(c.reason for c in result.checks if not c.passed)
        raise DomainError(f"不符合条件：{failed}")
    entry = _entry_from(cycle, result, EntrySource.REGISTRY, result.facts.get("application_id"))
    entry.status = EntryStatus.APPROVED
    start = max(entry.from_month, month_of(from_month))
    if start > entry.to_month:
        raise DomainError(f"起始月份晚于本周期最后发放月份{ym(entry.to_month)}")
    entry.from_month = start
    entry.amount_due = entry.monthly_amount * months_between(start, entry.to_month)
    entry.save()
    e = {"person_id": person.pk, "applicant_id": result.facts.get("applicant_id")}
    account = payees(cycle.program, [e]).get(person.pk)
    row = RosterRow.objects.create(
        cycle=cycle,
        entry=entry,
        person=person,
        unit_id=entry.unit_id,
        name=person.name,
        id_number=person.id_number or "",
        sex=person.sex,
        birth_date=person.birth_date,
        hukou_type=person.hukou_type,
        category=entry.category,
        monthly_amount=entry.monthly_amount,
        from_month=entry.from_month,
        to_month=entry.to_month,
        amount_due=entry.amount_due,
        payee_name=account.payee_name if account else "",
        bank_name=account.bank_name if account else "",
        account_number=account.account_number if account else "",
        entrant=True,
    )
    audit_log(
        actor=actor,
        action="benefits.roster.entrant_added",
        target=row,
        org_unit_id=row.unit_id,
        detail={"from_month": ym(start), "amount_due": str(row.amount_due)},
    )
    return row


# --- applications --------------------------------------------------------------------


@transaction.atomic
def application_submit(
    *, actor: Any, program: Program, person: Person, applicant: Person, applied_on: date
) -> Application:
    """An application entered by the township (or the village) for a family: 育儿补贴
    by a parent for a child at the child's hukou place; others by the person."""
    _in_scope(actor, person.unit_id)
    rule = RULES[program.rule]
    if rule.payee_is_applicant:
        parents = Person.objects.filter(
            Q(pk=getattr(getattr(person, "birth", None), "mother_id", None))
            | Q(pk=getattr(getattr(person, "birth", None), "father_id", None))
        ).values_list("pk", flat=True)
        if applicant.pk not in set(parents):
            raise DomainError("申请人须为婴幼儿的父亲或母亲（以出生登记为准）")
    elif applicant.pk != person.pk:
        raise DomainError("该项目须由本人申请")
    if applied_on > dates.today():
        raise DomainError("申请日期不能晚于今天")
    if (
        Application.objects.filter(program=program, person=person)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .exists()
    ):
        raise DomainError(f"{person.name}已有{program.name}申请，不能重复申请")
    application = Application.objects.create(
        program=program,
        person=person,
        applicant=applicant,
        unit_id=person.unit_id,
        applied_on=applied_on,
        entered_by=actor,
    )
    audit_log(
        actor=actor,
        action="benefits.application.submitted",
        target=application,
        org_unit_id=person.unit_id,
        detail={"program": program.code},
    )
    return application
