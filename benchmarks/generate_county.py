"""Benchmark: generate 会宁县's full synthetic population (scale 1.0, ~560,000 people on
the register) into a fresh SQLite database, and print the seconds and realised figures.

    uv run python benchmarks/generate_county.py [--scale 1.0] [--seed 1] [--keep DIR]

Runs on a fresh SQLite file in a temporary folder (FAMPLAN_VAR_DIR), migrated first, with
the Huining divisions loaded; the time is that of `population_generate` alone. With
--keep DIR the database is left in DIR (for benchmarks/search_people.py) instead.
Requirement: under 3 minutes at scale 1.0.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "src/famplan/orgunits/fixtures/huining_620422_divisions.csv"
TODAY = date(2026, 6, 30)  # fixed, so that every run makes the same county


def build(var_dir: Path, *, scale: float, seed: int) -> None:
    """In this process: point Django at a fresh database in var_dir, migrate, load the
    divisions and generate. Must run before anything imported Django's settings."""
    os.environ.update(
        FAMPLAN_ENV="development",
        FAMPLAN_VAR_DIR=str(var_dir),
        DATABASE_URL=f"sqlite:///{var_dir}/famplan.sqlite3",
        DJANGO_SETTINGS_MODULE="famplan.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    from famplan.demo.figures import county_figures
    from famplan.demo.generator import population_generate
    from famplan.orgunits.models import OrgUnit
    from famplan.orgunits.services import divisions_import

    call_command("migrate", verbosity=0)
    divisions_import(FIXTURE, source_name=FIXTURE.name)
    county = OrgUnit.objects.get(code="620422")
    started, cpu = time.perf_counter(), time.process_time()
    result = population_generate(county=county, scale=scale, seed=seed, today=TODAY)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    # CPU seconds too: on a shared machine the wall clock also counts others' work.
    print(f"generation at scale {scale}, seed {seed}: {seconds:.1f} s ({cpu:.1f} s CPU)")
    print("rows written: " + ", ".join(f"{k} {v:,}" for k, v in result.counts.items()))
    started = time.perf_counter()
    figures = county_figures("620422", TODAY)
    print(f"figures read back in {time.perf_counter() - started:.1f} s:")
    for line in figures.lines():
        print("  " + line)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="build the database in this folder and keep it")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        if (args.keep / "famplan.sqlite3").exists():
            print(f"{args.keep}/famplan.sqlite3 exists already: remove it first")
            return 1
        build(args.keep, scale=args.scale, seed=args.seed)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp), scale=args.scale, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
