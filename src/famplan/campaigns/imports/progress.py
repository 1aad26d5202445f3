"""Import of work-plan progress reports (工作进度): the cumulative counts that townships
and villages report on paper or in a county spreadsheet, one row a task, unit and day.

Each row is checked by the report form's own rules (services.progress_check, against
the plans' facts loaded once for the file) and the rows of one plan, unit and day are
written by the form's own service (services.progress_report), one report and one audit
row each, so the form and the file refuse alike. A task, unit and day already reported
is refused, so a file imported twice adds nothing."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q

from famplan.accounts.roles import Cap
from famplan.campaigns import services
from famplan.campaigns.counts import MAX_COUNT, parse_count
from famplan.campaigns.models import Campaign, CampaignStatus, ProgressReport, Task
from famplan.campaigns.selectors import campaigns_for_user
from famplan.common.bulk import chunked
from famplan.common.dates import today
from famplan.common.errors import DomainError
from famplan.orgunits.jurisdiction import scope
from famplan.orgunits.models import OrgUnit
from famplan.registry.services.errors import FieldError
from famplan.transfer.imports.columns import CellInvalid, Column, as_text, text
from famplan.transfer.imports.columns import date as date_cell
from famplan.transfer.imports.framework import ImportContext, RecordType, Row, import_type

VIA = "import"
COUNT_LABEL = "累计完成数"
# The report service's fields -> this file's columns (task_<id>: the count of a task).
FIELDS = {
    "campaign": "campaign",
    "task": "task",
    "unit": "unit",
    "counts": "done",
    "reported_on": "reported_on",
}


def count_cell(value: Any) -> int:
    """A count as the form reads it (campaigns.counts.parse_count), from a number cell
    or a text cell."""
    if isinstance(value, float):
        if not value.is_integer():
            raise CellInvalid(f"{COUNT_LABEL}应为整数")
        value = int(value)
    try:
        return parse_count(
            value if isinstance(value, int) and not isinstance(value, bool) else as_text(value),
            label=COUNT_LABEL,
        )
    except DomainError as refusal:
        raise CellInvalid(refusal.message) from None


@import_type
class ProgressImport(RecordType):
    key = "campaign_progress"
    label = "工作进度"
    description = (
        "各单位在工作方案、专项活动中各项任务的累计完成数，每行一个任务、一个单位、一个报送日期。"
        "报送日期为单位报送之日（纸质报表的日期），不能晚于今天，也不能早于方案开始日期"
        "或已发布的通报日期。同一任务、同一单位、同一日期已报送的，不重复导入。"
    )
    columns = [
        Column(
            "工作计划", "campaign", True, text(100),
            "工作方案或专项活动的名称；同名的方案多于一个时填方案编号（方案页网址中的数字）",
            sample="春季优质服务月", width=24,
        ),
        Column("任务", "task", True, text(100), "该方案中需报送的任务名称", sample="入户宣传走访",
               width=20),
        Column(
            "单位", "unit", True, text(100),
            "方案的任务单位：代码，或管辖范围内唯一的单位名称", width=16, as_text=True,
        ),
        Column(
            COUNT_LABEL, "done", True, count_cell,
            f"截至报送日期的累计完成数，0 到 {MAX_COUNT} 的整数", sample=12, width=12,
        ),
        Column("报送日期", "reported_on", True, date_cell(not_future=False), "不能晚于今天",
               width=12),
        Column("备注", "note", False, text(200), "记入操作日志", width=24),
    ]  # fmt: skip

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        actor = ctx.actor
        if ctx.refuse_without(Cap.CAMPAIGNS_REPORT, rows, "报送工作进度"):
            return
        found = _Lookups(actor, rows)
        reports: dict[tuple, dict[str, Any]] = {}
        seen: dict[tuple, int] = {}
        for row in rows:
            if not row.ok("campaign", "task", "unit", "done", "reported_on", "note"):
                continue
            campaign = found.campaign(row, ctx)
            if campaign is None:
                continue
            task = found.task(campaign, row, ctx)
            unit = found.unit(campaign, row, ctx)
            if task is None or unit is None:
                continue
            try:
                day = services.progress_check(
                    actor=actor,
                    campaign=campaign,
                    unit=unit,
                    counts={task.pk: row["done"]},
                    reported_on=row["reported_on"],
                    facts=found.facts[campaign.pk],
                    unit_name=found.names.get(unit),
                )
            except FieldError as refusal:
                column = "done" if refusal.field.startswith("task_") else FIELDS[refusal.field]
                ctx.error(row, column, refusal.message)
                continue
            key = (task.pk, unit, day)
            first = seen.setdefault(key, row.number)
            if first != row.number:
                ctx.error(row, "reported_on", f"与第 {first} 行是同一任务、同一单位同日的报送")
                continue
            if key in found.reported:
                ctx.error(row, "reported_on", f"该单位{day:%Y-%m-%d}已报送过此任务的进度")
                continue
            report = reports.setdefault(
                (campaign.pk, unit, day),
                {"campaign": campaign, "unit": unit, "reported_on": day, "counts": {}, "notes": {}},
            )
            report["counts"][task.pk] = row["done"]
            if row["note"]:
                report["notes"][str(task.pk)] = row["note"]
        ctx.state["reports"] = list(reports.values())

    def write(self, rows: list[Row], ctx: ImportContext) -> dict[str, int]:
        written = 0
        for report in ctx.state["reports"]:
            notes = report["notes"]
            written += len(
                services.progress_report(
                    actor=ctx.actor,
                    campaign=report["campaign"],
                    unit=report["unit"],
                    counts=report["counts"],
                    reported_on=report["reported_on"],
                    detail={"via": VIA, **({"notes": notes} if notes else {})},
                )
            )
        return {"progress_reports": written}

    def samples(self, village_code: str) -> dict[str, Any]:
        return {"unit": village_code, "reported_on": today()}


class _Lookups:
    """The file's plans (by title or number, among those the actor sees, locked so that
    no report slips in between the checks and the writes), their tasks and facts, its
    units (by code, or by name within the actor's jurisdiction), and the reports
    already made on the file's days: a few queries for the whole file."""

    def __init__(self, actor: Any, rows: list[Row]) -> None:
        wanted = {r["campaign"] for r in rows if r.ok("campaign")}
        numbers = {int(w) for w in wanted if w.isascii() and w.isdigit()}
        visible = campaigns_for_user(actor).filter(Q(title__in=wanted) | Q(pk__in=numbers))
        ids = sorted(visible.values_list("pk", flat=True))
        # In pk order, as every report locks its plan: no deadlock with the form.
        campaigns = list(Campaign.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        self.by_pk = {c.pk: c for c in campaigns}
        self.by_title: dict[str, list[Campaign]] = defaultdict(list)
        for c in campaigns:
            self.by_title[c.title].append(c)
        self.facts = services.report_facts(campaigns)
        self.tasks: dict[tuple[int, str], list[Task]] = defaultdict(list)
        for task in Task.objects.filter(campaign_id__in=ids).order_by("order", "pk"):
            self.tasks[task.campaign_id, task.name].append(task)

        raw_units = sorted({r["unit"] for r in rows if r.ok("unit")})
        self.codes: set[str] = set()
        self.names: dict[str, str] = {}
        self.by_name: dict[str, list[str]] = defaultdict(list)
        named = scope(OrgUnit.objects.all(), actor, "code")
        for chunk in chunked(raw_units):
            # Codes anywhere, so the service's own refusal names the unit (not in the
            # plan, or not the actor's); names only within the actor's jurisdiction.
            for code, name in OrgUnit.objects.filter(code__in=chunk).values_list("code", "name"):
                self.codes.add(code)
                self.names[code] = name
            for code, name in named.filter(name__in=chunk).values_list("code", "name"):
                self.by_name[name].append(code)
                self.names[code] = name

        days = {r["reported_on"] for r in rows if r.ok("reported_on")}
        task_ids = [t.pk for ts in self.tasks.values() for t in ts]
        self.reported = set(
            ProgressReport.objects.filter(task_id__in=task_ids, reported_on__in=days).values_list(
                "task_id", "unit_id", "reported_on"
            )
        )

    def campaign(self, row: Row, ctx: ImportContext) -> Campaign | None:
        raw = row["campaign"]
        named = self.by_title.get(raw, [])
        if len(named) > 1:
            active = [c for c in named if c.status == CampaignStatus.ACTIVE]
            if len(active) == 1:
                return active[0]
            numbers = "、".join(str(c.pk) for c in named)
            ctx.error(
                row, "campaign", f"有 {len(named)} 个名为“{raw}”的工作计划，请改填编号（{numbers}）"
            )
            return None
        if named:
            return named[0]
        found = self.by_pk.get(int(raw)) if raw.isascii() and raw.isdigit() else None
        if found is None:
            ctx.error(row, "campaign", f"工作计划“{raw}”不存在或不在您的查看范围内")
        return found

    def task(self, campaign: Campaign, row: Row, ctx: ImportContext) -> Task | None:
        raw = row["task"]
        found = self.tasks.get((campaign.pk, raw), [])
        if len(found) > 1:
            ctx.error(row, "task", f"该工作计划有 {len(found)} 个名为“{raw}”的任务，无法区分")
            return None
        if not found:
            ctx.error(row, "task", f"工作计划“{campaign.title}”中没有名为“{raw}”的任务")
            return None
        return found[0]

    def unit(self, campaign: Campaign, row: Row, ctx: ImportContext) -> str | None:
        raw = row["unit"]
        if raw in self.codes:
            return raw
        named = self.by_name.get(raw, [])
        if len(named) > 1:
            # The same name twice in the jurisdiction: the plan's own unit, if only one is.
            addressed = [c for c in named if c in self.facts[campaign.pk].units]
            if len(addressed) == 1:
                return addressed[0]
            ctx.error(row, "unit", f"有 {len(named)} 个单位名为“{raw}”，请填写单位代码")
            return None
        if not named:
            ctx.error(row, "unit", f"单位“{raw}”不存在或不在您的管辖范围内")
            return None
        return named[0]
