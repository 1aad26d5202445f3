"""Benchmark: a data-quality run over the whole of Huining county (~560,000 people).

    uv run python benchmarks/quality_run.py [PEOPLE]

Builds a fresh SQLite database in a temporary folder (and a fresh PostgreSQL database
beside DATABASE_URL's when it is set, dropped afterwards): Huining's divisions, then
PEOPLE synthetic residents (default 560,000) spread over its villages with bulk
inserts, about 1% of them with planted faults of every rule, plus two years of births
and deaths. Then times `quality.services.quality_run` over the county, check by check,
and the county's score table as the home page reads it.

Self-contained on purpose: it does not need benchmarks/generate_county.py, and its
planted faults make every rule do real work.
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from _harness import run_on_fresh_databases

ROOT = Path(__file__).resolve().parents[1]
DIVISIONS = ROOT / "src" / "famplan" / "orgunits" / "fixtures" / "huining_620422_divisions.csv"
SEED = 20261122
BATCH = 5000


def insert(model: type, rows: list[dict]) -> None:
    """Plain executemany: Django's bulk_create spends ~0.2 ms a row compiling SQL, which
    would make the setup, not the run, the slow part of this benchmark."""
    from django.db import connection, transaction
    from django.utils import timezone

    if not rows:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = ["entered_at", "updated_at", "version", *rows[0]]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({names}) VALUES ({marks})"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                sql, [(now, now, 1, *r.values()) for r in rows[start : start + BATCH]]
            )


def populate(people: int) -> None:
    from famplan.accounts.models import User
    from famplan.common.idnumbers import make_id_number
    from famplan.orgunits.models import Level, OrgUnit
    from famplan.orgunits.services import divisions_import
    from famplan.registry.models import Birth, Death, Person

    divisions_import(DIVISIONS, source_name=DIVISIONS.name)
    villages = list(OrgUnit.objects.filter(level=Level.VILLAGE).values_list("code", flat=True))
    User.objects.create(username="bench", org_unit_id="620422", role="county_admin")
    rng = random.Random(SEED)
    today = date.today()
    used: dict[tuple[date, str], int] = {}
    surnames = "王张李刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    given = "明华国建军伟芳秀英丽强磊洋艳勇杰娟涛超霞平刚桂兰"

    def id_for(born: date, sex: str) -> str | None:
        seq = used.get((born, sex), 0)
        if seq >= 500:
            return None
        used[(born, sex)] = seq + 1
        return make_id_number("620422", born, seq, sex)

    batch: list[dict] = []
    women: dict[str, list[int]] = {}
    started = time.perf_counter()
    for n in range(people):
        unit = villages[n % len(villages)]
        sex = "M" if rng.random() < 0.51 else "F"
        born = date(1930, 1, 1) + timedelta(days=rng.randrange(0, (today - date(1930, 1, 1)).days))
        name = rng.choice(surnames) + rng.choice(given) + rng.choice(given)
        id_number = id_for(born, sex)
        fault = rng.random()
        person = {
            "unit_id": unit,
            "name": name,
            "sex": sex,
            "birth_date": born,
            "id_number": id_number,
            "ethnicity": "汉族",
            "hukou_type": "rural",
            "relation_to_head": "head",
            "marital_status": "unmarried",
            "phone": "",
            "registered_on": born,
            "status": "active",
        }
        if fault < 0.003 and id_number:  # wrong check digit
            person["id_number"] = id_number[:17] + ("0" if id_number[17] != "0" else "1")
        elif fault < 0.005:
            person["ethnicity"] = ""
        elif fault < 0.007:
            person["id_number"] = None
        elif fault < 0.008 and id_number:  # sex typed wrong
            person["sex"] = "F" if sex == "M" else "M"
        elif fault < 0.009 and batch:  # entered twice
            twin = batch[-1]
            person.update(name=twin["name"], birth_date=twin["birth_date"], unit_id=unit)
            person["registered_on"] = twin["birth_date"]
            twin["unit_id"] = unit
        batch.append(person)
    insert(Person, batch)
    print(f"  {people:,} people inserted in {time.perf_counter() - started:.1f} s")

    # Births and deaths of the last two years (~5,000 births a year), a few of them bad.
    cutoff = today - timedelta(days=45 * 365)
    for pk, unit in Person.objects.filter(
        sex="F", birth_date__gte=cutoff, birth_date__lte=today - timedelta(days=20 * 365)
    ).values_list("pk", "unit_id"):
        women.setdefault(unit, []).append(pk)
    births, deaths, children = [], [], []
    for n in range(10_000):
        unit = villages[n % len(villages)]
        born = today - timedelta(days=rng.randrange(0, 730))
        sex = rng.choice("MF")
        children.append(
            {
                "unit_id": unit,
                "name": "新" + rng.choice(given),
                "sex": sex,
                "birth_date": born,
                "id_number": None if born > today - timedelta(days=90) else id_for(born, sex),
                "ethnicity": "汉族",
                "hukou_type": "rural",
                "relation_to_head": "child",
                "marital_status": "unmarried",
                "phone": "",
                "registered_on": born,
                "status": "active",
            }
        )
    insert(Person, children)
    for n, child in enumerate(Person.objects.filter(name__startswith="新").order_by("pk")):
        mothers = women.get(child.unit_id) or [next(iter(women.values()))[0]]
        births.append(
            Birth(
                unit_id=child.unit_id,
                child=child,
                mother_id=mothers[n % len(mothers)],
                born_on=child.birth_date,
                sex=child.sex,
                birth_order=1,
                place_type="hospital",
            )
        )
    Birth.objects.bulk_create(births, batch_size=BATCH)
    old = Person.objects.filter(birth_date__lt=date(1950, 1, 1)).values_list(
        "pk", "unit_id", "birth_date"
    )[:7000]
    for n, (pk, unit, born) in enumerate(old):
        died = born - timedelta(days=1) if n % 500 == 0 else today - timedelta(days=n % 700)
        deaths.append(Death(unit_id=unit, person_id=pk, died_on=died))
    Death.objects.bulk_create(deaths, batch_size=BATCH)
    Person.objects.filter(pk__in=[d.person_id for d in deaths]).update(status="deceased")
    print(f"  {len(births):,} births, {len(deaths):,} deaths")


def run_one(people: int) -> None:
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "famplan.settings")
    django.setup()
    call_command("migrate", verbosity=0)
    populate(people)

    from django.db import connection

    from famplan.accounts.models import User
    from famplan.orgunits.models import OrgUnit
    from famplan.quality import rules
    from famplan.quality.selectors import score_table_for_user
    from famplan.quality.services import quality_run

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    actor = User.objects.get(username="bench")
    today = date.today()
    for check in rules.CHECKS:
        started = time.perf_counter()
        found = sum(1 for _ in check.func("620422", today))
        print(f"    {check.label}: {time.perf_counter() - started:.2f} s ({found:,} issues)")
    for label in ("first run", "rerun (replaces)"):
        started = time.perf_counter()
        run = quality_run(actor=actor, unit_code="620422")
        seconds = time.perf_counter() - started
        print(
            f"  {label}: {seconds:.1f} s  ({run.people:,} on the register, "
            f"{run.people_with_errors:,} with errors, {run.issues:,} issues)"
        )
    started = time.perf_counter()
    table = score_table_for_user(actor, OrgUnit.objects.get(code="620422"))
    print(
        f"  county score table: {1000 * (time.perf_counter() - started):.0f} ms "
        f"({len(table.rows)} townships, score {table.total.score_display})"
    )


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        run_one(int(sys.argv[2]))
        return 0
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 560_000
    print(f"quality run over {people:,} people, {os.cpu_count()} cores")
    return run_on_fresh_databases(__file__, str(people), "quality")


if __name__ == "__main__":
    sys.exit(main())
