"""Two-factor login: a county admin enrols an authenticator app, then enters its code
after the password; wrong codes are refused in Chinese and lock after five; a manager
resets a lost phone within their subtree. Other roles log in with the password alone."""

from __future__ import annotations

from binascii import unhexlify
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from famplan.accounts.middleware import OTPRequiredMiddleware
from famplan.accounts.models import User
from famplan.accounts.roles import Role
from famplan.audit.models import AuditEntry, Result
from tests.conftest import PASSWORD, client_for, make_user

SETUP = "/accounts/otp/setup/"
VERIFY = "/accounts/otp/verify/"


def code_for(key: str, steps_ahead: int = 0) -> str:
    """What an authenticator app holding `key` shows now (or `steps_ahead` steps on)."""
    return f"{TOTP(unhexlify(key), drift=steps_ahead).token():06d}"


def wrong_code(key: str) -> str:
    right = {code_for(key, offset) for offset in (-1, 0, 1)}
    return next(c for c in (f"{n:06d}" for n in range(1000000)) if c not in right)


def password_login(user: User, next_url: str = "") -> tuple[Client, str]:
    """The login form's first step; returns the client and where it was sent."""
    client = Client()
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post("/accounts/login/", data)
    assert response.status_code == 302, response.content.decode()
    return client, response["Location"]


def audit_actions(user: User) -> list[tuple[str, str]]:
    rows = AuditEntry.objects.filter(user=user, action__startswith="accounts.otp.")
    return list(rows.order_by("pk").values_list("action", "result"))


@pytest.fixture
def device(county_admin) -> TOTPDevice:
    return TOTPDevice.objects.create(user=county_admin, name="phone", confirmed=True)


def back_date_failure(device: TOTPDevice, **ago: float) -> None:
    """The time a slow typist takes: past django-otp's back-off (1, 2, 4... seconds)."""
    device.refresh_from_db()
    device.throttling_failure_timestamp = timezone.now() - timedelta(**ago)
    device.save(update_fields=["throttling_failure_timestamp"])


# --- enrolment ------------------------------------------------------------------


def test_it_sends_a_county_admin_without_a_device_to_enrol(county_admin):
    client, location = password_login(county_admin)
    assert location == f"{SETUP}?next=%2F"

    page = client.get(location)
    assert page.status_code == 200
    secret = page.context["secret"]
    assert secret in page.content.decode()
    assert page.context["otpauth_uri"].startswith("otpauth://totp/famplan%3Acounty_admin?")
    assert f"secret={secret}" in page.context["otpauth_uri"]
    assert 'src="data:image/svg+xml' in page.content.decode()  # the QR code, no script
    assert page.context["nav_items"] == []  # no menu whose every entry leads back here


