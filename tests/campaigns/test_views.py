"""The campaigns pages: jurisdiction (404 outside, only one's own units' progress), 403
without the capability, the forms and their Chinese refusals, the bulletins as page,
PDF and .xlsx with their audit rows, the list's filters, paging and query count."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from famplan.audit.models import AuditEntry
from famplan.campaigns import services
from famplan.campaigns.models import Campaign, CampaignStatus, ProgressReport
from famplan.home import todo_list
from tests.campaigns.conftest import SECOND_VILLAGE, TOWNSHIP, VILLAGE, build_spring

pytestmark = pytest.mark.django_db


def _url(name, *args):
    from django.urls import reverse

    return reverse(f"campaigns:{name}", args=args)


def _bulletin(spring, actor, clock, day=date(2026, 3, 10)):
    clock.set(day)
    return services.bulletin_publish(actor=actor, dispatch=spring.campaign.dispatches.get(day=day))


# --- the list ---------------------------------------------------------------------------


@pytest.mark.jurisdiction("campaigns:list")
def test_the_list_shows_own_and_addressed_plans_only(
    spring, county_plan, clerk_client, other_client, village_client
):
    page = clerk_client.get(_url("list")).content.decode()
    assert "春季优质服务月" in page and "全县数据质量提升行动" in page
    other = other_client.get(_url("list")).content.decode()
    assert "春季优质服务月" not in other and "全县数据质量提升行动" in other
    village = village_client.get(_url("list")).content.decode()
    assert "春季优质服务月" in village and "全县数据质量提升行动" not in village


def test_the_list_filters_and_pages(spring, township_clerk, clerk_client, clock):
    build_spring(township_clerk, publish=False)
    response = clerk_client.get(_url("list"), {"status": CampaignStatus.DRAFT})
    assert response.context["page_obj"].paginator.count == 1
    response = clerk_client.get(_url("list"), {"status": "nonsense"})
    assert "查询条件有误" in response.content.decode()


def test_the_list_query_count_does_not_grow(
    township_clerk, clerk_client, clock, django_assert_max_num_queries
):
    build_spring(township_clerk)
    with django_assert_max_num_queries(12) as few:
        clerk_client.get(_url("list"))
    for _ in range(4):
        build_spring(township_clerk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        clerk_client.get(_url("list"))


def test_the_auditor_reads_but_does_not_make_plans(spring, auditor):
    from tests.conftest import client_for

    client = client_for(auditor)
    assert client.get(_url("detail", spring.campaign.pk)).status_code == 200
    assert client.get(_url("create")).status_code == 403


# --- a plan and its forms ----------------------------------------------------------------


@pytest.mark.jurisdiction("campaigns:detail")
def test_another_township_gets_404_for_the_plan(spring, other_client, clerk_client):
    assert other_client.get(_url("detail", spring.campaign.pk)).status_code == 404
    page = clerk_client.get(_url("detail", spring.campaign.pk)).content.decode()
    assert "目标分解与进度" in page and "东关社区" in page and "南嘴村" in page


def test_a_township_sees_only_its_own_row_of_the_countys_plan(county_plan, clerk_client):
    response = clerk_client.get(_url("detail", county_plan.pk))
    rows = response.context["table"].rows
    assert [r.unit for r in rows] == [TOWNSHIP]
    assert "郭城驿镇" not in response.content.decode()


@pytest.mark.jurisdiction("campaigns:create")
def test_a_plan_is_made_for_ones_own_children(clerk_client, village_client, clock):
    assert village_client.get(_url("create")).status_code == 403
    response = clerk_client.post(
        _url("create"),
        {
            "kind": "campaign",
            "title": "春季优质服务月",
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-31",
            # 郭城村 belongs to another township: not a choice
            "units": [VILLAGE, "620422101201"],
        },
    )
    assert response.status_code == 200
    assert "所选单位不是本单位的下级单位" in response.content.decode()
    response = clerk_client.post(
        _url("create"),
        {
            "kind": "campaign",
            "title": "春季优质服务月",
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-31",
            "units": [VILLAGE, SECOND_VILLAGE],
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and campaign.owner_id == TOWNSHIP
    assert AuditEntry.objects.filter(action="campaigns.campaign.created").count() == 1


@pytest.mark.jurisdiction(
    "campaigns:phase_create", "campaigns:task_create", "campaigns:dispatch_create"
)
def test_the_draft_forms_answer_only_the_owner(
    township_clerk, clerk_client, other_client, county_client, clock
):
    spring = build_spring(township_clerk, publish=False)
    pk = spring.campaign.pk
    for name in ("phase_create", "task_create", "dispatch_create"):
        assert other_client.get(_url(name, pk)).status_code == 404
        assert clerk_client.get(_url(name, pk)).status_code == 200
        assert county_client.get(_url(name, pk)).status_code == 200
    response = clerk_client.post(
        _url("dispatch_create", pk), {"day": "2026-04-02", "kind": "progress"}
    )
    assert "通报日期应在方案起止日期之内（2026-03-01至2026-03-31）" in response.content.decode()
    response = clerk_client.post(
        _url("task_create", pk),
        {"name": "入户随访", "count_unit": "户", "split": "even", "total": "３０"},
    )
    assert response.status_code == 302
    assert spring.campaign.tasks.get(name="入户随访").total == 30


def test_a_township_cannot_change_the_countys_plan(county_plan, clerk_client):
    assert clerk_client.get(_url("dispatch_create", county_plan.pk)).status_code == 403
    assert clerk_client.post(_url("publish", county_plan.pk)).status_code == 403


@pytest.mark.jurisdiction("campaigns:task_targets")
def test_targets_are_entered_per_unit(township_clerk, clerk_client, other_client, clock):
    spring = build_spring(township_clerk, publish=False)
    url = _url("task_targets", spring.visits.pk)
    assert other_client.get(url).status_code == 404
    response = clerk_client.post(url, {f"target_{VILLAGE}": "12", f"target_{SECOND_VILLAGE}": "-3"})
    assert "南嘴村不能为负数" in response.content.decode()
    response = clerk_client.post(url, {f"target_{VILLAGE}": "12", f"target_{SECOND_VILLAGE}": "8"})
    assert response.status_code == 302
    assert dict(spring.visits.targets.values_list("unit_id", "target")) == {
        VILLAGE: 12,
        SECOND_VILLAGE: 8,
    }


@pytest.mark.jurisdiction("campaigns:publish")
def test_publishing_hands_the_plan_to_the_units(township_clerk, clerk_client, other_client, clock):
    spring = build_spring(township_clerk, publish=False)
    assert other_client.post(_url("publish", spring.campaign.pk)).status_code == 404
    clerk_client.post(_url("publish", spring.campaign.pk))
    spring.campaign.refresh_from_db()
    assert spring.campaign.status == CampaignStatus.ACTIVE


# --- reports ----------------------------------------------------------------------------


@pytest.mark.jurisdiction("campaigns:report")
def test_a_village_worker_reports_her_villages_counts(spring, village_client, other_client):
    url = _url("report", spring.campaign.pk)
    assert other_client.get(url).status_code == 404
    page = village_client.get(url).content.decode()
    assert "东关社区" in page and "目标 20 户" in page
    response = village_client.post(url, {f"task_{spring.visits.pk}": "-1"})
    assert "不能为负数" in response.content.decode()
    assert not ProgressReport.objects.exists()
    response = village_client.post(url, {f"task_{spring.visits.pk}": "７"})
    assert response.status_code == 302
    assert ProgressReport.objects.get().unit_id == VILLAGE


def test_a_paper_report_is_entered_with_its_own_date(spring, village_client):
    # The clock stands at 2026-03-05; the plan runs from 2026-03-01.
    url = _url("report", spring.campaign.pk)
    task = f"task_{spring.visits.pk}"
    assert 'value="2026-03-05"' in village_client.get(url).content.decode()
    page = village_client.post(url, {task: "3", "reported_on": "2026-03-06"})
    assert "报送日期不能晚于今天" in page.content.decode()
    page = village_client.post(url, {task: "3", "reported_on": "2026-02-27"})
    assert "报送日期不能早于方案开始日期2026-03-01" in page.content.decode()
    assert village_client.post(url, {task: "3", "reported_on": "2026-03-03"}).status_code == 302
    assert ProgressReport.objects.get().reported_on == date(2026, 3, 3)
    village_client.post(url, {task: "5", "reported_on": "2026-03-05"})  # the default: today
    assert ProgressReport.objects.latest("pk").reported_on == date(2026, 3, 5)


def test_a_clerk_cannot_report_for_a_unit_not_in_the_plan(township_clerk, clerk_client, clock):
    spring = build_spring(township_clerk)
    # Another township's village: no choice of the form, and no unit of the plan.
    response = clerk_client.post(
        _url("report", spring.campaign.pk),
        {"unit": "620422101201", f"task_{spring.visits.pk}": "3"},
    )
    assert "所选单位不是本方案的任务单位" in response.content.decode()
    assert not ProgressReport.objects.exists()


# --- bulletins ---------------------------------------------------------------------------


@pytest.mark.jurisdiction("campaigns:bulletin_publish")
def test_a_bulletin_is_published_by_the_owner(
    spring, clerk_client, other_client, village_client, clock
):
    clock.set(date(2026, 3, 10))
    dispatch = spring.campaign.dispatches.get(day=date(2026, 3, 10))
    assert other_client.post(_url("bulletin_publish", dispatch.pk)).status_code == 404
    assert village_client.post(_url("bulletin_publish", dispatch.pk)).status_code == 403
    response = clerk_client.post(_url("bulletin_publish", dispatch.pk))
    assert response.status_code == 302 and "/bulletins/" in response["Location"]
    response = clerk_client.post(_url("bulletin_publish", dispatch.pk), follow=True)
    assert "2026-03-10的通报已发布，不能修改" in response.content.decode()


@pytest.mark.jurisdiction("campaigns:bulletin")
def test_the_bulletin_page_names_the_last_and_the_late(
    spring, township_clerk, village_worker, clerk_client, other_client, village_client, clock
):
    services.progress_report(
        actor=village_worker, campaign=spring.campaign, unit=VILLAGE, counts={spring.visits.pk: 8}
    )
    bulletin = _bulletin(spring, township_clerk, clock)
    assert other_client.get(_url("bulletin", bulletin.pk)).status_code == 404
    page = village_client.get(_url("bulletin", bulletin.pk)).content.decode()
    assert "排名后三位的单位：南嘴村。" in page
    assert "逾期未报送进度的单位：东关社区、南嘴村。" in page  # 东关社区 left one task out


@pytest.mark.jurisdiction("campaigns:bulletin_pdf")
def test_the_bulletin_pdf_reads_in_chinese(
    spring, township_clerk, clerk_client, other_client, clock
):
    bulletin = _bulletin(spring, township_clerk, clock)
    assert other_client.get(_url("bulletin_pdf", bulletin.pk)).status_code == 404
    response = clerk_client.get(_url("bulletin_pdf", bulletin.pk))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "春季优质服务月进度通报" in text
    assert "南嘴村" in text and "排名后三位的单位" in text
    entry = AuditEntry.objects.get(action="campaigns.bulletin.printed")
    assert entry.detail["bulletin"] == bulletin.pk


@pytest.mark.jurisdiction("campaigns:bulletin_xlsx")
def test_the_bulletin_xlsx_holds_the_frozen_figures(
    spring, township_clerk, village_worker, clerk_client, other_client, village_client, clock
):
    clock.set(date(2026, 3, 9))
    services.progress_report(
        actor=village_worker,
        campaign=spring.campaign,
        unit=VILLAGE,
        counts={spring.visits.pk: 10, spring.migrants.pk: 15},
    )
    bulletin = _bulletin(spring, township_clerk, clock)
    clock.set(date(2026, 3, 12))
    services.progress_report(
        actor=village_worker, campaign=spring.campaign, unit=VILLAGE, counts={spring.visits.pk: 20}
    )
    assert other_client.get(_url("bulletin_xlsx", bulletin.pk)).status_code == 404
    assert village_client.get(_url("bulletin_xlsx", bulletin.pk)).status_code == 403
    response = clerk_client.get(_url("bulletin_xlsx", bulletin.pk))
    sheet = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == [
        "名次",
        "单位",
        "入户宣传走访(户)目标",
        "入户宣传走访(户)完成",
        "入户宣传走访(户)完成率%",
    ]
    assert rows[1][:4] == [1, "东关社区", 20, 10]
    assert rows[2][1] == "南嘴村" and rows[2][-1] == "是"
    entry = AuditEntry.objects.get(action="campaigns.bulletin.exported")
    assert entry.detail["rows"] == 2


# --- the home page -------------------------------------------------------------------------


def test_the_home_page_names_a_report_due(
    spring, village_worker, township_clerk, clock, django_assert_num_queries
):
    clock.set(date(2026, 3, 8))
    from famplan.campaigns import selectors

    # The dispatch of 3月10日 is two days off and 东关社区 has not reported.
    with django_assert_num_queries(1):
        assert selectors.reports_due_count(village_worker) == 1
    services.progress_report(
        actor=village_worker, campaign=spring.campaign, unit=VILLAGE, counts={spring.visits.pk: 2}
    )
    assert selectors.reports_due_count(village_worker) == 0
    # The township is no unit of its own plan.
    assert selectors.reports_due_count(township_clerk) == 0
    # Two days before the next dispatch date, the report before the last one is old.
    clock.set(date(2026, 3, 18))
    assert selectors.reports_due_count(village_worker) == 1
    clock.set(date(2026, 3, 12))  # the next dispatch date is a week off
    assert selectors.reports_due_count(village_worker) == 0


def test_the_home_to_do_links_to_the_plans(spring, village_worker, clock):
    clock.set(date(2026, 3, 8))
    lines = {t.label: t for t in todo_list(village_worker)}
    assert lines["待报送的工作进度"].count == 1
    assert lines["待报送的工作进度"].url == _url("list")


def test_the_countys_bulletin_is_read_whole_by_the_townships_it_addresses(
    county_plan, county_admin, clerk_client, other_client, village_client, clock
):
    clock.set(date(2026, 3, 15))
    bulletin = services.bulletin_publish(actor=county_admin, dispatch=county_plan.dispatches.get())
    for client in (clerk_client, other_client):
        page = client.get(_url("bulletin", bulletin.pk)).content.decode()
        assert "会师镇" in page and "郭城驿镇" in page
    # A village is no unit of the county's plan: neither the plan nor its bulletin.
    assert village_client.get(_url("detail", county_plan.pk)).status_code == 404
    assert village_client.get(_url("bulletin", bulletin.pk)).status_code == 404


def test_the_plans_page_query_count_does_not_grow_with_reports(
    spring, village_worker, township_clerk, clerk_client, clock, django_assert_max_num_queries
):
    url = _url("detail", spring.campaign.pk)
    with django_assert_max_num_queries(30) as few:
        clerk_client.get(url)
    for day in (3, 6, 9):
        clock.set(date(2026, 3, day))
        for unit in (VILLAGE, SECOND_VILLAGE):
            services.progress_report(
                actor=township_clerk,
                campaign=spring.campaign,
                unit=unit,
                counts={spring.visits.pk: day, spring.migrants.pk: day},
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        clerk_client.get(url)
