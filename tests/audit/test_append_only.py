"""The audit log can only grow: no ORM, admin or SQL path changes or removes a row."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from famplan.accounts.models import User
from famplan.audit.models import AppendOnlyError, AuditEntry
from famplan.audit.services import audit_log
from tests.conftest import client_for


@pytest.fixture
def row(county_admin) -> AuditEntry:
    return audit_log(actor=county_admin, action="test.thing.done", detail={"n": 1})


@pytest.fixture
def superuser_client(units) -> Client:
    # A superuser with a unit, so nothing but the admin's own rules stands in the way.
    root = User.objects.create_superuser(
        "root", "root@example.org", "Root-pass-2026", org_unit_id="620422", role="county_admin"
    )
    return client_for(root)  # with the second factor its county_admin role needs


def test_it_refuses_queryset_update_and_delete(row):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=row.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_it_refuses_saving_or_deleting_an_existing_row(row):
    row.action = "changed"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    assert AuditEntry.objects.get(pk=row.pk).action == "test.thing.done"


def test_the_database_refuses_raw_update_and_delete(row):
    for sql in (
        "UPDATE audit_auditentry SET action = 'changed' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])
    assert AuditEntry.objects.get(pk=row.pk).action == "test.thing.done"


COLUMNS = "id, at, username, action, target_type, target_id, target_label, detail, result"
VALUES = "%s, '2026-01-01 00:00:00', 'intruder', 'changed', '', '', '', '{}', 'ok'"


def _overwrites(vendor: str) -> list[str]:
    """SQL that would put a new row where an existing one is (its id as the parameter)."""
    insert = f"INSERT INTO audit_auditentry ({COLUMNS}) VALUES ({VALUES})"
    upsert = f"{insert} ON CONFLICT (id) DO UPDATE SET action = excluded.action"
    if vendor == "sqlite":
        # REPLACE deletes the conflicting row, which fires audit_no_delete only because
        # famplan's connections turn recursive_triggers on (settings.py).
        replace = f"INSERT OR REPLACE INTO audit_auditentry ({COLUMNS}) VALUES ({VALUES})"
        return [replace, replace.replace("INSERT OR REPLACE", "REPLACE"), upsert]
    merge = (
        "MERGE INTO audit_auditentry a USING (SELECT %s::bigint AS id) s ON a.id = s.id"
        " WHEN MATCHED THEN {}"
    )
    return [upsert, merge.format("UPDATE SET action = 'changed'"), merge.format("DELETE")]


def test_the_database_refuses_to_overwrite_a_row_through_insert(row):
    statements = _overwrites(connection.vendor)
    for sql in statements:
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [row.pk])
    kept = AuditEntry.objects.get(pk=row.pk)
    assert (kept.action, kept.username) == ("test.thing.done", "county_admin")
    assert AuditEntry.objects.filter(action="changed").count() == 0


def test_an_insert_that_would_skip_the_conflict_changes_nothing(row):
    if connection.vendor == "sqlite":
        sql = f"INSERT OR IGNORE INTO audit_auditentry ({COLUMNS}) VALUES ({VALUES})"
    else:
        sql = f"INSERT INTO audit_auditentry ({COLUMNS}) VALUES ({VALUES}) ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(sql, [row.pk])
        assert cursor.rowcount == 0
    assert AuditEntry.objects.get(pk=row.pk).action == "test.thing.done"


def test_every_connection_turns_recursive_triggers_on(db):
    # The REPLACE guard above rests on it: a new connection must get it too.
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL has no REPLACE; its ON CONFLICT fires the UPDATE trigger")
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA recursive_triggers")
        assert cursor.fetchone()[0] == 1


def test_new_rows_still_go_in_next_to_the_triggers(row):
    # The overwrite check must not catch ordinary inserts (NEW.id not yet assigned).
    more = [audit_log(actor=None, action="test.more") for _ in range(3)]
    assert len({row.pk, *(m.pk for m in more)}) == 4


def _trigger_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                ["audit_auditentry"],
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditentry'::regclass"
                " AND NOT tgisinternal"
            )
        return {name for (name,) in cursor.fetchall()}


def test_the_triggers_survive_every_migration(db):
    # A migration that makes SQLite rebuild the table (AlterField, a NOT NULL AddField)
    # drops its triggers without a word: this is where that would show.
    expected = (
        {"audit_no_update", "audit_no_delete"}
        if connection.vendor == "sqlite"
        else {"audit_no_change", "audit_no_truncate"}
    )
    assert _trigger_names() == expected


def test_the_admin_shows_entries_but_cannot_change_or_delete_them(superuser_client, row):
    base = f"/admin/audit/auditentry/{row.pk}"
    assert superuser_client.get("/admin/audit/auditentry/").status_code == 200
    assert superuser_client.get("/admin/audit/auditentry/add/").status_code == 403
    changed = superuser_client.post(f"{base}/change/", {"action": "changed", "detail": "{}"})
    assert changed.status_code in (403, 404, 405)
    assert superuser_client.get(f"{base}/delete/").status_code in (403, 404, 405)
    assert superuser_client.post(f"{base}/delete/", {"post": "yes"}).status_code in (403, 404, 405)
    bulk = superuser_client.post(
        "/admin/audit/auditentry/",
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert AuditEntry.objects.get(pk=row.pk).action == "test.thing.done"


def test_the_admin_page_is_read_only(superuser_client, row):
    page = superuser_client.get(f"/admin/audit/auditentry/{row.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="_save"' not in body and "deletelink" not in body


def test_the_admin_edits_users_with_an_audit_row_but_never_deletes(
    superuser_client, village_worker
):
    url = f"/admin/accounts/user/{village_worker.pk}"
    assert superuser_client.get(f"{url}/delete/").status_code == 403
    page = superuser_client.get(f"{url}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        full_name="改名了",
        org_unit="620422100001",
        date_joined_0=village_worker.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=village_worker.date_joined.strftime("%H:%M:%S"),
        last_login_0="",
        last_login_1="",
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("groups", None)
    data.pop("user_permissions", None)
    response = superuser_client.post(f"{url}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    village_worker.refresh_from_db()
    assert village_worker.full_name == "改名了"
    logged = AuditEntry.objects.get(action="accounts.user.updated")
    assert logged.detail == {"via": "admin", "changed_fields": ["full_name"]}
