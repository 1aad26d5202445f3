"""Each rule finds exactly the records planted for it, and none of the good ones."""

from __future__ import annotations

from datetime import date

import pytest

from famplan.common.idnumbers import make_id_number
from famplan.quality import rules as R
from famplan.quality.rules import CHECKS, months_before
from famplan.registry.models import Birth, Death, Marriage, Migration

from .conftest import V1, V2, V3, days_ago, good, set_fields, today


def found(prefix: str = "620422") -> list[R.Found]:
    return [f for check in CHECKS for f in check.func(prefix, today())]


def flagged(rule: str, prefix: str = "620422") -> set[tuple[str, int]]:
    return {(f.type, f.record_id) for f in found(prefix) if f.rule == rule}


def id_ending_in_x(born: date, sex: str) -> str:
    for sequence in range(500):
        value = make_id_number("620422", born, sequence, sex)
        if value.endswith("X"):
            return value
    raise AssertionError("no sequence gives X")


def birth(mother, child, father=None, unit=V1) -> Birth:
    return Birth.objects.create(
        unit_id=unit,
        mother=mother,
        father=father,
        child=child,
        born_on=child.birth_date,
        sex=child.sex,
        birth_order=1,
        place_type="hospital",
    )


@pytest.fixture
def planted(actor) -> dict[str, set[tuple[str, int]]]:
    """Bad records of every kind among good ones; returns what each rule must find."""
    expect: dict[str, set[tuple[str, int]]] = {code: set() for code in R.RULES}

    def person(p, *rules: str) -> None:
        for rule in rules:
            expect[rule].add(("person", p.pk))

    # Good people, who must appear nowhere.
    for i in range(3):
        good(actor, name=f"好人{i}", born=date(1980 + i, 3, 3))
    good(actor, name="好人女", sex="F", born=date(1992, 7, 7), unit=V2)

    # ID numbers.
    bad_check = good(actor, name="校验错")
    wrong = "0" if bad_check.id_number[-1] != "0" else "1"
    person(set_fields(bad_check, id_number=bad_check.id_number[:17] + wrong), R.ID_INVALID)
    short = good(actor, name="位数错")
    person(set_fields(short, id_number=short.id_number[:17]), R.ID_INVALID)
    wrong_day = good(actor, name="生日错", born=date(1985, 5, 5))
    person(set_fields(wrong_day, birth_date=date(1985, 5, 6)), R.ID_MISMATCH)
    person(set_fields(good(actor, name="性别错", sex="M"), sex="F"), R.ID_MISMATCH)
    person(good(actor, name="旧地址码", area="620499"), R.ID_AREA_UNKNOWN)

    # Duplicate ID numbers: the same number in another case, in another township (legacy
    # data the exact-match unique constraint let through).
    x_id = id_ending_in_x(date(1970, 2, 2), "M")
    first = set_fields(good(actor, name="重号甲", born=date(1970, 2, 2)), id_number=x_id)
    second = set_fields(
        good(actor, name="重号乙", born=date(1970, 2, 2), unit=V3), id_number=x_id.lower()
    )
    for p in (first, second):
        person(p, R.DUPLICATE_ID)

    # Probable duplicates: same name, birth date and village, both on the register.
    a = good(actor, name="李四", born=date(1975, 1, 1))
    b = good(actor, name="李四", born=date(1975, 1, 1))
    person(a, R.PROBABLE_DUPLICATE)
    person(b, R.PROBABLE_DUPLICATE)
    good(actor, name="李四", born=date(1975, 1, 1), unit=V2)  # another village: not flagged
    gone = good(actor, name="王五", born=date(1976, 1, 1))
    good(actor, name="王五", born=date(1976, 1, 1))
    set_fields(gone, status="deceased")  # only one of the pair is on the register

    # Completeness.
    person(set_fields(good(actor, name="缺民族"), ethnicity=""), R.MISSING_FIELDS)
    no_relation = good(actor, name="缺关系")
    person(set_fields(no_relation, relation_to_head="", marital_status=""), R.MISSING_FIELDS)
    person(set_fields(good(actor, name="空名"), name="  "), R.MISSING_FIELDS)
    person(good(actor, name="无证成人", born=date(2000, 1, 1), with_id=False), R.MISSING_FIELDS)
    person(good(actor, name="新生儿", born=days_ago(20), with_id=False), R.NEWBORN_NO_ID)
    left = set_fields(good(actor, name="已迁出缺民族"), ethnicity="", status="moved_out")
    assert left  # not on the register: not flagged

    # Mother's age at a birth: 14 and 56 are flagged; 15 and 55 are not.
    young = good(actor, name="少母", sex="F", born=date(1990, 6, 15))
    old = good(actor, name="老母", sex="F", born=date(1960, 1, 1))
    expect[R.MOTHER_AGE].add(
        ("birth", birth(young, good(actor, name="甲", born=date(2005, 6, 14))).pk)
    )
    birth(young, good(actor, name="乙", born=date(2005, 6, 15)))
    expect[R.MOTHER_AGE].add(
        ("birth", birth(old, good(actor, name="丙", born=date(2016, 1, 1))).pk)
    )
    birth(old, good(actor, name="丁", born=date(2015, 12, 31)))

    # Death before birth (written with the ORM: the service refuses it).
    early = set_fields(good(actor, name="早逝", born=date(1950, 1, 1)), status="deceased")
    dead = Death.objects.create(unit_id=V1, person=early, died_on=date(1949, 12, 31))
    expect[R.DEATH_BEFORE_BIRTH].add(("death", dead.pk))
    fine = set_fields(good(actor, name="正常死亡", born=date(1940, 1, 1)), status="deceased")
    Death.objects.create(unit_id=V1, person=fine, died_on=days_ago(400))  # old: not late

    # Events entered (now) more than 30 days after they happened.
    mum = good(actor, name="产妇", sex="F", born=date(1995, 1, 1))
    late_birth = birth(mum, good(actor, name="晚报婴儿", born=days_ago(40)))
    birth(
        good(actor, name="产妇二", sex="F", born=date(1996, 1, 1)),
        good(actor, name="婴儿", born=days_ago(10)),
    )
    expect[R.LATE_ENTRY].add(("birth", late_birth.pk))
    d31 = Death.objects.create(unit_id=V1, person=good(actor, name="死31"), died_on=days_ago(31))
    Death.objects.create(unit_id=V1, person=good(actor, name="死30"), died_on=days_ago(30))
    expect[R.LATE_ENTRY].add(("death", d31.pk))
    husband, wife = good(actor, name="新郎"), good(actor, name="新娘", sex="F")
    m = Marriage.objects.create(
        unit_id=V1, husband=husband, wife=wife, married_on=days_ago(100), kind="first"
    )
    expect[R.LATE_ENTRY].add(("marriage", m.pk))
    away = good(actor, name="外出")
    mig = Migration.objects.create(
        unit_id=V1, person=away, direction="out", moved_on=days_ago(50), place="兰州"
    )
    expect[R.LATE_ENTRY].add(("migration", mig.pk))
    return expect


