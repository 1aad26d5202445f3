"""Property: every count measure of every period adds up, villages to their township and
townships to the county, whatever the records (written straight with the ORM, random
units and dates, moves between villages included)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from famplan.indicators.models import MeasureValue
from famplan.indicators.services import values_refresh
from famplan.registry.models import Birth, Death, Marriage, Migration, Person, ResidenceChange

from .conftest import COUNTY, T1, T2, V1, V2, V3, V4

VILLAGES = [V1, V2, V3, V4]
DAY0 = date(2022, 6, 1)
days = st.integers(min_value=0, max_value=1000).map(lambda n: DAY0 + timedelta(days=n))
people = st.lists(
    st.tuples(
        st.sampled_from(VILLAGES),
        days,
        st.one_of(st.none(), st.integers(min_value=0, max_value=600)),  # days on the register
        st.sampled_from("MF"),
        st.one_of(st.none(), st.sampled_from(VILLAGES), st.integers(0, 300)),  # a move
    ),
    min_size=1,
    max_size=25,
)


def build(rows) -> None:
    persons = []
    for unit, registered, stay, sex, _ in rows:
        left = registered + timedelta(days=stay) if stay is not None else None
        persons.append(
            Person(
                name="某",
                sex=sex,
                birth_date=registered,
                unit_id=unit,
                registered_on=registered,
                left_on=left,
                status="active" if left is None else "moved_out",
            )
        )
    Person.objects.bulk_create(persons)
    mother = persons[0]
    for index, (person, (unit, registered, stay, sex, move)) in enumerate(
        zip(persons, rows, strict=True)
    ):
        if index % 3 == 0:
            Birth.objects.create(
                unit_id=unit,
                child=person,
                mother=mother,
                born_on=registered,
                sex=sex,
                birth_order=index % 4 + 1,
                place_type="hospital" if index % 2 else "home",
            )
        if index % 4 == 1 and person.left_on:
            Death.objects.create(unit_id=unit, person=person, died_on=person.left_on)
        if index % 5 == 2:
            Migration.objects.create(
                unit_id=unit,
                person=person,
                direction="in" if index % 2 else "out",
                moved_on=registered,
                place="外地",
            )
        if index % 6 == 3:
            Marriage.objects.create(
                unit_id=unit, husband=person, wife=mother, married_on=registered, kind="first"
            )
        if isinstance(move, str) and move != unit:
            moved_on = registered + timedelta(days=10)
            ResidenceChange.objects.create(
                unit_id=move, person=person, from_unit_id=unit, moved_on=moved_on
            )
            Person.objects.filter(pk=person.pk).update(unit_id=move)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=people)
# Left on the day registered, a move recorded ten days later: found by this test.
@example(rows=[(V1, DAY0 + timedelta(days=20), 0, "M", V2)])
def test_it_adds_up_villages_to_townships_to_the_county(units, county_admin, rows):
    with transaction.atomic():
        build(rows)
        values_refresh(actor=county_admin, first_year=2022, last_year=2025)
        found: dict[tuple, dict[str, int]] = defaultdict(dict)
        for unit, period_type, start, measure, value in MeasureValue.objects.values_list(
            "unit_id", "period_type", "period_start", "measure", "value"
        ):
            found[period_type, start, measure][unit] = value
        assert found, "a refresh over records always finds something"
        for key, by_unit in found.items():
            get = lambda code: by_unit.get(code, 0)  # noqa: E731
            assert get(T1) == get(V1) + get(V2), key
            assert get(T2) == get(V3) + get(V4), key
            assert get(COUNTY) == get(T1) + get(T2), key
            assert all(v > 0 for v in by_unit.values()), key  # zeros are never stored
        # The population balances: end = start + registered - left, month by month.
        for (period_type, start, measure), by_unit in found.items():
            if measure == "population_end" and period_type == "year":
                opening = found.get((period_type, start, "population_start"), {})
                assert by_unit.get(COUNTY, 0) - opening.get(COUNTY, 0) == sum(
                    1 for u, r, s, *_ in rows if r.year == start.year
                ) - sum(
                    1
                    for u, r, s, *_ in rows
                    if s is not None and (r + timedelta(days=s)).year == start.year
                )
        transaction.set_rollback(True)
