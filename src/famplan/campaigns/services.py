"""Writes of work plans and campaigns: the plan, its phases, tasks and their targets,
dispatch dates, the units' progress reports and the bulletins.

Every refusal is a DomainError (or a FieldError naming the field) in Chinese. The plan's
structure (units, phases, tasks, targets) is set while it is a draft; publishing hands
it to the units, who then report; a bulletin, once published, is never changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from famplan.audit.services import audit_log
from famplan.campaigns.counts import MAX_COUNT
from famplan.campaigns.measures import LINKABLE, POPULATION_MEASURE
from famplan.campaigns.models import (
    Bulletin,
    BulletinLine,
    Campaign,
    CampaignStatus,
    CampaignUnit,
    Dispatch,
    DispatchKind,
    Phase,
    ProgressReport,
    Split,
    Task,
    TaskTarget,
)
from famplan.common.dates import today
from famplan.common.errors import DomainError
from famplan.orgunits.jurisdiction import unit_in_scope
from famplan.orgunits.models import LEVEL_ORDER, OrgUnit
from famplan.registry.services.errors import FieldError

# --- who may -------------------------------------------------------------------------


def manage_refusal(user: Any, campaign: Campaign) -> str | None:
    """Only the owner's own level or above manages a plan (a township reads the
    county's plans addressed to it, but does not change them)."""
    if not unit_in_scope(user, campaign.owner_id):
        return "该方案由上级单位制定，您只能查看和报送进度"
    return None


def _check_manage(user: Any, campaign: Campaign) -> None:
    refusal = manage_refusal(user, campaign)
    if refusal:
        raise DomainError(refusal)


def _check_draft(campaign: Campaign) -> None:
    if campaign.status != CampaignStatus.DRAFT:
        raise DomainError("方案已下发，阶段、任务和目标不能再修改")


