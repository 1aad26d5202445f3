"""Benchmark data on PostgreSQL: the synthetic county copied from SQLite, and a province
made from it with set-based SQL (generate_series, INSERT ... SELECT), never the Python
generator (~150 s a county).

    uv run python benchmarks/generate_county.py --keep DIR        # the county, SQLite
    uv run python benchmarks/pg_county.py --sqlite DIR/famplan.sqlite3 \\
        --database-url postgres://postgres@127.0.0.1:5432/NAME [--counties 9]

1. Migrates the PostgreSQL database and copies the county's divisions, its one account
   and every registry table into it with COPY (foreign keys are checked by the
   registry's own writers, not again here: `session_replication_role = replica`).
2. With --counties N: loads every Gansu division (../shared/data/gansu_62_divisions.csv)
   and clones the county's records into N other Gansu counties, all in SQL: each
   village of a target county takes the records of one Huining village (round robin by
   code), ids are shifted by a per-county offset, ID numbers get the target county's
   six digits and a recomputed GB 11643 check digit, household numbers the county code.
   Every clone is the whole county: 693,156 people (556,567 on the register), 516,896
   births and so on, so 9 clones make a province of 6.9 million person rows.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GANSU = ROOT.parent.parent / "shared/data/gansu_62_divisions.csv"
HUINING = "620422"
# Tables copied from SQLite, in an order that satisfies their foreign keys.
TABLES = [
    "orgunits_orgunit",
    "accounts_user",
    "registry_household",
    "registry_person",
    "registry_birth",
    "registry_death",
    "registry_marriage",
    "registry_migration",
    "registry_residencechange",
    "registry_householdchange",
]
OFFSET = 10_000_000  # id offset per clone: above every id of the county
CLONED = [
    "registry_household",
    "registry_person",
    "registry_birth",
    "registry_death",
    "registry_marriage",
    "registry_migration",
    "registry_residencechange",
]


def setup(database_url: str, var_dir: Path) -> None:
    os.environ.update(
        FAMPLAN_ENV="development",
        FAMPLAN_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="famplan.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def copy_county(sqlite_path: Path) -> None:
    from django.db import connection

    source = sqlite3.connect(sqlite_path)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET TIME ZONE 'UTC'")  # SQLite holds aware datetimes as UTC text
        for table in reversed(TABLES):
            cursor.execute(f"TRUNCATE {table} CASCADE")
        for table in TABLES:
            started = time.perf_counter()
            columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
            names = ", ".join(f'"{c}"' for c in columns)
            rows = source.execute(f"SELECT {names} FROM {table}")
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                count = 0
                for row in rows:
                    copy.write_row(row)
                    count += 1
            print(f"    {table}: {count:,} rows in {time.perf_counter() - started:.1f} s")
        reset_sequences(cursor)
        cursor.execute("SET session_replication_role = DEFAULT")
    source.close()


def reset_sequences(cursor) -> None:
    for table in TABLES[1:]:  # the divisions are keyed by code
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, 'id')",
            [table],
        )
        sequence = cursor.fetchone()[0]
        if sequence:
            cursor.execute(
                f"SELECT setval(%s, (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)",
                [sequence],
            )


def load_gansu() -> None:
    from famplan.orgunits.services import divisions_import

    started = time.perf_counter()
    divisions_import(GANSU, source_name=GANSU.name)
    print(f"    Gansu divisions loaded in {time.perf_counter() - started:.1f} s")


# GB 11643: the check character of the first 17 digits.
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def id_number_sql(county: str, column: str) -> str:
    """The ID number with the county's six digits and its check character recomputed."""
    body = f"('{county}' || substr({column}, 7, 11))"
    total = " + ".join(
        f"{w} * CAST(substr({body}, {i + 1}, 1) AS INTEGER)" for i, w in enumerate(WEIGHTS)
    )
    return f"({body} || substr('{CHECK}', (({total}) % 11) + 1, 1))"


