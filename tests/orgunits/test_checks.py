from __future__ import annotations

from django.core.management import call_command

from famplan.orgunits.checks import collation_errors


def test_it_accepts_bytewise_collations():
    assert collation_errors("postgresql", "C.UTF-8") == []
    assert collation_errors("postgresql", "C") == []
    assert collation_errors("sqlite", None) == []


def test_it_refuses_a_language_collation_on_postgresql():
    [error] = collation_errors("postgresql", "zh_CN.UTF-8")
    assert error.id == "famplan.E001" and "zh_CN.UTF-8" in error.msg


def test_it_passes_on_the_test_database(db):
    # Raises SystemCheckError if the database this suite runs on would fail.
    call_command("check", "--database", "default")
