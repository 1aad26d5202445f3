"""The scoring rules and the sample draw, without the database."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from famplan.assessment.models import Rule
from famplan.assessment.scoring import draw_sample, sample_size, score_indicator


def test_it_samples_by_the_number_of_villages():
    assert [sample_size(n) for n in (45, 30, 29, 20, 19, 3, 2, 1, 0)] == [4, 4, 3, 3, 2, 2, 2, 1, 0]


def test_it_draws_the_same_villages_from_the_same_seed_whatever_the_order():
    villages = [f"620422100{n:03d}" for n in range(200, 235)]
    first = draw_sample(42, "620422100", villages)
    assert len(first) == 4
    assert draw_sample(42, "620422100", list(reversed(villages))) == first
    assert set(first) <= set(villages)
    # Another seed or another township draws on its own.
    assert {tuple(draw_sample(s, "620422100", villages)) for s in range(10)} != {tuple(first)}


def test_it_gives_full_points_when_the_target_is_met():
    got = score_indicator(
        rule=Rule.ALL_OR_NOTHING, points=Decimal(10), value=96, direction="ge", low=95, high=None
    )
    assert got.points == 10
    assert "达到目标" in got.reason


def test_it_scores_an_at_most_target_in_proportion():
    got = score_indicator(
        rule=Rule.PROPORTIONAL, points=Decimal(10), value=110, direction="le", low=None, high=107
    )
    assert got.points == Decimal("9.7")
    assert "完成比例" in got.reason


def test_it_deducts_per_step_down_to_zero():
    step = {"rule": Rule.STEP, "points": Decimal(10), "direction": "ge", "low": 95, "high": None}
    assert score_indicator(value=93.5, step=1, step_points=Decimal(2), **step).points == 6
    assert score_indicator(value=10, step=1, step_points=Decimal(2), **step).points == 0


def test_it_gives_nothing_without_data():
    got = score_indicator(
        rule=Rule.PROPORTIONAL, points=Decimal(10), value=None, direction="ge", low=95, high=None
    )
    assert got.points == 0
    assert got.reason == "无统计数据，不得分"


@given(
    rule=st.sampled_from(Rule.values),
    points=st.decimals(min_value=Decimal("0.5"), max_value=Decimal(100), places=1),
    value=st.floats(min_value=0, max_value=1000, allow_nan=False),
    direction=st.sampled_from(["ge", "le", "between"]),
    low=st.floats(min_value=0, max_value=500),
    width=st.floats(min_value=0, max_value=500),
    step=st.floats(min_value=0.1, max_value=50),
    step_points=st.decimals(min_value=Decimal("0.1"), max_value=Decimal(20), places=1),
)
def test_it_never_scores_below_zero_or_above_the_points(
    rule, points, value, direction, low, width, step, step_points
):
    got = score_indicator(
        rule=rule,
        points=points,
        value=value,
        direction=direction,
        low=low,
        high=low + width,
        step=step,
        step_points=step_points,
    )
    assert 0 <= got.points <= points
    met = (
        (direction == "ge" and value >= low)
        or (direction == "le" and value <= low + width)
        or (direction == "between" and low <= value <= low + width)
    )
    assert (got.points == points) or not met


@given(st.text(max_size=12))
def test_a_typed_score_is_refused_in_chinese_or_kept_within_the_points(raw):
    from famplan.assessment.services import AssessmentError, parse_score

    try:
        got = parse_score(raw, Decimal(20), "宣传服务到户（半年考核）")
    except AssessmentError as refusal:
        assert refusal.message.startswith("宣传服务到户（半年考核）：")
    else:
        assert got is None or Decimal(0) <= got <= 20


@given(st.decimals(min_value=0, max_value=20, places=1))
def test_a_typed_score_within_the_points_is_kept(value):
    from famplan.assessment.services import parse_score

    assert parse_score(f" {value} ", Decimal(20), "x") == value
