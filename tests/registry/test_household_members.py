"""The household page counts its living members; members are added and the head is
changed from it, through services with audit rows and Chinese refusals."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from famplan.audit.models import AuditEntry
from famplan.registry.models import Household, Person, PersonStatus, Relation
from famplan.registry.services import (
    death_record,
    household_create,
    household_head_change,
    household_member_add,
    move_away_record,
)
from famplan.registry.services.people import FieldError
from tests.conftest import client_for
from tests.registry.factories import person

V1, V2 = "620422100001", "620422100201"  # 东关社区 and 南嘴村, both in 会师镇


def detail(pk: int) -> str:
    return reverse("registry:household_detail", args=[pk])


def add_url(pk: int) -> str:
    return reverse("registry:household_member_add", args=[pk])


def head_url(pk: int) -> str:
    return reverse("registry:household_head_change", args=[pk])


@pytest.fixture
def home(village_worker) -> Household:
    """王强's household in 东关社区: him (head), his wife 李芳, his late father 王老."""
    head = person(village_worker, name="王强", born=date(1980, 3, 1))
    household = household_create(actor=village_worker, unit_id=V1, head=head)
    person(
        village_worker,
        name="李芳",
        sex="F",
        born=date(1982, 6, 1),
        household_id=household.pk,
        relation_to_head=Relation.SPOUSE,
    )
    father = person(
        village_worker,
        name="王老",
        born=date(1950, 1, 1),
        household_id=household.pk,
        relation_to_head=Relation.PARENT,
    )
    death_record(actor=village_worker, person=father, died_on=date(2024, 5, 1))
    return household


def member(household: Household, name: str) -> Person:
    return household.members.get(name=name)


# ---------------------------------------------------------------- counting


def test_it_counts_living_members_only(village_client, village_worker, county_client, home):
    son = person(
        village_worker,
        name="王远",
        born=date(2000, 1, 1),
        household_id=home.pk,
        relation_to_head=Relation.CHILD,
    )
    move_away_record(actor=village_worker, person=son, moved_on=date(2024, 6, 1), place="兰州市")
    response = village_client.get(detail(home.pk))
    assert [m.name for m in response.context["members"]] == ["王强", "李芳"]
    assert {m.name for m in response.context["former_members"]} == {"王老", "王远"}
    page = response.content.decode()
    assert "在册成员（2人）" in page
    assert "原成员（已死亡或迁出，不计入人数）" in page
    # The list and its export count the same way.
    listed = village_client.get(reverse("registry:household_list"))
    assert [h.member_count for h in listed.context["page_obj"]] == [2]
    export = county_client.get(reverse("registry:household_export"))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0)
    header, row = rows.to_python()
    assert row[header.index("人数")] == 2


# ---------------------------------------------------------------- adding a member


def test_it_adds_a_person_of_the_village_with_an_audit_row(village_worker, home):
    newcomer = person(village_worker, name="张丽", sex="F", born=date(2001, 2, 3))
    added = household_member_add(
        actor=village_worker, household=home, person=newcomer, relation=Relation.CHILD_IN_LAW
    )
    assert (added.household_id, added.relation_to_head) == (home.pk, Relation.CHILD_IN_LAW)
    assert added.version == newcomer.version + 1
    entry = AuditEntry.objects.get(action="registry.household.member_added")
    assert entry.detail == {"person": newcomer.pk, "from": None, "relation": "child_in_law"}
    assert entry.org_unit_id == V1


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("dead", "person", "王老已死亡，不能加入户"),
        ("member", "person", "李芳已是本户成员"),
        ("other_village", "person", "南嘴不是本村(居)人员，请先办理居住地变更"),
        ("as_head", "relation", "添加成员不能选择“户主”；如需由其担任户主，请添加后变更户主"),
        ("other_head", "person", "赵一是户"),
    ],
)
def test_it_refuses_a_member_in_chinese(village_worker, township_clerk, home, case, field, message):
    actor = village_worker
    relation = Relation.OTHER
    if case == "dead":
        someone = person(village_worker, name="王老二", born=date(1940, 1, 1))
        death_record(actor=village_worker, person=someone, died_on=date(2024, 1, 1))
        someone = Person.objects.get(pk=someone.pk)
        message = "王老二已死亡，不能加入户"
    elif case == "member":
        someone = member(home, "李芳")
    elif case == "other_village":
        actor = township_clerk
        someone = person(township_clerk, name="南嘴", unit=V2)
    elif case == "as_head":
        someone = person(village_worker, name="新人")
        relation = Relation.HEAD
    else:
        someone = person(village_worker, name="赵一")
        household_create(actor=village_worker, unit_id=V1, head=someone)
    with pytest.raises(FieldError) as refused:
        household_member_add(actor=actor, household=home, person=someone, relation=relation)
    assert refused.value.field == field
    assert refused.value.message.startswith(message)
    assert not AuditEntry.objects.filter(action="registry.household.member_added").exists()


def test_it_refuses_a_person_outside_the_actors_jurisdiction(village_worker, county_admin, home):
    # 东关社区's worker cannot pull in someone of 南嘴村, even by reaching the service.
    outsider = person(county_admin, name="外人", unit=V2)
    with pytest.raises(FieldError, match="不在您的管辖范围内"):
        household_member_add(
            actor=village_worker, household=home, person=outsider, relation=Relation.OTHER
        )
    assert Person.objects.get(pk=outsider.pk).household_id is None


