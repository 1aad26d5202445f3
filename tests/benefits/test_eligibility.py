"""The rules at every boundary, on hand-built families; the county run and the
one-person explanation agree."""

from __future__ import annotations

from datetime import date

import pytest

from famplan.benefits import eligibility
from famplan.benefits.programs import RULES
from famplan.registry.models import Person
from tests.benefits.conftest import OTHER_VILLAGE, die, family

CUTOFF = date(2026, 12, 31)


def explain(program, p):
    result = eligibility.explain(program, p, CUTOFF)
    return result, {c.key: c for c in result.checks}


def eligible_ids(program, prefix="620422"):
    return {r.facts["pk"] for r in eligibility.run(program, CUTOFF, prefix)}


# --- 农村部分计划生育家庭奖励扶助 ---------------------------------------------------------


def test_it_counts_60_from_the_year_of_the_60th_birthday(county_admin, programs):
    rural = programs["rural_reward"]
    reaches = family(county_admin, father_born=date(1966, 12, 31), mother_born=date(1967, 1, 1))
    result, checks = explain(rural, reaches.father)
    assert result.eligible
    assert checks["age"].reason == "年龄 60 岁（截至2026-12-31）"
    result, checks = explain(rural, reaches.mother)
    assert not result.eligible
    assert checks["age"].reason == "年龄 59 岁，未满 60 岁（截至2026-12-31）"
    assert result.award is None
    assert eligible_ids(rural) == {reaches.father.pk}


def test_it_pays_960_a_year_plus_the_county_top_up(county_admin, programs):
    from famplan.benefits.services import parameters_set

    rural = programs["rural_reward"]
    f = family(county_admin, father_born=date(1950, 1, 1), mother_born=date(1952, 1, 1))
    result, _ = explain(rural, f.father)
    assert result.award.amount == 960
    values = {
        "born_from": "1933-01-01",
        "min_age": 60,
        "amount_year": "960",
        "county_topup_year": "240",
    }
    parameters_set(
        actor=county_admin, program=rural, effective_from=date(2026, 1, 1), values=values
    )
    result, _ = explain(rural, f.father)
    assert result.award.amount == 1200
    assert result.award.monthly == 100


def test_it_accepts_two_daughters_but_not_a_son_and_a_daughter(county_admin, programs):
    rural = programs["rural_reward"]
    girls = family(
        county_admin, children=(("F", date(1988, 1, 1)), ("F", date(1990, 1, 1))), surname="王"
    )
    mixed = family(
        county_admin, children=(("M", date(1988, 1, 1)), ("F", date(1990, 1, 1))), surname="李"
    )
    result, checks = explain(rural, girls.father)
    assert result.eligible and checks["children"].reason == "现有 2 个女儿"
    result, checks = explain(rural, mixed.father)
    assert not result.eligible
    assert checks["children"].reason.startswith("现有 2 个子女（1 子 1 女）")
    assert eligible_ids(rural) == {girls.father.pk, girls.mother.pk}


def test_it_accepts_children_who_all_died(county_admin, programs):
    rural = programs["rural_reward"]
    f = family(county_admin, children=(("M", date(1990, 1, 1), date(2010, 5, 1)),))
    result, checks = explain(rural, f.mother)
    assert result.eligible
    assert checks["children"].reason == "曾生育 1 个子女，均已死亡，现无子女"


def test_it_refuses_urban_hukou_and_births_before_1933(county_admin, programs):
    rural = programs["rural_reward"]
    urban = family(county_admin, hukou="urban", surname="赵")
    old = family(county_admin, father_born=date(1932, 12, 31), surname="钱")
    _, checks = explain(rural, urban.father)
    assert not checks["hukou"].passed and checks["hukou"].reason == "非农业户口，须为农业户口"
    _, checks = explain(rural, old.father)
    assert checks["born"].reason == "出生于1932-12-31，早于1933-01-01"


