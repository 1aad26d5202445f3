"""Marriages, divorces and remarriages in the ten years.

The bride moves to the groom's household. A divorce leaves the children with the
household (most often the father's); the one who leaves goes back to their parents,
out of the county, or to a household of their own. The divorced and widowed may marry
again: the registry's rule makes that a remarriage (再婚) for the marriage and for
each spouse who was married before.
"""

from __future__ import annotations

import math
from datetime import datetime

from famplan.demo.simulation.base import YEAR, Home, Human, SimulationBase, Union
from famplan.demo.simulation.codes import (
    ACTIVE,
    BY_DIVORCE,
    DIVORCED,
    FEMALE,
    MALE,
    UNMARRIED,
    WAS_MARRIED,
)

MARRIAGE_RATE = (6.5, 4.0)  # per thousand, first marriages and remarriages
# Couples divorcing, per thousand people a year (the crude divorce rate): rural Gansu
# below the national 3 or so, rising over the decade.
DIVORCE_RATE = (2.0, 2.6)
# Share of divorces after which the one who leaves goes back to their parents (where
# they live in the county), or else leaves the county; the rest set up on their own.
TO_PARENTS, OUT_OF_COUNTY = 0.6, 0.4


class MarriagesMixin(SimulationBase):
    def _marriages(self, living: list[Human], lo: int, hi: int, expected: float) -> None:
        rng = self.rng
        men, women_by_township, women = [], {}, []
        again_by_township: dict[str, list[Human]] = {}  # divorced and widowed women
        for p in living:
            if p.home is None or p.status != ACTIVE:
                continue
            age = p.age(lo)
            if p.marital == UNMARRIED:
                if p.sex == MALE and 21.5 <= age <= 45:
                    men.append((p, math.exp(-(((age - 27) / 4.5) ** 2)) + 0.03))
                elif p.sex == FEMALE and 19.5 <= age <= 38:
                    women_by_township.setdefault(p.unit[:9], []).append(p)
                    women.append(p)
            elif p.marital in WAS_MARRIED:
                # The divorced marry again sooner than the widowed, and than the
                # never married of their age.
                if p.sex == MALE and 24 <= age <= 65:
                    k = 4.0 if p.marital == DIVORCED else 0.6
                    men.append((p, k * math.exp(-(((age - 36) / 10.0) ** 2))))
                elif p.sex == FEMALE and 22 <= age <= 55:
                    again_by_township.setdefault(p.unit[:9], []).append(p)
        wanted = self._how_many(expected)
        taken: set[int] = set()
        done = 0
        for groom in self._weighted_order(men):
            if done >= wanted:
                break
            first = max(lo, groom.last_event + 1, groom.born + int(22 * YEAR))
            if first >= hi:
                continue
            day = rng.randint(first, hi - 1)
            township = groom.unit[:9]
            if groom.marital != UNMARRIED and rng.random() < 0.7:
                pool = again_by_township.get(township, [])
            else:
                pool = women_by_township.get(township, []) if rng.random() < 0.85 else women
            bride = self._bride(groom, pool, taken, day)
            if bride is None:
                continue
            taken.add(bride.pk)
            self._wed(groom, bride, day)
            done += 1

    def _bride(self, groom: Human, pool: list[Human], taken: set[int], day: int) -> Human | None:
        if not pool:
            return None
        rng = self.rng
        want = groom.age(day) - rng.gauss(2.5, 2.0)
        best, best_gap = None, 99.0
        for _ in range(12):
            cand = pool[rng.randrange(len(pool))]
            if cand.pk in taken or cand.status != ACTIVE or cand.spouse is not None:
                continue
            if cand.marriage is not None and cand.marriage.husband is groom:
                continue  # not his former wife (复婚 is rare, and would restart the orders)
            age = cand.age(day)
            if age < 20 or cand.last_event >= day:
                continue
            if (cand.father is not None and cand.father is groom.father) or (
                cand.mother is not None and cand.mother is groom.mother
            ):
                continue
            gap = abs(age - want)
            if gap < best_gap:
                best, best_gap = cand, gap
        return best if best_gap < 8 else None

    def _wed(self, groom: Human, bride: Human, day: int) -> None:
        rng = self.rng
        entered = self._entered(day)
        if bride.unit != groom.unit:
            self._move_to(bride, self._village(groom.unit), day, self._entered(day))
        if groom.home is not None and groom.home.head is not groom and rng.random() < 0.3:
            self._split_off(groom, day, entered)  # the new couple's own household
        self._join(bride, groom.home)
        self._marry(groom, bride, day, entered)

    def _join(self, p: Human, home: Home) -> None:
        if p.home is not None:
            p.home.members.remove(p)
        p.home = home
        home.members.append(p)

    def _split_off(self, p: Human, day: int, entered: datetime) -> None:
        """分户: the person sets up a household of their own in their village."""
        village = self._village(p.unit)
        old = p.home
        new = self._home(village, p, entered)
        self._join(p, new)
        p.settled = max(p.settled, day)
        self.splits.append((old, new, [p.pk], day, village.code, entered))

    def _divorces(self, living: list[Human], lo: int, hi: int, expected: float) -> None:
        """So many couples divorce this year, most often some years into the marriage."""
        rng = self.rng
        couples = []
        for p in living:
            if p.sex != MALE or p.status != ACTIVE or p.spouse is None:
                continue
            union = p.marriage
            if union.wife.status != ACTIVE:
                continue
            years = (lo - union.married_on) / YEAR
            if years < 0.5:
                continue
            w = math.exp(-(((years - 7) / 7.0) ** 2)) + 0.05
            if union.wife.age(lo) > 55:
                w *= 0.2
            couples.append((p, w))
        wanted = self._how_many(expected)
        done = 0
        for husband in self._weighted_order(couples):
            if done >= wanted:
                break
            union = husband.marriage
            wife = union.wife
            if husband.spouse is not wife or wife.status != ACTIVE or husband.status != ACTIVE:
                continue
            first = max(lo, husband.last_event + 1, wife.last_event + 1, union.married_on + 180)
            if first >= hi:
                continue
            self._divorce(union, rng.randint(first, hi - 1))
            done += 1

    def _divorce(self, union: Union, day: int) -> None:
        rng = self.rng
        entered = self._entered(day)
        self._end_union(union, day, BY_DIVORCE, entered)
        husband, wife = union.husband, union.wife
        # The one who married in leaves; the children stay with the household.
        leaver = husband if wife.home is not None and wife.home.head is wife else wife
        parents = next(
            (
                parent.home
                for parent in (leaver.mother, leaver.father)
                if parent is not None and parent.status == ACTIVE and parent.home is not None
            ),
            None,
        )
        r = rng.random()
        if parents is not None and parents is not leaver.home and r < TO_PARENTS:
            if parents.unit != leaver.unit:
                self._move_to(leaver, self._village(parents.unit), day, entered)
            self._join(leaver, parents)
            leaver.settled = max(leaver.settled, day)
        elif leaver.home is None or rng.random() < OUT_OF_COUNTY:
            self._move_away(leaver, day, self._place(), entered)
        else:
            self._split_off(leaver, day, entered)
