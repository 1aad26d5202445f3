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
    # The registry takes a relation to the head only with a household; these people
    # have none, so the relation is written as the old systems' data carry it.
    relation = values.pop("relation_to_head") if not values.get("household_id") else ""
    data = PersonData(
        name=name, sex=sex, birth_date=born, unit_id=unit, id_number=id_number, **values
    )
    created = person_create(actor=actor, data=data)
    return set_fields(created, relation_to_head=relation) if relation else created


def set_fields(person: Person, **values) -> Person:
    """Write straight to the table, as a legacy import would: no service checks."""
    Person.objects.filter(pk=person.pk).update(**values)
    person.refresh_from_db()
    return person


@pytest.fixture
def actor(county_admin):
    return county_admin


@pytest.fixture
def sample(actor) -> dict[str, Person]:
    """A small county, scores worked out by hand (errors count, warnings and info don't):

    东关社区 V1: ok, no_ethnicity (error), old_area (warning), away_mismatch (error, away
        is still on the register), newborn (info), dead (error fields, off the register)
        -> 5 people, 2 with errors, 60.0%
    南嘴村 V2: ok2, mother (error: her birth at 14), child -> 3 people, 1 with errors
    郭城村 V3: bad_check (error) -> 1 person, 1 with errors, 0.0%
    红堡子村 V4: nobody
    会师镇 8 people, 3 with errors, 62.5%; 郭城驿镇 1/1, 0.0%; 会宁县 9/4, 55.6%
    """
    from famplan.registry.models import Birth

    p = {
        "ok": good(actor, name="甲"),
        "no_ethnicity": set_fields(good(actor, name="乙"), ethnicity=""),
        "old_area": good(actor, name="丙", area="620499"),
        "away_mismatch": set_fields(good(actor, name="丁", sex="M"), sex="F", status="away"),
        "newborn": good(actor, name="戊", born=days_ago(20), with_id=False),
        "dead": set_fields(good(actor, name="己"), ethnicity="", status="deceased"),
        "ok2": good(actor, name="庚", unit=V2),
        "mother": good(actor, name="辛", sex="F", born=date(1990, 6, 15), unit=V2),
        "child": good(actor, name="壬", born=date(2005, 6, 14), unit=V2),
        "bad_check": good(actor, name="癸", unit=V3),
    }
    Birth.objects.create(
        unit_id=V2,
        mother=p["mother"],
        child=p["child"],
        born_on=p["child"].birth_date,
        sex="M",
        birth_order=1,
        place_type="hospital",
    )
    bad = p["bad_check"]
    wrong = "0" if bad.id_number[-1] != "0" else "1"
    set_fields(bad, id_number=bad.id_number[:17] + wrong)
    return p
