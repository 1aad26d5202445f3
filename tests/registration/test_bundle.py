"""The "出生一件事" bundle: a newborn's checklist, recording items, the village worklist."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from famplan.audit.models import AuditEntry
from famplan.common.dates import today
from famplan.registration import selectors
from famplan.registration.models import BundleItem
from famplan.registration.selectors import bundle_lines, missing_labels
from famplan.registration.services import bundle_item_record, registration_link_on_birth
from famplan.registry.models import Birth
from famplan.registry.services import marriage_record
from famplan.registry.services.people import FieldError
from tests.conftest import client_for
from tests.registration.conftest import VILLAGE, Couple, add_child, data_for, submit
from tests.registry.factories import person


@pytest.fixture
def registration(township_clerk, couple):
    return submit(township_clerk, data_for(couple, expected_on=today() - timedelta(days=4)))


@pytest.fixture
def newborn(township_clerk, couple, registration):
    return add_child(township_clerk, couple, today() - timedelta(days=4), name="李新")


def test_it_shows_each_item_of_the_bundle_for_a_birth(township_clerk, couple, registration):
    newborn = add_child(
        township_clerk, couple, today() - timedelta(days=4), name="李新",
        medical_certificate_number="R620001234",
    )  # fmt: skip
    registration_link_on_birth(actor=township_clerk, birth=newborn)
    newborn = Birth.objects.get(pk=newborn.pk)
    lines = {line.label: line for line in bundle_lines(newborn)}
    assert list(lines) == [
        "出生医学证明", "生育登记", "户口登记", "医保参保", "社会保障卡", "育儿补贴申请",
    ]  # fmt: skip
    assert lines["出生医学证明"].done and lines["出生医学证明"].number == "R620001234"
    assert lines["生育登记"].done and lines["生育登记"].number.startswith("620422-")
    # No subsidy application yet (the benefits app provides the line).
    assert missing_labels(newborn) == ["户口登记", "医保参保", "社会保障卡", "育儿补贴申请"]


def test_it_corrects_an_item_and_keeps_the_old_value_in_the_audit(township_clerk, newborn):
    for number in ("H001", "H002"):
        bundle_item_record(
            actor=township_clerk, birth=newborn, item=BundleItem.HUKOU,
            number=number, done_on=today(),
        )  # fmt: skip
    assert newborn.bundle.get().number == "H002"
    last = AuditEntry.objects.filter(action="registration.bundle.recorded").order_by("pk").last()
    assert last.detail["before"]["number"] == "H001"


@pytest.mark.parametrize(
    "number,done_on,field,message",
    [
        ("  ", 0, "number", "请填写户口登记的编号"),
        ("H1", 1, "done_on", "户口登记的办理日期不能晚于今天"),
        ("H1", -30, "done_on", "户口登记的办理日期不能早于出生日期"),
    ],
)
def test_it_refuses_bad_items(township_clerk, newborn, number, done_on, field, message):
    with pytest.raises(FieldError) as exc:
        bundle_item_record(
            actor=township_clerk, birth=newborn, item=BundleItem.HUKOU,
            number=number, done_on=today() + timedelta(days=done_on),
        )  # fmt: skip
    assert (exc.value.field, exc.value.message) == (field, message)
    assert not newborn.bundle.exists()


@pytest.mark.jurisdiction("registration:bundle_list")
def test_it_lists_the_newborns_of_the_jurisdiction_with_what_is_missing(
    village_client,
    other_client,
    newborn,
    township_clerk,
    django_assert_max_num_queries,
    monkeypatch,
):
    # Registration's own items (the subsidy line's filter: tests/benefits/test_public.py).
    monkeypatch.setattr(selectors, "BUNDLE_PROVIDERS", {})
    monkeypatch.setattr(selectors, "BUNDLE_MISSING", {})
    with django_assert_max_num_queries(14):
        page = village_client.get("/registration/births/", {"missing": "on"})
    assert [b for b, _ in page.context["rows"]] == [newborn]
    assert other_client.get("/registration/births/").context["rows"] == []
    for item in BundleItem.values:
        bundle_item_record(actor=township_clerk, birth=newborn, item=item, number="N1",
                           done_on=today())  # fmt: skip
    registration_link_on_birth(actor=township_clerk, birth=newborn)
    # Still missing: the medical certificate number.
    rows = village_client.get("/registration/births/", {"missing": "on"}).context["rows"]
    assert [(b, missing_labels(b)) for b, _ in rows] == [(newborn, ["出生医学证明"])]
    # A newborn with every item done is off the worklist, still on the full list.
    wife = person(township_clerk, name="陈红", sex="F", born=date(1996, 2, 2), unit=VILLAGE)
    husband = person(township_clerk, name="吴军", sex="M", born=date(1995, 3, 3), unit=VILLAGE)
    marriage = marriage_record(
        actor=township_clerk, husband=husband, wife=wife, married_on=date(2020, 1, 1)
    )
    done_couple = Couple(wife, husband, marriage)
    submit(township_clerk, data_for(done_couple, expected_on=today() - timedelta(days=1)))
    complete = add_child(
        township_clerk, done_couple, today() - timedelta(days=1), name="吴全",
        medical_certificate_number="Q620012345",
    )  # fmt: skip
    registration_link_on_birth(actor=township_clerk, birth=complete)
    for item in BundleItem.values:
        bundle_item_record(actor=township_clerk, birth=complete, item=item, number="N2",
                           done_on=today())  # fmt: skip
    rows = village_client.get("/registration/births/", {"missing": "on"}).context["rows"]
    assert [b for b, _ in rows] == [newborn]
    everyone = village_client.get("/registration/births/").context["rows"]
    assert [b for b, _ in everyone] == [complete, newborn]
    assert AuditEntry.objects.filter(action="registration.bundle.listed").count() == 5


@pytest.mark.jurisdiction("registration:bundle_export")
def test_it_exports_the_worklist(clerk_client, other_client, newborn):
    response = clerk_client.get("/registration/births/export/")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "婴儿" and rows[1][0] == "李新"
    # The registration was linked when the birth was recorded.
    assert rows[0][-2] == "育儿补贴申请" and rows[1][-2] is None
    assert rows[1][-1] == "出生医学证明、户口登记、医保参保、社会保障卡、育儿补贴申请"
    other = other_client.get("/registration/births/export/")
    assert len(list(load_workbook(io.BytesIO(other.content)).active.iter_rows())) == 1
    assert AuditEntry.objects.filter(action="registration.bundle.exported").count() == 2


@pytest.mark.jurisdiction("registration:bundle_detail")
def test_it_records_an_item_from_the_checklist_page(
    unlinked_births, village_client, other_client, newborn, auditor, village_worker
):
    url = f"/registration/births/{newborn.pk}/"
    assert other_client.get(url).status_code == 404
    page = village_client.get(url)
    assert "出生医学证明" in page.content.decode()
    assert AuditEntry.objects.filter(action="registration.bundle.viewed").count() == 1
    bad = village_client.post(url, {"item": "hukou", "number": "", "done_on": "2020-01-01"})
    assert "请填写编号。" in bad.content.decode()
    done = village_client.post(
        url, {"item": "hukou", "number": "H620", "done_on": today().isoformat()}
    )
    assert done.status_code == 302
    record = newborn.bundle.get()
    assert (record.number, record.recorded_by) == ("H620", village_worker)
    # The birth is linked to its registration from the page.
    linked = village_client.post(url, {"action": "link"}, follow=True)
    assert "已关联生育登记 620422-" in linked.content.decode()
    # Read-only users see the checklist but cannot record.
    assert (
        client_for(auditor)
        .post(url, {"item": "hukou", "number": "X", "done_on": today().isoformat()})
        .status_code
        == 403
    )
    assert (
        other_client.post(
            url, {"item": "hukou", "number": "X", "done_on": today().isoformat()}
        ).status_code
        == 404
    )
