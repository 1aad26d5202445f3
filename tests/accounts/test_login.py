"""Login, lockout after five failures, logout and password change, each in the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from famplan.accounts.models import User
from famplan.audit.models import AuditEntry
from tests.conftest import PASSWORD, make_user

LOGIN_URL = "/accounts/login/"
LOCKED_TEXT = "账号已被锁定"


def post_login(client: Client, username: str, password: str):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_it_shows_the_login_page_in_chinese(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_it_logs_in_and_writes_an_audit_row(client, township_clerk):
    response = post_login(client, "township_clerk", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert logged_in(client)
    entry = AuditEntry.objects.get(action="accounts.login.succeeded")
    assert entry.user == township_clerk and entry.result == "ok"
    assert entry.org_unit_id == "620422100"
    assert entry.ip == "127.0.0.1"


def test_it_refuses_a_wrong_password_with_djangos_chinese_message(client, township_clerk):
    response = post_login(client, "township_clerk", "wrong-Password-1")
    assert response.status_code == 200
    assert not logged_in(client)
    assert "请输入一个正确的用户名和密码" in response.content.decode()
    entry = AuditEntry.objects.get(action="accounts.login.failed")
    assert entry.user is None and entry.username == "township_clerk"
    assert entry.result == "failed" and entry.org_unit_id is None
    assert "wrong" not in str(entry.detail)


def test_it_records_the_name_as_typed_for_an_unknown_user(client, units):
    post_login(client, "没有这个人", "whatever-Pass-1")
    entry = AuditEntry.objects.get(action="accounts.login.failed")
    assert entry.username == "没有这个人" and entry.user is None


def test_it_locks_the_account_after_five_failures_even_for_the_right_password(
    client, township_clerk
):
    for attempt in range(1, 5):
        response = post_login(client, "township_clerk", f"wrong-Pass-{attempt}")
        assert response.status_code == 200, attempt
    fifth = post_login(client, "township_clerk", "wrong-Pass-5")
    assert fifth.status_code == 429
    assert LOCKED_TEXT in fifth.content.decode()

    sixth = post_login(client, "township_clerk", PASSWORD)
    assert sixth.status_code == 429
    assert LOCKED_TEXT in sixth.content.decode()
    assert "15 分钟" in sixth.content.decode()
    assert not logged_in(client)
    assert AuditEntry.objects.filter(action="accounts.login.failed").count() == 6
    assert AuditEntry.objects.filter(action="accounts.login.failed", detail__locked_out=True)
    assert not AuditEntry.objects.filter(action="accounts.login.succeeded").exists()


def test_it_locks_by_account_not_by_address(client, township_clerk, other_clerk):
    for attempt in range(5):
        post_login(client, "township_clerk", f"wrong-Pass-{attempt}")
    # Same office, same NAT address: a colleague can still log in.
    response = post_login(client, "other_clerk", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_it_lets_the_user_in_again_after_the_cool_off(client, township_clerk):
    for attempt in range(5):
        post_login(client, "township_clerk", f"wrong-Pass-{attempt}")
    assert post_login(client, "township_clerk", PASSWORD).status_code == 429

    # Time travel: the failures happened sixteen minutes ago.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    response = post_login(client, "township_clerk", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_it_does_not_unlock_before_the_cool_off_ends(client, township_clerk):
    for attempt in range(5):
        post_login(client, "township_clerk", f"wrong-Pass-{attempt}")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=14))
    assert post_login(client, "township_clerk", PASSWORD).status_code == 429


def test_it_refuses_a_user_with_no_unit(client, db):
    User.objects.create_superuser("root", "root@example.org", PASSWORD)
    response = post_login(client, "root", PASSWORD)
    assert response.status_code == 200
    assert "该账号未分配所属单位，请联系管理员" in response.content.decode()
    assert not logged_in(client)
    entry = AuditEntry.objects.get(action="accounts.login.failed")
    assert entry.username == "root" and entry.result == "denied"
    assert entry.detail == {"reason": "no_org_unit"}


def test_it_refuses_a_deactivated_user(client, units):
    make_user("gone", "620422100", "township_clerk", is_active=False)
    response = post_login(client, "gone", PASSWORD)
    assert response.status_code == 200 and not logged_in(client)
    assert AuditEntry.objects.filter(action="accounts.login.failed", username="gone").exists()


def test_it_logs_out_with_an_audit_row(client, township_clerk):
    post_login(client, "township_clerk", PASSWORD)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and not logged_in(client)
    entry = AuditEntry.objects.get(action="accounts.logout")
    assert entry.user == township_clerk


def test_it_changes_the_own_password_with_an_audit_row(client, township_clerk):
    post_login(client, "township_clerk", PASSWORD)
    new = "Another-pass-2026"
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/done/"
    assert logged_in(client)  # still logged in on this device
    township_clerk.refresh_from_db()
    assert township_clerk.check_password(new)
    entry = AuditEntry.objects.get(action="accounts.password.changed")
    assert entry.user == township_clerk and entry.detail == {}
    assert new not in str(entry.detail)


def test_it_refuses_a_weak_new_password_in_chinese(client, township_clerk):
    post_login(client, "township_clerk", PASSWORD)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "密码须包含小写字母、大写字母、数字、符号中的至少三类" in body
    assert "密码长度太短，至少需要 10 个字符" in body
    assert "This password" not in body
    assert not AuditEntry.objects.filter(action="accounts.password.changed").exists()


def test_it_refuses_a_wrong_old_password_in_chinese(client, township_clerk):
    post_login(client, "township_clerk", PASSWORD)
    new = "Another-pass-2026"
    response = client.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    assert "旧密码不正确" in response.content.decode()
