"""A birth is linked to the couple's open registration as it is recorded, whichever way
it comes in (the registry's form, its import; the hospitals' API in tests/api): all go
through births_write, whose births_recorded signal the registration app follows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from famplan.audit.models import AuditEntry
from famplan.common.dates import today
from famplan.registration.models import BirthRegistration, Channel
from famplan.registry.models import Birth
from tests.registration.conftest import add_child, data_for, submit
from tests.transfer.test_imports import run

HEADER = ["婴儿姓名", "性别", "出生日期", "母亲身份证号", "父亲身份证号", "出生地点"]


def birth_form(couple, born_on, name="李新", sex="M") -> dict:
    return {
        "mother_id_number": couple.wife.id_number,
        "father_id_number": couple.husband.id_number,
        "child_name": name,
        "sex": sex,
        "born_on": born_on.isoformat(),
        "place_type": "hospital",
    }


def import_row(couple, born_on, name="李新", sex="男") -> list:
    return [name, sex, born_on, couple.wife.id_number, couple.husband.id_number, "医院"]


def test_it_links_a_birth_entered_on_the_registry_form(clerk_client, township_clerk, couple):
    r = submit(township_clerk, data_for(couple, expected_on=today() - timedelta(days=3)))
    response = clerk_client.post(
        reverse("registry:birth_create"), birth_form(couple, today() - timedelta(days=2))
    )
    assert response.status_code == 302
    r.refresh_from_db()
    birth = Birth.objects.get(mother=couple.wife)
    assert r.birth == birth and r.birth_linked_at is not None
    entry = AuditEntry.objects.get(action="registration.registration.birth_linked")
    assert (entry.target_id, entry.org_unit_id, entry.user) == (str(r.pk), r.township_id,
                                                                  township_clerk)  # fmt: skip
    assert entry.detail == {"cause": "birth_recorded"}
    # The registration page and the 出生一件事 checklist show the link.
    page = clerk_client.get(reverse("registration:detail", args=[r.pk])).content.decode()
    assert "已关联出生记录" in page
    checklist = clerk_client.get(reverse("registration:bundle_detail", args=[birth.pk]))
    link = f'href="{reverse("registration:detail", args=[r.pk])}" data-testid="registration-link"'
    assert link in checklist.content.decode()
    assert r.certificate_number in checklist.content.decode()


def test_it_links_births_imported_from_a_file(township_clerk, couple):
    r = submit(township_clerk, data_for(couple, expected_on=today() - timedelta(days=10)))
    run(
        township_clerk,
        "births",
        [HEADER, import_row(couple, today() - timedelta(days=9))],
    )
    r.refresh_from_db()
    assert r.birth == Birth.objects.get(mother=couple.wife)
    entry = AuditEntry.objects.get(action="registration.registration.birth_linked")
    assert entry.detail == {"cause": "birth_recorded", "via": "import"}


def test_it_links_twins_to_their_one_registration_once(township_clerk, couple):
    r = submit(township_clerk, data_for(couple, expected_on=today() - timedelta(days=10)))
    day = today() - timedelta(days=9)
    run(
        township_clerk,
        "births",
        [HEADER, import_row(couple, day, "李大"), import_row(couple, day, "李二", "女")],
    )
    r.refresh_from_db()
    first = Birth.objects.filter(mother=couple.wife).order_by("birth_order").first()
    assert r.birth == first
    assert AuditEntry.objects.filter(action="registration.registration.birth_linked").count() == 1


def test_it_leaves_a_birth_that_fits_no_registration(township_clerk, couple):
    # Expected in 200 days: this birth is not the one it is for.
    r = submit(township_clerk, data_for(couple, expected_on=today() + timedelta(days=200)))
    add_child(township_clerk, couple, today() - timedelta(days=1))
    r.refresh_from_db()
    assert r.birth is None


def test_it_links_only_a_registered_registration(township_clerk, couple):
    queued = submit(None, data_for(couple, places=True, expected_on=today()), Channel.ONLINE)
    add_child(township_clerk, couple, today())
    queued.refresh_from_db()
    assert queued.birth is None


def test_it_picks_the_nearest_of_two_open_registrations(township_clerk, couple):
    far = submit(township_clerk, data_for(couple, expected_on=today() - timedelta(days=40)))
    near = submit(township_clerk, data_for(couple, expected_on=today() - timedelta(days=2)))
    birth = add_child(township_clerk, couple, today() - timedelta(days=1))
    far.refresh_from_db()
    near.refresh_from_db()
    assert (far.birth, near.birth) == (None, birth)


def test_a_refused_import_links_nothing(township_clerk, couple):
    from famplan.transfer.imports.framework import ImportFailed

    r = submit(township_clerk, data_for(couple, expected_on=today() - timedelta(days=10)))
    bad = import_row(couple, today() - timedelta(days=9))
    bad[1] = "不详"
    with pytest.raises(ImportFailed):
        run(
            township_clerk,
            "births",
            [HEADER, import_row(couple, today() - timedelta(days=9)), bad],
        )
    assert BirthRegistration.objects.get(pk=r.pk).birth is None
