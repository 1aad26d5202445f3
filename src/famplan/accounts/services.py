"""Writes to user accounts. Each checks the manager's rights itself, whatever the caller.

Audit rows carry the changed field names and values but never a password, and are
filed under the managed user's unit so that the township's own log shows them.
"""

from __future__ import annotations

from typing import Any

import axes.utils
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from famplan.accounts import otp
from famplan.accounts.models import User
from famplan.accounts.roles import ASSIGNABLE_ROLES, Role
from famplan.audit.models import Result
from famplan.audit.services import audit_log
from famplan.common.errors import DomainError
from famplan.orgunits.jurisdiction import unit_in_scope
from famplan.orgunits.models import Level, OrgUnit

# The unit levels each role fits: a village worker works for a village, and so on.
ROLE_LEVELS: dict[str, frozenset[str]] = {
    Role.COUNTY_ADMIN: frozenset({Level.PROVINCE, Level.CITY, Level.COUNTY}),
    Role.TOWNSHIP_CLERK: frozenset({Level.TOWNSHIP}),
    Role.VILLAGE_WORKER: frozenset({Level.VILLAGE}),
    Role.FACILITY: frozenset({Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE}),
    Role.AUDITOR: frozenset({Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP}),
}

EDITABLE_FIELDS = ("full_name", "phone", "org_unit", "role")


def assignable_roles(manager: User) -> tuple[str, ...]:
    return ASSIGNABLE_ROLES.get(manager.role, ())


def check_role_for_unit(role: str, unit: OrgUnit) -> None:
    if unit.level not in ROLE_LEVELS.get(role, frozenset()):
        levels = "、".join(level.label for level in Level if level in ROLE_LEVELS[role])
        raise DomainError(
            f"角色“{Role(role).label}”只能设在{levels}级单位，"
            f"“{unit.name}”是{unit.get_level_display()}级。"
        )


def _check_assignment(manager: User, role: str, unit: OrgUnit) -> None:
    if role not in assignable_roles(manager):
        raise DomainError(f"您不能分配角色“{Role(role).label}”。")
    if not unit_in_scope(manager, unit.code):
        raise DomainError(f"单位“{unit.name}”不在您的管辖范围内。")
    check_role_for_unit(role, unit)


def _check_manages(manager: User, user: User) -> None:
    # The selectors already answer 404 for these; services refuse them for any caller.
    if not unit_in_scope(manager, user.org_unit_id) or user.role not in assignable_roles(manager):
        raise DomainError("该用户不在您的管理范围内。")


def _stored(user: User) -> User:
    """The row as stored, locked: rights are checked against the database, not against
    an instance a form may already have changed in memory."""
    # of=("self",): lock the user row only (PostgreSQL refuses to lock the nullable join).
    return User.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=user.pk)


def _audit(manager: User, action: str, user: User, detail: dict[str, Any]) -> None:
    audit_log(
        actor=manager, action=action, target=user, org_unit_id=user.org_unit_id, detail=detail
    )


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    full_name: str,
    phone: str = "",
    org_unit: OrgUnit,
    role: str,
    password: str,
) -> User:
    _check_assignment(actor, role, org_unit)
    user = User(username=username, full_name=full_name, phone=phone, org_unit=org_unit, role=role)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])  # username format and uniqueness, in Chinese
    user.save()
    _audit(
        actor,
        "accounts.user.created",
        user,
        {
            "username": username,
            "full_name": full_name,
            "phone": phone,
            "org_unit": org_unit.code,
            "role": role,
        },
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    full_name: str,
    phone: str = "",
    org_unit: OrgUnit,
    role: str,
) -> User:
    user = _stored(user)
    _check_manages(actor, user)
    if user.pk == actor.pk and (role != user.role or org_unit.code != user.org_unit_id):
        raise DomainError("不能修改自己的角色或所属单位，请联系上级管理员。")
    _check_assignment(actor, role, org_unit)
    new = {"full_name": full_name, "phone": phone, "org_unit": org_unit.code, "role": role}
    old = {
        "full_name": user.full_name,
        "phone": user.phone,
        "org_unit": user.org_unit_id,
        "role": user.role,
    }
    changed = {name: [old[name], new[name]] for name in EDITABLE_FIELDS if old[name] != new[name]}
    if not changed:
        return user
    user.full_name, user.phone, user.org_unit, user.role = full_name, phone, org_unit, role
    user.save(update_fields=["full_name", "phone", "org_unit", "role"])
    _audit(actor, "accounts.user.updated", user, {"changed": changed})
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    user = _stored(user)
    _check_manages(actor, user)
    if user.pk == actor.pk:
        raise DomainError("不能停用或启用自己的账号。")
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    action = "accounts.user.reactivated" if active else "accounts.user.deactivated"
    _audit(actor, action, user, {})
    return user


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> User:
    """A manager sets a new password for someone who forgot theirs; it also unlocks
    the account, since that is why they usually call."""
    user = _stored(user)
    _check_manages(actor, user)
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    cleared = axes.utils.reset(username=user.username)
    _audit(actor, "accounts.user.password_reset", user, {"unlocked": bool(cleared)})
    return user


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> int:
    """Clears failed-login records so a locked-out user can try again at once."""
    user = _stored(user)
    _check_manages(actor, user)
    cleared = axes.utils.reset(username=user.username)
    _audit(actor, "accounts.user.unlocked", user, {"cleared_attempts": cleared})
    return cleared


