"""Small builders for registry records in tests (through the services, as users would)."""

from __future__ import annotations

from datetime import date
from itertools import count

from famplan.common.idnumbers import make_id_number
from famplan.registry.models import Person
from famplan.registry.services import PersonData, person_create

_sequence = count(1)


def person(
    actor,
    *,
    name="张三",
    sex="M",
    born=date(1990, 1, 1),
    unit="620422100001",
    with_id=True,
    **extra,
) -> Person:
    id_number = make_id_number("620422", born, next(_sequence) % 500, sex) if with_id else None
    data = PersonData(
        name=name,
        sex=sex,
        birth_date=born,
        unit_id=unit,
        id_number=id_number,
        ethnicity="汉族",
        hukou_type="rural",
        registered_on=born,
        **extra,
    )
    return person_create(actor=actor, data=data)
