"""Benchmark: the indicator values of the full synthetic Huining county.

    uv run python benchmarks/generate_county.py --keep DIR    # once, ~2 minutes
    uv run python benchmarks/indicators.py --var-dir DIR [--year 2025] [--skip-loop]
    uv run python benchmarks/indicators.py --var-dir DIR --database-url postgres://...

On that database (SQLite) it times:
1. a full rebuild of the values table from the records (every measure group, ten years
   and the current one, villages rolled up to townships and the county), group by group;
2. a rerun of one year (replaces that year's values);
3. reading every indicator (with intervals and target verdicts) for all 351 units of one
   year, as the report does: the requirement is under 0.5 s;
4. the same counts the naive way, a per-unit ORM loop straight over the records;
5. DuckDB computing the same per-village yearly counts and roll-ups from the same rows
   (handed over as CSV files: DuckDB cannot download extensions here), load excluded.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path


def setup(var_dir: Path, database_url: str | None = None) -> None:
    os.environ.update(
        FAMPLAN_ENV="development",
        FAMPLAN_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url or f"sqlite:///{var_dir}/famplan.sqlite3",
        DJANGO_SETTINGS_MODULE="famplan.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def actor():
    from famplan.accounts.models import User

    user, _ = User.objects.get_or_create(
        username="bench_indicators", defaults={"org_unit_id": "620422", "role": "county_admin"}
    )
    return user


def timed_rebuild(user, first_year: int, last_year: int, label: str) -> None:
    from famplan.indicators.services import values_refresh

    marks: list[tuple[float, str]] = []

    def progress(percent: float, message: str = "", force: bool = False) -> None:
        marks.append((time.perf_counter(), time.process_time(), message))

    started, cpu = time.perf_counter(), time.process_time()
    run = values_refresh(actor=user, first_year=first_year, last_year=last_year, progress=progress)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    # CPU seconds too (SQLite runs in this process): on a shared machine the wall clock
    # also counts the other processes' work.
    print(
        f"{label} {first_year}-{last_year}: {seconds:.2f} s ({cpu:.2f} s CPU), {run.rows:,} values"
    )
    marks.append((time.perf_counter(), time.process_time(), "done"))
    for (at, at_cpu, message), (after, after_cpu, _) in pairwise(marks):
        print(f"    {message}: {after - at:.2f} s ({after_cpu - at_cpu:.2f} s CPU)")


def read_all(year: int, repeats: int = 20) -> None:
    from famplan.indicators.models import MeasureValue
    from famplan.indicators.periods import year_period
    from famplan.indicators.selectors import indicator_rows
    from famplan.orgunits.jurisdiction import code_prefix_filter
    from famplan.orgunits.models import OrgUnit

    times, cpus = [], []
    for _ in range(repeats):
        started, cpu = time.perf_counter(), time.process_time()
        units = list(OrgUnit.objects.filter(**code_prefix_filter("code", "620422")))
        rows = indicator_rows(units, year_period(year), MeasureValue.objects.all())
        times.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    cells = sum(len(r.cells) for r in rows)
    county = next(r for r in rows if r.unit.code == "620422")
    sample = {c.indicator.code: c.value_text for c in county.cells}
    print(f"    county {year} counts: {county.values}")
    p50, top = 1000 * statistics.median(times), 1000 * max(times)
    print(
        f"read every indicator for {len(rows)} units, {year}: p50 {p50:.1f} ms, max {top:.1f} ms"
        f" (CPU p50 {1000 * statistics.median(cpus):.1f} ms)"
    )
    print(f"    ({cells:,} indicator cells with intervals and verdicts)")
    print(f"    county {year}: {sample}")


def orm_loop(year: int) -> dict[str, dict[str, int]]:
    """The way to avoid: for every unit, count its records with the ORM."""
    from django.db.models import Count, Q

    from famplan.orgunits.jurisdiction import code_prefix_filter
    from famplan.orgunits.models import OrgUnit
    from famplan.registry.models import Birth, Death, Marriage, Migration, Person

    start, end = date(year, 1, 1), date(year, 12, 31)

    def on_register(people, day: date) -> int:
        alive = Q(left_on__isnull=True) | Q(left_on__gt=day)
        return people.filter(alive, registered_on__lte=day).count()

    found = {}
    started, cpu = time.perf_counter(), time.process_time()
    for unit in OrgUnit.objects.filter(**code_prefix_filter("code", "620422")):
        inside = code_prefix_filter("unit_id", unit.code)
        people = Person.objects.filter(**inside)
        before = start - timedelta(days=1)
        b = Birth.objects.filter(**inside, born_on__range=(start, end)).aggregate(
            births=Count("id"),
            boys=Count("id", filter=Q(sex="M")),
            third=Count("id", filter=Q(birth_order__gte=3)),
            hospital=Count("id", filter=Q(place_type="hospital")),
        )
        found[unit.code] = {
            "population_start": people.filter(
                Q(left_on__isnull=True) | Q(left_on__gt=before), registered_on__lte=before
            ).count(),
            "population_end": people.filter(
                Q(left_on__isnull=True) | Q(left_on__gt=end), registered_on__lte=end
            ).count(),
            **b,
            "deaths": Death.objects.filter(**inside, died_on__range=(start, end)).count(),
            "marriages": Marriage.objects.filter(**inside, married_on__range=(start, end)).count(),
            "migrants": Migration.objects.filter(**inside, moved_on__range=(start, end)).count(),
        }
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"per-unit ORM loop, {len(found)} units, {year}: {seconds:.2f} s ({cpu:.2f} s CPU)")
    return found


def duckdb_run(year: int) -> None:
    import duckdb
    from django.db import connection

    tables = {
        "person": "SELECT unit_id, registered_on, left_on FROM registry_person",
        "birth": "SELECT unit_id, born_on, sex, birth_order, place_type FROM registry_birth",
        "death": "SELECT unit_id, died_on FROM registry_death",
        "marriage": "SELECT unit_id, married_on FROM registry_marriage",
        "migration": "SELECT unit_id, moved_on, direction FROM registry_migration",
    }
    db = duckdb.connect()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        for name, sql in tables.items():
            path = Path(tmp) / f"{name}.csv"
            with connection.cursor() as cursor, path.open("w", newline="") as out:
                cursor.execute(sql)
                writer = csv.writer(out)
                writer.writerow([c[0] for c in cursor.description])
                while chunk := cursor.fetchmany(20000):
                    writer.writerows(chunk)
            db.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header=true)")
        handed = time.perf_counter() - started
        print(f"DuckDB: rows handed over as CSV in {handed:.2f} s (not counted below)")
    s, e = f"DATE '{year}-01-01'", f"DATE '{year}-12-31'"
    before = f"DATE '{year - 1}-12-31'"

    def on(day: str) -> str:
        return f"COUNT(*) FILTER (WHERE registered_on <= {day} AND coalesce(left_on > {day}, true))"

    def within(column: str) -> str:
        return f"{column} BETWEEN {s} AND {e} GROUP BY ALL"

    queries = {
        "population start/end": f"SELECT unit_id, {on(before)}, {on(e)} FROM person GROUP BY ALL",
        "births by sex, order, place": (
            "SELECT unit_id, COUNT(*), COUNT(*) FILTER (WHERE sex = 'M'),"
            " COUNT(*) FILTER (WHERE birth_order >= 3),"
            " COUNT(*) FILTER (WHERE place_type = 'hospital')"
            f" FROM birth WHERE {within('born_on')}"
        ),
        "deaths": f"SELECT unit_id, COUNT(*) FROM death WHERE {within('died_on')}",
        "marriages": f"SELECT unit_id, COUNT(*) FROM marriage WHERE {within('married_on')}",
        "migrants": (
            f"SELECT unit_id, direction, COUNT(*) FROM migration WHERE {within('moved_on')}"
        ),
    }
    total = 0.0
    for label, sql in queries.items():
        started = time.perf_counter()
        village = db.execute(sql).fetchall()
        seconds = time.perf_counter() - started
        total += seconds
        print(f"    DuckDB {label}: {1000 * seconds:.0f} ms ({len(village)} rows)")
    print(f"DuckDB, five per-village yearly counts, {year}: {1000 * total:.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var-dir", type=Path, required=True)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--skip-loop", action="store_true")
    parser.add_argument("--skip-duckdb", action="store_true")
    parser.add_argument("--skip-rerun", action="store_true")
    # PostgreSQL (benchmarks/pg_county.py fills it); the default is DIR's SQLite file.
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    where = args.database_url.split("@")[-1] if args.database_url else args.var_dir
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, {where}")
    setup(args.var_dir, args.database_url)
    from famplan.indicators.services import rebuild_years

    user = actor()
    first, last = rebuild_years()
    timed_rebuild(user, first, last, "full rebuild")
    if not args.skip_rerun:
        timed_rebuild(user, args.year, args.year, "rerun of one year")
    read_all(args.year)
    if not args.skip_loop:
        found = orm_loop(args.year)
        print(f"    county by the loop: {found['620422']}")
    if not args.skip_duckdb:
        duckdb_run(args.year)
    return 0


if __name__ == "__main__":
    sys.exit(main())
