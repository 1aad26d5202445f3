"""Limits on the citizen pages, against guessing receipt numbers and flooding the queue.

Counts live in Django's cache (fixed windows). famplan serves from one process
(`famplan serve`), so the default local-memory cache holds the counts for all its
threads; an installation with several web processes configures a shared cache
(CACHES) and the same code counts across them. Keys hold a keyed hash of the ID
number, never the number itself.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600
# Status checks: a family checks a few times; a guesser needs millions of tries.
STATUS_PER_IP = 20
STATUS_PER_ID = 5
# Online applications from one address in a window (a township office may share one).
APPLY_PER_IP = 10

LIMITED_MESSAGE = "查询次数过多，请一小时后再试。"
APPLY_LIMITED_MESSAGE = "提交次数过多，请一小时后再试，或到乡镇(街道)窗口办理。"


def _digest(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def hit(scope: str, value: str, limit: int) -> bool:
    """Count one attempt for (scope, value); True while within `limit` per window."""
    key = f"famplan:ratelimit:{scope}:{_digest(value)}"
    # add() starts the window only if none is running; incr() is atomic in the cache.
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count <= limit


def status_check_allowed(ip: str | None, id_number: str) -> bool:
    """Both counts move on every attempt, so one address cannot try many ID numbers
    nor many addresses one ID number."""
    by_ip = hit("status-ip", ip or "unknown", STATUS_PER_IP)
    by_id = hit("status-id", id_number, STATUS_PER_ID)
    return by_ip and by_id


def apply_allowed(ip: str | None) -> bool:
    return hit("apply-ip", ip or "unknown", APPLY_PER_IP)
