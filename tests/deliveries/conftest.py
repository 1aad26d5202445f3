"""A county hospital serving all of the county, its API token and its facility user,
and mothers on the register of 会师镇 and 郭城驿镇."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from famplan.common.dates import today
from famplan.deliveries.models import Facility
from famplan.deliveries.services import (
    DeliveryData,
    facility_create,
    facility_member_add,
    token_create,
)
from famplan.registry.models import Person
from tests.conftest import client_for, make_user
from tests.registry.factories import person

VILLAGE = "620422100001"
OTHER_VILLAGE = "620422101201"


@dataclass
class Hospital:
    facility: Facility
    token: str


@pytest.fixture
def hospital(county_admin, facility_user) -> Hospital:
    facility = facility_create(
        actor=county_admin, code="H620422001", name="会宁县人民医院", unit_id="620422"
    )
    facility_member_add(actor=county_admin, facility=facility, username=facility_user.username)
    _, raw = token_create(actor=county_admin, facility=facility, name="HIS")
    return Hospital(facility, raw)


@pytest.fixture
def clinic(county_admin, units) -> Hospital:
    """会师镇卫生院: serves only 会师镇."""
    facility = facility_create(
        actor=county_admin, code="H620422100", name="会师镇卫生院", unit_id="620422100"
    )
    _, raw = token_create(actor=county_admin, facility=facility, name="HIS")
    return Hospital(facility, raw)


@pytest.fixture
def other_facility_user(county_admin, units):
    user = make_user("nurse2", "620422", "facility")
    clinic = facility_create(
        actor=county_admin, code="H620422101", name="郭城驿镇卫生院", unit_id="620422101"
    )
    facility_member_add(actor=county_admin, facility=clinic, username=user.username)
    return user


@pytest.fixture
def facility_client(hospital, facility_user):
    return client_for(facility_user)


@pytest.fixture
def mother(township_clerk) -> Person:
    return person(township_clerk, name="王芳", sex="F", born=date(1994, 5, 6), unit=VILLAGE)


@pytest.fixture
def other_mother(other_clerk) -> Person:
    return person(other_clerk, name="赵敏", sex="F", born=date(1995, 1, 2), unit=OTHER_VILLAGE)


def delivery(mother: Person, record_id: str = "ZY0001", **overrides) -> dict:
    values = {
        "record_id": record_id,
        "mother_id_number": mother.id_number,
        "delivered_on": (today() - timedelta(days=2)).isoformat(),
        "sex": "M",
        "weight_g": 3300,
        "place": "hospital",
    }
    values.update(overrides)
    return values


def data(mother: Person, record_id: str = "ZY0001", **overrides) -> DeliveryData:
    values = delivery(mother, record_id, **overrides)
    values["delivered_on"] = date.fromisoformat(values["delivered_on"])
    return DeliveryData(**values)
