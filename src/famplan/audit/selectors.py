"""Reads of the audit log, cut to the user's jurisdiction by the entry's unit.

Entries with no unit (failed logins under a name that may not exist, system work)
belong to no township, so only county-level users and above see them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connections, router
from django.db.models import QuerySet
from django.utils import timezone

from famplan.audit.models import AuditEntry
from famplan.orgunits.jurisdiction import code_prefix_filter, jurisdiction_code, scope
from famplan.orgunits.models import Level

UNITLESS_LEVELS = frozenset({Level.PROVINCE, Level.CITY, Level.COUNTY})


def sees_unitless_entries(user: Any) -> bool:
    if jurisdiction_code(user) is None:
        return False
    return user.org_unit.level in UNITLESS_LEVELS


def entries_for_user(user: Any) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all()
    if jurisdiction_code(user) is None:
        return entries.none()
    scoped = scope(entries, user, "org_unit")
    if sees_unitless_entries(user):
        scoped = scoped | entries.filter(org_unit__isnull=True)
    return scoped.order_by("-at", "-id")


def actions_in_log() -> list[str]:
    """The distinct action codes in the log, for the page's action list.

    A plain DISTINCT reads the whole action index (millions of entries in a busy year);
    this walks it instead: each step one index seek for the next code greater than the
    last, so about one seek per distinct code (~100), on SQLite and PostgreSQL alike."""
    table = AuditEntry._meta.db_table
    sql = f"""
        WITH RECURSIVE codes(action) AS (
            SELECT MIN(action) FROM {table}
            UNION ALL
            SELECT (SELECT MIN(action) FROM {table} WHERE action > codes.action)
            FROM codes WHERE codes.action IS NOT NULL
        )
        SELECT action FROM codes WHERE action IS NOT NULL"""  # noqa: S608 - name from _meta
    with connections[router.db_for_read(AuditEntry)].cursor() as cursor:
        cursor.execute(sql)
        return [code for (code,) in cursor.fetchall()]


def _day_start(day: dt.date) -> dt.datetime:
    # Days are local days (Asia/Shanghai); compare `at` with instants so the index on
    # `at` serves the range, instead of converting every row's time to a date.
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_entries(
    entries: QuerySet[AuditEntry],
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    username: str = "",
    action: str = "",
    unit: str = "",
    result: str = "",
) -> QuerySet[AuditEntry]:
    if date_from:
        entries = entries.filter(at__gte=_day_start(date_from))
    if date_to:
        entries = entries.filter(at__lt=_day_start(date_to + dt.timedelta(days=1)))
    if username:
        entries = entries.filter(username__icontains=username)
    if action:
        entries = entries.filter(action__startswith=action)
    if unit:
        entries = entries.filter(**code_prefix_filter("org_unit_id", unit))
    if result:
        entries = entries.filter(result=result)
    return entries
