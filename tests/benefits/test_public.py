"""The citizen pages of 育儿补贴: apply online (no account), check the status; and the
subsidy line of the 出生一件事 checklist."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from famplan.audit.models import AuditEntry
from famplan.benefits import public
from famplan.benefits.models import Application, BankAccount, Entry, EntryStatus
from famplan.benefits.services import application_submit, bank_account_set
from famplan.common.dates import today
from famplan.registration import ratelimit
from famplan.registration.selectors import SUBSIDY_LABEL, bundle_lines
from famplan.registration.services import RECEIPT_ALPHABET, RECEIPT_LENGTH, normalize_receipt
from famplan.registry.models import Birth
from tests.benefits.conftest import family

ACCOUNT = "6228 4800 1234 5678 901"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def young(township_clerk, programs):
    return family(
        township_clerk,
        father_born=today().replace(year=today().year - 32),
        mother_born=today().replace(year=today().year - 30),
        children=(("F", today() - timedelta(days=200)),),
        surname="网",
    )


def _post(fam, **over) -> dict:
    data = {
        "parent_name": fam.mother.name,
        "parent_id_number": fam.mother.id_number,
        "child_key": fam.children[0].id_number,
        "payee_name": fam.mother.name,
        "bank_name": "甘肃会宁农村商业银行",
        "account_number": ACCOUNT,
    }
    data.update(over)
    return data


def _apply(client, fam, **over):
    return client.post("/benefits/public/apply/", _post(fam, **over))


@pytest.mark.jurisdiction("benefits:public_apply")
def test_it_takes_an_online_application_with_the_account_and_shows_only_a_receipt(client, young):
    page = client.get("/benefits/public/apply/")
    assert page.status_code == 200
    assert "style=" not in page.content.decode()
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    response = _apply(client, young)
    assert response.status_code == 200
    application = Application.objects.get()
    child = young.children[0]
    assert (application.person_id, application.applicant_id) == (child.pk, young.mother.pk)
    assert application.unit_id == child.unit_id and application.applied_on == today()
    assert application.entered_by.username == "online-620422"
    content = response.content.decode()
    assert public.receipt_display(application.pk) in content
    assert child.name not in content and young.mother.id_number not in content
    account = BankAccount.objects.get(person=young.mother, active=True)
    assert account.account_number == "6228480012345678901"
    submitted = AuditEntry.objects.get(action="benefits.application.online_submitted")
    assert submitted.org_unit_id == child.unit_id and submitted.detail["account"] == "created"
    assert AuditEntry.objects.filter(action="benefits.application.submitted").count() == 1
    assert AuditEntry.objects.filter(action="benefits.account.created").count() == 1


def test_it_finds_the_child_by_the_birth_medical_certificate(client, young):
    Birth.objects.filter(child=young.children[0]).update(medical_certificate_number="Q620123456")
    _apply(client, young, child_key="q620123456", parent_name=young.father.name,
           parent_id_number=young.father.id_number, payee_name=young.father.name)  # fmt: skip
    assert Application.objects.get().applicant_id == young.father.pk


def test_the_online_account_holds_no_capability_and_cannot_log_in(client, young):
    _apply(client, young)
    account = Application.objects.get().entered_by
    assert not account.has_usable_password() and account.capabilities == frozenset()


@pytest.mark.parametrize(
    "over",
    [
        {"parent_name": "别人"},  # the name differs from the registry's
        {"child_key": "620422201501011234"},  # no such child (a valid-looking number)
        {"child_key": "Q000000"},  # no such certificate
    ],
)
def test_it_answers_every_mismatch_the_same_and_writes_nothing(client, young, over):
    if "parent_name" in over:
        over["payee_name"] = over["parent_name"]
    response = _apply(client, young, **over)
    assert public.NOT_MATCHED in response.content.decode()
    assert not Application.objects.exists() and not BankAccount.objects.exists()
    assert AuditEntry.objects.filter(action="benefits.application.online_refused").exists()


def test_it_refuses_a_parent_who_is_not_the_childs_the_same_way(client, young, township_clerk):
    stranger = family(township_clerk, surname="李", children=())
    response = _apply(client, young, parent_name=stranger.mother.name,
                      parent_id_number=stranger.mother.id_number,
                      payee_name=stranger.mother.name)  # fmt: skip
    assert public.NOT_MATCHED in response.content.decode()
    assert not Application.objects.exists() and not BankAccount.objects.exists()


def test_a_second_application_for_the_child_is_refused_whoever_made_the_first(
    client, young, township_clerk, programs
):
    # One rule, one home: the township's application and the online one meet in
    # application_submit.
    application_submit(
        actor=township_clerk, program=programs["childcare_subsidy"], person=young.children[0],
        applicant=young.father, applied_on=today(),
    )  # fmt: skip
    response = _apply(client, young)
    assert public.NOT_MATCHED in response.content.decode()
    assert Application.objects.count() == 1 and not BankAccount.objects.exists()


@pytest.mark.parametrize(
    ("over", "field_message"),
    [
        ({"payee_name": "他人"}, "与领取人"),
        ({"account_number": "1234"}, "账号应为12至19位数字，现为4位"),
        ({"account_number": "6228abc"}, "账号只能由数字组成"),
        ({"parent_id_number": "620422"}, "身份证号"),
    ],
)
def test_it_names_the_field_of_a_bad_account_or_id(client, young, over, field_message):
    response = _apply(client, young, **over)
    assert field_message in response.content.decode()
    assert not Application.objects.exists() and not BankAccount.objects.exists()


def test_it_never_replaces_an_account_on_file_from_the_public_page(client, young, township_clerk):
    bank_account_set(actor=township_clerk, person=young.mother, payee_name=young.mother.name,
                     bank_name="中国农业银行", account_number="6228480000000000001")  # fmt: skip
    _apply(client, young)
    assert Application.objects.exists()
    account = BankAccount.objects.get(person=young.mother, active=True)
    assert account.account_number == "6228480000000000001"
    entry = AuditEntry.objects.get(action="benefits.application.online_submitted")
    assert entry.detail["account"] == "differs"
    # the township sees the typed account, masked, waiting to be checked with the parent
    assert Application.objects.get().account_to_check == "甘肃会宁农村商业银行 6228 **** 8901"


@pytest.mark.jurisdiction("benefits:account_kept")
def test_the_township_settles_a_differing_online_account(
    client, young, township_clerk, other_clerk
):
    from django.urls import reverse

    from tests.conftest import client_for

    bank_account_set(actor=township_clerk, person=young.mother, payee_name=young.mother.name,
                     bank_name="中国农业银行", account_number="6228480000000000001")  # fmt: skip
    _apply(client, young)
    application = Application.objects.get()
    clerk, other = client_for(township_clerk), client_for(other_clerk)
    assert "6228 **** 8901" in clerk.get(reverse("benefits:home")).content.decode()
    assert "6228 **** 8901" not in other.get(reverse("benefits:home")).content.decode()
    account_page = reverse("benefits:account", args=[young.mother.pk])
    assert 'data-testid="accounts-to-check"' in clerk.get(account_page).content.decode()
    kept = reverse("benefits:account_kept", args=[application.pk])
    assert other.post(kept, {"note": "x"}).status_code == 404
    clerk.post(kept, {"note": ""})  # refused: the check is not described
    assert Application.objects.get().account_to_check
    clerk.post(kept, {"note": "电话核实，仍用原账户"})
    assert Application.objects.get().account_to_check == ""
    row = AuditEntry.objects.get(action="benefits.application.account_kept")
    assert row.detail["typed"] == "甘肃会宁农村商业银行 6228 **** 8901"
    assert row.detail["note"] == "电话核实，仍用原账户"
    assert "6228 **** 8901" not in clerk.get(reverse("benefits:home")).content.decode()
    assert clerk.post(kept, {"note": "again"}).status_code == 404  # settled: nothing to keep


def test_setting_the_new_account_settles_the_online_application(client, young, township_clerk):
    bank_account_set(actor=township_clerk, person=young.mother, payee_name=young.mother.name,
                     bank_name="中国农业银行", account_number="6228480000000000001")  # fmt: skip
    _apply(client, young)
    application = Application.objects.get()
    bank_account_set(actor=township_clerk, person=young.mother, payee_name=young.mother.name,
                     bank_name="甘肃会宁农村商业银行", account_number=ACCOUNT)  # fmt: skip
    assert Application.objects.get().account_to_check == ""
    row = AuditEntry.objects.get(action="benefits.account.changed")
    assert row.detail["applications_checked"] == [application.pk]


def test_it_limits_applications_from_one_address(client, young):
    for _ in range(ratelimit.APPLY_PER_IP):
        _apply(client, young, parent_name="别人", payee_name="别人")
    assert _apply(client, young).status_code == 429
    assert not Application.objects.exists()


@pytest.mark.jurisdiction("benefits:public_status")
def test_it_shows_the_status_for_the_id_and_receipt_and_nothing_else(client, young):
    _apply(client, young)
    application = Application.objects.get()
    receipt = public.receipt_display(application.pk)
    assert client.get("/benefits/public/status/").status_code == 200
    check = {"id_number": young.mother.id_number, "receipt_number": receipt.lower()}
    content = client.post("/benefits/public/status/", check).content.decode()
    assert "已受理" in content and young.children[0].name not in content
    # The other parent's ID number with this receipt: not found, like a wrong receipt.
    other = {"id_number": young.father.id_number, "receipt_number": receipt}
    assert "未找到该申请" in client.post("/benefits/public/status/", other).content.decode()
    rows = AuditEntry.objects.filter(action="benefits.application.status_checked")
    assert sorted(rows.values_list("result", flat=True)) == ["failed", "ok"]


def test_the_status_follows_the_review(client, young, county_admin, programs):
    _apply(client, young)
    application = Application.objects.get()
    assert public.status_text(application, None)[0] == "已受理"
    assert public.status_text(application, EntryStatus.VILLAGE_APPROVED)[0] == "审核中"
    assert public.status_text(application, EntryStatus.TOWNSHIP_REJECTED)[0] == "未通过审核"
    assert public.status_text(application, EntryStatus.APPROVED)[0] == "已审批"


def test_it_limits_status_checks_per_id_number(client, young):
    check = {"id_number": young.mother.id_number, "receipt_number": "AAAA-AAAA-AAAA"}
    for _ in range(ratelimit.STATUS_PER_ID):
        assert client.post("/benefits/public/status/", check).status_code == 200
    assert client.post("/benefits/public/status/", check).status_code == 429


def test_the_bundle_shows_the_subsidy_application_and_its_state(
    client, clerk_client, other_client, young
):
    birth = Birth.objects.get(child=young.children[0])
    line = bundle_lines(birth)[-1]
    assert (line.label, line.done, line.note) == (SUBSIDY_LABEL, False, "")
    _apply(client, young)
    application = Application.objects.get()
    line = bundle_lines(birth)[-1]
    assert line.done and line.number == public.receipt_display(application.pk)
    assert (line.note, line.done_on, line.by) == ("已受理", today(), "网上申请")
    page = clerk_client.get(f"/registration/births/{birth.pk}/").content.decode()
    assert public.receipt_display(application.pk) in page and "已受理" in page
    assert other_client.get(f"/registration/births/{birth.pk}/").status_code == 404


def test_the_worklist_reads_the_subsidy_lines_in_a_fixed_number_of_queries(
    client, clerk_client, township_clerk, programs, django_assert_max_num_queries
):
    def listing() -> int:
        with django_assert_max_num_queries(20) as ctx:
            assert clerk_client.get("/registration/births/").status_code == 200
        return len(ctx.captured_queries)

    first = family(township_clerk, surname="甲", children=(("M", today() - timedelta(days=30)),))
    _apply(client, first)
    few = listing()
    for surname in "乙丙丁":
        more = family(
            township_clerk, surname=surname, children=(("F", today() - timedelta(days=40)),)
        )
        _apply(client, more)
    assert Application.objects.count() == 4
    assert listing() == few


def test_an_entry_of_the_cycle_moves_the_line(client, young):
    _apply(client, young)
    application = Application.objects.get()
    assert public._entry_statuses([application.pk]) == {}
    assert Entry.objects.filter(application=application).count() == 0


def test_the_missing_only_worklist_keeps_a_newborn_until_the_subsidy_is_applied_for(
    client, village_client, young
):
    birth = Birth.objects.get(child=young.children[0])
    missing = {"missing": "on"}
    rows = village_client.get("/registration/births/", missing).context["rows"]
    assert birth in [b for b, _ in rows]
    _apply(client, young)
    rows = village_client.get("/registration/births/", missing).context["rows"]
    lines = dict((b, lines) for b, lines in rows)
    # Still on the worklist for its other items, with the subsidy line done.
    assert lines[birth][-1].done


def test_the_worklist_export_holds_the_subsidy_receipt(client, clerk_client, young):
    import io

    from openpyxl import load_workbook

    _apply(client, young)
    receipt = public.receipt_display(Application.objects.get().pk)
    response = clerk_client.get("/registration/births/export/")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    row = next(r for r in rows if r[0] == young.children[0].name)
    assert row[-2] == receipt and "育儿补贴申请" not in row[-1]


@given(st.integers(min_value=1, max_value=2**31 - 1), st.sampled_from(["", " ", "-", "\u3000"]))
def test_a_receipt_reads_back_however_it_is_typed(pk, separator):
    number = public.receipt_number(pk)
    assert len(number) == RECEIPT_LENGTH and set(number) <= set(RECEIPT_ALPHABET)
    typed = public.receipt_display(pk).replace("-", separator).lower()
    assert normalize_receipt(typed) == number and public._receipt_matches(pk, number)
    assert not public._receipt_matches(pk + 1, number)
