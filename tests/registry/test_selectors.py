"""Registry reads: searches cut to jurisdiction, the timeline, the monthly deadline."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404

from famplan.registry import selectors
from famplan.registry.models import Birth, Death, Marriage, Migration, ResidenceChange
from famplan.registry.services import (
    birth_record,
    death_record,
    household_create,
    household_split,
    marriage_record,
    migration_out_record,
    residence_change_record,
)
from tests.registry.factories import person

SHANGHAI = ZoneInfo("Asia/Shanghai")
HUISHI_VILLAGE = "620422100001"
HUISHI_VILLAGE_2 = "620422100201"
GUOCHENG_VILLAGE = "620422101201"


@pytest.fixture
def people(county_admin):
    """Four people in 会师镇 (two villages) and one in 郭城驿镇."""
    return {
        "zhang_san": person(county_admin, name="张三", born=date(1990, 1, 1)),
        "zhang_sanfeng": person(
            county_admin, name="张三丰", born=date(1985, 5, 5), unit=HUISHI_VILLAGE_2
        ),
        "li_si": person(county_admin, name="李四", sex="F", born=date(2001, 2, 3)),
        "no_id": person(county_admin, name="张小", born=date(2010, 1, 1), with_id=False),
        "elsewhere": person(
            county_admin, name="张三", born=date(1991, 1, 1), unit=GUOCHENG_VILLAGE
        ),
    }


def names(queryset) -> list[str]:
    return [p.name for p in queryset]


def test_it_finds_a_person_by_id_number_exactly(township_clerk, people):
    wanted = people["li_si"]
    found = selectors.search_people(township_clerk, id_number=wanted.id_number.lower())
    assert list(found) == [wanted]
    assert not selectors.search_people(township_clerk, id_number=wanted.id_number[:17])


def test_it_finds_names_exactly_or_by_their_start(township_clerk, people):
    assert names(selectors.search_people(township_clerk, name="张三")) == ["张三", "张三丰"]
    assert names(selectors.search_people(township_clerk, name="张三丰")) == ["张三丰"]
    assert names(selectors.search_people(township_clerk, name="张")) == ["张三", "张三丰", "张小"]
    # A prefix search, not a substring search.
    assert names(selectors.search_people(township_clerk, name="三")) == []


def test_it_finds_a_rare_character_name_by_its_start(township_clerk):
    # 𠮷 is outside the Basic Multilingual Plane: the prefix range must still hold it.
    person(township_clerk, name="𠮷祥")
    assert names(selectors.search_people(township_clerk, name="𠮷")) == ["𠮷祥"]


def test_it_cuts_every_search_to_the_jurisdiction(other_clerk, township_clerk, people):
    assert names(selectors.search_people(other_clerk, name="张三")) == ["张三"]
    assert list(selectors.search_people(other_clerk, name="张三")) == [people["elsewhere"]]
    assert not selectors.search_people(other_clerk, id_number=people["li_si"].id_number)
    assert people["elsewhere"] not in selectors.search_people(township_clerk)
    # A unit filter naming another township's village adds nothing.
    assert not selectors.search_people(township_clerk, unit=GUOCHENG_VILLAGE)


def test_it_filters_by_unit_status_sex_birth_date_and_id(township_clerk, people):
    search = selectors.search_people
    assert names(search(township_clerk, unit=HUISHI_VILLAGE_2)) == ["张三丰"]
    assert len(search(township_clerk, unit="620422100")) == 4
    assert names(search(township_clerk, sex="F")) == ["李四"]
    assert names(search(township_clerk, born_from=date(1990, 1, 1), born_to=date(2001, 2, 3))) == [
        "张三",
        "李四",
    ]
    assert names(search(township_clerk, has_id=False)) == ["张小"]
    assert len(search(township_clerk, has_id=True)) == 3
    death_record(actor=township_clerk, person=people["li_si"], died_on=date(2024, 1, 1))
    assert names(search(township_clerk, status="deceased")) == ["李四"]


def test_it_answers_404_for_a_person_outside_the_jurisdiction(other_clerk, township_clerk, people):
    assert selectors.get_person_for_user(township_clerk, people["li_si"].pk) == people["li_si"]
    with pytest.raises(Http404):
        selectors.get_person_for_user(other_clerk, people["li_si"].pk)
    with pytest.raises(Http404):
        selectors.get_person_for_user(other_clerk, 999_999)


def test_it_answers_404_for_a_household_outside_the_jurisdiction(other_clerk, township_clerk):
    household = household_create(actor=township_clerk, unit_id=HUISHI_VILLAGE)
    assert selectors.get_household_for_user(township_clerk, household.pk) == household
    with pytest.raises(Http404):
        selectors.get_household_for_user(other_clerk, household.pk)
    assert household not in selectors.households_for_user(other_clerk)


def test_it_caps_the_count_of_a_long_list(township_clerk, people, monkeypatch):
    monkeypatch.setattr(selectors.CappedPaginator, "cap", 2)
    paginator = selectors.CappedPaginator(selectors.search_people(township_clerk), 1)
    assert paginator.capped and paginator.count == 2 and paginator.count_display == "2+"
    small = selectors.CappedPaginator(selectors.search_people(township_clerk, sex="F"), 1)
    assert not small.capped and small.count_display == "1"


def test_it_tells_a_life_story_in_date_order(
    village_worker, township_clerk, django_assert_max_num_queries
):
    husband = person(village_worker, name="王强", sex="M", born=date(1990, 3, 1))
    wife = person(village_worker, name="李芳", sex="F", born=date(1992, 6, 1))
    household = household_create(actor=village_worker, unit_id=HUISHI_VILLAGE, head=husband)
    wife.household_id = household.pk
    wife.save(update_fields=["household"])
    marriage_record(actor=village_worker, husband=husband, wife=wife, married_on=date(2015, 5, 1))
    for name, born in (("王一", date(2016, 1, 2)), ("王二", date(2019, 7, 8))):
        birth_record(
            actor=village_worker,
            mother=wife,
            father=husband,
            child_name=name,
            sex="M",
            born_on=born,
            place_type="hospital",
        )
    migration_out_record(
        actor=village_worker, person=husband, moved_on=date(2020, 3, 1), place="兰州"
    )
    household_split(
        actor=village_worker,
        household=household,
        members=[wife],
        new_head=wife,
        changed_on=date(2021, 4, 4),
    )
    residence_change_record(
        actor=township_clerk, person=wife, to_unit_id=HUISHI_VILLAGE_2, moved_on=date(2022, 2, 2)
    )
    death_record(actor=village_worker, person=husband, died_on=date(2024, 2, 2))
    wife.refresh_from_db()
    husband.refresh_from_db()

    with django_assert_max_num_queries(7):
        story = selectors.person_timeline(wife)
    assert [(e.day, e.kind) for e in story] == [
        (date(2015, 5, 1), "结婚"),
        (date(2016, 1, 2), "生育"),
        (date(2019, 7, 8), "生育"),
        (date(2021, 4, 4), "分户"),
        (date(2022, 2, 2), "居住地变更"),
        (date(2024, 2, 2), "丧偶"),
    ]
    assert "第2孩" in story[2].text and story[2].other.name == "王二"

    kinds = [e.kind for e in selectors.person_timeline(husband)]
    assert kinds == ["结婚", "生育", "生育", "流出", "死亡"]
    child = Birth.objects.get(birth_order=1).child
    (born,) = selectors.person_timeline(child)
    assert born.kind == "出生" and "李芳、王强" in born.text


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def february_events(township_clerk, county_admin):
    """Five events that happened in February 2025 in 会师镇, one of each kind, and one in
    郭城驿镇; entered_at is then set to what each test needs."""
    mother = person(township_clerk, name="母亲", sex="F", born=date(1995, 1, 1))
    father = person(township_clerk, name="父亲", sex="M", born=date(1993, 1, 1))
    bride = person(
        township_clerk, name="新娘", sex="F", born=date(1998, 1, 1), unit=HUISHI_VILLAGE_2
    )
    groom = person(
        township_clerk, name="新郎", sex="M", born=date(1996, 1, 1), unit=HUISHI_VILLAGE_2
    )
    elder = person(township_clerk, name="老人", born=date(1930, 1, 1))
    worker = person(township_clerk, name="打工", born=date(2000, 1, 1))
    mover = person(township_clerk, name="搬家", born=date(2000, 2, 2))
    birth_record(
        actor=township_clerk,
        mother=mother,
        father=father,
        child_name="宝宝",
        sex="F",
        born_on=date(2025, 2, 10),
        place_type="hospital",
    )
    marriage_record(actor=township_clerk, husband=groom, wife=bride, married_on=date(2025, 2, 14))
    death_record(actor=township_clerk, person=elder, died_on=date(2025, 2, 20))
    migration_out_record(
        actor=township_clerk, person=worker, moved_on=date(2025, 2, 25), place="西安"
    )
    residence_change_record(
        actor=township_clerk, person=mover, to_unit_id=HUISHI_VILLAGE_2, moved_on=date(2025, 2, 28)
    )
    # An event of 郭城驿镇, entered late: never counted for 会师镇.
    outsider = person(county_admin, unit=GUOCHENG_VILLAGE, born=date(1931, 1, 1))
    death_record(actor=county_admin, person=outsider, died_on=date(2025, 2, 3))
    Death.objects.filter(unit_id=GUOCHENG_VILLAGE).update(entered_at=local(2025, 3, 20, 9, 0))


def enter_all(model, at: datetime) -> None:
    model.objects.filter(unit__code__startswith="620422100").update(entered_at=at)


@pytest.mark.usefixtures("february_events")
def test_it_counts_last_months_events_entered_by_the_5th_and_late(township_clerk):
    enter_all(Birth, local(2025, 3, 1, 9, 0))
    enter_all(Marriage, local(2025, 3, 5, 23, 59))  # the last minute of the 5th: on time
    enter_all(Death, local(2025, 3, 6, 0, 1))  # one minute into the 6th: late
    enter_all(Migration, local(2025, 3, 12, 10, 0))
    enter_all(ResidenceChange, local(2025, 2, 28, 18, 0))  # entered the same month

    report = selectors.month_report(township_clerk, date(2025, 3, 15))

    assert (report.total.on_time, report.total.late) == (3, 2)
    assert report.total.entered_this_month == 4
    assert report.verdict == "有2条上月事件在5日后录入"
    by_village = {
        row.unit.code: (row.on_time, row.late, row.entered_this_month) for row in report.rows
    }
    # The marriage and the move belong to the second village (the wife's, the new one).
    assert by_village == {HUISHI_VILLAGE: (1, 2, 3), HUISHI_VILLAGE_2: (2, 0, 1)}


@pytest.mark.usefixtures("february_events")
def test_it_says_when_all_of_last_month_was_entered_on_time(township_clerk, village_worker):
    for model in (Birth, Marriage, Death, Migration, ResidenceChange):
        enter_all(model, local(2025, 3, 3, 8, 0))

    report = selectors.month_report(township_clerk, date(2025, 3, 20))
    assert report.verdict == "上月事件已于5日前全部录入（共5条）"

    own = selectors.month_report(village_worker, date(2025, 3, 20))
    assert (own.total.on_time, own.total.late, own.rows) == (3, 0, [])


@pytest.mark.usefixtures("february_events")
def test_it_counts_the_days_left_before_the_5th(township_clerk):
    for model in (Birth, Marriage, Death, Migration, ResidenceChange):
        enter_all(model, local(2025, 3, 2, 8, 0))

    report = selectors.month_report(township_clerk, date(2025, 3, 3))
    assert report.days_left == 3
    assert report.verdict == "2月事件须于3月5日前录入，还剩3天（含今天）；已录入5条"
    assert selectors.month_report(township_clerk, date(2025, 3, 5)).days_left == 1


@pytest.mark.usefixtures("february_events")
def test_it_rolls_the_month_up_to_townships_for_the_county(county_admin):
    for model in (Birth, Marriage, Death, Migration, ResidenceChange):
        enter_all(model, local(2025, 3, 3, 8, 0))

    report = selectors.month_report(county_admin, date(2025, 3, 25))
    rows = {row.unit.code: (row.on_time, row.late) for row in report.rows}
    assert rows == {"620422100": (5, 0), "620422101": (0, 1)}
    assert (report.total.on_time, report.total.late) == (5, 1)


@pytest.mark.usefixtures("february_events")
def test_it_lists_the_events_entered_this_month(township_clerk, other_clerk):
    enter_all(Birth, local(2025, 3, 1, 0, 30))  # 16:30 UTC on 28 Feb: March in Shanghai
    enter_all(Death, local(2025, 2, 28, 23, 30))  # still February in Shanghai

    kinds = [e.kind for e in selectors.events_entered(township_clerk, date(2025, 3, 1))]
    assert kinds == ["出生"]
    assert [e.kind for e in selectors.events_entered(other_clerk, date(2025, 3, 1))] == ["死亡"]
