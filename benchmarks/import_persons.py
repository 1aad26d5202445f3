"""Benchmark: import a 100,000-row persons .xlsx into a fresh SQLite database.

    uv run python benchmarks/import_persons.py [ROWS]

Generates the file first (valid Huining ID numbers from make_id_number, villages of the
Huining division fixture, four people a household), then runs the import framework
(transfer.imports.import_table) as a county administrator, timing validation (read,
clean, check, resolve) and the write (bulk inserts and audit rows in one transaction).
Runs in a child process on a temporary FAMPLAN_VAR_DIR, so nothing real is touched.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "src" / "famplan" / "orgunits" / "fixtures" / "huining_620422_divisions.csv"
HEADER = ["姓名", "身份证号", "性别", "出生日期", "民族", "户口性质", "村(居)代码",
          "户号", "与户主关系", "婚姻状况", "联系电话", "登记日期"]  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "秀英桂兰建国志强玉梅海燕小红明军丽娟文华春生永红"


def make_rows(villages: list[str], count: int, seed: int = 7) -> list[list]:
    from famplan.common.idnumbers import make_id_number

    rng = random.Random(seed)
    used: set[tuple[date, int, str]] = set()
    rows: list[list] = []
    household = 0
    while len(rows) < count:
        household += 1
        village = villages[household % len(villages)]
        number = f"{village}{household:06d}"
        for member, relation in enumerate(["户主", "配偶", "子女", "子女"]):
            sex = ("M", "F", rng.choice("MF"), rng.choice("MF"))[member]
            while True:
                born = date(1940, 1, 1) + timedelta(days=rng.randrange(29000))
                key = (born, rng.randrange(500), sex)
                if key not in used:
                    used.add(key)
                    break
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            rows.append([
                name, make_id_number("620422", born, key[1], sex), "男" if sex == "M" else "女",
                born, "汉族", "农业", village, number, relation,
                "初婚" if member < 2 else "未婚", f"138{rng.randrange(10**8):08d}",
                date(2020, 1, 1) if born < date(2020, 1, 1) else born,
            ])  # fmt: skip
            if len(rows) == count:
                break
    return rows


def run(count: int) -> None:
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "famplan.settings")
    django.setup()
    call_command("migrate", verbosity=0)

    from famplan.accounts.models import User
    from famplan.accounts.roles import Role
    from famplan.common.xlsx import write_xlsx
    from famplan.orgunits.models import Level, OrgUnit
    from famplan.orgunits.services import divisions_import
    from famplan.registry.models import Household, Person
    from famplan.transfer.imports import import_table
    from famplan.transfer.imports.framework import IMPORT_TYPES as RECORD_TYPES

    divisions_import(FIXTURE, source_name=FIXTURE.name)
    admin = User.objects.create(username="bench", org_unit_id="620422", role=Role.COUNTY_ADMIN)
    villages = list(
        OrgUnit.objects.filter(level=Level.VILLAGE).order_by("code").values_list("code", flat=True)
    )
    started = time.perf_counter()
    content = write_xlsx([(h, 12) for h in HEADER], make_rows(villages, count), "人员")
    print(f"  file: {count:,} rows, {len(content) / 1e6:.1f} MB, made in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip

    marks: dict[str, float] = {}

    cpu_marks: dict[str, float] = {}

    def progress(percent: float, message: str = "") -> None:
        if percent >= 75 and "write" not in marks:
            marks["write"] = time.perf_counter()
            cpu_marks["write"] = time.process_time()

    started, cpu_started = time.perf_counter(), time.process_time()
    result = import_table(
        content=content,
        filename="人员.xlsx",
        record_type=RECORD_TYPES["persons"],
        actor=admin,
        progress=progress,
    )
    ended, cpu_ended = time.perf_counter(), time.process_time()
    validate, write = marks["write"] - started, ended - marks["write"]
    # CPU seconds of this process: what a loaded machine's wall clock hides.
    cpu_validate, cpu_write = cpu_marks["write"] - cpu_started, cpu_ended - cpu_marks["write"]
    total = ended - started
    print(f"  validate: {validate:.2f} s ({count / validate:,.0f} rows/s)")
    print(f"  write:    {write:.2f} s ({count / write:,.0f} rows/s)")
    print(f"  total:    {total:.2f} s ({count / total:,.0f} rows/s)  counts {result.counts}")
    print(
        f"  cpu:      validate {cpu_validate:.2f} s + write {cpu_write:.2f} s = "
        f"{cpu_validate + cpu_write:.2f} s ({count / (cpu_validate + cpu_write):,.0f} rows/s)"
    )
    print(f"  stored: {Person.objects.count():,} people, {Household.objects.count():,} households")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        run(int(sys.argv[2]))
        return 0
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as var_dir:
        env = {**os.environ, "FAMPLAN_ENV": "development", "FAMPLAN_VAR_DIR": var_dir}
        env.pop("DATABASE_URL", None)
        print("SQLite (fresh file, WAL)")
        return subprocess.call([sys.executable, __file__, "--child", str(count)], env=env)


if __name__ == "__main__":
    sys.exit(main())
