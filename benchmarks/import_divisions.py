"""Benchmark: import Gansu's division table (19,224 units) into a fresh database.

    uv run python benchmarks/import_divisions.py [FILE]

Runs on a fresh SQLite file in a temporary folder, and also on a fresh PostgreSQL
database (created beside DATABASE_URL's, then dropped) when DATABASE_URL is set.
Prints the seconds of the first import (all rows created) and of a second one (all
rows unchanged), timed around the service call alone, after migrations.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from _harness import run_on_fresh_databases

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


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        run_one(Path(sys.argv[2]))
        return 0
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FILE
    print(f"{path.name}, {os.cpu_count()} cores")
    return run_on_fresh_databases(__file__, str(path), "divisions")


if __name__ == "__main__":
    sys.exit(main())
