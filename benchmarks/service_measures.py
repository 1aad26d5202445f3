"""Benchmark: the service apps' measure groups (registration, health, supplies,
deliveries, benefits) on the full synthetic Huining county.

    uv run python benchmarks/generate_county.py --keep DIR    # once
    uv run python benchmarks/service_measures.py --var-dir DIR [--database-url URL]

The generated county holds the demo's health records; this script adds, once, the demo's
supply points (`famplan demo`'s supplies step) and what the demo does not make: the
townships' check targets for the last three years (the county's 3,047 couples split by
married women), a birth registration for every birth of those years (two in three at the
counter), a delivery record for every hospital birth of those years, and three years of
the 农村奖励扶助 roster (one row for every person aged 60 and over on the register: more than
the county has, an upper bound). Then it times each service group over the rebuild's
range (ten years and the current one), median of three runs, and one full refresh.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

SERVICE_GROUPS = [
    "birth_registrations",
    "health_checks",
    "health_checks_high_risk",
    "health_followups_due",
    "health_followups_done",
    "health_followups_done_on_time",
    "folic_issued",
    "folic_followups",
    "folic_aware",
    "folic_taking",
    "folic_compliant",
    "health_target_couples",
    "supply_points",
    "delivery_records",
    "benefits",
]


def setup(var_dir: Path, database_url: str | None) -> None:
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
        username="bench_measures", defaults={"org_unit_id": "620422", "role": "county_admin"}
    )
    return user


def add_records(user, years: list[int]) -> None:
    from django.db import transaction

    from famplan.benefits.models import Cycle, Entry, Program, RosterRow
    from famplan.deliveries.models import DeliveryRecord, Facility
    from famplan.health.services import targets_split
    from famplan.registration.models import BirthRegistration
    from famplan.registry.models import Birth, Person

    if RosterRow.objects.exists():
        return
    clock = time.perf_counter()
    with transaction.atomic():
        for year in years:
            targets_split(actor=user, year=year, total=3047)
        births = list(
            Birth.objects.filter(born_on__year__in=years).values_list(
                "pk", "unit_id", "mother_id", "born_on", "sex", "place_type"
            )
        )
        BirthRegistration.objects.bulk_create(
            [
                BirthRegistration(
                    receipt_number=f"B{n:09d}",
                    certificate_number=None,
                    status="registered",
                    channel="counter" if n % 3 else "online",
                    township_id=unit[:9],
                    applicant="wife",
                    married_on=date(2015, 1, 1),
                    birth_order=1,
                    wife_name="甲",
                    wife_id_number="",
                    husband_name="乙",
                    husband_id_number="",
                    wife_village_id=unit,
                    registered_on=born,
                )
                for n, (_, unit, _, born, _, _) in enumerate(births)
            ],
            batch_size=2000,
        )
        account = type(user).objects.create(
            username="bench_hospital", org_unit_id="620422", role="facility"
        )
        facility = Facility.objects.create(
            code="BENCH", name="县医院", unit_id="620422", account=account
        )
        DeliveryRecord.objects.bulk_create(
            [
                DeliveryRecord(
                    facility=facility,
                    record_id=f"D{pk}",
                    unit_id=unit,
                    mother_id=mother,
                    mother_id_number="",
                    delivered_on=born,
                    sex=sex,
                    place="hospital",
                    child_name="婴",
                    birth_id=pk,
                    status="matched",
                    via="api",
                    entered_by=account,
                    payload_digest="x",
                )
                for pk, unit, mother, born, sex, place in births
                if place == "hospital"
            ],
            batch_size=2000,
        )
        program = Program.objects.get(code="rural_reward")
        elders = list(
            Person.objects.filter(
                birth_date__lt=date(years[0] - 60, 1, 1), left_on__isnull=True
            ).values_list("pk", "unit_id", "sex", "birth_date")
        )
        for year in years:
            cycle = Cycle.objects.create(
                program=program, county_id="620422", year=year, cutoff_on=date(year, 12, 31),
                status="closed",
            )  # fmt: skip
            money = {
                "monthly_amount": Decimal(80),
                "from_month": date(year, 1, 1),
                "to_month": date(year, 12, 1),
                "amount_due": Decimal(960),
            }
            entries = Entry.objects.bulk_create(
                [
                    Entry(
                        cycle=cycle,
                        person_id=pk,
                        unit_id=unit,
                        source="registry",
                        status="approved",
                        **money,
                    )
                    for pk, unit, _, _ in elders
                ],
                batch_size=2000,
            )
            RosterRow.objects.bulk_create(
                [
                    RosterRow(
                        cycle=cycle,
                        entry=entry,
                        person_id=pk,
                        unit_id=unit,
                        name="某",
                        sex=sex,
                        birth_date=born,
                        payment_status="paid" if n % 50 else "failed",
                        paid_amount=Decimal(960) if n % 50 else None,
                        **money,
                    )
                    for n, (entry, (pk, unit, sex, born)) in enumerate(
                        zip(entries, elders, strict=True)
                    )
                ],
                batch_size=2000,
            )
    print(
        f"added {len(births):,} registrations, the hospital births' delivery records and "
        f"{len(years)} rosters of {len(elders):,} in {time.perf_counter() - clock:.1f} s"
    )


def add_supplies() -> None:
    """The demo's distribution points and a year of their movements (`famplan demo`'s
    supplies step), if the county has none yet."""
    from famplan.common.dates import today
    from famplan.demo.supplies import supplies_generate
    from famplan.orgunits.models import OrgUnit
    from famplan.supplies.models import DistributionPoint

    if not DistributionPoint.objects.exists():
        county = OrgUnit.objects.get(code="620422")
        supplies_generate(county=county, seed=1, today=today())


def counts() -> None:
    from famplan.benefits.models import RosterRow
    from famplan.deliveries.models import DeliveryRecord
    from famplan.health.models import FolicAcidFollowUp, FolicAcidIssue, FollowUp, PrePregnancyCheck
    from famplan.registration.models import BirthRegistration
    from famplan.supplies.models import DistributionPoint, StockMovement

    for model in (
        BirthRegistration,
        PrePregnancyCheck,
        FollowUp,
        FolicAcidIssue,
        FolicAcidFollowUp,
        DistributionPoint,
        StockMovement,
        DeliveryRecord,
        RosterRow,
    ):
        print(f"  {model._meta.label}: {model.objects.count():,}")


def time_groups(first: int, last: int) -> None:
    from django.db import connection

    from famplan.indicators.measures import GROUPS

    total, total_cpu = 0.0, 0.0
    for group in GROUPS:
        if group.name not in SERVICE_GROUPS:
            continue
        runs, cpus, rows = [], [], 0
        for _ in range(3):
            started, cpu = time.perf_counter(), time.process_time()
            rows = len(list(group.compute(first, last)))
            runs.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
        total += statistics.median(runs)
        total_cpu += statistics.median(cpus)
        print(f"  {group.name}: {statistics.median(runs) * 1000:.0f} ms, {rows:,} rows")
    print(f"  all service groups: {total:.2f} s ({total_cpu:.2f} s CPU, {connection.vendor})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var-dir", type=Path, required=True)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    setup(args.var_dir, args.database_url)
    from famplan.common.dates import today
    from famplan.indicators.services import rebuild_years, values_refresh

    user = actor()
    this_year = today().year
    add_records(user, [this_year - 2, this_year - 1, this_year])
    add_supplies()
    counts()
    first_year, last_year = rebuild_years()
    print(f"service groups over {first_year}-{last_year} (median of 3):")
    time_groups(first_year * 12, last_year * 12 + 11)
    started, cpu = time.perf_counter(), time.process_time()
    run = values_refresh(actor=user, first_year=first_year, last_year=last_year)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"full refresh {first_year}-{last_year}: {wall:.2f} s ({cpu:.2f} s CPU), "
        f"{run.rows:,} values"
    )


if __name__ == "__main__":
    sys.exit(main())