def test_it_refuses_the_dead_and_people_without_a_marriage(county_admin, programs):
    rural = programs["rural_reward"]
    f = family(county_admin, married=False)
    die(f.father, date(2026, 3, 1))
    _, checks = explain(rural, f.father)
    assert checks["register"].reason == "已死亡"
    _, checks = explain(rural, f.mother)
    assert checks["married"].reason == "人口信息库中无婚姻登记"


# --- 计划生育家庭特别扶助 -----------------------------------------------------------------


def test_it_needs_the_mother_49(county_admin, programs):
    special = programs["special_assistance"]
    at_49 = family(
        county_admin, father_born=date(1975, 1, 1), mother_born=date(1977, 12, 31),
        children=(("M", date(2000, 1, 1), date(2020, 6, 1)),), surname="孙",
    )  # fmt: skip
    at_48 = family(
        county_admin, father_born=date(1975, 1, 1), mother_born=date(1978, 1, 1),
        children=(("M", date(2000, 1, 1), date(2020, 6, 1)),), surname="周",
    )  # fmt: skip
    result, checks = explain(special, at_49.father)
    assert result.eligible and checks["mother_age"].reason == "女方年龄 49 岁（截至2026-12-31）"
    assert result.award.category == "died"
    assert result.award.monthly == 170  # rural, child died
    result, checks = explain(special, at_48.mother)
    assert not result.eligible
    assert checks["mother_age"].reason == "女方年龄 48 岁，未满 49 岁（截至2026-12-31）"
    assert eligible_ids(special) == {at_49.father.pk, at_49.mother.pk}


def test_it_takes_disability_grades_1_to_3_not_4(county_admin, programs):
    special = programs["special_assistance"]
    grade_3 = family(county_admin, children=(("F", date(1995, 1, 1), None, 3),), surname="吴")
    grade_4 = family(county_admin, children=(("F", date(1995, 1, 1), None, 4),), surname="郑")
    Person.objects.filter(pk=grade_3.father.pk).update(hukou_type="urban")
    grade_3.father.refresh_from_db()
    result, checks = explain(special, grade_3.father)
    assert result.eligible and checks["child"].reason == "独生子女残疾三级"
    assert result.award.category == "disabled" and result.award.monthly == 270  # urban
    result, checks = explain(special, grade_4.father)
    assert not result.eligible
    assert checks["child"].reason == "独生子女残疾四级，须为三级以上"


def test_it_refuses_a_second_child(county_admin, programs):
    special = programs["special_assistance"]
    f = family(
        county_admin,
        children=(("M", date(1990, 1, 1), date(2000, 1, 1)), ("F", date(2002, 1, 1))),
    )
    _, checks = explain(special, f.mother)
    assert checks["one_child"].reason == "生育（收养）2 个子女，须只有 1 个"


# --- 独生子女父母奖励 ---------------------------------------------------------------------


def test_it_pays_certificate_holders_until_the_age_limit(county_admin, programs):
    reward = programs["one_child_reward"]
    young = family(county_admin, children=(("M", date(2012, 7, 15)),), surname="冯")
    grown = family(county_admin, children=(("M", date(2008, 1, 1)),), surname="陈")
    Person.objects.filter(pk__in=[young.father.pk, grown.father.pk]).update(
        one_child_certificate_on=date(2013, 1, 1)
    )
    young.father.refresh_from_db()
    grown.father.refresh_from_db()
    result, checks = explain(reward, young.father)
    assert result.eligible and result.award.months == 12 and result.award.amount == 120
    result, checks = explain(reward, grown.father)
    assert checks["child_age"].reason == "子女 2026 年初 18 岁，已满 18 岁"
    _, checks = explain(reward, young.mother)
    assert checks["certificate"].reason == "未登记独生子女父母光荣证"
    assert eligible_ids(reward) == {young.father.pk}


# --- 育儿补贴 ---------------------------------------------------------------------------