@transaction.atomic
def password_change_own(*, user: User, password: str) -> User:
    """The user changed their own password (the old one was checked by the form)."""
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_log(actor=user, action="accounts.password.changed", target=user)
    return user


def login_refused(*, user: User, reason: str) -> None:
    """A correct password for an account that may not log in (e.g. no unit)."""
    audit_log(
        actor=user,
        action="accounts.login.failed",
        target=user,
        detail={"reason": reason},
        result=Result.DENIED,
    )


@transaction.atomic
def otp_device_enrol(*, user: User, key: str, token: str) -> TOTPDevice | None:
    """Binds the authenticator app holding `key` once it shows a current code. A wrong
    code returns None (and is audited); the secret stays offered for another try."""
    user = _stored(user)  # the lock: two tabs confirming at once make one device
    if otp.confirmed_device(user) is not None:
        raise DomainError("您已绑定身份验证器；如需更换，请联系管理员重置动态口令。")
    step = otp.match_step(key, token)
    if step is None:
        _otp_failed(user, {"stage": "setup"})
        return None
    # last_t: the code just used cannot be replayed on the verify page.
    device = TOTPDevice.objects.create(
        user=user, name=otp.DEVICE_NAME, key=key, confirmed=True, last_t=step
    )
    audit_log(actor=user, action="accounts.otp.enrolled", target=user)
    return device


@transaction.atomic
def otp_verify(*, user: User, token: str) -> otp.OtpCheck:
    """Checks a code from the user's device, counting wrong ones toward the lock."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=True)
        .order_by("id")
        .first()
    )
    if device is None:
        raise DomainError("尚未绑定身份验证器。")
    until = otp.locked_until(device)
    if until is not None:
        _otp_failed(user, {"reason": "locked"})
        return otp.OtpCheck(device, False, until, device.throttling_failure_count)
    if device.verify_token(token):  # django-otp: replay guard, throttling counters
        audit_log(actor=user, action="accounts.otp.verified", target=user)
        return otp.OtpCheck(device, True)
    failures = device.throttling_failure_count
    detail: dict[str, Any] = {"reason": "wrong_code", "failures": failures}
    until = None
    if failures >= settings.OTP_FAILURE_LIMIT:
        until = device.throttling_failure_timestamp + settings.OTP_LOCKOUT_TIME
        detail["locked"] = True
    _otp_failed(user, detail)
    return otp.OtpCheck(device, False, until, failures)


@transaction.atomic
def otp_reset(*, actor: User, user: User) -> int:
    """Removes a user's second factor (a lost or replaced phone); they enrol again at
    their next login. Returns how many devices were removed."""
    user = _stored(user)
    _check_manages(actor, user)
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    if not removed:
        raise DomainError("该用户尚未绑定身份验证器，无需重置。")
    _audit(actor, "accounts.otp.reset", user, {"devices": removed})
    return removed


def _otp_failed(user: User, detail: dict[str, Any]) -> None:
    audit_log(
        actor=user,
        action="accounts.otp.failed",
        target=user,
        detail=detail,
        result=Result.FAILED,
    )
