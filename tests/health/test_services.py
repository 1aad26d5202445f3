"""The health services: checks and their follow-up schedule, closing follow-ups,
folic acid, targets. Every refusal with its message."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from famplan.audit.models import AuditEntry
from famplan.common.dates import today
from famplan.health.models import (
    CheckTarget,
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    PrePregnancyCheck,
    RiskLevel,
)
from famplan.health.people import PersonRef
from famplan.health.schedule import SCHEDULE
from famplan.health.services import (
    StateError,
    folic_followup_record,
    followup_record,
    split_largest_remainder,
    target_set,
    targets_split,
)
from famplan.registry.services.errors import FieldError
from tests.health.conftest import VILLAGE, check_data, record_check, record_folic
from tests.registry.factories import person

pytestmark = pytest.mark.django_db


def test_it_records_a_check_with_its_follow_ups_on_the_schedule(township_clerk, couple):
    check = record_check(township_clerk, couple, days_ago=10)
    assert check.unit_id == VILLAGE and check.husband == couple.husband
    followups = {f.kind: f for f in check.followups.all()}
    assert set(followups) == {FollowUpKind.EARLY, FollowUpKind.OUTCOME}
    for step in SCHEDULE:
        f = followups[step.kind]
        assert f.opens_on == check.checked_on + timedelta(days=step.opens_after_days)
        assert f.due_on == check.checked_on + timedelta(days=step.due_within_days)
        assert f.status == FollowUpStatus.OPEN and f.unit_id == VILLAGE
    row = AuditEntry.objects.get(action="health.check.recorded")
    assert row.target_id == str(check.pk) and row.org_unit_id == VILLAGE


def test_it_finds_the_couple_by_name_and_village_and_the_husband_by_marriage(
    township_clerk, couple
):
    data = check_data(couple, wife=PersonRef(name="王芳", village=VILLAGE), husband=PersonRef())
    check = record_check(township_clerk, couple, wife=data.wife, husband=data.husband)
    assert (check.wife, check.husband) == (couple.wife, couple.husband)


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"facility": ""}, "facility", "请填写检查机构"),
        ({"risk_level": RiskLevel.HIGH}, "risk_factors", "高风险须选择至少一项风险因素"),
        ({"risk_factors": ["nonsense"]}, "risk_factors", "风险因素无法识别：nonsense"),
        ({"risk_level": "medium"}, "risk_level", "风险评估应为低风险或高风险"),
        ({"advice": "意" * 501}, "advice", "咨询指导意见最多500个字"),
        ({"facility": "医院\u200b"}, "facility", "检查机构"),
    ],
)
def test_it_refuses_a_bad_check_naming_the_field(township_clerk, couple, extra, field, message):
    with pytest.raises(FieldError) as caught:
        record_check(township_clerk, couple, **extra)
    assert caught.value.field == field and message in caught.value.message
    assert not PrePregnancyCheck.objects.exists()


def test_it_refuses_a_future_date_and_a_second_check_on_the_same_day(township_clerk, couple):
    with pytest.raises(FieldError, match="检查日期不能晚于今天"):
        record_check(township_clerk, couple, days_ago=-1)
    record_check(township_clerk, couple)
    with pytest.raises(FieldError, match="已有孕前优生健康检查记录"):
        record_check(township_clerk, couple)


def test_it_refuses_spouses_of_the_wrong_sex(township_clerk, couple):
    with pytest.raises(FieldError) as caught:
        record_check(
            township_clerk,
            couple,
            wife=PersonRef(couple.husband.id_number),
            husband=PersonRef(couple.wife.id_number),
        )
    assert caught.value.field == "wife" and "女方应为女性" in caught.value.message


def test_it_asks_for_an_id_number_when_the_name_is_not_unique(township_clerk, couple):
    person(township_clerk, name="王芳", sex="F", born=date(1990, 1, 1), unit=VILLAGE)
    with pytest.raises(FieldError, match="有 2 人名为“王芳”，请填写女方身份证号"):
        record_check(township_clerk, couple, wife=PersonRef(name="王芳", village=VILLAGE))


def test_it_cannot_find_a_wife_outside_the_jurisdiction(other_clerk, couple):
    with pytest.raises(FieldError, match="女方身份证号在人口库中不存在或不在您的管辖范围内"):
        record_check(other_clerk, couple)


def test_it_refuses_a_blank_husband_when_the_wife_has_no_marriage(township_clerk):
    single = person(township_clerk, name="孙丽", sex="F", born=date(1996, 1, 1), unit=VILLAGE)
    data = check_data(type("C", (), {"wife": single, "husband": single})(), husband=PersonRef())
    from famplan.health.services import check_record

    with pytest.raises(FieldError, match="没有女方的在婚配偶"):
        check_record(actor=township_clerk, data=data)


def _early(check) -> FollowUp:
    return check.followups.get(kind=FollowUpKind.EARLY)


def test_it_closes_a_follow_up_with_its_result(township_clerk, village_worker, couple):
    check = record_check(township_clerk, couple, days_ago=40)
    done = followup_record(
        actor=village_worker, followup=_early(check), result="pregnant", done_on=today(), note="好"
    )
    assert done.status == FollowUpStatus.DONE and done.done_by == village_worker
    row = AuditEntry.objects.get(action="health.followup.recorded")
    assert row.detail["result"] == "pregnant" and row.detail["overdue"] is False
    with pytest.raises(StateError, match="不能重复登记"):
        followup_record(actor=village_worker, followup=done, result="pregnant", done_on=today())


@pytest.mark.parametrize(
    ("result", "done_on", "field", "message"),
    [
        ("live_birth", 0, "result", "随访结果应为以下之一：已怀孕"),
        ("pregnant", -1, "done_on", "随访日期不能晚于今天"),
        ("pregnant", 41, "done_on", "随访日期不能早于检查日期"),
        ("pregnant", None, "done_on", "请填写随访日期"),
    ],
)
def test_it_refuses_a_bad_follow_up_result(
    township_clerk, village_worker, couple, result, done_on, field, message
):
    check = record_check(township_clerk, couple, days_ago=40)
    day = None if done_on is None else today() - timedelta(days=done_on)
    with pytest.raises(FieldError) as caught:
        followup_record(actor=village_worker, followup=_early(check), result=result, done_on=day)
    assert caught.value.field == field and message in caught.value.message
    assert _early(check).status == FollowUpStatus.OPEN


def test_it_refuses_a_follow_up_outside_the_jurisdiction(township_clerk, other_clerk, couple):
    check = record_check(township_clerk, couple, days_ago=40)
    with pytest.raises(StateError, match="不在您的管辖范围内"):
        followup_record(
            actor=other_clerk, followup=_early(check), result="pregnant", done_on=today()
        )


def test_it_records_folic_acid_and_its_follow_up(township_clerk, village_worker, couple):
    issue = record_folic(village_worker, couple.wife, days_ago=20)
    assert issue.unit_id == VILLAGE
    visit = folic_followup_record(
        actor=village_worker,
        issue=issue,
        visited_on=today(),
        aware=True,
        taking=True,
        compliant=False,
    )
    assert visit.unit_id == VILLAGE
    assert AuditEntry.objects.filter(action="health.folic_issue.recorded").count() == 1
    assert AuditEntry.objects.filter(action="health.folic_followup.recorded").count() == 1
    with pytest.raises(FieldError, match="未服用叶酸，不能登记为按要求服用"):
        folic_followup_record(
            actor=village_worker,
            issue=issue,
            visited_on=today(),
            aware=True,
            taking=False,
            compliant=True,
        )
    with pytest.raises(FieldError, match="随访日期不能早于发放日期"):
        folic_followup_record(
            actor=village_worker,
            issue=issue,
            visited_on=today() - timedelta(days=30),
            aware=True,
            taking=True,
            compliant=True,
        )


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"quantity": 7}, "quantity", "数量应在1至6瓶之间"),
        ({"quantity": 0, "quantity_unit": "tablet"}, "quantity", "数量应在1至186片之间"),
        ({"quantity_unit": "box"}, "quantity_unit", "单位应为瓶或片"),
        ({"days_ago": -1}, "issued_on", "发放日期不能晚于今天"),
    ],
)
def test_it_refuses_a_bad_folic_issue(village_worker, couple, extra, field, message):
    with pytest.raises(FieldError) as caught:
        record_folic(village_worker, couple.wife, **extra)
    assert caught.value.field == field and message in caught.value.message


def test_it_refuses_folic_acid_for_a_man(village_worker, couple):
    with pytest.raises(FieldError, match="叶酸发放对象应为女性"):
        record_folic(village_worker, couple.husband)


def test_it_splits_by_the_largest_remainder_and_adds_up():
    assert split_largest_remainder(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert split_largest_remainder(3047, {"a": 0, "b": 0}) == {"a": 1524, "b": 1523}
    shares = split_largest_remainder(3047, {"a": 5, "b": 7, "c": 11})
    assert sum(shares.values()) == 3047


def test_the_county_splits_the_target_by_married_women(county_admin, township_clerk, couple):
    # 会师镇 has one married woman of childbearing age (王芳), 郭城驿镇 none.
    shares = targets_split(actor=county_admin, year=today().year, total=3047)
    assert shares == {"620422100": 3047, "620422101": 0}
    target = CheckTarget.objects.get(year=today().year, township_id="620422100")
    assert "已婚育龄妇女" in target.basis
    changed = target_set(
        actor=county_admin, year=today().year, township_code="620422101", target=100
    )
    assert changed.target == 100
    assert AuditEntry.objects.filter(action="health.target.split").count() == 1
    assert AuditEntry.objects.get(action="health.target.set").detail["after"] == 100


def test_a_township_cannot_set_targets(township_clerk):
    with pytest.raises(StateError, match="只有县级"):
        targets_split(actor=township_clerk, year=2026, total=100)
    with pytest.raises(StateError, match="只有县级"):
        target_set(actor=township_clerk, year=2026, township_code="620422100", target=1)
