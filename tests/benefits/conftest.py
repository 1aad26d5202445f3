"""Hand-built families in 会师镇's first village, and the programs (preloaded by the
data migration, so present in every test database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from famplan.benefits.models import Program
from famplan.registry.models import Birth, Marriage, Person, PersonStatus
from tests.registry.factories import person

VILLAGE = "620422100001"  # 东关社区, 会师镇
VILLAGE_2 = "620422100201"  # 南嘴村, 会师镇
OTHER_VILLAGE = "620422101201"  # 郭城村, 郭城驿镇


@dataclass
class Family:
    father: Person
    mother: Person
    children: list[Person] = field(default_factory=list)


def die(p: Person, on: date) -> None:
    Person.objects.filter(pk=p.pk).update(status=PersonStatus.DECEASED, left_on=on)
    p.refresh_from_db()


def family(
    actor,
    *,
    father_born: date = date(1960, 3, 1),
    mother_born: date = date(1962, 5, 1),
    children: tuple = (("M", date(1990, 1, 1)),),
    hukou: str = "rural",
    unit: str = VILLAGE,
    married: bool = True,
    surname: str = "张",
) -> Family:
    """A couple and their children: each child (sex, born[, died_on[, disability grade]])."""
    father = person(actor, name=f"{surname}父", sex="M", born=father_born, unit=unit)
    mother = person(actor, name=f"{surname}母", sex="F", born=mother_born, unit=unit)
    Person.objects.filter(pk__in=[father.pk, mother.pk]).update(hukou_type=hukou)
    if married:
        Marriage.objects.create(
            unit_id=unit, husband=father, wife=mother, married_on=date(1985, 1, 1), kind="first"
        )
    kids = []
    for order, spec in enumerate(children, start=1):
        sex, born, *rest = spec
        died = rest[0] if rest else None
        grade = rest[1] if len(rest) > 1 else None
        child = person(actor, name=f"{surname}子{order}", sex=sex, born=born, unit=unit)
        if grade:
            Person.objects.filter(pk=child.pk).update(disability_grade=grade)
        Birth.objects.create(
            unit_id=unit, child=child, mother=mother, father=father, born_on=born, sex=sex,
            birth_order=order, place_type="hospital",
        )  # fmt: skip
        if died:
            die(child, died)
        child.refresh_from_db()
        kids.append(child)
    father.refresh_from_db()
    mother.refresh_from_db()
    return Family(father, mother, kids)


@pytest.fixture
def programs(db) -> dict[str, Program]:
    return {p.code: p for p in Program.objects.all()}


@pytest.fixture
def other_county_admin(units):
    from famplan.orgunits.models import Level, OrgUnit
    from tests.conftest import make_user

    OrgUnit.objects.create(code="620421", name="靖远县", level=Level.COUNTY, parent_id=None)
    return make_user("other_county_admin", "620421", "county_admin")


@pytest.fixture
def frozen(county_admin, programs):
    """A rural-reward cycle of 2026, frozen, with a family in 会师镇 (东关社区) and one
    in 郭城驿镇 (郭城村), each village's notice published."""
    from famplan.benefits import services
    from famplan.benefits.models import Cycle, CycleStatus, Entry, EntryStatus, Notice

    mine = family(county_admin, father_born=date(1950, 1, 1), mother_born=date(1952, 1, 1))
    theirs = family(county_admin, unit=OTHER_VILLAGE, surname="刘")
    cycle = services.cycle_open(actor=county_admin, program=programs["rural_reward"], year=2026)
    services.cycle_list_candidates(actor=county_admin, cycle=cycle)
    for unit in (VILLAGE, OTHER_VILLAGE):
        Notice.objects.create(
            cycle=cycle, unit_id=unit, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 7)
        )
    Entry.objects.filter(cycle=cycle).update(status=EntryStatus.APPROVED)
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.APPROVED)
    cycle.refresh_from_db()
    services.bank_account_set(
        actor=county_admin, person=mine.father, payee_name=mine.father.name,
        bank_name="会宁农商银行", account_number="6229000011112222",
    )  # fmt: skip
    services.roster_freeze(actor=county_admin, cycle=cycle)
    cycle.refresh_from_db()
    return cycle, mine, theirs
