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
    )
