"""The audit log page and its export, cut to the user's jurisdiction."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from famplan.accounts.roles import Cap, Role
from famplan.audit import selectors, views
from famplan.audit.models import AuditEntry, Result
from famplan.audit.services import audit_log
from tests.conftest import make_user


def entry(action: str, unit: str | None, username: str = "someone", **extra) -> AuditEntry:
    return AuditEntry.objects.create(action=action, org_unit_id=unit, username=username, **extra)


@pytest.fixture
def township_auditor(units):
    """An auditor placed at 会师镇: AUDIT_VIEW, but only for its township."""
    user = make_user("huishi_auditor", "620422100", Role.AUDITOR)
    assert user.can(Cap.AUDIT_VIEW)
    return user


@pytest.fixture
def auditor_client(auditor) -> Client:
    client = Client()
    client.force_login(auditor)
    return client


@pytest.fixture
def township_auditor_client(township_auditor) -> Client:
    client = Client()
    client.force_login(township_auditor)
    return client


@pytest.fixture
def mixed_entries(units):
    return [
        entry("registry.person.created", "620422100001", "village_worker"),
        entry("registry.person.created", "620422100", "township_clerk"),
        entry("registry.person.created", "620422101201", "other_clerk"),
        entry("accounts.login.failed", None, "guess", result=Result.FAILED),
        entry("registry.person.created", "620423100", "neighbour_county"),
    ]


@pytest.mark.jurisdiction("audit:list")
def test_it_shows_a_township_auditor_only_its_township(township_auditor_client, mixed_entries):
    response = township_auditor_client.get("/audit/")
    assert response.status_code == 200
    shown = {e.username for e in response.context["page_obj"].object_list}
    assert {"village_worker", "township_clerk"} <= shown
    assert not shown & {"other_clerk", "guess", "neighbour_county"}
    body = response.content.decode()
    assert "other_clerk" not in body and "guess" not in body


@pytest.mark.jurisdiction("audit:list")
def test_it_shows_the_county_its_county_and_unitless_entries(auditor_client, mixed_entries):
    response = auditor_client.get("/audit/")
    shown = {e.username for e in response.context["page_obj"].object_list}
    assert {"village_worker", "township_clerk", "other_clerk", "guess"} <= shown
    assert "neighbour_county" not in shown  # another county's rows


@pytest.mark.jurisdiction("audit:list")
def test_it_ignores_a_unit_filter_outside_the_subtree(township_auditor_client, mixed_entries):
    response = township_auditor_client.get("/audit/", {"unit": "620422101"})
    assert response.context["page_obj"].paginator.count == 0
    wide = township_auditor_client.get("/audit/", {"unit": "62"})
    shown = {e.username for e in wide.context["page_obj"].object_list}
    assert "other_clerk" not in shown and "neighbour_county" not in shown


def test_the_selector_scopes_by_unit(township_auditor, auditor, other_clerk, mixed_entries):
    def usernames(user):
        return set(selectors.entries_for_user(user).values_list("username", flat=True))

    assert usernames(township_auditor) >= {"village_worker", "township_clerk"}
    assert not usernames(township_auditor) & {"other_clerk", "guess", "neighbour_county"}
    assert "guess" in usernames(auditor)
    assert "village_worker" not in usernames(other_clerk)
    inactive = make_user("gone_auditor", "620422", Role.AUDITOR, is_active=False)
    assert not selectors.entries_for_user(inactive).exists()


def test_it_refuses_users_without_the_capability(clerk_client, village_client, county_client):
    assert clerk_client.get("/audit/").status_code == 403
    assert village_client.get("/audit/export/").status_code == 403
    assert county_client.get("/audit/").status_code == 200


def test_it_filters_by_date_user_action_unit_and_result(auditor_client, mixed_entries):
    entry("registry.person.updated", "620422100001", "old_timer")
    today = timezone.localdate()
    a_day_ago = timezone.now() - dt.timedelta(days=1)
    entry("registry.person.viewed", "620422100001", "yesterday_user", at=a_day_ago)
    get = auditor_client.get

    def usernames(**params):
        return {e.username for e in get("/audit/", params).context["page_obj"].object_list}

    assert "old_timer" in usernames(date_from=today.isoformat(), date_to=today.isoformat())
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert usernames(date_to=yesterday) == {"yesterday_user"}
    assert "yesterday_user" not in usernames(date_from=today.isoformat())
    assert usernames(username="OLD_") == {"old_timer"}
    assert usernames(action="registry.person.updated") == {"old_timer"}
    assert usernames(action="registry.", unit="620422101") == {"other_clerk"}
    assert usernames(result="failed") == {"guess"}


def test_it_explains_bad_filters_in_chinese(auditor_client):
    response = auditor_client.get("/audit/", {"unit": "abc", "date_from": "2026-02-30"})
    body = response.content.decode()
    assert "单位代码须为 2 到 12 位数字" in body
    assert "输入一个有效的日期" in body
    flipped = auditor_client.get("/audit/", {"date_from": "2026-03-02", "date_to": "2026-03-01"})
    assert "截止日期不能早于起始日期" in flipped.content.decode()


def test_it_lists_newest_first_50_a_page_in_fixed_queries(
    auditor_client, units, django_assert_max_num_queries
):
    AuditEntry.objects.bulk_create(
        AuditEntry(action="test.bulk", org_unit_id="620422100001", username=f"u{i:03}")
        for i in range(120)
    )
    with django_assert_max_num_queries(9):  # one of them the action list's index walk
        response = auditor_client.get("/audit/", {"action": "test.bulk"})
    page = response.context["page_obj"]
    assert page.paginator.count == 120 and len(page.object_list) == 50
    ids = [e.pk for e in page.object_list]
    assert ids == sorted(ids, reverse=True)
    assert page.object_list[0].username == "u119"
    last = auditor_client.get("/audit/", {"action": "test.bulk", "page": 3})
    assert len(last.context["page_obj"].object_list) == 20


def read_sheet(content: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_name("审计日志").to_python()


@pytest.mark.jurisdiction("audit:export")
def test_it_exports_the_filtered_rows_of_the_township_only(
    township_auditor_client, township_auditor, mixed_entries
):
    response = township_auditor_client.get("/audit/export/", {"action": "registry."})
    assert response.status_code == 200
    assert (
        "filename*=UTF-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97_" in response["Content-Disposition"]
    )
    rows = read_sheet(response.content)
    assert rows[0][:4] == ["时间", "用户名", "IP", "操作代码"]
    usernames = {row[1] for row in rows[1:]}
    assert usernames == {"village_worker", "township_clerk"}
    assert isinstance(rows[1][0], dt.datetime)
    logged = AuditEntry.objects.get(action="audit.log.exported")
    assert logged.user == township_auditor and logged.org_unit_id == "620422100"
    assert logged.detail == {"filters": {"action": "registry."}, "rows": 2, "total": 2}


def test_it_caps_the_export_with_a_chinese_note(auditor_client, units, monkeypatch):
    monkeypatch.setattr(views, "EXPORT_LIMIT", 3)
    for i in range(5):
        audit_log(actor=None, action="test.cap", org_unit_id="620422100", username=f"c{i}")
    rows = read_sheet(auditor_client.get("/audit/export/", {"action": "test.cap"}).content)
    assert [r[1] for r in rows[1:4]] == ["c4", "c3", "c2"]  # newest first
    assert "仅导出了最新的 3 行（共 5 行）" in rows[4][0]
    page = auditor_client.get("/audit/", {"action": "test.cap"})
    assert "导出时只含最新的 3 条" in page.content.decode()


def test_it_does_not_export_with_bad_filters(auditor_client, units):
    response = auditor_client.get("/audit/export/", {"unit": "x"})
    assert response["Content-Type"].startswith("text/html")
    assert not AuditEntry.objects.filter(action="audit.log.exported").exists()


def test_it_names_actions_in_chinese_only(auditor_client, mixed_entries):
    entry("no.such.action", "620422", "legacy")
    response = auditor_client.get("/audit/")
    cells = [e.action_label for e in response.context["page_obj"].object_list]
    assert "新建人员" in cells and "登录失败" in cells
    body = response.content.decode()
    table = body[body.index('data-testid="audit-table"') :]
    assert "registry.person.created" not in table and "accounts.login.failed" not in table
    # a code no version of famplan names any more is marked, not hidden
    assert "未命名操作（no.such.action）" in table


def test_the_action_filter_is_a_list_of_names(auditor_client, mixed_entries):
    form = auditor_client.get("/audit/").context["form"]
    field = form.fields["action"]
    assert field.widget.input_type == "select"
    groups = dict(field.choices[1:])
    assert groups["人口登记"][:2] == [
        ("registry.", "人口登记：全部"),
        ("registry.person.created", "新建人员"),
    ]
    assert ("accounts.login.failed", "登录失败") in groups["账号与登录"]
    assert field.choices[0] == ("", "全部")
    html = str(form["action"])
    assert '<option value="registry.person.created">新建人员</option>' in html
    refused = auditor_client.get("/audit/", {"action": "registry.birth.recorded"})  # not in log
    assert "action" in refused.context["form"].errors
    assert refused.context["page_obj"].paginator.count == 0


def test_it_lists_the_distinct_actions_in_the_log(units):
    for code in ("b.x.y", "a.x.y", "b.x.y", "c.x.y", "a.x.y"):
        entry(code, None)
    assert selectors.actions_in_log() == ["a.x.y", "b.x.y", "c.x.y"]
