"""The registry person page shows the person's health records (checks with their
follow-ups, folic acid issues) to users with the health view capability, as an audited
read; the registry never imports the health app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import famplan.registry
from famplan.accounts.roles import CAPABILITIES, Cap, Role
from famplan.audit.models import AuditEntry
from famplan.common.dates import today
from famplan.health.models import FollowUpKind, FollowUpResult
from famplan.health.services import followup_record
from tests.health.conftest import record_check, record_folic


def _page(client, person):
    return client.get(f"/registry/people/{person.pk}/")


@pytest.fixture
def records(township_clerk, couple):
    check = record_check(township_clerk, couple, days_ago=40, facility="会宁县妇幼保健院")
    early = check.followups.get(kind=FollowUpKind.EARLY)
    followup_record(actor=township_clerk, followup=early, result=FollowUpResult.PREGNANT,
                    done_on=today())  # fmt: skip
    issue = record_folic(township_clerk, couple.wife, days_ago=10)
    return check, issue


def test_it_shows_the_wifes_checks_follow_ups_and_folic_acid_and_audits_the_read(
    clerk_client, couple, records
):
    check, issue = records
    page = _page(clerk_client, couple.wife)
    assert page.status_code == 200
    content = page.content.decode()
    assert 'data-testid="panel-health"' in content
    assert f"/health/checks/{check.pk}/" in content and f"/health/folic/{issue.pk}/" in content
    assert "已怀孕" in content  # the early follow-up's result
    assert "妊娠结局随访" in content and "未开始" in content  # the outcome one, not open yet
    entry = AuditEntry.objects.get(action="health.person.viewed")
    assert entry.target_id == str(couple.wife.pk) and entry.org_unit_id == couple.wife.unit_id
    assert entry.detail == {"checks": 1, "followups": 2, "folic_issues": 1}
    assert AuditEntry.objects.filter(action="registry.person.viewed").count() == 1


def test_the_husband_sees_the_couples_check(village_client, couple, records):
    content = _page(village_client, couple.husband).content.decode()
    assert f"/health/checks/{records[0].pk}/" in content
    assert "暂无叶酸发放记录" in content
    entry = AuditEntry.objects.get(action="health.person.viewed")
    assert entry.detail["checks"] == 1 and entry.detail["folic_issues"] == 0


def test_without_the_health_capability_there_is_no_panel_and_no_health_read(
    clerk_client, couple, records, monkeypatch
):
    clerk = CAPABILITIES[Role.TOWNSHIP_CLERK]
    monkeypatch.setitem(CAPABILITIES, Role.TOWNSHIP_CLERK, clerk - {Cap.HEALTH_VIEW})
    content = _page(clerk_client, couple.wife).content.decode()
    assert 'data-testid="panel-health"' not in content and "/health/checks/" not in content
    assert not AuditEntry.objects.filter(action="health.person.viewed").exists()


def test_another_townships_user_gets_a_404_and_no_health_read(other_client, couple, records):
    assert _page(other_client, couple.wife).status_code == 404
    assert not AuditEntry.objects.filter(action="health.person.viewed").exists()


def test_the_panel_reads_a_fixed_number_of_queries(
    clerk_client, township_clerk, couple, django_assert_max_num_queries
):
    def count() -> int:
        with django_assert_max_num_queries(40) as ctx:
            assert _page(clerk_client, couple.wife).status_code == 200
        return len(ctx.captured_queries)

    record_check(township_clerk, couple, days_ago=400)
    record_folic(township_clerk, couple.wife, days_ago=300)
    few = count()
    for days in (200, 100):
        record_check(township_clerk, couple, days_ago=days)
        record_folic(township_clerk, couple.wife, days_ago=days - 5)
    assert count() == few


def test_the_registry_never_imports_health():
    root = Path(famplan.registry.__file__).parent
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.startswith("famplan.health") for n in names), path