def test_it_adds_a_member_from_the_page(village_client, village_worker, home):
    page = village_client.get(detail(home.pk)).content.decode()
    assert add_url(home.pk) in page and head_url(home.pk) in page
    newcomer = person(village_worker, name="张丽", sex="F", born=date(2001, 2, 3))
    response = village_client.post(
        add_url(home.pk), {"id_number": newcomer.id_number, "relation": Relation.CHILD_IN_LAW}
    )
    assert response.status_code == 302 and response["Location"] == detail(home.pk)
    assert Person.objects.get(pk=newcomer.pk).household_id == home.pk
    assert "在册成员（3人）" in village_client.get(detail(home.pk)).content.decode()


def test_it_shows_the_refusal_on_the_form(village_client, home):
    dead = member(home, "王老")
    dead_id = Person.objects.get(pk=dead.pk).id_number
    response = village_client.post(add_url(home.pk), {"id_number": dead_id, "relation": "child"})
    assert response.status_code == 200
    assert "王老已死亡，不能加入户" in response.content.decode()
    empty = village_client.post(add_url(home.pk), {})
    page = empty.content.decode()
    assert "请填写身份证号" in page and "请选择与户主关系" in page


# ---------------------------------------------------------------- changing the head


def test_it_changes_the_head_with_an_audit_row(village_worker, home):
    old_head = home.head
    wife = member(home, "李芳")
    household_head_change(
        actor=village_worker, household=home, new_head=wife, old_head_relation=Relation.SPOUSE
    )
    home.refresh_from_db()
    assert home.head_id == wife.pk
    assert Person.objects.get(pk=wife.pk).relation_to_head == Relation.HEAD
    assert Person.objects.get(pk=old_head.pk).relation_to_head == Relation.SPOUSE
    entry = AuditEntry.objects.get(action="registry.household.head_changed")
    assert entry.detail == {"from": old_head.pk, "to": wife.pk, "old_head_relation": "spouse"}


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("王老", "王老已死亡，不能作为户主"),
        ("王强", "王强已是本户户主"),
        ("outsider", "外人不是本户成员，新户主须为本户成员"),
    ],
)
def test_it_refuses_a_head_in_chinese(village_worker, home, who, message):
    if who == "outsider":
        new_head = person(village_worker, name="外人")
    else:
        new_head = member(home, who)
    with pytest.raises(FieldError) as refused:
        household_head_change(actor=village_worker, household=home, new_head=new_head)
    assert (refused.value.field, refused.value.message) == ("new_head", message)
    home.refresh_from_db()
    assert home.head.name == "王强"
    assert not AuditEntry.objects.filter(action="registry.household.head_changed").exists()


def test_it_changes_the_head_from_the_page(village_client, home):
    wife = member(home, "李芳")
    form = village_client.get(head_url(home.pk)).context["form"]
    # Only living members other than the head are offered.
    assert [p.name for p in form.fields["new_head"].queryset] == ["李芳"]
    response = village_client.post(
        head_url(home.pk), {"new_head": wife.pk, "old_head_relation": Relation.SPOUSE}
    )
    assert response.status_code == 302
    home.refresh_from_db()
    assert home.head_id == wife.pk
    dead = member(home, "王老")
    refused = village_client.post(
        head_url(home.pk), {"new_head": dead.pk, "old_head_relation": Relation.OTHER}
    )
    assert "新户主须为本户在册成员" in refused.content.decode()


# ---------------------------------------------------------------- who may


@pytest.mark.jurisdiction("registry:household_member_add", "registry:household_head_change")
@pytest.mark.parametrize("url", [add_url, head_url])
def test_it_hides_another_areas_household(other_client, county_admin, home, url):
    assert other_client.get(url(home.pk)).status_code == 404
    assert other_client.post(url(home.pk), {"relation": "other"}).status_code == 404
    # A worker of another village of the same township does not reach it either.
    from tests.conftest import make_user

    neighbour = make_user("neighbour", V2, "village_worker")
    assert client_for(neighbour).get(url(home.pk)).status_code == 404


@pytest.mark.parametrize("url", [add_url, head_url])
def test_it_is_for_those_who_enter_records(auditor, home, url):
    client = client_for(auditor)
    assert client.get(url(home.pk)).status_code == 403
    wife = member(home, "李芳")
    assert client.post(url(home.pk), {"new_head": wife.pk}).status_code == 403
    home.refresh_from_db()
    assert home.head.name == "王强"
    # Nor does the page offer the links.
    response = client.get(detail(home.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "李芳" in page
    assert add_url(home.pk) not in page and head_url(home.pk) not in page


def test_it_offers_no_changes_on_a_dissolved_household(village_client, village_worker, home):
    Household.objects.filter(pk=home.pk).update(dissolved_on=date(2024, 1, 1))
    page = village_client.get(detail(home.pk)).content.decode()
    assert "李芳" in page and add_url(home.pk) not in page
    wife = member(home, "李芳")
    home.refresh_from_db()
    with pytest.raises(FieldError, match="该户已撤销，不能变更户主"):
        household_head_change(actor=village_worker, household=home, new_head=wife)
    assert PersonStatus.ACTIVE == Person.objects.get(pk=wife.pk).status