def test_it_keeps_an_unverified_county_admin_off_every_other_page(county_admin):
    client, _ = password_login(county_admin)

    for path in ("/", "/units/620422/", "/accounts/users/", "/accounts/password/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"{SETUP}?next={quote(path, safe='')}"
    # A form post is not replayed afterwards; htmx is told to load the whole page.
    assert client.post("/accounts/users/new/", {})["Location"] == SETUP
    htmx = client.get("/units/620422/", headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"].startswith(SETUP)
    # Leaving is always possible.
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"


def test_it_enrols_with_a_right_code_and_lets_the_admin_in(county_admin):
    client, location = password_login(county_admin, next_url="/units/620422/")
    assert client.get(location).status_code == 200
    key = client.session["famplan_otp_setup_key"]
    token = code_for(key)

    response = client.post(location, {"token": token, "next": "/units/620422/"})

    assert response["Location"] == "/units/620422/"
    device = TOTPDevice.objects.get(user=county_admin)
    assert device.confirmed and device.key == key
    assert client.get("/units/620422/").status_code == 200
    assert audit_actions(county_admin) == [("accounts.otp.enrolled", Result.OK)]
    # The code just used cannot be used again, on the verify page either.
    second, _ = password_login(county_admin)
    refused = second.post(VERIFY, {"token": token})
    assert "动态口令不正确" in refused.content.decode()


def test_it_refuses_a_wrong_enrolment_code_in_chinese_and_keeps_the_secret(county_admin):
    client, location = password_login(county_admin)
    secret = client.get(location).context["secret"]
    key = client.session["famplan_otp_setup_key"]

    for token, message in (
        (wrong_code(key), "动态口令不正确"),
        ("12ab56", "动态口令应为 6 位数字"),
        ("", "请输入 6 位数字动态口令"),
    ):
        page = client.post(location, {"token": token})
        assert page.status_code == 200
        assert message in page.content.decode()
        assert page.context["secret"] == secret  # the app already holds this one

    assert not TOTPDevice.objects.filter(user=county_admin).exists()
    assert client.get("/")["Location"].startswith(SETUP)
    failed = AuditEntry.objects.get(action="accounts.otp.failed")
    assert failed.result == Result.FAILED and failed.detail == {"stage": "setup"}


def test_it_never_replaces_a_device_from_the_setup_page(county_admin, device):
    client, _ = password_login(county_admin)
    response = client.get(SETUP)
    assert response["Location"].startswith(VERIFY)
    response = client.post(SETUP, {"token": "123456"})
    assert response["Location"].startswith(VERIFY)
    assert list(TOTPDevice.objects.filter(user=county_admin)) == [device]


# --- the code at each login -------------------------------------------------------


def test_it_asks_a_county_admin_with_a_device_for_the_code(county_admin, device):
    client, location = password_login(county_admin, next_url="/units/620422/")
    assert location == f"{VERIFY}?next=%2Funits%2F620422%2F"
    assert client.get("/units/620422/")["Location"].startswith(VERIFY)

    response = client.post(location, {"token": code_for(device.key), "next": "/units/620422/"})

    assert response["Location"] == "/units/620422/"
    assert client.get("/units/620422/").status_code == 200
    assert audit_actions(county_admin) == [("accounts.otp.verified", Result.OK)]


def test_it_refuses_a_wrong_code_with_a_chinese_message(county_admin, device):
    client, location = password_login(county_admin)

    page = client.post(location, {"token": wrong_code(device.key)})

    assert page.status_code == 200
    assert "动态口令不正确，请输入身份验证器当前显示的 6 位数字。" in page.content.decode()
    assert client.get("/")["Location"].startswith(VERIFY)
    row = AuditEntry.objects.get(action="accounts.otp.failed")
    assert row.user == county_admin and row.result == Result.FAILED
    assert row.detail == {"reason": "wrong_code", "failures": 1}


def test_it_ignores_a_foreign_next_address(county_admin, device):
    client, _ = password_login(county_admin)
    response = client.post(
        VERIFY, {"token": code_for(device.key), "next": "https://elsewhere.example/"}
    )
    assert response["Location"] == "/"


def test_it_makes_a_hurried_second_guess_wait(county_admin, device):
    client, location = password_login(county_admin)
    client.post(location, {"token": wrong_code(device.key)})

    page = client.post(location, {"token": code_for(device.key)})  # within django-otp's 1 s

    assert "尝试过于频繁" in page.content.decode()
    assert client.get("/")["Location"].startswith(VERIFY)


def test_it_locks_the_code_after_five_wrong_codes_in_a_row(county_admin, device):
    client, location = password_login(county_admin)
    for attempt in range(1, 6):
        page = client.post(location, {"token": wrong_code(device.key)})
        back_date_failure(device, minutes=1)
    assert "动态口令已连续输错 5 次，暂时锁定" in page.content.decode()
    assert AuditEntry.objects.filter(action="accounts.otp.failed").count() == attempt

    # Locked: even the right code is not tried, and the try is audited.
    page = client.post(location, {"token": code_for(device.key)})
    assert "暂时锁定" in page.content.decode()
    assert client.get("/")["Location"].startswith(VERIFY)
    last = AuditEntry.objects.filter(action="accounts.otp.failed").latest("pk")
    assert last.detail == {"reason": "locked"}

    # Fifteen minutes on (AXES_COOLOFF_MINUTES), the right code works and clears the count.
    back_date_failure(device, minutes=16)
    assert client.post(location, {"token": code_for(device.key)})["Location"] == "/"
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


# --- other roles and the setting ----------------------------------------------------


def test_it_leaves_a_township_clerk_to_log_in_with_the_password_alone(township_clerk):
    client, location = password_login(township_clerk)
    assert location == "/"
    assert client.get("/units/620422100/").status_code == 200
    assert client.get(VERIFY)["Location"] == "/"
    assert client.get(SETUP)["Location"] == "/"


def test_it_asks_the_roles_the_setting_names(settings, township_clerk, county_admin):
    settings.OTP_REQUIRED_ROLES = ["township_clerk"]
    assert password_login(township_clerk)[1].startswith(SETUP)
    assert password_login(county_admin)[1] == "/"


def test_it_refuses_to_start_with_an_unknown_role_in_the_setting(settings):
    settings.OTP_REQUIRED_ROLES = ["county_admn"]
    with pytest.raises(ImproperlyConfigured, match="county_admn"):
        OTPRequiredMiddleware(lambda request: None)


# --- reset by a manager ------------------------------------------------------------


@pytest.fixture
def clerk_device(township_clerk) -> TOTPDevice:
    return TOTPDevice.objects.create(user=township_clerk, name="phone", confirmed=True)


@pytest.fixture
def second_admin(units) -> User:
    return make_user("county_admin2", "620422", Role.COUNTY_ADMIN)


def reset_url(user: User) -> str:
    return f"/accounts/users/{user.pk}/otp/reset/"


def test_it_lets_a_manager_reset_a_lost_phone(county_client, county_admin, second_admin):
    lost = client_for(second_admin)  # logged in with both factors before the phone went
    assert lost.get("/").status_code == 200
    edit = county_client.get(f"/accounts/users/{second_admin.pk}/")
    assert 'data-testid="otp-reset"' in edit.content.decode()

    response = county_client.post(reset_url(second_admin))

    assert response["Location"] == f"/accounts/users/{second_admin.pk}/"
    assert not TOTPDevice.objects.filter(user=second_admin).exists()
    row = AuditEntry.objects.get(action="accounts.otp.reset")
    assert row.user == county_admin and row.target_id == str(second_admin.pk)
    assert row.detail == {"devices": 1} and row.org_unit_id == "620422"
    # Sessions verified with the old device are no longer; the next login enrols afresh.
    assert lost.get("/")["Location"].startswith(SETUP)
    assert password_login(second_admin)[1].startswith(SETUP)


def test_it_says_so_when_there_is_nothing_to_reset(county_client, second_admin):
    response = county_client.post(reset_url(second_admin), follow=True)
    assert "该用户尚未绑定身份验证器，无需重置。" in response.content.decode()
    assert not AuditEntry.objects.filter(action="accounts.otp.reset").exists()


def test_it_resets_only_by_post(county_client, second_admin):
    assert county_client.get(reset_url(second_admin)).status_code == 405


@pytest.mark.jurisdiction("accounts:user_otp_reset")
def test_it_keeps_the_reset_within_the_managers_subtree(
    clerk_client, other_client, township_clerk, other_clerk, clerk_device
):
    # 郭城驿镇's clerk cannot reach 会师镇's clerk: a 404, as if absent.
    assert other_client.post(reset_url(township_clerk)).status_code == 404
    assert TOTPDevice.objects.filter(user=township_clerk).exists()
    # Nor may a township clerk reset a county admin (a role they cannot manage).
    admin = make_user("county_admin3", "620422", Role.COUNTY_ADMIN)
    assert clerk_client.post(reset_url(admin)).status_code == 404
    # Within the subtree it works.
    colleague = make_user("huishi_clerk2", "620422100", Role.TOWNSHIP_CLERK)
    TOTPDevice.objects.create(user=colleague, name="phone", confirmed=True)
    assert clerk_client.post(reset_url(colleague)).status_code == 302
    assert not TOTPDevice.objects.filter(user=colleague).exists()
    assert not AuditEntry.objects.filter(
        action="accounts.otp.reset", target_id=str(township_clerk.pk)
    ).exists()


def test_it_asks_a_superuser_for_a_second_factor_even_in_the_admin(db, units):
    from django.test import Client

    from famplan.accounts.models import User

    root = User.objects.create_superuser("root", password="Root-pass-2026")
    client = Client()
    client.force_login(root)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/accounts/otp/" in response["Location"]
