"""The hospitals' delivery API: token auth, create or match a Birth, idempotency, the
structured 409 and 422 errors with Chinese messages, the batch, the audit rows."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.test import Client

from famplan.audit.models import AuditEntry
from famplan.common.dates import today
from famplan.common.idnumbers import make_id_number
from famplan.deliveries.models import DeliveryRecord
from famplan.deliveries.services import token_revoke
from famplan.registry.models import Birth, Person
from famplan.registry.services import birth_record
from tests.deliveries.conftest import delivery

URL = "/api/deliveries"


def post(token: str, payload, url: str = URL):
    return Client().post(
        url, json.dumps(payload), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip


def test_it_creates_the_birth_and_the_child_through_the_registry(hospital, mother):
    response = post(hospital.token, delivery(mother))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "created" and body["birth_order"] == 1
    assert body["child_name"] == "王芳之子"
    birth = Birth.objects.select_related("child").get(pk=body["birth_id"])
    assert (birth.mother, birth.sex, birth.weight_g, birth.place_type) == (
        mother,
        "M",
        3300,
        "hospital",
    )
    assert birth.facility == "会宁县人民医院"
    # The child joins the register in the mother's village, as births_write does.
    assert birth.child.unit_id == mother.unit_id
    assert birth.entered_by == hospital.facility.account
    record = DeliveryRecord.objects.get()
    assert (record.birth, record.status, record.via) == (birth, "created", "api")
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == [
        "registry.birth.recorded", "deliveries.delivery.recorded", "api.delivery.posted",
    ]  # fmt: skip
    call = AuditEntry.objects.get(action="api.delivery.posted")
    assert call.user == hospital.facility.account
    assert call.detail["token"] == hospital.token[:12] and call.detail["status"] == 200
    assert AuditEntry.objects.get(action="registry.birth.recorded").detail["via"] == "delivery_api"


def test_it_is_idempotent_per_facility_record_id(hospital, mother):
    first = post(hospital.token, delivery(mother))
    again = post(hospital.token, delivery(mother))
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Birth.objects.count() == 1 and DeliveryRecord.objects.count() == 1


def test_it_answers_409_for_a_record_id_posted_with_other_facts(hospital, mother):
    post(hospital.token, delivery(mother))
    response = post(hospital.token, delivery(mother, weight_g=3400))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    # The conflict alone: not also the birth rules' "duplicate" of the birth it made.
    assert [e["field"] for e in body["errors"]] == ["record_id"]
    assert "本次提交的内容与之不同" in body["errors"][0]["message"]
    assert Birth.objects.count() == 1


def test_it_matches_a_birth_the_village_entered_already(hospital, mother, township_clerk):
    entered = birth_record(
        actor=township_clerk, mother=mother, father=None, child_name="李宝", sex="M",
        born_on=today() - timedelta(days=2), place_type="hospital",
    )  # fmt: skip
    response = post(hospital.token, delivery(mother))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["birth_id"], body["child_name"]) == ("matched", entered.pk, "李宝")
    assert Birth.objects.count() == 1
    # A second delivery of that day and sex is not matched to the same birth again.
    twin = post(hospital.token, delivery(mother, "ZY0002"))
    assert twin.status_code == 422
    assert twin.json()["errors"][0]["field"] == "multiple"
    assert post(hospital.token, delivery(mother, "ZY0002", multiple=True)).status_code == 200
    assert Birth.objects.count() == 2


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"mother_id_number": "62042219940506123"}, "mother_id_number",
         "身份证号应为18位，实际为17位"),
        ({"mother_id_number": "620422199405061230"}, "mother_id_number", "身份证号校验位错误"),
        ({"delivered_on": "FUTURE"}, "delivered_on", "出生日期不能晚于今天"),
        ({"weight_g": 9000}, "weight_g", "出生体重应在300至7000克之间"),
        ({"sex": "X"}, "sex", "婴儿性别应为“M”（男）或“F”（女）"),
        ({"delivered_on": "2026/01/02"}, "delivered_on",
         "分娩日期格式不正确，应为“年-月-日”（如 2026-01-31）"),
        ({"weight_g": "heavy"}, "weight_g", "出生体重(克)应为整数"),
        ({"record_id": None}, "record_id", "机构病案号应为字符串"),
    ],
)  # fmt: skip
def test_it_refuses_bad_payloads_with_per_field_chinese_errors(
    hospital, mother, overrides, field, message
):
    if overrides.get("delivered_on") == "FUTURE":
        overrides["delivered_on"] = (today() + timedelta(days=1)).isoformat()
    response = post(hospital.token, delivery(mother, **overrides))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert {"field": field, "message": message} in body["errors"]
    assert not Birth.objects.exists() and not DeliveryRecord.objects.exists()
    assert AuditEntry.objects.filter(result="failed").exists()


def test_it_names_a_misspelt_field_and_takes_a_numeric_record_id(hospital, mother):
    payload = delivery(mother, record_id=20260001)
    payload["weight"] = payload.pop("weight_g")
    response = post(hospital.token, payload)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "weight", "message": "不认识的字段weight"}]
    payload["weight_g"] = payload.pop("weight")
    assert post(hospital.token, payload).json()["record_id"] == "20260001"


def test_it_refuses_a_missing_field_and_lists_every_error(hospital, mother):
    payload = delivery(mother, weight_g=100)
    del payload["sex"]
    response = post(hospital.token, payload)
    assert response.status_code == 422
    assert {"field": "sex", "message": "请填写婴儿性别"} in response.json()["errors"]


def test_it_refuses_a_mother_not_in_the_registry_or_outside_the_facilitys_area(
    clinic, mother, other_mother
):
    stranger = make_id_number("620422", date(1993, 3, 3), 88, "F")
    for number in (stranger, other_mother.id_number):
        response = post(clinic.token, delivery(mother, mother_id_number=number))
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {"field": "mother_id_number", "message": f"未找到身份证号为{number}的人员"}
        ]
    assert post(clinic.token, delivery(mother)).status_code == 200


def test_it_refuses_calls_without_a_valid_token(hospital, county_admin, mother):
    assert post("", delivery(mother)).status_code == 401
    response = post("fpd_wrong", delivery(mother))
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"
    token = hospital.facility.tokens.get()
    token_revoke(actor=county_admin, token=token)
    assert post(hospital.token, delivery(mother)).status_code == 401
    assert not Birth.objects.exists()
    assert AuditEntry.objects.filter(action="api.request.unauthorized").count() == 3


def test_it_lets_a_facility_read_only_its_own_records(hospital, clinic, mother):
    post(hospital.token, delivery(mother))
    client = Client()
    mine = client.get(f"{URL}/ZY0001", HTTP_AUTHORIZATION=f"Bearer {hospital.token}")
    assert mine.status_code == 200 and mine.json()["record_id"] == "ZY0001"
    theirs = client.get(f"{URL}/ZY0001", HTTP_AUTHORIZATION=f"Bearer {clinic.token}")
    assert theirs.status_code == 404
    assert AuditEntry.objects.filter(action="api.delivery.viewed").count() == 2


def test_it_records_a_batch_all_or_nothing_with_per_item_results(hospital, mother, township_clerk):
    from tests.registry.factories import person

    mothers = [mother] + [
        person(township_clerk, name=f"孙{i}", sex="F", born=date(1990 + i, 1, 1)) for i in range(4)
    ]
    items = [delivery(m, f"B{i}") for i, m in enumerate(mothers)]
    bad = [*items[:3], {**items[3], "weight_g": 1}, {**items[4], "delivered_on": "x"}]
    refused = post(hospital.token, {"deliveries": bad}, f"{URL}/batch")
    assert refused.status_code == 422
    body = refused.json()
    assert body["ok"] is False
    assert [r["status"] for r in body["results"]] == [
        "unchecked", "unchecked", "unchecked", "invalid", "invalid",
    ]  # fmt: skip
    assert body["results"][3]["errors"] == [
        {"field": "weight_g", "message": "出生体重应在300至7000克之间"}
    ]
    assert not Birth.objects.exists()
    done = post(hospital.token, {"deliveries": items}, f"{URL}/batch")
    assert done.status_code == 200
    assert done.json()["counts"]["created"] == 5
    assert Birth.objects.count() == 5
    again = post(hospital.token, {"deliveries": items}, f"{URL}/batch").json()
    assert again["counts"]["replayed"] == 5 and Birth.objects.count() == 5
    assert AuditEntry.objects.filter(action="api.delivery.batch_posted").count() == 3


def test_it_refuses_a_batch_over_1000(hospital, mother):
    response = post(hospital.token, {"deliveries": [delivery(mother)] * 1001}, f"{URL}/batch")
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "分娩记录最多1000条"


def test_it_refuses_the_same_record_id_twice_in_a_batch(hospital, mother):
    response = post(hospital.token, {"deliveries": [delivery(mother)] * 2}, f"{URL}/batch")
    assert response.status_code == 422
    assert response.json()["results"][1]["errors"] == [
        {"field": "record_id", "message": "机构病案号与第1条重复"}
    ]


def test_it_links_the_couples_registration_when_the_api_records_the_birth(hospital, township_clerk):
    from famplan.registration.models import BirthRegistration
    from famplan.registry.services import marriage_record
    from tests.registration.conftest import Couple, data_for, submit
    from tests.registry.factories import person as make_person

    wife = make_person(township_clerk, name="王芳", sex="F", born=date(1994, 5, 6))
    husband = make_person(township_clerk, name="李强", sex="M", born=date(1992, 3, 4))
    marriage = marriage_record(
        actor=township_clerk, husband=husband, wife=wife, married_on=date(2018, 10, 1)
    )
    r = submit(
        township_clerk,
        data_for(Couple(wife, husband, marriage), expected_on=today() - timedelta(days=5)),
    )
    body = post(hospital.token, delivery(wife)).json()
    assert body["registration_linked"] is True
    assert BirthRegistration.objects.get(pk=r.pk).birth_id == body["birth_id"]
    entry = AuditEntry.objects.get(action="registration.registration.birth_linked")
    assert entry.user == hospital.facility.account
    assert entry.detail["via"] == "delivery_api"


def test_it_serves_its_openapi_schema_and_docs_to_signed_in_users(county_client):
    schema = county_client.get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/deliveries", "/api/deliveries/batch"} <= set(paths)
    docs = county_client.get("/api/docs")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert Client().get("/api/docs").status_code == 302
    assert not Person.objects.exists()
