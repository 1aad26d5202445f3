"""The counts the indicators engine will read: per village and month, one query each."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from famplan.common.dates import today
from famplan.health.counts import COUNTS, health_counts
from famplan.health.models import FollowUpKind
from famplan.health.services import folic_followup_record, followup_record
from tests.health.conftest import VILLAGE, record_check, record_folic

pytestmark = pytest.mark.django_db


def month(day: date) -> int:
    return day.year * 12 + day.month - 1


def test_it_counts_per_village_and_month(
    township_clerk, village_worker, couple, django_assert_num_queries
):
    check = record_check(township_clerk, couple, days_ago=40, risk_level="high",
                         risk_factors=["anemia"])  # fmt: skip
    early = check.followups.get(kind=FollowUpKind.EARLY)
    followup_record(actor=village_worker, followup=early, result="pregnant", done_on=today())
    issue = record_folic(village_worker, couple.wife, days_ago=1)
    folic_followup_record(
        actor=village_worker, issue=issue, visited_on=today(), aware=True, taking=True,
        compliant=False,
    )  # fmt: skip
    first, last = month(today() - timedelta(days=400)), month(today() + timedelta(days=400))
    with django_assert_num_queries(len(COUNTS)):
        rows = list(health_counts(first, last))
    got = {(code, m): v for unit, m, code, v in rows if unit == VILLAGE}
    checked = month(check.checked_on)
    assert got[("health_checks", checked)] == 1
    assert got[("health_checks_high_risk", checked)] == 1
    assert got[("health_followups_due", month(early.due_on))] >= 1
    assert got[("health_followups_done", month(today()))] == 1
    assert got[("health_followups_done_on_time", month(today()))] == 1
    assert got[("folic_issued", month(issue.issued_on))] == 1
    assert got[("folic_aware", month(today()))] == 1
    assert got[("folic_taking", month(today()))] == 1
    assert ("folic_compliant", month(today())) not in got
    assert sum(v for _, _, code, v in rows if code == "health_followups_due") == 2
