"""Benchmark: write 100,000 audit rows with audit_log_rows (what an import of 100,000
people writes), into a fresh database.

    uv run python benchmarks/audit_rows.py [ROWS]

Runs on a fresh SQLite file in a temporary folder, and also on a fresh PostgreSQL
database (created beside DATABASE_URL's, then dropped) when DATABASE_URL is set.
Prints the seconds of three runs, each one transaction (the call and the commit), on a
log that already holds the earlier runs' rows.
"""

from __future__ import annotations

import os
import sys
import time

from _harness import run_on_fresh_databases


def run_one(rows: int) -> None:
    """In a child process whose environment already names the fresh database."""
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "famplan.settings")
    django.setup()
    call_command("migrate", verbosity=0)

    from django.db import transaction

    from famplan.accounts.models import User
    from famplan.audit.models import AuditEntry
    from famplan.audit.services import audit_log_rows

    actor = User.objects.create(username="bench", role="county_admin")
    for run in range(1, 4):
        values = (("620422100001", n, f"人员{n:06d}") for n in range(rows))
        started = time.perf_counter()
        with transaction.atomic():
            audit_log_rows(
                actor=actor,
                action="registry.person.imported",
                target_type="registry.person",
                rows=values,
                detail={"via": "import", "file": "bench.xlsx"},
            )
        seconds = time.perf_counter() - started
        print(f"  run {run}: {rows:,} rows in {seconds:.2f} s ({rows / seconds:,.0f} rows/s)")
    print(f"  rows stored: {AuditEntry.objects.count():,}")


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        run_one(int(sys.argv[2]))
        return 0
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print(f"audit_log_rows, {rows:,} rows, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    return run_on_fresh_databases(__file__, str(rows), "audit")


if __name__ == "__main__":
    sys.exit(main())
