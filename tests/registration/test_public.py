"""The citizen pages: online application, status check, CSRF, CSP, rate limits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from famplan.audit.models import AuditEntry
from famplan.common.dates import today
from famplan.registration import ratelimit
from famplan.registration.forms import PHONE_RE, normalize_phone
from famplan.registration.models import BirthRegistration, Channel, Status
from famplan.registration.services import (
    RECEIPT_ALPHABET,
    normalize_receipt,
    registration_register,
    registration_return,
)
from tests.registration.conftest import VILLAGE, data_for, submit


def _apply_post(couple) -> dict:
    data = {
        "township": "620422100",
        "applicant": "husband",
        "married_on": "2018-10-01",
        "expected_on": (today() + timedelta(days=100)).isoformat(),
        "phone": "13900001111",
        "children-TOTAL_FORMS": "4",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "0",
        "children-MAX_NUM_FORMS": "20",
    }
    for prefix, who in (("wife", couple.wife), ("husband", couple.husband)):
        data.update(
            {
                f"{prefix}_name": who.name,
                f"{prefix}_id_number": who.id_number,
                f"{prefix}_hukou_unit": VILLAGE,
                f"{prefix}_residence_unit": VILLAGE,
            }
        )
    return data


@pytest.mark.jurisdiction("registration:public_apply")
def test_it_takes_an_online_application_into_the_chosen_townships_queue(client, couple):
    page = client.get("/registration/public/apply/")
    assert page.status_code == 200
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "style=" not in page.content.decode()
    response = client.post("/registration/public/apply/", _apply_post(couple))
    r = BirthRegistration.objects.get()
    assert (r.status, r.channel, r.township_id) == (Status.PENDING, Channel.ONLINE, "620422100")
    content = response.content.decode()
    assert r.receipt_display in content
    # Nothing of the registry shows: not even whether the couple was found.
    assert "人口信息库" not in content and couple.wife.id_number not in content
    entry = AuditEntry.objects.get(action="registration.registration.submitted")
    assert entry.user is None and entry.org_unit_id == "620422100"


def test_it_asks_online_for_hukou_and_residence(client, couple):
    data = _apply_post(couple)
    data["wife_hukou_unit"] = ""
    response = client.post("/registration/public/apply/", data)
    assert "请填写女方户籍地" in response.content.decode()
    assert not BirthRegistration.objects.exists()


def test_it_refuses_a_post_without_the_csrf_token(couple):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/registration/public/apply/", _apply_post(couple)).status_code == 403
    assert strict.post("/registration/public/status/", {}).status_code == 403
    assert not BirthRegistration.objects.exists()


@pytest.mark.jurisdiction("registration:public_status")
def test_it_shows_only_the_status_for_the_right_pairing(
    client, township_clerk, couple, other_couple
):
    r = submit(None, data_for(couple, places=True), channel=Channel.ONLINE)
    page = client.post(
        "/registration/public/status/",
        {"id_number": couple.husband.id_number, "receipt_number": r.receipt_display.lower()},
    )
    content = page.content.decode()
    assert "待核实" in content
    # Nothing beyond the status: no names, no township's record, no numbers.
    for secret in (couple.wife.name, couple.husband.name, "会师镇"):
        assert secret not in content
    # Another person's ID number with this receipt: the same "not found" as a wrong receipt.
    wrong = client.post(
        "/registration/public/status/",
        {"id_number": other_couple.wife.id_number, "receipt_number": r.receipt_number},
    )
    assert "未找到该申请，请核对身份证号和回执号。" in wrong.content.decode()
    assert "待核实" not in wrong.content.decode()
    registration_register(actor=township_clerk, registration=r)
    done = client.post(
        "/registration/public/status/",
        {"id_number": couple.wife.id_number, "receipt_number": r.receipt_number},
    )
    assert "已登记" in done.content.decode()
    assert r.receipt_number  # certificate number not shown either:
    r.refresh_from_db()
    assert r.certificate_number not in done.content.decode()
    checks = AuditEntry.objects.filter(action="registration.status.checked")
    assert sorted(checks.values_list("result", flat=True)) == ["failed", "ok", "ok"]


def test_it_does_not_show_the_return_reason(client, township_clerk, couple):
    r = submit(None, data_for(couple, places=True), channel=Channel.ONLINE)
    registration_return(actor=township_clerk, registration=r, reason="王芳的结婚证号有误")
    page = client.post(
        "/registration/public/status/",
        {"id_number": couple.wife.id_number, "receipt_number": r.receipt_number},
    )
    content = page.content.decode()
    assert "退回补正" in content and "王芳" not in content


def test_it_limits_status_checks_per_id_number(client, couple):
    r = submit(None, data_for(couple, places=True), channel=Channel.ONLINE)
    wrong = {"id_number": couple.wife.id_number, "receipt_number": "ABCDEFGHJKMN"}
    for _ in range(ratelimit.STATUS_PER_ID):
        assert client.post("/registration/public/status/", wrong).status_code == 200
    limited = client.post(
        "/registration/public/status/",
        {"id_number": couple.wife.id_number, "receipt_number": r.receipt_number},
    )
    assert limited.status_code == 429
    assert "查询次数过多，请一小时后再试。" in limited.content.decode()
    assert "待核实" not in limited.content.decode()
    # From another address the same ID number is still limited...
    other_ip = Client(REMOTE_ADDR="10.0.0.9")
    assert other_ip.post("/registration/public/status/", wrong).status_code == 429
    # ...while another ID number from the first address is not.
    other = {"id_number": couple.husband.id_number, "receipt_number": r.receipt_number}
    assert client.post("/registration/public/status/", other).status_code == 200


def test_it_limits_status_checks_per_address(client, couple, other_couple, monkeypatch):
    monkeypatch.setattr(ratelimit, "STATUS_PER_IP", 3)
    ids = [couple.wife.id_number, couple.husband.id_number, other_couple.wife.id_number]
    for id_number in ids:
        data = {"id_number": id_number, "receipt_number": "ABCDEFGHJKMN"}
        assert client.post("/registration/public/status/", data).status_code == 200
    data = {"id_number": other_couple.husband.id_number, "receipt_number": "ABCDEFGHJKMN"}
    assert client.post("/registration/public/status/", data).status_code == 429
    assert (
        Client(REMOTE_ADDR="10.0.0.10").post("/registration/public/status/", data).status_code
        == 200
    )


def test_it_limits_online_applications_per_address(client, couple, monkeypatch):
    monkeypatch.setattr(ratelimit, "APPLY_PER_IP", 2)
    for _ in range(2):
        client.post("/registration/public/apply/", _apply_post(couple))
    limited = client.post("/registration/public/apply/", _apply_post(couple))
    assert limited.status_code == 429
    assert "提交次数过多" in limited.content.decode()
    assert BirthRegistration.objects.count() == 2


def test_it_answers_a_malformed_status_query_in_chinese(client):
    page = client.post("/registration/public/status/", {"id_number": "123", "receipt_number": "x"})
    content = page.content.decode()
    assert "身份证号应为18位，实际为3位" in content
    assert "回执号应为12位字母和数字。" in content


@given(st.text(alphabet=RECEIPT_ALPHABET, min_size=12, max_size=12), st.data())
def test_it_reads_a_receipt_number_however_it_is_spaced_or_cased(receipt, data):
    seps = data.draw(st.lists(st.sampled_from(["", " ", "-", "\u3000"]), min_size=13, max_size=13))
    typed = "".join(
        sep + (ch.lower() if i % 2 else ch) for i, (sep, ch) in enumerate(zip(seps, receipt + " "))
    )
    assert normalize_receipt(typed) == receipt


@given(
    st.from_regex(r"1[3-9]\d{9}", fullmatch=True),
    st.sampled_from(["", "+86", "86", "+86 "]),
    st.sampled_from(["{a}{b}{c}", "{a} {b} {c}", "{a}-{b}-{c}"]),
)
def test_it_reads_a_mobile_number_however_it_is_written(number, prefix, layout):
    typed = prefix + layout.format(a=number[:3], b=number[3:7], c=number[7:])
    value = normalize_phone(typed)
    assert value == number and PHONE_RE.match(value)


@given(st.text(max_size=30))
def test_it_never_accepts_a_phone_with_letters(raw):
    value = normalize_phone(raw)
    if PHONE_RE.match(value):
        assert re.fullmatch(r"\d+", value)
