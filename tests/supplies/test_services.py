"""The movement rules: stock never below zero, refusals in Chinese naming the point and
kind, who enters for which point, monthly counts; points and kinds."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from famplan.audit.models import AuditEntry
from famplan.common.dates import today
from famplan.common.errors import DomainError
from famplan.registry.services.errors import FieldError
from famplan.supplies.models import Direction, DistributionPoint, PlaceKind, StockMovement
from famplan.supplies.selectors import stock
from famplan.supplies.services import (
    available_on,
    kind_create,
    kind_update,
    month_end,
    movement_void,
    point_create,
    point_update,
)
from tests.supplies.conftest import OTHER_VILLAGE, VILLAGE, deliver, issue, kind

pytestmark = pytest.mark.django_db


def test_it_records_a_delivery_and_an_issue_with_their_audit_rows(village_worker, points):
    deliver(village_worker, points.clinic, "condom_male", 100)
    movement = issue(village_worker, points.clinic, "condom_male", 30)
    assert movement.unit_id == VILLAGE and movement.entered_by == village_worker
    balances = stock(DistributionPoint.objects.filter(pk=points.clinic.pk))
    assert balances[(points.clinic.pk, kind("condom_male").pk)] == 70
    actions = list(
        AuditEntry.objects.filter(action__startswith="supplies.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["supplies.delivery.recorded", "supplies.issue.recorded"]


def test_it_refuses_an_issue_larger_than_the_stock_naming_point_and_kind(village_worker, points):
    deliver(village_worker, points.clinic, "oral_pill", 5)
    with pytest.raises(FieldError) as refusal:
        issue(village_worker, points.clinic, "oral_pill", 6)
    assert refusal.value.field == "quantity"
    assert "东关社区卫生室的短效口服避孕药库存不足" in refusal.value.message
    assert "可发放 5 板" in refusal.value.message
    assert not StockMovement.objects.filter(direction=Direction.ISSUE).exists()


def test_it_refuses_a_back_dated_issue_that_later_issues_already_used(village_worker, points):
    day = today() - timedelta(days=10)
    deliver(village_worker, points.clinic, "condom_male", 10, on=day)
    issue(village_worker, points.clinic, "condom_male", 8, on=today())
    # On day+1 there were 10 in stock, but only 2 are left for today's issue.
    with pytest.raises(FieldError, match="可发放 2 只"):
        issue(village_worker, points.clinic, "condom_male", 3, on=day + timedelta(days=1))
    issue(village_worker, points.clinic, "condom_male", 2, on=day + timedelta(days=1))


def test_it_refuses_an_issue_before_the_delivery(village_worker, points):
    deliver(village_worker, points.clinic, "condom_male", 10, on=today())
    with pytest.raises(FieldError, match="可发放 0 只"):
        issue(village_worker, points.clinic, "condom_male", 1, on=today() - timedelta(days=1))


def test_available_on_takes_the_lowest_balance_from_the_day_on():
    d = date(2026, 3, 1)
    moves = [(d, 10), (d + timedelta(days=5), -7), (d + timedelta(days=9), 20)]
    assert available_on(moves, d - timedelta(days=1)) == 0
    assert available_on(moves, d) == 3
    assert available_on(moves, d + timedelta(days=6)) == 3
    assert available_on(moves, d + timedelta(days=9)) == 23


def test_it_refuses_future_dates_and_bad_quantities(village_worker, points):
    with pytest.raises(FieldError, match="日期不能晚于今天"):
        deliver(village_worker, points.clinic, "condom_male", 10, on=today() + timedelta(days=1))
    with pytest.raises(FieldError, match="数量应为"):
        deliver(village_worker, points.clinic, "condom_male", 0)


def test_a_village_worker_enters_only_her_villages_points(village_worker, points):
    with pytest.raises(FieldError, match="不在您的管辖范围内"):
        deliver(village_worker, points.second, "condom_male", 10)
    with pytest.raises(FieldError, match="由乡镇管理，请由乡镇专干录入"):
        deliver(village_worker, points.centre, "condom_male", 10)


def test_a_township_clerk_enters_for_the_township_and_not_beyond(township_clerk, points):
    deliver(township_clerk, points.centre, "condom_male", 10)
    deliver(township_clerk, points.second, "condom_male", 10)
    with pytest.raises(FieldError, match="不在您的管辖范围内"):
        deliver(township_clerk, points.other, "condom_male", 10)


def test_a_monthly_count_is_dated_on_the_months_last_day_and_only_once(township_clerk, points):
    last_month = today().replace(day=1) - timedelta(days=1)
    deliver(township_clerk, points.clinic, "condom_male", 50, on=last_month.replace(day=1))
    movement = issue(township_clerk, points.clinic, "condom_male", 20, on=last_month, monthly=True)
    assert movement.moved_on == month_end(last_month) and movement.monthly
    with pytest.raises(FieldError, match="月发放数已登记，不能重复登记"):
        issue(township_clerk, points.clinic, "condom_male", 5, on=last_month, monthly=True)
    with pytest.raises(FieldError, match="尚未结束"):
        issue(township_clerk, points.clinic, "condom_male", 5, on=date(2999, 1, 1), monthly=True)


def test_it_refuses_movements_outside_the_points_open_days(township_clerk, points):
    with pytest.raises(FieldError, match="早于东关社区卫生室的启用日期"):
        deliver(township_clerk, points.clinic, "condom_male", 5, on=date(2019, 12, 31))
    closed = today() - timedelta(days=3)
    point_update(
        actor=township_clerk,
        point=points.second,
        version=points.second.version,
        unit=points.second.unit,
        name=points.second.name,
        place_kind=points.second.place_kind,
        opened_on=points.second.opened_on,
        closed_on=closed,
    )
    points.second.refresh_from_db()
    with pytest.raises(FieldError, match=r"已于.*停用"):
        deliver(township_clerk, points.second, "condom_male", 5, on=today())


def test_it_creates_a_point_in_a_village_of_the_users_only(township_clerk, units):
    point = point_create(
        actor=township_clerk,
        unit=units[VILLAGE],
        name="东关药店",
        place_kind=PlaceKind.PHARMACY,
        opened_on=today(),
    )
    assert point.active
    assert AuditEntry.objects.filter(action="supplies.point.created", target_id=str(point.pk))
    with pytest.raises(FieldError, match="已有名为“东关药店”的发放点"):
        point_create(
            actor=township_clerk,
            unit=units[VILLAGE],
            name="东关药店",
            place_kind=PlaceKind.PHARMACY,
            opened_on=today(),
        )
    with pytest.raises(FieldError, match="不在您的管辖范围内"):
        point_create(
            actor=township_clerk,
            unit=units[OTHER_VILLAGE],
            name="郭城药店",
            place_kind=PlaceKind.PHARMACY,
            opened_on=today(),
        )


def test_a_point_cannot_close_before_its_last_movement(township_clerk, points):
    deliver(township_clerk, points.clinic, "condom_male", 5, on=today())
    with pytest.raises(FieldError, match="停用日期早于最后一笔出入库"):
        point_update(
            actor=township_clerk,
            point=points.clinic,
            version=points.clinic.version,
            unit=points.clinic.unit,
            name=points.clinic.name,
            place_kind=points.clinic.place_kind,
            opened_on=points.clinic.opened_on,
            closed_on=today() - timedelta(days=1),
        )


def test_the_county_edits_the_kinds_table(county_admin):
    new = kind_create(actor=county_admin, code="ring", name="避孕环", unit="个", essential=False)
    kind_update(
        actor=county_admin, kind=new, name="避孕环", unit="个", essential=False, active=False,
        order=90,
    )  # fmt: skip
    new.refresh_from_db()
    assert not new.active
    with pytest.raises(FieldError, match="已有名为“男用避孕套”的药具种类"):
        kind_create(actor=county_admin, code="x", name="男用避孕套", unit="只", essential=True)
    assert AuditEntry.objects.filter(action="supplies.kind.updated").count() == 1


def test_a_retired_kind_is_not_delivered_any_more(county_admin, township_clerk, points):
    retired = kind("topical")
    kind_update(
        actor=county_admin, kind=retired, name=retired.name, unit=retired.unit,
        essential=False, active=False, order=retired.order,
    )  # fmt: skip
    with pytest.raises(FieldError, match="已停用，不能再入库"):
        deliver(township_clerk, points.clinic, "topical", 5)


def test_a_mistaken_issue_is_taken_back_with_its_audit_row(village_worker, points):
    deliver(village_worker, points.clinic, "condom_male", 10)
    wrong = issue(village_worker, points.clinic, "condom_male", 8)
    movement_void(actor=village_worker, movement=wrong, reason="数量录错")
    assert not StockMovement.objects.filter(pk=wrong.pk).exists()
    entry = AuditEntry.objects.get(action="supplies.issue.voided")
    assert entry.detail["quantity"] == 8 and entry.detail["reason"] == "数量录错"
    assert entry.target_id == str(wrong.pk)


def test_a_delivery_already_given_out_cannot_be_taken_back(village_worker, points):
    delivery = deliver(village_worker, points.clinic, "oral_pill", 10)
    issue(village_worker, points.clinic, "oral_pill", 4)
    with pytest.raises(DomainError, match="撤销后库存将小于零"):
        movement_void(actor=village_worker, movement=delivery, reason="重复登记")
    with pytest.raises(FieldError, match="请填写撤销原因"):
        movement_void(actor=village_worker, movement=delivery, reason=" ")
    second = deliver(village_worker, points.clinic, "oral_pill", 10)
    movement_void(actor=village_worker, movement=second, reason="重复登记")
    assert StockMovement.objects.filter(direction=Direction.DELIVERY).count() == 1


def test_a_months_issues_are_counted_one_way_only(township_clerk, points):
    last_month = today().replace(day=1) - timedelta(days=1)
    deliver(township_clerk, points.clinic, "condom_male", 50, on=last_month.replace(day=1))
    deliver(township_clerk, points.second, "condom_male", 50, on=last_month.replace(day=1))
    issue(township_clerk, points.clinic, "condom_male", 5, on=last_month.replace(day=2))
    with pytest.raises(FieldError, match="已按日期登记发放，不能再登记月发放数"):
        issue(township_clerk, points.clinic, "condom_male", 9, on=last_month, monthly=True)
    issue(township_clerk, points.second, "condom_male", 9, on=last_month, monthly=True)
    with pytest.raises(FieldError, match="已登记月发放数，不能再按日期登记"):
        issue(township_clerk, points.second, "condom_male", 1, on=last_month.replace(day=5))
