"""Birth registration pages: jurisdiction on every view, capabilities, audited reads."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from famplan.audit.models import AuditEntry
from famplan.common.dates import today
from famplan.registration.models import BirthRegistration, Channel, Status
from tests.conftest import client_for
from tests.registration.conftest import (
    OTHER_TOWNSHIP,
    VILLAGE,
    add_child,
    data_for,
    submit,
)


@pytest.fixture
def registered(township_clerk, couple) -> BirthRegistration:
    return submit(township_clerk, data_for(couple))


@pytest.fixture
def queued(couple) -> BirthRegistration:
    return submit(None, data_for(couple, places=True), channel=Channel.ONLINE)


@pytest.fixture
def elsewhere(other_clerk, other_couple) -> BirthRegistration:
    return submit(other_clerk, data_for(other_couple, township=OTHER_TOWNSHIP))


def _form_post(couple, **extra) -> dict:
    data = {
        "township": "620422100",
        "applicant": "wife",
        "wife_name": couple.wife.name,
        "wife_id_number": couple.wife.id_number.lower(),
        "husband_name": couple.husband.name,
        "husband_id_number": couple.husband.id_number,
        "married_on": "2018-10-01",
        "expected_on": (today() + timedelta(days=60)).isoformat(),
        "phone": "138 0000 0000",
        "children-TOTAL_FORMS": "4",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "0",
        "children-MAX_NUM_FORMS": "20",
    }
    data.update(extra)
    return data


@pytest.mark.jurisdiction("registration:list")
def test_it_lists_only_registrations_in_the_jurisdiction(
    clerk_client, other_client, village_client, registered, elsewhere, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        page = clerk_client.get("/registration/")
    assert list(page.context["page_obj"]) == [registered]
    assert list(other_client.get("/registration/").context["page_obj"]) == [elsewhere]
    # The village worker sees the registration of a couple of their village.
    assert list(village_client.get("/registration/").context["page_obj"]) == [registered]
    assert AuditEntry.objects.filter(action="registration.registration.listed").count() == 3


def test_it_filters_the_list(clerk_client, registered, queued):
    page = clerk_client.get("/registration/", {"status": "pending"})
    assert list(page.context["page_obj"]) == [queued]
    by_cert = clerk_client.get("/registration/", {"q": registered.certificate_number})
    assert list(by_cert.context["page_obj"]) == [registered]
    bad = clerk_client.get("/registration/", {"unit": "620422101"})
    assert list(bad.context["page_obj"]) == []
    assert "所选单位不存在或不在您的管辖范围内。" in bad.content.decode()


@pytest.mark.jurisdiction("registration:export")
def test_it_exports_the_jurisdiction_as_xlsx(clerk_client, registered, elsewhere):
    response = clerk_client.get("/registration/export/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("回执号", "登记证号", "状态")
    assert [r[1] for r in rows[1:]] == [registered.certificate_number]
    assert rows[1][6] == registered.wife_id_masked  # masked: no unmask right
    entry = AuditEntry.objects.get(action="registration.registration.exported")
    assert entry.detail["rows"] == 1


@pytest.mark.jurisdiction("registration:detail")
def test_it_shows_a_registration_only_inside_the_jurisdiction(
    clerk_client, other_client, registered, township_clerk
):
    page = clerk_client.get(f"/registration/{registered.pk}/")
    assert page.status_code == 200
    assert registered.certificate_number in page.content.decode()
    assert registered.wife_id_number not in page.content.decode()  # masked
    entry = AuditEntry.objects.get(action="registration.registration.viewed")
    assert (entry.user, entry.target_id) == (township_clerk, str(registered.pk))
    assert other_client.get(f"/registration/{registered.pk}/").status_code == 404
    assert clerk_client.get("/registration/999999/").status_code == 404


@pytest.mark.jurisdiction("registration:create")
def test_it_registers_at_the_counter_at_once_when_it_matches(clerk_client, other_client, couple):
    response = clerk_client.post("/registration/new/", _form_post(couple))
    r = BirthRegistration.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/registration/{r.pk}/"
    assert r.status == Status.REGISTERED and r.phone == "13800000000"
    # Another township cannot make a registration for this township.
    refused = other_client.post("/registration/new/", _form_post(couple))
    assert refused.status_code == 200
    assert "所选乡镇不存在。" in refused.content.decode()
    assert BirthRegistration.objects.count() == 1


def test_it_shows_bad_input_on_the_form(clerk_client, couple):
    response = clerk_client.post(
        "/registration/new/",
        _form_post(couple, wife_id_number="62042219900101123", **{"children-0-name": "李一"}),
    )
    content = response.content.decode()
    assert "女方身份证号应为18位，实际为17位" in content
    assert "子女的姓名、性别、出生日期请填写完整。" in content
    assert not BirthRegistration.objects.exists()


def test_it_refuses_users_without_the_capability(facility_user, auditor, registered):
    facility = client_for(facility_user)
    for url in ("/registration/", f"/registration/{registered.pk}/", "/registration/new/"):
        assert facility.get(url).status_code == 403
    read_only = client_for(auditor)
    assert read_only.get(f"/registration/{registered.pk}/").status_code == 200
    assert read_only.get("/registration/new/").status_code == 403
    assert read_only.post(f"/registration/{registered.pk}/register/").status_code == 403


@pytest.mark.jurisdiction("registration:register")
def test_it_registers_from_the_queue_only_in_the_handling_township(
    clerk_client, other_client, queued
):
    assert other_client.post(f"/registration/{queued.pk}/register/").status_code == 404
    queued.refresh_from_db()
    assert queued.status == Status.PENDING
    response = clerk_client.post(f"/registration/{queued.pk}/register/")
    assert response.status_code == 302
    queued.refresh_from_db()
    assert queued.status == Status.REGISTERED
    again = clerk_client.post(f"/registration/{queued.pk}/register/", follow=True)
    assert "只有待核实的申请可以登记" in again.content.decode()


@pytest.mark.jurisdiction("registration:return")
def test_it_returns_for_correction_only_in_the_handling_township(
    clerk_client, other_client, queued
):
    assert (
        other_client.post(f"/registration/{queued.pk}/return/", {"reason": "x"}).status_code == 404
    )
    empty = clerk_client.post(f"/registration/{queued.pk}/return/", {"reason": ""}, follow=True)
    assert "请填写退回原因" in empty.content.decode()
    clerk_client.post(f"/registration/{queued.pk}/return/", {"reason": "缺结婚证"})
    queued.refresh_from_db()
    assert (queued.status, queued.return_reason) == (Status.RETURNED, "缺结婚证")


@pytest.mark.jurisdiction("registration:link_birth")
def test_it_links_a_birth_from_the_page(township_clerk, clerk_client, other_client, couple):
    # Twins entered before the registration: two births fit, so nothing is linked on its
    # own and the page offers both.
    born = today() - timedelta(days=3)
    first = add_child(township_clerk, couple, born, name="李甲")
    second = add_child(township_clerk, couple, born, name="李乙", sex="F", multiple=True)
    r = submit(township_clerk, data_for(couple, expected_on=born))
    assert r.birth is None
    page = clerk_client.get(f"/registration/{r.pk}/")
    assert page.context["candidates"] == [first, second]
    assert (
        other_client.post(f"/registration/{r.pk}/link-birth/", {"birth": first.pk}).status_code
        == 404
    )
    response = clerk_client.post(f"/registration/{r.pk}/link-birth/", {"birth": first.pk})
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.birth == first
    again = clerk_client.post(
        f"/registration/{r.pk}/link-birth/", {"birth": second.pk}, follow=True
    )
    assert "该生育登记已关联出生记录" in again.content.decode()


@pytest.mark.jurisdiction("registration:link_births")
def test_it_links_recorded_births_of_the_handlers_own_registrations(
    unlinked_births, township_clerk, clerk_client, other_client, couple
):
    r = submit(township_clerk, data_for(couple, expected_on=today() - timedelta(days=3)))
    birth = add_child(township_clerk, couple, today() - timedelta(days=3))
    # Another township's clerk links nothing of 会师镇's.
    other_client.post("/registration/link-births/")
    r.refresh_from_db()
    assert r.birth is None
    response = clerk_client.post("/registration/link-births/", follow=True)
    assert "已关联 1 条出生记录。" in response.content.decode()
    r.refresh_from_db()
    assert r.birth == birth


@pytest.mark.jurisdiction("registration:card")
def test_it_prints_the_card_as_a_chinese_pdf_with_embedded_fonts(
    clerk_client, other_client, registered, queued
):
    response = clerk_client.get(f"/registration/{registered.pk}/card.pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert "生育登记服务卡" in text
    assert registered.certificate_number in text
    assert "王芳" in text and "李强" in text
    assert "第1个孩子" in text
    assert "会师镇" in text
    assert registered.wife_id_number not in text
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert AuditEntry.objects.filter(action="registration.card.printed").count() == 1
    assert other_client.get(f"/registration/{registered.pk}/card.pdf").status_code == 404
    not_yet = clerk_client.get(f"/registration/{queued.pk}/card.pdf")
    assert not_yet.status_code == 302


def test_it_puts_a_menu_entry_for_those_who_may_see_registrations(clerk_client, facility_user):
    assert "/registration/" in clerk_client.get("/").content.decode()
    assert "/registration/" not in client_for(facility_user).get("/").content.decode()


def test_it_hides_the_handling_buttons_from_another_township_seeing_it(
    other_clerk, couple, township_clerk
):
    # Registered at 郭城驿镇 (the wife's residence typed there), the couple living in 会师镇:
    # 会师镇 sees it under the spouses' village but cannot work it.
    data = data_for(couple, township=OTHER_TOWNSHIP)
    data.wife.residence_unit_id = "620422101201"
    r = submit(other_clerk, data)
    page = client_for(township_clerk).get(f"/registration/{r.pk}/")
    assert page.status_code == 200
    assert page.context["can_handle"] is False
    assert r.wife_village_id == VILLAGE
