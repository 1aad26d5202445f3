"""Second factor (TOTP): who must use one, their device, the enrolment secret, the lock.

django-otp stores the devices and marks a session verified. famplan adds: which roles
must (settings.OTP_REQUIRED_ROLES), a secret kept in the session until the user's app
proves it has it (so a half-done enrolment leaves no device behind), and a lock after
OTP_FAILURE_LIMIT wrong codes in a row on top of django-otp's own back-off.
"""

from __future__ import annotations

import time
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

SETUP_KEY_SESSION = "famplan_otp_setup_key"
DEVICE_NAME = "身份验证器"
TOLERANCE = 1  # accept the code before and after the current one: phone clocks drift

WRONG_CODE_MESSAGE = "动态口令不正确，请输入身份验证器当前显示的 6 位数字。"


@dataclass(frozen=True)
class OtpCheck:
    """What one code submitted on the verify page came to."""

    device: TOTPDevice
    verified: bool
    locked_until: datetime | None = None  # set when the code was not even tried
    failures: int = 0

    @property
    def message(self) -> str:
        if self.locked_until is not None:
            return locked_message(self.device, self.locked_until)
        return WRONG_CODE_MESSAGE


def otp_required(user: Any) -> bool:
    # Superusers too: the Django admin is a way in that no role limits.
    return bool(getattr(user, "is_authenticated", False)) and (
        getattr(user, "role", "") in settings.OTP_REQUIRED_ROLES
        or bool(getattr(user, "is_superuser", False))
    )


def is_verified(user: Any) -> bool:
    """Whether this session passed the second factor. OTPMiddleware gives request.user
    is_verified(); a user just logged in by the login form does not have it yet."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def pending_url(user: Any, next_url: str = "") -> str:
    """The page that stands between this user and `next_url`: enrol or enter a code."""
    name = "accounts:otp_verify" if confirmed_device(user) else "accounts:otp_setup"
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def setup_key(session: SessionBase) -> str:
    """The hex secret offered for enrolment; the same one until it is confirmed, so a
    reload does not invalidate what the user already scanned."""
    key = session.get(SETUP_KEY_SESSION)
    if not key:
        key = session[SETUP_KEY_SESSION] = random_hex(20)
    return key


def forget_setup_key(session: SessionBase) -> None:
    session.pop(SETUP_KEY_SESSION, None)


def secret_base32(key: str) -> str:
    """The secret as authenticator apps take it typed in by hand."""
    return b32encode(unhexlify(key)).decode("ascii")


def config_uri(user: Any, key: str) -> str:
    # An unsaved device only to reuse django-otp's otpauth:// formatting.
    return TOTPDevice(user=user, key=key, name=DEVICE_NAME).config_url


def qr_svg_data_uri(uri: str) -> str:
    """A QR code as an SVG data: URI, drawn on the server (no script: strict CSP)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def match_step(key: str, token: str) -> int | None:
    """The time step whose code `token` is, within the tolerance; None if it is none."""
    try:
        value = int(token)
    except ValueError:
        return None
    totp = TOTP(unhexlify(key))
    totp.time = time.time()
    return totp.t() if totp.verify(value, tolerance=TOLERANCE) else None


def locked_until(device: TOTPDevice) -> datetime | None:
    """When the device takes codes again, or None if it does now. Two rules: famplan's
    lock after OTP_FAILURE_LIMIT wrong codes in a row, and django-otp's back-off
    (1, 2, 4, 8... seconds after each wrong code)."""
    failed_at = device.throttling_failure_timestamp
    if failed_at is not None and device.throttling_failure_count >= settings.OTP_FAILURE_LIMIT:
        until = failed_at + settings.OTP_LOCKOUT_TIME
        if until > timezone.now():
            return until
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    return (info or {}).get("locked_until") or timezone.now()


def locked_message(device: TOTPDevice, until: datetime) -> str:
    if device.throttling_failure_count >= settings.OTP_FAILURE_LIMIT:
        local = timezone.localtime(until).strftime("%H:%M")
        return (
            f"动态口令已连续输错 {device.throttling_failure_count} 次，暂时锁定，"
            f"请于 {local} 后再试，或联系管理员重置动态口令。"
        )
    seconds = max(1, int((until - timezone.now()).total_seconds()) + 1)
    return f"尝试过于频繁，请 {seconds} 秒后再试。"
