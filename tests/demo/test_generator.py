"""The synthetic county: deterministic, valid and consistent records, figures near the
targets, and a `famplan demo` that generates it once."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Q
from django.utils import timezone

from famplan.accounts.models import User
from famplan.accounts.roles import Role
from famplan.audit.models import AuditEntry
from famplan.common.errors import DomainError
from famplan.common.idnumbers import parse_id_number
from famplan.demo.figures import county_figures
from famplan.demo.generator import parse_scale, population_generate
from famplan.orgunits.models import Level, OrgUnit
from famplan.orgunits.services import divisions_import
from famplan.registry.models import (
    Birth,
    Death,
    Household,
    HouseholdChange,
    Marriage,
    Migration,
    Person,
    ResidenceChange,
)
from famplan.registry.services.people import PersonData, person_create

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 30)
WINDOW_START = date(2016, 7, 1)
FIXTURE = (
    Path(__file__).resolve().parents[2]
    / "src/famplan/orgunits/fixtures/huining_620422_divisions.csv"
)


@pytest.fixture
def huining() -> OrgUnit:
    divisions_import(FIXTURE, source_name=FIXTURE.name)
    return OrgUnit.objects.get(code="620422")


def generate(county: OrgUnit, *, scale: float = 0.005, seed: int = 1, replace: bool = False):
    return population_generate(county=county, scale=scale, seed=seed, today=TODAY, replace=replace)


MARRIAGE_FACTS = ("married_on", "kind", "ended_on", "end_cause")


def snapshot() -> list[tuple]:
    return list(
        Person.objects.order_by("id").values_list(
            "name", "id_number", "sex", "birth_date", "unit_id", "status", "relation_to_head"
        )
    )


def test_it_makes_the_same_people_from_the_same_seed_and_others_from_another(huining):
    first = generate(huining, seed=7)
    people = snapshot()
    births = list(Birth.objects.order_by("id").values_list("born_on", "sex", "birth_order"))
    marriages = list(Marriage.objects.order_by("id").values_list(*MARRIAGE_FACTS))
    again = generate(huining, seed=7, replace=True)
    assert again.counts == first.counts
    assert snapshot() == people
    assert list(Birth.objects.order_by("id").values_list("born_on", "sex", "birth_order")) == births
    assert list(Marriage.objects.order_by("id").values_list(*MARRIAGE_FACTS)) == marriages

    other = generate(huining, seed=8, replace=True)
    assert other.counts != first.counts
    ids = {row[1] for row in people}
    assert len(ids & {row[1] for row in snapshot()}) < len(ids) / 10


def test_it_sizes_the_county_by_scale(huining):
    result = generate(huining, scale=0.005)
    on_register = Person.objects.filter(status__in=("active", "away")).count()
    assert 0.9 * 2800 <= on_register <= 1.1 * 2800
    assert result.counts["people"] == Person.objects.count()
    assert result.counts["households"] == Household.objects.count()


def test_it_gives_valid_unique_id_numbers_that_state_the_persons_facts(huining):
    generate(huining)
    rows = list(
        Person.objects.exclude(id_number=None).values_list(
            "id_number", "birth_date", "sex", "hukou_unit_id"
        )
    )
    assert len(rows) > 2500
    assert len({row[0] for row in rows}) == len(rows)
    for id_number, born, sex, hukou_unit in rows:
        facts = parse_id_number(id_number, today=TODAY)
        assert (facts.birth_date, facts.sex) == (born, sex)
        if hukou_unit is not None:  # natives; migrants in carry their home county's code
            assert facts.area_code == "620422"


def test_it_leaves_some_newborns_without_an_id_number_yet(huining):
    generate(huining, scale=0.05)
    newborns = Person.objects.filter(birth_date__gt=TODAY - timedelta(days=90))
    assert newborns.filter(id_number=None).exists()
    assert newborns.exclude(id_number=None).exists()
    older = Person.objects.filter(birth_date__lte=TODAY - timedelta(days=90))
    assert older.filter(id_number=None).count() < older.count() * 0.01


def test_it_puts_every_person_and_household_in_a_village_of_the_county(huining):
    generate(huining)
    villages = set(
        OrgUnit.objects.filter(level=Level.VILLAGE, code__startswith="620422").values_list(
            "code", flat=True
        )
    )
    assert set(Person.objects.values_list("unit_id", flat=True)) <= villages
    assert set(Household.objects.values_list("unit_id", flat=True)) <= villages
    assert len(set(Person.objects.values_list("unit_id", flat=True))) > 250
    # Members live in their household's village.
    members = Person.objects.exclude(household=None)
    assert members.exists()
    assert not members.exclude(unit_id=F("household__unit_id")).exists()


def test_it_numbers_births_per_couple(huining):
    generate(huining, scale=0.02)
    births = list(
        Birth.objects.select_related("child", "mother").order_by("mother_id", "born_on", "id")
    )
    in_window = [b for b in births if b.born_on >= WINDOW_START]
    assert len(in_window) > 500
    by_mother = defaultdict(list)
    # A birth is on the register of the village the mother lived in then: her own
    # today, unless she moved since (married again, divorced, moved away).
    moved = set(ResidenceChange.objects.values_list("person_id", flat=True))
    for birth in births:
        by_mother[birth.mother_id].append(birth)
        assert birth.child.birth_date == birth.born_on
        assert birth.child.sex == birth.sex
        assert birth.child.registered_on == birth.born_on
        assert birth.father_id is not None
        if birth.mother_id not in moved:
            assert birth.unit_id == birth.mother.unit_id
    for birth in in_window:
        assert birth.child.unit_id == birth.unit_id  # too young to have married away
    for mother_births in by_mother.values():
        by_couple = defaultdict(list)
        for birth in mother_births:
            by_couple[birth.father_id].append(birth)
        for couple in by_couple.values():
            # 1, 2, 3 ... in date order: every child the couple had has a birth row,
            # so the services' rule (1 + the couple's highest order) gives the same.
            assert [b.birth_order for b in couple] == list(range(1, len(couple) + 1))
            assert all(a.born_on < b.born_on for a, b in itertools.pairwise(couple))
    # Couples married within the ten years had all their children in them: 1, 2, ...
    recent = Marriage.objects.filter(married_on__gte=WINDOW_START)
    first_orders = Counter()
    for marriage in recent:
        couple = [
            b for b in by_mother.get(marriage.wife_id, []) if b.father_id == marriage.husband_id
        ]
        if couple:
            first_orders[couple[0].birth_order] += 1
            assert couple[0].born_on > marriage.married_on
    assert set(first_orders) == {1}
    # Every birth's known parents are a married couple.
    couples = set(Marriage.objects.values_list("wife_id", "husband_id"))
    assert {(b.mother_id, b.father_id) for b in births if b.father_id} <= couples


def test_it_writes_birth_rows_for_the_older_children_at_home(huining):
    generate(huining, scale=0.02)
    # Children born before the window, still at home: nearly all have a birth row (not
    # those whose mother had died before it), living in their mother's household.
    at_home = Person.objects.filter(
        birth_date__lt=WINDOW_START, relation_to_head="child", marital_status="unmarried"
    )
    assert at_home.filter(birth__isnull=False).count() > at_home.count() * 0.95
    rows = Birth.objects.filter(born_on__lt=WINDOW_START)
    # Unmarried children live with their mother, where she is still married and lives
    # where she did (a mother who divorced or married again left the children in the
    # household; one who died is no longer a member).
    moved = ResidenceChange.objects.values_list("person_id", flat=True)
    unmarried = rows.filter(
        child__marital_status="unmarried",
        child__status="active",
        mother__status="active",
        mother__marital_status="first_married",
    ).exclude(mother_id__in=moved)
    assert unmarried.exists()
    assert not unmarried.exclude(child__household_id=F("mother__household_id")).exists()
    # As the old systems' data carries them: entered when the register was loaded, no
    # weight, at home or in hospital.
    assert not rows.filter(entered_at__date__gte=WINDOW_START).exists()
    assert not rows.exclude(weight_g=None).exists()
    assert rows.filter(place_type="home").exists() and rows.filter(place_type="hospital").exists()
    # The figures count births by date in the window only.
    figures = county_figures("620422", TODAY)
    assert figures.births == Birth.objects.filter(born_on__gte=WINDOW_START).count()
    assert figures.births < rows.count()
    assert 7.0 <= figures.birth_rate <= 11.0


def test_it_keeps_status_and_dates_consistent(huining):
    generate(huining, scale=0.02)
    deaths = dict(Death.objects.values_list("person_id", "died_on"))
    for pk, status, left_on, registered_on in Person.objects.values_list(
        "id", "status", "left_on", "registered_on"
    ):
        if status == "deceased":
            assert left_on == deaths[pk]
        elif status == "moved_out":
            assert left_on is not None and left_on >= registered_on
        else:
            assert left_on is None
            assert pk not in deaths
    assert len(deaths) == Person.objects.filter(status="deceased").count()
    away = set(Person.objects.filter(status="away").values_list("id", flat=True))
    open_out = Counter(
        Migration.objects.filter(direction="out", status="active").values_list(
            "person_id", flat=True
        )
    )
    assert set(open_out) == away and set(open_out.values()) == {1}
    for moved_on, registered_on, born in Migration.objects.values_list(
        "moved_on", "person__registered_on", "person__birth_date"
    ):
        assert moved_on >= registered_on and moved_on >= born
    assert not Migration.objects.filter(returned_on__lt=F("moved_on")).exists()
    moved = Person.objects.filter(status="moved_out", migrations=None)
    assert moved.count() == ResidenceChange.objects.exclude(place="").count()


def test_it_keeps_marital_status_consistent_with_marriages(huining):
    generate(huining, scale=0.02)
    status = dict(Person.objects.values_list("id", "marital_status"))
    alive = set(Person.objects.filter(status__in=("active", "away")).values_list("id", flat=True))
    marriages = defaultdict(list)  # person -> their marriages in date order
    for marriage in Marriage.objects.order_by("married_on", "id"):
        marriages[marriage.husband_id].append(marriage)
        marriages[marriage.wife_id].append(marriage)
        assert marriage.end_cause in ("", "death", "divorce")
        assert (marriage.ended_on is None) == (marriage.end_cause == "")
        if marriage.ended_on is None:
            assert marriage.husband_id in alive and marriage.wife_id in alive
    for person, own in marriages.items():
        # One marriage at a time, each after the one before ended.
        for before, after in itertools.pairwise(own):
            assert before.ended_on is not None and before.ended_on <= after.married_on
        if person not in alive:
            continue
        last = own[-1]
        if last.ended_on is None:  # 初婚 or 再婚 by their own history, as the services say
            assert status[person] == ("first_married" if len(own) == 1 else "remarried")
        elif last.end_cause == "divorce":
            assert status[person] == "divorced"
        else:
            assert status[person] == "widowed"
    married_now = [p for p in alive if status[p] in ("first_married", "remarried")]
    assert married_now and all(marriages[p][-1].ended_on is None for p in married_now)
    assert not [p for p in alive if status[p] == "widowed" and p not in marriages]


def test_it_divorces_couples_at_rural_gansu_rates_and_they_marry_again(huining):
    generate(huining, scale=0.05)
    divorces = Marriage.objects.filter(end_cause="divorce")
    recent = divorces.filter(ended_on__gte=WINDOW_START).count()
    # A crude divorce rate of 2-3 per thousand a year lately, fewer before.
    on_register = Person.objects.filter(status__in=("active", "away")).count()
    assert 1.5 <= recent / 10 / on_register * 1000 <= 3.5
    older = divorces.filter(ended_on__lt=WINDOW_START, ended_on__gte=date(2006, 7, 1))
    assert 0 < older.count() < recent / 2
    # Whoever divorced and married again did so in a remarriage (再婚), and is 再婚.
    later = 0
    for marriage in divorces:
        for person in (marriage.husband_id, marriage.wife_id):
            following = Marriage.objects.filter(
                Q(husband_id=person) | Q(wife_id=person), married_on__gte=marriage.ended_on
            ).exclude(pk=marriage.pk)
            for again in following:
                later += 1
                assert again.kind == "re"
                if again.ended_on is None:
                    assert Person.objects.get(pk=person).marital_status == "remarried"
    assert later > 20
    assert Marriage.objects.filter(kind="re", ended_on=None).count() > 50


def test_it_gives_every_household_one_head_on_the_register(huining):
    generate(huining, scale=0.02)
    heads = Counter(
        Person.objects.filter(relation_to_head="head").values_list("household_id", flat=True)
    )
    for household in Household.objects.all():
        if household.dissolved_on is None:
            head = Person.objects.get(pk=household.head_id)
            assert head.household_id == household.pk
            assert head.status in ("active", "away")
            assert head.relation_to_head == "head"
            assert heads[household.pk] == 1
    relations = Counter(
        Person.objects.filter(status__in=("active", "away")).values_list(
            "relation_to_head", flat=True
        )
    )
    for relation in ("spouse", "child", "grandchild", "child_in_law", "parent"):
        assert relations[relation] > 0, relation


def test_its_figures_land_near_the_targets(huining):
    generate(huining, scale=0.05)
    figures = county_figures("620422", TODAY)
    assert 7.0 <= figures.birth_rate <= 11.0
    assert 6.5 <= figures.death_rate <= 9.5
    assert 100 <= figures.sex_ratio <= 125
    assert 0.34 <= figures.second_share <= 0.46
    assert 0.11 <= figures.third_plus_share <= 0.19
    assert 0.12 <= figures.away_share <= 0.18
    assert 3.0 <= figures.household_size <= 4.2
    assert 0.002 <= figures.hui_share <= 0.03
    assert 0.15 <= figures.elderly_share <= 0.35
    assert figures.migrants_in > 0
    # Births fall over the decade, as they did.
    assert figures.births_by_year[2017] > figures.births_by_year[2025]


def test_it_enters_most_events_within_days_and_some_late(huining):
    generate(huining, scale=0.02)
    local = timezone.get_default_timezone()
    delays = [
        (timezone.localtime(entered, local).date() - born).days
        for entered, born in Birth.objects.filter(born_on__gte=WINDOW_START).values_list(
            "entered_at", "born_on"
        )
    ]
    assert min(delays) >= 0
    assert sum(d <= 7 for d in delays) > len(delays) * 0.5
    assert sum(d > 40 for d in delays) > len(delays) * 0.02
    # The people loaded at the start of the register were entered before the window.
    first = Person.objects.filter(birth_date__lt=WINDOW_START).order_by("entered_at").first()
    assert timezone.localtime(first.entered_at, local).date() < WINDOW_START


def test_it_writes_one_audit_row_for_the_generation(huining):
    result = generate(huining, seed=5)
    entry = AuditEntry.objects.get(action="demo.county.generated")
    assert entry.org_unit_id == "620422"
    assert entry.detail["seed"] == 5
    assert entry.detail["today"] == "2026-06-30"
    assert entry.detail["people"] == result.people
    assert AuditEntry.objects.filter(action__startswith="registry.").count() == 0


def test_it_leaves_room_for_people_entered_afterwards(huining):
    generate(huining)
    admin = User.objects.create(username="admin", org_unit=huining, role=Role.COUNTY_ADMIN)
    person = person_create(
        actor=admin,
        data=PersonData(
            name="新来人",
            sex="F",
            birth_date=date(1990, 1, 1),
            unit_id="620422100001",
            registered_on=TODAY,
        ),
    )
    assert person.pk > Person.objects.exclude(pk=person.pk).order_by("-pk").first().pk


def test_it_refuses_a_scale_it_cannot_read():
    assert parse_scale("small") == 0.02
    assert parse_scale("0.5") == 0.5
    with pytest.raises(DomainError, match="人口规模"):
        parse_scale("huge")
    with pytest.raises(DomainError, match="人口规模"):
        parse_scale("0")


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--today", "2026-06-30", *args, stdout=out)
    return out.getvalue()


def test_the_demo_command_generates_once_and_skips_after(db):
    out = run_demo("--scale", "0.005", "--seed", "3")
    assert "人口：" in out and "种子 3" in out
    people = Person.objects.count()
    assert people > 2500
    out = run_demo("--scale", "0.005", "--seed", "3")
    assert "已有人口数据，跳过生成" in out
    assert Person.objects.count() == people
    assert AuditEntry.objects.filter(action="demo.county.generated").count() == 1


def test_the_demo_command_replaces_the_population_when_asked(db):
    run_demo("--scale", "0.005", "--seed", "3")
    ids = set(Person.objects.values_list("id_number", flat=True))
    run_demo("--scale", "0.005", "--seed", "3", "--replace")
    assert set(Person.objects.values_list("id_number", flat=True)) == ids
    assert AuditEntry.objects.filter(action="demo.county.generated").count() == 2


def test_the_demo_command_explains_a_bad_scale(db):
    with pytest.raises(CommandError, match="人口规模"):
        run_demo("--scale", "lots")


def sex_ratio(births) -> float:
    boys = births.filter(sex="M").count()
    return boys / (births.count() - boys) * 100


def test_it_records_every_child_a_mother_had_so_cohort_sex_ratios_are_real(huining):
    generate(huining, scale=0.05)
    # Daughters who married away and children who died are births too: the older
    # cohorts' sex ratio is no longer that of the children still at home.
    before, since = (
        Birth.objects.filter(born_on__lt=date(1995, 1, 1)),
        Birth.objects.filter(born_on__gte=date(1995, 1, 1)),
    )
    assert before.count() > 5000 and since.count() > 5000
    assert 103 <= sex_ratio(before) <= 125
    assert 103 <= sex_ratio(since) <= 125
    children = Person.objects.filter(birth__born_on__lt=WINDOW_START)
    # Some died (with a death record), some married out of the county (moved out, with
    # where to), as the registry keeps people who left its register.
    dead = children.filter(status="deceased", birth_date__lt=date(1995, 1, 1))
    assert dead.count() > 200
    assert not dead.filter(death__isnull=True).exists()
    gone = children.filter(status="moved_out")
    assert gone.filter(sex="F").count() > 200
    assert not gone.filter(residence_changes__isnull=True).exists()
    # A daughter married into another village of the county is one person: the wife
    # there, with her parents, and the move from their village to her husband's.
    wives = Marriage.objects.filter(wife__birth__isnull=False, married_on__lt=WINDOW_START)
    moved_in = wives.filter(wife__residence_changes__moved_on=F("married_on")).exclude(
        wife__residence_changes__from_unit_id=F("wife__unit_id")
    )
    assert moved_in.count() > 300
    for marriage in moved_in.select_related("wife", "wife__birth__mother")[:50]:
        wife, birth = marriage.wife, marriage.wife.birth
        change = ResidenceChange.objects.get(person=wife, moved_on=marriage.married_on)
        # From the village she was born in to her husband's (either may have moved
        # since: a divorce, a second marriage).
        assert change.from_unit_id == birth.unit_id != marriage.unit_id
        assert change.unit_id == marriage.unit_id
        assert wife.name.startswith(Person.objects.get(pk=birth.father_id).name[0])


def test_it_has_the_families_that_benefits_are_for(huining):
    generate(huining, scale=0.05)
    # Rural mothers aged 60 and over with one child or with two daughters (奖励扶助).
    mothers = defaultdict(list)
    for mother, sex in Birth.objects.filter(
        mother__hukou_type="rural",
        mother__status__in=("active", "away"),
        mother__birth_date__lte=date(1966, 6, 30),
    ).values_list("mother_id", "sex"):
        mothers[mother].append(sex)
    one_child = sum(1 for sexes in mothers.values() if len(sexes) == 1)
    two_daughters = sum(1 for sexes in mothers.values() if sexes == ["F", "F"])
    assert 0.02 <= one_child / len(mothers) <= 0.15
    assert 0.01 <= two_daughters / len(mothers) <= 0.10
    # Mothers of 49 and over whose only child died (特别扶助).
    lost = 0
    children = defaultdict(list)
    for mother, status in Birth.objects.filter(
        mother__status__in=("active", "away"), mother__birth_date__lte=date(1977, 6, 30)
    ).values_list("mother_id", "child__status"):
        children[mother].append(status)
    lost = sum(1 for statuses in children.values() if statuses == ["deceased"])
    assert 3 <= lost <= 0.02 * len(children)


def test_it_enters_every_generated_row_by_the_generator_account(huining):
    generate(huining)
    generator = User.objects.get(username="demo_generator")
    assert not generator.is_active and not generator.has_usable_password()
    assert generator.capabilities == frozenset()
    for model in (
        Person, Household, Marriage, Birth, Death, Migration, ResidenceChange, HouseholdChange
    ):  # fmt: skip
        rows = model.objects.all()
        assert rows.exists(), model
        assert not rows.exclude(entered_by=generator).exists(), model
    assert AuditEntry.objects.get(action="demo.county.generated").user_id == generator.pk
