"""Writes to the population registry. Every function is atomic and writes its audit row."""

from famplan.registry.services.births import birth_record
from famplan.registry.services.deaths import death_record
from famplan.registry.services.households import (
    household_create,
    household_head_change,
    household_member_add,
    household_merge,
    household_split,
)
from famplan.registry.services.marriages import divorce_record, marriage_record
from famplan.registry.services.migrations import (
    migration_in_record,
    migration_out_record,
    migration_return_record,
    move_away_record,
    residence_change_record,
)
from famplan.registry.services.people import (
    PersonData,
    check_person_facts,
    person_create,
    person_update,
)

__all__ = [
    "PersonData",
    "birth_record",
    "check_person_facts",
    "death_record",
    "divorce_record",
    "household_create",
    "household_head_change",
    "household_member_add",
    "household_merge",
    "household_split",
    "marriage_record",
    "migration_in_record",
    "migration_out_record",
    "migration_return_record",
    "move_away_record",
    "person_create",
    "person_update",
    "residence_change_record",
]
