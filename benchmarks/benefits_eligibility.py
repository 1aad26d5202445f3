"""Benchmark: eligibility of every benefit program over the full synthetic Huining county,
and the payment file of a whole roster.

    uv run python benchmarks/generate_county.py --keep DIR     # once, ~2 minutes
    uv run python benchmarks/benefits_eligibility.py --var-dir DIR
    uv run python benchmarks/benefits_eligibility.py --postgres postgres://postgres@127.0.0.1:5432/famplan_benefits

SQLite: the kept database, migrated forward. PostgreSQL: the county is generated into a
scratch database (`<name>_bench`, kept for the next run with --keep-pg). Before timing,
the registry gets what the demo does not draw (deterministically): disability grades
for 1 in 150 people born 1980-2010, one-child certificates for a third of parents with
exactly one child born since 1990, applications for 育儿补贴 for 4 in 5 children under 3.
Requirement: every program over the county in under 5 s; the payment file of the
county's whole roster in under 5 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "src/famplan/orgunits/fixtures/huining_620422_divisions.csv"
CUTOFF = date(2026, 12, 31)


def setup_sqlite(var_dir: Path) -> None:
    os.environ.update(
        FAMPLAN_ENV="development",
        FAMPLAN_VAR_DIR=str(var_dir),
        DATABASE_URL=f"sqlite:///{var_dir}/famplan.sqlite3",
        DJANGO_SETTINGS_MODULE="famplan.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def setup_postgres(url: str, keep: bool) -> None:
    import psycopg

    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "famplan") + "_bench"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not keep:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(
        FAMPLAN_ENV="development",
        DATABASE_URL=urlunsplit(parts._replace(path=f"/{name}")),
        DJANGO_SETTINGS_MODULE="famplan.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from famplan.registry.models import Person

    if not Person.objects.exists():
        from famplan.demo.generator import population_generate
        from famplan.orgunits.models import OrgUnit
        from famplan.orgunits.services import divisions_import

        divisions_import(FIXTURE, source_name=FIXTURE.name)
        started = time.perf_counter()
        population_generate(
            county=OrgUnit.objects.get(code="620422"), scale=1.0, seed=1, today=date(2026, 6, 30)
        )
        print(f"generated the county into PostgreSQL in {time.perf_counter() - started:.0f} s")


def enrich() -> None:
    """Disability grades, certificates, applications and accounts (idempotent)."""
    from django.db import transaction
    from django.db.models import Count

    from famplan.accounts.models import User
    from famplan.benefits.models import Application, BankAccount, Program
    from famplan.registry.models import Birth, Person

    if Application.objects.exists():
        return
    started = time.perf_counter()
    with transaction.atomic():
        adults = Person.objects.filter(birth_date__range=(date(1980, 1, 1), date(2010, 12, 31)))
        pks = list(adults.values_list("pk", flat=True).order_by("pk"))
        for grade in (1, 2, 3, 4):
            Person.objects.filter(pk__in=pks[grade * 37 :: 600][:2000]).update(
                disability_grade=grade
            )
        one_child = (
            Birth.objects.values("mother_id").annotate(n=Count("pk"), born=Count("pk"))
            .filter(n=1).values_list("mother_id", flat=True)
        )  # fmt: skip
        mothers = list(
            Birth.objects.filter(mother_id__in=one_child, born_on__gte=date(1990, 1, 1))
            .values_list("mother_id", "father_id")
            .order_by("mother_id")
        )[::3]
        holders = [p for pair in mothers for p in pair if p]
        for start in range(0, len(holders), 900):
            Person.objects.filter(pk__in=holders[start : start + 900]).update(
                one_child_certificate_on=date(2015, 1, 1)
            )
        care = Program.objects.get(code="childcare_subsidy")
        actor, _ = User.objects.get_or_create(
            username="bench_benefits", defaults={"org_unit_id": "620422", "role": "county_admin"}
        )
        births = list(
            Birth.objects.filter(born_on__gte=date(2023, 7, 1), child__status="active")
            .values_list("child_id", "mother_id", "child__unit_id")
            .order_by("pk")
        )
        Application.objects.bulk_create(
            [
                Application(
                    program=care,
                    person_id=c,
                    applicant_id=m,
                    unit_id=u,
                    applied_on=date(2026, 3, 1),
                    entered_by=actor,
                )
                for i, (c, m, u) in enumerate(births)
                if i % 5
            ],
            batch_size=2000,
        )
    print(
        f"enriched the registry in {time.perf_counter() - started:.1f} s: "
        f"{len(holders):,} certificate holders, {Application.objects.count():,} applications"
    )
    del BankAccount


def measure() -> None:
    from django.db import connection

    from famplan.benefits import eligibility
    from famplan.benefits.models import Program

    print(f"database: {connection.vendor}; machine load: {os.getloadavg()[0]:.1f}")
    total = 0.0
    results = {}
    for program in Program.objects.all():
        timings, cpus = [], []
        for _ in range(3):
            started, cpu = time.perf_counter(), time.process_time()
            found = eligibility.run(program, CUTOFF, "620422")
            timings.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
        best = min(timings)
        total += best
        results[program.code] = found
        amount = sum(r.award.amount for r in found)
        print(
            f"  {program.name:<16} {len(found):>7,} eligible, {amount:>14,.2f} yuan "
            f"best {best:.2f} s of 3 (worst {max(timings):.2f} s), CPU {min(cpus):.2f} s"
        )
    print(f"  the four one by one: {total:.2f} s")
    timings, cpus = [], []
    for _ in range(3):
        started, cpu = time.perf_counter(), time.process_time()
        together = eligibility.run_programs(list(Program.objects.all()), CUTOFF, "620422")
        timings.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    assert {k: len(v) for k, v in together.items()} == {k: len(v) for k, v in results.items()}
    print(
        f"  all programs together (run_programs): best {min(timings):.2f} s "
        f"of 3 (worst {max(timings):.2f} s), CPU {min(cpus):.2f} s"
    )
    payment_file_benchmark(results)


def payment_file_benchmark(results) -> None:
    """A frozen roster of every eligible person of the rural reward (one account each),
    then the payment file timed."""
    from django.db import transaction

    from famplan.accounts.models import User
    from famplan.benefits.models import (
        BankLayout,
        Cycle,
        CycleStatus,
        Entry,
        EntrySource,
        EntryStatus,
        Program,
        RosterRow,
    )  # fmt: skip
    from famplan.benefits.services import payment_file

    program = Program.objects.get(code="rural_reward")
    actor = User.objects.get(username="bench_benefits")
    found = results["rural_reward"]
    with transaction.atomic():
        cycle, created = Cycle.objects.get_or_create(
            program=program, county_id="620422", year=CUTOFF.year,
            defaults={"cutoff_on": CUTOFF, "status": CycleStatus.FROZEN, "opened_by": actor},
        )  # fmt: skip
        if created:
            entries = Entry.objects.bulk_create(
                [
                    Entry(
                        cycle=cycle,
                        person_id=r.facts["pk"],
                        unit_id=r.facts["unit_id"],
                        source=EntrySource.REGISTRY,
                        status=EntryStatus.APPROVED,
                        monthly_amount=r.award.monthly,
                        from_month=r.award.from_month,
                        to_month=r.award.to_month,
                        amount_due=r.award.amount,
                    )
                    for r in found
                ],
                batch_size=2000,
            )
            RosterRow.objects.bulk_create(
                [
                    RosterRow(
                        cycle=cycle,
                        entry=e,
                        person_id=e.person_id,
                        unit_id=e.unit_id,
                        name=r.facts["name"],
                        id_number=r.facts["id_number"] or "",
                        sex=r.facts["sex"],
                        birth_date=r.facts["birth_date"],
                        monthly_amount=e.monthly_amount,
                        from_month=e.from_month,
                        to_month=e.to_month,
                        amount_due=e.amount_due,
                        payee_name=r.facts["name"],
                        bank_name="会宁县农村信用合作联社",
                        account_number=f"6229{e.person_id:015d}",
                    )
                    for e, r in zip(entries, found, strict=True)
                ],
                batch_size=2000,
            )
    RosterRow.objects.filter(cycle=cycle).update(payment_status="pending")
    layout = BankLayout.objects.first()
    started, cpu = time.perf_counter(), time.process_time()
    content, rows, total = payment_file(actor=actor, cycle=cycle, layout=layout)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"  payment file: {rows:,} rows, {total:,.2f} yuan, {len(content) / 1e6:.1f} MB "
        f"in {seconds:.2f} s (CPU {cpu:.2f} s)"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var-dir", type=Path, help="folder of a generate_county.py --keep run")
    parser.add_argument("--postgres", help="a PostgreSQL URL (a scratch _bench database is used)")
    parser.add_argument("--keep-pg", action="store_true", help="reuse the scratch database")
    args = parser.parse_args()
    if args.var_dir:
        setup_sqlite(args.var_dir)
    elif args.postgres:
        setup_postgres(args.postgres, args.keep_pg)
    else:
        parser.error("give --var-dir or --postgres")
    enrich()
    if args.postgres:
        # Fresh bulk-loaded tables: the planner needs their statistics (autovacuum's
        # analyze may not have come round yet).
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    measure()
    return 0


if __name__ == "__main__":
    sys.exit(main())
