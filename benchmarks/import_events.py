"""Benchmark: import 20,000 marriages, then 20,000 deaths, as .xlsx files.

    uv run python benchmarks/import_events.py [ROWS]

Sets up ROWS couples (2 x ROWS people through the persons import, untimed), then times
the marriages import (ROWS rows, every couple) and the deaths import (ROWS rows: every
husband dies, so each death ends a marriage, widows the wife; one in ten of them away
on an open migration that the death closes). Runs on a fresh SQLite file, and on a
scratch PostgreSQL database when DATABASE_URL names one (benchmarks/_harness.py).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import run_on_fresh_databases

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "src" / "famplan" / "orgunits" / "fixtures" / "huining_620422_divisions.csv"
PERSON_HEADER = ["姓名", "身份证号", "性别", "出生日期", "民族", "户口性质", "村(居)代码",
                 "户号", "与户主关系", "婚姻状况", "联系电话", "登记日期"]  # fmt: skip


def _timed(label: str, count: int, record_type: str, header: list[str], rows: list, admin) -> None:
    from famplan.common.xlsx import write_xlsx
    from famplan.transfer.imports import import_table
    from famplan.transfer.imports.framework import IMPORT_TYPES

    content = write_xlsx([(h, 12) for h in header], rows, label)
    marks: dict[str, float] = {}

    def progress(percent: float, message: str = "") -> None:
        if percent >= 75 and "write" not in marks:
            marks["write"] = time.perf_counter()

    started = time.perf_counter()
    result = import_table(
        content=content,
        filename=f"{label}.xlsx",
        record_type=IMPORT_TYPES[record_type],
        actor=admin,
        progress=progress,
    )
    ended = time.perf_counter()
    validate, write, total = marks["write"] - started, ended - marks["write"], ended - started
    print(
        f"  {label}: validate {validate:.2f} s, write {write:.2f} s, total {total:.2f} s "
        f"({count / total:,.0f} rows/s)  counts {result.counts}"
    )


def run(count: int) -> None:
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "famplan.settings")
    django.setup()
    call_command("migrate", verbosity=0)

    from famplan.accounts.models import User
    from famplan.accounts.roles import Role
    from famplan.common.idnumbers import make_id_number
    from famplan.orgunits.models import Level, OrgUnit
    from famplan.orgunits.services import divisions_import
    from famplan.registry.models import Direction, Migration, Person, PersonStatus

    divisions_import(FIXTURE, source_name=FIXTURE.name)
    admin = User.objects.create(username="bench", org_unit_id="620422", role=Role.COUNTY_ADMIN)
    villages = list(
        OrgUnit.objects.filter(level=Level.VILLAGE).order_by("code").values_list("code", flat=True)
    )
    people, couples = [], []
    for i in range(count):
        born = date(1950, 1, 1) + timedelta(days=i // 250)
        husband = make_id_number("620422", born, (2 * i) % 500, "M")
        wife = make_id_number("620422", born, (2 * i + 1) % 500, "F")
        village = villages[i % len(villages)]
        for name, number, sex in (("王建国", husband, "男"), ("李桂兰", wife, "女")):
            people.append([name, number, sex, born, "汉族", "农业", village, "", "", "",
                           "", date(2000, 1, 1)])  # fmt: skip
        couples.append((husband, wife))
    started = time.perf_counter()
    from famplan.common.xlsx import write_xlsx
    from famplan.transfer.imports import import_table
    from famplan.transfer.imports.framework import IMPORT_TYPES

    import_table(
        content=write_xlsx([(h, 12) for h in PERSON_HEADER], people, "人员"),
        filename="人员.xlsx",
        record_type=IMPORT_TYPES["persons"],
        actor=admin,
    )
    # Every tenth husband away on an open migration (set up directly: not timed).
    away = list(Person.objects.filter(sex="M").order_by("pk").values_list("pk", "unit_id")[::10])
    Migration.objects.bulk_create(
        Migration(unit_id=unit, person_id=pk, direction=Direction.OUT,
                  moved_on=date(2010, 1, 1), place="兰州市")
        for pk, unit in away
    )  # fmt: skip
    Person.objects.filter(pk__in=[pk for pk, _ in away]).update(status=PersonStatus.AWAY)
    print(f"  setup: {2 * count:,} people in {time.perf_counter() - started:.1f} s")

    _timed(
        "婚姻", count, "marriages", ["丈夫身份证号", "妻子身份证号", "结婚日期"],
        [[h, w, date(1980, 5, 1)] for h, w in couples], admin,
    )  # fmt: skip
    _timed(
        "死亡", count, "deaths", ["身份证号", "死亡日期", "死亡原因", "死亡地点"],
        [[h, date(2024, 3, 15), "疾病", "家中"] for h, _ in couples], admin,
    )  # fmt: skip
    open_left = Migration.objects.filter(status="active").count()
    print(f"  after: open migrations left {open_left:,} (of {len(away):,} set up)")


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        run(int(sys.argv[2]))
        return 0
    count = sys.argv[1] if len(sys.argv) > 1 else "20000"
    return run_on_fresh_databases(__file__, count, "events")


if __name__ == "__main__":
    sys.exit(main())
