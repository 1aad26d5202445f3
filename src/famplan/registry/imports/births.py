"""Import of births (出生): the child joins the register with the mother, orders continue.

The rules and side effects are the registry's own (registry.services.births), the
same birth_record runs: the facts of every row are loaded in bulk, birth_problems
checks each row (its refusals land on the columns), births_write writes them all."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from famplan.registry.imports._shared import (
    NOT_IN_SCOPE,
    SEX,
    VIA,
    RegistryImport,
    id_column,
    people_in_scope,
    report_taken_id,
)
from famplan.registry.models import BirthPlace, Sex
from famplan.registry.services.births import (
    BirthData,
    NewBirth,
    RecordedBirth,
    birth_problems,
    births_write,
    normalize_certificate_number,
    recorded_births,
    taken_certificate_numbers,
)
from famplan.registry.services.checks import id_number_holders
from famplan.transfer.imports.columns import (
    CellInvalid,
    Cleaner,
    Column,
    as_text,
    choice,
    integer,
    text,
)
from famplan.transfer.imports.columns import date as date_cell
from famplan.transfer.imports.framework import (
    ImportContext,
    Row,
    import_type,
    report_duplicates,
)

_YES = {"是", "Y", "YES", "1", "TRUE", "√", "多胞胎", "双胞胎"}
_NO = {"否", "N", "NO", "0", "FALSE"}


def yes_no() -> Cleaner:
    """是/否 (Excel's TRUE/FALSE and 1/0 too)."""

    def clean(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        raw = as_text(value).upper()
        if raw in _YES:
            return True
        if raw in _NO:
            return False
        raise CellInvalid("应为“是”或“否”")

    clean.allowed = "是、否"
    return clean


@import_type
class BirthImport(RegistryImport):
    key = "births"
    label = "出生"
    description = (
        "新生儿随母亲入户（母亲须在人口库中），孩次按夫妇已登记子女的最高孩次自动接续；"
        "同一母亲同日出生的双胞胎、多胞胎请在“多胞胎”列填“是”。"
    )
    columns = [
        Column("婴儿姓名", "child_name", True, text(50), sample="王小明"),
        Column("性别", "sex", True, SEX, sample="男", width=8),
        Column("出生日期", "born_on", True, date_cell(), "不能晚于今天", width=12),
        id_column("母亲身份证号", "mother_id", True, "母亲须已在人口库中且在您的管辖范围内"),
        id_column("父亲身份证号", "father_id", False, "可留空；填写时父亲须已在人口库中"),
        Column("出生地点", "place_type", True, choice(BirthPlace.choices), sample="医院"),
        Column("助产机构", "facility", False, text(100), sample="会宁县人民医院", width=20),
        Column(
            "出生体重(克)",
            "weight_g",
            False,
            integer(300, 7000, "出生体重应在300至7000克之间"),
            sample=3200,
            empty=None,
        ),
        id_column("婴儿身份证号", "child_id", False, "已办理身份证号的可填写"),
        Column(
            "出生医学证明编号",
            "certificate",
            False,
            text(20),
            "字母加数字，如 Q620012345；可留空",
            width=16,
            as_text=True,
            empty=None,
        ),
        Column(
            "多胞胎",
            "multiple",
            False,
            yes_no(),
            "同一母亲同日出生的双胞胎、多胞胎填“是”，其余可留空",
            sample="否",
            width=8,
            empty=False,
        ),
    ]
    # The service's field names -> this file's columns.
    FIELDS = {
        "child_name": "child_name",
        "child_id_number": "child_id",
        "sex": "sex",
        "born_on": "born_on",
        "mother": "mother_id",
        "father": "father_id",
        "weight_g": "weight_g",
        "medical_certificate_number": "certificate",
        "multiple": "multiple",
    }
    CORE = ("child_name", "sex", "born_on", "child_id", "weight_g", "certificate", "multiple")

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        report_duplicates(rows, ctx, "child_id", "婴儿身份证号与第 {first} 行重复")
        for row in rows:
            if row["certificate"] and row.ok("certificate"):
                row.values["certificate"] = normalize_certificate_number(row["certificate"])
        report_duplicates(rows, ctx, "certificate", "出生医学证明编号与第 {first} 行重复")
        holders = id_number_holders(r["child_id"] for r in rows if r.ok("child_id"))
        certificates = taken_certificate_numbers(r["certificate"] for r in rows)
        people = people_in_scope(
            ctx, [r["mother_id"] for r in rows] + [r["father_id"] for r in rows]
        )
        siblings: dict[int, list[RecordedBirth]] = defaultdict(list)
        siblings.update(recorded_births(p["pk"] for p in people.values() if p["sex"] == Sex.FEMALE))
        births: list[NewBirth] = []
        for row in rows:
            report_taken_id(row, ctx, "child_id", holders, f"身份证号{row['child_id']}已登记")
            mother = father = None
            if row["mother_id"] and row.ok("mother_id"):
                mother = people.get(row["mother_id"])
                if mother is None:
                    ctx.error(row, "mother_id", f"母亲身份证号{NOT_IN_SCOPE}")
            if row["father_id"] and row.ok("father_id"):
                father = people.get(row["father_id"])
                if father is None:
                    ctx.error(row, "father_id", f"父亲身份证号{NOT_IN_SCOPE}")
            if not row.ok(*self.CORE):
                continue
            data = BirthData(
                child_name=row["child_name"],
                sex=row["sex"],
                born_on=row["born_on"],
                place_type=row["place_type"],
                facility=row["facility"],
                weight_g=row["weight_g"],
                child_id_number=row["child_id"],
                medical_certificate_number=row["certificate"],
                multiple=row["multiple"],
            )
            mine = siblings[mother["pk"]] if mother is not None else []
            problems = birth_problems(
                data, mother=mother, father=father, siblings=mine, certificates_taken=certificates
            )
            for problem in problems:
                ctx.error(row, self.FIELDS.get(problem.field, problem.field), problem.message)
            if mother is not None:
                # Later rows of the file see this one as recorded (duplicates in a file).
                mine.append(
                    RecordedBirth(None, mother["pk"], None, data.born_on, 0, data.child_name,
                                  data.sex, row=row.number)
                )  # fmt: skip
                births.append(NewBirth(data, mother, father))
        ctx.state["births"] = births

    def write(self, rows: list[Row], ctx: ImportContext) -> dict[str, int]:
        births = ctx.state["births"]
        births_write(actor=ctx.actor, births=births, detail=VIA)
        return {"births": len(births)}
