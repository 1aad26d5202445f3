"""Couples in 会师镇's first village and in 郭城驿镇, and builders of checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from famplan.common.dates import today
from famplan.health.models import RiskLevel
from famplan.health.people import PersonRef
from famplan.health.services import CheckData, FolicData, check_record, folic_issue_record
from famplan.registry.models import Person
from famplan.registry.services import marriage_record
from tests.registry.factories import person

VILLAGE = "620422100001"  # 东关社区, 会师镇
OTHER_VILLAGE_SAME_TOWNSHIP = "620422100201"  # 南嘴村, 会师镇
TOWNSHIP = "620422100"
OTHER_TOWNSHIP = "620422101"
OTHER_VILLAGE = "620422101201"


@dataclass
class Couple:
    wife: Person
    husband: Person


@pytest.fixture
def couple(township_clerk) -> Couple:
    wife = person(township_clerk, name="王芳", sex="F", born=date(1994, 5, 6), unit=VILLAGE)
    husband = person(township_clerk, name="李强", sex="M", born=date(1992, 3, 4), unit=VILLAGE)
    marriage_record(actor=township_clerk, husband=husband, wife=wife, married_on=date(2018, 10, 1))
    return Couple(wife, husband)


@pytest.fixture
def other_couple(other_clerk) -> Couple:
    wife = person(other_clerk, name="赵敏", sex="F", born=date(1995, 1, 2), unit=OTHER_VILLAGE)
    husband = person(other_clerk, name="钱伟", sex="M", born=date(1993, 2, 3), unit=OTHER_VILLAGE)
    marriage_record(actor=other_clerk, husband=husband, wife=wife, married_on=date(2019, 5, 1))
    return Couple(wife, husband)


def check_data(couple: Couple, *, days_ago: int = 0, **extra) -> CheckData:
    values = {
        "wife": PersonRef(couple.wife.id_number),
        "husband": PersonRef(couple.husband.id_number),
        "checked_on": today() - timedelta(days=days_ago),
        "facility": "会宁县妇幼保健院",
        "risk_level": RiskLevel.LOW,
        "risk_factors": [],
        "advice": "",
    }
    values.update(extra)
    return CheckData(**values)


def record_check(actor, couple: Couple, **extra):
    return check_record(actor=actor, data=check_data(couple, **extra))


def record_folic(actor, woman: Person, *, days_ago: int = 0, **extra):
    values = {
        "woman": PersonRef(woman.id_number),
        "issued_on": today() - timedelta(days=days_ago),
        "quantity": 2,
        "quantity_unit": "bottle",
    }
    values.update(extra)
    return folic_issue_record(actor=actor, data=FolicData(**values))
