"""Importing the special-family register: a registry candidate is confirmed (linked to
its child), any other family entered by hand by the form's rules; bad rows are reported
by row and column with nothing written; a file imported twice adds nothing; the form's
service and the import enter the same family (parity)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from famplan.audit.models import AuditEntry
from famplan.care import services
from famplan.care.models import FamilyKind, FamilySource, SpecialFamily
from famplan.common.dates import today
from famplan.orgunits.models import OrgUnit
from tests.care.conftest import OTHER, VILLAGE, bereaved, couple
from tests.registry.event_parity import rolled_back
from tests.transfer.test_imports import errors_of, fail, run

pytestmark = pytest.mark.django_db

HEADER = [
    *("类别", "村(居)", "家庭(父母姓名)", "父亲身份证号", "母亲身份证号"),
    *("联系电话", "住址", "需求", "需求说明", "确认日期"),
]
DAY = today() - timedelta(days=10)


def row(kind="失独", village=VILLAGE, name="张父、张母", father="", mother="", phone="",
        address="", needs="", note="", day=DAY):  # fmt: skip
    return [kind, village, name, father, mother, phone, address, needs, note, day]


def family_fields() -> list[tuple]:
    return list(
        SpecialFamily.objects.order_by("pk").values_list(
            "unit_id", "kind", "status", "source", "mother_id", "father_id", "child_id",
            "name", "phone", "address", "needs", "needs_note", "confirmed_on",
        )
    )  # fmt: skip


def test_it_confirms_registry_candidates_and_enters_the_others(township_clerk):
    lost = bereaved(township_clerk)  # the registry shows the only child died
    other = couple(township_clerk, surname="王")  # a son alive: no candidate
    result = run(
        township_clerk,
        "care_families",
        [
            HEADER,
            row(mother=lost.mother.id_number, phone="13912345678", needs="生活照料、精神慰藉"),
            row("伤残", name="王父、王母", father=other.father.id_number, address="东关街1号"),
        ],
    )
    assert result.counts == {"families_confirmed": 1, "families_created": 1}
    confirmed = SpecialFamily.objects.get(source=FamilySource.REGISTRY)
    assert confirmed.child == lost.children[0] and confirmed.father == lost.father
    assert confirmed.phone == "13912345678" and confirmed.needs == ["living", "emotional"]
    created = SpecialFamily.objects.get(source=FamilySource.MANUAL)
    assert (created.kind, created.father, created.mother) == (
        FamilyKind.CHILD_DISABLED, other.father, None
    )  # fmt: skip
    assert created.address == "东关街1号"
    assert AuditEntry.objects.filter(action="care.family.confirmed").count() == 1
    assert AuditEntry.objects.get(action="care.family.created").detail["via"] == "import"


def test_it_reports_every_bad_row_and_writes_nothing(township_clerk, other_clerk):
    lost = bereaved(township_clerk)
    outside = couple(other_clerk, unit=OTHER, surname="赵")
    # a different family on each bad row, so that no row is refused as a repeat
    f = [couple(township_clerk, surname=s).father.id_number for s in "甲乙丙丁戊"]
    failure = fail(
        township_clerk,
        "care_families",
        [
            HEADER,
            row(),  # no parent
            row(father=outside.father.id_number),
            row("伤残", mother=lost.mother.id_number),  # the registry says 失独
            row(father=f[0], phone="12345"),
            row("家访", father=f[1]),
            row(father=f[2], needs="发钱"),
            row(father=f[3], day=today() + timedelta(days=1)),
            row(village="不存在村", father=f[4]),
        ],
    )
    errors = errors_of(failure)
    assert (2, "母亲身份证号", "请至少填写父亲或母亲的身份证号") in errors
    number = outside.father.id_number
    assert (3, "父亲身份证号", f"未找到身份证号为{number}的人员，或不在您的管辖范围内") in errors
    assert (4, "类别", "人口库显示该家庭为“失独（独生子女死亡）”，与类别不符") in errors
    assert any(e[:2] == (5, "联系电话") for e in errors)
    assert any(e[:2] == (6, "类别") for e in errors)
    assert any(e[:2] == (7, "需求") and "“发钱”不是需求选项" in e[2] for e in errors)
    assert (8, "确认日期", "日期不能晚于今天") in errors
    assert any(e[:2] == (9, "村(居)") for e in errors)
    assert not SpecialFamily.objects.exists()


def test_a_file_imported_twice_adds_nothing(township_clerk):
    lost = bereaved(township_clerk)
    other = couple(township_clerk, surname="王")
    file = [
        HEADER,
        row(mother=lost.mother.id_number),
        row("伤残", name="王父、王母", father=other.father.id_number),
    ]
    run(township_clerk, "care_families", file)
    failure = fail(township_clerk, "care_families", file)
    assert (3, "父亲身份证号", "王父已在特殊家庭名册中") in errors_of(failure)
    # the confirmed family is no candidate any more: entered by hand it is refused too
    assert any(e[0] == 2 and "已在特殊家庭名册中" in e[2] for e in errors_of(failure))
    again = row("伤残", father=other.father.id_number)
    failure = fail(township_clerk, "care_families", [HEADER, again, again])
    assert (3, "母亲身份证号", "与第 2 行是同一家庭") in errors_of(failure)
    assert SpecialFamily.objects.count() == 2


def test_the_form_and_the_import_enter_the_same_family(township_clerk):
    other = couple(township_clerk, surname="王")
    village = OrgUnit.objects.get(code=VILLAGE)

    def by_form():
        services.family_create(
            actor=township_clerk, unit=village, kind=FamilyKind.CHILD_DISABLED,
            name="王父、王母", phone="13912345678", address="东关街1号",
            needs=["medical"], needs_note="需定期复查", confirmed_on=DAY,
            mother=other.mother, father=other.father,
        )  # fmt: skip

    def by_file():
        line = row("伤残", name="王父、王母", father=other.father.id_number,
                   mother=other.mother.id_number, phone="13912345678", address="东关街1号",
                   needs="大病救治", note="需定期复查")  # fmt: skip
        run(township_clerk, "care_families", [HEADER, line])

    assert rolled_back(by_form, family_fields) == rolled_back(by_file, family_fields)


def test_it_refuses_a_user_who_may_not_enter_families(village_worker, township_clerk):
    lost = bereaved(township_clerk)
    failure = fail(village_worker, "care_families", [HEADER, row(mother=lost.mother.id_number)])
    assert "您没有登记计生特殊家庭的权限" in {e.reason for e in failure.errors}


def test_the_family_list_links_to_the_import(clerk_client):
    page = clerk_client.get("/care/").content.decode()
    assert "/transfer/?type=care_families" in page
    assert clerk_client.get("/transfer/template/care_families/").status_code == 200


def test_the_form_and_the_import_refuse_alike(township_clerk):
    from famplan.registry.services.errors import FieldError

    other = couple(township_clerk, surname="王")
    village = OrgUnit.objects.get(code=VILLAGE)
    services.family_create(
        actor=township_clerk, unit=village, kind=FamilyKind.CHILD_DISABLED, name="王父、王母",
        confirmed_on=DAY, father=other.father,
    )  # fmt: skip
    with pytest.raises(FieldError) as refused:
        services.family_create(
            actor=township_clerk, unit=village, kind=FamilyKind.CHILD_DISABLED,
            name="王父、王母", confirmed_on=DAY, father=other.father,
        )  # fmt: skip
    line = row("伤残", name="王父、王母", father=other.father.id_number)
    failure = fail(township_clerk, "care_families", [HEADER, line])
    assert errors_of(failure) == {(2, "父亲身份证号", refused.value.message)}
    assert SpecialFamily.objects.count() == 1