def apply(actor, program, child, parent, on=date(2026, 3, 1)):
    from famplan.benefits.services import application_submit

    return application_submit(
        actor=actor, program=program, person=child, applicant=parent, applied_on=on
    )


def test_it_pays_a_child_born_before_2025_from_2025_01_to_the_month_before_3(
    county_admin, programs
):
    care = programs["childcare_subsidy"]
    f = family(county_admin, father_born=date(1990, 1, 1), mother_born=date(1992, 1, 1),
               children=(("F", date(2023, 8, 20)),))  # fmt: skip
    child = f.children[0]
    result, checks = explain(care, child)
    assert checks["months"].reason == "2025-01 至 2026-07 共 19 个月"
    assert checks["applied"].reason == "未申请（须由父母向户籍地申请）"
    assert not result.eligible
    apply(county_admin, care, child, f.mother)
    result, checks = explain(care, child)
    assert result.eligible and checks["applied"].reason == "已由张母申请（2026-03-01）"
    assert result.award.amount == 19 * 300


def test_it_refuses_a_child_who_was_3_before_2025(county_admin, programs):
    care = programs["childcare_subsidy"]
    f = family(county_admin, children=(("M", date(2021, 12, 1)),))
    _, checks = explain(care, f.children[0])
    assert checks["months"].reason == "2024-12-01已满 3 周岁，早于补贴起始2025-01"


def test_it_never_pays_a_month_twice(county_admin, programs):
    from famplan.benefits.models import Cycle, Entry, RosterRow

    care = programs["childcare_subsidy"]
    f = family(county_admin, children=(("M", date(2025, 6, 10)),))
    child = f.children[0]
    apply(county_admin, care, child, f.father)
    old = Cycle.objects.create(
        program=care, county_id="620422", year=2025, cutoff_on=date(2025, 12, 31), status="closed"
    )
    entry = Entry.objects.create(
        cycle=old, person=child, unit_id=child.unit_id, source="application", status="approved",
        monthly_amount=300, from_month=date(2025, 6, 1), to_month=date(2025, 12, 1),
        amount_due=2100,
    )  # fmt: skip
    RosterRow.objects.create(
        cycle=old, entry=entry, person=child, unit_id=child.unit_id, name=child.name,
        sex="M", birth_date=child.birth_date, monthly_amount=300, from_month=date(2025, 6, 1),
        to_month=date(2025, 12, 1), amount_due=2100, payment_status="paid",
    )  # fmt: skip
    result, checks = explain(care, child)
    assert checks["months"].reason == "2026-01 至 2026-12 共 12 个月"
    assert result.award.amount == 3600


def test_it_the_run_and_the_explanation_agree_for_everyone(county_admin, programs):
    family(county_admin, father_born=date(1966, 12, 31), mother_born=date(1967, 1, 1))
    family(county_admin, children=(("F", date(1988, 1, 1)), ("F", date(1990, 1, 1))), surname="王")
    family(county_admin, children=(("F", date(1995, 1, 1), None, 2),), surname="吴")
    family(county_admin, children=(("M", date(2000, 1, 1), date(2020, 1, 1)),), surname="孙")
    family(county_admin, unit=OTHER_VILLAGE, surname="刘")
    everyone = list(Person.objects.all())
    for code, program in programs.items():
        run = eligible_ids(program)
        one_by_one = {p.pk for p in everyone if eligibility.explain(program, p, CUTOFF).eligible}
        assert run == one_by_one, code
    township = {
        r.facts["pk"] for r in eligibility.run(programs["rural_reward"], CUTOFF, "620422101")
    }
    assert {Person.objects.get(pk=pk).unit_id for pk in township} == {OTHER_VILLAGE}


@pytest.mark.parametrize("code", sorted(RULES))
def test_it_has_preloaded_parameters(programs, code):
    params = eligibility.params_on(programs[code], CUTOFF)
    assert set(params) == {p.key for p in RULES[code].params}
