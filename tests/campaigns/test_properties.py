"""Property tests: the split of a target, and the count a person types."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from famplan.campaigns.counts import MAX_COUNT, parse_count
from famplan.campaigns.services import split_by_weight, split_even
from famplan.common.errors import DomainError

codes = st.lists(
    st.from_regex(r"62042210\d{4}", fullmatch=True), min_size=1, max_size=30, unique=True
)


@given(total=st.integers(0, 100_000), units=codes)
def test_an_even_split_adds_up_and_differs_by_at_most_one(total, units):
    shares = split_even(total, units)
    assert set(shares) == set(units)
    assert sum(shares.values()) == total
    assert max(shares.values()) - min(shares.values()) <= 1


@given(
    total=st.integers(0, 100_000),
    weights=st.dictionaries(
        st.from_regex(r"62042210\d{4}", fullmatch=True), st.integers(0, 50_000), min_size=1
    ),
)
def test_a_weighted_split_adds_up_and_stays_within_one_of_the_exact_share(total, weights):
    shares = split_by_weight(total, weights)
    assert sum(shares.values()) == total
    whole = sum(weights.values())
    for unit, share in shares.items():
        exact = total * weights[unit] / whole if whole else total / len(weights)
        assert share >= 0
        assert abs(share - exact) < 1


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@given(n=st.integers(0, MAX_COUNT), full_width=st.booleans(), pad=st.sampled_from(["", " ", "　"]))
def test_it_reads_any_count_as_typed(n, full_width, pad):
    text = f"{n:,}" if n % 2 else str(n)
    if full_width:
        text = text.translate(FULL_WIDTH)
    assert parse_count(f"{pad}{text}{pad}", label="完成数") == n


@given(n=st.integers(1, MAX_COUNT), full_width=st.booleans())
def test_it_refuses_a_negative_count_in_chinese(n, full_width):
    text = f"-{n}"
    if full_width:
        text = text.translate(FULL_WIDTH).replace("-", "－")
    with pytest.raises(DomainError, match="完成数不能为负数"):
        parse_count(text, label="完成数")


@given(st.text(max_size=20))
def test_any_text_is_a_count_or_a_chinese_refusal(text):
    try:
        value = parse_count(text, label="完成数")
    except DomainError as refusal:
        assert refusal.message.startswith(("请填写完成数", "完成数"))
    else:
        assert 0 <= value <= MAX_COUNT
