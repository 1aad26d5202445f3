"""`famplan demo` loads the demo county and one login per role, and can run again."""

from __future__ import annotations

from base64 import b32decode
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import totp

from famplan.accounts.models import User
from famplan.accounts.roles import Role
from famplan.audit.models import AuditEntry
from famplan.demo.users import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS, GENERATOR_USERNAME
from famplan.orgunits.models import Level, OrgUnit

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_it_loads_the_huining_divisions():
    run_demo()
    assert OrgUnit.objects.get(code="620422").name == "会宁县"
    assert OrgUnit.objects.filter(level=Level.TOWNSHIP).count() == 28
    assert OrgUnit.objects.filter(level=Level.VILLAGE).count() == 322


def test_it_creates_one_login_per_role_in_the_expected_units():
    run_demo()
    # The generated population's records are entered by an account of their own, which
    # is not a login (inactive, no role).
    # Nor is the demo hospital's API account (no usable password; its tokens act as it).
    logins = User.objects.exclude(username=GENERATOR_USERNAME).filter(api_facility__isnull=True)
    placed = {u.username: (u.role, u.org_unit_id) for u in logins}
    assert not User.objects.get(username=GENERATOR_USERNAME).is_active
    assert placed == {
        "county_admin": (Role.COUNTY_ADMIN, "620422"),
        "township_clerk": (Role.TOWNSHIP_CLERK, "620422100"),
        "village_worker": (Role.VILLAGE_WORKER, "620422100001"),
        "other_clerk": (Role.TOWNSHIP_CLERK, "620422101"),
        "facility_user": (Role.FACILITY, "620422"),
        "auditor": (Role.AUDITOR, "620422"),
    }
    assert OrgUnit.objects.get(code="620422100").name == "会师镇"
    assert OrgUnit.objects.get(code="620422101").name == "郭城驿镇"
    assert set(Role.values) == {spec.role for spec in DEMO_USERS}


def test_it_prints_the_logins_with_password_role_and_unit():
    out = run_demo()
    for username in ("county_admin", "township_clerk", "village_worker", "auditor"):
        assert username in out
    assert DEMO_PASSWORD in out
    assert "县级管理员" in out and "会宁县 620422" in out
    assert "乡镇专干" in out and "会师镇 620422100" in out
    assert "郭城驿镇 620422101" in out
    county_admin_line = next(line for line in out.splitlines() if "county_admin" in line)
    assert DEMO_TOTP_SECRET in county_admin_line
    clerk_line = next(line for line in out.splitlines() if "township_clerk" in line)
    assert DEMO_TOTP_SECRET not in clerk_line


def test_it_lets_every_demo_user_log_in_with_the_demo_password():
    run_demo()
    for spec in DEMO_USERS:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": spec.username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, spec.username
        if spec.role == Role.COUNTY_ADMIN:  # the second factor, from the printed secret
            assert response["Location"].startswith("/accounts/otp/verify/")
            code = f"{totp(b32decode(DEMO_TOTP_SECRET)):06d}"
            response = client.post(response["Location"], {"token": code})
            assert response.status_code == 302, response.content.decode()
        assert client.get("/").status_code == 200


def test_it_can_run_twice_without_doubling_anything():
    run_demo()
    units, users = OrgUnit.objects.count(), User.objects.count()
    out = run_demo()
    assert OrgUnit.objects.count() == units == 351
    # Six logins, the generator's account and the demo hospital's API account.
    assert User.objects.count() == users == 8
    assert "新增 0，更新 0，未变 351" in out
    assert "county_admin" in out


def test_it_puts_a_moved_demo_user_back_and_resets_the_password():
    run_demo()
    clerk = User.objects.get(username="township_clerk")
    clerk.org_unit_id = "620422101"
    clerk.set_password("Something-else-1")
    clerk.save()
    run_demo()
    clerk.refresh_from_db()
    assert clerk.org_unit_id == "620422100"
    assert clerk.check_password(DEMO_PASSWORD)


def test_it_records_the_load_in_the_audit_log():
    run_demo()
    entry = AuditEntry.objects.get(action="demo.users.loaded")
    assert entry.org_unit_id == "620422"
    assert "county_admin" in entry.detail["created"]


def test_it_accepts_the_population_options_for_later():
    out = run_demo("--county", "620422", "--scale", "small", "--seed", "7")
    assert "演示数据已就绪" in out


def test_it_explains_a_county_it_has_no_divisions_for():
    with pytest.raises(CommandError, match="县级区划 999999 不存在"):
        run_demo("--county", "999999")
    assert not User.objects.exists()
