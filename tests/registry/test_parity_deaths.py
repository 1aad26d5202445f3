"""A death entered on the form and the same death imported from a file: the same
record, the same refusals in the same words, the same side effects."""

from __future__ import annotations

import datetime as dt

import pytest

from famplan.common.dates import today
from famplan.registry.imports.deaths import DeathImport
from famplan.registry.models import (
    Death,
    MaritalStatus,
    Marriage,
    MarriageEnd,
    Migration,
    MigrationStatus,
    Person,
    PersonStatus,
)
from famplan.registry.services import death_record, marriage_record, migration_out_record
from tests.registry.event_parity import (
    audit_trail,
    import_refusals,
    imported,
    rolled_back,
    service_refusal,
)
from tests.registry.factories import person

HEADER = ["身份证号", "死亡日期", "死亡原因", "死亡地点"]
DIED = dt.date(2024, 3, 15)


@pytest.fixture
def away_husband(township_clerk):
    """A married man away on an open migration: every side effect of a death at once."""
    husband = person(township_clerk, name="王建国", sex="M", born=dt.date(1960, 1, 1))
    wife = person(township_clerk, name="李桂兰", sex="F", born=dt.date(1962, 3, 3))
    marriage_record(
        actor=township_clerk, husband=husband, wife=wife, married_on=dt.date(1985, 5, 1)
    )
    migration_out_record(
        actor=township_clerk, person=husband, moved_on=dt.date(2010, 1, 1), place="兰州市"
    )
    return Person.objects.get(pk=husband.pk), Person.objects.get(pk=wife.pk)


def snapshot() -> dict:
    return {
        "deaths": list(
            Death.objects.values(
                "unit_id", "entered_by_id", "person_id", "died_on", "cause", "place"
            )
        ),
        "people": list(
            Person.objects.order_by("pk").values(
                "pk", "status", "left_on", "marital_status", "version"
            )
        ),
        "marriages": list(
            Marriage.objects.order_by("pk").values("pk", "ended_on", "end_cause", "version")
        ),
        "migrations": list(Migration.objects.order_by("pk").values("pk", "status", "version")),
        "audit": audit_trail(),
    }


def test_it_records_the_same_death_with_the_same_side_effects(township_clerk, away_husband):
    husband, wife = away_husband
    by_form = rolled_back(
        lambda: death_record(
            actor=township_clerk, person=husband, died_on=DIED, cause="疾病", place="家中"
        ),
        snapshot,
    )
    by_import = rolled_back(
        imported(township_clerk, "deaths", [HEADER, [husband.id_number, DIED, "疾病", "家中"]]),
        snapshot,
    )
    assert by_import == by_form
    # And what both did is what a death does.
    people = {p["pk"]: p for p in by_form["people"]}
    assert people[husband.pk]["status"] == PersonStatus.DECEASED
    assert people[husband.pk]["left_on"] == DIED
    assert people[wife.pk]["marital_status"] == MaritalStatus.WIDOWED
    assert by_form["marriages"][0]["ended_on"] == DIED
    assert by_form["marriages"][0]["end_cause"] == MarriageEnd.DEATH
    assert by_form["audit"][("registry.death.recorded", "registry.death", husband.unit_id)] == 1


def test_it_closes_the_open_migration_of_an_imported_death(township_clerk, away_husband):
    # The drift this module was written for: the import left the migration active.
    husband, _ = away_husband
    imported(township_clerk, "deaths", [HEADER, [husband.id_number, DIED, "", ""]])()
    assert Migration.objects.get(person=husband).status == MigrationStatus.CLOSED


def test_it_widows_at_the_first_death_when_both_spouses_die_in_one_file(
    township_clerk, away_husband
):
    husband, wife = away_husband
    later = dt.date(2024, 6, 1)

    def one_by_one() -> None:
        death_record(actor=township_clerk, person=husband, died_on=DIED)
        death_record(actor=township_clerk, person=wife, died_on=later)

    rows = [HEADER, [wife.id_number, later, "", ""], [husband.id_number, DIED, "", ""]]
    by_form = rolled_back(one_by_one, snapshot)
    by_import = rolled_back(imported(township_clerk, "deaths", rows), snapshot)
    assert by_import["people"] == by_form["people"]
    assert by_import["marriages"] == by_form["marriages"]
    assert by_form["marriages"][0]["ended_on"] == DIED


def bad_deaths(clerk, husband, wife):
    """(who, died_on, expected message) of deaths both paths must refuse."""
    dead = person(clerk, name="故人", sex="M", born=dt.date(1950, 1, 1))
    death_record(actor=clerk, person=dead, died_on=dt.date(2020, 1, 1))
    late = person(clerk, name="迁来", sex="F", born=dt.date(1990, 1, 1))
    Person.objects.filter(pk=late.pk).update(registered_on=dt.date(2015, 1, 1))
    return [
        (husband, today() + dt.timedelta(days=1), "死亡日期不能晚于今天"),
        (Person.objects.get(pk=dead.pk), dt.date(2021, 1, 1), "故人的死亡已登记"),
        (husband, dt.date(1959, 12, 31), "死亡日期早于出生日期"),
        (Person.objects.get(pk=late.pk), dt.date(2010, 1, 1), "死亡日期早于登记日期"),
        # The import did not check this one before the rules were shared.
        (wife, dt.date(1984, 1, 1), "死亡日期早于结婚日期"),
    ]


def test_it_refuses_the_same_deaths_with_the_same_words(township_clerk, away_husband):
    husband, wife = away_husband
    for who, died_on, message in bad_deaths(township_clerk, husband, wife):
        by_form = service_refusal(
            lambda who=who, died_on=died_on: death_record(
                actor=township_clerk, person=who, died_on=died_on
            ),
            DeathImport.FIELDS,
            "deaths",
        )
        by_import = import_refusals(
            township_clerk, "deaths", [HEADER, [who.id_number, died_on, "", ""]]
        )
        assert by_import == by_form, message
        assert {m for _, m in by_form} == {message}
    assert Death.objects.count() == 1  # only the fixture's earlier death
