"""The campaign services: building a plan, splitting targets, reports, bulletins, and
every refusal with its Chinese message."""

from __future__ import annotations

from datetime import date

import pytest

from famplan.audit.models import AuditEntry
from famplan.campaigns import selectors, services
from famplan.campaigns.models import (
    BulletinLine,
    CampaignKind,
    CampaignStatus,
    DispatchKind,
    ProgressReport,
    Split,
)
from famplan.common.errors import DomainError
from famplan.indicators.models import MeasureValue
from famplan.indicators.periods import PeriodType
from tests.campaigns.conftest import (
    END,
    OTHER_TOWNSHIP,
    SECOND_VILLAGE,
    START,
    TOWNSHIP,
    VILLAGE,
    build_spring,
)

pytestmark = pytest.mark.django_db


def _report(actor, spring, unit, visits=None, migrants=None):
    counts = {}
    if visits is not None:
        counts[spring.visits.pk] = visits
    if migrants is not None:
        counts[spring.migrants.pk] = migrants
    return services.progress_report(actor=actor, campaign=spring.campaign, unit=unit, counts=counts)


def _targets(task):
    return dict(task.targets.values_list("unit_id", "target"))


# --- building a plan -----------------------------------------------------------------


def test_it_splits_the_targets_evenly_or_as_entered(spring):
    assert _targets(spring.visits) == {VILLAGE: 20, SECOND_VILLAGE: 20}
    assert _targets(spring.migrants) == {VILLAGE: 30, SECOND_VILLAGE: 10}
    assert spring.migrants.total == 40
    assert spring.campaign.status == CampaignStatus.ACTIVE
    assert AuditEntry.objects.filter(action="campaigns.campaign.published").count() == 1


def test_it_splits_by_population_from_the_values_table(township_clerk, clock):
    spring = build_spring(township_clerk, publish=False)
    for unit, people in ((VILLAGE, 300), (SECOND_VILLAGE, 100)):
        MeasureValue.objects.create(
            unit_id=unit,
            period_type=PeriodType.MONTH,
            period_start=date(2026, 2, 1),
            measure="population_end",
            value=people,
        )
    task = services.task_add(
        actor=township_clerk,
        campaign=spring.campaign,
        name="发放宣传资料",
        count_unit="份",
        split=Split.POPULATION,
        total=101,
    )
    assert _targets(task) == {VILLAGE: 76, SECOND_VILLAGE: 25}


def test_it_refuses_a_population_split_without_figures(township_clerk, clock):
    spring = build_spring(township_clerk, publish=False)
    with pytest.raises(DomainError, match="尚无各单位的常住人口统计数"):
        services.task_add(
            actor=township_clerk,
            campaign=spring.campaign,
            name="发放宣传资料",
            count_unit="份",
            split=Split.POPULATION,
            total=100,
        )


def test_it_refuses_units_that_are_not_the_owners_children(township_clerk):
    with pytest.raises(DomainError, match="620422101201不是会师镇的下级单位"):
        services.campaign_create(
            actor=township_clerk,
            kind=CampaignKind.CAMPAIGN,
            title="x",
            starts_on=START,
            ends_on=END,
            units=[VILLAGE, "620422101201"],
        )
    with pytest.raises(DomainError, match="结束日期不能早于开始日期"):
        services.campaign_create(
            actor=township_clerk,
            kind=CampaignKind.CAMPAIGN,
            title="x",
            starts_on=END,
            ends_on=START,
            units=[VILLAGE],
        )


def test_it_refuses_a_phase_or_a_dispatch_date_outside_the_plan(township_clerk, clock):
    spring = build_spring(township_clerk, publish=False)
    with pytest.raises(DomainError, match="阶段日期应在方案起止日期之内"):
        services.phase_add(
            actor=township_clerk,
            campaign=spring.campaign,
            name="延长",
            starts_on=date(2026, 3, 25),
            ends_on=date(2026, 4, 5),
        )
    with pytest.raises(DomainError) as refusal:
        services.dispatch_add(
            actor=township_clerk,
            campaign=spring.campaign,
            day=date(2026, 4, 2),
            kind=DispatchKind.PROGRESS,
        )
    assert refusal.value.message == "通报日期应在方案起止日期之内（2026-03-01至2026-03-31）"
    assert refusal.value.field == "day"


def test_it_keeps_the_final_check_last(township_clerk, clock):
    spring = build_spring(township_clerk, publish=False)
    with pytest.raises(DomainError, match="本方案已定于2026-03-31验收"):
        services.dispatch_add(
            actor=township_clerk, campaign=spring.campaign, day=END.replace(day=30), kind="final"
        )
    with pytest.raises(DomainError, match="已是本方案的通报日期"):
        services.dispatch_add(
            actor=township_clerk, campaign=spring.campaign, day=date(2026, 3, 10), kind="progress"
        )


