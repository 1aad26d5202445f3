"""95% confidence intervals, and judging a unit against its target only where they can tell.

- Proportions (shares, rates in per cent): the Wilson score interval.
- Rates per thousand (births, deaths over the mean population): Wilson on the
  proportion events / mean population. For events this rare it agrees with the
  Poisson score interval, needs no special functions, and behaves at zero events.
- Natural growth (births minus deaths over the mean population): Newcombe's hybrid
  score interval for a difference of two proportions (his method 10), built from the
  two Wilson intervals above.
- Sex ratio at birth (boys per 100 girls): Wilson on the share of boys p, carried over
  to the ratio 100 p / (1 - p) (monotone, so the interval maps end to end).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


def wilson(x: float, n: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of the proportion x / n (n > 0)."""
    p = x / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(max(p * (1 - p) / n + z2 / (4 * n * n), 0.0)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_difference(x1: float, x2: float, n: float) -> tuple[float, float]:
    """Newcombe's interval for x1/n - x2/n from the two Wilson intervals."""
    p1, p2 = x1 / n, x2 / n
    l1, u1 = wilson(x1, n)
    l2, u2 = wilson(x2, n)
    d = p1 - p2
    return (
        d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


def ratio_from_share(p: float) -> float:
    return math.inf if p >= 1 else 100 * p / (1 - p)


@dataclass(frozen=True)
class Estimate:
    """An indicator's value with its 95% interval, and the counts behind it."""

    value: float | None  # None: no denominator (nothing to compute)
    low: float | None
    high: float | None
    numerator: float
    denominator: float

    @property
    def known(self) -> bool:
        return self.value is not None


NO_DATA = Estimate(None, None, None, 0, 0)


class Verdict:
    MET = "met"
    MISSED = "missed"
    UNCLEAR = "unclear"
    NO_DATA = "no_data"
    NO_TARGET = "no_target"


VERDICT_LABELS = {
    Verdict.MET: "达标",
    Verdict.MISSED: "未达标",
    Verdict.UNCLEAR: "数据太少，无法判断",
    Verdict.NO_DATA: "无数据",
    Verdict.NO_TARGET: "",
}


def judge(estimate: Estimate, direction: str | None, low: float | None, high: float | None) -> str:
    """Met only when the whole interval meets the target, missed only when the whole
    interval misses it (the interval excludes the target); otherwise the data cannot
    tell, however the point estimate falls: a village of 40 births whose ratio reads
    120 may well be a 105 village."""
    if direction is None:
        return Verdict.NO_TARGET
    if not estimate.known or estimate.low is None or estimate.high is None:
        return Verdict.NO_DATA
    lo, hi = estimate.low, estimate.high
    if direction == "le":
        return Verdict.MET if hi <= high else Verdict.MISSED if lo > high else Verdict.UNCLEAR
    if direction == "ge":
        return Verdict.MET if lo >= low else Verdict.MISSED if hi < low else Verdict.UNCLEAR
    if lo >= low and hi <= high:
        return Verdict.MET
    if hi < low or lo > high:
        return Verdict.MISSED
    return Verdict.UNCLEAR
