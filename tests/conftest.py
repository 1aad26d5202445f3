"""Personas and fixtures shared by every test.

The county is a slice of Huining: the county, two townships (会师镇, 郭城驿镇) and two
villages in each. Personas:
  county_admin      县级管理员 at the county
  township_clerk    乡镇专干 at 会师镇 (620422100)
  village_worker    村专干 at 会师镇's first village
  other_clerk       乡镇专干 at 郭城驿镇 (620422101): must never see 会师镇's records
  facility_user     医疗卫生机构 at the county
  auditor           只读审计员 at the county
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from famplan.accounts.models import User
from famplan.accounts.roles import Role
from famplan.orgunits.models import Level, OrgUnit

PASSWORD = "Test-pass-2026"

UNITS = [
    ("620422", "会宁县", Level.COUNTY, None),
    ("620422100", "会师镇", Level.TOWNSHIP, "620422"),
    ("620422100001", "东关社区", Level.VILLAGE, "620422100"),
    ("620422100201", "南嘴村", Level.VILLAGE, "620422100"),
    ("620422101", "郭城驿镇", Level.TOWNSHIP, "620422"),
    ("620422101201", "郭城村", Level.VILLAGE, "620422101"),
    ("620422101202", "红堡子村", Level.VILLAGE, "620422101"),
]


@pytest.fixture
def units(db) -> dict[str, OrgUnit]:
    created = {}
    for code, name, level, parent in UNITS:
        created[code] = OrgUnit.objects.create(code=code, name=name, level=level, parent_id=parent)
    return created


def make_user(username: str, unit_code: str, role: str, **extra) -> User:
    user = User(username=username, org_unit_id=unit_code, role=role, full_name=username, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def county_admin(units) -> User:
    return make_user("county_admin", "620422", Role.COUNTY_ADMIN)


@pytest.fixture
def township_clerk(units) -> User:
    return make_user("township_clerk", "620422100", Role.TOWNSHIP_CLERK)


@pytest.fixture
def village_worker(units) -> User:
    return make_user("village_worker", "620422100001", Role.VILLAGE_WORKER)


@pytest.fixture
def other_clerk(units) -> User:
    return make_user("other_clerk", "620422101", Role.TOWNSHIP_CLERK)


@pytest.fixture
def facility_user(units) -> User:
    return make_user("facility_user", "620422", Role.FACILITY)


@pytest.fixture
def auditor(units) -> User:
    return make_user("auditor", "620422", Role.AUDITOR)


def pass_second_factor(client: Client, user: User) -> None:
    """What a right TOTP code does (django_otp.login): the session names the user's
    confirmed device. For roles that need one; tests of the TOTP pages log in without."""
    if user.role not in settings.OTP_REQUIRED_ROLES:
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def client_for(user: User) -> Client:
    """Logged in with every factor the user's role needs."""
    client = Client()
    client.force_login(user)
    pass_second_factor(client, user)
    return client


@pytest.fixture
def county_client(county_admin) -> Client:
    return client_for(county_admin)


@pytest.fixture
def clerk_client(township_clerk) -> Client:
    return client_for(township_clerk)


@pytest.fixture
def village_client(village_worker) -> Client:
    return client_for(village_worker)


@pytest.fixture
def other_client(other_clerk) -> Client:
    return client_for(other_clerk)