def test_it_refuses_negative_targets(township_clerk, clock):
    spring = build_spring(township_clerk, publish=False)
    with pytest.raises(DomainError, match="目标数不能为负数"):
        services.task_targets_set(
            actor=township_clerk, task=spring.visits, targets={VILLAGE: -1, SECOND_VILLAGE: 3}
        )
    with pytest.raises(DomainError, match="620422101201不是本方案的任务单位"):
        services.task_targets_set(
            actor=township_clerk, task=spring.visits, targets={"620422101201": 3}
        )


def test_it_freezes_the_structure_once_published(spring, township_clerk):
    with pytest.raises(DomainError, match="方案已下发，阶段、任务和目标不能再修改"):
        services.task_add(
            actor=township_clerk,
            campaign=spring.campaign,
            name="x",
            count_unit="户",
            split=Split.EVEN,
            total=3,
        )


def test_it_refuses_to_publish_an_empty_plan(township_clerk):
    campaign = services.campaign_create(
        actor=township_clerk,
        kind=CampaignKind.PLAN,
        title="年度工作方案",
        starts_on=START,
        ends_on=END,
        units=[VILLAGE],
    )
    with pytest.raises(DomainError, match="方案还没有任务"):
        services.campaign_publish(actor=township_clerk, campaign=campaign)


def test_a_township_does_not_manage_the_countys_plan(county_plan, township_clerk):
    with pytest.raises(DomainError, match="该方案由上级单位制定"):
        services.dispatch_add(
            actor=township_clerk, campaign=county_plan, day=date(2026, 3, 20), kind="progress"
        )


# --- reports ---------------------------------------------------------------------------


def test_it_records_a_report_with_its_audit_row(spring, village_worker):
    _report(village_worker, spring, VILLAGE, visits=5, migrants=3)
    assert set(ProgressReport.objects.values_list("unit_id", "done", "reported_on")) == {
        (VILLAGE, 5, date(2026, 3, 5)),
        (VILLAGE, 3, date(2026, 3, 5)),
    }
    entry = AuditEntry.objects.get(action="campaigns.progress.recorded")
    assert entry.org_unit_id == VILLAGE


def test_it_refuses_a_report_for_a_unit_not_in_the_plan(spring, township_clerk, county_admin):
    with pytest.raises(DomainError) as refusal:
        _report(county_admin, spring, "620422101201", visits=1)
    assert refusal.value.message == "郭城村不是本方案的任务单位，不能报送"
    assert not ProgressReport.objects.exists()


def test_it_refuses_a_report_outside_the_reporters_jurisdiction(spring, village_worker):
    with pytest.raises(DomainError, match="不在您的管辖范围内"):
        _report(village_worker, spring, SECOND_VILLAGE, visits=1)


def test_it_refuses_a_negative_count_and_writes_nothing(spring, village_worker):
    with pytest.raises(DomainError) as refusal:
        _report(village_worker, spring, VILLAGE, visits=4, migrants=-2)
    assert refusal.value.message == "流动人口信息核查：完成数不能为负数"
    assert not ProgressReport.objects.exists()


def test_it_refuses_reports_on_a_draft(township_clerk, village_worker, clock):
    spring = build_spring(township_clerk, publish=False)
    with pytest.raises(DomainError, match="方案尚未下发"):
        _report(village_worker, spring, VILLAGE, visits=1)


# --- bulletins -------------------------------------------------------------------------


def _publish(actor, spring, day):
    dispatch = spring.campaign.dispatches.get(day=day)
    return services.bulletin_publish(actor=actor, dispatch=dispatch)


def test_it_ranks_names_the_last_and_shows_the_late(spring, township_clerk, village_worker, clock):
    clock.set(date(2026, 3, 8))
    _report(village_worker, spring, VILLAGE, visits=10, migrants=30)  # 50% and 100%
    clock.set(date(2026, 3, 12))
    bulletin = _publish(township_clerk, spring, date(2026, 3, 10))
    lines = {line.unit_id: line for line in bulletin.lines.all()}
    assert lines[VILLAGE].rank == 1 and lines[VILLAGE].rate == 750
    assert lines[SECOND_VILLAGE].rank == 2 and lines[SECOND_VILLAGE].rate == 0
    assert lines[SECOND_VILLAGE].late and not lines[VILLAGE].late
    assert lines[SECOND_VILLAGE].named_last and not lines[VILLAGE].named_last
    assert lines[VILLAGE].figures == [[20, 10], [30, 30]]
    assert [t["name"] for t in bulletin.tasks] == ["入户宣传走访", "流动人口信息核查"]
    assert AuditEntry.objects.filter(action="campaigns.bulletin.published").count() == 1


