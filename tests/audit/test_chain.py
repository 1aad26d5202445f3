"""The tamper-evidence chain: every writer extends it, and `famplan audit-verify` finds
the first row changed, removed or slipped in behind the application's back."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib
import itertools
import threading
import time

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection, connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from famplan import cli
from famplan.audit import chain, context
from famplan.audit.management.commands.audit_verify import verify_log
from famplan.audit.models import AuditEntry
from famplan.audit.services import audit_log, audit_log_many, audit_log_rows
from famplan.orgunits.models import OrgUnit

TABLE = "audit_auditentry"


@contextlib.contextmanager
def direct_access():
    """What someone with the database file (or the table owner's password) can do:
    switch the append-only triggers off. The test's transaction brings them back."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_no_update")
            cursor.execute("DROP TRIGGER audit_no_delete")
        else:
            # ALTER TABLE waits for no deferred foreign-key check: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_no_change")
        yield cursor


@pytest.fixture
def log(township_clerk, units) -> list[AuditEntry]:
    """Rows from every writer, in the order written."""
    token = context.set_current(context.RequestContext(ip="10.1.2.3"))
    try:
        audit_log(actor=township_clerk, action="test.one.done", detail={"n": 1, "f": 2.5})
        audit_log_rows(
            actor=township_clerk, action="test.rows.done", target_type="registry.person",
            rows=[("620422100001", n, f"人{n}") for n in range(5)], detail={"via": "import"},
        )  # fmt: skip
        audit_log_many(
            actor=township_clerk, action="test.many.done",
            targets=OrgUnit.objects.filter(code__startswith="620422100").order_by("code"),
        )  # fmt: skip
        AuditEntry.objects.create(action="test.orm.created", username="x", detail={"k": [1]})
        AuditEntry.objects.bulk_create(AuditEntry(action="test.bulk", username="b") for _ in "ab")
    finally:
        context.reset(token)
    return list(AuditEntry.objects.order_by("id"))


def run_cli(capsys, *args: str) -> tuple[int, str]:
    """`famplan audit-verify` as the shell runs it: exit status and what it printed."""
    try:
        cli.main(["famplan", "audit-verify", *args])
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    out = capsys.readouterr()
    return code, out.out + out.err


def test_it_chains_the_rows_of_every_writer(log):
    assert len(log) == 1 + 5 + 3 + 1 + 2
    assert [e.seq for e in log] == list(range(log[0].seq, log[0].seq + len(log)))
    for before, after in itertools.pairwise(log):
        assert after.prev_hash == before.row_hash
    assert len({e.row_hash for e in log}) == len(log)


def test_a_clean_log_verifies(log, capsys):
    verdict = verify_log()
    assert verdict.problem is None
    assert verdict.rows == AuditEntry.objects.count()
    assert verdict.last_hash == log[-1].row_hash
    code, out = run_cli(capsys)
    assert code == 0
    assert f"OK, {verdict.rows} rows" in out and log[-1].row_hash in out


def test_it_hashes_a_fixed_canonical_text(township_clerk, units):
    """The canonical form written out: it must never change, or every stored row would
    look tampered with."""
    at = dt.datetime(2026, 3, 1, 8, 30, 0, 5, tzinfo=dt.UTC)
    entry = AuditEntry(
        at=at, user=township_clerk, username="township_clerk", ip="::FFFF:10.0.0.1",
        action="registry.person.viewed", result="ok", detail={"b": 1.0, "a": "张"},
        target_type="registry.person", org_unit_id="620422100001", target_id="7",
        target_label="张三",
    )  # fmt: skip
    entry.save()
    text = (
        f'[{entry.seq},"{entry.prev_hash}","2026-03-01T08:30:00.000005Z",{township_clerk.pk},'
        '"township_clerk","::ffff:a00:1","registry.person.viewed","ok",{"a":"张","b":1},'
        '"registry.person","620422100001","7","张三"]'
    )
    assert entry.row_hash == hashlib.sha256(text.encode()).hexdigest()
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.seq, stored.row_hash) == (entry.seq, entry.row_hash)


def test_it_finds_a_row_edited_behind_the_applications_back(log, capsys):
    edited = log[4]
    with direct_access() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET target_label = '改过' WHERE id = %s", [edited.pk])
    verdict = verify_log()
    assert verdict.problem == chain.Problem(edited.pk, "content changed", verdict.problem.detail)
    assert verdict.last_hash == log[3].row_hash
    code, out = run_cli(capsys)
    assert code == 1
    assert f"id={edited.pk}" in out and "内容被修改" in out and "OK" not in out


def test_it_finds_a_row_that_was_rehashed_after_the_edit(log):
    # The intruder recomputes the edited row's own hash; the next row still points at
    # the old one.
    edited, following = log[2], log[3]
    fixed = chain.fixed_part(
        at=edited.at, user_id=edited.user_id, username=edited.username, ip=edited.ip,
        action=edited.action, result="denied", detail=edited.detail,
        target_type=edited.target_type,
    )  # fmt: skip
    forged = chain.row_hash(
        edited.seq, edited.prev_hash, fixed, edited.org_unit_id, edited.target_id,
        edited.target_label,
    )  # fmt: skip
    with direct_access() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET result = 'denied', row_hash = %s WHERE id = %s",
            [forged, edited.pk],
        )
    problem = verify_log().problem
    assert (problem.row_id, problem.kind) == (following.pk, "link broken")


def test_it_finds_a_deleted_row(log, capsys):
    with direct_access() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [log[6].pk])
    problem = verify_log().problem
    assert (problem.row_id, problem.kind) == (log[7].pk, "row missing")
    assert f"第 {log[6].seq} 行" in problem.detail
    code, out = run_cli(capsys)
    assert code == 1 and "缺少行" in out


