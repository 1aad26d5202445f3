"""Households as they stood the day before the ten years, and as they stand today."""

from __future__ import annotations

import itertools
import random
from datetime import date

from famplan.demo.simulation.base import YEAR, Home, Human, SimulationBase, Village, _cumulative
from famplan.demo.simulation.codes import (
    CHILD,
    CHILD_IN_LAW,
    FEMALE,
    FIRST_MARRIED,
    GRANDCHILD,
    HEAD,
    MALE,
    ON_REGISTER,
    OTHER,
    PARENT,
    RURAL,
    SIBLING,
    SPOUSE,
    URBAN,
    WIDOWED,
)

HUI_SHARE = 0.012  # households of the Hui (回族); Huining is about 99% Han
# Age of the senior man of a household ten years ago: (from, to, weight).
HEAD_AGES = (
    (24, 30, 6),
    (30, 35, 8),
    (35, 40, 9),
    (40, 45, 11),
    (45, 50, 12),
    (50, 55, 12),
    (55, 60, 10),
    (60, 65, 9),
    (65, 70, 8),
    (70, 75, 7),
    (75, 80, 5),
    (80, 85, 3),
    (85, 91, 1),
)
_HEAD_RANGES = [(a, b) for a, b, _ in HEAD_AGES]
_HEAD_CUM = _cumulative(w for _, _, w in HEAD_AGES)


