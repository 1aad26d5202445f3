"""Marriages in the ten years (the bride moves to the groom's household)."""

from __future__ import annotations

import math

from famplan.demo.simulation.base import YEAR, Human, SimulationBase
from famplan.demo.simulation.codes import ACTIVE, FEMALE, MALE, UNMARRIED

MARRIAGE_RATE = (6.5, 4.0)  # per thousand


class MarriagesMixin(SimulationBase):
    def _marriages(self, living: list[Human], lo: int, hi: int, expected: float) -> None:
        rng = self.rng
        men, women_by_township, women = [], {}, []
        for p in living:
            if p.marital != UNMARRIED or p.home is None:
                continue
            age = p.age(lo)
            if p.sex == MALE and 21.5 <= age <= 45:
                men.append((p, math.exp(-(((age - 27) / 4.5) ** 2)) + 0.03))
            elif p.sex == FEMALE and 19.5 <= age <= 38:
                women_by_township.setdefault(p.unit[:9], []).append(p)
                women.append(p)
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
            pool = women_by_township.get(groom.unit[:9], []) if rng.random() < 0.85 else women
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
            if cand.pk in taken or cand.status != ACTIVE or cand.marital != UNMARRIED:
                continue
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
            self.moves.append((bride, groom.unit, bride.unit, day, "", self._entered(day)))
            bride.unit = bride.hukou_unit = groom.unit
            bride.settled = day
        if groom.home is not None and groom.home.head is not groom and rng.random() < 0.3:
            # The new couple sets up a household of their own (分户).
            village = self._village(groom.unit)
            old = groom.home
            new = self._home(village, groom, entered)
            old.members.remove(groom)
            new.members.append(groom)
            groom.home = new
            groom.settled = day
            self.splits.append((old, new, [groom.pk], day, village.code, entered))
        if bride.home is not None:
            bride.home.members.remove(bride)
        bride.home = groom.home
        groom.home.members.append(bride)
        self._marry(groom, bride, day, entered)