@pytest.mark.parametrize("rule", list(R.RULES))
def test_it_finds_exactly_the_planted_records(planted, rule):
    assert flagged(rule) == planted[rule]


def test_it_checks_only_the_subtree(planted):
    # 郭城驿镇's duplicate is flagged in a county run, not in a run over 会师镇.
    in_township = flagged(R.DUPLICATE_ID, "620422100")
    assert len(in_township) == 1
    assert in_township < planted[R.DUPLICATE_ID]
    assert flagged(R.DUPLICATE_ID, "620422101") == planted[R.DUPLICATE_ID] - in_township


def test_it_says_what_is_wrong_in_chinese(planted):
    details = {f.rule: f.detail for f in found()}
    assert "校验位" in details[R.ID_INVALID] or "18位" in details[R.ID_INVALID]
    assert "时年" in details[R.MOTHER_AGE]
    assert "早于出生日期" in details[R.DEATH_BEFORE_BIRTH]
    assert "天后" in details[R.LATE_ENTRY]
    # ID numbers in details are masked: a worklist is not a place for full numbers.
    assert "**" in details[R.DUPLICATE_ID]


def test_it_names_the_missing_fields(actor):
    p = set_fields(good(actor, with_id=False), ethnicity="", hukou_type="")
    [issue] = [f for f in found() if f.record_id == p.pk]
    assert issue.detail == "缺少：民族、户口性质、身份证号"


def test_it_points_event_issues_at_the_person_to_open(planted):
    by_rule = {f.rule: f for f in found() if f.type != "person"}
    mother_issue = by_rule[R.MOTHER_AGE]
    assert mother_issue.person_id == Birth.objects.get(pk=mother_issue.record_id).mother_id


def test_it_subtracts_months_within_short_months():
    assert months_before(date(2025, 5, 31), 3) == date(2025, 2, 28)
    assert months_before(date(2025, 2, 15), 3) == date(2024, 11, 15)
