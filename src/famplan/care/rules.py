"""The care app's rules that are not writes: how often each kind of target is visited,
when a visit falls due, and how a typed phone number is read."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from django.conf import settings

from famplan.care.models import TargetKind

# Days between visits by default: special families monthly (the plans' 每月走访),
# households and villages monthly too (the "7+x" team visits monthly). A county
# changes them with the CARE_VISIT_INTERVAL_DAYS setting; the worklist can ask for
# another interval for one look.
DEFAULT_INTERVAL_DAYS = {
    TargetKind.FAMILY: 30,
    TargetKind.HOUSEHOLD: 30,
    TargetKind.VILLAGE: 30,
}
MAX_INTERVAL_DAYS = 366


def interval_days(kind: str) -> int:
    configured = getattr(settings, "CARE_VISIT_INTERVAL_DAYS", None) or {}
    return int(configured.get(kind, DEFAULT_INTERVAL_DAYS[TargetKind(kind)]))


def due_on(last_visit: date | None, since: date, interval: int) -> date:
    """The day a target's next visit is due: `interval` days after its last visit, or
    at once (the day the responsibility began) when it has never been visited."""
    return since if last_visit is None else last_visit + timedelta(days=interval)


def last_visit_cutoff(today: date, interval: int, within: int) -> date:
    """A target is on the worklist when due by today + `within`: its last visit on or
    before this day (or none)."""
    return today + timedelta(days=within - interval)


class PhoneInvalid(ValueError):
    pass


_SEPARATORS = re.compile(r"[\s\-()（）]")


def parse_phone(raw: str) -> str:
    """A phone number as typed: full-width digits and separators (spaces, hyphens,
    brackets) allowed, a leading +86 dropped; 7 to 12 ASCII digits stored (a landline
    with or without its area code, an 11-digit mobile). Raises PhoneInvalid with the
    Chinese reason."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    text = _SEPARATORS.sub("", text)
    if text.startswith("+86"):
        text = text[3:]
    if not text:
        raise PhoneInvalid("请填写联系电话")
    if not (text.isascii() and text.isdigit()):
        raise PhoneInvalid("联系电话只能含数字（可带空格、短横线）")
    if not 7 <= len(text) <= 12:
        raise PhoneInvalid("联系电话应为7到12位数字")
    if len(text) == 11 and text.startswith("1") and text[1] not in "3456789":
        raise PhoneInvalid("手机号码格式不正确")
    return text
