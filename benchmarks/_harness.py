"""What benchmark scripts share: running their measurement in a child process against a
fresh SQLite file, then against a scratch PostgreSQL database when DATABASE_URL names one.

A child process per database, because Django reads its settings once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit, urlunsplit


def _child(script: str, arg: str, env: dict[str, str]) -> int:
    env = {**os.environ, "FAMPLAN_ENV": "development", **env}
    return subprocess.call([sys.executable, script, "--child", arg], env=env)


def _with_postgres(script: str, arg: str, url: str, suffix: str) -> int:
    import psycopg

    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "famplan") + f"_bench_{suffix}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        return _child(script, arg, {"DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}"))})
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_on_fresh_databases(script: str, arg: str, suffix: str) -> int:
    """Run `script --child arg` on a fresh SQLite file, then on PostgreSQL if asked."""
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite (fresh file, WAL):")
        env = {"FAMPLAN_VAR_DIR": tmp, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
        status = _child(script, arg, env)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        print("PostgreSQL (fresh database):")
        status = status or _with_postgres(script, arg, url, suffix)
    return status
