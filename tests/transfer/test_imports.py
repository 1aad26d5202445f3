"""The import framework with the persons record type: reading, cleaning, every kind of
bad cell with its Excel row, column and Chinese reason, and all-or-nothing writes."""

from __future__ import annotations

import datetime as dt
import io
from itertools import count

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from famplan.audit.models import AuditEntry
from famplan.common.idnumbers import make_id_number
from famplan.registry.models import Household, Person, PersonStatus, Relation
from famplan.transfer.imports import ImportFailed, import_table
from famplan.transfer.imports.framework import IMPORT_TYPES as RECORD_TYPES
from famplan.transfer.imports.report import error_report_xlsx

_seq = count(100)


def new_id(born: dt.date = dt.date(1990, 5, 17), sex: str = "F") -> str:
    return make_id_number("620422", born, next(_seq) % 500, sex)


def xlsx_bytes(rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False})
    sheet = book.add_worksheet("人员")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def run(actor, record_type: str, rows: list[list], filename: str = "导入.xlsx"):
    content = xlsx_bytes(rows) if filename.endswith(".xlsx") else rows
    return import_table(
        content=content, filename=filename, record_type=RECORD_TYPES[record_type], actor=actor
    )


def fail(actor, record_type: str, rows, filename: str = "导入.xlsx") -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        run(actor, record_type, rows, filename)
    return caught.value


def errors_of(failure: ImportFailed) -> set[tuple[int, str, str]]:
    return {(e.row, e.header, e.reason) for e in failure.errors}


PERSON_HEADER = [
    "姓名", "身份证号", "性别", "出生日期", "民族", "户口性质",
    "村(居)代码", "户号", "与户主关系", "婚姻状况", "联系电话", "登记日期",
]  # fmt: skip


def person_row(name="张秀英", sex="F", born=dt.date(1990, 5, 17), village="620422100001", **kw):
    values = {
        "姓名": name,
        "身份证号": kw.pop("id_number", None) or new_id(born, sex),
        "性别": {"F": "女", "M": "男"}[sex],
        "出生日期": born,
        "民族": "汉族",
        "户口性质": "农业",
        "村(居)代码": village,
        "户号": "",
        "与户主关系": "",
        "婚姻状况": "初婚",
        "联系电话": "13800000000",
        "登记日期": dt.date(2020, 1, 1),
    }
    values.update({k.replace("_", ""): v for k, v in kw.items()})
    return [values[h] for h in PERSON_HEADER]


@pytest.fixture
def clerk(township_clerk):
    return township_clerk


# --- good files ------------------------------------------------------------------------


def test_it_imports_persons_with_households_and_audit_rows(clerk):
    head = person_row("王建国", "M", dt.date(1965, 3, 2))
    head[7], head[8] = "H-001", "户主"
    wife = person_row("李桂兰", "F", dt.date(1967, 8, 9), village="东关社区")  # by name
    wife[7], wife[8] = "H-001", "配偶"
    loner = person_row("赵六", "M", dt.date(2000, 1, 1), village="620422100201")
    loner[1] = ""  # no ID number yet

    result = run(clerk, "persons", [PERSON_HEADER, head, wife, loner])

    assert result.rows == 3
    assert result.counts == {"people": 3, "households": 1}
    household = Household.objects.get(number="H-001")
    assert household.unit_id == "620422100001"
    assert household.head.name == "王建国"
    members = {p.name: p for p in household.members.all()}
    assert set(members) == {"王建国", "李桂兰"}
    assert members["李桂兰"].relation_to_head == Relation.SPOUSE
    assert members["李桂兰"].id_number == wife[1]
    assert members["李桂兰"].registered_on == dt.date(2020, 1, 1)
    assert members["李桂兰"].hukou_type == "rural"
    loner_person = Person.objects.get(name="赵六")
    assert loner_person.id_number is None and loner_person.unit_id == "620422100201"
    assert loner_person.status == PersonStatus.ACTIVE
    assert AuditEntry.objects.filter(action="registry.person.created").count() == 3
    assert AuditEntry.objects.filter(action="registry.household.created").count() == 1
    summary = AuditEntry.objects.get(action="transfer.import.completed")
    assert summary.user_id == clerk.pk
    assert summary.detail["rows"] == 3 and summary.detail["people"] == 3


def test_it_reads_columns_in_any_order_and_dates_in_common_forms(clerk):
    header = ["出生日期", "姓名", "性别", "村(居)代码", "身份证号"]
    born = dt.date(1988, 2, 29)
    rows = [header]
    for written in ["1988-02-29", "1988/2/29", "1988.2.29", "1988年2月29日", "19880229", 32202]:
        rows.append([written, "某人", "女", "620422100001", new_id(born, "F")])
    rows.append([born, "某人", "女", 620422100001, new_id(born, "F")])  # numeric code cell
    result = run(clerk, "persons", rows)
    assert result.rows == 7
    assert set(Person.objects.values_list("birth_date", flat=True)) == {born}


