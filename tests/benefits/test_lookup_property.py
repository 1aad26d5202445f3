"""The lookup of a person by what a clerk or a parent types (an ID number or a birth
medical certificate number, `selectors.person_by_key`): however the same key is typed
(full-width digits, a lower-case x, an Excel apostrophe, spaces around it), it finds
the same person, and a different key never finds them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from famplan.benefits.selectors import person_by_key
from famplan.common.idnumbers import make_id_number
from famplan.registry.models import Birth, Person
from tests.benefits.conftest import family

pytestmark = pytest.mark.django_db

FULL_WIDTH = {str(i): chr(0xFF10 + i) for i in range(10)} | {"X": "ｘ"}
EDGES = st.sampled_from(["", " ", "\u3000", "\t", "\xa0"])


@st.composite
def typed(draw, key: str) -> str:
    """`key` as someone might type it."""
    chars = [FULL_WIDTH.get(c, c) if draw(st.booleans()) else c for c in key]
    text = "".join(chars)
    if draw(st.booleans()):
        text = text.lower()
    if draw(st.booleans()):
        text = "'" + text
    return draw(EDGES) + text + draw(EDGES)


@pytest.fixture
def newborn(county_admin):
    f = family(county_admin, father_born=date(1994, 1, 1), mother_born=date(1995, 1, 1),
               children=(("M", date(2026, 1, 5)),))  # fmt: skip
    child = f.children[0]
    # An ID number whose check character is X, so that a lower-case x is tried too.
    with_x = next(
        n
        for n in (make_id_number("620422", date(2026, 1, 5), seq, "M") for seq in range(1, 999))
        if n.endswith("X")
    )
    Person.objects.filter(pk=child.pk).update(id_number=with_x)
    child.refresh_from_db()
    Birth.objects.filter(child=child).update(medical_certificate_number="Q620000001")
    return child


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_same_key_however_typed_finds_the_same_person(newborn, data):
    people = Person.objects.all()
    id_typed = data.draw(typed(newborn.id_number))
    assert person_by_key(people, id_typed) == newborn
    certificate_typed = data.draw(typed("Q620000001"))
    assert person_by_key(people, certificate_typed) == newborn


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(digit=st.integers(0, 16), change=st.integers(1, 9))
def test_another_key_never_finds_them(newborn, digit, change):
    number = newborn.id_number  # ends in X: a changed digit among the first 17
    other = number[:digit] + str((int(number[digit]) + change) % 10) + number[digit + 1 :]
    assert person_by_key(Person.objects.all(), other) is None
    assert person_by_key(Person.objects.all(), "Q620000002") is None
