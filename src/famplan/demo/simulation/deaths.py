"""Deaths in the ten years, steered to the target death rate by an age curve."""

from __future__ import annotations

import math

from famplan.demo.simulation.base import Human, SimulationBase
from famplan.demo.simulation.codes import ACTIVE

DEATH_RATE = (7.6, 8.4)  # per thousand, rising with ageing (mean about 8)


class DeathsMixin(SimulationBase):
    def _deaths(self, living: list[Human], lo: int, hi: int, expected: float) -> None:
        rng = self.rng
        weighted = []
        total = 0.0
        last_age = len(MORTALITY) - 1
        for p in living:
            if p.status != ACTIVE:
                continue
            age = (lo - p.born) // 365
            q = MORTALITY[0 if age < 0 else age if age < last_age else last_age]
            weighted.append((p, q))
            total += q
        if not total:
            return
        factor = expected / total
        for p, q in weighted:
            if rng.random() >= min(0.9, q * factor):
                continue
            first = max(lo, p.last_event + 1)
            if first >= hi:
                continue
            day = rng.randint(first, hi - 1)
            self._record_death(p, day, self._entered(day))


def _mortality(age: float) -> float:
    """Relative chance of dying within the year at this age (a Gompertz curve with an
    infant bump); scaled each year to the target death rate."""
    if age < 1:
        return 0.006
    if age < 5:
        return 0.0006
    if age < 15:
        return 0.0003
    if age < 40:
        return 0.0008
    return 0.0008 * math.exp(0.085 * (age - 40))


MORTALITY = tuple(_mortality(age + 0.5 if age else 0) for age in range(121))
