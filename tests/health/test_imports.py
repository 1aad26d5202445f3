"""Importing pre-pregnancy checks and folic acid issues from .xlsx: a good file writes
everything with its audit rows, every bad cell is reported and nothing is written, and
the form's service and the import agree (parity) on records and refusals."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from famplan.audit.models import AuditEntry
from famplan.common.dates import today
from famplan.health.imports._shared import risk_factors
from famplan.health.models import FolicAcidIssue, FollowUp, PrePregnancyCheck, RiskFactor
from famplan.health.people import PersonRef
from famplan.health.services import CheckData, FolicData, check_record, folic_issue_record
from famplan.registry.services.errors import FieldError
from famplan.transfer.imports.columns import CellInvalid
from famplan.transfer.imports.framework import IMPORT_TYPES
from tests.health.conftest import VILLAGE
from tests.registry.event_parity import rolled_back
from tests.transfer.test_imports import errors_of, fail, run

pytestmark = pytest.mark.django_db

CHECK_HEADER = [
    *("女方身份证号", "女方姓名", "女方村(居)", "男方身份证号", "男方姓名", "男方村(居)"),
    *("检查日期", "检查机构", "风险评估", "风险因素", "咨询指导意见"),
]
FOLIC_HEADER = ["服用人身份证号", "服用人姓名", "服用人村(居)", "发放日期", "数量", "单位", "备注"]


def check_row(wife_id="", wife_name="", village="", husband_id="", **kw) -> list:
    return [
        wife_id, wife_name, village, husband_id, "", "",
        kw.get("day", today() - timedelta(days=3)), kw.get("facility", "会宁县妇幼保健院"),
        kw.get("risk", "低风险"), kw.get("factors", ""), kw.get("advice", ""),
    ]  # fmt: skip


def test_it_imports_checks_with_their_follow_ups_and_audit_rows(township_clerk, couple):
    result = run(
        township_clerk,
        "health_checks",
        [
            CHECK_HEADER,
            check_row(couple.wife.id_number, risk="高风险", factors="高龄、贫血"),
            check_row("", "王芳", "东关社区", day=today() - timedelta(days=100)),
        ],
    )
    assert result.counts == {"checks": 2}
    checks = list(PrePregnancyCheck.objects.order_by("checked_on"))
    assert [c.husband_id for c in checks] == [couple.husband.pk] * 2
    assert checks[1].risk_factors == ["advanced_age", "anemia"]
    assert FollowUp.objects.count() == 4
    assert AuditEntry.objects.filter(action="health.check.recorded").count() == 2
    assert AuditEntry.objects.get(action="transfer.import.completed").detail["checks"] == 2


def test_it_reports_every_bad_cell_and_writes_nothing(township_clerk, other_couple, couple):
    failure = fail(
        township_clerk,
        "health_checks",
        [
            CHECK_HEADER,
            check_row(other_couple.wife.id_number),
            check_row("", "王芳", ""),
            check_row(couple.wife.id_number, risk="中风险"),
            check_row(couple.wife.id_number, risk="高风险"),
            check_row(couple.wife.id_number, factors="头疼"),
            check_row(couple.wife.id_number, day=today() + timedelta(days=1)),
            check_row("", "王芳", "不存在村"),
        ],
    )
    assert errors_of(failure) == {
        (2, "女方身份证号", "女方身份证号在人口库中不存在或不在您的管辖范围内"),
        (3, "女方身份证号", "请填写女方身份证号，或女方姓名和女方村(居)"),
        (4, "风险评估", "应为以下之一：低风险、高风险"),
        (5, "风险因素", "高风险须选择至少一项风险因素"),
        (6, "风险因素", "无法识别的风险因素：头疼（见说明中的可选项）"),
        (7, "检查日期", "日期不能晚于今天"),
        (8, "女方村(居)", "村(居)“不存在村”不存在或不在您的管辖范围内"),
    }
    assert not PrePregnancyCheck.objects.exists() and not FollowUp.objects.exists()


def test_it_refuses_a_repeat_within_the_file(township_clerk, couple):
    day = today() - timedelta(days=3)
    failure = fail(
        township_clerk,
        "health_checks",
        [
            CHECK_HEADER,
            check_row(couple.wife.id_number, day=day),
            check_row("", "王芳", VILLAGE, day=day),
        ],
    )
    assert errors_of(failure) == {
        (3, "检查日期", f"女方在 {day:%Y-%m-%d} 已有孕前优生健康检查记录"),
    }


def test_a_village_worker_cannot_import_checks(village_worker, couple):
    failure = fail(
        village_worker, "health_checks", [CHECK_HEADER, check_row(couple.wife.id_number)]
    )
    assert [e.reason for e in failure.errors] == ["您没有登记孕前优生健康检查的权限"]


def test_it_imports_folic_acid_issues(township_clerk, couple):
    result = run(
        township_clerk,
        "health_folic",
        [
            FOLIC_HEADER,
            [couple.wife.id_number, "", "", today(), 2, "瓶", ""],
            ["", "王芳", VILLAGE, today() - timedelta(days=30), 60, "片", "首次"],
        ],
    )
    assert result.counts == {"folic_issues": 2}
    assert AuditEntry.objects.filter(action="health.folic_issue.recorded").count() == 2
    failure = fail(
        township_clerk,
        "health_folic",
        [
            FOLIC_HEADER,
            [couple.husband.id_number, "", "", today(), 2, "瓶", ""],
            [couple.wife.id_number, "", "", today(), 9, "瓶", ""],
            [couple.wife.id_number, "", "", today(), 2, "盒", ""],
        ],
    )
    assert errors_of(failure) == {
        (2, "服用人身份证号", "叶酸发放对象应为女性，请核对身份证号"),
        (3, "数量", "数量应在1至6瓶之间（一次最多发放6个月用量）"),
        (4, "单位", "应为以下之一：瓶、片"),
    }
    assert FolicAcidIssue.objects.count() == 2


# --- parity: the form's service and the import ---------------------------------------


def _check_snapshot() -> dict:
    return {
        "checks": list(
            PrePregnancyCheck.objects.values(
                "unit_id",
                "wife_id",
                "husband_id",
                "checked_on",
                "facility",
                "risk_level",
                "risk_factors",
                "advice",
                "entered_by_id",
            )
        ),
        "followups": sorted(
            FollowUp.objects.values_list("unit_id", "kind", "opens_on", "due_on", "status")
        ),
        "audit": Counter(
            AuditEntry.objects.exclude(action="transfer.import.completed").values_list(
                "action", "target_type", "org_unit_id"
            )
        ),
    }


def _service_refusal(call, fields: dict, record_type: str) -> set:
    with pytest.raises(FieldError) as caught:
        with transaction.atomic():
            call()
    columns = {c.field: c.header for c in IMPORT_TYPES[record_type].columns}
    field = fields.get(caught.value.field, caught.value.field)
    return {(columns.get(field, ""), caught.value.message)}


def _import_refusals(actor, record_type: str, rows: list) -> set:
    with transaction.atomic():
        failure = fail(actor, record_type, rows)
    return {(e.header, e.reason) for e in failure.errors}


def test_parity_a_check_by_form_and_by_file(township_clerk, couple):
    day = today() - timedelta(days=20)
    data = CheckData(
        wife=PersonRef(name="王芳", village=VILLAGE),
        husband=PersonRef(),
        checked_on=day,
        facility="会宁县妇幼保健院",
        risk_level="high",
        risk_factors=["anemia", "advanced_age"],
        advice="补铁",
    )
    by_form = rolled_back(lambda: check_record(actor=township_clerk, data=data), _check_snapshot)
    row = check_row(
        "", "王芳", VILLAGE, day=day, risk="高风险", factors="贫血、高龄", advice="补铁"
    )
    by_file = rolled_back(
        lambda: run(township_clerk, "health_checks", [CHECK_HEADER, row]), _check_snapshot
    )
    assert by_form == by_file and by_form["checks"]


@pytest.mark.parametrize(
    ("extra", "cells"),
    [
        ({"risk_level": "high"}, {"risk": "高风险"}),
        ({"wife": PersonRef("620422199001010000")}, {}),
        ({"advice": "意" * 501}, {"advice": "意" * 501}),
    ],
)
def test_parity_the_same_refusals_in_the_same_words(township_clerk, couple, extra, cells):
    day = today() - timedelta(days=20)
    values = {
        "wife": PersonRef(couple.wife.id_number),
        "husband": PersonRef(couple.husband.id_number),
        "checked_on": day,
        "facility": "医院",
        "risk_level": "low",
    }
    data = CheckData(**{**values, **extra})
    by_form = _service_refusal(
        lambda: check_record(actor=township_clerk, data=data),
        {"wife": "wife_id", "husband": "husband_id"},
        "health_checks",
    )
    wife_id = extra["wife"].id_number if "wife" in extra else couple.wife.id_number
    row = check_row(wife_id, husband_id=couple.husband.id_number, day=day, facility="医院", **cells)
    by_file = _import_refusals(township_clerk, "health_checks", [CHECK_HEADER, row])
    if "wife" in extra:  # a wrong check digit: the cell's cleaner says it in its words
        assert by_file and all(header == "女方身份证号" for header, _ in by_file)
    elif "advice" in extra:  # the cell's cleaner and the service: the same limit
        assert {h for h, _ in by_file} == {h for h, _ in by_form} == {"咨询指导意见"}
    else:
        assert by_form == by_file


def _folic_snapshot() -> dict:
    return {
        "issues": list(
            FolicAcidIssue.objects.values(
                "unit_id",
                "woman_id",
                "issued_on",
                "quantity",
                "quantity_unit",
                "note",
                "entered_by_id",
            )
        ),
        "audit": Counter(
            AuditEntry.objects.exclude(action="transfer.import.completed").values_list(
                "action", "target_type", "org_unit_id"
            )
        ),
    }


def test_parity_a_folic_issue_by_form_and_by_file(township_clerk, couple):
    day = today() - timedelta(days=2)
    data = FolicData(PersonRef(couple.wife.id_number), day, 3, "bottle", "首次")
    by_form = rolled_back(
        lambda: folic_issue_record(actor=township_clerk, data=data), _folic_snapshot
    )
    row = [couple.wife.id_number, "", "", day, 3, "瓶", "首次"]
    by_file = rolled_back(
        lambda: run(township_clerk, "health_folic", [FOLIC_HEADER, row]), _folic_snapshot
    )
    assert by_form == by_file and by_form["issues"]
    bad = FolicData(PersonRef(couple.wife.id_number), day, 7, "bottle")
    refused = _service_refusal(
        lambda: folic_issue_record(actor=township_clerk, data=bad), {}, "health_folic"
    )
    file_refused = _import_refusals(
        township_clerk,
        "health_folic",
        [FOLIC_HEADER, [couple.wife.id_number, "", "", day, 7, "瓶", ""]],
    )
    assert refused == file_refused


# --- the risk factor cell: a parser of typed input -----------------------------------

LABELS = [label for _, label in RiskFactor.choices]


@given(
    st.lists(st.sampled_from(RiskFactor.values), max_size=6),
    st.sampled_from(["、", ",", "，", " ", "；", "/"]),
)
def test_risk_factors_reads_back_any_list_of_labels(codes, sep):
    labels = dict(RiskFactor.choices)
    cell = sep.join(labels[c] for c in codes)
    if not cell.strip():
        return
    order = {code: i for i, code in enumerate(RiskFactor.values)}
    assert risk_factors(cell) == sorted(set(codes), key=order.__getitem__)


@given(st.text(max_size=20))
def test_risk_factors_either_reads_or_says_what_it_cannot(cell):
    try:
        found = risk_factors(cell)
    except CellInvalid as exc:
        assert "无法识别的风险因素" in str(exc)
    else:
        assert set(found) <= set(RiskFactor.values)


def test_risk_factors_takes_short_names_full_width_brackets_and_codes():
    assert risk_factors("高龄（35岁及以上）, anemia;慢性病") == [
        "advanced_age",
        "chronic",
        "anemia",
    ]


def test_the_templates_download_and_an_upload_runs_as_a_job(
    clerk_client, couple, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.transfer.test_imports import xlsx_bytes

    for key in ("health_checks", "health_folic"):
        response = clerk_client.get(f"/transfer/template/{key}/")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = SimpleUploadedFile(
        "检查.xlsx", xlsx_bytes([CHECK_HEADER, check_row(couple.wife.id_number)])
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(
            "/transfer/upload/", {"record_type": "health_checks", "file": upload}
        )
    assert response.status_code == 302
    assert PrePregnancyCheck.objects.count() == 1
