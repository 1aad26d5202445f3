"""One yearly cycle through every step, with the refusals of each step."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from famplan.audit.models import AuditEntry
from famplan.benefits import services
from famplan.benefits.models import (
    BankLayout,
    CycleStatus,
    Entry,
    EntryStatus,
    Objection,
    PaymentStatus,
    RosterRow,
)
from famplan.common import dates
from famplan.common.errors import DomainError
from famplan.common.xlsx import write_xlsx
from famplan.registry.models import Birth, Person
from tests.benefits.conftest import OTHER_VILLAGE, VILLAGE, VILLAGE_2, die, family
from tests.conftest import make_user
from tests.registry.factories import person

YEAR = 2026


@pytest.fixture
def worker_2(units):
    return make_user("worker_2", VILLAGE_2, "village_worker")


@pytest.fixture
def other_worker(units):
    return make_user("other_worker", OTHER_VILLAGE, "village_worker")


@pytest.fixture
def later(monkeypatch):
    """Move services' today past the notice period."""

    def move(days: int) -> None:
        day = date.today() + timedelta(days=days)
        monkeypatch.setattr(dates, "today", lambda: day)

    return move


@pytest.fixture
def families(county_admin):
    return {
        "one": family(county_admin, father_born=date(1960, 1, 1), mother_born=date(1962, 1, 1)),
        "two": family(county_admin, unit=VILLAGE_2, surname="王"),
        "other": family(county_admin, unit=OTHER_VILLAGE, surname="刘"),
    }


def run_to_review(county_admin, programs):
    cycle = services.cycle_open(actor=county_admin, program=programs["rural_reward"], year=YEAR)
    counts = services.cycle_list_candidates(actor=county_admin, cycle=cycle)
    cycle.refresh_from_db()
    return cycle, counts


def entry_of(cycle, p):
    return Entry.objects.get(cycle=cycle, person=p)


