"""A registered couple in 会师镇's first village, and builders of applications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core.cache import cache

from famplan.common.dates import today
from famplan.common.idnumbers import make_id_number
from famplan.registration.models import Channel
from famplan.registration.services import (
    ChildData,
    RegistrationData,
    SpouseData,
    registration_submit,
)
from famplan.registry.models import Marriage, Person
from famplan.registry.services import birth_record, marriage_record
from tests.registry.factories import person

VILLAGE = "620422100001"  # 东关社区, 会师镇
TOWNSHIP = "620422100"
OTHER_TOWNSHIP = "620422101"
OTHER_VILLAGE = "620422101201"


@dataclass
class Couple:
    wife: Person
    husband: Person
    marriage: Marriage


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The rate limiter counts in the cache, which outlives each test's transaction.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def unlinked_births():
    """Births recorded without the automatic link (as before it existed, or entered
    while the link was off): for the manual ways of linking them."""
    from famplan.registration.services import on_births_recorded
    from famplan.registry.services.births import births_recorded

    births_recorded.disconnect(dispatch_uid="registration.link_on_birth")
    yield
    births_recorded.connect(on_births_recorded, dispatch_uid="registration.link_on_birth")


@pytest.fixture
def couple(township_clerk) -> Couple:
    wife = person(township_clerk, name="王芳", sex="F", born=date(1994, 5, 6), unit=VILLAGE)
    husband = person(township_clerk, name="李强", sex="M", born=date(1992, 3, 4), unit=VILLAGE)
    marriage = marriage_record(
        actor=township_clerk, husband=husband, wife=wife, married_on=date(2018, 10, 1)
    )
    return Couple(wife, husband, marriage)


@pytest.fixture
def other_couple(other_clerk) -> Couple:
    wife = person(other_clerk, name="赵敏", sex="F", born=date(1995, 1, 2), unit=OTHER_VILLAGE)
    husband = person(other_clerk, name="钱伟", sex="M", born=date(1993, 2, 3), unit=OTHER_VILLAGE)
    marriage = marriage_record(
        actor=other_clerk, husband=husband, wife=wife, married_on=date(2019, 5, 1)
    )
    return Couple(wife, husband, marriage)


def add_child(actor, couple: Couple, born: date, name: str = "李小", sex: str = "M", **extra):
    return birth_record(
        actor=actor,
        mother=couple.wife,
        father=couple.husband,
        child_name=name,
        sex=sex,
        born_on=born,
        place_type="hospital",
        **extra,
    )


def data_for(
    couple: Couple | None = None,
    *,
    township: str = TOWNSHIP,
    wife_name: str | None = None,
    wife_id: str | None = None,
    husband_id: str | None = None,
    expected_on: date | str | None = "soon",
    children: list[ChildData] | None = None,
    places: bool = False,
) -> RegistrationData:
    """An application for `couple` (or strangers not in the registry)."""
    if couple is not None:
        wife = SpouseData(wife_name or couple.wife.name, wife_id or couple.wife.id_number)
        husband = SpouseData(couple.husband.name, husband_id or couple.husband.id_number)
    else:
        wife = SpouseData(
            wife_name or "孙丽", wife_id or make_id_number("620422", date(1996, 7, 8), 77, "F")
        )
        husband = SpouseData(
            "周刚", husband_id or make_id_number("620422", date(1995, 8, 9), 78, "M")
        )
    if places or couple is None:
        for spouse in (wife, husband):
            spouse.hukou_unit_id = VILLAGE
            spouse.residence_unit_id = VILLAGE
            spouse.hukou_address = "东关社区1号"
            spouse.residence_address = "东关社区1号"
    if expected_on == "soon":
        expected_on = today() + timedelta(days=90)
    return RegistrationData(
        township_id=township,
        applicant="wife",
        wife=wife,
        husband=husband,
        married_on=date(2018, 10, 1),
        expected_on=expected_on,
        phone="13800000000",
        children=children or [],
    )


def submit(actor, data: RegistrationData, channel: str = Channel.COUNTER):
    return registration_submit(actor=actor, data=data, channel=channel)
