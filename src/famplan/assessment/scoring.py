"""How an indicator item earns its points, and how sample villages are drawn.

Pure functions (no database): the rule, the value and the target in, points and the
reason out, so that a bulletin can say why a township got what it got.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from famplan.assessment.models import Rule

ONE_PLACE = Decimal("0.1")


def sample_size(villages: int) -> int:
    """Sample villages per township, as the district plan says: 30 or more villages 4,
    20-29 villages 3, fewer 2 (never more than the township has)."""
    wanted = 4 if villages >= 30 else 3 if villages >= 20 else 2
    return min(wanted, villages)


def draw_sample(seed: int, township: str, villages: Sequence[str]) -> list[str]:
    """The township's sample villages: the same seed, township and villages always give
    the same draw. The villages are sorted by code first, so the order rows come from
    the database in does not matter; Python's Mersenne Twister seeded with the string
    "<seed>:<township code>" then picks with random.sample."""
    codes = sorted(villages)
    rng = random.Random(f"{seed}:{township}")
    return sorted(rng.sample(codes, sample_size(len(codes))))


@dataclass(frozen=True)
class Scored:
    points: Decimal
    reason: str


def _round(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _shortfall(value: float, direction: str, low: float | None, high: float | None) -> float:
    """How far the value misses its target (0 when met)."""
    gap = 0.0
    if direction in ("ge", "between") and low is not None and value < low:
        gap = low - value
    if direction in ("le", "between") and high is not None and value > high:
        gap = value - high
    return gap


def score_indicator(
    *,
    rule: str,
    points: Decimal,
    value: float | None,
    direction: str | None,
    low: float | None,
    high: float | None,
    step: float | None = None,
    step_points: Decimal | None = None,
    fmt: str = "{:.1f}",
) -> Scored:
    """Points earned by an indicator's value against its target under the item's rule;
    never below 0 nor above the item's points."""
    if direction is None:
        return Scored(Decimal(0), "未设定目标值，不得分")
    if value is None or math.isnan(value):
        return Scored(Decimal(0), "无统计数据，不得分")
    shown = "∞" if math.isinf(value) else fmt.format(value)
    gap = _shortfall(value, direction, low, high)
    if gap == 0:
        return Scored(points, f"实际值{shown}，达到目标，得满分")
    if rule == Rule.PROPORTIONAL:
        # Completion ratio: value/target for "at least", target/value for "at most".
        if value > (high or 0) and direction in ("le", "between") and high is not None:
            ratio = high / value if value > 0 else 0.0
        else:
            ratio = value / low if low else 0.0
        ratio = max(0.0, min(1.0, ratio))
        earned = _round(float(points) * ratio)
        return Scored(earned, f"实际值{shown}，未达目标，按完成比例{ratio:.1%}得分")
    if rule == Rule.STEP and step and step_points is not None:
        steps = math.ceil(round(gap / step, 9))
        deducted = step_points * steps
        earned = max(Decimal(0), points - deducted)
        taken = min(deducted, points)
        return Scored(
            _round(earned),
            f"实际值{shown}，差{gap:.1f}，每差{step:g}扣{step_points}分，扣{taken}分",
        )
    return Scored(Decimal(0), f"实际值{shown}，未达目标，不得分")
