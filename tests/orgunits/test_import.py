"""The division import: the Huining table goes in whole, bad tables not at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from famplan.audit.models import AuditEntry
from famplan.cli import main as famplan_main
from famplan.orgunits.models import Level, OrgUnit
from famplan.orgunits.services import DivisionImportError, divisions_import

HUINING = Path(__file__).parents[2] / "src/famplan/orgunits/fixtures/huining_620422_divisions.csv"
HEADER = "code,name,level,parent_code\n"
GOOD = [
    "620422,会宁县,county,6204",
    "620422100,会师镇,township,620422",
    "620422100001,东山根社区居民委员会,village,620422100",
]


def write_csv(tmp_path: Path, lines: list[str], name: str = "units.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_errors(tmp_path: Path, lines: list[str]) -> list[tuple[int, str]]:
    with pytest.raises(DivisionImportError) as failure:
        divisions_import(write_csv(tmp_path, lines))
    return [(e.line, e.reason) for e in failure.value.errors]


def test_it_imports_the_huining_table(db):
    counts = divisions_import(HUINING, source_name="huining.csv")

    assert (counts.created, counts.updated, counts.unchanged) == (351, 0, 0)
    assert OrgUnit.objects.count() == 351
    assert OrgUnit.objects.filter(level=Level.TOWNSHIP).count() == 28
    assert OrgUnit.objects.filter(level=Level.VILLAGE).count() == 322
    county = OrgUnit.objects.get(code="620422")
    assert county.parent_id is None  # 6204 (白银市) is neither in the file nor stored
    assert OrgUnit.objects.get(code="620422100001").parent_id == "620422100"
    entry = AuditEntry.objects.get(action="orgunits.divisions.imported")
    assert entry.detail["created"] == 351
    assert entry.detail["source"] == "huining.csv"


def test_it_is_idempotent(db):
    divisions_import(HUINING)
    before = list(OrgUnit.objects.values_list("code", "name", "level", "parent_id"))

    counts = divisions_import(HUINING)

    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 351)
    assert list(OrgUnit.objects.values_list("code", "name", "level", "parent_id")) == before
    assert AuditEntry.objects.filter(action="orgunits.divisions.imported").count() == 2


def test_it_updates_renamed_units_and_keeps_existing_parents(db, tmp_path):
    OrgUnit.objects.create(code="6204", name="白银市", level=Level.CITY)
    divisions_import(write_csv(tmp_path, GOOD))
    assert OrgUnit.objects.get(code="620422").parent_id == "6204"

    renamed = [*GOOD[:2], "620422100001,东山根社区,village,620422100"]
    counts = divisions_import(write_csv(tmp_path, renamed))

    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 2)
    assert OrgUnit.objects.get(code="620422100001").name == "东山根社区"


def test_it_accepts_a_parent_already_in_the_database(units, tmp_path):
    counts = divisions_import(write_csv(tmp_path, ["620422100999,新村,village,620422100"]))

    assert counts.created == 1
    assert OrgUnit.objects.get(code="620422100999").parent_id == "620422100"


def test_it_reads_a_gbk_file_saved_by_excel(db, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + "\n".join(GOOD) + "\n").encode("gbk"))

    divisions_import(path)

    assert OrgUnit.objects.get(code="620422100").name == "会师镇"


@pytest.mark.parametrize(
    "bad_line,reason",
    [
        ("620422101,郭城驿镇,town,620422", "未知的级别“town”"),
        ("62042210,郭城驿镇,township,620422", "乡镇级区划代码应为 9 位，“62042210”为 8 位"),
        ("62042210x,郭城驿镇,township,620422", "区划代码“62042210x”含有非数字字符"),
        ("620422101, ,township,620422", "名称为空"),
        ("620422100,重复镇,township,620422", "区划代码 620422100 与第 3 行重复"),
        ("620423101,郭城驿镇,township,620422", "区划代码 620423101 不以上级代码 620422 开头"),
        ("620422101201,八百户村,village,620422101", "上级区划 620422101 既不在文件中"),
        ("620422100201,南十里铺村,village,620422", "上级区划 620422 的级别为县，村(居)级"),
        ("620422100201,南十里铺村,village,", "上级代码为空"),
        ("620422100201,南十里铺村", "应有 4 列，实际为 2 列"),
    ],
)
def test_it_rejects_each_kind_of_bad_row_with_its_line(db, tmp_path, bad_line, reason):
    errors = import_errors(tmp_path, [*GOOD, bad_line])

    assert len(errors) == 1, errors
    line, message = errors[0]
    assert line == 5  # header is line 1, so the fourth data row is line 5
    assert reason in message


def test_it_reports_every_bad_line_and_writes_nothing(units, tmp_path):
    before = OrgUnit.objects.count()
    lines = [
        *GOOD,
        "620422102,,township,620422",
        "620422103,河畔镇,township,620422",
        "620422103001,x村,hamlet,620422103",
        "620422104,x镇,township,620429",
    ]

    errors = import_errors(tmp_path, lines)

    assert [line for line, _ in errors] == [5, 7, 8]
    assert OrgUnit.objects.count() == before
    assert not OrgUnit.objects.filter(code="620422103").exists()
    assert not AuditEntry.objects.filter(action="orgunits.divisions.imported").exists()


def test_it_refuses_a_wrong_header(db, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("代码,名称\n62,甘肃省\n", encoding="utf-8")

    with pytest.raises(DivisionImportError) as failure:
        divisions_import(path)

    assert failure.value.errors[0].line == 1
    assert "表头应为 code,name,level,parent_code" in failure.value.message


def test_it_refuses_a_file_with_no_rows(db, tmp_path):
    with pytest.raises(DivisionImportError, match="文件中没有任何区划数据"):
        divisions_import(write_csv(tmp_path, []))


def test_it_keeps_a_web_import_within_the_users_subtree(units, tmp_path):
    lines = ["620422102,河畔镇,township,620422", "620423100,别县镇,township,620423"]

    with pytest.raises(DivisionImportError) as failure:
        divisions_import(write_csv(tmp_path, lines), within="620422")

    # Line 3 is outside the subtree, and its county 620423 exists nowhere either.
    assert [(e.line, e.field) for e in failure.value.errors] == [(3, "code"), (3, "parent_code")]
    assert "不在本单位（620422）辖区内" in failure.value.errors[0].reason


def test_it_refuses_villages_whose_township_exists_nowhere(units, tmp_path):
    # Only county-level rows and above may hang below a unit famplan does not have.
    lines = ["620422100990,新村,village,620422100", "620422999001,无上级村,village,620422999"]

    with pytest.raises(DivisionImportError) as failure:
        divisions_import(write_csv(tmp_path, lines))

    assert [(e.line, e.field) for e in failure.value.errors] == [(3, "parent_code")]
    assert "既不在文件中，也不在系统中" in failure.value.errors[0].reason


def test_it_prints_counts_from_the_command(db, capsys):
    call_command("import_divisions", str(HUINING))

    out = capsys.readouterr().out
    assert "新增 351" in out
    assert "351 created" in out


def test_it_exits_non_zero_and_prints_every_bad_line(db, tmp_path, capsys, monkeypatch):
    # run_from_argv closes every connection when it ends, the test's own included.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    path = write_csv(tmp_path, [*GOOD, "620422101,,township,620422", "62042210,x,township,620422"])

    with pytest.raises(SystemExit) as leaving:
        famplan_main(["famplan", "import-divisions", str(path)])

    assert leaving.value.code != 0
    err = capsys.readouterr().err
    assert "第 5 行：名称为空" in err
    assert "第 6 行：乡镇级区划代码应为 9 位" in err
    assert "2 行有错误，未导入任何数据" in err
    assert OrgUnit.objects.count() == 0


def test_it_refuses_a_missing_file_from_the_command(db, tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_divisions", str(tmp_path / "none.csv"))
