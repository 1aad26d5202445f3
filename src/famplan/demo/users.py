"""Demo logins: one per role, placed in the demo county so each shows its jurisdiction.

Units are given by position, not code, so the same list works for any county whose
divisions are loaded: "township 1" is the county's first township by code (会师镇 in
会宁县), "township 2" the second (郭城驿镇), "village 1" the first village of a township.
"""

from __future__ import annotations

from base64 import b32decode
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from famplan.accounts.models import User
from famplan.accounts.roles import Role
from famplan.audit.services import audit_log
from famplan.orgunits.models import Level, OrgUnit

# One password for every demo login; it passes the project's password validators
# (checked on every load, so a stricter validator cannot leave logins that fail).
DEMO_PASSWORD = "Famplan-2026"
# The demo's TOTP secret (base32, as typed into an authenticator app) for the roles that
# need a second factor: printed with the logins so the demo shows the real login, and
# the browser tests compute the code from it. Public, like the password: demo only.
DEMO_TOTP_SECRET = "FAMPLANDEMOSECRETFORCOUNTYADMINS"
# Who entered the generated population's records (RegistryRecord.entered_by): an account
# of its own, not a village worker. No one typed these records in; crediting a real
# login (the one demo village worker) would put the whole county's records, far outside
# her village, under her name, and every "entered by" list or workload count would show
# her as the county's busiest clerk. This account says what happened, and cannot log in
# (inactive, no usable password, no role, so no capabilities).
GENERATOR_USERNAME = "demo_generator"
GENERATOR_NAME = "演示数据生成程序"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    township: int | None  # 1-based position of the township in the county; None = county
    village: int | None = None  # 1-based position of the village in that township


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("county_admin", "王县管", Role.COUNTY_ADMIN, township=None),
    DemoUser("township_clerk", "李镇专", Role.TOWNSHIP_CLERK, township=1),
    DemoUser("village_worker", "张村专", Role.VILLAGE_WORKER, township=1, village=1),
    DemoUser("other_clerk", "赵镇专", Role.TOWNSHIP_CLERK, township=2),
    DemoUser("facility_user", "陈医生", Role.FACILITY, township=None),
    DemoUser("auditor", "周审计", Role.AUDITOR, township=None),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role_label: str
    unit: OrgUnit
    created: bool
    totp_secret: str = ""  # for roles that need a second factor


def _unit_for(county: OrgUnit, spec: DemoUser) -> OrgUnit:
    if spec.township is None:
        return county
    townships = OrgUnit.objects.filter(parent_id=county.code, level=Level.TOWNSHIP)
    township = townships.order_by("code")[spec.township - 1 : spec.township].first()
    if township is None:
        raise ImproperlyConfigured(f"{county.name}没有第 {spec.township} 个乡镇，无法创建演示用户")
    if spec.village is None:
        return township
    villages = OrgUnit.objects.filter(parent_id=township.code, level=Level.VILLAGE)
    village = villages.order_by("code")[spec.village - 1 : spec.village].first()
    if village is None:
        raise ImproperlyConfigured(f"{township.name}没有第 {spec.village} 个村，无法创建演示用户")
    return village


@transaction.atomic
def demo_users_load(*, county: OrgUnit, password: str = DEMO_PASSWORD) -> list[DemoLogin]:
    """Create or refresh the demo logins under `county`. Idempotent: a second run finds
    the same users, puts them back in their units and resets their password."""
    logins: list[DemoLogin] = []
    for spec in DEMO_USERS:
        unit = _unit_for(county, spec)
        user = User.objects.filter(username=spec.username).first()
        created = user is None
        if created:
            user = User(username=spec.username)
        user.full_name = spec.full_name
        user.role = spec.role
        user.org_unit = unit
        user.is_active = True
        validate_password(password, user)
        user.set_password(password)
        user.save()
        secret = _demo_totp_device(user)
        logins.append(
            DemoLogin(spec.username, password, Role(spec.role).label, unit, created, secret)
        )
    audit_log(
        actor=None,
        action="demo.users.loaded",
        org_unit_id=county.code,
        detail={
            "created": [login.username for login in logins if login.created],
            "refreshed": [login.username for login in logins if not login.created],
            "totp": [login.username for login in logins if login.totp_secret],
        },
    )
    return logins


def _demo_totp_device(user: User) -> str:
    """A confirmed TOTP device with the demo secret, fresh (no lock, no used code), for a
    role that needs one; returns the secret, or "" when the role needs none."""
    TOTPDevice.objects.filter(user=user).delete()
    if user.role not in settings.OTP_REQUIRED_ROLES:
        return ""
    key = b32decode(DEMO_TOTP_SECRET).hex()
    TOTPDevice.objects.create(user=user, name="演示身份验证器", key=key, confirmed=True)
    return DEMO_TOTP_SECRET


def demo_generator_user(*, county: OrgUnit) -> User:
    """The account the generated records are entered by (see GENERATOR_USERNAME)."""
    user = User.objects.filter(username=GENERATOR_USERNAME).first()
    if user is None:
        user = User(username=GENERATOR_USERNAME, full_name=GENERATOR_NAME, role="")
        user.set_unusable_password()
    user.org_unit = county
    user.is_active = False
    user.save()
    return user
