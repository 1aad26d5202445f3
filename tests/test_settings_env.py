"""Settings come from the environment and fail loudly on a bad value.

Each case imports the real settings module in a fresh interpreter, since settings are
read once per process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SETUP = "import django; django.setup(); "


def run_python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FAMPLAN_"))}
    clean.pop("DATABASE_URL", None)
    clean.pop("DEBUG", None)
    clean.pop("SECRET_KEY", None)
    clean.update(
        DJANGO_SETTINGS_MODULE="famplan.settings",
        FAMPLAN_VAR_DIR=str(tmp_path),
        FAMPLAN_ENV="development",
    )
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"DATABASE_URL": "mysql://u@localhost/famplan"}, "DATABASE_URL must be sqlite://"),
        ({"DATABASE_URL": "not a url at all"}, "DATABASE_URL"),
        ({"FAMPLAN_ENV": "production"}, "SECRET_KEY is required"),
        ({"FAMPLAN_ENV": "staging"}, "FAMPLAN_ENV='staging' must be one of"),
        ({"SESSION_TIMEOUT_MINUTES": "half an hour"}, "SESSION_TIMEOUT_MINUTES"),
        ({"AXES_FAILURE_LIMIT": "five"}, "AXES_FAILURE_LIMIT='five' is not a whole number"),
    ],
)
def test_it_refuses_to_start_with_a_bad_value(tmp_path, env, message):
    result = run_python(SETUP, tmp_path, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_it_starts_in_production_with_a_secret_key(tmp_path):
    result = run_python(
        SETUP + "from django.conf import settings; print(settings.DEBUG)",
        tmp_path,
        FAMPLAN_ENV="production",
        SECRET_KEY="a-long-random-production-key-for-this-test-only",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_it_keeps_debug_off_by_default(tmp_path):
    result = run_python(SETUP + "from django.conf import settings; print(settings.DEBUG)", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_it_runs_sqlite_in_wal_mode_in_the_var_dir(tmp_path):
    code = SETUP + (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])\n"
        "    c.execute('PRAGMA foreign_keys'); print(c.fetchone()[0])\n"
        "print(connection.settings_dict['NAME'])\n"
    )
    result = run_python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    journal, foreign_keys, name = result.stdout.split()
    assert journal == "wal"
    assert foreign_keys == "1"
    assert name == str(tmp_path / "famplan.sqlite3")
    assert (tmp_path / "famplan.sqlite3").exists()


def test_it_reads_postgres_from_database_url(tmp_path):
    code = SETUP + (
        "from django.conf import settings; d = settings.DATABASES['default']\n"
        "print(d['ENGINE'], d['NAME'], d['HOST'], d['PORT'], d['USER'])"
    )
    result = run_python(code, tmp_path, DATABASE_URL="postgres://famplan@db.local:5433/county")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "county",
        "db.local",
        "5433",
        "famplan",
    ]


def test_env_example_documents_every_variable_settings_read():
    root = Path(__file__).resolve().parent.parent
    settings_text = (root / "src/famplan/settings.py").read_text()
    example = (root / ".env.example").read_text()
    read = set(re.findall(r"env_\w+\(\s*\"([A-Z_]+)\"", settings_text))
    documented = set(re.findall(r"^([A-Z_]+)=", example, flags=re.MULTILINE))
    assert read, "no env_* reads found in settings.py"
    assert read - documented == set()
