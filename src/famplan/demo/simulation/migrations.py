"""Moves: hukou moved out of the county, who is away working today, who came in."""

from __future__ import annotations

import math

from famplan.demo import names
from famplan.demo.simulation.base import YEAR, Human, SimulationBase, _cumulative
from famplan.demo.simulation.codes import (
    ACTIVE,
    AWAY,
    FEMALE,
    IN,
    MALE,
    MOVED_OUT,
    ON_REGISTER,
    OPEN,
    OUT,
    RETURNED,
    RURAL,
    UNMARRIED,
)

MOVE_AWAY_RATE = 1.5  # per thousand a year: hukou moved out of the county (迁出)
AWAY_SHARE = 0.15  # of people on the register, working or living elsewhere (流出)
RETURNED_SHARE = 0.05  # people back home after a spell away
IN_MIGRANT_SHARE = 0.004  # people from elsewhere living in the county (流入)


class MigrationsMixin(SimulationBase):
    def _moves_away(self, living: list[Human], lo: int, hi: int, expected: float) -> None:
        candidates = []
        for p in living:
            if p.status != ACTIVE or p.marital != UNMARRIED:
                continue
            age = p.age(lo)
            if 18 <= age <= 35:
                candidates.append((p, math.exp(-(((age - 21) / 5.0) ** 2))))
        wanted = self._how_many(expected)
        done = 0
        for p in self._weighted_order(candidates):
            if done >= wanted:
                break
            first = max(lo, p.last_event + 1)
            if first >= hi:
                continue
            day = self.rng.randint(first, hi - 1)
            place = self._pick(self._places, self._places_cum)
            self._move_away(p, day, place, self._entered(day))
            done += 1

    # ------------------------------------------------------------------ today

    def migrations_out(self) -> None:
        """Who is away working today (流出, status away), and who came back."""
        rng = self.rng
        weights = []
        for p in self.people:
            if p.status != ACTIVE or p.home is None:
                continue
            weights.append((p, _away_weight(p.age(self.today))))
        total = sum(w for _, w in weights)
        factor = AWAY_SHARE * len(weights) / total if total else 0
        earliest = self.start - int(3 * YEAR)
        for p, w in weights:
            first = max(earliest, p.settled, p.registered, p.born + int(16 * YEAR))
            if first >= self.today:
                first = max(p.settled, p.registered, p.born + 1)
            if first >= self.today:
                continue
            r = rng.random()
            if r < min(0.95, w * factor):
                day = rng.randint(first, self.today)
                self._migration_out(p, day, None)
            elif r < min(0.95, w * factor) + RETURNED_SHARE * (1 if w > 0.1 else 0.2):
                if self.today - first < 120:
                    continue
                day = rng.randint(first, self.today - 90)
                back = rng.randint(day + 60, self.today) if day + 60 <= self.today else None
                if back is not None:
                    self._migration_out(p, day, back)

    def _migration_out(self, p: Human, day: int, back: int | None) -> None:
        rng = self.rng
        place = self._pick(self._places, self._places_cum)
        employer = ""
        if p.age(day) >= 18 and rng.random() < 0.5:
            employer = place[-3:-1] + rng.choice(names.TRADES) + "有限公司"
        phone = p.phone or (self._phone() if rng.random() < 0.6 else "")
        entered = self._entered(day)
        status = OPEN if back is None else RETURNED
        self.migrations.append((p, OUT, day, place, employer, phone, back, status, p.unit, entered))
        if back is None:
            p.status = AWAY
        self._touch(p, entered)

    def migrations_in(self) -> None:
        """A few people from elsewhere now living in the county (流入)."""
        rng = self.rng
        on_register = sum(1 for p in self.people if p.status in ON_REGISTER)
        count = round(IN_MIGRANT_SHARE * on_register)
        weights = [v.target * (3 if v.urban else 1) for v in self.villages]
        cum = _cumulative(weights)
        for _ in range(count):
            village = self.rng.choices(self.villages, cum_weights=cum, k=1)[0]
            area, origin = rng.choice(names.ORIGINS)
            hui = area == "640402" and rng.random() < 0.4
            day = rng.randint(self.start, self.today)
            born = day - int(rng.uniform(18, 50) * YEAR)
            sex = MALE if rng.random() < 0.6 else FEMALE
            entered = self._entered(day)
            p = self._human(
                village=village, sex=sex, born=born, surname=self._surname(village, hui),
                ethnicity="回族" if hui else "汉族", home=None, hukou_type=RURAL,
                entered=entered, marital=UNMARRIED if (day - born) / YEAR < 28 else "",
            )  # fmt: skip
            p.hukou_unit, p.area, p.registered, p.settled = None, area, day, day
            employer = rng.choice(names.TRADES) + "有限公司" if rng.random() < 0.5 else ""
            back = None
            if rng.random() < 0.25 and day + 30 <= self.today:
                back = rng.randint(day + 30, self.today)
                p.status, p.left = MOVED_OUT, back
            status = OPEN if back is None else RETURNED
            self.migrations.append(
                (p, IN, day, origin, employer, p.phone, back, status, village.code, entered)
            )


def _away_weight(age: float) -> float:
    """Relative chance of being away working today, by age."""
    if age < 3:
        return 0.02
    if age < 16:
        return 0.1
    if age < 18:
        return 0.2
    if age < 25:
        return 0.45
    if age < 35:
        return 0.5
    if age < 45:
        return 0.38
    if age < 55:
        return 0.2
    if age < 65:
        return 0.07
    return 0.01
