"""Migrants at each month's end and those of them with a contact phone, counted by hand
on three migrations of one village: one returns, one ends with a death, one stays."""

from __future__ import annotations

from datetime import date

from famplan.indicators.indicators import INDICATORS
from famplan.indicators.measures import migrants_away
from famplan.indicators.periods import month_index
from famplan.registry.services import (
    PersonData,
    death_record,
    migration_in_record,
    migration_out_record,
    migration_return_record,
)
from tests.registry.factories import person

from .conftest import V1


def test_it_counts_open_migrations_at_each_month_end_with_their_contacts(county_admin):
    actor = county_admin
    a = person(actor, name="甲", sex="M", born=date(1990, 1, 1), unit=V1)
    c = person(actor, name="丙", sex="M", born=date(1950, 1, 1), unit=V1)
    # A: away from 10 Feb with a phone, back 3 May.
    away = migration_out_record(
        actor=actor, person=a, moved_on=date(2024, 2, 10), place="兰州",
        contact_phone="13800000001",
    )  # fmt: skip
    migration_return_record(actor=actor, migration=away, returned_on=date(2024, 5, 3))
    # B: came to live here 15 Mar, no phone given, still here.
    migration_in_record(
        actor=actor,
        data=PersonData(name="乙", sex="F", birth_date=date(1995, 2, 2), unit_id=V1),
        moved_on=date(2024, 3, 15),
        place="定西",
    )
    # C: away from 5 Jan with a phone; dies 20 Apr (the death closes the migration).
    migration_out_record(
        actor=actor, person=c, moved_on=date(2024, 1, 5), place="银川",
        contact_phone="13800000003",
    )  # fmt: skip
    death_record(actor=actor, person=c, died_on=date(2024, 4, 20))

    first, last = month_index(date(2024, 1, 1)), month_index(date(2024, 6, 1))
    found = {(m - first + 1, code): v for unit, m, code, v in migrants_away(first, last)
             if unit == V1}  # fmt: skip
    away_by_month = [found.get((m, "migrants_away"), 0) for m in range(1, 7)]
    reachable = [found.get((m, "migrants_away_contact"), 0) for m in range(1, 7)]
    #                 Jan Feb Mar Apr May Jun
    assert away_by_month == [1, 2, 3, 2, 1, 1]
    assert reachable == [1, 2, 2, 1, 0, 0]

    rate = INDICATORS["migrant_contact_rate"].estimate(
        {"migrants_away": 3, "migrants_away_contact": 2}
    )
    assert round(rate.value, 1) == 66.7 and rate.low < rate.value < rate.high
