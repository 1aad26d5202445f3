"""The synthetic county in memory: households as they stood ten years ago, then ten years
of marriages, births, deaths and moves, then who is away working and who came in.

Pure Python and deterministic: every draw comes from one random.Random(seed), people and
households are visited in creation order (lists, never sets), and "today" is a parameter.
Rates are steered top-down (so many births this year, chosen among the women who could
have them) so that the realised figures land near the targets at any scale.

One mixin per sub-domain (households, marriages, births, deaths, migrations) over the
shared state in base.py; this module runs them in order.
"""

from __future__ import annotations

import gc
from datetime import date

from famplan.common.idnumbers import make_id_number
from famplan.demo.simulation.base import Population, _lerp, add_years
from famplan.demo.simulation.births import BIRTH_RATE, BirthsMixin
from famplan.demo.simulation.codes import ACTIVE
from famplan.demo.simulation.deaths import DEATH_RATE, DeathsMixin
from famplan.demo.simulation.families import FamiliesMixin
from famplan.demo.simulation.households import HouseholdsMixin
from famplan.demo.simulation.marriages import DIVORCE_RATE, MARRIAGE_RATE, MarriagesMixin
from famplan.demo.simulation.migrations import MOVE_AWAY_RATE, MigrationsMixin

NO_ID_NEWBORN_DAYS = 90  # newborns this young often have no ID number yet


class Simulation(
    HouseholdsMixin, FamiliesMixin, MarriagesMixin, BirthsMixin, DeathsMixin, MigrationsMixin
):
    def run_years(self) -> None:
        today_end = self.today + 1
        bounds = []
        start = date.fromordinal(self.start)
        for i in range(10):
            lo = add_years(start, i).toordinal()
            hi = min(add_years(start, i + 1).toordinal(), today_end)
            bounds.append((lo, hi))
        for i, (lo, hi) in enumerate(bounds):
            # One pass over everyone a year; the steps below filter this list.
            living = [p for p in self.people if p.status == ACTIVE]
            n, made = len(living), len(self.people)
            self._marriages(living, lo, hi, _lerp(MARRIAGE_RATE, i, 10) * n / 1000)
            self._births(living, lo, hi, _lerp(BIRTH_RATE, i, 10) * n / 1000)
            self._divorces(living, lo, hi, _lerp(DIVORCE_RATE, i, 10) * n / 1000)
            self._moves_away(living, lo, hi, MOVE_AWAY_RATE * n / 1000)
            newborns = self.people[made:]
            self._deaths(living + newborns, lo, hi, _lerp(DEATH_RATE, i, 10) * n / 1000)

    def assign_id_numbers(self) -> None:
        rng = self.rng
        used: dict[tuple[str, int, str], set[int]] = {}
        for p in self.people:
            if self.today - p.born < NO_ID_NEWBORN_DAYS and rng.random() < 0.5:
                continue
            if p.born >= self.start and rng.random() < 0.01:
                continue  # a few children never got one: the quality lists show them
            key = (p.area, p.born, p.sex)
            seqs = used.setdefault(key, set())
            while True:
                seq = rng.randrange(500)
                if seq in seqs:
                    continue
                seqs.add(seq)
                candidate = make_id_number(p.area, date.fromordinal(p.born), seq, p.sex)
                if candidate not in self.taken_ids:
                    p.id_number = candidate
                    break

    def run(self) -> Population:
        # Half a million long-lived objects: the cyclic garbage collector would walk
        # them all again and again while nothing here needs collecting.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._run()
        finally:
            if collecting:
                gc.enable()

    def _run(self) -> Population:
        self._villages_by_code = {v.code: v for v in self.villages}
        for village in self.villages:
            village.clans = [self._pick(self._surnames, self._surname_cum) for _ in range(4)]
        self.seed_households()
        self.place_children_away()
        self.run_years()
        self.migrations_out()
        self.migrations_in()
        self.settle_households()
        self.number_births()
        self.assign_id_numbers()
        return Population(
            today=date.fromordinal(self.today),
            people=self.people,
            homes=self.homes,
            unions=self.unions,
            births=self.births,
            deaths=self.deaths,
            migrations=self.migrations,
            moves=self.moves,
            splits=self.splits,
        )