def test_it_finds_several_deleted_rows_and_names_the_gap(log):
    with direct_access() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id IN (%s, %s)", [log[1].pk, log[2].pk])
    problem = verify_log().problem
    assert (problem.row_id, problem.kind) == (log[3].pk, "row missing")
    assert f"{log[1].seq}–{log[2].seq}" in problem.detail


def test_it_finds_a_row_replaced_by_a_connection_without_recursive_triggers(log):
    # famplan's connections make REPLACE fire the DELETE trigger (test_append_only);
    # a program of one's own need not, and then the chain is what tells.
    if connection.vendor != "sqlite":
        pytest.skip("REPLACE is SQLite's")
    replaced = log[2]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA recursive_triggers=OFF")
        try:
            cursor.execute(
                f"INSERT OR REPLACE INTO {TABLE} (id, at, username, action, target_type,"
                " target_id, target_label, detail, result, seq, prev_hash, row_hash)"
                " SELECT id, at, username, action, target_type, target_id, '改过', detail,"
                f" result, seq, prev_hash, row_hash FROM {TABLE} WHERE id = %s",
                [replaced.pk],
            )
        finally:
            cursor.execute("PRAGMA recursive_triggers=ON")
    assert AuditEntry.objects.get(pk=replaced.pk).target_label == "改过"
    problem = verify_log().problem
    assert (problem.row_id, problem.kind) == (replaced.pk, "content changed")


def test_it_finds_a_row_slipped_in_with_plain_sql(log):
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (at, username, action, target_type, target_id,"
            " target_label, detail, result) VALUES (%s, 'ghost', 'test.ghost', '', '', '',"
            " '{}', 'ok')",
            [log[-1].at],
        )
    ghost = AuditEntry.objects.get(action="test.ghost")
    problem = verify_log().problem
    assert (problem.row_id, problem.kind) == (ghost.pk, "link broken")
    # and the application's next row does not chain onto it
    after = audit_log(actor=None, action="test.after.ghost")
    assert after.prev_hash == log[-1].row_hash


def test_the_migration_chains_rows_written_before_the_chain(log):
    """0004 computes the chain over the rows already there, in id order, through the
    append-only triggers it switches off and on again."""
    with direct_access() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET seq = NULL, prev_hash = NULL, row_hash = NULL")
    assert verify_log().problem.kind == "link broken"
    migration = importlib.import_module("famplan.audit.migrations.0004_tamper_evident_chain")

    class SchemaEditor:
        pass

    editor = SchemaEditor()
    editor.connection = connection
    if connection.vendor == "sqlite":
        # direct_access() dropped it; the migration expects it there, and recreates it.
        connection.cursor().execute(migration.SQLITE_NO_UPDATE)
    else:
        connection.cursor().execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_no_change")
    migration.chain_existing_rows(django_apps, editor)
    verdict = verify_log()
    assert verdict.problem is None and verdict.rows == AuditEntry.objects.count()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        connection.cursor().execute(f"UPDATE {TABLE} SET action = 'x'")


def test_the_command_runs_by_its_django_name(log, capsys):
    call_command("audit_verify")
    assert f"OK, {len(log)} rows" in capsys.readouterr().out


# Text anyone may have typed (no NUL, which PostgreSQL refuses, and no lone surrogates).
typed = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | typed,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(typed, inner, max_size=3),
    max_leaves=8,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(label=typed, username=typed, detail=st.dictionaries(typed, json_values, max_size=4))
def test_what_people_type_hashes_the_same_after_the_round_trip(db, label, username, detail):
    """Labels, names and details as the database gives them back hash as written: on
    PostgreSQL jsonb respells numbers and reorders keys."""
    audit_log(actor=None, action="test.typed", username=username[:150], detail=detail)
    audit_log_rows(
        actor=None, action="test.typed.rows", target_type="registry.person",
        rows=[(None, 1, label)], detail=detail,
    )  # fmt: skip
    verdict = verify_log()
    assert verdict.problem is None, str(verdict.problem)


class RolledBack(Exception):
    pass


def _append_and_roll_back(
    ready: threading.Event | None, release: threading.Event, done: dict, name: str, errors: list
) -> None:
    """Append one row in this thread's own connection, hold the transaction until
    `release`, then roll it back: nothing stays behind for the other tests."""
    try:
        with transaction.atomic():
            audit_log(actor=None, action="test.chain.concurrent")
            done[f"{name} appended"] = time.perf_counter()
            if ready is not None:
                ready.set()
            release.wait(timeout=10)
            done[name] = time.perf_counter()
            raise RolledBack
    except RolledBack:
        pass
    except Exception as exc:  # pragma: no cover - reported by the test
        errors.append(exc)
    finally:
        connections.close_all()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite has one writer")
def test_a_second_writer_waits_for_the_first_to_end(db):
    """While one transaction holds an appended row, another writer cannot read the
    chain's head (it would take the same previous hash): it waits for the first to end."""
    ready, release, done, errors = threading.Event(), threading.Event(), {}, []
    first = threading.Thread(
        target=_append_and_roll_back, args=(ready, release, done, "first", errors)
    )
    second = threading.Thread(
        target=_append_and_roll_back, args=(None, release, done, "second", errors)
    )
    first.start()
    assert ready.wait(timeout=10)
    second.start()
    time.sleep(0.5)
    assert "second appended" not in done  # still waiting for the chain's lock
    released = time.perf_counter()
    release.set()
    first.join(timeout=10)
    second.join(timeout=10)
    assert not errors
    assert done["second appended"] > done["first"] >= released
    assert not AuditEntry.objects.filter(action="test.chain.concurrent").exists()