def clone_counties(count: int, start: int = 1) -> list[str]:
    """Clone Huining's records into `count` other Gansu counties, one SQL statement per
    table and county, from the `start`th county on (what an interrupted run left of it
    is deleted first). Returns the counties' codes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.code FROM orgunits_orgunit c
             WHERE c.level = 'county' AND c.code <> %s AND c.code LIKE '62%%'
               AND (SELECT COUNT(*) FROM orgunits_orgunit v
                     WHERE v.level = 'village' AND v.code LIKE c.code || '%%') >= 100
             ORDER BY c.code LIMIT %s
            """,
            [HUINING, count],
        )
        counties = [row[0] for row in cursor.fetchall()]
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("DROP TABLE IF EXISTS bench_village_map")
        # Every village of each target county takes one Huining village's records
        # (round robin by code), and every Huining village goes to at least one.
        cursor.execute(
            """
            CREATE TABLE bench_village_map AS
            WITH source AS (
                SELECT code, ROW_NUMBER() OVER (ORDER BY code) - 1 AS n,
                       COUNT(*) OVER () AS total
                  FROM orgunits_orgunit WHERE level = 'village' AND code LIKE %s
            ), target AS (
                SELECT substr(code, 1, 6) AS county, code,
                       ROW_NUMBER() OVER (PARTITION BY substr(code, 1, 6) ORDER BY code) - 1 AS n,
                       COUNT(*) OVER (PARTITION BY substr(code, 1, 6)) AS total
                  FROM orgunits_orgunit WHERE level = 'village' AND substr(code, 1, 6) = ANY(%s)
            )
            SELECT t.county, s.code AS old, t.code AS new
              FROM source s JOIN target t ON t.n = s.n %% t.total
            """,
            [f"{HUINING}%", counties],
        )
        cursor.execute("CREATE INDEX ON bench_village_map (county, old)")
        for table in reversed(list(CLONED)):
            cursor.execute(f"DELETE FROM {table} WHERE id >= %s", [start * OFFSET])
        for index, county in enumerate(counties, start=1):
            if index < start:
                continue
            started = time.perf_counter()
            clone_one(cursor, county, index * OFFSET)
            print(f"    {county}: cloned in {time.perf_counter() - started:.1f} s")
        cursor.execute("DROP TABLE bench_village_map")
        reset_sequences(cursor)
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE")
    return counties


def clone_one(cursor, county: str, offset: int) -> None:
    """One county's copy of every registry table (household changes left out)."""

    def unit(column: str) -> str:
        found = f"SELECT m.new FROM bench_village_map m WHERE m.county = '{county}'"
        found += f" AND m.old = {column}"
        return f"COALESCE(({found}), {column})"

    plan = {
        "registry_household": {
            "id": f"id + {offset}",
            "number": f"'{county}-' || number",
            "unit_id": unit("unit_id"),
            "head_id": f"head_id + {offset}",
        },
        "registry_person": {
            "id": f"id + {offset}",
            # Empty where the new number is someone's already (a migrant in from there).
            "id_number": (
                f"CASE WHEN id_number LIKE '{HUINING}%' AND NOT EXISTS (SELECT 1 FROM"
                f" registry_person q WHERE q.id_number = {id_number_sql(county, 'id_number')})"
                f" THEN {id_number_sql(county, 'id_number')} END"
            ),
            "household_id": f"household_id + {offset}",
            "hukou_unit_id": unit("hukou_unit_id"),
            "unit_id": unit("unit_id"),
        },
        "registry_birth": {
            "id": f"id + {offset}",
            "unit_id": unit("unit_id"),
            "child_id": f"child_id + {offset}",
            "father_id": f"father_id + {offset}",
            "mother_id": f"mother_id + {offset}",
            "medical_certificate_number": (
                "CASE WHEN medical_certificate_number = '' THEN '' ELSE "
                f"'{county}' || medical_certificate_number END"
            ),
        },
        "registry_death": {
            "id": f"id + {offset}",
            "unit_id": unit("unit_id"),
            "person_id": f"person_id + {offset}",
        },
        "registry_marriage": {
            "id": f"id + {offset}",
            "unit_id": unit("unit_id"),
            "husband_id": f"husband_id + {offset}",
            "wife_id": f"wife_id + {offset}",
        },
        "registry_migration": {
            "id": f"id + {offset}",
            "unit_id": unit("unit_id"),
            "person_id": f"person_id + {offset}",
        },
        "registry_residencechange": {
            "id": f"id + {offset}",
            "unit_id": unit("unit_id"),
            "from_unit_id": unit("from_unit_id"),
            "person_id": f"person_id + {offset}",
        },
    }
    for table, changes in plan.items():
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
            " ORDER BY ordinal_position",
            [table],
        )
        columns = [row[0] for row in cursor.fetchall()]
        names = ", ".join(f'"{c}"' for c in columns)
        select = ", ".join(changes.get(c, f'"{c}"') for c in columns)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {select} FROM {table} WHERE id < {OFFSET}"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", type=Path, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--var-dir", type=Path, default=Path("/tmp/famplan_pg_bench"))
    parser.add_argument("--counties", type=int, default=0)
    parser.add_argument("--start", type=int, default=1, help="resume from this county")
    parser.add_argument("--skip-copy", action="store_true", help="the county is there")
    args = parser.parse_args()
    args.var_dir.mkdir(parents=True, exist_ok=True)
    setup(args.database_url, args.var_dir)
    started = time.perf_counter()
    if not args.skip_copy:
        print("copying the county from SQLite")
        copy_county(args.sqlite)
        print(f"county copied in {time.perf_counter() - started:.1f} s")
    if args.counties:
        started = time.perf_counter()
        if args.start == 1:
            load_gansu()
        counties = clone_counties(args.counties, args.start)
        print(
            f"{len(counties)} counties cloned in {time.perf_counter() - started:.1f} s: {counties}"
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE left_on IS NULL) FROM registry_person"
        )
        people, active = cursor.fetchone()
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    print(f"people: {people:,} rows, {active:,} on the register; database {size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
