"""Numbers held by another jurisdiction's record: the user is told only that the number
cannot be used, and the conflict waits on the worklist of whoever sees both units."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from famplan.audit.models import AuditEntry
from famplan.common.idnumbers import mask_id_number
from famplan.jobs.models import Job
from famplan.quality.models import NumberConflict
from famplan.registry.models import Person
from famplan.registry.services import PersonData, household_create, migration_in_record
from famplan.registry.services.people import FieldError
from famplan.transfer.imports import ImportFailed, import_table
from famplan.transfer.imports.framework import IMPORT_TYPES
from tests.registry.factories import person
from tests.transfer.test_imports import PERSON_HEADER, fail, new_id, person_row, xlsx_bytes

from .conftest import V1, V2, V3

NEUTRAL_ID = "该身份证号无法使用，请联系县级管理员核实"


@pytest.fixture
def elsewhere(other_clerk) -> Person:
    """Someone on 郭城驿镇's register, which 会师镇's clerk may not see."""
    return person(other_clerk, name="郭外人", sex="F", born=dt.date(1990, 5, 17), unit=V3)


def reasons(failure: ImportFailed) -> set[str]:
    return {e.reason for e in failure.errors}


def test_it_tells_a_clerk_only_that_another_townships_id_cannot_be_used(township_clerk, elsewhere):
    rows = [PERSON_HEADER, person_row(id_number=elsewhere.id_number, village=V1)]
    failure = fail(township_clerk, "persons", rows)
    assert reasons(failure) == {NEUTRAL_ID}
    text = " ".join(str(e) for e in failure.errors) + failure.message
    assert "已登记" not in text and "郭" not in text and elsewhere.id_number not in text
    # The file was refused, yet the conflict is kept for the county.
    conflict = NumberConflict.objects.get()
    assert (conflict.kind, conflict.number) == ("id_number", elsewhere.id_number)
    assert (conflict.reporter_unit_id, conflict.holder_unit_id) == ("620422100", V3)
    assert conflict.reported_by == township_clerk and conflict.source == "persons"
    assert not Person.objects.filter(unit_id=V1).exists()


def test_it_keeps_the_specific_message_within_the_users_jurisdiction(township_clerk):
    mine = person(township_clerk, name="本镇人", sex="F", born=dt.date(1990, 5, 17), unit=V2)
    rows = [PERSON_HEADER, person_row(id_number=mine.id_number, village=V1)]
    assert reasons(fail(township_clerk, "persons", rows)) == {f"身份证号{mine.id_number}已登记"}
    assert not NumberConflict.objects.exists()


def test_it_hides_another_townships_household_number(township_clerk, other_clerk):
    household = household_create(actor=other_clerk, unit_id=V3)
    row = person_row(village=V1)
    row[PERSON_HEADER.index("户号")] = household.number
    failure = fail(township_clerk, "persons", [PERSON_HEADER, row])
    assert reasons(failure) == {"该户号无法使用，请联系县级管理员核实"}
    assert NumberConflict.objects.get().kind == "household_number"


def test_it_hides_another_townships_id_in_births_and_migrations(township_clerk, elsewhere):
    mother = person(township_clerk, name="母亲", sex="F", born=dt.date(1992, 2, 2))
    birth = ["婴儿", "女", dt.date(1990, 5, 17), mother.id_number, "", "家中", "", "", ""]
    birth[-1] = elsewhere.id_number
    header = [c.header for c in IMPORT_TYPES["births"].columns]
    assert NEUTRAL_ID in reasons(fail(township_clerk, "births", [header, birth]))
    header = [c.header for c in IMPORT_TYPES["migrations"].columns]
    arrival = ["流入", elsewhere.id_number, "郭外人", "女", dt.date(1990, 5, 17), "汉族", "农业",
               V1, dt.date(2024, 3, 1), "定西市", "", ""]  # fmt: skip
    assert reasons(fail(township_clerk, "migrations", [header, arrival])) == {NEUTRAL_ID}
    assert sorted(NumberConflict.objects.values_list("source", flat=True)) == [
        "births",
        "migrations",
    ]


def test_it_hides_another_townships_id_on_the_form_too(township_clerk, elsewhere):
    data = PersonData(
        name="郭外人", sex="F", birth_date=dt.date(1990, 5, 17), unit_id=V1,
        id_number=elsewhere.id_number,
    )  # fmt: skip
    with pytest.raises(FieldError) as caught:
        migration_in_record(
            actor=township_clerk, data=data, moved_on=dt.date(2024, 3, 1), place="定西市"
        )
    assert (caught.value.field, caught.value.message) == ("id_number", NEUTRAL_ID)
    # Recorded after the service's own transaction rolled back.
    assert NumberConflict.objects.get().source == "registry.migration_in"
    assert not Person.objects.filter(unit_id=V1).exists()


def test_it_records_the_import_job(township_clerk, elsewhere):
    job = Job.objects.create(
        kind="transfer.import", title="导入", created_by=township_clerk, org_unit_id="620422100"
    )
    rows = [PERSON_HEADER, person_row(id_number=elsewhere.id_number, village=V1)]
    with pytest.raises(ImportFailed):
        import_table(
            content=xlsx_bytes(rows),
            filename="人员.xlsx",
            record_type=IMPORT_TYPES["persons"],
            actor=township_clerk,
            job=job,
        )
    assert NumberConflict.objects.get().job == job


@pytest.mark.jurisdiction("quality:conflicts")
def test_it_shows_the_conflict_to_the_county_and_not_to_either_township(
    township_clerk, elsewhere, county_client, clerk_client, other_client
):
    rows = [PERSON_HEADER, person_row(id_number=elsewhere.id_number, village=V1)]
    fail(township_clerk, "persons", rows)
    url = reverse("quality:conflicts")

    page = county_client.get(url)
    assert page.status_code == 200
    assert len(page.context["conflicts"]) == 1
    html = page.content.decode()
    assert "会师镇" in html and "郭城村" in html and mask_id_number(elsewhere.id_number) in html
    assert elsewhere.id_number not in html  # masked, like every ID number on a page
    assert AuditEntry.objects.filter(action="quality.conflicts.viewed").count() == 1

    # The importing township does not learn whose number it was, and the holding
    # township does not learn who tried it: neither sees the conflict at all.
    for client, not_theirs in ((clerk_client, "郭城村"), (other_client, "township_clerk")):
        page = client.get(url)
        assert page.status_code == 200 and list(page.context["conflicts"]) == []
        html = page.content.decode()
        assert mask_id_number(elsewhere.id_number) not in html and not_theirs not in html


def test_it_shows_a_township_the_conflicts_between_its_own_villages(
    township_clerk, village_worker, clerk_client, village_client
):
    # A village worker cannot see the other village of her township; her clerk can.
    neighbour = person(township_clerk, name="邻村人", sex="F", born=dt.date(1990, 5, 17), unit=V2)
    rows = [PERSON_HEADER, person_row(id_number=neighbour.id_number, village=V1)]
    assert reasons(fail(village_worker, "persons", rows)) == {NEUTRAL_ID}
    assert len(clerk_client.get(reverse("quality:conflicts")).context["conflicts"]) == 1
    assert list(village_client.get(reverse("quality:conflicts")).context["conflicts"]) == []


def test_it_needs_the_quality_capability(facility_user):
    from tests.conftest import client_for

    assert client_for(facility_user).get(reverse("quality:conflicts")).status_code == 403


def test_it_makes_no_conflict_for_a_county_admin(county_admin, elsewhere):
    rows = [PERSON_HEADER, person_row(id_number=elsewhere.id_number, village=V1)]
    assert reasons(fail(county_admin, "persons", rows)) == {f"身份证号{elsewhere.id_number}已登记"}
    assert not NumberConflict.objects.exists()
    assert new_id()  # the shared ID sequence stays in use (keeps IDs distinct across tests)