def test_it_reads_csv_in_gb18030_and_utf8_with_bom(clerk):
    born = dt.date(1992, 7, 1)
    lines = [
        "姓名,身份证号,性别,出生日期,村(居)代码",
        f"钱七,{new_id(born, 'M')},男,1992-07-01,南嘴村",
    ]
    text = "\r\n".join(lines) + "\r\n"
    run(clerk, "persons", text.encode("gb18030"), "人员.csv")
    lines[1] = f"孙八,{new_id(born, 'M')},男,1992/7/1,620422100201"
    run(clerk, "persons", ("\ufeff" + "\n".join(lines)).encode("utf-8"), "人员.csv")
    assert set(Person.objects.values_list("name", "unit_id")) == {
        ("钱七", "620422100201"),
        ("孙八", "620422100201"),
    }


# --- bad cells ---------------------------------------------------------------------------


def test_it_reports_every_bad_cell_with_row_column_and_reason(clerk):
    good = person_row()
    bad_check = person_row()
    bad_check[1] = bad_check[1][:17] + ("0" if bad_check[1][17] != "0" else "1")
    sex_mismatch = person_row(sex="M")
    sex_mismatch[2] = "女"
    date_mismatch = person_row(born=dt.date(1991, 1, 1))
    date_mismatch[3] = dt.date(1991, 1, 2)
    no_name = person_row()
    no_name[0] = ""
    bad_choice = person_row()
    bad_choice[5] = "城市"
    bad_date = person_row()
    bad_date[11] = "去年"
    numeric_id = person_row()
    numeric_id[1] = 620422199005170021
    future = person_row()
    future[11] = dt.date.today() + dt.timedelta(days=3)
    before_birth = person_row(born=dt.date(1990, 5, 17))
    before_birth[11] = dt.date(1980, 1, 1)
    rows = [PERSON_HEADER, good, bad_check, sex_mismatch, date_mismatch, no_name, bad_choice,
            bad_date, numeric_id, future, before_birth]  # fmt: skip

    failure = fail(clerk, "persons", rows)

    assert errors_of(failure) == {
        (3, "身份证号", "身份证号校验位错误"),
        (4, "性别", "性别与身份证号不一致（第17位奇数为男，偶数为女）"),
        (5, "出生日期", "出生日期1991-01-02与身份证号中的1991-01-01不一致"),
        (6, "姓名", "必填项不能为空"),
        (7, "户口性质", "应为以下之一：农业、非农业"),
        (8, "登记日期", "日期格式无法识别，请填写如 2024-03-15 的日期"),
        (9, "身份证号", "身份证号被存成了数字，末几位已丢失；请把该列设为文本后重新填写"),
        (10, "登记日期", "日期不能晚于今天"),
        (11, "登记日期", "登记日期不能早于出生日期"),
    }
    assert Person.objects.count() == 0  # the good row 2 was not written either
    assert not AuditEntry.objects.filter(action="transfer.import.completed").exists()
    bad_value = next(e for e in failure.errors if e.row == 7)
    assert bad_value.value == "城市"


def test_it_reports_duplicates_in_the_file_and_in_the_registry(clerk):
    from tests.registry.factories import person

    existing = person(clerk, name="老住户")
    first = person_row()
    again = person_row(id_number=first[1])
    known = person_row(id_number=existing.id_number, born=existing.birth_date, sex="M")
    failure = fail(clerk, "persons", [PERSON_HEADER, first, again, known])
    assert errors_of(failure) == {
        (3, "身份证号", "身份证号与第 2 行重复"),
        (4, "身份证号", f"身份证号{existing.id_number}已登记"),
    }
    assert Person.objects.count() == 1


def test_it_reports_household_conflicts(clerk):
    head1 = person_row(household_number="H-9", relation_to_head="户主")
    head1[7], head1[8] = "H-9", "户主"
    head2 = person_row()
    head2[7], head2[8] = "H-9", "户主"
    elsewhere = person_row(village="620422100201")
    elsewhere[7] = "H-9"
    orphan_relation = person_row()
    orphan_relation[8] = "子女"
    failure = fail(clerk, "persons", [PERSON_HEADER, head1, head2, elsewhere, orphan_relation])
    assert errors_of(failure) == {
        (3, "与户主关系", "户号H-9在第 2 行已有户主"),
        (4, "户号", "同一户的成员应属于同一村(居)，与第 2 行不同"),
        (5, "与户主关系", "填写与户主关系时须同时填写户号"),
    }


