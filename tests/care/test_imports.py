"""Importing visit logs (走访记录) from .xlsx: a good file writes every visit with its
audit row and the responsibility it fulfils, a bad file is reported by row and column
with nothing written, a file imported twice adds nothing, and the visit form's service
and the import record the same visit (parity)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from famplan.audit.models import AuditEntry
from famplan.care import services
from famplan.care.models import TargetKind, TeamRole, Visit
from famplan.care.selectors import unvisited
from famplan.common.dates import today
from tests.care.conftest import OTHER, SECOND, VILLAGE, contact, household
from tests.registry.event_parity import rolled_back
from tests.transfer.test_imports import errors_of, fail, run

pytestmark = pytest.mark.django_db

HEADER = [
    "对象类型",
    "村(居)",
    "户号",
    "家庭成员身份证号",
    "走访日期",
    "走访人",
    "走访内容",
    "下一步",
]
DAY = today() - timedelta(days=2)


def row(kind="特殊家庭", village=VILLAGE, number="", member="", day=DAY, visitor="",
        content="了解生活情况", next_step=""):  # fmt: skip
    return [kind, village, number, member, day, visitor, content, next_step]


def visit_fields() -> list[tuple]:
    return list(
        Visit.objects.order_by("pk").values_list(
            "unit_id", "target_kind", "household_id", "family_id", "assignment_id",
            "visited_on", "visitor_name", "content", "next_step",
        )
    )  # fmt: skip


def test_it_imports_family_household_and_village_visits(township_clerk, family):
    doctor = contact(township_clerk, family, name="王村医")
    home = household(VILLAGE, "H7")
    services.assignment_create(
        actor=township_clerk, target_kind=TargetKind.HOUSEHOLD, household=home,
        role=TeamRole.VILLAGE_DOCTOR, name="李干部", phone="13912345678",
        starts_on=today() - timedelta(days=30),
    )  # fmt: skip
    result = run(
        township_clerk,
        "care_visits",
        [
            HEADER,
            row(member=family.child.id_number, visitor="王村医", next_step="下月复访"),
            row("包户", number="H7", visitor="李干部"),
            row("村", village="南嘴村", visitor="张书记", content="包村走访"),
        ],
    )
    assert result.counts == {"visits": 3}
    visits = list(Visit.objects.order_by("pk"))
    assert visits[0].family == family and visits[0].assignment == doctor
    assert visits[0].next_step == "下月复访"
    assert visits[1].household == home and visits[1].assignment.name == "李干部"
    assert (visits[2].unit_id, visits[2].assignment) == (SECOND, None)
    rows = AuditEntry.objects.filter(action="care.visit.recorded")
    assert rows.count() == 3 and all(r.detail["via"] == "import" for r in rows)
    # the responsibility the family visit fulfils is no longer "without a visit"
    assert doctor not in unvisited(township_clerk, today().replace(day=1))


def test_it_reports_every_bad_row_and_writes_nothing(township_clerk, family, other_family):
    failure = fail(
        township_clerk,
        "care_visits",
        [
            HEADER,
            row(member=family.mother.id_number, day=today() + timedelta(days=1)),
            row("包户"),
            row("包户", number="H404"),
            row(member=other_family.mother.id_number),
            row("村", village=OTHER),
            row(member=family.father.id_number, content=""),
            row("家访", member=family.father.id_number),
        ],
    )
    assert errors_of(failure) == {
        (2, "走访日期", "日期不能晚于今天"),
        (3, "户号", "包户的走访须填写户号"),
        (4, "户号", "该村(居)没有户号为H404的户"),
        (5, "家庭成员身份证号", "该村(居)在册的计生特殊家庭中没有此身份证号的成员"),
        (6, "村(居)", f"村(居)“{OTHER}”不存在或不在您的管辖范围内"),
        (7, "走访内容", "必填项不能为空"),
        (8, "对象类型", "应为以下之一：包村、包户、特殊家庭"),
    }
    assert not Visit.objects.exists()
    assert not AuditEntry.objects.filter(action="care.visit.recorded").exists()


def test_a_file_imported_twice_adds_nothing(township_clerk, family):
    file = [HEADER, row(member=family.mother.id_number, visitor="王村医")]
    run(township_clerk, "care_visits", file)
    failure = fail(township_clerk, "care_visits", file)
    assert errors_of(failure) == {(2, "走访日期", "王村医该日对该对象的走访已登记")}
    again = row(member=family.father.id_number, visitor="李医生")  # the same family
    failure = fail(township_clerk, "care_visits", [HEADER, again, again])
    assert errors_of(failure) == {(3, "走访日期", "与第 2 行是同一次走访")}
    assert Visit.objects.count() == 1


def test_the_form_and_the_import_record_the_same_visit(township_clerk, family):
    contact(township_clerk, family, name="王村医")
    assignment = family.assignments.get()

    def by_form():
        services.visit_record(
            actor=township_clerk, target_kind=TargetKind.FAMILY, family=family,
            visited_on=DAY, content="了解生活情况", visitor_name="王村医",
            next_step="下月复访", assignment=assignment,
        )  # fmt: skip

    def by_file():
        line = row(member=family.mother.id_number, visitor="王村医", next_step="下月复访")
        run(township_clerk, "care_visits", [HEADER, line])

    assert rolled_back(by_form, visit_fields) == rolled_back(by_file, visit_fields)


def test_it_refuses_a_user_who_may_not_log_visits(auditor, family):
    failure = fail(auditor, "care_visits", [HEADER, row(member=family.mother.id_number)])
    assert "您没有登记走访的权限" in {e.reason for e in failure.errors}
    assert not Visit.objects.exists()


def test_the_visit_list_links_to_the_import_and_its_template(clerk_client, family):
    page = clerk_client.get("/care/visits/").content.decode()
    assert "/transfer/?type=care_visits" in page
    response = clerk_client.get("/transfer/template/care_visits/")
    assert response.status_code == 200
    from io import BytesIO

    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(BytesIO(response.content)).get_sheet_by_index(0)
    assert sheet.to_python()[0][: len(HEADER)] == HEADER


def test_the_form_and_the_import_refuse_alike(township_clerk, family):
    from datetime import date

    from famplan.registry.services.errors import FieldError

    early = date(1999, 12, 31)  # before the register's first day
    with pytest.raises(FieldError) as refused:
        services.visit_record(
            actor=township_clerk, target_kind=TargetKind.FAMILY, family=family,
            visited_on=early, content="了解生活情况",
        )  # fmt: skip
    failure = fail(township_clerk, "care_visits", [HEADER, row(member=family.mother.id_number,
                                                                   day=early)])  # fmt: skip
    assert errors_of(failure) == {(2, "走访日期", refused.value.message)}
    assert not Visit.objects.exists()