def _lock(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def child_units(owner: OrgUnit) -> list[OrgUnit]:
    """The units a plan of `owner` may be addressed to: its children one level down
    (a county's townships, a township's villages)."""
    rank = LEVEL_ORDER.index(owner.level)
    if rank + 1 >= len(LEVEL_ORDER):
        return []
    return list(OrgUnit.objects.filter(parent=owner, level=LEVEL_ORDER[rank + 1]).order_by("code"))


# --- splitting a target ----------------------------------------------------------------


def split_by_weight(total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """`total` over the units in proportion to their weights, whole numbers that add up
    to `total` exactly (largest remainder; ties to the lower code). Equal shares where
    every weight is zero."""
    units = sorted(weights)
    if not units:
        return {}
    if sum(weights.values()) <= 0:
        weights = dict.fromkeys(units, 1)
    whole = sum(weights.values())
    shares = {u: total * weights[u] // whole for u in units}
    left = total - sum(shares.values())
    by_remainder = sorted(units, key=lambda u: (-(total * weights[u] % whole), u))
    for u in by_remainder[:left]:
        shares[u] += 1
    return shares


def split_even(total: int, units: Sequence[str]) -> dict[str, int]:
    return split_by_weight(total, dict.fromkeys(units, 1))


def population_weights(actor: Any, units: Sequence[str], day: date) -> dict[str, int]:
    """Each unit's residents at the end of the latest month stored before `day` (the
    indicators' values table, through its selector): one query."""
    from famplan.indicators.periods import PeriodType
    from famplan.indicators.selectors import values_for_user

    rows = (
        values_for_user(actor)
        .filter(
            measure=POPULATION_MEASURE,
            period_type=PeriodType.MONTH,
            period_start__lte=day.replace(day=1),
            unit_id__in=list(units),
        )
        .order_by("unit_id", "period_start")
        .values_list("unit_id", "value")
    )
    found = dict.fromkeys(units, 0)
    for unit, value in rows:  # ordered by month: the last one stays
        found[unit] = value
    return found


# --- the plan --------------------------------------------------------------------------


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise FieldError("ends_on", "结束日期不能早于开始日期")


@transaction.atomic
def campaign_create(
    *,
    actor: Any,
    kind: str,
    title: str,
    starts_on: date,
    ends_on: date,
    units: Sequence[str],
    note: str = "",
) -> Campaign:
    """A draft plan of the actor's own unit, addressed to `units` (its children)."""
    owner = OrgUnit.objects.get(code=actor.org_unit_id)
    _check_dates(starts_on, ends_on)
    allowed = {u.code: u for u in child_units(owner)}
    if not units:
        raise FieldError("units", "请至少选择一个任务单位")
    for code in units:
        if code not in allowed:
            raise FieldError("units", f"{code}不是{owner.name}的下级单位")
    campaign = Campaign.objects.create(
        owner=owner,
        kind=kind,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
        created_by=actor,
    )
    CampaignUnit.objects.bulk_create(
        CampaignUnit(campaign=campaign, unit_id=code) for code in sorted(set(units))
    )
    audit_log(
        actor=actor,
        action="campaigns.campaign.created",
        target=campaign,
        org_unit_id=owner.code,
        detail={"units": len(set(units)), "starts_on": str(starts_on), "ends_on": str(ends_on)},
    )
    return campaign


@transaction.atomic
def phase_add(
    *, actor: Any, campaign: Campaign, name: str, starts_on: date, ends_on: date
) -> Phase:
    campaign = _lock(campaign)
    _check_manage(actor, campaign)
    _check_draft(campaign)
    _check_dates(starts_on, ends_on)
    if starts_on < campaign.starts_on or ends_on > campaign.ends_on:
        raise FieldError(
            "starts_on",
            f"阶段日期应在方案起止日期之内（{campaign.starts_on:%Y-%m-%d}至{campaign.ends_on:%Y-%m-%d}）",
        )
    order = campaign.phases.count() + 1
    phase = Phase.objects.create(
        campaign=campaign, name=name, starts_on=starts_on, ends_on=ends_on, order=order
    )
    audit_log(
        actor=actor,
        action="campaigns.phase.created",
        target=campaign,
        org_unit_id=campaign.owner_id,
        detail={"phase": name},
    )
    return phase


def campaign_unit_codes(campaign: Campaign) -> list[str]:
    return list(campaign.units.order_by("unit_id").values_list("unit_id", flat=True))


@transaction.atomic
def task_add(
    *,
    actor: Any,
    campaign: Campaign,
    name: str,
    count_unit: str,
    split: str,
    total: int = 0,
    measure: str = "",
    phase: Phase | None = None,
    targets: Mapping[str, int] | None = None,
) -> Task:
    """A task with its target per unit: `total` split evenly or by population, or
    `targets` entered per unit (Split.MANUAL). `measure`: its progress comes from the
    records (a LINKABLE measure) instead of the units' reports."""
    campaign = _lock(campaign)
    _check_manage(actor, campaign)
    _check_draft(campaign)
    if measure and measure not in LINKABLE:
        raise FieldError("measure", "所选统计口径不能用于任务进度")
    if phase is not None and phase.campaign_id != campaign.pk:
        raise FieldError("phase", "所选阶段不属于本方案")
    if not 0 <= total <= MAX_COUNT:
        raise FieldError("total", f"总目标数应为 0 到 {MAX_COUNT} 之间的整数")
    units = campaign_unit_codes(campaign)
    if split == Split.MANUAL:
        shares = _manual_targets(units, targets or {})
        total = sum(shares.values())
    elif split == Split.POPULATION:
        weights = population_weights(actor, units, campaign.starts_on)
        if not any(weights.values()):
            raise FieldError(
                "split",
                "尚无各单位的常住人口统计数，无法按人口比例分解，请先计算统计指标或改用平均分解",
            )
        shares = split_by_weight(total, weights)
    elif split == Split.EVEN:
        shares = split_even(total, units)
    else:
        raise FieldError("split", "请选择目标分解方式")
    task = Task.objects.create(
        campaign=campaign,
        phase=phase,
        name=name,
        count_unit=count_unit,
        split=split,
        total=total,
        measure=measure,
        order=campaign.tasks.count() + 1,
    )
    TaskTarget.objects.bulk_create(
        TaskTarget(task=task, unit_id=u, target=shares[u]) for u in units
    )
    audit_log(
        actor=actor,
        action="campaigns.task.created",
        target=campaign,
        org_unit_id=campaign.owner_id,
        detail={"task": name, "split": split, "total": total, "measure": measure},
    )
    return task


def _manual_targets(units: Sequence[str], targets: Mapping[str, int]) -> dict[str, int]:
    unknown = sorted(set(targets) - set(units))
    if unknown:
        raise FieldError("targets", f"{unknown[0]}不是本方案的任务单位")
    shares = {}
    for u in units:
        value = targets.get(u, 0)
        if value < 0:
            raise FieldError(f"target_{u}", "目标数不能为负数")
        if value > MAX_COUNT:
            raise FieldError(f"target_{u}", f"目标数不能超过 {MAX_COUNT}")
        shares[u] = value
    return shares


@transaction.atomic
def task_targets_set(*, actor: Any, task: Task, targets: Mapping[str, int]) -> Task:
    """Targets entered per unit for a task (any split: the split shown is then 逐单位)."""
    campaign = _lock(task.campaign)
    _check_manage(actor, campaign)
    _check_draft(campaign)
    shares = _manual_targets(campaign_unit_codes(campaign), targets)
    TaskTarget.objects.filter(task=task).delete()
    TaskTarget.objects.bulk_create(
        TaskTarget(task=task, unit_id=u, target=v) for u, v in shares.items()
    )
    task.split = Split.MANUAL
    task.total = sum(shares.values())
    task.save(update_fields=["split", "total"])
    audit_log(
        actor=actor,
        action="campaigns.task.updated",
        target=campaign,
        org_unit_id=campaign.owner_id,
        detail={"task": task.name, "total": task.total},
    )
    return task


@transaction.atomic
def dispatch_add(*, actor: Any, campaign: Campaign, day: date, kind: str) -> Dispatch:
    campaign = _lock(campaign)
    _check_manage(actor, campaign)
    if campaign.status == CampaignStatus.CLOSED:
        raise DomainError("方案已验收结束，不能再增加通报日期")
    if not campaign.starts_on <= day <= campaign.ends_on:
        raise FieldError(
            "day",
            f"通报日期应在方案起止日期之内（{campaign.starts_on:%Y-%m-%d}至{campaign.ends_on:%Y-%m-%d}）",
        )
    existing = list(campaign.dispatches.all())
    if any(d.day == day for d in existing):
        raise FieldError("day", f"{day:%Y-%m-%d}已是本方案的通报日期")
    final = next((d for d in existing if d.kind == DispatchKind.FINAL), None)
    if kind == DispatchKind.FINAL:
        if final is not None:
            raise FieldError("kind", f"本方案已定于{final.day:%Y-%m-%d}验收")
        if any(d.day > day for d in existing):
            raise FieldError("day", "验收日期应在各次进度通报之后")
    elif final is not None and day > final.day:
        raise FieldError("day", f"进度通报日期不能晚于验收日期{final.day:%Y-%m-%d}")
    dispatch = Dispatch.objects.create(campaign=campaign, day=day, kind=kind)
    audit_log(
        actor=actor,
        action="campaigns.dispatch.created",
        target=campaign,
        org_unit_id=campaign.owner_id,
        detail={"day": str(day), "kind": kind},
    )
    return dispatch


@transaction.atomic
def campaign_publish(*, actor: Any, campaign: Campaign) -> Campaign:
    """The draft handed to its units: from now on they report, and it cannot change."""
    campaign = _lock(campaign)
    _check_manage(actor, campaign)
    _check_draft(campaign)
    if not campaign.tasks.exists():
        raise DomainError("方案还没有任务，请先添加任务")
    if not campaign.dispatches.exists():
        raise DomainError("方案还没有通报日期，请先添加通报日期")
    campaign.status = CampaignStatus.ACTIVE
    campaign.published_at = timezone.now()
    campaign.save(update_fields=["status", "published_at"])
    audit_log(
        actor=actor,
        action="campaigns.campaign.published",
        target=campaign,
        org_unit_id=campaign.owner_id,
    )
    return campaign


# --- progress --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFacts:
    """What the rules of a report need to know of its plan, loaded once for many reports
    (the import checks a whole file against them without a query a row)."""

    units: frozenset[str]  # the units the plan is addressed to
    tasks: Mapping[int, Task]  # its reported tasks (those not counted from the records)
    frozen_through: date | None  # the latest dispatch date with a published bulletin


def report_facts(campaigns: Sequence[Campaign]) -> dict[int, ReportFacts]:
    """ReportFacts of each plan by pk: three queries for any number of plans."""
    ids = [c.pk for c in campaigns]
    units: dict[int, set[str]] = {pk: set() for pk in ids}
    for campaign_id, unit in CampaignUnit.objects.filter(campaign_id__in=ids).values_list(
        "campaign_id", "unit_id"
    ):
        units[campaign_id].add(unit)
    tasks: dict[int, dict[int, Task]] = {pk: {} for pk in ids}
    for task in Task.objects.filter(campaign_id__in=ids, measure=""):
        tasks[task.campaign_id][task.pk] = task
    frozen = dict(
        Bulletin.objects.filter(dispatch__campaign_id__in=ids)
        .values("dispatch__campaign_id")
        .annotate(last=Max("dispatch__day"))
        .values_list("dispatch__campaign_id", "last")
    )
    return {pk: ReportFacts(frozenset(units[pk]), tasks[pk], frozen.get(pk)) for pk in ids}


def progress_check(
    *,
    actor: Any,
    campaign: Campaign,
    unit: str,
    counts: Mapping[int, int],
    reported_on: date | None = None,
    facts: ReportFacts | None = None,
    unit_name: str | None = None,
) -> date:
    """The rules of a progress report, for the form and the import alike: a FieldError
    naming the field (campaign, reported_on, unit, task, counts or task_<id>), or the
    report's day. `reported_on`: the day the unit reported (a paper report entered
    later), today when not given. `facts`: the plan's, when already loaded."""
    if campaign.status == CampaignStatus.DRAFT:
        raise FieldError("campaign", "方案尚未下发，不能报送进度")
    if campaign.status == CampaignStatus.CLOSED:
        raise FieldError("campaign", "方案已验收结束，不能再报送进度")
    now = today()
    day = reported_on or now
    if day > now:
        raise FieldError("reported_on", "报送日期不能晚于今天")
    if day < campaign.starts_on:
        if reported_on is None:
            message = f"方案{campaign.starts_on:%Y-%m-%d}开始，开始后才能报送进度"
        else:
            message = f"报送日期不能早于方案开始日期{campaign.starts_on:%Y-%m-%d}"
        raise FieldError("reported_on", message)
    if facts is None:
        facts = report_facts([campaign])[campaign.pk]
    # A published bulletin stands as the plan was on its date: a report dated before it
    # would make the plan's page for that day disagree with the bulletin.
    if facts.frozen_through is not None and day < facts.frozen_through:
        raise FieldError(
            "reported_on",
            f"{facts.frozen_through:%Y-%m-%d}的通报已发布，报送日期不能早于该日",
        )
    if unit not in facts.units:
        if unit_name is None:
            unit_name = (
                OrgUnit.objects.filter(code=unit).values_list("name", flat=True).first() or unit
            )
        raise FieldError("unit", f"{unit_name}不是本方案的任务单位，不能报送")
    if not unit_in_scope(actor, unit):
        raise FieldError("unit", "该单位不在您的管辖范围内")
    if not counts:
        raise FieldError("counts", "请填写至少一项任务的完成数")
    for task_id, done in counts.items():
        task = facts.tasks.get(task_id)
        if task is None:
            raise FieldError("task", "所报任务不属于本方案，或其进度由系统按记录统计")
        if done < 0:
            raise FieldError(f"task_{task_id}", f"{task.name}：完成数不能为负数")
        if done > MAX_COUNT:
            raise FieldError(f"task_{task_id}", f"{task.name}：完成数不能超过 {MAX_COUNT}")
    return day


@transaction.atomic
def progress_report(
    *,
    actor: Any,
    campaign: Campaign,
    unit: str,
    counts: Mapping[int, int],
    reported_on: date | None = None,
    detail: Mapping[str, Any] | None = None,
) -> list[ProgressReport]:
    """A unit's cumulative counts done on the plan's reported tasks, as of `reported_on`
    (today, or the day of a paper report entered later on the form or from a file), checked by
    progress_check. The same call serves the phone form and the import (`detail`: how
    it was entered, for the audit row)."""
    campaign = _lock(campaign)
    day = progress_check(
        actor=actor, campaign=campaign, unit=unit, counts=counts, reported_on=reported_on
    )
    reports = ProgressReport.objects.bulk_create(
        ProgressReport(task_id=t, unit_id=unit, done=n, reported_on=day, entered_by=actor)
        for t, n in sorted(counts.items())
    )
    audit_log(
        actor=actor,
        action="campaigns.progress.recorded",
        target=campaign,
        org_unit_id=unit,
        detail={
            "unit": unit,
            "counts": {str(t): n for t, n in sorted(counts.items())},
            "reported_on": str(day),
            **(detail or {}),
        },
    )
    return reports


# --- bulletins -------------------------------------------------------------------------


@transaction.atomic
def bulletin_publish(*, actor: Any, dispatch: Dispatch) -> Bulletin:
    """The standings as of the dispatch date, copied into the bulletin: later reports
    never change it. The final check (验收) closes the plan."""
    from famplan.campaigns.selectors import standings

    campaign = _lock(dispatch.campaign)
    _check_manage(actor, campaign)
    dispatch = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
    if Bulletin.objects.filter(dispatch=dispatch).exists():
        raise DomainError(f"{dispatch.day:%Y-%m-%d}的通报已发布，不能修改")
    if campaign.status != CampaignStatus.ACTIVE:
        raise DomainError("方案未在实施中，不能发布通报")
    if dispatch.day > today():
        raise DomainError(f"通报日期{dispatch.day:%Y-%m-%d}未到，到期后才能发布")
    final = dispatch.kind == DispatchKind.FINAL
    table = standings(actor, campaign, dispatch.day, final=final)
    bulletin = Bulletin.objects.create(
        dispatch=dispatch,
        published_at=timezone.now(),
        published_by=actor,
        tasks=[
            {"id": t.pk, "name": t.name, "count_unit": t.count_unit, "linked": t.linked}
            for t in table.tasks
        ],
    )
    BulletinLine.objects.bulk_create(
        BulletinLine(
            bulletin=bulletin,
            unit_id=row.unit,
            unit_name=row.name,
            rank=row.rank,
            rate=row.rate,
            figures=[[c.target, c.done] for c in row.cells],
            late=row.late,
            named_last=row.named_last,
            passed=row.passed if final else None,
        )
        for row in table.rows
    )
    if final:
        campaign.status = CampaignStatus.CLOSED
        campaign.save(update_fields=["status"])
    audit_log(
        actor=actor,
        action="campaigns.bulletin.published",
        target=campaign,
        org_unit_id=campaign.owner_id,
        detail={"day": str(dispatch.day), "kind": dispatch.kind, "units": len(table.rows)},
    )
    return bulletin
