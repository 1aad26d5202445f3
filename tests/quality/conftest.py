"""Builders for quality tests: complete people through the registry's services, and bad
records written with the ORM where the services (rightly) refuse them."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

import pytest
from django.utils import timezone

from famplan.common.idnumbers import make_id_number
from famplan.registry.models import Person
from famplan.registry.services import PersonData, person_create

V1, V2 = "620422100001", "620422100201"  # 会师镇's villages
V3, V4 = "620422101201", "620422101202"  # 郭城驿镇's villages

_sequence = count(1)


def today() -> date:
    return timezone.localdate()


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


def good(
    actor,
    *,
    name: str = "张三",
    sex: str = "M",
    born: date = date(1990, 1, 1),
    unit: str = V1,
    area: str = "620422",
    with_id: bool = True,
    **extra,
) -> Person:
    """A person with every field of the completeness set filled in."""
    values = {
        "ethnicity": "汉族",
        "hukou_type": "rural",
        "relation_to_head": "head",
        "marital_status": "unmarried",
        "registered_on": born,
        **extra,
    }
    id_number = make_id_number(area, born, next(_sequence) % 500, sex) if with_id else None
    data = PersonData(
        name=name, sex=sex, birth_date=born, unit_id=unit, id_number=id_number, **values
    )
    return person_create(actor=actor, data=data)


def set_fields(person: Person, **values) -> Person:
    """Write straight to the table, as a legacy import would: no service checks."""
    Person.objects.filter(pk=person.pk).update(**values)
    person.refresh_from_db()
    return person


@pytest.fixture
def actor(county_admin):
    return county_admin
