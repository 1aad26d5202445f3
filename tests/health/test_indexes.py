"""The county-wide worklist's (status, due_on) index exists on PostgreSQL only
(health migration 0002; see its docstring for why not on SQLite)."""

from __future__ import annotations

from django.db import connection


def test_the_county_worklist_index_is_made_on_postgresql_only(db):
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "health_followup")
    assert ("ppfollow_status_due" in indexes) == (connection.vendor == "postgresql")
    if connection.vendor == "postgresql":
        assert indexes["ppfollow_status_due"]["columns"] == ["status", "due_on"]
