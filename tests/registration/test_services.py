"""Birth registration services: matching the registry, the queue, refusals, numbers, links."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from famplan.audit.models import AuditEntry
from famplan.common.dates import today
from famplan.common.idnumbers import make_id_number
from famplan.registration.models import BirthRegistration, Channel, ChildRelation, Status
from famplan.registration.selectors import registrations_to_handle
from famplan.registration.services import (
    ChildData,
    StateError,
    normalize_receipt,
    registration_link_birth,
    registration_link_births,
    registration_link_on_birth,
    registration_register,
    registration_return,
)
from famplan.registry.services.people import FieldError
from tests.registration.conftest import (
    OTHER_TOWNSHIP,
    add_child,
    data_for,
    submit,
)


def test_it_registers_at_once_when_the_form_matches_the_registry(township_clerk, couple):
    r = submit(township_clerk, data_for(couple))
    assert r.status == Status.REGISTERED
    assert r.wife_person == couple.wife and r.husband_person == couple.husband
    assert r.marriage == couple.marriage
    assert r.mismatch_reasons == []
    year = today().year
    assert r.certificate_number == f"620422-{year}-000001"
    assert r.registered_on == today()
    actions = list(
        AuditEntry.objects.filter(target_type="registration.birthregistration", target_id=str(r.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "registration.registration.submitted",
        "registration.registration.registered",
    ]


def test_it_numbers_certificates_in_sequence_per_county(
    township_clerk, couple, other_clerk, other_couple
):
    first = submit(township_clerk, data_for(couple))
    second = submit(other_clerk, data_for(other_couple, township=OTHER_TOWNSHIP))
    year = today().year
    assert (first.certificate_number, second.certificate_number) == (
        f"620422-{year}-000001",
        f"620422-{year}-000002",
    )


def test_it_counts_the_couples_joint_children_and_never_refuses_more(township_clerk, couple):
    for i, year in enumerate((2019, 2021, 2023)):
        add_child(township_clerk, couple, date(year, 6, 1), name=f"李{i}")
    # A child of the wife with someone else does not count for the couple's order.
    r = submit(
        township_clerk,
        data_for(
            couple,
            children=[ChildData("张一", "F", date(2015, 1, 1), ChildRelation.WIFE)],
        ),
    )
    assert r.status == Status.REGISTERED
    assert r.joint_children == 3
    assert r.birth_order == 4
    relations = sorted(r.children.values_list("relation", "source"))
    assert relations == [("joint", "registry")] * 3 + [("wife", "declared")]


def test_it_does_not_count_a_declared_child_the_registry_already_holds_twice(
    township_clerk, couple
):
    add_child(township_clerk, couple, date(2020, 6, 1), name="李一", sex="M")
    r = submit(
        township_clerk,
        data_for(couple, children=[ChildData("李一", "M", date(2020, 6, 1), ChildRelation.JOINT)]),
    )
    assert r.joint_children == 1 and r.birth_order == 2
    assert list(r.children.values_list("source", flat=True)) == ["registry"]


@pytest.mark.parametrize(
    "change,reason",
    [
        ({"wife_name": "王芳芳"}, "女方姓名与人口信息库不一致"),
        (
            {"places": True, "wife_id": make_id_number("620422", date(1990, 1, 1), 300, "F")},
            "女方不在人口信息库中",
        ),
    ],
)
def test_it_queues_what_does_not_match_the_registry(township_clerk, couple, change, reason):
    r = submit(township_clerk, data_for(couple, **change))
    assert r.status == Status.PENDING
    assert reason in r.mismatch_reasons
    assert r.certificate_number is None


def test_it_queues_a_couple_without_a_current_marriage(township_clerk, couple):
    from famplan.registry.services import divorce_record

    divorce_record(actor=township_clerk, marriage=couple.marriage, divorced_on=date(2024, 1, 1))
    r = submit(township_clerk, data_for(couple))
    assert r.status == Status.PENDING
    assert r.mismatch_reasons == ["人口信息库中没有二人的在婚记录"]


def test_it_queues_every_online_application(couple):
    r = submit(None, data_for(couple, places=True), channel=Channel.ONLINE)
    assert r.status == Status.PENDING
    assert r.submitted_by is None
    assert len(r.receipt_number) == 12


@pytest.mark.parametrize(
    "change,field,message",
    [
        ({"wife_id": "620422199001011234"}, "wife_id_number", "女方身份证号校验位错误"),
        (
            {"wife_id": make_id_number("620422", date(1990, 1, 1), 5, "M")},
            "wife_id_number",
            "女方身份证号的性别为男",
        ),
        ({"expected_on": "far"}, "expected_on", "预产期不能晚于一年以后"),
        ({"township": OTHER_TOWNSHIP}, "township", "办理乡镇不在您的管辖范围内"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(township_clerk, couple, change, field, message):
    if change.get("expected_on") == "far":
        change["expected_on"] = today() + timedelta(days=400)
    with pytest.raises(FieldError) as exc:
        submit(township_clerk, data_for(couple, **change))
    assert exc.value.field == field
    assert message in exc.value.message
    assert not BirthRegistration.objects.exists()


def test_it_refuses_a_township_that_is_neither_spouses_hukou_nor_residence(county_admin, couple):
    with pytest.raises(FieldError) as exc:
        submit(county_admin, data_for(couple, township=OTHER_TOWNSHIP))
    assert exc.value.field == "township"
    assert "户籍地或现居住地" in exc.value.message


def test_it_asks_for_hukou_and_residence_of_a_spouse_not_in_the_registry(township_clerk):
    data = data_for(None)
    data.wife.hukou_unit_id = None
    data.wife.hukou_address = ""
    with pytest.raises(FieldError) as exc:
        submit(township_clerk, data)
    assert exc.value.field == "wife_hukou_address"
    assert exc.value.message == "女方不在人口信息库中，请填写户籍地"


def test_it_registers_a_queued_application_after_verification(township_clerk, couple):
    r = submit(None, data_for(couple, places=True), channel=Channel.ONLINE)
    r = registration_register(actor=township_clerk, registration=r)
    assert r.status == Status.REGISTERED
    assert r.certificate_number.endswith("-000001")
    assert r.handled_by == township_clerk
    assert AuditEntry.objects.filter(
        action="registration.registration.registered", target_id=str(r.pk), user=township_clerk
    ).exists()


def test_it_refuses_to_register_twice_or_after_return(township_clerk, couple):
    registered = submit(township_clerk, data_for(couple))
    with pytest.raises(StateError) as exc:
        registration_register(actor=township_clerk, registration=registered)
    assert exc.value.message == "该申请当前为“已登记”，只有待核实的申请可以登记"
    with pytest.raises(StateError):
        registration_return(actor=township_clerk, registration=registered, reason="重复")


def test_it_returns_for_correction_with_a_reason(township_clerk, couple):
    r = submit(None, data_for(couple, places=True), channel=Channel.ONLINE)
    with pytest.raises(FieldError) as exc:
        registration_return(actor=township_clerk, registration=r, reason="  ")
    assert exc.value.message == "请填写退回原因"
    r = registration_return(actor=township_clerk, registration=r, reason="结婚日期与结婚证不符")
    assert (r.status, r.return_reason) == (Status.RETURNED, "结婚日期与结婚证不符")
    entry = AuditEntry.objects.get(action="registration.registration.returned")
    assert entry.detail == {"reason": "结婚日期与结婚证不符"}
    with pytest.raises(StateError) as exc:
        registration_register(actor=township_clerk, registration=r)
    assert "退回补正" in exc.value.message


def test_it_lets_only_the_handling_township_work_the_queue(other_clerk, couple):
    r = submit(None, data_for(couple, places=True), channel=Channel.ONLINE)
    with pytest.raises(StateError) as exc:
        registration_register(actor=other_clerk, registration=r)
    assert exc.value.message == "该生育登记由其他乡镇办理，您不能办理"
    r.refresh_from_db()
    assert r.status == Status.PENDING


def test_it_links_a_birth_recorded_without_the_automatic_link(
    unlinked_births, township_clerk, couple
):
    r = submit(township_clerk, data_for(couple, expected_on=today() - timedelta(days=5)))
    assert r.birth is None
    birth = add_child(township_clerk, couple, today() - timedelta(days=2))
    assert registration_link_on_birth(actor=township_clerk, birth=birth) == r
    r.refresh_from_db()
    assert r.birth == birth
    # Once linked, the birth is not linked again.
    assert registration_link_on_birth(actor=township_clerk, birth=birth) is None
    assert AuditEntry.objects.filter(
        action="registration.registration.birth_linked", target_id=str(r.pk)
    ).exists()


def test_it_links_the_births_of_a_townships_registrations_in_one_go(
    unlinked_births, township_clerk, couple, other_clerk, other_couple
):
    mine = submit(township_clerk, data_for(couple, expected_on=today() - timedelta(days=5)))
    theirs = submit(
        other_clerk,
        data_for(other_couple, township=OTHER_TOWNSHIP, expected_on=today() - timedelta(days=5)),
    )
    born = add_child(township_clerk, couple, today() - timedelta(days=3))
    add_child(other_clerk, other_couple, today() - timedelta(days=3), name="钱宝")
    mine_only = registrations_to_handle(township_clerk)
    assert registration_link_births(actor=township_clerk, registrations=mine_only) == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.birth, theirs.birth) == (born, None)


def test_it_links_a_birth_recorded_before_the_registration(township_clerk, couple):
    birth = add_child(township_clerk, couple, today() - timedelta(days=10))
    r = submit(township_clerk, data_for(couple, expected_on=today() - timedelta(days=10)))
    assert r.birth == birth
    # The child it is registered for is not one of the children before it.
    assert (r.joint_children, r.birth_order) == (0, 1)


def test_it_refuses_a_birth_of_another_mother_or_date(
    township_clerk, couple, other_clerk, other_couple
):
    r = submit(township_clerk, data_for(couple, expected_on=today() + timedelta(days=200)))
    early = add_child(township_clerk, couple, today() - timedelta(days=1))
    # 200 days before the expected date: not this pregnancy.
    assert registration_link_on_birth(actor=township_clerk, birth=early) is None
    with pytest.raises(StateError) as exc:
        registration_link_birth(actor=township_clerk, registration=r, birth=early)
    assert exc.value.message == "该出生记录的母亲或出生日期与本生育登记不符"
    stranger = add_child(other_clerk, other_couple, today() - timedelta(days=1))
    with pytest.raises(StateError):
        registration_link_birth(actor=township_clerk, registration=r, birth=stranger)


def test_it_links_only_registered_registrations(township_clerk, couple):
    r = submit(None, data_for(couple, places=True, expected_on=today()), channel=Channel.ONLINE)
    birth = add_child(township_clerk, couple, today())
    assert registration_link_on_birth(actor=township_clerk, birth=birth) is None
    with pytest.raises(StateError) as exc:
        registration_link_birth(actor=township_clerk, registration=r, birth=birth)
    assert exc.value.message == "只有已登记的生育登记可以关联出生"
    # Registering it afterwards finds the birth.
    r = registration_register(actor=township_clerk, registration=r)
    assert r.birth == birth


@pytest.mark.parametrize("raw", ["abcd-efgh-jkmn", " ABCD EFGH JKMN ", "ABCDEFGHJKMN"])
def test_it_normalizes_a_typed_receipt_number(raw):
    assert normalize_receipt(raw) == "ABCDEFGHJKMN"


def test_it_links_the_birth_of_a_wife_who_joined_the_registry_after_applying(township_clerk):
    # The birth links as it is recorded, by the wife's ID number.
    from famplan.registry.services import PersonData, birth_record, person_create

    data = data_for(None, expected_on=today())
    r = submit(None, data, channel=Channel.ONLINE)
    r = registration_register(actor=township_clerk, registration=r)
    assert r.wife_person is None
    wife = person_create(
        actor=township_clerk,
        data=PersonData(
            name="孙丽", sex="F", birth_date=date(1996, 7, 8), unit_id="620422100001",
            id_number=data.wife.id_number, registered_on=date(1996, 7, 8),
        ),
    )  # fmt: skip
    birth = birth_record(
        actor=township_clerk, mother=wife, father=None, child_name="孙宝",
        sex="F", born_on=today(), place_type="hospital",
    )  # fmt: skip
    r.refresh_from_db()
    assert (r.birth, r.wife_person) == (birth, wife)
    assert registration_link_on_birth(actor=township_clerk, birth=birth) is None


def test_it_refuses_invisible_characters_in_a_typed_name(township_clerk, couple):
    with pytest.raises(FieldError) as exc:
        submit(township_clerk, data_for(couple, wife_name="王\u202e芳"))
    assert exc.value.field == "wife_name"
    assert exc.value.message.startswith("女方姓名含有不可见的控制字符（U+202E）")
    r = submit(None, data_for(couple, places=True), channel=Channel.ONLINE)
    with pytest.raises(FieldError) as exc:
        registration_return(actor=township_clerk, registration=r, reason="\u200b")
    assert exc.value.field == "reason"
