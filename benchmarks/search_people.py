"""Benchmark: search the full county's people through `registry.selectors.search_people`,
as a county administrator and as a township clerk (会师镇), and print p50/p95 in ms.

    uv run python benchmarks/search_people.py [--var-dir DIR] [--queries 200]
    uv run python benchmarks/search_people.py --database-url postgres://... [--province]

Needs the full Huining database of benchmarks/generate_county.py: give the folder it
was kept in (`generate_county.py --keep DIR`); without one, it builds it first in a
temporary folder (about two minutes). Each query is what the people list does: the
first page (20 rows, village joined) and the capped count (CappedPaginator). Four
kinds of query, 200 random ones each: ID number (exact), name (exact), name prefix
(surname and first given character; the surname alone). Requirement: p95 under 50 ms.
With --database-url (or DATABASE_URL) it runs on that PostgreSQL database instead (filled
by benchmarks/pg_county.py); --province adds a province administrator (甘肃省, 62).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGE = 20


def setup(var_dir: Path, database_url: str | None = None) -> None:
    os.environ.update(
        FAMPLAN_ENV="development",
        FAMPLAN_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url or f"sqlite:///{var_dir}/famplan.sqlite3",
        DJANGO_SETTINGS_MODULE="famplan.settings",
    )
    import django

    django.setup()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bench_users(province: bool) -> dict:
    from famplan.accounts.models import User
    from famplan.accounts.roles import Role

    # Unsaved users: the selectors need only the unit and an active login.
    users = {}
    if province:
        users["province admin (甘肃省)"] = User(
            username="bench_province", org_unit_id="62", role=Role.COUNTY_ADMIN
        )
    users["county admin (会宁县)"] = User(
        username="bench_admin", org_unit_id="620422", role=Role.COUNTY_ADMIN
    )
    users["township clerk (会师镇)"] = User(
        username="bench_clerk", org_unit_id="620422100", role=Role.TOWNSHIP_CLERK
    )
    return users


def explain(sql: str, params: list) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN {sql}", params)
            return "; ".join(row[0].strip() for row in cursor.fetchall()[:4])
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "; ".join(row[-1] for row in cursor.fetchall())


def run(queries: int, province: bool = False) -> None:
    from famplan.registry.models import Person
    from famplan.registry.selectors import CappedPaginator, search_people

    rng = random.Random(2026)
    users = bench_users(province)
    print(f"people in the database: {Person.objects.count():,}")
    print(f"{'user':<24} {'query':<22} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'hits/q':>7}")
    plans: dict[str, str] = {}
    for label, user in users.items():
        in_scope = list(
            search_people(user).exclude(id_number=None).values_list("id_number", "name").order_by()
        )
        sample = [in_scope[rng.randrange(len(in_scope))] for _ in range(queries)]
        kinds = {
            "ID number": [{"id_number": id_number} for id_number, _ in sample],
            "name (exact)": [{"name": name} for _, name in sample],
            "name prefix (2 chars)": [{"name": name[:2]} for _, name in sample],
            "name prefix (surname)": [{"name": name[:1]} for _, name in sample],
        }
        for kind, params in kinds.items():
            times, hits = [], 0
            for filters in params:
                started = time.perf_counter()
                people = search_people(user, **filters)
                paginator = CappedPaginator(people, PAGE)
                rows = list(paginator.page(1).object_list)
                total = paginator.count
                times.append((time.perf_counter() - started) * 1000)
                hits += total
                assert rows, filters
            print(
                f"{label:<24} {kind:<22} {statistics.median(times):>7.1f} "
                f"{percentile(times, 0.95):>7.1f} {max(times):>7.1f} {hits / len(params):>7.0f}"
            )
            people = search_people(user, **params[0])
            sql, sql_params = people[:PAGE].query.sql_with_params()
            plans[f"{label} / {kind}"] = explain(sql, list(sql_params))
    print("\nquery plans (first page):")
    for key, plan in plans.items():
        print(f"  {key}: {plan}")


def run_lists(repeats: int = 20, province: bool = False) -> None:
    """First page (50 rows) plus the capped count of each unfiltered list, as the list
    pages fetch them, for a county admin and a township clerk."""
    from famplan.registry.selectors import CappedPaginator, search_people
    from famplan.registry.selectors import events as event_selectors

    lists = {
        "people": search_people,
        "births": event_selectors.search_births,
        "deaths": event_selectors.search_deaths,
        "marriages": event_selectors.search_marriages,
        "migrations": event_selectors.search_migrations,
    }
    users = bench_users(province)
    print("\nlist pages (first page of 50 and the capped count)")
    print(f"{'user':24} {'list':11} {'p50 ms':>7} {'p95 ms':>7}")
    for label, user in users.items():
        for name, search in lists.items():
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                paginator = CappedPaginator(search(user), 50)
                list(paginator.get_page(1).object_list)
                paginator.count  # noqa: B018 (evaluated for its query)
                times.append((time.perf_counter() - started) * 1000)
            p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
            print(f"{label:24} {name:11} {p50:7.1f} {p95:7.1f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var-dir", type=Path)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--province", action="store_true")
    args = parser.parse_args()
    if args.child or args.database_url:
        setup(args.var_dir or Path(tempfile.gettempdir()), args.database_url)
        run(args.queries, args.province)
        run_lists(province=args.province)
        return 0
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}")
    me = [sys.executable, __file__, "--child", "--queries", str(args.queries)]
    if args.var_dir and (args.var_dir / "famplan.sqlite3").exists():
        return subprocess.call([*me, "--var-dir", str(args.var_dir)])
    with tempfile.TemporaryDirectory() as tmp:
        status = subprocess.call([sys.executable, str(HERE / "generate_county.py"), "--keep", tmp])
        return status or subprocess.call([*me, "--var-dir", tmp])


if __name__ == "__main__":
    sys.exit(main())
