"""The home page's to-do list: each kind of waiting work counted in the user's own
jurisdiction, overdue work first, each line a link into the page that does it."""

from __future__ import annotations

from datetime import date

import pytest

from famplan.common.dates import today
from famplan.indicators.models import MeasureValue
from famplan.indicators.periods import PeriodType
from famplan.jobs.models import Job, JobStatus
from famplan.registry.selectors.month import previous_month_start
from famplan.registry.services import marriage_record
from tests.conftest import client_for
from tests.health.conftest import VILLAGE, Couple, couple, other_couple, record_check
from tests.registry.factories import person

__all__ = ["couple", "other_couple"]  # the health tests' couples, as fixtures here


def todos(client) -> dict[str, tuple[int, str]]:
    response = client.get("/")
    assert response.status_code == 200
    return {t.label: (t.count, t.url) for t in response.context["todos"]}


@pytest.fixture
def second_couple(township_clerk) -> Couple:
    wife = person(township_clerk, name="刘丽", sex="F", born=date(1996, 7, 8), unit=VILLAGE)
    husband = person(township_clerk, name="张军", sex="M", born=date(1995, 8, 9), unit=VILLAGE)
    marriage_record(actor=township_clerk, husband=husband, wife=wife, married_on=date(2020, 1, 1))
    return Couple(wife, husband)


@pytest.fixture
def followups(township_clerk, other_clerk, couple, second_couple, other_couple):
    # Early-pregnancy follow-ups open 30 days after the check and are due by day 90.
    record_check(township_clerk, couple, days_ago=37)  # due
    record_check(township_clerk, second_couple, days_ago=100)  # overdue
    record_check(other_clerk, other_couple, days_ago=100)  # overdue, another township


def test_it_lists_the_follow_ups_of_the_users_villages_overdue_first(
    followups, village_client, other_client
):
    lines = todos(village_client)
    assert lines["逾期未随访"] == (1, "/health/followups/?state=overdue")
    assert lines["到期待随访"] == (1, "/health/followups/?state=due")
    assert next(iter(lines)) == "逾期未随访"
    # 郭城驿镇's clerk sees only the follow-up of his own township.
    other = todos(other_client)
    assert other["逾期未随访"][0] == 1 and "到期待随访" not in other


def test_it_counts_last_months_late_entries_from_the_values_table(village_worker, village_client):
    last_month = previous_month_start(today())
    for measure, value in (("events_due", 5), ("events_on_time", 3)):
        MeasureValue.objects.create(
            unit_id=village_worker.org_unit_id, period_type=PeriodType.MONTH,
            period_start=last_month, measure=measure, value=value,
        )  # fmt: skip
    assert todos(village_client)["上月事件逾期录入"] == (2, "/registry/month/")


def test_it_lists_failed_jobs_of_the_users_reach_only(village_worker, other_clerk, village_client):
    for user in (village_worker, other_clerk):
        Job.objects.create(
            kind="registry.import", title="导入人员", created_by=user,
            org_unit_id=user.org_unit_id, status=JobStatus.FAILED,
        )  # fmt: skip
    assert todos(village_client)["近30天失败的导入和任务"] == (1, "/jobs/")


def test_it_leaves_out_what_has_nothing_waiting_and_what_the_user_cannot_open(
    units, village_client, facility_user
):
    assert todos(village_client) == {}
    assert todos(client_for(facility_user)) == {}


def test_the_home_page_stays_a_few_queries(
    followups, village_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        village_client.get("/")


def test_it_lists_benefit_entries_waiting_for_the_village_review(
    county_admin, village_worker, village_client
):
    from famplan.benefits import services
    from famplan.benefits.models import Entry, EntryStatus, Program
    from tests.benefits.conftest import OTHER_VILLAGE, family

    family(county_admin, father_born=date(1950, 1, 1), mother_born=date(1952, 1, 1))
    family(county_admin, father_born=date(1950, 1, 1), unit=OTHER_VILLAGE, surname="刘")
    program = Program.objects.get(code="rural_reward")
    cycle = services.cycle_open(actor=county_admin, program=program, year=today().year)
    services.cycle_list_candidates(actor=county_admin, cycle=cycle)
    candidates = Entry.objects.filter(cycle=cycle, status=EntryStatus.CANDIDATE)
    mine = candidates.filter(unit_id=village_worker.org_unit_id).count()
    assert 0 < mine < candidates.count()  # the other village's wait elsewhere
    assert todos(village_client)["待审核的扶助对象"] == (mine, "/benefits/")


def test_it_lists_the_special_families_due_for_a_visit(township_clerk, other_clerk, clerk_client):
    from datetime import timedelta

    from tests.care.conftest import OTHER, SECOND, confirmed, visit

    confirmed(township_clerk)  # never visited: due at once
    seen = confirmed(township_clerk, SECOND, "王")
    visit(township_clerk, seen, on=today() - timedelta(days=2))  # not due for a month
    confirmed(other_clerk, OTHER, "赵")  # due, another township
    count, url = todos(clerk_client)["到期待走访的计生特殊家庭"]
    assert count == 1 and url.startswith("/care/worklist/?kind=family")
    page = clerk_client.get(url).content.decode()
    assert "张父" in page and "王父" not in page