def test_a_bulletin_stands_as_it_was_on_its_date(spring, township_clerk, village_worker, clock):
    clock.set(date(2026, 3, 9))
    _report(village_worker, spring, VILLAGE, visits=4)
    clock.set(date(2026, 3, 11))
    # Reported after the dispatch date: not in the bulletin, even though it is earlier
    # than the publishing.
    _report(village_worker, spring, VILLAGE, visits=20)
    bulletin = _publish(township_clerk, spring, date(2026, 3, 10))
    line = bulletin.lines.get(unit_id=VILLAGE)
    assert line.figures[0] == [20, 4]
    clock.set(date(2026, 3, 15))
    _report(village_worker, spring, VILLAGE, visits=20, migrants=30)
    line.refresh_from_db()
    assert line.figures == [[20, 4], [30, 0]]
    live = selectors.standings(township_clerk, spring.campaign, date(2026, 3, 15))
    assert live.rows[0].cells[0].done == 20


def test_it_refuses_to_publish_a_bulletin_again(spring, township_clerk, clock):
    clock.set(date(2026, 3, 10))
    _publish(township_clerk, spring, date(2026, 3, 10))
    with pytest.raises(DomainError, match="2026-03-10的通报已发布，不能修改"):
        _publish(township_clerk, spring, date(2026, 3, 10))
    assert BulletinLine.objects.count() == 2


def test_it_refuses_a_bulletin_before_its_date(spring, township_clerk):
    with pytest.raises(DomainError, match="通报日期2026-03-10未到"):
        _publish(township_clerk, spring, date(2026, 3, 10))


def test_the_final_check_judges_each_unit_and_closes_the_plan(
    spring, township_clerk, village_worker, clock
):
    clock.set(date(2026, 3, 28))
    _report(village_worker, spring, VILLAGE, visits=25, migrants=30)
    _report(township_clerk, spring, SECOND_VILLAGE, visits=19, migrants=10)
    clock.set(date(2026, 3, 31))
    bulletin = _publish(township_clerk, spring, date(2026, 3, 31))
    lines = {line.unit_id: line for line in bulletin.lines.all()}
    assert lines[VILLAGE].passed and lines[VILLAGE].rate == 1000
    assert not lines[SECOND_VILLAGE].passed and lines[SECOND_VILLAGE].rate == 975
    spring.campaign.refresh_from_db()
    assert spring.campaign.status == CampaignStatus.CLOSED
    with pytest.raises(DomainError, match="方案已验收结束"):
        _report(village_worker, spring, VILLAGE, visits=26)


def test_a_linked_task_counts_the_records_of_the_plans_months(township_clerk, clock):
    spring = build_spring(township_clerk, publish=False)
    task = services.task_add(
        actor=township_clerk,
        campaign=spring.campaign,
        name="孕前优生健康检查",
        count_unit="对",
        split=Split.EVEN,
        total=10,
        measure="health_checks",
    )
    for unit, month, value in (
        (VILLAGE, date(2026, 2, 1), 9),  # before the plan: not counted
        (VILLAGE, date(2026, 3, 1), 4),
        (SECOND_VILLAGE, date(2026, 3, 1), 6),
    ):
        MeasureValue.objects.create(
            unit_id=unit,
            period_type=PeriodType.MONTH,
            period_start=month,
            measure="health_checks",
            value=value,
        )
    table = selectors.standings(township_clerk, spring.campaign, date(2026, 3, 20))
    index = [t.pk for t in table.tasks].index(task.pk)
    done = {row.unit: row.cells[index].done for row in table.rows}
    assert done == {VILLAGE: 4, SECOND_VILLAGE: 5 + 1}
    with pytest.raises(DomainError, match="其进度由系统按记录统计"):
        services.campaign_publish(actor=township_clerk, campaign=spring.campaign)
        services.progress_report(
            actor=township_clerk, campaign=spring.campaign, unit=VILLAGE, counts={task.pk: 3}
        )


def test_it_refuses_an_unlinkable_measure(township_clerk, clock):
    spring = build_spring(township_clerk, publish=False)
    with pytest.raises(DomainError, match="所选统计口径不能用于任务进度"):
        services.task_add(
            actor=township_clerk,
            campaign=spring.campaign,
            name="x",
            count_unit="人",
            split=Split.EVEN,
            total=10,
            measure="births",
        )


def test_the_county_plan_ranks_townships(county_plan, county_admin, township_clerk, clock):
    services.progress_report(
        actor=township_clerk,
        campaign=county_plan,
        unit=TOWNSHIP,
        counts={county_plan.tasks.get().pk: 25},
    )
    clock.set(date(2026, 3, 15))
    bulletin = services.bulletin_publish(actor=county_admin, dispatch=county_plan.dispatches.get())
    ranks = list(bulletin.lines.values_list("unit_id", "rank", "rate", "late"))
    assert ranks == [(TOWNSHIP, 1, 500, False), (OTHER_TOWNSHIP, 2, 0, True)]