class HouseholdsMixin(SimulationBase):
    # ------------------------------------------------------------------ ten years ago

    def seed_households(self) -> None:
        # A household overshoots its village's target by a few people; the next
        # village makes up for it, so that small scales keep their total too.
        surplus = 0
        for village in self.villages:
            goal, made = village.target - surplus, 0
            while made < goal:
                made += self._seed_household(village)
            surplus = made - goal

    def _seed_household(self, village: Village) -> int:
        rng = self.rng
        hui = rng.random() < HUI_SHARE
        ethnicity = "回族" if hui else "汉族"
        if village.urban:
            hukou = URBAN if rng.random() < 0.7 else RURAL
        else:
            hukou = RURAL if rng.random() < 0.97 else URBAN
        lo, hi = self._pick(_HEAD_RANGES, _HEAD_CUM)
        man_born = self.t0 - int(rng.uniform(lo, hi) * YEAR)
        surname = self._surname(village, hui)
        home = self._home(village, None, self.loaded_at)
        first = len(self.people)
        man_age = (self.t0 - man_born) / YEAR

        if 28 <= man_age <= 70 and rng.random() < 0.07:
            # An unmarried man on his own (光棍), sometimes with his widowed mother.
            man = self._human(
                village=village, sex=MALE, born=man_born, surname=surname,
                ethnicity=ethnicity, home=home, hukou_type=hukou,
            )  # fmt: skip
            home.head = man
            if man_age < 55 and rng.random() < 0.4:
                mother_born = man_born - int(rng.uniform(22, 32) * YEAR)
                self._human(
                    village=village, sex=FEMALE, born=mother_born,
                    surname=self._surname(village, hui), ethnicity=ethnicity, home=home,
                    hukou_type=hukou, marital=WIDOWED,
                )  # fmt: skip
            return len(self.people) - first

        man_dead, wife_dead = _widowhood(man_age, rng)
        man, wife, son_home = self._family(
            village, home, man_born, surname, ethnicity, hukou, man_dead, wife_dead
        )
        if son_home is not None:
            self._son_family(son_home, village, home, ethnicity, hukou)
        # The father heads the household; after him the son who stayed, else the widow.
        home.head = man or son_home or wife
        if man is not None and not man_dead and man_age < 50 and rng.random() < 0.12:
            # His widowed mother lives with them.
            grandma_born = man_born - int(rng.uniform(22, 32) * YEAR)
            if (self.t0 - grandma_born) / YEAR < 92:
                man.mother = self._human(
                    village=village, sex=FEMALE, born=grandma_born,
                    surname=self._surname(village, hui), ethnicity=ethnicity, home=home,
                    hukou_type=hukou, marital=WIDOWED,
                )  # fmt: skip
        return len(self.people) - first

    def _wife_surname(self, village: Village, ethnicity: str) -> str:
        if ethnicity == "回族":
            return self._pick(self._hui, self._hui_cum)
        return self._surname(village, False)

    def _family(
        self,
        village: Village,
        home: Home,
        man_born: int,
        surname: str,
        ethnicity: str,
        hukou: str,
        man_dead: bool,
        wife_dead: bool,
    ) -> tuple[Human | None, Human | None, Human | None]:
        """A couple married before the window and their children born by then. A dead
        spouse is not on the register: the survivor is widowed, the children keep the
        link to the living parent only. Returns the man, the wife and the married son
        who stayed with them (if any)."""
        rng = self.rng
        wife_born = man_born + int(rng.choice((-1, 0, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6)) * YEAR)
        married_on = self._married_on(man_born, wife_born)
        man = wife = None
        if not man_dead:
            man = self._human(
                village=village, sex=MALE, born=man_born, surname=surname,
                ethnicity=ethnicity, home=home, hukou_type=hukou,
                marital=WIDOWED if wife_dead else FIRST_MARRIED,
            )  # fmt: skip
        if not wife_dead:
            wife = self._human(
                village=village, sex=FEMALE, born=wife_born,
                surname=self._wife_surname(village, ethnicity), ethnicity=ethnicity,
                home=home, hukou_type=hukou, marital=WIDOWED if man_dead else FIRST_MARRIED,
            )  # fmt: skip
        if man is not None and wife is not None:
            self._marry(man, wife, married_on, self.loaded_at, seed=True)
        son_home = self._children(
            village, home, man, wife, wife_born, married_on, surname, ethnicity, hukou,
            son_may_stay=True,
        )  # fmt: skip
        return man, wife, son_home

    def _married_on(self, man_born: int, wife_born: int) -> int:
        rng = self.rng
        year = date.fromordinal(wife_born).year
        mean = 20.5 if year < 1960 else 21.5 if year < 1980 else 23.0
        wife_age = max(20.0, rng.gauss(mean, 1.8))
        day = max(wife_born + int(wife_age * YEAR), man_born + int(22 * YEAR))
        day += rng.randint(0, 180)
        return min(day, self.t0 - rng.randint(30, 400))

    def _son_family(
        self, son: Human, village: Village, home: Home, ethnicity: str, hukou: str
    ) -> None:
        """The married son who stayed with his parents: his wife and their children."""
        rng = self.rng
        wife_born = son.born + int(rng.choice((-1, 0, 1, 1, 2, 2, 3, 3, 4, 5)) * YEAR)
        married_on = self._married_on(son.born, wife_born)
        wife = self._human(
            village=village, sex=FEMALE, born=wife_born,
            surname=self._wife_surname(village, ethnicity), ethnicity=ethnicity, home=home,
            hukou_type=hukou,
        )  # fmt: skip
        self._marry(son, wife, married_on, self.loaded_at, seed=True)
        self._children(
            village, home, son, wife, wife_born, married_on, son.surname, ethnicity, hukou,
            son_may_stay=False,
        )  # fmt: skip

    def settle_households(self) -> None:
        """Heads and relations as they stand today: a head who died or left is
        followed by the spouse, else the eldest adult man, else the eldest member."""
        for home in self.homes:
            head = home.head
            present = [m for m in home.members if m.status in ON_REGISTER]
            if head is None or head.status not in ON_REGISTER or head.home is not home:
                spouse = head.spouse if head is not None else None
                if spouse is not None and spouse.status in ON_REGISTER and spouse.home is home:
                    head = spouse
                elif present:
                    adult = self.today - int(18 * YEAR)
                    head = min(present, key=lambda m: (m.born > adult, m.sex != MALE, m.born, m.pk))
                elif home.members:
                    home.dissolved = max(m.left or self.today for m in home.members)
                else:
                    home.dissolved = self.today
                home.head = head
            if head is None:
                continue
            for m in home.members:
                m.relation = _relation(m, head)


def _widowhood(age: float, rng: random.Random) -> tuple[bool, bool]:
    """Whether the husband / the wife of a couple of this age had died before."""
    p = 0.0 if age < 55 else 0.06 if age < 65 else 0.18 if age < 75 else 0.38 if age < 85 else 0.6
    man_dead = rng.random() < p
    wife_dead = not man_dead and rng.random() < p * 0.5
    return man_dead, wife_dead


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


def _relation(p: Human, head: Human) -> str:
    if p is head:
        return HEAD
    spouse = head.spouse
    if p is spouse:
        return SPOUSE
    elders = [x for x in (head, spouse) if x is not None]
    if any(x is p.mother or x is p.father for x in elders):
        return CHILD
    if p is head.mother or p is head.father:
        return PARENT
    if p.spouse is not None and (p.spouse is head.mother or p.spouse is head.father):
        return PARENT
    for parent in (p.mother, p.father):
        if parent is not None and any(x is parent.mother or x is parent.father for x in elders):
            return GRANDCHILD
    partner = p.spouse
    if partner is not None and any(x is partner.mother or x is partner.father for x in elders):
        return CHILD_IN_LAW
    if (p.mother is not None and p.mother is head.mother) or (
        p.father is not None and p.father is head.father
    ):
        return SIBLING
    return OTHER
