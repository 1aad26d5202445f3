"""Hand-built families in the fixture county and helpers for care's records.

会师镇: 东关社区 (VILLAGE, village_worker's), 南嘴村 (SECOND); 郭城驿镇: 郭城村 (OTHER)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from famplan.care import services
from famplan.care.models import ContactSide, FamilyKind, TargetKind, TeamRole
from famplan.common.dates import today
from famplan.registry.models import Birth, Household, Person, PersonStatus
from tests.registry.factories import person

VILLAGE = "620422100001"
SECOND = "620422100201"
TOWNSHIP = "620422100"
OTHER = "620422101201"


@dataclass
class Couple:
    father: Person
    mother: Person
    children: list[Person] = field(default_factory=list)


def couple(actor, *, unit=VILLAGE, kids=(("M", None, None),), surname="张") -> Couple:
    """A couple and their children: each (sex, died_on, disability grade)."""
    father = person(actor, name=f"{surname}父", sex="M", born=date(1960, 3, 1), unit=unit)
    mother = person(actor, name=f"{surname}母", sex="F", born=date(1962, 5, 1), unit=unit)
    out = Couple(father, mother)
    for order, (sex, died, grade) in enumerate(kids, start=1):
        born = date(1988 + order, 1, 1)
        child = person(actor, name=f"{surname}子{order}", sex=sex, born=born, unit=unit)
        Birth.objects.create(
            unit_id=unit,
            child=child,
            mother=mother,
            father=father,
            born_on=born,
            sex=sex,
            birth_order=order,
            place_type="hospital",
        )
        updates = {}
        if grade:
            updates["disability_grade"] = grade
        if died:
            updates.update(status=PersonStatus.DECEASED, left_on=died)
        if updates:
            Person.objects.filter(pk=child.pk).update(**updates)
        child.refresh_from_db()
        out.children.append(child)
    return out


def bereaved(actor, unit=VILLAGE, surname="张") -> Couple:
    return couple(actor, unit=unit, kids=(("M", date(2015, 6, 1), None),), surname=surname)


def confirmed(clerk, unit=VILLAGE, surname="张", on: date | None = None):
    c = bereaved(clerk, unit, surname)
    return services.family_confirm(actor=clerk, child_id=c.children[0].pk, confirmed_on=on)


def household(unit=VILLAGE, number="H1") -> Household:
    return Household.objects.create(unit_id=unit, number=number)


def contact(actor, family, side=ContactSide.VILLAGE, name="李医生", start=None, user=None):
    return services.assignment_create(
        actor=actor,
        target_kind=TargetKind.FAMILY,
        family=family,
        side=side,
        user=user,
        name=name,
        phone="13912345678",
        role=TeamRole.VILLAGE_DOCTOR,
        starts_on=start or today() - timedelta(days=90),
    )


def visit(actor, family, on: date | None = None, assignment=None):
    return services.visit_record(
        actor=actor,
        target_kind=TargetKind.FAMILY,
        family=family,
        visited_on=on or today(),
        content="了解情况",
        assignment=assignment,
    )


@pytest.fixture
def family(township_clerk):
    return confirmed(township_clerk)


@pytest.fixture
def other_family(other_clerk):
    return confirmed(other_clerk, OTHER, "赵")


__all__ = ["FamilyKind"]
