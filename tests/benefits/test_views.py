"""The benefit pages: jurisdiction (404 or absent outside it), capabilities (403),
audit rows of reads and exports, query counts of the lists."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from famplan.audit.models import AuditEntry
from famplan.benefits.models import (
    Application,
    BankAccount,
    Cycle,
    Entry,
    EntryStatus,
    Notice,
    Objection,
    Program,
    ProgramParameters,
    RosterRow,
)
from famplan.common.xlsx import write_xlsx
from tests.benefits.conftest import OTHER_VILLAGE, VILLAGE, family
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"benefits:{name}", args=args)


def rows_of(response):
    return (
        CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        .get_sheet_by_index(0)
        .to_python()
    )


@pytest.mark.jurisdiction("benefits:home")
def test_it_lists_only_the_users_county_cycles(frozen, other_county_admin, county_client):
    assert "农村部分计划生育家庭奖励扶助" in county_client.get(url("home")).content.decode()
    page = client_for(other_county_admin).get(url("home")).content.decode()
    assert reverse("benefits:cycle", args=[frozen[0].pk]) not in page


@pytest.mark.jurisdiction("benefits:program")
def test_it_sets_parameters_at_the_county_only(programs, county_client, clerk_client):
    program = programs["rural_reward"]
    data = {"effective_from": "2026-01-01", "note": "县政府2026年文件", "p_born_from": "1933-01-01",
            "p_min_age": "60", "p_amount_year": "960", "p_county_topup_year": "240"}  # fmt: skip
    assert clerk_client.post(url("program", program.pk), data).status_code == 403
    assert clerk_client.get(url("program", program.pk)).status_code == 200
    response = county_client.post(url("program", program.pk), data)
    assert response.status_code == 302
    row = ProgramParameters.objects.get(program=program, effective_from=date(2026, 1, 1))
    assert row.values["county_topup_year"] == "240.00"
    assert AuditEntry.objects.filter(action="benefits.parameters.set").count() == 1
    again = county_client.post(url("program", program.pk), data).content.decode()
    assert "2026-01-01起的参数已设定" in again


@pytest.mark.jurisdiction("benefits:explain")
def test_it_explains_a_person_in_scope_and_404s_outside(
    programs, county_admin, clerk_client, other_client
):
    f = family(county_admin, father_born=date(1967, 1, 1))
    target = url("explain", programs["rural_reward"].pk) + f"?person={f.father.pk}&year=2026"
    page = clerk_client.get(target).content.decode()
    assert "年龄 59 岁，未满 60 岁（截至2026-12-31）" in page
    assert AuditEntry.objects.filter(action="benefits.eligibility.viewed").count() == 1
    assert other_client.get(target).status_code == 404


@pytest.mark.jurisdiction("benefits:application_create")
def test_it_takes_applications_only_for_people_in_scope(
    programs, county_admin, clerk_client, other_client
):
    f = family(county_admin, father_born=date(1994, 1, 1), mother_born=date(1995, 1, 1),
               children=(("F", date(2025, 5, 1)),))  # fmt: skip
    child = f.children[0]
    data = {"program": programs["childcare_subsidy"].pk, "person_key": child.id_number,
            "applicant_id_number": f.mother.id_number, "applied_on": "2026-03-01"}  # fmt: skip
    page = other_client.post(url("application_create"), data).content.decode()
    assert "未找到该人员，或不在您的管辖范围内" in page
    stranger = family(county_admin, surname="陌").mother
    page = clerk_client.post(
        url("application_create"), {**data, "applicant_id_number": stranger.id_number}
    ).content.decode()
    assert "申请人须为对象本人，或婴幼儿的父亲或母亲" in page
    bad = f.mother.id_number[:17] + ("0" if f.mother.id_number[17] != "0" else "1")
    page = clerk_client.post(
        url("application_create"), {**data, "applicant_id_number": bad}
    ).content.decode()
    assert "校验" in page  # the ID parser's own message names the check character
    assert not Application.objects.exists()
    # typed as a clerk might: full-width digits, a space after
    typed = child.id_number.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"}) + " "
    response = clerk_client.post(url("application_create"), {**data, "person_key": typed})
    assert response.status_code == 302
    assert Application.objects.get().applicant == f.mother


def test_it_finds_a_newborn_by_the_birth_medical_certificate(programs, county_admin, clerk_client):
    from famplan.registry.models import Birth

    f = family(county_admin, father_born=date(1994, 1, 1), mother_born=date(1995, 1, 1),
               children=(("M", date(2026, 1, 5)),))  # fmt: skip
    Birth.objects.filter(child=f.children[0]).update(medical_certificate_number="Q620000001")
    data = {"program": programs["childcare_subsidy"].pk, "person_key": "q620000001",
            "applicant_id_number": f.father.id_number, "applied_on": "2026-03-01"}  # fmt: skip
    assert clerk_client.post(url("application_create"), data).status_code == 302
    application = Application.objects.get()
    assert (application.person, application.applicant) == (f.children[0], f.father)


@pytest.mark.jurisdiction("benefits:account")
def test_it_masks_accounts_and_404s_outside(frozen, clerk_client, other_client):
    _cycle, mine, _theirs = frozen
    page = clerk_client.get(url("account", mine.father.pk)).content.decode()
    assert "6229 **** 2222" in page and "6229000011112222" not in page
    assert other_client.get(url("account", mine.father.pk)).status_code == 404
    response = clerk_client.post(
        url("account", mine.father.pk),
        {"payee_name": "别人", "bank_name": "银行", "account_number": "6229000011113333"},
    )
    assert "户名“别人”与领取人“张父”不一致" in response.content.decode()
    assert BankAccount.objects.filter(person=mine.father).count() == 1


@pytest.mark.jurisdiction("benefits:cycle")
def test_it_lists_only_entries_in_scope(
    frozen, clerk_client, other_client, django_assert_max_num_queries
):
    cycle, mine, theirs = frozen
    with django_assert_max_num_queries(20):
        page = clerk_client.get(url("cycle", cycle.pk)).content.decode()
    assert mine.father.name in page and theirs.father.name not in page
    assert other_client.get(url("cycle", cycle.pk)).content.decode().count("刘父") == 1


@pytest.mark.jurisdiction("benefits:entry")
def test_it_shows_an_entry_with_its_reasons_and_404s_outside(frozen, clerk_client, other_client):
    cycle, mine, _ = frozen
    entry = Entry.objects.get(cycle=cycle, person=mine.father)
    page = clerk_client.get(url("entry", entry.pk)).content.decode()
    assert "年龄 76 岁（截至2026-12-31）" in page and "现有 1 个子女" in page
    assert AuditEntry.objects.filter(
        action="benefits.entry.viewed", target_id=str(entry.pk)
    ).exists()
    assert other_client.get(url("entry", entry.pk)).status_code == 404


@pytest.mark.jurisdiction("benefits:entry_village")
@pytest.mark.jurisdiction("benefits:entry_township")
@pytest.mark.jurisdiction("benefits:entry_duplicate")
@pytest.mark.jurisdiction("benefits:entry_objection")
def test_it_refuses_review_of_another_townships_entry(frozen, other_client):
    cycle, mine, _ = frozen
    entry = Entry.objects.get(cycle=cycle, person=mine.father)
    for name in ("entry_village", "entry_township", "entry_duplicate", "entry_objection"):
        assert other_client.post(url(name, entry.pk), {"decision": "approve"}).status_code == 404


@pytest.mark.jurisdiction("benefits:objection_resolve")
def test_it_refuses_to_resolve_another_townships_objection(frozen, other_client, clerk_client):
    cycle, mine, _ = frozen
    entry = Entry.objects.get(cycle=cycle, person=mine.father)
    objection = Objection.objects.create(entry=entry, received_on=date(2026, 3, 2), content="x")
    assert other_client.post(url("objection_resolve", objection.pk)).status_code == 404
    response = clerk_client.post(url("objection_resolve", objection.pk), {"decision": "upheld"})
    assert response.status_code == 302  # refused with a message: no resolution given
    assert Objection.objects.get().outcome == "open"


@pytest.mark.jurisdiction("benefits:cycle_open")
@pytest.mark.jurisdiction("benefits:cycle_candidates")
@pytest.mark.jurisdiction("benefits:cycle_approve")
@pytest.mark.jurisdiction("benefits:cycle_freeze")
@pytest.mark.jurisdiction("benefits:entrant")
@pytest.mark.jurisdiction("benefits:payment_file")
@pytest.mark.jurisdiction("benefits:confirmations")
def test_it_hides_a_cycle_from_another_county(frozen, other_county_admin, village_client, programs):
    cycle, mine, _ = frozen
    other = client_for(other_county_admin)
    for name in ("cycle_candidates", "cycle_approve", "cycle_freeze", "entrant", "payment_file",
                 "confirmations"):  # fmt: skip
        assert other.post(url(name, cycle.pk), {"person": mine.father.pk}).status_code == 404, name
    assert village_client.post(url("cycle_approve", cycle.pk)).status_code == 403
    response = other.post(url("cycle_open"), {"program": programs["rural_reward"].pk, "year": 2026})
    assert response.status_code == 302
    assert Cycle.objects.get(county_id="620421").year == 2026  # its own county's cycle


@pytest.mark.jurisdiction("benefits:notice_publish")
def test_it_publishes_only_the_workers_own_village(frozen, other_county_admin, village_client):
    cycle, _, _ = frozen
    assert client_for(other_county_admin).post(url("notice_publish", cycle.pk)).status_code == 404
    village_client.post(url("notice_publish", cycle.pk))
    assert Notice.objects.filter(cycle=cycle).count() == 2  # refused: the cycle is frozen


@pytest.mark.jurisdiction("benefits:notice_pdf")
def test_it_prints_the_notice_with_masked_ids(frozen, clerk_client, other_client):
    cycle, _mine, _ = frozen
    response = clerk_client.get(url("notice_pdf", cycle.pk) + f"?unit={VILLAGE}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="benefits.notice.printed").count() == 1
    assert other_client.get(url("notice_pdf", cycle.pk) + f"?unit={VILLAGE}").status_code == 404
    assert (
        other_client.get(url("notice_pdf", cycle.pk) + f"?unit={OTHER_VILLAGE}").status_code == 200
    )


def test_it_masks_ids_in_the_notice_template(frozen):
    from django.template.loader import render_to_string

    cycle, mine, _ = frozen
    html = render_to_string(
        "benefits/notice_pdf.html",
        {"cycle": cycle, "notice": Notice.objects.get(unit_id=VILLAGE), "rows": [
            {"name": mine.father.name, "sex": "男", "id": mine.father.id_masked, "amount": 960}
        ]},
    )  # fmt: skip
    assert mine.father.id_masked in html and mine.father.id_number not in html


@pytest.mark.jurisdiction("benefits:roster")
@pytest.mark.jurisdiction("benefits:roster_export")
def test_it_lists_and_exports_the_roster_in_scope(
    frozen, clerk_client, other_client, auditor, django_assert_max_num_queries
):
    cycle, mine, theirs = frozen
    with django_assert_max_num_queries(20):
        page = clerk_client.get(url("roster", cycle.pk)).content.decode()
    assert mine.father.name in page and theirs.father.name not in page
    assert "6229 **** 2222" in page and "6229000011112222" not in page
    rows = rows_of(clerk_client.get(url("roster_export", cycle.pk)))
    assert [r[2] for r in rows[1:]] == ["张父", "张母"]
    assert rows[1][4] == mine.father.id_masked and rows[1][11] == "6229 **** 2222"
    assert AuditEntry.objects.get(action="benefits.roster.exported").detail["rows"] == 2
    assert [r[2] for r in rows_of(other_client.get(url("roster_export", cycle.pk)))[1:]] == [
        "刘父",
        "刘母",
    ]
    assert client_for(auditor).get(url("roster_export", cycle.pk)).status_code == 403


@pytest.mark.jurisdiction("benefits:roster_exit")
def test_it_records_an_exit_within_the_county(frozen, county_client, other_county_admin):
    cycle, mine, _ = frozen
    row = RosterRow.objects.get(cycle=cycle, person=mine.mother)
    assert client_for(other_county_admin).post(url("roster_exit", row.pk)).status_code == 404
    county_client.post(url("roster_exit", row.pk), {"reason": "death", "month": "2026-04"})
    row.refresh_from_db()
    assert row.exit_reason == "death" and row.amount_due == 240


@pytest.mark.jurisdiction("benefits:report")
@pytest.mark.jurisdiction("benefits:report_export")
def test_it_reports_by_unit_in_scope(frozen, clerk_client, other_client, county_client):
    cycle, _, _ = frozen
    RosterRow.objects.filter(cycle=cycle, unit_id=VILLAGE, name="张父").update(
        payment_status="paid", paid_amount=960
    )
    page = clerk_client.get(url("report", cycle.pk)).content.decode()
    assert "会师镇" in page and "郭城驿镇" not in page and "50.0%" in page
    rows = rows_of(county_client.get(url("report_export", cycle.pk) + "?level=village"))
    assert rows[0][:3] == ["单位代码", "单位", "对象人数"]
    assert [(r[1], r[2], r[6]) for r in rows[1:]] == [("东关社区", 2, 50.0), ("郭城村", 2, 0.0)]
    assert "会师镇" not in other_client.get(url("report", cycle.pk)).content.decode()


def test_it_imports_confirmations_from_the_page(frozen, county_client):
    cycle, _mine, _ = frozen
    from famplan.benefits.models import BankLayout

    county_client.post(url("payment_file", cycle.pk), {"layout": BankLayout.objects.get().pk})
    row = RosterRow.objects.get(payment_status="sent")
    header = [("身份证号", 20), ("金额", 10), ("结果", 8), ("失败原因", 20)]
    bad = write_xlsx(header, [[row.id_number, "960", "失败", ""]])
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = county_client.post(
        url("confirmations", cycle.pk), {"file": SimpleUploadedFile("r.xlsx", bad)}
    ).content.decode()
    assert "第2行：发放失败须填写失败原因" in page
    good = write_xlsx(header, [[row.id_number, "960", "失败", "账户已销户"]])
    county_client.post(url("confirmations", cycle.pk), {"file": SimpleUploadedFile("r.xlsx", good)})
    row.refresh_from_db()
    assert row.payment_status == "failed" and row.failure_reason == "账户已销户"
    assert Entry.objects.filter(status=EntryStatus.APPROVED).count() == 4


@pytest.mark.jurisdiction("benefits:layouts")
def test_it_configures_a_bank_layout_at_the_county_only(frozen, county_client, clerk_client):
    from famplan.benefits.models import BankLayout

    lines = "姓名=name\n卡号=account_number\n发放金额=amount\n"
    assert clerk_client.post(url("layouts"), {"name": "县农行", "lines": lines}).status_code == 403
    bad = county_client.post(url("layouts"), {"name": "县农行", "lines": "卡号=card"})
    assert "第1行“卡号=card”应为“表头=字段”" in bad.content.decode()
    county_client.post(url("layouts"), {"name": "县农行", "sheet_name": "代发", "lines": lines})
    layout = BankLayout.objects.get(name="县农行")
    response = county_client.post(url("payment_file", frozen[0].pk), {"layout": layout.pk})
    assert rows_of(response) == [["姓名", "卡号", "发放金额"], ["张父", "6229000011112222", 960.0]]
    assert AuditEntry.objects.filter(action="benefits.layout.saved").count() == 1


def test_a_township_clerk_records_a_villages_review_from_the_pages(
    county_admin, programs, clerk_client
):
    from famplan.benefits import services

    f = family(county_admin)
    cycle = services.cycle_open(actor=county_admin, program=programs["rural_reward"], year=2026)
    services.cycle_list_candidates(actor=county_admin, cycle=cycle)
    entries = list(Entry.objects.filter(cycle=cycle, person__in=[f.father, f.mother]))
    page = clerk_client.get(url("entry", entries[0].pk)).content.decode()
    assert "村级审核（乡镇代录" in page
    for entry in entries:
        response = clerk_client.post(
            url("entry_village", entry.pk), {"decision": "approve", "attested": "1"}
        )
        assert response.status_code == 302
    assert set(Entry.objects.filter(cycle=cycle).values_list("status", flat=True)) == {
        EntryStatus.VILLAGE_APPROVED
    }
    assert "乡镇代录：" in clerk_client.get(url("entry", entries[0].pk)).content.decode()
    assert "代录公示" in clerk_client.get(url("cycle", cycle.pk)).content.decode()
    clerk_client.post(url("notice_publish", cycle.pk), {"unit": VILLAGE})
    notice = Notice.objects.get(cycle=cycle)
    assert notice.unit_id == VILLAGE
    assert "（乡镇代录）" in clerk_client.get(url("cycle", cycle.pk)).content.decode()
    # the township review waits for the notice to end: its form is not offered yet
    page = clerk_client.get(url("entry", entries[0].pk)).content.decode()
    assert 'data-testid="village-form"' not in page
    assert 'data-testid="township-form"' not in page


@pytest.mark.jurisdiction("benefits:program_create")
@pytest.mark.jurisdiction("benefits:program_update")
def test_the_county_sets_up_a_local_program_and_stops_it(
    programs, county_admin, county_client, clerk_client
):
    from famplan.benefits import eligibility, services

    assert clerk_client.get(url("program_create")).status_code == 403
    form = {
        "name": "会宁县计划生育特殊家庭县级扶助金",
        "rule": "special_assistance",
        "effective_from": "2026-01-01",
        "description": "县财政另行发放",
    }
    response = county_client.post(url("program_create"), {**form, "rule": "no_such_rule"})
    assert "选择一个有效的选项" in response.content.decode()
    response = county_client.post(url("program_create"), form)
    local = Program.objects.get(name=form["name"])
    assert response.url == url("program", local.pk)
    assert local.rule == "special_assistance" and local.code.startswith("local-")
    # it starts from the national program's parameters, and takes its own from then on
    national = programs["special_assistance"]
    day = date(2026, 6, 1)
    assert eligibility.params_on(local, day) == eligibility.params_on(national, day)
    values = {**eligibility.params_on(local, day), "died_rural_month": "500.00"}
    services.parameters_set(
        actor=county_admin, program=local, effective_from=date(2026, 3, 1), values=values
    )
    assert str(eligibility.params_on(local, day)["died_rural_month"]) == "500.00"
    assert str(eligibility.params_on(national, day)["died_rural_month"]) == "170.00"
    assert "已有名为" in county_client.post(url("program_create"), form).content.decode()
    page = county_client.get(url("program", local.pk)).content.decode()
    assert "（地方项目）" in page and 'data-testid="program-info-form"' in page
    # stopped: no new cycle
    assert clerk_client.post(url("program_update", local.pk), {"name": "x"}).status_code == 403
    county_client.post(url("program_update", local.pk), {"name": local.name, "description": ""})
    local.refresh_from_db()
    assert not local.active
    response = county_client.post(url("cycle_open"), {"program": local.pk, "year": 2026})
    assert not Cycle.objects.filter(program=local).exists()
    row = AuditEntry.objects.get(action="benefits.program.updated")
    assert row.detail == {"description": ["县财政另行发放", ""], "active": [True, False]}
    assert AuditEntry.objects.filter(action="benefits.program.created").count() == 1
