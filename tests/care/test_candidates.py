"""Special-family candidates from the registry: the only child died or is disabled at
grade 1-3, a parent on the register; confirmed or dismissed by the township."""

from __future__ import annotations

from datetime import date

import pytest

from famplan.care import services
from famplan.care.candidates import candidates, candidates_for_user
from famplan.care.models import FamilyKind, FamilySource, FamilyStatus, SpecialFamily
from famplan.common.errors import DomainError
from famplan.registry.models import Birth, Person, PersonStatus
from tests.registry.factories import person

from .conftest import OTHER, bereaved, couple

pytestmark = pytest.mark.django_db


def test_it_finds_the_only_child_died_and_the_disabled_grades_1_to_3(township_clerk):
    died = bereaved(township_clerk)
    disabled = couple(township_clerk, kids=(("F", None, 2),), surname="李")
    couple(township_clerk, kids=(("F", None, 4),), surname="王")  # grade 4: not special
    couple(township_clerk, kids=(("M", date(2010, 1, 1), None), ("F", None, None)), surname="刘")
    couple(township_clerk, kids=(("M", None, None),), surname="陈")  # living, no disability
    found = {c.child["pk"]: c for c in candidates("620422")}
    assert set(found) == {died.children[0].pk, disabled.children[0].pk}
    assert found[died.children[0].pk].kind == FamilyKind.CHILD_DIED
    assert found[disabled.children[0].pk].kind == FamilyKind.CHILD_DISABLED
    assert found[died.children[0].pk].name == "张父、张母"


def test_a_parent_with_a_child_of_another_marriage_is_not_a_one_child_family(township_clerk):
    c = bereaved(township_clerk)
    other_mother = person(township_clerk, name="后妻", sex="F", born=date(1970, 1, 1))
    kid = person(township_clerk, name="后子", sex="M", born=date(2005, 1, 1))
    Birth.objects.create(
        unit_id=c.father.unit_id,
        child=kid,
        mother=other_mother,
        father=c.father,
        born_on=kid.birth_date,
        sex="M",
        birth_order=1,
        place_type="hospital",
    )
    assert candidates("620422") == []


def test_a_family_whose_parents_left_the_register_is_not_a_candidate(township_clerk):
    c = bereaved(township_clerk)
    Person.objects.filter(pk__in=[c.father.pk, c.mother.pk]).update(
        status=PersonStatus.DECEASED, left_on=date(2020, 1, 1)
    )
    assert candidates("620422") == []


def test_a_township_sees_only_its_own_candidates(township_clerk, other_clerk, village_worker):
    mine = bereaved(township_clerk)
    theirs = bereaved(other_clerk, OTHER, "赵")
    assert [c.child["pk"] for c in candidates_for_user(township_clerk)] == [mine.children[0].pk]
    assert [c.child["pk"] for c in candidates_for_user(other_clerk)] == [theirs.children[0].pk]


def test_a_confirmed_or_dismissed_candidate_is_not_offered_again(township_clerk):
    a, b = bereaved(township_clerk), bereaved(township_clerk, surname="李")
    family = services.family_confirm(actor=township_clerk, child_id=a.children[0].pk)
    assert (family.status, family.source, family.mother, family.father) == (
        FamilyStatus.CONFIRMED,
        FamilySource.REGISTRY,
        a.mother,
        a.father,
    )
    services.family_dismiss(actor=township_clerk, child_id=b.children[0].pk, reason="非独生子女")
    assert candidates("620422") == []
    with pytest.raises(DomainError, match="已确认"):
        services.family_confirm(actor=township_clerk, child_id=a.children[0].pk)
    assert SpecialFamily.objects.count() == 2


def test_another_township_cannot_confirm_and_a_village_worker_is_sent_to_the_township(
    township_clerk, other_clerk, village_worker
):
    a = bereaved(township_clerk)
    with pytest.raises(DomainError, match="不在您的管辖范围内"):
        services.family_confirm(actor=other_clerk, child_id=a.children[0].pk)
    with pytest.raises(DomainError, match="由乡镇确认"):
        services.family_confirm(actor=village_worker, child_id=a.children[0].pk)
    with pytest.raises(DomainError, match="原因"):
        services.family_dismiss(actor=township_clerk, child_id=a.children[0].pk, reason=" ")
    assert not SpecialFamily.objects.exists()


def test_a_family_entered_by_hand_is_not_offered_again_from_the_registry(township_clerk):
    """Entered by hand with its parents (before the registry held the child's death), the
    family must not come back as a candidate and be confirmed a second time."""
    from famplan.common.dates import today
    from famplan.orgunits.models import OrgUnit
    from tests.care.conftest import VILLAGE

    c = bereaved(township_clerk)
    assert [x.child["pk"] for x in candidates(VILLAGE)] == [c.children[0].pk]
    services.family_create(
        actor=township_clerk, unit=OrgUnit.objects.get(code=VILLAGE), kind=FamilyKind.CHILD_DIED,
        name="张父、张母", confirmed_on=today(), mother=c.mother, father=c.father,
    )  # fmt: skip
    assert candidates(VILLAGE) == []
    with pytest.raises(DomainError, match="不再符合特殊家庭条件"):
        services.family_confirm(actor=township_clerk, child_id=c.children[0].pk)
