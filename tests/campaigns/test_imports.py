"""Importing progress reports (工作进度) from .xlsx: a good file writes every report with
its audit row, a bad file is reported by row and column with nothing written, a file
imported twice adds nothing, and the report form's service and the import record the
same report and refuse alike (parity)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from famplan.audit.models import AuditEntry
from famplan.campaigns import selectors, services
from famplan.campaigns.models import ProgressReport
from famplan.orgunits.models import Level, OrgUnit
from tests.campaigns.conftest import OTHER_TOWNSHIP, SECOND_VILLAGE, TOWNSHIP, VILLAGE, build_spring
from tests.registry.event_parity import audit_trail, import_refusals, rolled_back, service_refusal
from tests.transfer.test_imports import errors_of, fail, run

pytestmark = pytest.mark.django_db

KEY = "campaign_progress"
HEADER = ["工作计划", "任务", "单位", "累计完成数", "报送日期", "备注"]
TITLE = "春季优质服务月"
VISITS, MIGRANTS = "入户宣传走访", "流动人口信息核查"
DAY = date(2026, 3, 4)  # the clock stands on 3月5日


def row(campaign=TITLE, task=VISITS, unit=VILLAGE, done=5, day=DAY, note=""):
    return [campaign, task, unit, done, day, note]


def reports() -> set[tuple]:
    return set(
        ProgressReport.objects.values_list(
            "task_id", "unit_id", "done", "reported_on", "entered_by"
        )
    )


def report_fields() -> list[tuple]:
    fields = ProgressReport.objects.order_by("task_id", "unit_id").values_list(
        "task__name", "unit_id", "done", "reported_on", "entered_by__username"
    )
    return [list(fields), audit_trail()]


def test_it_imports_the_reports_with_their_audit_rows(spring, township_clerk):
    result = run(
        township_clerk,
        KEY,
        [
            HEADER,
            row(done=5, note="含3月1日前补录"),
            row(task=MIGRANTS, unit="东关社区", done=3),
            row(campaign=spring.campaign.pk, unit="南嘴村", done=2, day=date(2026, 3, 5)),
        ],
    )
    assert result.counts == {"progress_reports": 3}
    clerk = township_clerk.pk
    assert reports() == {
        (spring.visits.pk, VILLAGE, 5, DAY, clerk),
        (spring.migrants.pk, VILLAGE, 3, DAY, clerk),
        (spring.visits.pk, SECOND_VILLAGE, 2, date(2026, 3, 5), clerk),
    }
    # One audit row a report: a unit's counts on a day, as the form makes it.
    entries = list(AuditEntry.objects.filter(action="campaigns.progress.recorded").order_by("pk"))
    assert [(e.org_unit_id, e.detail["reported_on"], e.detail["via"]) for e in entries] == [
        (VILLAGE, "2026-03-04", "import"),
        (SECOND_VILLAGE, "2026-03-05", "import"),
    ]
    assert entries[0].detail["counts"] == {str(spring.visits.pk): 5, str(spring.migrants.pk): 3}
    assert entries[0].detail["notes"] == {str(spring.visits.pk): "含3月1日前补录"}
    assert "notes" not in entries[1].detail
    assert AuditEntry.objects.filter(action="transfer.import.completed").count() == 1
    # the plan's page counts them
    done = selectors.reported_counts([spring.visits, spring.migrants], [VILLAGE], date(2026, 3, 5))
    assert done == {(spring.visits.pk, VILLAGE): 5, (spring.migrants.pk, VILLAGE): 3}


def test_it_reports_every_bad_row_and_writes_nothing(spring, county_plan, township_clerk, clock):
    OrgUnit.objects.create(
        code="620422100202", name="北关村", level=Level.VILLAGE, parent_id=TOWNSHIP
    )
    draft = build_spring(township_clerk, publish=False).campaign  # the same title, a draft
    failure = fail(
        township_clerk,
        KEY,
        [
            HEADER,
            row(campaign="秋季服务月"),
            row(task="发放宣传资料"),
            row(unit="北关村"),
            row(unit="620422101201"),
            row(campaign="全县数据质量提升行动", task="个案信息核查", unit=OTHER_TOWNSHIP),
            row(unit="西关村"),
            row(done=-2),
            row(done="3.5"),
            row(day=date(2026, 3, 6)),
            row(day=date(2026, 2, 27)),
            row(campaign=draft.pk),
            row(task=MIGRANTS),
            row(task=MIGRANTS, day=date(2026, 3, 4)),
            row(unit="东关社区", task=""),
        ],
    )
    assert errors_of(failure) == {
        (2, "工作计划", "工作计划“秋季服务月”不存在或不在您的查看范围内"),
        (3, "任务", f"工作计划“{TITLE}”中没有名为“发放宣传资料”的任务"),
        (4, "单位", "北关村不是本方案的任务单位，不能报送"),
        (5, "单位", "郭城村不是本方案的任务单位，不能报送"),
        (6, "单位", "该单位不在您的管辖范围内"),
        (7, "单位", "单位“西关村”不存在或不在您的管辖范围内"),
        (8, "累计完成数", "累计完成数不能为负数"),
        (9, "累计完成数", "累计完成数应为整数"),
        (10, "报送日期", "报送日期不能晚于今天"),
        (11, "报送日期", "报送日期不能早于方案开始日期2026-03-01"),
        (12, "工作计划", "方案尚未下发，不能报送进度"),
        (14, "报送日期", "与第 13 行是同一任务、同一单位同日的报送"),
        (15, "任务", "必填项不能为空"),
    }
    assert failure.total_rows == 14
    assert not ProgressReport.objects.exists()
    assert not AuditEntry.objects.filter(action="campaigns.progress.recorded").exists()


def test_two_plans_of_one_title_are_told_apart_by_number(township_clerk, clock):
    first = build_spring(township_clerk).campaign
    second = build_spring(township_clerk).campaign
    failure = fail(township_clerk, KEY, [HEADER, row()])
    assert errors_of(failure) == {
        (2, "工作计划", f"有 2 个名为“{TITLE}”的工作计划，请改填编号（{first.pk}、{second.pk}）")
    }
    run(township_clerk, KEY, [HEADER, row(campaign=first.pk)])
    assert ProgressReport.objects.get().task.campaign == first


def test_a_file_imported_twice_adds_nothing(spring, township_clerk, village_worker):
    file = [HEADER, row(), row(task=MIGRANTS, done=3)]
    run(township_clerk, KEY, file)
    failure = fail(township_clerk, KEY, file)
    assert errors_of(failure) == {
        (2, "报送日期", "该单位2026-03-04已报送过此任务的进度"),
        (3, "报送日期", "该单位2026-03-04已报送过此任务的进度"),
    }
    # a report made on the form today is one the file cannot repeat either
    services.progress_report(
        actor=village_worker, campaign=spring.campaign, unit=VILLAGE, counts={spring.visits.pk: 7}
    )
    failure = fail(township_clerk, KEY, [HEADER, row(done=7, day=date(2026, 3, 5))])
    assert errors_of(failure) == {(2, "报送日期", "该单位2026-03-05已报送过此任务的进度")}
    assert ProgressReport.objects.count() == 3


def test_a_lower_count_is_taken_as_the_form_takes_it(spring, township_clerk):
    # The service keeps every report and never compares it with the last one (a unit
    # corrects an overcount by reporting again), so neither does the import.
    run(township_clerk, KEY, [HEADER, row(done=8, day=date(2026, 3, 3)), row(done=6)])
    done = selectors.reported_counts([spring.visits], [VILLAGE], DAY)
    assert done == {(spring.visits.pk, VILLAGE): 6}


def test_a_report_may_not_reach_behind_a_published_bulletin(spring, township_clerk, clock):
    clock.set(date(2026, 3, 12))
    services.bulletin_publish(
        actor=township_clerk, dispatch=spring.campaign.dispatches.get(day=date(2026, 3, 10))
    )
    failure = fail(township_clerk, KEY, [HEADER, row(day=date(2026, 3, 9))])
    assert errors_of(failure) == {(2, "报送日期", "2026-03-10的通报已发布，报送日期不能早于该日")}
    run(township_clerk, KEY, [HEADER, row(day=date(2026, 3, 10)), row(day=date(2026, 3, 11))])
    assert ProgressReport.objects.count() == 2


def test_the_form_and_the_import_record_the_same_report(spring, township_clerk, clock):
    def by_form():
        services.progress_report(
            actor=township_clerk,
            campaign=spring.campaign,
            unit=SECOND_VILLAGE,
            counts={spring.visits.pk: 4, spring.migrants.pk: 9},
        )

    def by_file():
        today = date(2026, 3, 5)
        lines = [row(unit=SECOND_VILLAGE, done=4, day=today)]
        lines.append(row(task=MIGRANTS, unit=SECOND_VILLAGE, done=9, day=today))
        run(township_clerk, KEY, [HEADER, *lines])

    form, file = rolled_back(by_form, report_fields), rolled_back(by_file, report_fields)
    assert form == file
    assert form[0] == [
        (VISITS, SECOND_VILLAGE, 4, date(2026, 3, 5), "township_clerk"),
        (MIGRANTS, SECOND_VILLAGE, 9, date(2026, 3, 5), "township_clerk"),
    ]


def test_the_form_and_the_import_refuse_alike(spring, county_plan, township_clerk, clock):
    draft = build_spring(township_clerk, publish=False).campaign
    today = date(2026, 3, 5)
    for campaign, unit, line in (
        (spring.campaign, "620422101201", row(unit="620422101201", day=today)),
        (
            county_plan,
            OTHER_TOWNSHIP,
            row(county_plan.pk, "个案信息核查", OTHER_TOWNSHIP, day=today),
        ),
        (draft, VILLAGE, row(campaign=draft.pk, day=today)),
    ):
        task = campaign.tasks.order_by("order").first()

        def by_form(campaign=campaign, unit=unit, task=task):
            services.progress_report(
                actor=township_clerk, campaign=campaign, unit=unit, counts={task.pk: 5}
            )

        assert service_refusal(by_form, {}, KEY) == import_refusals(
            township_clerk, KEY, [HEADER, line]
        )
    assert not ProgressReport.objects.exists()


def test_it_refuses_a_user_who_may_not_report(spring, auditor):
    failure = fail(auditor, KEY, [HEADER, row()])
    assert "您没有报送工作进度的权限" in {e.reason for e in failure.errors}
    assert not ProgressReport.objects.exists()


def test_the_plan_links_to_the_import_and_its_template(spring, clerk_client, village_client):
    url = f"/campaigns/{spring.campaign.pk}/"
    assert "/transfer/?type=campaign_progress" in clerk_client.get(url).content.decode()
    # a village worker reports on the form but does not import files
    page = village_client.get(url).content.decode()
    assert "报送进度" in page and "type=campaign_progress" not in page
    home = clerk_client.get("/transfer/?type=campaign_progress").content.decode()
    assert 'value="campaign_progress" selected' in home
    response = clerk_client.get("/transfer/template/campaign_progress/")
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(BytesIO(response.content)).get_sheet_by_index(0)
    assert sheet.to_python()[0][: len(HEADER)] == HEADER


def test_the_checks_do_not_query_a_row(spring, township_clerk, county_plan):
    def queries(lines: list[list]) -> int:
        with CaptureQueriesContext(connection) as captured:
            fail(township_clerk, KEY, [HEADER, *lines])
        return len(captured)

    def bad(n: int) -> list[list]:  # every kind of lookup, each row refused by the check
        return [
            row(unit=unit, task=task, day=date(2026, 3, 6))
            for _ in range(n)
            for unit in (VILLAGE, "南嘴村", "620422101201")
            for task in (VISITS, MIGRANTS)
        ]

    assert queries(bad(1)) == queries(bad(10))
