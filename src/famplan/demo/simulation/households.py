"""Households as they stood the day before the ten years, and as they stand today."""

from __future__ import annotations

import random
from datetime import date

from famplan.demo.simulation.base import (
    YEAR,
    Home,
    Human,
    SimulationBase,
    Village,
    _adopt,
    _cumulative,
)
from famplan.demo.simulation.codes import (
    ACTIVE,
    BY_DIVORCE,
    CHILD,
    CHILD_IN_LAW,
    FEMALE,
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
# Years the wife is younger than her husband.
SPOUSE_GAPS = (-1, 0, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6)
# Before the window, when divorce was rarer: men in couples who had divorced before, and
# men on their own who are divorced.
REMARRIED_SHARE = 0.03
DIVORCED_SINGLE_SHARE = 0.15
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
        """One household as it stood the day before the window, with the people of its
        history (a spouse who died, children who died): returns how many of its people
        were on the register then."""
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
            # A man on his own: never married (光棍), sometimes with his widowed
            # mother, or divorced (his wife left the county).
            man = self._human(
                village=village, sex=MALE, born=man_born, surname=surname,
                ethnicity=ethnicity, home=home, hukou_type=hukou,
            )  # fmt: skip
            home.head = man
            if man_age < 55 and rng.random() < 0.3:
                self._widowed_mother(village, home, man)
            elif 30 <= man_age <= 60 and rng.random() < DIVORCED_SINGLE_SHARE:
                self._divorced_before(village, man)
            return self._on_register(first)

        man_dead, wife_dead = _widowhood(man_age, rng)
        man, son_home = self._family(
            village, home, man_born, surname, ethnicity, hukou, man_dead, wife_dead
        )
        if son_home is not None:
            self._son_family(son_home, village, home, ethnicity, hukou)
        # The father heads the household; after him the son who stayed, else the widow.
        wife = man.marriage.wife
        home.head = man if not man_dead else son_home or wife
        if not man_dead and man_age < 50 and rng.random() < 0.09:
            self._widowed_mother(village, home, man)  # she lives with them
        return self._on_register(first)

    def _on_register(self, first: int) -> int:
        return sum(1 for p in self.people[first:] if p.status == ACTIVE)

    def _widowed_mother(self, village: Village, home: Home, son: Human) -> None:
        """The son's widowed mother, living with him, and her late husband; the son
        takes his place among all the children she had."""
        rng = self.rng
        mother_born = son.born - int(rng.uniform(22, 32) * YEAR)
        if (self.t0 - mother_born) / YEAR >= 92:
            return
        father_born = mother_born - int(rng.choice(SPOUSE_GAPS) * YEAR)
        mother = self._human(
            village=village, sex=FEMALE, born=mother_born,
            surname=self._wife_surname(village, son.ethnicity), ethnicity=son.ethnicity,
            home=home, hukou_type=son.hukou_type,
        )  # fmt: skip
        father = self._human(
            village=village, sex=MALE, born=father_born, surname=son.surname,
            ethnicity=son.ethnicity, home=None, hukou_type=son.hukou_type,
        )  # fmt: skip
        married_on = self._married_on(father_born, mother_born)
        married_on = min(married_on, son.born - rng.randint(280, 900))
        self._marry(father, mother, married_on, self.loaded_at, seed=True)
        son.mother, son.father, son.free = mother, father, False
        _adopt(mother, son)
        _adopt(father, son)
        self._history(
            village=village, home=home, mother=mother, father=father, married_on=married_on,
            son_may_stay=False, anchor=son,
        )  # fmt: skip
        self._death_before(father, max(mother.last_birth, married_on + 365))

    def _death_before(self, p: Human, earliest: int) -> None:
        """A death before the window, after `earliest` (their youngest child's birth)."""
        latest = self.t0 - 30
        day = self.rng.randint(earliest, latest) if earliest < latest else latest
        self._record_death(p, day, self.loaded_at)

    def _divorced_before(self, village: Village, man: Human) -> int | None:
        """A first marriage of his that ended in divorce before the window, without
        children; she left the county. Returns the day of the divorce."""
        rng = self.rng
        married_on = man.born + int(rng.uniform(22, 27) * YEAR)
        ended = married_on + int(rng.uniform(1, 6) * YEAR)
        if ended >= self.t0 - 400:
            return None
        ex = self._human(
            village=village, sex=FEMALE, born=man.born + int(rng.choice(SPOUSE_GAPS) * YEAR),
            surname=self._wife_surname(village, man.ethnicity), ethnicity=man.ethnicity,
            home=None, hukou_type=man.hukou_type,
        )  # fmt: skip
        union = self._marry(man, ex, married_on, self.loaded_at, seed=True)
        self._end_union(union, ended, BY_DIVORCE, self.loaded_at)
        self._move_away(ex, ended + rng.randint(0, 90), self._place(), self.loaded_at)
        return ended

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
    ) -> tuple[Human, Human | None]:
        """A couple married before the window and their children born by then. A
        spouse who died before the window is on record (a death, not a household
        member): the survivor is widowed. Returns the man and the married son who
        stayed with them (if any)."""
        rng = self.rng
        wife_born = man_born + int(rng.choice(SPOUSE_GAPS) * YEAR)
        married_on = self._married_on(man_born, wife_born)
        man = self._human(
            village=village, sex=MALE, born=man_born, surname=surname, ethnicity=ethnicity,
            home=None if man_dead else home, hukou_type=hukou,
        )  # fmt: skip
        if not man_dead and (self.t0 - man_born) / YEAR >= 30 and rng.random() < REMARRIED_SHARE:
            divorced = self._divorced_before(village, man)
            if divorced is not None:
                married_on = min(max(married_on, divorced + rng.randint(180, 900)), self.t0 - 30)
        wife = self._human(
            village=village, sex=FEMALE, born=wife_born,
            surname=self._wife_surname(village, ethnicity), ethnicity=ethnicity,
            home=None if wife_dead else home, hukou_type=hukou,
        )  # fmt: skip
        self._marry(man, wife, married_on, self.loaded_at, seed=True)
        # Either may be someone's child in the county (families.py).
        man.free, wife.free = not man_dead, not wife_dead
        son_home = self._history(
            village=village, home=home, mother=wife, father=man, married_on=married_on,
            son_may_stay=True,
        )  # fmt: skip
        if man_dead or wife_dead:
            self._death_before(man if man_dead else wife, max(wife.last_birth, married_on + 365))
        return man, son_home

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
        wife.free = True
        self._marry(son, wife, married_on, self.loaded_at, seed=True)
        self._history(
            village=village, home=home, mother=wife, father=son, married_on=married_on,
            son_may_stay=False,
        )  # fmt: skip

    def settle_households(self) -> None:
        """Heads and relations as they stand today: a head who died or left is
        followed by the spouse, else the eldest adult man, else the eldest member."""
        for home in self.homes:
            head = home.head
            present = [m for m in home.members if m.status in ON_REGISTER]
            if head is None or head.status not in ON_REGISTER or head.home is not home:
                # The widow or widower follows the head who died.
                spouse = _partner(head) if head is not None else None
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


def _partner(p: Human) -> Human | None:
    union = p.marriage
    if union is None:
        return None
    return union.wife if union.husband is p else union.husband


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
