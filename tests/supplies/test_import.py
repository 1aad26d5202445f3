"""The monthly issue counts import: a good file writes every row with its audit rows,
every bad cell is reported by row and column with nothing written, the form service
and the file agree (parity), and the month parser takes what people type."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from famplan.audit.models import AuditEntry
from famplan.common.dates import today
from famplan.jobs.models import Job
from famplan.registry.services.errors import FieldError
from famplan.supplies.imports.issues import IssueCountImport, parse_month
from famplan.supplies.models import Direction, StockMovement
from famplan.supplies.services import month_end
from famplan.transfer.imports import CellInvalid, ImportFailed, import_table
from tests.supplies.conftest import OTHER_VILLAGE, SECOND_VILLAGE, VILLAGE, deliver, issue, kind

HEADER = ["村(居)", "发放点", "月份", "药具", "数量", "备注"]


def _last_month() -> dt.date:
    return (today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def xlsx_bytes(rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False})
    sheet = book.add_worksheet("发放")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif value is not None:
                sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def run(actor, rows: list[list]):
    return import_table(
        content=xlsx_bytes([HEADER, *rows]),
        filename="发放.xlsx",
        record_type=IssueCountImport(),
        actor=actor,
    )


def fail(actor, rows: list[list]) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        run(actor, rows)
    return caught.value


def errors(failure: ImportFailed) -> set[tuple[int, str, str]]:
    return {(e.row, e.header, e.reason) for e in failure.errors}


@pytest.fixture
def stocked(township_clerk, points):
    """40 of each essential kind at 东关社区卫生室 and 南嘴村卫生室, since last month."""
    for point in (points.clinic, points.second):
        for code in ("condom_male", "oral_pill", "emergency_pill"):
            deliver(township_clerk, point, code, 40, on=_last_month())
    return points


@pytest.mark.django_db
def test_a_good_file_writes_every_row_with_its_audit_rows(township_clerk, stocked):
    month = f"{_last_month():%Y-%m}"
    result = run(
        township_clerk,
        [
            [VILLAGE, "东关社区卫生室", month, "男用避孕套", 30, ""],
            ["南嘴村", "南嘴村卫生室", month, "oral_pill", 12, "补录"],
        ],
    )
    assert result.rows == 2 and result.counts == {"supply_issues": 2}
    issues = StockMovement.objects.filter(direction=Direction.ISSUE).order_by("pk")
    assert [(m.unit_id, m.quantity, m.monthly) for m in issues] == [
        (VILLAGE, 30, True),
        (SECOND_VILLAGE, 12, True),
    ]
    assert {m.moved_on for m in issues} == {month_end(_last_month())}
    assert AuditEntry.objects.filter(action="supplies.issue.recorded").count() == 2
    assert AuditEntry.objects.filter(action="transfer.import.completed").count() == 1


@pytest.mark.django_db
def test_every_bad_cell_is_reported_and_nothing_is_written(township_clerk, stocked):
    month = f"{_last_month():%Y-%m}"
    failure = fail(
        township_clerk,
        [
            [VILLAGE, "东关社区卫生室", month, "男用避孕套", 30, ""],  # fine alone
            [VILLAGE, "东关社区卫生室", month, "男用避孕套", 5, ""],  # twice in the month
            [VILLAGE, "无此发放点", month, "男用避孕套", 5, ""],
            [OTHER_VILLAGE, "郭城村卫生室", month, "男用避孕套", 5, ""],
            [VILLAGE, "东关社区卫生室", "2026-13", "男用避孕套", 5, ""],
            [VILLAGE, "东关社区卫生室", month, "避孕药丸", 5, ""],
            [SECOND_VILLAGE, "南嘴村卫生室", month, "紧急避孕药", 41, ""],
            [VILLAGE, "东关社区卫生室", month, "短效口服避孕药", "十", ""],
        ],
    )
    found = errors(failure)
    assert (
        3,
        "月份",
        f"东关社区卫生室{_last_month().year}年{_last_month().month}月的男用避孕套月发放数已登记，不能重复登记",
    ) in found
    assert (4, "发放点", "该村(居)没有名为“无此发放点”的发放点") in found
    assert (5, "村(居)", f"村(居)“{OTHER_VILLAGE}”不存在或不在您的管辖范围内") in found
    assert (6, "月份", "月份13不存在") in found
    assert (7, "药具", "没有名为“避孕药丸”的药具种类") in found
    assert any(r == 8 and "南嘴村卫生室的紧急避孕药库存不足" in m for r, _, m in found)
    assert (9, "数量", "应为整数") in found
    assert len({r for r, _, _ in found}) == 7
    assert not StockMovement.objects.filter(direction=Direction.ISSUE).exists()


@pytest.mark.django_db
def test_a_village_worker_cannot_import_for_the_township_centre(village_worker, points):
    failure = fail(
        village_worker,
        [[VILLAGE, "会师镇计生服务站", f"{_last_month():%Y-%m}", "男用避孕套", 1, ""]],
    )
    assert errors(failure) == {(2, "发放点", "会师镇计生服务站由乡镇管理，请由乡镇专干录入")}


# --- parity: the form's service and the file, the same record and the same refusal ----


def _service(actor, point, code: str, quantity: int) -> tuple[str, object]:
    try:
        issue(actor, point, code, quantity, on=_last_month(), monthly=True)
    except FieldError as refusal:
        return "refused", refusal.message
    movement = StockMovement.objects.filter(direction=Direction.ISSUE).latest("pk")
    return "written", (movement.point_id, movement.kind_id, movement.moved_on, movement.quantity)


def _imported(actor, point, code: str, quantity: int) -> tuple[str, object]:
    row = [point.unit_id, point.name, f"{_last_month():%Y-%m}", kind(code).name, quantity, ""]
    try:
        run(actor, [row])
    except ImportFailed as failure:
        return "refused", failure.errors[0].reason
    movement = StockMovement.objects.filter(direction=Direction.ISSUE).latest("pk")
    return "written", (movement.point_id, movement.kind_id, movement.moved_on, movement.quantity)


@pytest.mark.django_db
@pytest.mark.parametrize("quantity", [1, 40, 41])
def test_the_form_service_and_the_import_agree(township_clerk, stocked, quantity):
    by_form = _service(township_clerk, stocked.clinic, "oral_pill", quantity)
    StockMovement.objects.filter(direction=Direction.ISSUE).delete()
    by_file = _imported(township_clerk, stocked.clinic, "oral_pill", quantity)
    assert by_form == by_file
    assert by_form[0] == ("written" if quantity <= 40 else "refused")


@pytest.mark.django_db
def test_they_agree_on_a_repeated_month_and_on_the_township_rule(
    township_clerk, village_worker, stocked
):
    issue(township_clerk, stocked.clinic, "condom_male", 5, on=_last_month(), monthly=True)
    assert _service(township_clerk, stocked.clinic, "condom_male", 5) == _imported(
        township_clerk, stocked.clinic, "condom_male", 5
    )
    assert _service(village_worker, stocked.centre, "condom_male", 1) == _imported(
        village_worker, stocked.centre, "condom_male", 1
    )


# --- the month parser ----------------------------------------------------------------

months = st.builds(dt.date, st.integers(2000, 2099), st.integers(1, 12), st.just(1))


@given(months, st.sampled_from(["{y}-{m:02d}", "{y}/{m}", "{y}.{m}", "{y}年{m}月", "{y}{m:02d}",
                                 "{y} 年 {m} 月", "{y}-{m:02d}-15", "{y}/{m}/1"]))  # fmt: skip
def test_it_reads_a_month_in_every_way_people_type_it(month, pattern):
    assert parse_month(pattern.format(y=month.year, m=month.month)) == month


@given(months, st.integers(1, 28))
def test_it_reads_excel_dates_and_numbers(month, day):
    assert parse_month(dt.datetime(month.year, month.month, day, 0, 0)) == month
    assert parse_month(float(f"{month.year}{month.month:02d}")) == month


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=12), st.integers(), st.floats(allow_nan=True)))
def test_anything_else_is_a_month_or_a_chinese_refusal(value):
    try:
        month = parse_month(value)
    except CellInvalid as refusal:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(refusal))
    else:
        assert month.day == 1 and month.year >= 2000


@pytest.mark.django_db
def test_the_template_and_the_upload_go_through_the_transfer_pages(
    clerk_client, stocked, django_capture_on_commit_callbacks
):
    template = clerk_client.get("/transfer/template/supply_issues/")
    assert template.status_code == 200
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    content = xlsx_bytes(
        [HEADER, [VILLAGE, "东关社区卫生室", f"{_last_month():%Y-%m}", "紧急避孕药", 9, ""]]
    )
    upload = io.BytesIO(content)
    upload.name = "发放.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(
            "/transfer/upload/", {"record_type": "supply_issues", "file": upload}
        )
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.status == "succeeded", job.message
    assert "药具月发放数 1" in job.message
    assert StockMovement.objects.filter(direction=Direction.ISSUE).get().quantity == 9
