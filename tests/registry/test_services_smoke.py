"""The registry's events keep dates, status and birth order consistent."""

from __future__ import annotations

from datetime import date

import pytest

from famplan.audit.models import AuditEntry
from famplan.registry.models import MaritalStatus, PersonStatus
from famplan.registry.services import (
    birth_record,
    death_record,
    marriage_record,
    migration_out_record,
)
from famplan.registry.services.people import FieldError
from tests.registry.factories import person


def test_it_records_a_family_story(village_worker):
    husband = person(village_worker, name="王强", sex="M", born=date(1990, 3, 1))
    wife = person(village_worker, name="李芳", sex="F", born=date(1992, 6, 1))
    marriage = marriage_record(
        actor=village_worker, husband=husband, wife=wife, married_on=date(2015, 5, 1)
    )
    assert marriage.kind == "first"
    first = birth_record(
        actor=village_worker,
        mother=wife,
        father=husband,
        child_name="王一",
        sex="M",
        born_on=date(2016, 1, 2),
        place_type="hospital",
    )
    second = birth_record(
        actor=village_worker,
        mother=wife,
        father=husband,
        child_name="王二",
        sex="F",
        born_on=date(2019, 7, 8),
        place_type="hospital",
    )
    assert (first.birth_order, second.birth_order) == (1, 2)
    assert second.child.registered_on == date(2019, 7, 8)
    death_record(actor=village_worker, person=husband, died_on=date(2024, 2, 2))
    husband.refresh_from_db()
    wife.refresh_from_db()
    marriage.refresh_from_db()
    assert husband.status == PersonStatus.DECEASED and husband.left_on == date(2024, 2, 2)
    assert wife.marital_status == MaritalStatus.WIDOWED
    assert marriage.end_cause == "death"
    assert AuditEntry.objects.filter(action="registry.birth.recorded").count() == 2


def test_it_refuses_a_death_before_the_birth(village_worker):
    someone = person(village_worker, born=date(2000, 1, 1))
    with pytest.raises(FieldError) as err:
        death_record(actor=village_worker, person=someone, died_on=date(1999, 1, 1))
    assert err.value.field == "died_on"


def test_it_keeps_a_migrant_out_on_the_register(village_worker):
    someone = person(village_worker)
    migration_out_record(
        actor=village_worker, person=someone, moved_on=date(2025, 3, 1), place="兰州市"
    )
    someone.refresh_from_db()
    assert someone.status == PersonStatus.AWAY and someone.left_on is None
