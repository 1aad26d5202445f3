"""The birth medical certificate number (出生医学证明编号) and the father on a delivery:
the registry's own rules through the API, the facility's form and the registry's birth
form alike; stored on the delivery and the Birth; filled in on a matched Birth through
the registry's writer, or refused as a conflict; shown on the lists and the export."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from famplan.audit.models import AuditEntry
from famplan.benefits.selectors import person_by_key
from famplan.common.dates import today
from famplan.common.errors import DomainError
from famplan.common.idnumbers import make_id_number
from famplan.deliveries.models import DeliveryRecord, Via
from famplan.deliveries.services import (
    FIELD_LABELS,
    DeliveriesRefused,
    DeliveryConflict,
    DeliveryData,
    _clean,
    deliveries_record,
)
from famplan.registry.models import Birth, Person
from famplan.registry.services import birth_record
from famplan.registry.services.births import CERTIFICATE_MESSAGE, normalize_certificate_number
from tests.deliveries.conftest import data, delivery
from tests.deliveries.test_parity import api_outcome, registry_state, three_ways
from tests.registry.factories import person
from tests.registry.parity import attempt, form_outcome

NUMBER = "Q620012345"


@pytest.fixture
def father(township_clerk) -> Person:
    return person(township_clerk, name="李强", sex="M", born=date(1992, 3, 4))


def record(hospital, *items, via=Via.API):
    return deliveries_record(
        actor=hospital.facility.account, facility=hospital.facility, items=list(items), via=via
    )


def village_birth(clerk, mother, **extra) -> Birth:
    values = {
        "father": None, "child_name": "李宝", "sex": "M",
        "born_on": today() - timedelta(days=2), "place_type": "hospital",
    }  # fmt: skip
    values.update(extra)
    return birth_record(actor=clerk, mother=mother, **values)


# --- parity: the API, the facility's form, the registry's form ------------------------


def test_it_records_the_number_and_the_father_the_same_three_ways(
    hospital, facility_client, clerk_client, mother, father
):
    # Typed as people copy it: lower case, a dash, full-width digits; the registry's
    # normalisation makes it Q620012345 everywhere.
    payload = delivery(
        mother, father_id_number=father.id_number, medical_certificate_number=" q620-０１２345 "
    )
    api, form, registry = three_ways(hospital, facility_client, clerk_client, payload, mother.name)
    assert not api.refusals and not form.refusals and not registry.refusals
    states = [registry_state(o.state) for o in (api, form, registry)]
    assert states[0] == states[1] == states[2]
    (birth,) = states[0]["births"]
    assert (birth["medical_certificate_number"], birth["father_id"]) == (NUMBER, "李强")


@pytest.mark.parametrize(
    "case, field, message",
    [
        ("bad_number", "medical_certificate_number", CERTIFICATE_MESSAGE),
        ("taken_number", "medical_certificate_number", f"出生医学证明编号{NUMBER}已登记"),
        ("female_father", "father_id_number", "父亲的性别应为男"),
        ("mother_as_father", "father_id_number", "父亲与母亲不能是同一人"),
    ],
)
def test_it_refuses_the_same_way_three_ways(
    hospital, facility_client, clerk_client, township_clerk, mother, case, field, message
):
    overrides: dict = {}
    if case == "bad_number":
        overrides["medical_certificate_number"] = "62-0012345"
    elif case == "taken_number":
        sister = person(township_clerk, name="王兰", sex="F", born=date(1990, 7, 7))
        village_birth(township_clerk, sister, medical_certificate_number=NUMBER)
        overrides["medical_certificate_number"] = NUMBER.lower()
    elif case == "female_father":
        aunt = person(township_clerk, name="王梅", sex="F", born=date(1991, 8, 8))
        overrides["father_id_number"] = aunt.id_number
    else:
        overrides["father_id_number"] = mother.id_number
    payload = delivery(mother, **overrides)
    api, form, registry = three_ways(hospital, facility_client, clerk_client, payload, mother.name)
    assert api.refusals == form.refusals == registry.refusals == {field: [message]}
    assert not any(a[0] == "registry.birth.recorded" for a in api.state["audit"])


@pytest.mark.parametrize(
    "father_id, message",
    [
        ("STRANGER", "未找到父亲身份证号为{stranger}的人员"),
        ("620422199203041230", "父亲身份证号校验位错误"),
        ("62042219920304123", "父亲身份证号应为18位，实际为17位"),
    ],
)
def test_the_api_and_the_form_name_the_father_when_refusing_his_id_number(
    hospital, facility_client, mother, father_id, message
):
    stranger = make_id_number("620422", date(1990, 3, 3), 77, "M")
    payload = delivery(mother, father_id_number=stranger if father_id == "STRANGER" else father_id)
    api = attempt(lambda: api_outcome(hospital.token, payload))
    values = {k: "" if v is None else str(v) for k, v in payload.items()}
    form = attempt(lambda: form_outcome(facility_client, reverse("deliveries:create"), values, {}))
    expected = {"father_id_number": [message.format(stranger=stranger)]}
    assert api.refusals == form.refusals == expected
    assert not any(a[0].startswith("registry.") for a in api.state["audit"])


def test_it_finds_the_father_only_in_the_facilitys_area(clinic, mother, other_clerk):
    """As the mother is found: a man of another township is not found by 会师镇卫生院."""
    elsewhere = person(other_clerk, name="赵刚", sex="M", born=date(1990, 1, 2),
                       unit="620422101201")  # fmt: skip
    with pytest.raises(DeliveriesRefused) as refused:
        record(clinic, data(mother, father_id_number=elsewhere.id_number))
    (error,) = refused.value.results[0].errors
    assert (error.field, error.message) == (
        "father_id_number",
        f"未找到父亲身份证号为{elsewhere.id_number}的人员",
    )


# --- stored on the delivery and the Birth ---------------------------------------------


def test_it_stores_both_on_the_delivery_and_the_birth_and_benefits_find_the_child(
    hospital, mother, father
):
    (result,) = record(
        hospital,
        data(mother, father_id_number=father.id_number, medical_certificate_number="q620012345"),
    )
    d = DeliveryRecord.objects.select_related("birth").get()
    assert (d.medical_certificate_number, d.father, d.father_id_number) == (
        NUMBER, father, father.id_number,
    )  # fmt: skip
    assert (d.birth.medical_certificate_number, d.birth.father) == (NUMBER, father)
    # The 育儿补贴 lookup finds the newborn by the number the hospital gave.
    assert person_by_key(Person.objects.all(), "q620012345") == result.delivery.birth.child


def test_a_delivery_without_them_stores_none(hospital, mother):
    record(hospital, data(mother))
    d = DeliveryRecord.objects.select_related("birth").get()
    assert (d.medical_certificate_number, d.father_id, d.father_id_number) == (None, None, None)
    assert (d.birth.medical_certificate_number, d.birth.father_id) == (None, None)


# --- matching a birth the village entered ---------------------------------------------


def test_matching_fills_in_the_number_and_the_father_through_the_registry(
    hospital, mother, father, township_clerk
):
    entered = village_birth(township_clerk, mother)
    before = entered.version
    (result,) = record(
        hospital, data(mother, father_id_number=father.id_number, medical_certificate_number=NUMBER)
    )
    assert (result.status, result.delivery.birth_id) == ("matched", entered.pk)
    entered.refresh_from_db()
    assert (entered.medical_certificate_number, entered.father_id) == (NUMBER, father.pk)
    assert entered.version == before + 1 and entered.birth_order == 1
    entry = AuditEntry.objects.get(action="registry.birth.updated")
    assert entry.target_id == str(entered.pk) and entry.user == hospital.facility.account
    assert entry.detail["filled"] == ["medical_certificate_number", "father"]
    assert entry.detail["cause"] == "delivery_matched" and entry.detail["via"] == "delivery_api"
    assert Birth.objects.count() == 1


def test_matching_keeps_what_the_birth_has_and_fills_only_the_rest(
    hospital, mother, father, township_clerk
):
    entered = village_birth(township_clerk, mother, father=father)
    # The same father, and a number the birth lacks: only the number is filled in.
    (result,) = record(
        hospital, data(mother, father_id_number=father.id_number, medical_certificate_number=NUMBER)
    )
    assert result.status == "matched"
    assert AuditEntry.objects.get(action="registry.birth.updated").detail["filled"] == [
        "medical_certificate_number"
    ]
    entered.refresh_from_db()
    assert (entered.medical_certificate_number, entered.father) == (NUMBER, father)


def test_a_delivery_without_a_father_leaves_the_birth_s_father(
    hospital, mother, father, township_clerk
):
    entered = village_birth(township_clerk, mother, father=father)
    (result,) = record(hospital, data(mother))
    assert result.status == "matched" and result.delivery.father is None
    entered.refresh_from_db()
    assert entered.father == father
    assert not AuditEntry.objects.filter(action="registry.birth.updated").exists()


def test_matching_a_birth_with_the_same_number_writes_nothing_to_it(
    hospital, mother, township_clerk
):
    entered = village_birth(township_clerk, mother, medical_certificate_number=NUMBER)
    (result,) = record(hospital, data(mother, medical_certificate_number=NUMBER))
    assert (result.status, result.delivery.birth_id) == ("matched", entered.pk)
    assert not AuditEntry.objects.filter(action="registry.birth.updated").exists()


def test_matching_refuses_a_birth_with_another_number_as_a_conflict(
    hospital, mother, township_clerk
):
    entered = village_birth(township_clerk, mother, medical_certificate_number="Q620099999")
    with pytest.raises(DeliveriesRefused) as refused:
        record(hospital, data(mother, medical_certificate_number=NUMBER))
    (result,) = refused.value.results
    assert result.conflict
    (error,) = result.errors
    assert isinstance(error, DeliveryConflict) and error.field == "medical_certificate_number"
    day = entered.born_on.strftime("%Y-%m-%d")
    assert error.message == (
        f"该母亲{day}出生的李宝（男）已登记出生医学证明编号Q620099999，与本次提交的{NUMBER}"
        "不一致；请核对，如需更正请联系乡镇(街道)专干"
    )
    assert not DeliveryRecord.objects.exists()
    entered.refresh_from_db()
    assert entered.medical_certificate_number == "Q620099999"


def test_a_twin_with_its_own_number_is_a_new_birth(hospital, mother, township_clerk):
    entered = village_birth(township_clerk, mother, medical_certificate_number="Q620099999")
    (result,) = record(hospital, data(mother, medical_certificate_number=NUMBER, multiple=True))
    assert result.status == "created" and result.delivery.birth_id != entered.pk
    assert result.delivery.birth.birth_order == 2
    assert result.delivery.birth.medical_certificate_number == NUMBER


def test_matching_picks_the_twin_with_the_delivery_s_number(hospital, mother, township_clerk):
    village_birth(
        township_clerk, mother, child_name="大宝", medical_certificate_number="Q620000001"
    )
    second = village_birth(
        township_clerk, mother, child_name="二宝", medical_certificate_number="Q620000002",
        multiple=True,
    )  # fmt: skip
    # The second twin says so, as on the registry form; its number picks its birth.
    (result,) = record(
        hospital, data(mother, medical_certificate_number="Q620000002", multiple=True)
    )
    assert (result.status, result.delivery.birth_id) == ("matched", second.pk)


def test_a_twin_of_the_call_counts_the_father_filled_in_on_its_sibling(
    hospital, mother, father, township_clerk
):
    entered = village_birth(township_clerk, mother)
    first, second = record(
        hospital,
        data(mother, "T1", father_id_number=father.id_number),
        data(mother, "T2", father_id_number=father.id_number, multiple=True),
    )
    assert (first.status, first.delivery.birth_id) == ("matched", entered.pk)
    assert second.status == "created"
    births = Birth.objects.filter(mother=mother).order_by("birth_order")
    assert [(b.father_id, b.birth_order) for b in births] == [(father.pk, 1), (father.pk, 2)]


def test_matching_refuses_a_birth_with_another_father_as_a_conflict(
    hospital, mother, father, township_clerk
):
    other = person(township_clerk, name="张伟", sex="M", born=date(1991, 4, 4))
    entered = village_birth(township_clerk, mother, father=other)
    with pytest.raises(DeliveriesRefused) as refused:
        record(hospital, data(mother, father_id_number=father.id_number))
    (error,) = refused.value.results[0].errors
    assert isinstance(error, DeliveryConflict) and error.field == "father_id_number"
    assert "已登记的父亲与本次提交的父亲身份证号不一致" in error.message
    # The registered father is not named to the hospital.
    assert "张伟" not in error.message
    entered.refresh_from_db()
    assert entered.father_id == other.pk and not DeliveryRecord.objects.exists()


# --- a number is one child's ----------------------------------------------------------


def test_it_refuses_a_number_another_birth_carries(hospital, mother, township_clerk):
    sister = person(township_clerk, name="王兰", sex="F", born=date(1990, 7, 7))
    village_birth(township_clerk, sister, medical_certificate_number=NUMBER)
    with pytest.raises(DeliveriesRefused) as refused:
        record(hospital, data(mother, medical_certificate_number=NUMBER))
    (error,) = refused.value.results[0].errors
    assert (error.field, error.message) == (
        "medical_certificate_number",
        f"出生医学证明编号{NUMBER}已登记",
    )
    assert not isinstance(error, DeliveryConflict)


def test_a_number_taken_at_the_same_moment_is_refused_by_the_database(
    hospital, mother, township_clerk, monkeypatch
):
    """Another clerk saves the number between the check and the write: the registry's
    unique constraint refuses it, and nothing of the delivery is written."""
    sister = person(township_clerk, name="王兰", sex="F", born=date(1990, 7, 7))
    village_birth(township_clerk, sister, medical_certificate_number=NUMBER)
    monkeypatch.setattr(
        "famplan.deliveries.services.taken_certificate_numbers", lambda numbers: set()
    )
    with pytest.raises(DomainError) as refused:
        record(hospital, data(mother, medical_certificate_number=NUMBER))
    assert refused.value.message == "该机构病案号或出生医学证明编号刚被提交，请核对后重试"
    assert not DeliveryRecord.objects.exists() and Birth.objects.count() == 1


def test_it_refuses_one_number_twice_in_a_call(hospital, mother, township_clerk):
    sister = person(township_clerk, name="王兰", sex="F", born=date(1990, 7, 7))
    with pytest.raises(DeliveriesRefused) as refused:
        record(
            hospital,
            data(mother, "A", medical_certificate_number=NUMBER),
            data(sister, "B", medical_certificate_number=NUMBER.lower()),
        )
    first, second = refused.value.results
    assert first.ok
    assert [(e.field, e.message) for e in second.errors] == [
        ("medical_certificate_number", "出生医学证明编号与第1条重复")
    ]
    assert not Birth.objects.exists()


# --- replays and conflicts ----------------------------------------------------------


def test_the_replay_rule_counts_the_number_and_the_father(hospital, mother, father):
    (first,) = record(
        hospital, data(mother, father_id_number=father.id_number, medical_certificate_number=NUMBER)
    )
    # The same facts as typed otherwise: a replay.
    (again,) = record(
        hospital,
        data(
            mother,
            father_id_number=" " + father.id_number,
            medical_certificate_number="q620 012345",
        ),
    )
    assert again.replayed and again.delivery == first.delivery
    for changed in (
        {"father_id_number": father.id_number, "medical_certificate_number": "Q620054321"},
        {"medical_certificate_number": NUMBER},  # the father left out
        {"father_id_number": father.id_number},  # the number left out
    ):
        with pytest.raises(DeliveriesRefused) as refused:
            record(hospital, data(mother, **changed))
        (error,) = refused.value.results[0].errors
        assert isinstance(error, DeliveryConflict) and error.field == "record_id"
    assert DeliveryRecord.objects.count() == 1


def test_a_delivery_without_the_new_fields_keeps_its_old_digest():
    """Deliveries recorded before the fields existed are replays of themselves still."""
    item = DeliveryData(record_id="R", mother_id_number="620422199405061234",
                        delivered_on=date(2026, 1, 2), sex="M", weight_g=3000)  # fmt: skip
    old = ["620422199405061234", "2026-01-02", "M", 3000, "hospital", "", False]
    expected = hashlib.sha256(json.dumps(old, ensure_ascii=False).encode()).hexdigest()
    assert item.digest() == expected
    item.medical_certificate_number = NUMBER
    assert item.digest() != expected


# --- the form and the lists ---------------------------------------------------------


def test_the_facility_form_takes_both(facility_client, hospital, mother, father):
    page = facility_client.get("/deliveries/new/").content.decode()
    assert 'name="father_id_number"' in page and 'name="medical_certificate_number"' in page
    assert "出生医学证明编号" in page and "父亲身份证号" in page
    values = {k: str(v) for k, v in delivery(mother).items()}
    values |= {"father_id_number": father.id_number, "medical_certificate_number": NUMBER}
    assert facility_client.post("/deliveries/new/", values).status_code == 302
    d = DeliveryRecord.objects.get()
    assert (d.via, d.father, d.medical_certificate_number) == (Via.FORM, father, NUMBER)


def test_the_lists_and_exports_show_the_number_and_the_fathers_name(
    hospital, facility_client, clerk_client, mother, father
):
    record(
        hospital, data(mother, father_id_number=father.id_number, medical_certificate_number=NUMBER)
    )
    for url in ("/deliveries/", "/deliveries/area/"):
        page = (facility_client if url == "/deliveries/" else clerk_client).get(url)
        html = page.content.decode()
        assert NUMBER in html and "李强" in html and "<th>出生医学证明编号</th>" in html
    for client, url in (
        (facility_client, "/deliveries/export/"),
        (clerk_client, "/deliveries/area/export/"),
    ):
        rows = CalamineWorkbook.from_filelike(io.BytesIO(client.get(url).content))
        rows = rows.get_sheet_by_index(0).to_python()
        header = rows[0]
        number_col, father_col = header.index("出生医学证明编号"), header.index("父亲姓名")
        assert (rows[1][number_col], rows[1][father_col]) == (NUMBER, "李强")
        assert rows[1][header.index("分娩地点")] == "医院"


# --- what a person types ------------------------------------------------------------


texts = st.text(max_size=40)


@settings(max_examples=300, deadline=None)
@given(father_id=st.one_of(st.none(), texts), number=st.one_of(st.none(), texts))
def test_it_cleans_any_typed_father_and_number_or_names_the_field(father_id, number):
    item = DeliveryData(
        record_id="R1", mother_id_number="620422199405061234", delivered_on=date(2026, 1, 1),
        sex="M", father_id_number=father_id, medical_certificate_number=number,
    )  # fmt: skip
    problems = _clean(item)
    for problem in problems:
        assert problem.field in FIELD_LABELS and problem.message
    if "father_id_number" in {p.field for p in problems}:
        assert next(p for p in problems if p.field == "father_id_number").message.startswith("父亲")
    elif item.father_id_number is not None:
        assert len(item.father_id_number) == 18
    # The registry's normalisation, and only that: idempotent, blank is None.
    assert item.medical_certificate_number == normalize_certificate_number(number)
    assert item.medical_certificate_number != ""
    assert item.digest() == item.digest()
