"""Whatever deliveries and issues are proposed, in whatever date order, the ones the
check accepts never take a point's stock below zero on any day (no database)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from famplan.supplies.models import Direction
from famplan.supplies.services import History, MovementEntry, check_movements

POINT = {
    "pk": 1, "unit_id": "620422100001", "name": "东关社区卫生室", "place_kind": "village_clinic",
    "opened_on": date(2020, 1, 1), "closed_on": None,
}  # fmt: skip
KIND = {"pk": 7, "name": "男用避孕套", "unit": "只", "active": True}

moves = st.lists(
    st.tuples(
        st.sampled_from([Direction.DELIVERY, Direction.ISSUE]),
        st.integers(0, 60),  # days after 2024-01-01
        st.integers(1, 50),
    ),
    max_size=40,
)


@settings(max_examples=200)
@given(moves)
def test_accepted_movements_never_take_the_stock_below_zero(proposed):
    start = date(2024, 1, 1)
    entries = [
        MovementEntry(POINT, KIND, direction, start + timedelta(days=offset), quantity)
        for direction, offset, quantity in proposed
    ]
    problems = check_movements(entries, History({}, set()))
    accepted = [e for e, found in zip(entries, problems, strict=True) if not found]
    by_day: dict[date, int] = {}
    for e in accepted:
        by_day[e.moved_on] = by_day.get(e.moved_on, 0) + e.signed
    balance = 0
    for day in sorted(by_day):
        balance += by_day[day]
        assert balance >= 0
    # Deliveries are never refused, and an issue is refused only for want of stock.
    for e, found in zip(entries, problems, strict=True):
        if found:
            assert e.direction == Direction.ISSUE and "库存不足" in found[0].message
