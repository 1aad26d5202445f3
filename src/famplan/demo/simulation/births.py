"""Births: every child a couple had before the ten years, and the births of the ten years.

Before the window each couple's whole fertility history is drawn, child by child: at
home, married and living elsewhere in the county (the same person, found in families.py),
gone from the county, or died. So cohort sex ratios, only children and two-daughter
families (纯女户) come out as they were, not as the children who happen to live at home.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import date

from famplan.demo import names
from famplan.demo.simulation.base import YEAR, Home, Human, SimulationBase, Village
from famplan.demo.simulation.codes import (
    ACTIVE,
    AT_HOME,
    DECEASED,
    ELSEWHERE,
    FEMALE,
    HOSPITAL,
    MALE,
    MARRIED,
    MOVED_OUT,
)

BIRTH_RATE = (11.0, 7.0)  # per thousand, first year -> last year (mean about 9)
ORDER_SHARES = (0.45, 0.40, 0.15)  # first, second, third or later births
# Boys per 100 girls by birth order (overall about 111, son preference at higher orders).
SEX_RATIO_BY_ORDER = (106.0, 113.0, 125.0)
# Share of births in hospital before the window, by year of birth (up to, share).
OLDER_HOSPITAL_SHARES = ((1980, 0.1), (1990, 0.25), (2000, 0.45), (2010, 0.75), (9999, 0.95))
# Boys per 100 girls before the window by year of birth (up to) and order 1, 2, 3+:
# near nature before the 1980s, then rising at higher orders (Gansu's 2000 census
# found about 119 overall). Set a little below the aim before 1995, the years of the
# households' heads: each widowed mother living with them is drawn with the son she
# lives with (a son for certain), which puts the recorded ratio about 4 points higher.
OLDER_SEX_RATIOS = (
    (1980, (103.0, 104.0, 104.0)),
    (1990, (104.0, 107.0, 112.0)),
    (1995, (105.0, 111.0, 118.0)),
    (2005, (107.0, 122.0, 135.0)),
    (9999, (107.0, 118.0, 128.0)),
)
# Chance of another child after the n-th (n = 1, 2, 3, 4+), with a living son / without,
# by the mother's year of birth (up to). From the 1980s the rural rule allowed a second
# child where the first was a daughter (一孩半): couples with a son mostly stopped at two,
# many with two daughters stopped too (the 纯女户 that reward assistance is for), and a few
# with one child stopped at one.
MORE_CHILDREN = (
    (1945, ((0.97, 0.99), (0.93, 0.97), (0.85, 0.92), (0.70, 0.85))),
    (1960, ((0.95, 0.98), (0.85, 0.93), (0.65, 0.80), (0.40, 0.60))),
    (1975, ((0.80, 0.96), (0.25, 0.55), (0.10, 0.40), (0.08, 0.20))),
    (1990, ((0.65, 0.92), (0.12, 0.45), (0.04, 0.25), (0.02, 0.10))),
    (9999, ((0.55, 0.80), (0.12, 0.30), (0.05, 0.10), (0.02, 0.05))),
)
# Children who died in infancy or childhood, by year of birth (up to), and the yearly
# chance of dying as a young adult (15 to 60) before the window.
CHILD_DEATHS = (
    (1960, 0.14),
    (1970, 0.09),
    (1980, 0.06),
    (1990, 0.04),
    (2000, 0.025),
    (9999, 0.015),
)
ADULT_DEATH_HAZARD = 0.0009


@dataclass(slots=True)
class Away:
    """A child married and living away from the parents, to be found in the county
    (families.py) or, if no one fits, made as a person whose hukou left it."""

    mother: Human
    father: Human
    day: int
    sex: str
    village: Village
    ethnicity: str
    hukou: str


def _sex_ratio(year: int, order: int) -> float:
    ratios = next(r for until, r in OLDER_SEX_RATIOS if year < until)
    return ratios[min(order, 3) - 1]


class BirthsMixin(SimulationBase):
    # ------------------------------------------------------------------ before the window

    def _history(
        self,
        *,
        village: Village,
        home: Home | None,
        mother: Human,
        father: Human,
        married_on: int,
        son_may_stay: bool,
        anchor: Human | None = None,
    ) -> Human | None:
        """Every child the couple had before the window, in date order. Those at home
        (minors and the unmarried) are members of `home`; one married son may stay too
        (returned, to be married by the caller: the household's next generation).
        `anchor` is a child made already (the son a widowed mother lives with): he takes
        his place among his brothers and sisters."""
        rng = self.rng
        more = next(c for until, c in MORE_CHILDREN if date.fromordinal(mother.born).year < until)
        last_day = min(self.t0, mother.born + int(43 * YEAR))
        if anchor is not None:
            days = [anchor.born]
            while days[0] - 1500 > married_on + 280 and rng.random() < 0.6:
                days.insert(0, days[0] - rng.randint(600, 1500))
        else:
            days = [married_on + rng.randint(280, 900)]
            if days[0] > last_day:
                return None
        # (sex, day of death or None) of each child, for the choice of another.
        outcomes: list[tuple[str, int | None]] = []
        son_home = None
        for day in days:
            if day == days[-1] and anchor is not None:
                self._older_birth(anchor, mother, father)
                outcomes.append((anchor.sex, None))
                continue
            sex, died, married_son = self._older_child(
                village, home, mother, father, day, len(outcomes) + 1, son_may_stay
            )
            outcomes.append((sex, died))
            if married_son is not None:
                son_home, son_may_stay = married_son, False
        day = days[-1]
        while True:
            # Another child? By the children living a year on (a baby who died was
            # often followed by another) and whether a son is among them.
            soon = day + 365
            living = [sex for sex, died in outcomes if died is None or died > soon]
            chances = more[min(max(len(living), 1), 4) - 1]
            if rng.random() >= chances[0 if MALE in living else 1]:
                break
            following = day + rng.randint(500, 1800)
            if following > last_day:
                break
            day = following
            sex, died, married_son = self._older_child(
                village, home, mother, father, day, len(outcomes) + 1, son_may_stay
            )
            outcomes.append((sex, died))
            if married_son is not None:
                son_home, son_may_stay = married_son, False
        mother.children = father.children = len(outcomes)
        mother.last_birth = max(mother.last_birth, day)
        return son_home

    def _older_child(
        self,
        village: Village,
        home: Home | None,
        mother: Human,
        father: Human,
        day: int,
        order: int,
        son_may_stay: bool,
    ) -> tuple[str, int | None, Human | None]:
        """One child born before the window: died since, at home, or married and
        living away (placed once every household is made: families.py). Returns the
        sex, the day of death and, for the married son who stays, the son."""
        rng = self.rng
        year = date.fromordinal(day).year
        ratio = _sex_ratio(year, order)
        sex = MALE if rng.random() < ratio / (ratio + 100) else FEMALE
        died = None
        if rng.random() < next(q for until, q in CHILD_DEATHS if year < until):
            u = rng.random()
            if u < 0.6:
                died = day + rng.randint(0, 364)
            elif u < 0.9:
                died = day + rng.randint(365, 5 * 365)
            else:
                died = day + rng.randint(5 * 365, 15 * 365)
        else:
            adult_years = min((self.t0 - day) / YEAR, 60.0) - 15
            if adult_years > 0 and rng.random() < ADULT_DEATH_HAZARD * adult_years:
                died = day + int(rng.uniform(15, 15 + adult_years) * YEAR)
        if died is not None and died < self.t0:
            # Not a household member: the households as the register knows them were
            # formed later. The birth and the death are on record all the same.
            child = self._kid(village, None, mother, father, day, sex)
            self._older_birth(child, mother, father)
            self._record_death(child, died, self.loaded_at)
            return sex, died, None
        married = rng.random() < _married_by((self.t0 - day) / YEAR, sex)
        stays = not married or (son_may_stay and sex == MALE and rng.random() < 0.5)
        if not stays:
            self.away.append(
                Away(mother, father, day, sex, village, father.ethnicity, mother.hukou_type)
            )
            return sex, None, None
        child = self._kid(village, home, mother, father, day, sex)
        self._older_birth(child, mother, father)
        return sex, None, child if married else None

    def _kid(
        self,
        village: Village,
        home: Home | None,
        mother: Human,
        father: Human,
        day: int,
        sex: str,
    ) -> Human:
        return self._human(
            village=village, sex=sex, born=day, surname=father.surname,
            ethnicity=father.ethnicity, home=home, hukou_type=mother.hukou_type,
            mother=mother, father=father,
        )  # fmt: skip

    def _older_birth(self, child: Human, mother: Human, father: Human | None) -> None:
        """The birth row of a child born before the window, as the old systems' data
        carries it: entered when the register was loaded, no weight, and born at home
        more often the longer ago it was. Its order is set once every birth is known
        (number_births)."""
        rng = self.older_rng
        year = date.fromordinal(child.born).year
        in_hospital = next(share for until, share in OLDER_HOSPITAL_SHARES if year < until)
        if rng.random() < in_hospital:
            place = HOSPITAL
            if rng.random() < 0.6:
                facility = self.township_names.get(mother.unit[:9], "乡镇") + "卫生院"
            else:
                facility = rng.choice(names.HOSPITALS)
        else:
            place, facility = AT_HOME, ""
        self.births.append(
            (child, mother, father, child.born, child.sex, 0, place, facility, None,
             mother.unit, self.loaded_at)
        )  # fmt: skip

    def number_births(self) -> None:
        """Birth orders as the registry counts them (couple_birth_order): 1, 2, ... per
        couple in date order, the mother's alone where the father is unknown."""
        by_couple: dict[tuple[int, int], list[int]] = {}
        for i, birth in enumerate(self.births):
            father = birth[2]
            key = (birth[1].pk, father.pk if father is not None else 0)
            by_couple.setdefault(key, []).append(i)
        births = self.births
        for indexes in by_couple.values():
            indexes.sort(key=lambda i: (births[i][3], births[i][0].pk))
            for order, i in enumerate(indexes, 1):
                if births[i][5] != order:
                    births[i] = (*births[i][:5], order, *births[i][6:])

    # ------------------------------------------------------------------ the ten years

    def _births(self, living: list[Human], lo: int, hi: int, expected: float) -> None:
        rng = self.rng
        pools: list[list[tuple[Human, float]]] = [[], [], []]
        for p in living:
            if p.sex != FEMALE or p.status != ACTIVE or p.marital not in MARRIED:
                continue
            husband = p.spouse
            if husband is None or husband.status == DECEASED or husband.status == MOVED_OUT:
                continue
            age = p.age(lo)
            if not 19 <= age <= 46:
                continue
            order = min(p.children, 2)
            if order == 0:
                w = math.exp(-(((age - 25) / 4.5) ** 2))
            else:
                peak = 30 if order == 1 else 32
                w = math.exp(-(((age - peak) / 5.0) ** 2))
                since = (lo - p.last_birth) / YEAR
                w *= 0.15 if since < 1.5 else 0.5 if since < 2 else 1.0 if since < 7 else 0.4
            pools[order].append((p, w))
        total = self._how_many(expected)
        for order in range(3):
            wanted = round(total * ORDER_SHARES[order])
            done = 0
            for mother in self._weighted_order(pools[order]):
                if done >= wanted:
                    break
                first = max(lo, mother.last_event + 1, mother.last_birth + 300)
                if mother.children == 0 and mother.marriage is not None:
                    first = max(first, mother.marriage.married_on + 200)
                if first >= hi or (first - mother.born) / YEAR > 49:
                    continue
                self._birth(mother, rng.randint(first, hi - 1), order)
                done += 1

    def _birth(self, mother: Human, day: int, order_class: int) -> None:
        rng = self.rng
        father = mother.spouse
        ratio = SEX_RATIO_BY_ORDER[order_class]
        sex = MALE if rng.random() < ratio / (ratio + 100) else FEMALE
        village = self._village(mother.unit)
        entered = self._entered(day)
        surname = father.surname
        child = self._human(
            village=village, sex=sex, born=day, surname=surname, ethnicity=father.ethnicity,
            home=mother.home, hukou_type=mother.hukou_type, mother=mother, father=father,
            entered=entered,
        )  # fmt: skip
        mother.children += 1
        father.children += 1
        mother.last_birth = day
        for parent in (mother, father):
            parent.last_event = max(parent.last_event, day)
        r = rng.random()
        if r < 0.97:
            place = HOSPITAL
            s = rng.random()
            if s < 0.6:
                facility = rng.choice(names.HOSPITALS)
            elif s < 0.85:
                facility = self.township_names.get(mother.unit[:9], "乡镇") + "卫生院"
            else:
                facility = rng.choice(names.OTHER_HOSPITALS)
        else:
            place, facility = (AT_HOME, "") if r < 0.99 else (ELSEWHERE, "")
        weight = min(4800, max(1500, int(rng.gauss(3250, 430))))
        # The order is the couple's (number_births), which mother.children counts.
        self.births.append(
            (child, mother, father, day, sex, mother.children, place, facility, weight,
             mother.unit, entered)
        )  # fmt: skip


def _married_by(age: float, sex: str) -> float:
    """Share of people of this age already married (and so gone from the parents'
    household, for daughters)."""
    if sex == FEMALE:
        points = ((19, 0.0), (21, 0.2), (23, 0.5), (25, 0.75), (28, 0.9), (32, 0.96))
    else:
        points = ((21, 0.0), (23, 0.15), (25, 0.4), (28, 0.65), (32, 0.82), (40, 0.9))
    if age <= points[0][0]:
        return 0.0
    for (a0, v0), (a1, v1) in itertools.pairwise(points):
        if age <= a1:
            return v0 + (v1 - v0) * (age - a0) / (a1 - a0)
    return points[-1][1]
