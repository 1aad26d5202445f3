"""The delivery service: what a delivery writes, batches, twins, replays, scope; and the
typed-input cleaning of a posted delivery as a property."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from famplan.audit.models import AuditEntry
from famplan.common.dates import today
from famplan.deliveries.models import DeliveryRecord, Via
from famplan.deliveries.services import (
    FIELD_LABELS,
    DeliveriesRefused,
    DeliveryData,
    _clean,
    deliveries_record,
    delivery_record,
)
from famplan.registry.models import Birth, Person
from famplan.registry.services import household_create
from famplan.registry.services.people import FieldError
from tests.deliveries.conftest import data


def record(hospital, *items, via=Via.API):
    return deliveries_record(
        actor=hospital.facility.account, facility=hospital.facility, items=list(items), via=via
    )


def test_it_puts_the_child_in_the_mothers_household(hospital, mother, township_clerk):
    home = household_create(actor=township_clerk, unit_id=mother.unit_id, head=mother)
    (result,) = record(hospital, data(mother))
    child = result.delivery.birth.child
    assert (child.household_id, child.relation_to_head, child.unit_id) == (
        home.pk,
        "child",
        mother.unit_id,
    )


def test_it_records_twins_of_one_call_when_said_so(hospital, mother):
    with pytest.raises(DeliveriesRefused) as refused:
        record(hospital, data(mother, "T1"), data(mother, "T2"))
    assert refused.value.results[1].errors[0].field == "multiple"
    assert not Birth.objects.exists()
    first, second = record(hospital, data(mother, "T1"), data(mother, "T2", multiple=True))
    orders = (first.delivery.birth.birth_order, second.delivery.birth.birth_order)
    assert orders == (1, 2)


def test_it_writes_nothing_when_one_of_a_batch_is_refused(hospital, mother, township_clerk):
    from tests.registry.factories import person

    other = person(township_clerk, name="孙丽", sex="F", born=date(1992, 2, 2))
    before = AuditEntry.objects.count()
    with pytest.raises(DeliveriesRefused) as refused:
        record(hospital, data(mother, "A"), data(other, "B", weight_g=10))
    assert [r.ok for r in refused.value.results] == [True, False]
    assert not Birth.objects.exists() and not DeliveryRecord.objects.exists()
    assert not Person.objects.filter(name__endswith="之子").exists()
    assert AuditEntry.objects.count() == before


def test_it_gives_a_replay_the_earlier_result(hospital, mother):
    first = delivery_record(
        actor=hospital.facility.account, facility=hospital.facility, data=data(mother), via="api"
    )
    again = delivery_record(
        actor=hospital.facility.account, facility=hospital.facility, data=data(mother), via="api"
    )
    assert again.replayed and again.delivery == first.delivery
    # The ID number as typed with full-width digits is the same delivery.
    typed = data(mother)
    typed.mother_id_number = "'" + mother.id_number.translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    assert delivery_record(
        actor=hospital.facility.account, facility=hospital.facility, data=typed, via="api"
    ).replayed


def test_it_refuses_with_the_first_problem_on_one_delivery(hospital, mother):
    with pytest.raises(FieldError) as exc:
        delivery_record(
            actor=hospital.facility.account, facility=hospital.facility, via="api",
            data=data(mother, delivered_on=(today() + timedelta(days=3)).isoformat()),
        )  # fmt: skip
    assert (exc.value.field, exc.value.message) == ("delivered_on", "出生日期不能晚于今天")


texts = st.text(max_size=80)


@settings(max_examples=300, deadline=None)
@given(record_id=texts, id_number=texts, sex=texts, place=texts, child_name=texts)
def test_it_cleans_any_typed_delivery_or_names_the_field(
    record_id, id_number, sex, place, child_name
):
    item = DeliveryData(
        record_id=record_id, mother_id_number=id_number, delivered_on=date(2026, 1, 1),
        sex=sex, place=place, child_name=child_name,
    )  # fmt: skip
    problems = _clean(item)
    for problem in problems:
        assert problem.field in FIELD_LABELS and problem.message
    fields = {p.field for p in problems}
    if "record_id" not in fields:
        assert item.record_id and item.record_id == item.record_id.strip()
    if "mother_id_number" not in fields:
        assert len(item.mother_id_number) == 18


@pytest.mark.parametrize("sex, place", [("女", "医院"), ("2", "HOSPITAL"), ("f", "hospital")])
def test_it_takes_the_words_and_codes_hospital_systems_send(hospital, mother, sex, place):
    (result,) = record(hospital, data(mother, sex=sex, place=place))
    assert (result.delivery.sex, result.delivery.place) == ("F", "hospital")
    assert result.delivery.child_name == "王芳之女"
    # The same delivery in the API's own codes is a replay of it.
    (again,) = record(hospital, data(mother, sex="F", place="hospital"))
    assert again.replayed


def test_it_loads_the_demo_hospital_for_the_facility_user_once(county_admin, facility_user):
    from famplan.deliveries.demo import demo_facility_load
    from famplan.deliveries.models import FacilityMember
    from famplan.orgunits.models import OrgUnit

    county = OrgUnit.objects.get(code="620422")
    first = demo_facility_load(county=county)
    assert demo_facility_load(county=county) == first
    assert first.name == "会宁县人民医院"
    assert FacilityMember.objects.get(user=facility_user).facility == first