def test_it_runs_one_cycle_from_open_to_paid(
    county_admin, township_clerk, village_worker, worker_2, other_clerk, families, programs, later
):
    one, two = families["one"], families["two"]
    cycle, counts = run_to_review(county_admin, programs)
    assert counts == {"entries": 6, "from_applications": 0, "duplicates": 0}
    assert cycle.status == CycleStatus.REVIEW
    # village review: attestation needed, then each village its own people
    with pytest.raises(DomainError, match="须核实并确认符合当时的计划生育政策"):
        services.entry_village_review(
            actor=village_worker, entry=entry_of(cycle, one.father), approve=True
        )
    with pytest.raises(DomainError, match="不在您的管辖范围内"):
        services.entry_village_review(
            actor=village_worker, entry=entry_of(cycle, two.father), approve=True, attested=True
        )
    with pytest.raises(DomainError, match="村级审核须由村\\(居\\)用户办理，或由乡镇用户代录"):
        services.entry_village_review(
            actor=county_admin, entry=entry_of(cycle, one.father), approve=True, attested=True
        )
    services.entry_village_review(
        actor=village_worker, entry=entry_of(cycle, one.father), approve=True, attested=True
    )
    with pytest.raises(DomainError, match="尚有 1 人未完成村级审核"):
        services.notice_publish(actor=village_worker, cycle=cycle, unit_id=VILLAGE)
    services.entry_village_review(
        actor=village_worker, entry=entry_of(cycle, one.mother), approve=True, attested=True
    )
    for p in (two.father, two.mother):
        services.entry_village_review(
            actor=worker_2, entry=entry_of(cycle, p), approve=True, attested=True
        )
    notice = services.notice_publish(actor=village_worker, cycle=cycle, unit_id=VILLAGE)
    assert notice.ends_on - notice.starts_on == timedelta(days=6)
    services.notice_publish(actor=worker_2, cycle=cycle, unit_id=VILLAGE_2)
    with pytest.raises(DomainError, match="已公示，不能重复公示"):
        services.notice_publish(actor=village_worker, cycle=cycle, unit_id=VILLAGE)
    with pytest.raises(DomainError, match="本村\\(居\\)名单已公示"):
        services.entry_village_review(
            actor=village_worker, entry=entry_of(cycle, one.father), approve=False, note="x"
        )
    # an objection during the notice, settled by the township
    objection = services.objection_record(
        actor=village_worker, entry=entry_of(cycle, one.mother), received_on=notice.starts_on,
        content="反映其有两个儿子", raised_by="村民",
    )  # fmt: skip
    with pytest.raises(DomainError, match="期满后方可乡镇审核"):
        services.entry_township_review(
            actor=township_clerk, entry=entry_of(cycle, one.father), approve=True
        )
    later(7)
    with pytest.raises(DomainError, match="尚有未处理的公示异议"):
        services.entry_township_review(
            actor=township_clerk, entry=entry_of(cycle, one.mother), approve=True
        )
    services.objection_resolve(
        actor=township_clerk, objection=objection, upheld=False, resolution="经核实只有一个女儿"
    )
    assert Objection.objects.get().outcome == "dismissed"
    with pytest.raises(DomainError, match="不在您的管辖范围内"):
        services.entry_township_review(
            actor=other_clerk, entry=entry_of(cycle, one.father), approve=True
        )
    for p in (one.father, one.mother, two.father, two.mother):
        services.entry_township_review(actor=township_clerk, entry=entry_of(cycle, p), approve=True)
    with pytest.raises(DomainError, match="尚有 2 人未完成村级或乡镇审核"):
        services.cycle_approve(actor=county_admin, cycle=cycle)
    other = families["other"]
    other_worker = make_user("ow", OTHER_VILLAGE, "village_worker")
    services.entry_village_review(
        actor=other_worker,
        entry=entry_of(cycle, other.father),
        approve=False,
        note="已享受其他政策",
    )
    services.entry_village_review(
        actor=other_worker,
        entry=entry_of(cycle, other.mother),
        approve=False,
        note="已享受其他政策",
    )
    with pytest.raises(DomainError, match="不能冻结花名册"):
        services.roster_freeze(actor=county_admin, cycle=cycle)
    assert services.cycle_approve(actor=county_admin, cycle=cycle) == 4
    with pytest.raises(DomainError, match="不能县级审批"):
        services.cycle_approve(actor=county_admin, cycle=cycle)
    services.bank_account_set(
        actor=village_worker, person=one.father, payee_name="张父", bank_name="会宁农商银行",
        account_number="6229 1234 5678 9012",
    )  # fmt: skip
    assert services.roster_freeze(actor=county_admin, cycle=cycle) == 4
    cycle.refresh_from_db()
    # the roster is a snapshot: a later registry edit does not change it
    Person.objects.filter(pk=one.father.pk).update(name="张改名", hukou_type="urban")
    row = RosterRow.objects.get(cycle=cycle, person=one.father)
    assert (row.name, row.hukou_type, row.amount_due) == ("张父", "rural", Decimal("960.00"))
    assert row.account_number == "6229123456789012"
    # payment file: only rows with an account
    layout = BankLayout.objects.get()
    content, n, total = services.payment_file(actor=county_admin, cycle=cycle, layout=layout)
    assert (n, total) == (1, Decimal("960.00"))
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert sheet[0] == ["序号", "姓名", "身份证号", "户名", "账号", "开户银行", "金额", "备注"]
    assert sheet[1][1] == "张父" and sheet[1][4] == "6229123456789012"
    assert AuditEntry.objects.filter(action="benefits.payment_file.exported").count() == 1
    # confirmations: a bad file writes nothing
    header = [("身份证号", 20), ("金额", 10), ("结果", 8), ("失败原因", 20)]
    bad = write_xlsx(
        header, [[row.id_number, "900", "成功", ""], ["620422199001011234", "960", "成功", ""]]
    )
    report = services.confirmations_import(
        actor=county_admin, cycle=cycle, content=bad, filename="r.xlsx"
    )
    assert report.errors == [
        "第2行：金额900.00与应发金额960.00不一致",
        "第3行：身份证号620422…不在本周期已发送的发放名单中",
    ]
    assert RosterRow.objects.get(pk=row.pk).payment_status == PaymentStatus.SENT
    good = write_xlsx(header, [[row.id_number, "960", "成功", ""]])
    report = services.confirmations_import(
        actor=county_admin, cycle=cycle, content=good, filename="r.xlsx"
    )
    assert report.ok and report.paid == 1
    row.refresh_from_db()
    assert row.payment_status == PaymentStatus.PAID and row.paid_amount == Decimal("960.00")
    # exits: the mother died in May, out from June; the amount is what was due before
    mother_row = RosterRow.objects.get(cycle=cycle, person=two.mother)
    services.exit_record(actor=county_admin, row=mother_row, reason="death", month=date(2026, 6, 1))
    mother_row.refresh_from_db()
    assert (mother_row.to_month, mother_row.amount_due) == (date(2026, 5, 1), Decimal("400.00"))
    with pytest.raises(DomainError, match="已于2026-06退出"):
        services.exit_record(
            actor=county_admin, row=mother_row, reason="death", month=date(2026, 7, 1)
        )
    with pytest.raises(DomainError, match="已在本周期名单中"):
        services.entrant_add(
            actor=county_admin, cycle=cycle, person=one.father, from_month=date(2026, 7, 1)
        )


