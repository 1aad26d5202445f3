"""Refused requests leave audit rows, so probing shows in the log; and a 403 puts one
line in the server log, not a traceback."""

from __future__ import annotations

import logging
import sys

import pytest
from django.db import connection, connections
from django.test import Client

from famplan.audit.logs import NoTracebackForRefusals
from famplan.audit.models import AuditEntry, Result
from tests.registry.factories import person


@pytest.fixture
def zhang(township_clerk):
    return person(township_clerk, name="张三", unit="620422100001")


def refusals() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action__startswith="audit.access.").order_by("id"))


def test_it_audits_a_record_outside_the_users_jurisdiction(other_client, other_clerk, zhang):
    response = other_client.get(f"/registry/people/{zhang.pk}/")
    assert response.status_code == 404
    [row] = refusals()
    assert (row.action, row.user, row.username) == (
        "audit.access.not_found", other_clerk, "other_clerk")  # fmt: skip
    assert row.org_unit_id == "620422101" and row.result == Result.FAILED
    assert row.detail == {
        "path": f"/registry/people/{zhang.pk}/", "method": "GET", "status": 404,
        "view": "registry:person_detail", "args": {"pk": str(zhang.pk)}, "reason": "记录不存在",
    }  # fmt: skip


def test_it_audits_every_403_with_the_reason(village_client, village_worker):
    response = village_client.get("/audit/")  # a village worker may not read the audit log
    assert response.status_code == 403
    [row] = refusals()
    assert (row.action, row.user, row.result) == ("audit.access.denied", village_worker, "denied")
    assert row.detail["path"] == "/audit/" and row.detail["view"] == "audit:list"
    assert row.detail["reason"] == "您没有此项操作的权限。"


def test_it_audits_an_anonymous_403(units):
    # A form posted without its CSRF token: refused before any view runs.
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    [row] = refusals()
    assert (row.action, row.user, row.username) == ("audit.access.denied", None, "")
    assert row.detail["path"] == "/accounts/login/" and row.detail["method"] == "POST"


def test_it_leaves_out_404s_for_pages_that_do_not_exist(clerk_client, units):
    assert Client().get("/wp-login.php").status_code == 404  # a bot
    assert Client().get("/registry/people/999999/").status_code in (302, 404)  # to login
    assert clerk_client.get("/no/such/page/").status_code == 404
    assert refusals() == []


def test_it_audits_a_missing_record_for_a_logged_in_user(clerk_client, township_clerk):
    assert clerk_client.get("/registry/people/999999/").status_code == 404
    [row] = refusals()
    assert row.user == township_clerk and row.detail["args"] == {"pk": "999999"}


def test_the_row_survives_the_views_rolled_back_transaction(other_client, zhang, monkeypatch):
    # With ATOMIC_REQUESTS each view runs in a transaction that a 404 rolls back: the
    # refusal's row is written after it, and stays.
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    assert connections.settings["default"]["ATOMIC_REQUESTS"]  # what the handler reads
    assert other_client.get(f"/registry/people/{zhang.pk}/").status_code == 404
    assert [r.action for r in refusals()] == ["audit.access.not_found"]


def test_a_403_logs_one_line_without_a_traceback(village_client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert village_client.get("/audit/").status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /audit/"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text and "PermissionDenied" not in caplog.text


def test_a_server_error_keeps_its_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "x", (), exc_info)
    record.status_code = 500
    assert NoTracebackForRefusals().filter(record) and record.exc_info == exc_info
    record.status_code = 403
    assert NoTracebackForRefusals().filter(record) and record.exc_info is None
