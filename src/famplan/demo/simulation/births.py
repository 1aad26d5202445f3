"""Births: the children born before the ten years, and those born in them."""

from __future__ import annotations

import math
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
from famplan.demo.simulation.households import _married_by

BIRTH_RATE = (11.0, 7.0)  # per thousand, first year -> last year (mean about 9)
ORDER_SHARES = (0.45, 0.40, 0.15)  # first, second, third or later births
# Boys per 100 girls by birth order (overall about 111, son preference at higher orders).
SEX_RATIO_BY_ORDER = (106.0, 113.0, 125.0)
# Share of births in hospital before the window, by year of birth (up to, share).
OLDER_HOSPITAL_SHARES = ((1980, 0.1), (1990, 0.25), (2000, 0.45), (2010, 0.75), (9999, 0.95))


class BirthsMixin(SimulationBase):
    def _children(
        self,
        village: Village,
        home: Home,
        man: Human | None,
        wife: Human | None,
        wife_born: int,
        married_on: int,
        surname: str,
        ethnicity: str,
        hukou: str,
        *,
        son_may_stay: bool,
    ) -> Human | None:
        """The couple's children born before the window. Those at home (minors and
        unmarried adults) are on the register here, with a birth row where the mother is
        known; married daughters and sons who left are elsewhere, but count in the
        orders of the younger ones (as 孩次 does). Returns the one married son who
        stayed, if any."""
        rng = self.rng
        year = date.fromordinal(wife_born).year
        if year < 1945:
            wanted = rng.choices((3, 4, 5, 6), weights=(20, 35, 30, 15))[0]
        elif year < 1960:
            wanted = rng.choices((2, 3, 4, 5), weights=(20, 40, 30, 10))[0]
        elif year < 1975:
            wanted = rng.choices((1, 2, 3, 4), weights=(15, 45, 30, 10))[0]
        else:
            wanted = rng.choices((1, 2, 3), weights=(35, 48, 17))[0]
        son_home = None
        day = married_on + rng.randint(280, 900)
        count = last = 0
        while count < wanted and day <= self.t0 and (day - wife_born) / YEAR < 42:
            count += 1
            last = day
            sex = MALE if rng.random() < 0.52 else FEMALE
            married = rng.random() < _married_by((self.t0 - day) / YEAR, sex)
            stays = not married or (
                son_may_stay and sex == MALE and son_home is None and rng.random() < 0.5
            )
            if stays:
                kid = self._human(
                    village=village, sex=sex, born=day, surname=surname, ethnicity=ethnicity,
                    home=home, hukou_type=hukou, mother=wife, father=man,
                )  # fmt: skip
                if married:
                    son_home = kid
                if wife is not None:
                    self._older_birth(kid, wife, man, count)
            day += rng.randint(500, 1800)
        if wife is not None:
            wife.children, wife.last_birth = count, last
        if man is not None:
            man.children = count
        return son_home

    def _older_birth(self, child: Human, mother: Human, father: Human | None, order: int) -> None:
        """The birth row of a child born before the window, as the old systems' data
        carries it: entered when the register was loaded, no weight, and born at home
        more often the longer ago it was."""
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
        mother.last_order = order
        self.births.append(
            (child, mother, father, child.born, child.sex, order, place, facility, None,
             mother.unit, self.loaded_at)
        )  # fmt: skip

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
                if mother.last_order != mother.children:
                    # Her youngest child left home and has no birth row: the register
                    # could not continue her orders. Rare (she is 40 or more): skip her.
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
        # Her order is 1 + her highest recorded order (see the check in _births), the
        # services' rule, so births recorded after the generation continue it.
        mother.last_birth, mother.last_order = day, mother.children
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
        self.births.append(
            (child, mother, father, day, sex, mother.children, place, facility, weight,
             mother.unit, entered)
        )  # fmt: skip
