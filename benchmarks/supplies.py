"""Benchmark: contraceptive supplies over a county (or the province).

    uv run python benchmarks/supplies.py            # Huining: 322 villages
    uv run python benchmarks/supplies.py --gansu    # every Gansu county: 17,718 villages

On a fresh database (SQLite, then PostgreSQL when DATABASE_URL names one) it loads the
divisions, generates the demo points and a year of movements (demo/supplies.py), then
times the reads: stock of every point (one grouped query), the points list filtered on
"every essential kind in stock", the county's monthly report, and the indicators
engine's availability rows for twelve months (one grouped query).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import run_on_fresh_databases

ROOT = Path(__file__).resolve().parents[1]
HUINING = ROOT / "src" / "famplan" / "orgunits" / "fixtures" / "huining_620422_divisions.csv"
GANSU = ROOT.parent / "shared" / "data" / "gansu_62_divisions.csv"
if not GANSU.exists():
    GANSU = Path("/work/shared/data/gansu_62_divisions.csv")
TODAY = date(2026, 11, 20)


def timed(label: str, func, repeat: int = 3):
    best, result = None, None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
    print(f"  {label}: {best * 1000:.1f} ms (best of {repeat})")
    return result


def run_one(which: str) -> None:
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "famplan.settings")
    django.setup()
    call_command("migrate", verbosity=0)

    from famplan.accounts.models import User
    from famplan.demo.supplies import supplies_generate
    from famplan.orgunits.models import Level, OrgUnit
    from famplan.orgunits.services import divisions_import
    from famplan.supplies import selectors
    from famplan.supplies.models import DistributionPoint

    path = GANSU if which == "gansu" else HUINING
    divisions_import(path, source_name=path.name)
    counties = list(OrgUnit.objects.filter(level=Level.COUNTY).order_by("code"))
    started = time.perf_counter()
    points = movements = 0
    for county in counties:
        result = supplies_generate(county=county, seed=1, today=TODAY)
        points, movements = points + result.points, movements + result.movements
    print(
        f"  generation: {time.perf_counter() - started:.2f} s for {len(counties)} counties, "
        f"{points} points, {movements} movements"
    )
    top = "62" if which == "gansu" else "620422"
    level = "province" if which == "gansu" else "county"
    admin, _ = User.objects.get_or_create(
        username="bench_supplies", defaults={"org_unit_id": top, "role": "county_admin"}
    )
    every = DistributionPoint.objects.all()
    balances = timed("stock of every point and kind", lambda: selectors.stock(every, TODAY))
    print(f"    ({len(balances)} point-kind balances)")
    timed(
        "points list filtered on every essential kind in stock (first page)",
        lambda: list(selectors.search_points(admin, has_stock=True)[:50]),
    )
    unit = OrgUnit.objects.get(code=top, level=level)
    report = timed(
        f"monthly report of the {level} (2026-10)",
        lambda: selectors.monthly_report(unit, date(2026, 10, 1)),
    )
    share = report.total.availability or 0
    print(f"    availability {share:.1%} of {report.total.points_active} points")
    first, last = 2025 * 12 + 10, 2026 * 12 + 9
    rows = timed(
        "availability rows, 12 months, every village (one grouped query)",
        lambda: list(selectors.availability_rows(first, last)),
    )
    print(f"    ({len(rows)} village-month rows)")


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        run_one(sys.argv[2])
        return 0
    which = "gansu" if "--gansu" in sys.argv else "huining"
    print(f"supplies, {which}, {os.cpu_count()} cores")
    return run_on_fresh_databases(__file__, which, "supplies")


if __name__ == "__main__":
    sys.exit(main())
