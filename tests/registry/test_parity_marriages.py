"""A marriage entered on the form and the same marriage imported from a file: the same
record and kind, the same refusals in the same words, the same marital statuses."""

from __future__ import annotations

import datetime as dt

import pytest

from famplan.common.dates import today
from famplan.registry.imports.marriages import MarriageImport
from famplan.registry.models import MaritalStatus, Marriage, MarriageKind, Person
from famplan.registry.services import death_record, divorce_record, marriage_record
from tests.registry.event_parity import (
    audit_trail,
    import_refusals,
    imported,
    rolled_back,
    service_refusal,
)
from tests.registry.factories import person

HEADER = ["丈夫身份证号", "妻子身份证号", "结婚日期"]
MARRIED = dt.date(2023, 10, 1)


def snapshot() -> dict:
    return {
        "marriages": list(
            Marriage.objects.order_by("husband_id", "married_on").values(
                "unit_id",
                "entered_by_id",
                "husband_id",
                "wife_id",
                "married_on",
                "kind",
                "ended_on",
                "end_cause",
            )
        ),
        "people": list(Person.objects.order_by("pk").values("pk", "marital_status", "version")),
        "audit": audit_trail(),
    }


@pytest.fixture
def divorced_man(township_clerk):
    """A man divorced on 2020-06-01 from his first wife."""
    man = person(township_clerk, name="赵再婚", sex="M", born=dt.date(1980, 1, 1))
    first = person(township_clerk, name="钱前妻", sex="F", born=dt.date(1982, 1, 1))
    marriage = marriage_record(
        actor=township_clerk, husband=man, wife=first, married_on=dt.date(2005, 1, 1)
    )
    divorce_record(actor=township_clerk, marriage=marriage, divorced_on=dt.date(2020, 6, 1))
    return Person.objects.get(pk=man.pk)


def both_ways(clerk, husband: Person, wife: Person, married_on: dt.date) -> tuple[dict, dict]:
    by_form = rolled_back(
        lambda: marriage_record(actor=clerk, husband=husband, wife=wife, married_on=married_on),
        snapshot,
    )
    rows = [HEADER, [husband.id_number, wife.id_number, married_on]]
    return by_form, rolled_back(imported(clerk, "marriages", rows), snapshot)


def test_it_records_the_same_first_marriage(township_clerk):
    husband = person(township_clerk, name="孙初婚", sex="M", born=dt.date(1995, 1, 1))
    wife = person(township_clerk, name="周初婚", sex="F", born=dt.date(1997, 1, 1))
    by_form, by_import = both_ways(township_clerk, husband, wife, MARRIED)
    assert by_import == by_form
    assert by_form["marriages"][0]["kind"] == MarriageKind.FIRST
    statuses = {p["pk"]: p["marital_status"] for p in by_form["people"]}
    assert statuses[husband.pk] == statuses[wife.pk] == MaritalStatus.FIRST_MARRIED
    assert by_form["audit"][("registry.marriage.recorded", "registry.marriage", wife.unit_id)] == 1


def test_it_records_the_same_remarriage(township_clerk, divorced_man):
    wife = person(township_clerk, name="吴新娘", sex="F", born=dt.date(1990, 1, 1))
    by_form, by_import = both_ways(township_clerk, divorced_man, wife, MARRIED)
    assert by_import == by_form
    new = [m for m in by_form["marriages"] if m["married_on"] == MARRIED]
    assert new[0]["kind"] == MarriageKind.RE
    statuses = {p["pk"]: p["marital_status"] for p in by_form["people"]}
    assert statuses[divorced_man.pk] == MaritalStatus.REMARRIED
    assert statuses[wife.pk] == MaritalStatus.FIRST_MARRIED


def test_it_refuses_an_imported_marriage_before_the_previous_one_ended(
    township_clerk, divorced_man
):
    # The drift this module was written for: the import accepted it.
    wife = person(township_clerk, name="吴新娘", sex="F", born=dt.date(1990, 1, 1))
    rows = [HEADER, [divorced_man.id_number, wife.id_number, dt.date(2019, 1, 1)]]
    assert import_refusals(township_clerk, "marriages", rows) == {
        ("结婚日期", "结婚日期早于赵再婚上一段婚姻的终止日期")
    }
    assert not Marriage.objects.filter(wife=wife).exists()


def bad_marriages(clerk, divorced_man):
    """(husband, wife, day, expected message) of marriages both paths must refuse."""
    man = person(clerk, name="郑男", sex="M", born=dt.date(1990, 1, 1))
    woman = person(clerk, name="王女", sex="F", born=dt.date(1992, 1, 1))
    other_man = person(clerk, name="冯男", sex="M", born=dt.date(1990, 2, 2))
    elder = person(clerk, name="蒋长", sex="M", born=dt.date(1960, 1, 1))
    young = person(clerk, name="陈少年", sex="M", born=dt.date(2005, 1, 1))
    dead = person(clerk, name="褚故", sex="M", born=dt.date(1970, 1, 1))
    death_record(actor=clerk, person=dead, died_on=dt.date(2022, 1, 1))
    married = person(clerk, name="卫已婚", sex="F", born=dt.date(1991, 1, 1))
    marriage_record(actor=clerk, husband=other_man, wife=married, married_on=dt.date(2015, 1, 1))
    reload = lambda p: Person.objects.get(pk=p.pk)  # noqa: E731
    return [
        (man, woman, today() + dt.timedelta(days=1), "结婚日期不能晚于今天"),
        (woman, woman, MARRIED, "丈夫的性别应为男"),
        (man, man, MARRIED, "妻子的性别应为女"),
        (reload(dead), woman, MARRIED, "褚故已死亡，不能登记此事件"),
        (elder, woman, dt.date(1991, 6, 1), "日期早于王女的出生日期"),
        (man, reload(married), MARRIED, "卫已婚已有在婚记录，须先登记离婚或丧偶"),
        (young, woman, dt.date(2024, 1, 1), "陈少年结婚时未满法定婚龄22岁"),
        (divorced_man, woman, dt.date(2019, 1, 1), "结婚日期早于赵再婚上一段婚姻的终止日期"),
    ]


def test_it_refuses_the_same_marriages_with_the_same_words(township_clerk, divorced_man):
    before = Marriage.objects.count()
    for husband, wife, day, message in bad_marriages(township_clerk, divorced_man):
        by_form = service_refusal(
            lambda h=husband, w=wife, d=day: marriage_record(
                actor=township_clerk, husband=h, wife=w, married_on=d
            ),
            MarriageImport.FIELDS,
            "marriages",
        )
        if husband.pk == wife.pk:
            # One person in both columns is a repeat within the file; the service's
            # refusal is still among the import's.
            rows = [HEADER, [husband.id_number, wife.id_number, day]]
            assert by_form <= import_refusals(township_clerk, "marriages", rows), message
            continue
        by_import = import_refusals(
            township_clerk, "marriages", [HEADER, [husband.id_number, wife.id_number, day]]
        )
        assert by_import == by_form, message
        assert {m for _, m in by_form} == {message}
    assert Marriage.objects.count() == before + 1  # the fixture's one marriage only
