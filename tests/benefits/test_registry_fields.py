"""The registry facts the benefit rules read: disability grade and the one-child
certificate, entered on the person form; account numbers as people type them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from famplan.benefits.services import AccountError, check_account
from famplan.registry.forms.people import PersonEditForm, initial_for
from famplan.registry.models import Person
from tests.registry.factories import person


def test_it_saves_the_disability_grade_and_certificate_from_the_person_form(township_clerk):
    p = person(township_clerk, name="王残", sex="F", born=date(1995, 1, 1))
    data = {**initial_for(p), "disability_grade": "3", "one_child_certificate_on": "2015-06-01",
            "birth_date": "1995-01-01", "registered_on": "1995-01-01"}  # fmt: skip
    data = {k: ("" if v is None else v) for k, v in data.items()}
    form = PersonEditForm(data, user=township_clerk, person=p)
    assert form.is_valid(), form.errors
    assert form.save() is not None
    p = Person.objects.get(pk=p.pk)
    assert (p.disability_grade, p.one_child_certificate_on) == (3, date(2015, 6, 1))
    assert initial_for(p)["disability_grade"] == 3
    form = PersonEditForm({**data, "disability_grade": "7"}, user=township_clerk, person=p)
    assert not form.is_valid() and "disability_grade" in form.errors


DIGITS = st.text(alphabet="0123456789", min_size=12, max_size=19)


@settings(max_examples=60, deadline=None)
@given(digits=DIGITS, spaces=st.lists(st.integers(min_value=1, max_value=11), max_size=3),
       full_width=st.booleans())  # fmt: skip
def test_it_takes_an_account_number_as_typed(digits, spaces, full_width):
    typed = digits
    for at in sorted(set(spaces), reverse=True):
        typed = typed[:at] + " " + typed[at:]
    if full_width:
        typed = typed.translate({ord("0") + i: ord("０") + i for i in range(10)})
    assert check_account(holder_name="李四", payee_name="李四", account_number=typed,
                         bank_name="银行") == digits  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(text=st.text(min_size=1, max_size=25))
def test_it_refuses_anything_but_12_to_19_digits(text):
    cleaned = "".join(text.split()).replace("-", "")
    try:
        digits = check_account(holder_name="李四", payee_name="李四", account_number=text,
                               bank_name="银行")  # fmt: skip
    except AccountError as exc:
        assert exc.field == "account_number" and exc.message.startswith("账号")
    else:
        assert digits.isascii() and digits.isdigit() and 12 <= len(digits) <= 19
        assert len(digits) == len(cleaned.replace("\u3000", ""))


def test_it_names_the_field_of_each_account_refusal():
    with pytest.raises(AccountError) as exc:
        check_account(holder_name="李四", payee_name="李四", account_number="1", bank_name=" ")
    assert exc.value.field == "bank_name"
    with pytest.raises(AccountError) as exc:
        check_account(holder_name="李四", payee_name="张三", account_number="1", bank_name="行")
    assert exc.value.field == "payee_name"
