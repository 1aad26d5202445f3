"""The realised figures of a generated county, read back from the database: what the
benchmark prints and the tests hold against the targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q

from famplan.demo.simulation import add_years
from famplan.orgunits.jurisdiction import code_prefix_filter
from famplan.registry.models import (
    ON_REGISTER,
    Birth,
    Death,
    Direction,
    Household,
    HukouType,
    Marriage,
    MarriageEnd,
    MarriageKind,
    Migration,
    MigrationStatus,
    Person,
    PersonStatus,
)


@dataclass
class Figures:
    today: date
    people: int  # rows, the deceased and moved out included
    on_register: int
    households: int  # not dissolved
    household_size: float
    births: int  # in the ten years to today
    births_by_year: dict[int, int] = field(default_factory=dict)
    birth_rate: float = 0.0  # per thousand a year, over the ten years
    sex_ratio: float = 0.0  # boys per 100 girls
    second_share: float = 0.0
    third_plus_share: float = 0.0
    deaths: int = 0
    death_rate: float = 0.0
    away_share: float = 0.0  # of people on the register
    migrants_in: int = 0
    elderly_share: float = 0.0  # aged 60 and over, of people on the register
    children_share: float = 0.0  # aged under 15
    hui_share: float = 0.0
    births_all: int = 0  # every birth row, the children born before the ten years too
    sex_ratio_before_1995: float = 0.0  # over all birth rows of those years
    sex_ratio_since_1995: float = 0.0
    marriages: int = 0  # rows, ended ones included
    remarriages: int = 0
    divorces: int = 0  # marriages ended by divorce, ever
    divorce_rate: float = 0.0  # per thousand a year, over the ten years
    one_child_mothers: int = 0  # rural, 60 and over, on the register (奖励扶助)
    two_daughter_mothers: int = 0
    only_child_died: int = 0  # mothers of 49 and over, on the register (特别扶助)

    def lines(self) -> list[str]:
        years = ", ".join(f"{y}: {n}" for y, n in sorted(self.births_by_year.items()))
        return [
            f"today (reference date): {self.today}",
            f"people (rows): {self.people:,}; on the register: {self.on_register:,}",
            f"households: {self.households:,}; mean size {self.household_size:.2f}",
            f"births in ten years: {self.births:,} ({years})",
            f"crude birth rate: {self.birth_rate:.1f} per thousand a year",
            f"sex ratio at birth: {self.sex_ratio:.1f}",
            f"second births: {self.second_share:.1%}; third or later: {self.third_plus_share:.1%}",
            f"deaths in ten years: {self.deaths:,}; {self.death_rate:.1f} per thousand a year",
            f"away (migrants out, of the register): {self.away_share:.1%}",
            f"migrants in (active): {self.migrants_in:,}",
            f"aged 60+: {self.elderly_share:.1%}; under 15: {self.children_share:.1%}",
            f"Hui (回族): {self.hui_share:.2%}",
            f"birth rows, all years: {self.births_all:,}; sex ratio before 1995"
            f" {self.sex_ratio_before_1995:.1f}, since {self.sex_ratio_since_1995:.1f}",
            f"marriages (rows): {self.marriages:,}; remarriages {self.remarriages:,};"
            f" divorces {self.divorces:,} ({self.divorce_rate:.1f} per thousand a year"
            " in the ten years)",
            f"rural mothers 60+ with one child: {self.one_child_mothers:,};"
            f" with two daughters: {self.two_daughter_mothers:,}",
            f"mothers 49+ whose only child died: {self.only_child_died:,}",
        ]


def county_figures(county_code: str, today: date) -> Figures:
    unit = code_prefix_filter("unit_id", county_code)
    people = Person.objects.filter(**unit)
    start = add_years(today, -10)
    on_register = people.filter(status__in=ON_REGISTER)
    counts = on_register.aggregate(
        n=Count("id"),
        away=Count("id", filter=Q(status=PersonStatus.AWAY)),
        elderly=Count("id", filter=Q(birth_date__lte=add_years(today, -60))),
        children=Count("id", filter=Q(birth_date__gt=add_years(today, -15))),
        hui=Count("id", filter=Q(ethnicity="回族")),
        in_household=Count("id", filter=Q(household__isnull=False)),
    )
    n = counts["n"] or 1
    households = Household.objects.filter(**unit, dissolved_on__isnull=True).count()
    births = Birth.objects.filter(**unit, born_on__gt=start, born_on__lte=today)
    b = births.aggregate(
        n=Count("id"),
        boys=Count("id", filter=Q(sex="M")),
        second=Count("id", filter=Q(birth_order=2)),
        third=Count("id", filter=Q(birth_order__gte=3)),
    )
    by_year = {
        row["born_on__year"]: row["n"]
        for row in births.values("born_on__year").annotate(n=Count("id"))
    }
    deaths = Death.objects.filter(**unit, died_on__gt=start, died_on__lte=today).count()
    # Mean population over the ten years: the register today plus those who left it
    # during them, halved (a straight-line approximation, good to a few per cent).
    left = people.filter(left_on__gt=start).count()
    mean_population = max(1, n - (b["n"] - left) / 2)
    girls = b["n"] - b["boys"]
    all_births = Birth.objects.filter(**unit)
    cut = date(1995, 1, 1)
    older = all_births.aggregate(
        n=Count("id"),
        early=Count("id", filter=Q(born_on__lt=cut)),
        early_boys=Count("id", filter=Q(born_on__lt=cut, sex="M")),
        late_boys=Count("id", filter=Q(born_on__gte=cut, sex="M")),
    )
    early_girls = older["early"] - older["early_boys"]
    late_girls = older["n"] - older["early"] - older["late_boys"]
    marriages = Marriage.objects.filter(**unit)
    m = marriages.aggregate(
        n=Count("id"),
        re=Count("id", filter=Q(kind=MarriageKind.RE)),
        divorces=Count("id", filter=Q(end_cause=MarriageEnd.DIVORCE)),
        recent=Count("id", filter=Q(end_cause=MarriageEnd.DIVORCE, ended_on__gt=start)),
    )
    # Per mother: how many children, how many daughters, how many died (one grouped
    # query each, counted by the database).
    per_mother = (
        Birth.objects.filter(**code_prefix_filter("mother__unit_id", county_code))
        .filter(mother__status__in=ON_REGISTER)
        .values("mother_id")
        .annotate(
            n=Count("id"),
            girls=Count("id", filter=Q(sex="F")),
            dead=Count("id", filter=Q(child__status=PersonStatus.DECEASED)),
        )
    )
    elderly_rural = per_mother.filter(
        mother__hukou_type=HukouType.RURAL, mother__birth_date__lte=add_years(today, -60)
    )
    return Figures(
        today=today,
        people=people.count(),
        on_register=counts["n"],
        households=households,
        household_size=counts["in_household"] / households if households else 0.0,
        births=b["n"],
        births_by_year=by_year,
        birth_rate=b["n"] / 10 / mean_population * 1000,
        sex_ratio=b["boys"] / girls * 100 if girls else 0.0,
        second_share=b["second"] / b["n"] if b["n"] else 0.0,
        third_plus_share=b["third"] / b["n"] if b["n"] else 0.0,
        deaths=deaths,
        death_rate=deaths / 10 / mean_population * 1000,
        away_share=counts["away"] / n,
        migrants_in=Migration.objects.filter(
            **unit, direction=Direction.IN, status=MigrationStatus.ACTIVE
        ).count(),
        elderly_share=counts["elderly"] / n,
        children_share=counts["children"] / n,
        hui_share=counts["hui"] / n,
        births_all=older["n"],
        sex_ratio_before_1995=older["early_boys"] / early_girls * 100 if early_girls else 0.0,
        sex_ratio_since_1995=older["late_boys"] / late_girls * 100 if late_girls else 0.0,
        marriages=m["n"],
        remarriages=m["re"],
        divorces=m["divorces"],
        divorce_rate=m["recent"] / 10 / mean_population * 1000,
        one_child_mothers=elderly_rural.filter(n=1).count(),
        two_daughter_mothers=elderly_rural.filter(n=2, girls=2).count(),
        only_child_died=per_mother.filter(
            mother__birth_date__lte=add_years(today, -49), n=1, dead=1
        ).count(),
    )