def test_it_sends_same_name_and_birth_date_to_the_review_queue(
    county_admin, township_clerk, village_worker, programs
):
    family(county_admin, father_born=date(1958, 4, 4))
    twin = family(county_admin, father_born=date(1958, 4, 4), unit=VILLAGE_2)  # same names
    cycle, counts = run_to_review(county_admin, programs)
    assert counts["duplicates"] == 4  # both spouses have a namesake
    queued = Entry.objects.filter(cycle=cycle, status=EntryStatus.DUPLICATE, person__name="张父")
    assert queued.count() == 2
    assert queued.first().duplicate_key.startswith("与其他 1 人姓名 张父，出生日期 1958-04-04相同")
    entry = queued.get(unit_id=VILLAGE)
    with pytest.raises(DomainError, match="疑似重复，须先由乡镇核查"):
        services.entry_village_review(
            actor=village_worker, entry=entry, approve=True, attested=True
        )
    services.duplicate_resolve(
        actor=township_clerk, entry=entry, distinct=True, note="两人户籍不同"
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.CANDIDATE
    other = queued.get(unit_id=VILLAGE_2)
    services.duplicate_resolve(
        actor=township_clerk, entry=other, distinct=False, note="同一人重复登记"
    )
    other.refresh_from_db()
    assert other.status == EntryStatus.TOWNSHIP_REJECTED
    assert Person.objects.filter(pk=twin.father.pk).exists()  # never merged


def test_it_refuses_a_second_cycle_and_steps_out_of_order(county_admin, families, programs):
    cycle = services.cycle_open(actor=county_admin, program=programs["rural_reward"], year=YEAR)
    with pytest.raises(DomainError, match="2026年度周期已开启，不能重复开启"):
        services.cycle_open(actor=county_admin, program=programs["rural_reward"], year=YEAR)
    with pytest.raises(DomainError, match="尚有未完成审批的周期"):
        services.cycle_open(actor=county_admin, program=programs["rural_reward"], year=YEAR + 1)
    with pytest.raises(DomainError, match="不能县级审批"):
        services.cycle_approve(actor=county_admin, cycle=cycle)
    services.cycle_list_candidates(actor=county_admin, cycle=cycle)
    with pytest.raises(DomainError, match="不能生成候选名单"):
        services.cycle_list_candidates(actor=county_admin, cycle=cycle)


def test_it_exits_a_childcare_child_who_died_from_the_next_month(
    county_admin, township_clerk, village_worker, programs, later
):
    care = programs["childcare_subsidy"]
    f = family(county_admin, father_born=date(1992, 1, 1), mother_born=date(1994, 1, 1),
               children=(("F", date(2025, 3, 10)),))  # fmt: skip
    child = f.children[0]
    services.application_submit(
        actor=township_clerk,
        program=care,
        person=child,
        applicant=f.mother,
        applied_on=date(2026, 3, 1),
    )
    with pytest.raises(DomainError, match="已有育儿补贴申请"):
        services.application_submit(
            actor=township_clerk,
            program=care,
            person=child,
            applicant=f.father,
            applied_on=date(2026, 3, 1),
        )
    stranger = person(county_admin, name="路人", sex="F", born=date(1990, 1, 1))
    other_child = family(county_admin, children=(("M", date(2025, 1, 1)),), surname="钱").children[
        0
    ]
    with pytest.raises(DomainError, match="申请人须为婴幼儿的父亲或母亲"):
        services.application_submit(
            actor=township_clerk,
            program=care,
            person=other_child,
            applicant=stranger,
            applied_on=date(2026, 3, 1),
        )
    cycle = services.cycle_open(actor=county_admin, program=care, year=YEAR)
    assert services.cycle_list_candidates(actor=county_admin, cycle=cycle)["entries"] == 1
    entry = Entry.objects.get(cycle=cycle)
    assert (entry.from_month, entry.to_month, entry.amount_due) == (
        date(2025, 3, 1),
        date(2026, 12, 1),
        Decimal("6600.00"),
    )
    assert entry.source == "application" and entry.application.applicant == f.mother
    services.entry_village_review(actor=village_worker, entry=entry, approve=True)
    services.notice_publish(actor=village_worker, cycle=cycle, unit_id=VILLAGE)
    later(8)
    services.entry_township_review(actor=township_clerk, entry=entry, approve=True)
    services.cycle_approve(actor=county_admin, cycle=cycle)
    # the account is the applicant's, in her name
    with pytest.raises(services.AccountError, match="户名“张父”与领取人“张母”不一致"):
        services.bank_account_set(actor=village_worker, person=f.mother, payee_name="张父",
                                  bank_name="农商", account_number="6229123412341234")  # fmt: skip
    with pytest.raises(services.AccountError, match="账号应为12至19位数字，现为8位"):
        services.bank_account_set(actor=village_worker, person=f.mother, payee_name="张母",
                                  bank_name="农商银行", account_number="62291234")  # fmt: skip
    services.bank_account_set(actor=village_worker, person=f.mother, payee_name="张母",
                              bank_name="农商银行", account_number="6229123412341234")  # fmt: skip
    services.roster_freeze(actor=county_admin, cycle=cycle)
    row = RosterRow.objects.get(cycle=cycle)
    assert row.payee_name == "张母" and row.account_number == "6229123412341234"
    die(child, date(2026, 8, 15))
    services.exit_record(actor=county_admin, row=row, reason="child_died", month=date(2026, 9, 1))
    row.refresh_from_db()
    assert (row.to_month, row.amount_due) == (date(2026, 8, 1), Decimal("5400.00"))  # 18 months


def test_it_keeps_the_old_account_when_it_changes(county_admin, village_worker):
    p = person(county_admin, name="李四", sex="M", born=date(1950, 1, 1))
    services.bank_account_set(actor=village_worker, person=p, payee_name="李四", bank_name="甲银行",
                              account_number="622900001111")  # fmt: skip
    services.bank_account_set(
        actor=village_worker,
        person=p,
        payee_name="李四",
        bank_name="乙银行",
        account_number="６２２９０００１２２２２",
    )  # fmt: skip (full-width digits)
    from famplan.benefits.models import BankAccount

    accounts = list(BankAccount.objects.filter(person=p).order_by("pk"))
    assert [(a.account_number, a.active) for a in accounts] == [
        ("622900001111", False),
        ("622900012222", True),
    ]
    audit = AuditEntry.objects.filter(action="benefits.account.changed").get()
    assert audit.detail["old"]["account"] == "6229 **** 1111"
    assert audit.detail["new"]["account"] == "6229 **** 2222"
    assert Birth.objects.count() == 0


def test_it_proposes_exits_from_registry_changes(frozen, county_admin, county_client):
    from django.urls import reverse

    from famplan.benefits.selectors import exit_proposals

    cycle, mine, theirs = frozen
    die(mine.mother, date(2026, 4, 20))
    Person.objects.filter(pk=theirs.father.pk).update(hukou_type="urban")
    proposals = {
        p["row"].person_id: (p["reason"], p["month"]) for p in exit_proposals(county_admin, cycle)
    }
    assert proposals[mine.mother.pk] == ("death", date(2026, 5, 1))
    assert proposals[theirs.father.pk][0] == "hukou"
    assert mine.father.pk not in proposals
    page = county_client.get(reverse("benefits:roster", args=[cycle.pk])).content.decode()
    assert "人口信息变化提示的退出（2）" in page


def test_it_proposes_an_exit_when_a_new_child_is_born(frozen, county_admin):
    from famplan.benefits.selectors import exit_proposals

    cycle, mine, _ = frozen
    baby = person(county_admin, name="新生", sex="M", born=date(2026, 2, 3))
    Birth.objects.create(
        unit_id=VILLAGE, child=baby, mother=mine.mother, father=mine.father,
        born_on=baby.birth_date, sex="M", birth_order=2, place_type="hospital",
    )  # fmt: skip
    proposals = {
        p["row"].person_id: (p["reason"], p["month"]) for p in exit_proposals(county_admin, cycle)
    }
    assert proposals[mine.father.pk] == ("new_birth", date(2026, 3, 1))


def test_a_township_records_the_village_review_and_notice_for_its_villages(
    county_admin, township_clerk, other_clerk, families, programs
):
    """代录: a village that works on paper has its review entered by the township."""
    cycle, _ = run_to_review(county_admin, programs)
    two = families["two"]
    with pytest.raises(DomainError, match="不在您的管辖范围内"):
        services.entry_village_review(
            actor=other_clerk, entry=entry_of(cycle, two.father), approve=True, attested=True
        )
    with pytest.raises(DomainError, match="须核实并确认"):
        services.entry_village_review(
            actor=township_clerk, entry=entry_of(cycle, two.father), approve=True
        )
    for p in (two.father, two.mother):
        services.entry_village_review(
            actor=township_clerk, entry=entry_of(cycle, p), approve=True, attested=True
        )
    assert entry_of(cycle, two.father).village_by == township_clerk
    with pytest.raises(DomainError, match="发布公示须选择一个村\\(居\\)"):
        services.notice_publish(actor=township_clerk, cycle=cycle, unit_id="620422100")
    with pytest.raises(DomainError, match="不在您的管辖范围内"):
        services.notice_publish(actor=other_clerk, cycle=cycle, unit_id=VILLAGE_2)
    notice = services.notice_publish(actor=township_clerk, cycle=cycle, unit_id=VILLAGE_2)
    assert notice.unit_id == VILLAGE_2 and notice.published_by == township_clerk
    # the other village of the township still has its people to review
    with pytest.raises(DomainError, match="尚有 2 人未完成村级审核"):
        services.notice_publish(actor=township_clerk, cycle=cycle, unit_id=VILLAGE)
    rows = AuditEntry.objects.filter(
        action__in=["benefits.entry.village_reviewed", "benefits.notice.published"]
    )
    assert [r.detail["on_behalf"] for r in rows] == [True, True, True]
    assert {r.org_unit_id for r in rows} == {VILLAGE_2}


def test_a_local_program_lists_the_people_its_rule_finds_at_its_own_amounts(
    county_admin, families, programs
):
    from famplan.benefits.eligibility import params_on

    local = services.local_program_create(
        actor=county_admin, name="县级农村计生家庭奖励", rule="rural_reward",
        description="", effective_from=date(YEAR, 1, 1),
    )  # fmt: skip
    values = {**params_on(local, date(YEAR, 1, 1)), "county_topup_year": Decimal("240.00")}
    services.parameters_set(
        actor=county_admin, program=local, effective_from=date(YEAR, 1, 2), values=values
    )
    national, _ = run_to_review(county_admin, programs)
    cycle = services.cycle_open(actor=county_admin, program=local, year=YEAR)
    services.cycle_list_candidates(actor=county_admin, cycle=cycle)
    mine = {e.person_id: e.amount_due for e in Entry.objects.filter(cycle=cycle)}
    theirs = {e.person_id: e.amount_due for e in Entry.objects.filter(cycle=national)}
    assert mine.keys() == theirs.keys() and mine
    assert all(mine[p] == theirs[p] + Decimal("240.00") for p in mine)