def test_it_reports_missing_and_unknown_headers(clerk):
    failure = fail(clerk, "persons", [["姓名", "性别", "身份证", "出生日期"], ["张三", "男"]])
    assert errors_of(failure) == {
        (1, "身份证", "无法识别的列名"),
        (1, "村(居)代码", "缺少必填列"),
    }


def test_it_refuses_an_empty_file_and_a_header_only_file(clerk):
    assert errors_of(fail(clerk, "persons", [])) == {(1, "", "文件是空的")}
    only_header = fail(clerk, "persons", [PERSON_HEADER])
    assert errors_of(only_header) == {(2, "", "文件中没有数据行")}
    assert only_header.message == "文件中没有数据行，未导入任何数据。"


def test_it_reports_a_village_outside_the_jurisdiction(clerk):
    failure = fail(clerk, "persons", [PERSON_HEADER, person_row(village="620422101201")])
    assert errors_of(failure) == {
        (2, "村(居)代码", "村(居)“620422101201”不存在或不在您的管辖范围内")
    }


# --- the error report --------------------------------------------------------------------


def test_it_writes_an_error_report_with_red_cells_reasons_and_a_summary(clerk):
    from openpyxl import load_workbook

    bad = person_row()
    bad[5] = "城市"
    bad[3] = "昨天"
    rows = [PERSON_HEADER, person_row(), bad]
    failure = fail(clerk, "persons", rows)
    content = error_report_xlsx(failure, "人员.xlsx")

    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert book.sheet_names == ["错误行", "错误明细", "汇总"]
    table = book.get_sheet_by_name("错误行").to_python()
    assert table[0] == ["原行号", *PERSON_HEADER, "错误原因"]
    assert len(table) == 2  # only the bad row
    assert table[1][0] == 3
    assert table[1][1 + 5] == "城市"
    assert "户口性质：应为以下之一：农业、非农业" in table[1][-1]
    detail = book.get_sheet_by_name("错误明细").to_python()
    assert [3, "出生日期", "昨天"] == detail[1][:3]

    sheet = load_workbook(io.BytesIO(content))["错误行"]
    hukou_cell = sheet.cell(row=2, column=1 + 6)  # 户口性质, after 原行号
    assert hukou_cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert hukou_cell.comment is not None and "农业" in hukou_cell.comment.text
    assert not sheet.cell(row=2, column=2).fill.fgColor.rgb.endswith("FFC7CE")  # 姓名 is fine


def test_it_summarises_errors_by_column_and_kind_with_real_examples(clerk):
    rows = [
        PERSON_HEADER,
        person_row("甲", id_number="62042219900517"),  # 14 digits
        person_row("乙", id_number="6204221990051"),  # 13 digits
        person_row("丙", 出生日期="2023-02-30"),
        person_row("丁", 出生日期="2023-02-31"),
        person_row("戊", 出生日期="2022-04-31"),
        person_row("己", village="999999999999"),
    ]
    failure = fail(clerk, "persons", rows)
    content = error_report_xlsx(failure, "人员.xlsx")
    summary = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("汇总")
    table = summary.to_python()
    start = next(i for i, r in enumerate(table) if r[0] == "列")
    assert table[start] == ["列", "错误原因（示例）", "次数", "涉及行号"]
    groups = {(r[0], r[1]): (r[2], r[3]) for r in table[start + 1 :] if r[0]}
    # One group per column and kind, shown with the first real message, never "NN".
    assert groups[("身份证号", "身份证号应为18位，实际为14位")] == (2, "2、3")
    assert groups[("出生日期", "日期2023-02-30不存在")] == (3, "4、5、6")
    assert groups[("村(居)代码", "村(居)“999999999999”不存在或不在您的管辖范围内")] == (1, "7")
    text = " ".join(str(cell) for row in table for cell in row)
    assert "NN" not in text and "N位" not in text and "第 N" not in text
    # The most frequent kind comes first.
    assert table[start + 1][2] == max(count for count, _ in groups.values())


def test_it_digests_the_first_errors_for_the_job_page(clerk):
    from famplan.transfer.imports.report import error_digest

    rows = [PERSON_HEADER] + [person_row(f"人{n}", sex="M", 性别="未知") for n in range(60)]
    failure = fail(clerk, "persons", rows)
    digest = error_digest(failure)
    assert (digest["total"], digest["rows"], len(digest["first"])) == (60, 60, 50)
    assert digest["first"][0] == {"row": 2, "column": "性别", "reason": "应为以下之一：男、女"}
    assert digest["first"][-1]["row"] == 51
    assert error_digest(failure, limit=3)["first"][2]["row"] == 4
