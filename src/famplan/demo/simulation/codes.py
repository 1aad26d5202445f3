"""The registry's coded values as plain strings, bound once: the simulation compares
them millions of times, and the rows it writes carry them as they are stored.

Every value comes from the registry's choices (registry/models/choices.py), so a
renamed code cannot leave the demo writing one the registry no longer knows.
"""

from __future__ import annotations

from famplan.registry.models.choices import (
    BirthPlace,
    Direction,
    HukouType,
    MaritalStatus,
    MarriageEnd,
    MarriageKind,
    MigrationStatus,
    PersonStatus,
    Relation,
    Sex,
)

MALE, FEMALE = Sex.MALE.value, Sex.FEMALE.value
RURAL, URBAN = HukouType.RURAL.value, HukouType.URBAN.value

ACTIVE = PersonStatus.ACTIVE.value
AWAY = PersonStatus.AWAY.value
MOVED_OUT = PersonStatus.MOVED_OUT.value
DECEASED = PersonStatus.DECEASED.value
ON_REGISTER = (ACTIVE, AWAY)

UNMARRIED = MaritalStatus.UNMARRIED.value
FIRST_MARRIED = MaritalStatus.FIRST_MARRIED.value
REMARRIED = MaritalStatus.REMARRIED.value
DIVORCED = MaritalStatus.DIVORCED.value
WIDOWED = MaritalStatus.WIDOWED.value
MARRIED = (FIRST_MARRIED, REMARRIED)
WAS_MARRIED = (DIVORCED, WIDOWED)

FIRST_MARRIAGE, REMARRIAGE = MarriageKind.FIRST.value, MarriageKind.RE.value
BY_DIVORCE, BY_DEATH = MarriageEnd.DIVORCE.value, MarriageEnd.DEATH.value

HOSPITAL, AT_HOME, ELSEWHERE = (
    BirthPlace.HOSPITAL.value,
    BirthPlace.HOME.value,
    BirthPlace.OTHER.value,
)

IN, OUT = Direction.IN.value, Direction.OUT.value
OPEN, RETURNED = MigrationStatus.ACTIVE.value, MigrationStatus.RETURNED.value

HEAD = Relation.HEAD.value
SPOUSE = Relation.SPOUSE.value
CHILD = Relation.CHILD.value
PARENT = Relation.PARENT.value
GRANDCHILD = Relation.GRANDCHILD.value
SIBLING = Relation.SIBLING.value
CHILD_IN_LAW = Relation.CHILD_IN_LAW.value
OTHER = Relation.OTHER.value
