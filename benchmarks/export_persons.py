"""Benchmark: export 100,000 people to .xlsx with the shared writer (common.xlsx).

    uv run python benchmarks/export_persons.py [ROWS]

Fills a fresh SQLite database (temporary FAMPLAN_VAR_DIR) through the persons import,
then times an export of every person, 11 columns with Chinese labels and masked ID
numbers, as a list export does: the query streamed with iterator(), rows handed to
write_xlsx lazily. Prints the query+write seconds and reads the file back with
python-calamine to check it.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

COLUMNS = [
    ("姓名", 10), ("身份证号", 22), ("性别", 6), ("出生日期", 12), ("民族", 8),
    ("户口性质", 10), ("村(居)", 16), ("户号", 18), ("与户主关系", 10), ("婚姻状况", 10),
    ("登记日期", 12),
]  # fmt: skip


def run(count: int) -> None:
    import django
    import import_persons
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "famplan.settings")
    django.setup()
    call_command("migrate", verbosity=0)

    from python_calamine import CalamineWorkbook

    from famplan.accounts.models import User
    from famplan.accounts.roles import Role
    from famplan.common.idnumbers import mask_id_number
    from famplan.common.xlsx import write_xlsx
    from famplan.orgunits.models import Level, OrgUnit
    from famplan.orgunits.services import divisions_import
    from famplan.registry.models import HukouType, MaritalStatus, Person, Relation, Sex
    from famplan.transfer.imports import import_table
    from famplan.transfer.imports.framework import IMPORT_TYPES as RECORD_TYPES

    divisions_import(import_persons.FIXTURE, source_name="fixture")
    admin = User.objects.create(username="bench", org_unit_id="620422", role=Role.COUNTY_ADMIN)
    villages = dict(OrgUnit.objects.filter(level=Level.VILLAGE).values_list("code", "name"))
    content = write_xlsx(
        [(h, 12) for h in import_persons.HEADER],
        import_persons.make_rows(sorted(villages), count),
        "人员",
    )
    import_table(
        content=content, filename="人员.xlsx", record_type=RECORD_TYPES["persons"], actor=admin
    )
    labels = {
        "sex": dict(Sex.choices),
        "hukou": dict(HukouType.choices),
        "relation": dict(Relation.choices),
        "marital": dict(MaritalStatus.choices),
    }

    def rows():
        people = Person.objects.order_by("unit_id", "id").values_list(
            "name", "id_number", "sex", "birth_date", "ethnicity", "hukou_type", "unit_id",
            "household__number", "relation_to_head", "marital_status", "registered_on",
        )  # fmt: skip
        for (
            name,
            id_no,
            sex,
            born,
            eth,
            hukou,
            unit,
            number,
            rel,
            marital,
            registered,
        ) in people.iterator(chunk_size=5000):
            yield (
                name, mask_id_number(id_no), labels["sex"][sex], born, eth,
                labels["hukou"].get(hukou, ""), villages.get(unit, unit), number,
                labels["relation"].get(rel, ""), labels["marital"].get(marital, ""), registered,
            )  # fmt: skip

    started = time.perf_counter()
    listed = list(rows())
    query = time.perf_counter() - started
    started = time.perf_counter()
    workbook = write_xlsx(COLUMNS, listed, "人员信息")
    write = time.perf_counter() - started
    started = time.perf_counter()
    streamed = write_xlsx(COLUMNS, rows(), "人员信息")
    both = time.perf_counter() - started
    print(f"  query + labels: {query:.2f} s for {len(listed):,} people")
    print(f"  write_xlsx:     {write:.2f} s ({len(workbook) / 1e6:.1f} MB)")
    print(f"  streamed query + write: {both:.2f} s")
    back = CalamineWorkbook.from_filelike(io.BytesIO(streamed)).get_sheet_by_index(0).to_python()
    assert len(back) == count + 1 and back[0] == [title for title, _ in COLUMNS]
    print(f"  read back with calamine: {len(back) - 1:,} rows")


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
