"""The hospitals' API, the facility's form and the registry's own birth form record the
same delivery as the same Birth and child, and refuse a bad one with the same message:
all three run the registry's birth_problems and births_write."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from famplan.common.dates import today
from famplan.common.idnumbers import make_id_number
from famplan.registry.services import death_record
from tests.deliveries.conftest import delivery
from tests.registry.parity import Outcome, attempt, form_outcome

# The registry form's field names -> the delivery's (for comparing refusals).
REGISTRY_FIELDS = {"born_on": "delivered_on", "place_type": "place"}
ACTOR_KEYS = {"entered_by_id"}
CHANNEL_DETAIL = {"facility", "token"}


def api_outcome(token: str, payload: dict) -> Outcome:
    response = Client().post(
        "/api/deliveries", json.dumps(payload), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    if response.status_code == 200:
        return Outcome(result=response.json())
    refusals: dict[str, list[str]] = {}
    for error in response.json()["errors"]:
        refusals.setdefault(error["field"], []).append(error["message"])
    return Outcome(refusals=refusals)


def registry_values(payload: dict, mother_name: str, facility: str) -> dict[str, str]:
    return {
        "mother_id_number": payload["mother_id_number"],
        "child_name": payload.get("child_name")
        or f"{mother_name}之{'子' if payload['sex'] == 'M' else '女'}",
        "sex": payload["sex"],
        "born_on": payload["delivered_on"],
        "place_type": payload["place"],
        "facility": facility,
        "weight_g": "" if payload.get("weight_g") is None else str(payload["weight_g"]),
        # The same names on both forms.
        "father_id_number": payload.get("father_id_number") or "",
        "medical_certificate_number": payload.get("medical_certificate_number") or "",
    }  # fmt: skip


def registry_state(state: dict) -> dict:
    """What the registry holds, whoever entered it: people, households, births, and the
    registry's audit rows without the channel's own detail."""

    def plain(row: dict) -> dict:
        return {k: v for k, v in row.items() if k not in ACTOR_KEYS}

    audit = sorted(
        (a[0], a[1], a[2], a[3], {k: v for k, v in a[4].items() if k not in CHANNEL_DETAIL})
        for a in state["audit"]
        if a[0].startswith("registry.")
    )
    return {
        "people": [plain(p) for p in state["people"]],
        "households": state["households"],
        "births": [plain(b) for b in state["births"]],
        "audit": audit,
    }


def three_ways(hospital, facility_client, clerk_client, payload: dict, mother_name: str):
    api = attempt(lambda: api_outcome(hospital.token, payload))
    form_values = {k: "" if v is None else str(v) for k, v in payload.items()}
    form = attempt(
        lambda: form_outcome(facility_client, reverse("deliveries:create"), form_values, {})
    )
    registry = attempt(
        lambda: form_outcome(
            clerk_client,
            reverse("registry:birth_create"),
            registry_values(payload, mother_name, hospital.facility.name),
            REGISTRY_FIELDS,
        )
    )
    return api, form, registry


def test_it_records_the_same_birth_and_child_three_ways(
    hospital, facility_client, clerk_client, mother
):
    api, form, registry = three_ways(
        hospital, facility_client, clerk_client, delivery(mother), mother.name
    )
    assert not api.refusals and not form.refusals and not registry.refusals
    states = [registry_state(o.state) for o in (api, form, registry)]
    assert states[0] == states[1] == states[2]
    (birth,) = states[0]["births"]
    assert (birth["child_id"], birth["facility"], birth["weight_g"]) == (
        "王芳之子",
        "会宁县人民医院",
        3300,
    )


@pytest.mark.parametrize(
    "setup, overrides, field, message",
    [
        (None, {"weight_g": 100}, "weight_g", "出生体重应在300至7000克之间"),
        (None, {"delivered_on": "TOMORROW"}, "delivered_on", "出生日期不能晚于今天"),
        (None, {"delivered_on": "2008-01-01"}, "mother_id_number",
         "母亲王芳生育时13岁，不在15至55岁之间，请核对母亲和婴儿的出生日期"),
        (None, {"delivered_on": "1990-01-01"}, "mother_id_number", "日期早于王芳的出生日期"),
        ("deceased", {}, "mother_id_number", "王芳已死亡，不能登记此事件"),
        (None, {"mother_id_number": "620422199405061230"}, "mother_id_number",
         "身份证号校验位错误"),
        (None, {"mother_id_number": "62042219940506"}, "mother_id_number",
         "身份证号应为18位，实际为14位"),
        ("stranger", {}, "mother_id_number", "未找到身份证号为{stranger}的人员"),
    ],
)  # fmt: skip
def test_it_refuses_the_same_way_three_ways(
    hospital, facility_client, clerk_client, township_clerk, mother, setup, overrides, field,
    message,
):  # fmt: skip
    stranger = make_id_number("620422", date(1993, 3, 3), 88, "F")
    if setup == "deceased":
        death_record(actor=township_clerk, person=mother, died_on=today() - timedelta(days=30))
    elif setup == "stranger":
        overrides = {"mother_id_number": stranger}
    if overrides.get("delivered_on") == "TOMORROW":
        overrides["delivered_on"] = (today() + timedelta(days=1)).isoformat()
    payload = delivery(mother, **overrides)
    api, form, registry = three_ways(hospital, facility_client, clerk_client, payload, mother.name)
    expected = {field: [message.format(stranger=stranger)]}
    assert api.refusals == form.refusals == registry.refusals == expected
    for outcome in (api, form, registry):
        assert outcome.state["audit"] == [] or all(
            not a[0].startswith(("registry.", "deliveries.delivery.recorded"))
            for a in outcome.state["audit"]
        )
