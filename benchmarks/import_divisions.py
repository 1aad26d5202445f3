"""Benchmark: import Gansu's division table (19,224 units) into a fresh database.

    uv run python benchmarks/import_divisions.py [FILE]

Runs on a fresh SQLite file in a temporary folder, and also on a fresh PostgreSQL
database (created beside DATABASE_URL's, then dropped) when DATABASE_URL is set.
Prints the seconds of the first import (all rows created) and of a second one (all
rows unchanged), timed around the service call alone, after migrations.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "gansu_62_divisions.csv"
if not DEFAULT_FILE.exists():
    DEFAULT_FILE = Path("/work/shared/data/gansu_62_divisions.csv")


def run_one(path: Path) -> None:
    """In a child process whose environment already names the fresh database."""
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "famplan.settings")
    django.setup()
    call_command("migrate", verbosity=0)

    from famplan.orgunits.models import OrgUnit
    from famplan.orgunits.services import divisions_import

    for label in ("first import", "second import"):
        started = time.perf_counter()
        counts = divisions_import(path, source_name=path.name)
        seconds = time.perf_counter() - started
        print(
            f"  {label}: {seconds:.2f} s  (created {counts.created}, "
            f"updated {counts.updated}, unchanged {counts.unchanged})"
        )
    print(f"  units stored: {OrgUnit.objects.count()}")


def child(env: dict[str, str], path: Path) -> int:
    env = {**os.environ, "FAMPLAN_ENV": "development", **env}
    return subprocess.call([sys.executable, __file__, "--child", str(path)], env=env)


def with_postgres(url: str, path: Path) -> int:
    import psycopg

    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "famplan") + "_bench_divisions"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        return child({"DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}"))}, path)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        run_one(Path(sys.argv[2]))
        return 0
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FILE
    print(f"{path.name}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite (fresh file, WAL):")
        env = {"FAMPLAN_VAR_DIR": tmp, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
        status = child(env, path)
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("PostgreSQL (fresh database):")
        status = status or with_postgres(os.environ["DATABASE_URL"], path)
    return status


if __name__ == "__main__":
    sys.exit(main())
