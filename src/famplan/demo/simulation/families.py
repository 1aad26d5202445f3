"""The children who married and live away from their parents, placed once every
household of the county is made.

A married son who left is most often a man heading his own household in the same
village; a married daughter, a wife in another village of the township. Where such a
person is in the county (same ethnicity, born within a few months of when the parents'
history has the child), it is that one person: one row, with the parents and a birth
row, and for a daughter the move to her husband's village at the marriage. Where no one
fits, the child married out of the county: a person whose hukou left it (迁出).
"""

from __future__ import annotations

import bisect

from famplan.demo import names
from famplan.demo.simulation.base import YEAR, Human, SimulationBase, _adopt
from famplan.demo.simulation.births import Away
from famplan.demo.simulation.codes import ACTIVE, FEMALE, FIRST_MARRIED, MALE
from famplan.demo.simulation.households import _partner

MATCH_DAYS = 120  # how far a person's birth may be from the one the history drew
SAME_VILLAGE_BRIDE = 0.3  # a daughter married within her own village, where that is all


class FamiliesMixin(SimulationBase):
    def place_children_away(self) -> None:
        # Sons by village (a son stays near his parents), else by township (keys
        # "M:<township>"); daughters by township.
        groups: dict[str, list[Human]] = {}
        for p in self.people:
            if p.free and p.status == ACTIVE and p.mother is None:
                if p.sex == MALE:
                    groups.setdefault(p.unit, []).append(p)
                    groups.setdefault("M:" + p.unit[:9], []).append(p)
                else:
                    groups.setdefault(p.unit[:9], []).append(p)
        pools = {}
        for key, pool in groups.items():
            pool.sort(key=lambda p: (p.born, p.pk))
            pools[key] = (pool, [p.born for p in pool])
        # Sons first: a son found takes his father's surname, and with it his own
        # children, so his daughters are placed with the name they will keep.
        for away in self.away:
            if away.sex == MALE:
                pool = pools.get(away.village.code)
                if pool is None or not self._place_child(away, pool, last_try=False):
                    self._place_child(away, pools.get("M:" + away.village.township))
        for away in self.away:
            if away.sex == FEMALE:
                self._place_child(away, pools.get(away.village.township))
        self.away = []

    def _place_child(
        self, away: Away, pool: tuple[list[Human], list[int]] | None, *, last_try: bool = True
    ) -> bool:
        found = self._find(away, pool) if pool is not None else None
        if found is None:
            if last_try:
                self._married_out(away)
            return False
        found.free = False
        found.mother, found.father = away.mother, away.father
        _adopt(away.mother, found)
        _adopt(away.father, found)
        if away.sex == MALE:
            _rename(found, found.surname, away.father.surname)
        else:
            # Her own children bear their father's surname: only hers changes.
            found.name = away.father.surname + found.name[len(found.surname) :]
            found.surname = away.father.surname
        union = found.marriage  # the (latest) marriage, which brought them here
        if found.unit != away.village.code and union is not None:
            # They came to this village when they married: the register keeps the
            # move (a residence change between two of its villages).
            self.moves.append(
                (found, found.unit, away.village.code, union.married_on, "", self.loaded_at)
            )
        self._older_birth(found, away.mother, away.father)
        return True

    def _find(self, away: Away, pool: tuple[list[Human], list[int]]) -> Human | None:
        people, born = pool
        lo = bisect.bisect_left(born, away.day - MATCH_DAYS)
        hi = bisect.bisect_right(born, away.day + MATCH_DAYS)
        fits, near = [], []
        for p in people[lo:hi]:
            if not p.free or p.ethnicity != away.ethnicity:
                continue
            partner = _partner(p)
            if partner is not None and (
                partner.mother is away.mother or partner.father is away.father
            ):
                continue  # married to a brother or sister
            if away.sex == FEMALE and p.unit == away.village.code:
                near.append(p)
            else:
                fits.append(p)
        if not fits and near and self.rng.random() < SAME_VILLAGE_BRIDE:
            fits = near
        return self.rng.choice(fits) if fits else None

    def _married_out(self, away: Away) -> None:
        """A child who married out of the county (daughters mostly to the neighbouring
        counties) or whose hukou went with work: a person no longer on the register."""
        rng = self.rng
        child = self._human(
            village=away.village, sex=away.sex, born=away.day, surname=away.father.surname,
            ethnicity=away.ethnicity, home=None, hukou_type=away.hukou, mother=away.mother,
            father=away.father, marital=FIRST_MARRIED,
        )  # fmt: skip
        self._older_birth(child, away.mother, away.father)
        if away.sex == FEMALE:
            age = max(19.5, rng.gauss(22.5, 2.0))
            place = rng.choice(names.ORIGINS)[1] if rng.random() < 0.65 else self._place()
        else:
            age = rng.uniform(19, 28)
            place = self._place()
        left = min(away.day + int(age * YEAR), self.t0 - rng.randint(1, 200))
        self._move_away(child, max(left, away.day), place, self.loaded_at)


def _rename(p: Human, old: str, new: str) -> None:
    """A man found as someone's son takes his father's surname, and so do his
    children and his sons' children (given names stay)."""
    if old == new or p.surname != old:
        return
    p.surname = new
    p.name = new + p.name[len(old) :]
    for kid in p.kids or ():
        if kid.father is p:
            _rename(kid, old, new)
