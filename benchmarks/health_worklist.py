"""Benchmark: the village worker's follow-up worklist (孕前优生随访清单) on a full-size
county, as the worklist page reads it: the due and overdue counts, the first page of
follow-ups (keys from the index, then those rows with the couple joined) and the capped
count, for a village worker, a township clerk (会师镇) and the county administrator.

    uv run python benchmarks/health_worklist.py [CHECKS] [--people N] [--compare-index]

Builds a fresh database: Huining's 322 villages, N people (default 560,000: the
county's register, so the person joins run against a full-size table), CHECKS
pre-pregnancy checks (default 20,000, six and a half years of the county's 3,047 a
year) dated over the last 15 months in random villages, with their 40,000 follow-ups on
the schedule, those already open 70% done. On SQLite, then on PostgreSQL when
DATABASE_URL names a server. Prints p50/p95/max in ms over 200 runs of each case.
Requirement: p95 under 50 ms. With --compare-index, PostgreSQL is measured again after
dropping the (status, due_on) index (ppfollow_status_due, made there only), same data.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from _harness import run_on_fresh_databases

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "src/famplan/orgunits/fixtures/huining_620422_divisions.csv"
RUNS = 200


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def build(checks: int, people: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from famplan.common.bulk import insert_values
    from famplan.common.dates import today
    from famplan.health.models import FollowUp, FollowUpStatus, PrePregnancyCheck
    from famplan.health.schedule import SCHEDULE, window
    from famplan.orgunits.models import Level, OrgUnit
    from famplan.orgunits.services import divisions_import
    from famplan.registry.models import Person

    divisions_import(FIXTURE, source_name=FIXTURE.name)
    villages = list(
        OrgUnit.objects.filter(level=Level.VILLAGE, code__startswith="620422")
        .order_by("code")
        .values_list("code", flat=True)
    )
    rng = random.Random(2026)
    day = connection.ops.adapt_datefield_value
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    started = time.perf_counter()
    columns = ["name", "sex", "birth_date", "unit_id", "registered_on", "status", "ethnicity",
               "hukou_type", "marital_status", "phone", "relation_to_head", "entered_at",
               "updated_at", "version"]  # fmt: skip
    born_woman, born_man, since = (
        day(date(1994, 5, 1)),
        day(date(1992, 3, 1)),
        day(date(2000, 1, 1)),
    )

    def rows():
        for n in range(people):
            village = villages[n // 2 % len(villages)] if n < 2 * checks else rng.choice(villages)
            sex = "F" if n % 2 == 0 else "M"
            yield (f"人{n}", sex, born_woman if sex == "F" else born_man, village, since,
                   "active", "汉族", "rural", "first_married", "", "", now, now, 1)  # fmt: skip

    with transaction.atomic():
        insert_values(Person, columns, rows())
    pks = list(Person.objects.order_by("pk").values_list("pk", "unit_id")[: 2 * checks])
    print(f"  {people:,} people in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    on = today()
    with transaction.atomic():
        made = PrePregnancyCheck.objects.bulk_create(
            [
                PrePregnancyCheck(
                    unit_id=pks[2 * i][1],
                    wife_id=pks[2 * i][0],
                    husband_id=pks[2 * i + 1][0],
                    checked_on=on - timedelta(days=rng.randrange(456)),
                    facility="会宁县妇幼保健院",
                    risk_level="low",
                )
                for i in range(checks)
            ],
            batch_size=1000,
        )
        followups = []
        for check in made:
            for step in SCHEDULE:
                opens_on, due_on = window(check.checked_on, step)
                f = FollowUp(check_record=check, unit_id=check.unit_id, kind=step.kind,
                             opens_on=opens_on, due_on=due_on)  # fmt: skip
                if opens_on <= on and rng.random() < 0.7:
                    f.status, f.result = FollowUpStatus.DONE, "pregnant"
                    f.done_on = min(opens_on + timedelta(days=rng.randrange(60)), on)
                followups.append(f)
        FollowUp.objects.bulk_create(followups, batch_size=1000)
    print(
        f"  {checks:,} checks and {len(followups):,} follow-ups in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )


def measure() -> None:
    from django.db.models import Count

    from famplan.accounts.models import User
    from famplan.accounts.roles import Role
    from famplan.health.models import FollowUp
    from famplan.health.selectors import worklist, worklist_counts
    from famplan.registry.selectors import CappedPaginator

    # The village of 会师镇 with the most open follow-ups: the busiest village worker.
    village = (
        FollowUp.objects.filter(status="open", unit__code__startswith="620422100")
        .values("unit_id")
        .order_by()
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("unit_id", flat=True)
        .first()
    )
    users = {
        f"village worker ({village})": User(
            username="w", org_unit_id=village, role=Role.VILLAGE_WORKER
        ),
        "township clerk (会师镇)": User(
            username="c", org_unit_id="620422100", role=Role.TOWNSHIP_CLERK
        ),
        "county admin (会宁县)": User(username="a", org_unit_id="620422", role=Role.COUNTY_ADMIN),
    }
    print(f"  {'user':<34} {'state':<9} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'rows':>6}")
    for label, user in users.items():
        for state in ("open", "due", "overdue"):
            times, total = [], 0
            for _ in range(RUNS):
                started = time.perf_counter()
                counts = worklist_counts(user)
                paginator = CappedPaginator(worklist(user, state=state), 50)
                rows = list(paginator.page(1).object_list)
                for f in rows:  # what the page shows of each
                    _ = (f.check_record.wife.name, f.check_record.husband.name, f.unit.name)
                total = paginator.count
                times.append((time.perf_counter() - started) * 1000)
            assert counts["due"] + counts["overdue"] >= 0
            print(
                f"  {label:<34} {state:<9} {statistics.median(times):>7.1f} "
                f"{percentile(times, 0.95):>7.1f} {max(times):>7.1f} {total:>6}",
                flush=True,
            )


def without_county_index() -> None:
    """Drop the (status, due_on) index (PostgreSQL only, health migration 0002), to
    measure the worklist as it was before it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute('DROP INDEX IF EXISTS "ppfollow_status_due"')
        cursor.execute("ANALYZE health_followup")


def run_one(arg: str) -> None:
    import django
    from django.core.management import call_command
    from django.db import connection

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "famplan.settings")
    django.setup()
    call_command("migrate", verbosity=0)
    checks, people, compare = arg.split(",")
    build(int(checks), int(people))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    postgres = connection.vendor == "postgresql"
    if postgres:
        print("  with the (status, due_on) index:", flush=True)
    measure()
    if compare == "1" and postgres:
        without_county_index()
        print("  without it:", flush=True)
        measure()


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        run_one(sys.argv[2])
        return 0
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    checks = int(args[0]) if args else 20_000
    people = 560_000
    if "--people" in sys.argv:
        people = int(sys.argv[sys.argv.index("--people") + 1])
        args = [a for a in args if a != str(people)]
    people = max(people, 2 * checks)
    print(
        f"health worklist: {checks:,} checks, {people:,} people, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    compare = "1" if "--compare-index" in sys.argv else "0"
    return run_on_fresh_databases(__file__, f"{checks},{people},{compare}", "health")


if __name__ == "__main__":
    sys.exit(main())
