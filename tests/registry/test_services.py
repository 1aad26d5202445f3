"""The registry's services: ID facts, births, deaths, marriages, migrations, moves and
households keep the register consistent, refuse bad input naming the field, and write
exactly one audit row each."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db.models import Q

from famplan.audit.models import AuditEntry
from famplan.common.idnumbers import check_char, make_id_number
from famplan.registry.models import (
    Birth,
    Household,
    HouseholdChange,
    MaritalStatus,
    Marriage,
    Migration,
    MigrationStatus,
    Person,
    PersonStatus,
    Relation,
    ResidenceChange,
)
from famplan.registry.services import (
    PersonData,
    birth_record,
    death_record,
    divorce_record,
    household_create,
    household_merge,
    household_split,
    marriage_record,
    migration_in_record,
    migration_out_record,
    migration_return_record,
    move_away_record,
    person_create,
    person_update,
    residence_change_record,
)
from famplan.registry.services.people import ConflictError, FieldError
from tests.registry.factories import person

VILLAGE = "620422100001"
OTHER_VILLAGE_SAME_TOWNSHIP = "620422100201"
OTHER_TOWNSHIP_VILLAGE = "620422101201"


def population(on: date, prefix: str = "620422") -> int:
    """Population at a date: registered_on <= d < left_on (no left_on: still here)."""
    return (
        Person.objects.filter(unit__code__startswith=prefix, registered_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .count()
    )


def data_for(**overrides) -> PersonData:
    born = overrides.pop("birth_date", date(1990, 5, 6))
    sex = overrides.pop("sex", "F")
    values = {
        "name": "赵敏",
        "sex": sex,
        "birth_date": born,
        "unit_id": VILLAGE,
        "id_number": make_id_number("620422", born, 321, sex),
        "ethnicity": "汉族",
        "hukou_type": "rural",
    }
    values.update(overrides)
    return PersonData(**values)


def field_of(excinfo: pytest.ExceptionInfo) -> str:
    return excinfo.value.field


def couple(actor, married_on=date(2015, 5, 1)):
    husband = person(actor, name="王强", sex="M", born=date(1988, 3, 1))
    wife = person(actor, name="李芳", sex="F", born=date(1990, 6, 1))
    marriage = marriage_record(actor=actor, husband=husband, wife=wife, married_on=married_on)
    return husband, wife, marriage


def birth(actor, mother, father, born_on, name="孩子", sex="M", **extra):
    return birth_record(
        actor=actor,
        mother=mother,
        father=father,
        child_name=name,
        sex=sex,
        born_on=born_on,
        place_type="hospital",
        **extra,
    )


def carried_in(actor, mother, father, born_on, *, order):
    """A birth row as the old systems' data and the demo generator carry it: its order
    counts older children the register holds no birth row for."""
    child = person(actor, name="旧孩", sex="F", born=born_on, unit=mother.unit_id)
    return Birth.objects.create(
        unit_id=mother.unit_id,
        entered_by=actor,
        child=child,
        mother=mother,
        father=father,
        born_on=born_on,
        sex="F",
        birth_order=order,
        place_type="home",
    )


# --- ID numbers and people -------------------------------------------------------------


class TestPeople:
    def test_it_creates_a_person_and_audits_it(self, village_worker):
        created = person_create(actor=village_worker, data=data_for())
        assert created.status == PersonStatus.ACTIVE
        assert created.registered_on == date.today()
        entry = AuditEntry.objects.get(action="registry.person.created")
        assert entry.target_id == str(created.pk) and entry.org_unit_id == VILLAGE

    def test_it_refuses_a_wrong_check_digit(self, village_worker):
        good = data_for().id_number
        bad = good[:17] + ("0" if good[17] != "0" else "1")
        with pytest.raises(FieldError) as err:
            person_create(actor=village_worker, data=data_for(id_number=bad))
        assert field_of(err) == "id_number" and "校验位" in err.value.message
        assert not Person.objects.exists()

    def test_it_refuses_an_impossible_birth_date_in_the_id(self, village_worker):
        first17 = "62042219901332032"
        with pytest.raises(FieldError) as err:
            person_create(
                actor=village_worker, data=data_for(id_number=first17 + check_char(first17))
            )
        assert field_of(err) == "id_number" and "19901332" in err.value.message

    def test_it_refuses_an_unknown_area_code(self, village_worker):
        first17 = "99042219900506032"
        with pytest.raises(FieldError) as err:
            person_create(
                actor=village_worker, data=data_for(id_number=first17 + check_char(first17))
            )
        assert field_of(err) == "id_number" and "地址码" in err.value.message

    def test_it_refuses_an_id_of_the_wrong_length(self, village_worker):
        with pytest.raises(FieldError) as err:
            person_create(actor=village_worker, data=data_for(id_number="62042219900506"))
        assert field_of(err) == "id_number" and "18位" in err.value.message

    def test_it_refuses_a_birth_date_that_disagrees_with_the_id(self, village_worker):
        id_number = make_id_number("620422", date(1990, 5, 6), 7, "F")
        with pytest.raises(FieldError) as err:
            person_create(
                actor=village_worker,
                data=data_for(id_number=id_number, birth_date=date(1990, 5, 7)),
            )
        assert field_of(err) == "birth_date" and "1990-05-06" in err.value.message

    def test_it_refuses_a_sex_that_disagrees_with_the_id(self, village_worker):
        id_number = make_id_number("620422", date(1990, 5, 6), 7, "F")
        with pytest.raises(FieldError) as err:
            person_create(actor=village_worker, data=data_for(id_number=id_number, sex="M"))
        assert field_of(err) == "sex" and "性别" in err.value.message

    def test_it_normalises_the_id_number(self, village_worker):
        id_number = make_id_number("620422", date(1990, 5, 6), 5, "F")
        created = person_create(
            actor=village_worker, data=data_for(id_number=f"  {id_number.lower()} ")
        )
        assert created.id_number == id_number

    def test_it_refuses_a_duplicate_id_number(self, village_worker, township_clerk):
        person_create(actor=village_worker, data=data_for())
        with pytest.raises(FieldError) as err:
            person_create(actor=township_clerk, data=data_for(name="另一人"))
        assert field_of(err) == "id_number" and "已登记" in err.value.message
        assert Person.objects.count() == 1

    def test_it_allows_people_without_an_id_number(self, village_worker):
        person_create(actor=village_worker, data=data_for(id_number=None))
        person_create(actor=village_worker, data=data_for(id_number=""))
        assert Person.objects.filter(id_number__isnull=True).count() == 2

    def test_it_refuses_a_name_left_blank(self, village_worker):
        with pytest.raises(FieldError) as err:
            person_create(actor=village_worker, data=data_for(name="  "))
        assert field_of(err) == "name"

    def test_it_refuses_a_village_outside_the_jurisdiction(self, village_worker):
        with pytest.raises(FieldError) as err:
            person_create(actor=village_worker, data=data_for(unit_id=OTHER_VILLAGE_SAME_TOWNSHIP))
        assert field_of(err) == "unit" and "管辖范围" in err.value.message

    def test_it_refuses_a_unit_that_is_not_a_village(self, township_clerk):
        with pytest.raises(FieldError) as err:
            person_create(actor=township_clerk, data=data_for(unit_id="620422100"))
        assert field_of(err) == "unit"

    def test_it_edits_from_the_current_version(self, village_worker):
        someone = person(village_worker, name="旧名", sex="F", born=date(1990, 5, 6))
        data = data_for(name="新名", id_number=someone.id_number, phone="13900000000")
        updated = person_update(actor=village_worker, person=someone, data=data, version=1)
        assert (updated.name, updated.phone, updated.version) == ("新名", "13900000000", 2)
        entry = AuditEntry.objects.get(action="registry.person.updated")
        assert entry.detail["fields"] == ["name", "phone"]

    def test_it_refuses_a_stale_edit_and_changes_nothing(self, village_worker):
        someone = person(village_worker, name="原名", sex="F", born=date(1990, 5, 6))
        first = data_for(name="甲改", id_number=someone.id_number)
        person_update(actor=village_worker, person=someone, data=first, version=1)
        # A second clerk opened the form at version 1 too, and saves after the first.
        stale = Person.objects.get(pk=someone.pk)
        second = data_for(name="乙改", id_number=someone.id_number)
        with pytest.raises(ConflictError) as err:
            person_update(actor=village_worker, person=stale, data=second, version=1)
        assert "刷新" in err.value.message
        stale.refresh_from_db()
        assert (stale.name, stale.version) == ("甲改", 2)
        assert AuditEntry.objects.filter(action="registry.person.updated").count() == 1

    def test_it_refuses_an_edit_opened_before_an_event(self, village_worker):
        someone = person(village_worker, sex="F", born=date(1990, 5, 6))
        opened_at = someone.version
        migration_out_record(
            actor=village_worker, person=someone, moved_on=date(2025, 1, 1), place="兰州"
        )
        current = Person.objects.get(pk=someone.pk)
        with pytest.raises(ConflictError):
            person_update(
                actor=village_worker,
                person=current,
                data=data_for(name="改名", id_number=someone.id_number),
                version=opened_at,
            )
        current.refresh_from_db()
        assert current.name == "张三" and current.status == PersonStatus.AWAY

    def test_it_refuses_an_id_number_taken_by_someone_else_on_edit(self, village_worker):
        first = person(village_worker, sex="F", born=date(1990, 5, 6))
        second = person(village_worker, sex="F", born=date(1990, 5, 6))
        with pytest.raises(FieldError) as err:
            person_update(
                actor=village_worker,
                person=second,
                data=data_for(id_number=first.id_number),
                version=second.version,
            )
        assert field_of(err) == "id_number"


# --- births --------------------------------------------------------------------------


class TestBirths:
    def test_it_adds_the_child_to_the_register_and_the_household(self, village_worker):
        husband, wife, _ = couple(village_worker)
        home = household_create(actor=village_worker, unit_id=VILLAGE, head=husband)
        Person.objects.filter(pk=wife.pk).update(household=home, relation_to_head="spouse")
        wife.refresh_from_db()
        before = population(date(2020, 1, 1))
        record = birth(village_worker, wife, husband, date(2020, 1, 2), name="王小")
        child = record.child
        assert (child.registered_on, child.status, child.unit_id) == (
            date(2020, 1, 2),
            PersonStatus.ACTIVE,
            VILLAGE,
        )
        assert child.household_id == home.pk and child.relation_to_head == Relation.CHILD
        assert population(date(2020, 1, 1)) == before
        assert population(date(2020, 1, 2)) == before + 1

    def test_it_counts_twins_as_consecutive_orders(self, village_worker):
        husband, wife, _ = couple(village_worker)
        first = birth(village_worker, wife, husband, date(2016, 2, 2))
        twin_a = birth(village_worker, wife, husband, date(2019, 7, 8), sex="M")
        twin_b = birth(village_worker, wife, husband, date(2019, 7, 8), sex="F", multiple=True)
        assert [first.birth_order, twin_a.birth_order, twin_b.birth_order] == [1, 2, 3]

    def test_it_restarts_the_order_for_a_new_couple(self, village_worker):
        first_husband, wife, marriage = couple(village_worker)
        birth(village_worker, wife, first_husband, date(2016, 1, 1))
        birth(village_worker, wife, first_husband, date(2018, 1, 1))
        divorce_record(actor=village_worker, marriage=marriage, divorced_on=date(2019, 1, 1))
        second_husband = person(village_worker, name="刘军", sex="M", born=date(1987, 1, 1))
        marriage_record(
            actor=village_worker, husband=second_husband, wife=wife, married_on=date(2020, 1, 1)
        )
        with_second = birth(village_worker, wife, second_husband, date(2021, 5, 5))
        # Birth order is for the couple: her third child is this couple's first.
        assert with_second.birth_order == 1

    def test_it_counts_the_mothers_children_when_the_father_is_unknown(self, village_worker):
        husband, wife, _ = couple(village_worker)
        birth(village_worker, wife, husband, date(2016, 1, 1))
        unknown = birth(village_worker, wife, None, date(2018, 1, 1))
        assert unknown.father_id is None and unknown.birth_order == 2

    def test_it_continues_an_order_carried_in_from_the_old_systems(self, village_worker):
        # An imported or generated birth states its order; the older child it follows
        # left the household and has no birth row here.
        husband, wife, _ = couple(village_worker)
        carried_in(village_worker, wife, husband, date(2017, 3, 3), order=2)
        assert birth(village_worker, wife, husband, date(2020, 1, 1)).birth_order == 3

    def test_it_gives_twins_consecutive_orders_after_a_carried_in_order(self, village_worker):
        husband, wife, _ = couple(village_worker)
        carried_in(village_worker, wife, husband, date(2017, 3, 3), order=2)
        twin_a = birth(village_worker, wife, husband, date(2021, 4, 4), sex="M")
        twin_b = birth(village_worker, wife, husband, date(2021, 4, 4), sex="F", multiple=True)
        assert (twin_a.birth_order, twin_b.birth_order) == (3, 4)

    def test_it_continues_the_mothers_highest_order_when_the_father_is_unknown(
        self, village_worker
    ):
        husband, wife, _ = couple(village_worker)
        carried_in(village_worker, wife, husband, date(2016, 3, 3), order=2)
        carried_in(village_worker, wife, None, date(2018, 3, 3), order=3)
        unknown = birth(village_worker, wife, None, date(2020, 1, 1))
        assert unknown.father_id is None and unknown.birth_order == 4
        # With the father known, only the couple's own births count.
        assert birth(village_worker, wife, husband, date(2021, 1, 1)).birth_order == 3

    def test_it_does_not_continue_an_order_born_after_the_day(self, village_worker):
        husband, wife, _ = couple(village_worker)
        carried_in(village_worker, wife, husband, date(2019, 3, 3), order=2)
        assert birth(village_worker, wife, husband, date(2016, 1, 1)).birth_order == 1

    def test_it_refuses_a_male_mother_and_a_female_father(self, village_worker):
        husband, wife, _ = couple(village_worker)
        with pytest.raises(FieldError) as err:
            birth(village_worker, husband, None, date(2020, 1, 1))
        assert field_of(err) == "mother"
        with pytest.raises(FieldError) as err:
            birth(village_worker, wife, wife, date(2020, 1, 1))
        assert field_of(err) == "father"
        assert not Person.objects.filter(name="孩子").exists()

    def test_it_refuses_a_future_birth_and_an_odd_weight(self, village_worker):
        _, wife, _ = couple(village_worker)
        with pytest.raises(FieldError) as err:
            birth(village_worker, wife, None, date.today() + timedelta(days=1))
        assert field_of(err) == "born_on"
        with pytest.raises(FieldError) as err:
            birth_record(
                actor=village_worker,
                mother=wife,
                father=None,
                child_name="孩子",
                sex="F",
                born_on=date(2020, 1, 1),
                place_type="home",
                weight_g=100,
            )
        assert field_of(err) == "weight_g"

    def test_it_refuses_a_birth_to_a_deceased_mother(self, village_worker):
        _, wife, _ = couple(village_worker)
        death_record(actor=village_worker, person=wife, died_on=date(2021, 1, 1))
        with pytest.raises(FieldError) as err:
            birth(village_worker, wife, None, date(2022, 1, 1))
        assert field_of(err) == "mother" and "死亡" in err.value.message

    def test_it_refuses_a_child_id_that_disagrees_with_the_birth(self, village_worker):
        _, wife, _ = couple(village_worker)
        with pytest.raises(FieldError) as err:
            birth_record(
                actor=village_worker,
                mother=wife,
                father=None,
                child_name="孩子",
                sex="F",
                born_on=date(2020, 1, 1),
                place_type="hospital",
                child_id_number=make_id_number("620422", date(2020, 1, 2), 1, "F"),
            )
        # The birth's own field names: the child's birth date is the day of the birth.
        assert field_of(err) == "born_on"


# --- deaths and marriages ------------------------------------------------------------


class TestDeathsAndMarriages:
    def test_it_ends_the_marriage_and_widows_the_spouse(self, village_worker):
        husband, wife, marriage = couple(village_worker)
        before = population(date(2024, 2, 1))
        death_record(actor=village_worker, person=husband, died_on=date(2024, 2, 2), cause="病故")
        husband.refresh_from_db()
        wife.refresh_from_db()
        marriage.refresh_from_db()
        assert (husband.status, husband.left_on) == (PersonStatus.DECEASED, date(2024, 2, 2))
        assert wife.marital_status == MaritalStatus.WIDOWED
        assert (marriage.ended_on, marriage.end_cause) == (date(2024, 2, 2), "death")
        assert population(date(2024, 2, 1)) == before
        assert population(date(2024, 2, 2)) == before - 1

    def test_it_refuses_a_second_death_and_one_before_birth(self, village_worker):
        someone = person(village_worker, born=date(2000, 1, 1))
        with pytest.raises(FieldError) as err:
            death_record(actor=village_worker, person=someone, died_on=date(1999, 12, 31))
        assert field_of(err) == "died_on"
        death_record(actor=village_worker, person=someone, died_on=date(2020, 1, 1))
        with pytest.raises(FieldError) as err:
            death_record(actor=village_worker, person=someone, died_on=date(2020, 1, 2))
        assert field_of(err) == "person"

    def test_it_closes_a_migration_when_the_migrant_dies(self, village_worker):
        someone = person(village_worker)
        out = migration_out_record(
            actor=village_worker, person=someone, moved_on=date(2023, 1, 1), place="兰州"
        )
        death_record(actor=village_worker, person=someone, died_on=date(2024, 1, 1))
        out.refresh_from_db()
        assert out.status == MigrationStatus.CLOSED

    def test_it_records_a_divorce(self, village_worker):
        husband, wife, marriage = couple(village_worker)
        divorce_record(actor=village_worker, marriage=marriage, divorced_on=date(2020, 3, 3))
        marriage.refresh_from_db()
        husband.refresh_from_db()
        wife.refresh_from_db()
        assert (marriage.ended_on, marriage.end_cause) == (date(2020, 3, 3), "divorce")
        assert husband.marital_status == wife.marital_status == MaritalStatus.DIVORCED
        with pytest.raises(FieldError) as err:
            divorce_record(actor=village_worker, marriage=marriage, divorced_on=date(2021, 1, 1))
        assert field_of(err) == "marriage"

    def test_it_refuses_a_divorce_before_the_wedding(self, village_worker):
        _, _, marriage = couple(village_worker, married_on=date(2015, 5, 1))
        with pytest.raises(FieldError) as err:
            divorce_record(actor=village_worker, marriage=marriage, divorced_on=date(2015, 4, 30))
        assert field_of(err) == "divorced_on"

    def test_it_refuses_a_marriage_below_the_legal_age(self, village_worker):
        young_man = person(village_worker, name="小伙", sex="M", born=date(2000, 6, 2))
        woman = person(village_worker, name="姑娘", sex="F", born=date(2000, 6, 2))
        with pytest.raises(FieldError) as err:
            marriage_record(
                actor=village_worker, husband=young_man, wife=woman, married_on=date(2022, 6, 1)
            )
        assert field_of(err) == "husband" and "22" in err.value.message
        older = person(village_worker, name="大哥", sex="M", born=date(1990, 1, 1))
        with pytest.raises(FieldError) as err:
            marriage_record(
                actor=village_worker, husband=older, wife=woman, married_on=date(2020, 6, 1)
            )
        assert field_of(err) == "wife" and "20" in err.value.message
        # On the 22nd birthday itself he may marry.
        marriage_record(
            actor=village_worker, husband=young_man, wife=woman, married_on=date(2022, 6, 2)
        )
        assert Marriage.objects.count() == 1

    def test_it_refuses_a_second_current_marriage(self, village_worker):
        husband, _wife, _ = couple(village_worker)
        other_woman = person(village_worker, name="第三者", sex="F", born=date(1990, 1, 1))
        with pytest.raises(FieldError) as err:
            marriage_record(
                actor=village_worker, husband=husband, wife=other_woman, married_on=date(2020, 1, 1)
            )
        assert field_of(err) == "husband" and "在婚" in err.value.message
        assert Marriage.objects.count() == 1

    def test_it_refuses_wrong_sexes(self, village_worker):
        man = person(village_worker, name="男", sex="M")
        other_man = person(village_worker, name="男二", sex="M")
        with pytest.raises(FieldError) as err:
            marriage_record(
                actor=village_worker, husband=man, wife=other_man, married_on=date(2020, 1, 1)
            )
        assert field_of(err) == "wife"

    def test_it_marks_a_remarriage(self, village_worker):
        _first_husband, wife, marriage = couple(village_worker)
        divorce_record(actor=village_worker, marriage=marriage, divorced_on=date(2019, 1, 1))
        bachelor = person(village_worker, name="刘军", sex="M", born=date(1987, 1, 1))
        with pytest.raises(FieldError) as err:
            marriage_record(
                actor=village_worker, husband=bachelor, wife=wife, married_on=date(2018, 12, 31)
            )
        assert field_of(err) == "married_on"
        second = marriage_record(
            actor=village_worker, husband=bachelor, wife=wife, married_on=date(2020, 1, 1)
        )
        bachelor.refresh_from_db()
        wife.refresh_from_db()
        assert second.kind == "re"
        assert wife.marital_status == MaritalStatus.REMARRIED
        assert bachelor.marital_status == MaritalStatus.FIRST_MARRIED

    def test_it_lets_a_widow_remarry(self, village_worker):
        husband, wife, _ = couple(village_worker)
        death_record(actor=village_worker, person=husband, died_on=date(2019, 1, 1))
        widower = person(village_worker, name="鳏夫", sex="M", born=date(1980, 1, 1))
        second = marriage_record(
            actor=village_worker, husband=widower, wife=wife, married_on=date(2021, 1, 1)
        )
        assert second.kind == "re"


# --- migrations and moves ------------------------------------------------------------


class TestMigrations:
    def test_it_keeps_a_migrant_out_on_the_register_until_they_return(self, village_worker):
        someone = person(village_worker, born=date(1995, 1, 1))
        before = population(date(2024, 6, 1))
        out = migration_out_record(
            actor=village_worker,
            person=someone,
            moved_on=date(2024, 3, 1),
            place="兰州市",
            employer="某厂",
            contact_phone="13800000000",
        )
        someone.refresh_from_db()
        assert (someone.status, someone.left_on) == (PersonStatus.AWAY, None)
        assert population(date(2024, 6, 1)) == before
        with pytest.raises(FieldError) as err:
            migration_out_record(
                actor=village_worker, person=someone, moved_on=date(2024, 4, 1), place="西安"
            )
        assert field_of(err) == "person"
        with pytest.raises(FieldError) as err:
            migration_return_record(
                actor=village_worker, migration=out, returned_on=date(2024, 2, 1)
            )
        assert field_of(err) == "returned_on"
        migration_return_record(actor=village_worker, migration=out, returned_on=date(2024, 9, 1))
        out.refresh_from_db()
        someone.refresh_from_db()
        assert (out.status, out.returned_on) == (MigrationStatus.RETURNED, date(2024, 9, 1))
        assert (someone.status, someone.left_on) == (PersonStatus.ACTIVE, None)
        assert population(date(2024, 6, 1)) == before
        with pytest.raises(FieldError) as err:
            migration_return_record(
                actor=village_worker, migration=out, returned_on=date(2024, 10, 1)
            )
        assert field_of(err) == "migration"

    def test_it_refuses_a_migration_out_without_a_place(self, village_worker):
        someone = person(village_worker)
        with pytest.raises(FieldError) as err:
            migration_out_record(
                actor=village_worker, person=someone, moved_on=date(2024, 3, 1), place="  "
            )
        assert field_of(err) == "place"
        someone.refresh_from_db()
        assert someone.status == PersonStatus.ACTIVE

    def test_it_registers_a_migrant_in_from_the_day_they_arrive(self, village_worker):
        migration = migration_in_record(
            actor=village_worker,
            data=data_for(name="外来人"),
            moved_on=date(2024, 3, 1),
            place="定西市安定区",
        )
        newcomer = migration.person
        assert (newcomer.registered_on, newcomer.status) == (date(2024, 3, 1), PersonStatus.ACTIVE)
        assert migration.direction == "in"
        assert population(date(2024, 2, 29)) == 0
        assert population(date(2024, 3, 1)) == 1
        migration_return_record(
            actor=village_worker, migration=migration, returned_on=date(2025, 1, 1)
        )
        newcomer.refresh_from_db()
        assert (newcomer.status, newcomer.left_on) == (PersonStatus.MOVED_OUT, date(2025, 1, 1))
        assert population(date(2024, 12, 31)) == 1
        assert population(date(2025, 1, 1)) == 0

    def test_it_refuses_a_migrant_in_already_on_the_register(self, village_worker):
        existing = person_create(actor=village_worker, data=data_for())
        with pytest.raises(FieldError) as err:
            migration_in_record(
                actor=village_worker,
                data=data_for(id_number=existing.id_number),
                moved_on=date(2024, 3, 1),
                place="定西",
            )
        assert field_of(err) == "id_number" and "居住地变更" in err.value.message
        assert not Migration.objects.exists()

    def test_it_refuses_an_arrival_before_birth(self, village_worker):
        with pytest.raises(FieldError) as err:
            migration_in_record(
                actor=village_worker,
                data=data_for(birth_date=date(2020, 1, 1), id_number=None),
                moved_on=date(2019, 1, 1),
                place="定西",
            )
        assert field_of(err) == "moved_on"
        assert not Person.objects.exists()

    def test_it_moves_a_person_between_villages(self, township_clerk):
        someone = person(township_clerk, born=date(1990, 1, 1))
        home = household_create(actor=township_clerk, unit_id=VILLAGE, head=someone)
        new_home = household_create(actor=township_clerk, unit_id=OTHER_VILLAGE_SAME_TOWNSHIP)
        before = population(date(2024, 6, 1))
        change = residence_change_record(
            actor=township_clerk,
            person=someone,
            to_unit_id=OTHER_VILLAGE_SAME_TOWNSHIP,
            moved_on=date(2024, 5, 1),
            household_id=new_home.pk,
        )
        someone.refresh_from_db()
        home.refresh_from_db()
        assert (change.from_unit_id, change.unit_id) == (VILLAGE, OTHER_VILLAGE_SAME_TOWNSHIP)
        assert someone.unit_id == OTHER_VILLAGE_SAME_TOWNSHIP
        assert someone.household_id == new_home.pk and someone.relation_to_head == Relation.OTHER
        assert home.head_id is None  # the head left; the old household keeps no stale head
        assert population(date(2024, 6, 1)) == before
        assert population(date(2024, 6, 1), OTHER_VILLAGE_SAME_TOWNSHIP) == 1

    def test_it_refuses_a_move_to_a_village_outside_the_jurisdiction(
        self, township_clerk, village_worker
    ):
        someone = person(township_clerk)
        with pytest.raises(FieldError) as err:
            residence_change_record(
                actor=township_clerk,
                person=someone,
                to_unit_id=OTHER_TOWNSHIP_VILLAGE,
                moved_on=date(2024, 5, 1),
            )
        assert field_of(err) == "to_unit" and "管辖范围" in err.value.message
        # A village worker's jurisdiction is their own village only.
        with pytest.raises(FieldError) as err:
            residence_change_record(
                actor=village_worker,
                person=someone,
                to_unit_id=OTHER_VILLAGE_SAME_TOWNSHIP,
                moved_on=date(2024, 5, 1),
            )
        assert field_of(err) == "to_unit"
        someone.refresh_from_db()
        assert someone.unit_id == VILLAGE and not ResidenceChange.objects.exists()

    def test_it_refuses_a_move_to_the_same_village(self, township_clerk):
        someone = person(township_clerk)
        with pytest.raises(FieldError) as err:
            residence_change_record(
                actor=township_clerk, person=someone, to_unit_id=VILLAGE, moved_on=date(2024, 5, 1)
            )
        assert field_of(err) == "to_unit"

    def test_it_takes_a_person_who_moves_away_off_the_register(self, village_worker):
        someone = person(village_worker, born=date(1990, 1, 1))
        out = migration_out_record(
            actor=village_worker, person=someone, moved_on=date(2023, 1, 1), place="兰州"
        )
        before = population(date(2024, 4, 30))
        move_away_record(
            actor=village_worker, person=someone, moved_on=date(2024, 5, 1), place="兰州市城关区"
        )
        someone.refresh_from_db()
        out.refresh_from_db()
        assert (someone.status, someone.left_on) == (PersonStatus.MOVED_OUT, date(2024, 5, 1))
        assert out.status == MigrationStatus.CLOSED
        assert population(date(2024, 4, 30)) == before
        assert population(date(2024, 5, 1)) == before - 1
        with pytest.raises(FieldError) as err:
            move_away_record(
                actor=village_worker, person=someone, moved_on=date(2024, 6, 1), place="兰州"
            )
        assert field_of(err) == "person"

    def test_it_refuses_a_move_away_before_registration(self, village_worker):
        someone = person(village_worker, born=date(1990, 1, 1))
        with pytest.raises(FieldError) as err:
            move_away_record(
                actor=village_worker, person=someone, moved_on=date(1989, 1, 1), place="兰州"
            )
        assert field_of(err) == "person"  # before birth: refused as the person's date
        with pytest.raises(FieldError) as err:
            move_away_record(
                actor=village_worker, person=someone, moved_on=date(2024, 1, 1), place=""
            )
        assert field_of(err) == "place"


# --- households ------------------------------------------------------------------------


class TestHouseholds:
    def family(self, actor):
        father = person(actor, name="户主", sex="M", born=date(1960, 1, 1))
        son = person(actor, name="儿子", sex="M", born=date(1988, 1, 1))
        daughter_in_law = person(actor, name="儿媳", sex="F", born=date(1990, 1, 1))
        home = household_create(actor=actor, unit_id=VILLAGE, head=father, address="东关1号")
        Person.objects.filter(pk__in=[son.pk, daughter_in_law.pk]).update(household=home)
        return home, father, son, daughter_in_law

    def test_it_numbers_new_households_within_the_village(self, village_worker):
        first = household_create(actor=village_worker, unit_id=VILLAGE)
        second = household_create(actor=village_worker, unit_id=VILLAGE)
        assert (first.number, second.number) == (f"{VILLAGE}0001", f"{VILLAGE}0002")
        with pytest.raises(FieldError) as err:
            household_create(actor=village_worker, unit_id=VILLAGE, number=first.number)
        assert field_of(err) == "number"

    def test_it_refuses_a_head_from_another_village(self, township_clerk):
        outsider = person(township_clerk, unit=OTHER_VILLAGE_SAME_TOWNSHIP)
        with pytest.raises(FieldError) as err:
            household_create(actor=township_clerk, unit_id=VILLAGE, head=outsider)
        assert field_of(err) == "head"
        assert not Household.objects.exists()

    def test_it_splits_members_into_a_new_household(self, village_worker):
        home, father, son, wife = self.family(village_worker)
        new = household_split(
            actor=village_worker,
            household=home,
            members=[son, wife],
            new_head=son,
            changed_on=date(2024, 1, 1),
        )
        son.refresh_from_db()
        wife.refresh_from_db()
        home.refresh_from_db()
        assert new.head_id == son.pk and new.unit_id == VILLAGE and new.address == "东关1号"
        assert (son.household_id, son.relation_to_head) == (new.pk, Relation.HEAD)
        assert (wife.household_id, wife.relation_to_head) == (new.pk, Relation.OTHER)
        assert home.head_id == father.pk
        assert list(home.members.values_list("pk", flat=True)) == [father.pk]
        change = HouseholdChange.objects.get()
        assert change.kind == "split" and change.person_ids == sorted([son.pk, wife.pk])

    def test_it_leaves_the_old_household_headless_when_the_head_splits_off(self, village_worker):
        home, father, _son, wife = self.family(village_worker)
        household_split(
            actor=village_worker,
            household=home,
            members=[father, wife],
            new_head=wife,
            changed_on=date(2024, 1, 1),
        )
        home.refresh_from_db()
        assert home.head_id is None

    def test_it_refuses_bad_splits(self, village_worker):
        home, father, son, wife = self.family(village_worker)
        stranger = person(village_worker, name="外人")
        cases = [
            ({"members": [], "new_head": son}, "members"),
            ({"members": [son], "new_head": wife}, "new_head"),
            ({"members": [son, stranger], "new_head": son}, "members"),
            ({"members": [father, son, wife], "new_head": son}, "members"),
        ]
        for kwargs, field in cases:
            with pytest.raises(FieldError) as err:
                household_split(
                    actor=village_worker, household=home, changed_on=date(2024, 1, 1), **kwargs
                )
            assert field_of(err) == field
        assert Household.objects.count() == 1

    def test_it_merges_two_households(self, village_worker):
        home, father, _son, _wife = self.family(village_worker)
        single = person(village_worker, name="独居", sex="M", born=date(1950, 1, 1))
        other = household_create(actor=village_worker, unit_id=VILLAGE, head=single)
        household_merge(
            actor=village_worker, source=other, target=home, changed_on=date(2024, 2, 2)
        )
        other.refresh_from_db()
        single.refresh_from_db()
        home.refresh_from_db()
        assert (other.dissolved_on, other.head_id) == (date(2024, 2, 2), None)
        assert (single.household_id, single.relation_to_head) == (home.pk, Relation.OTHER)
        assert home.head_id == father.pk and home.members.count() == 4
        with pytest.raises(FieldError) as err:
            household_merge(
                actor=village_worker, source=other, target=home, changed_on=date(2024, 3, 3)
            )
        assert field_of(err) == "target"

    def test_it_refuses_merging_across_villages_or_with_itself(self, township_clerk):
        here = household_create(actor=township_clerk, unit_id=VILLAGE)
        there = household_create(actor=township_clerk, unit_id=OTHER_VILLAGE_SAME_TOWNSHIP)
        for source, target in ((here, there), (here, here)):
            with pytest.raises(FieldError) as err:
                household_merge(
                    actor=township_clerk, source=source, target=target, changed_on=date(2024, 1, 1)
                )
            assert field_of(err) == "target"


# --- audit: one row per service call -------------------------------------------------


def test_it_writes_exactly_one_audit_row_per_service_call(township_clerk):
    actor = township_clerk

    def one_row(action: str, call):
        before = AuditEntry.objects.count()
        result = call()
        assert AuditEntry.objects.count() == before + 1, action
        entry = AuditEntry.objects.order_by("-id").first()
        assert entry.action == action and entry.user_id == actor.pk
        return result

    husband = one_row(
        "registry.person.created", lambda: person(actor, name="夫", sex="M", born=date(1988, 1, 1))
    )
    wife = one_row(
        "registry.person.created", lambda: person(actor, name="妻", sex="F", born=date(1990, 1, 1))
    )
    one_row(
        "registry.person.updated",
        lambda: person_update(
            actor=actor,
            person=wife,
            data=PersonData(
                name="妻改",
                sex="F",
                birth_date=wife.birth_date,
                unit_id=VILLAGE,
                id_number=wife.id_number,
                ethnicity="汉族",
                hukou_type="rural",
                registered_on=wife.registered_on,
            ),
            version=wife.version,
        ),
    )
    marriage = one_row(
        "registry.marriage.recorded",
        lambda: marriage_record(
            actor=actor, husband=husband, wife=wife, married_on=date(2014, 1, 1)
        ),
    )
    home = one_row(
        "registry.household.created",
        lambda: household_create(actor=actor, unit_id=VILLAGE, head=husband),
    )
    Person.objects.filter(pk=wife.pk).update(household=home)
    wife.refresh_from_db()
    child = one_row(
        "registry.birth.recorded", lambda: birth(actor, wife, husband, date(2015, 1, 1))
    ).child
    one_row(
        "registry.household.split",
        lambda: household_split(
            actor=actor,
            household=home,
            members=[child],
            new_head=child,
            changed_on=date(2024, 1, 1),
        ),
    )
    other = household_create(actor=actor, unit_id=VILLAGE)
    one_row(
        "registry.household.merged",
        lambda: household_merge(
            actor=actor, source=other, target=home, changed_on=date(2024, 1, 2)
        ),
    )
    out = one_row(
        "registry.migration.out",
        lambda: migration_out_record(
            actor=actor, person=husband, moved_on=date(2023, 1, 1), place="兰州"
        ),
    )
    one_row(
        "registry.migration.returned",
        lambda: migration_return_record(actor=actor, migration=out, returned_on=date(2023, 6, 1)),
    )
    newcomer = one_row(
        "registry.migration.in",
        lambda: migration_in_record(
            actor=actor,
            data=data_for(name="来人"),
            moved_on=date(2022, 1, 1),
            place="定西",
        ),
    ).person
    one_row(
        "registry.person.moved",
        lambda: residence_change_record(
            actor=actor,
            person=newcomer,
            to_unit_id=OTHER_VILLAGE_SAME_TOWNSHIP,
            moved_on=date(2023, 1, 1),
        ),
    )
    one_row(
        "registry.person.moved_away",
        lambda: move_away_record(
            actor=actor, person=newcomer, moved_on=date(2024, 1, 1), place="外省"
        ),
    )
    one_row(
        "registry.marriage.divorced",
        lambda: divorce_record(actor=actor, marriage=marriage, divorced_on=date(2024, 3, 1)),
    )
    one_row(
        "registry.death.recorded",
        lambda: death_record(actor=actor, person=husband, died_on=date(2024, 5, 1)),
    )
    # A refused call writes nothing: its transaction, audit row included, rolls back.
    before = AuditEntry.objects.count()
    with pytest.raises(FieldError):
        death_record(actor=actor, person=husband, died_on=date(2024, 6, 1))
    assert AuditEntry.objects.count() == before


def test_it_keeps_the_population_consistent_through_a_life(village_worker):
    """Population at d = registered_on <= d < left_on, checked after every event."""
    actor = village_worker
    husband = person(actor, name="夫", sex="M", born=date(1985, 1, 1))
    wife = person(actor, name="妻", sex="F", born=date(1987, 1, 1))
    assert population(date(1984, 12, 31)) == 0
    assert population(date(1986, 1, 1)) == 1
    assert population(date(2000, 1, 1)) == 2
    marriage_record(actor=actor, husband=husband, wife=wife, married_on=date(2010, 1, 1))
    assert population(date(2010, 1, 1)) == 2
    child = birth(actor, wife, husband, date(2012, 3, 3)).child
    assert population(date(2012, 3, 2)) == 2 and population(date(2012, 3, 3)) == 3
    out = migration_out_record(actor=actor, person=husband, moved_on=date(2015, 1, 1), place="兰州")
    assert population(date(2016, 1, 1)) == 3  # away, still on the register
    migration_return_record(actor=actor, migration=out, returned_on=date(2017, 1, 1))
    assert population(date(2017, 1, 1)) == 3
    migration_in_record(
        actor=actor, data=data_for(name="来人"), moved_on=date(2018, 1, 1), place="定西"
    )
    assert population(date(2017, 12, 31)) == 3 and population(date(2018, 1, 1)) == 4
    move_away_record(actor=actor, person=child, moved_on=date(2020, 9, 1), place="兰州大学")
    assert population(date(2020, 8, 31)) == 4 and population(date(2020, 9, 1)) == 3
    death_record(actor=actor, person=husband, died_on=date(2022, 2, 2))
    assert population(date(2022, 2, 1)) == 3 and population(date(2022, 2, 2)) == 2
    # History does not change: the earlier dates still count what they counted.
    assert population(date(2012, 3, 3)) == 3
    assert population(date(2016, 1, 1)) == 3
