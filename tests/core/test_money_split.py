"""Dividing a coaching team's award among its members (POLICY.md §5.2)."""

from hypothesis import given
from hypothesis import strategies as st

from compapp.core.money import split_by_percent


def test_split_follows_the_percentages():
    assert split_by_percent(36_000_000, [60, 40]) == [21_600_000, 14_400_000]


def test_leftover_fen_go_to_the_largest_remainders():
    """¥0.10 in thirds-ish: 33/33/34 of 10 fen is 3.3/3.3/3.4 → 3, 3, 4 (sums to 10)."""
    assert split_by_percent(10, [33, 33, 34]) == [3, 3, 4]
    assert split_by_percent(1, [50, 50]) == [1, 0]


@given(
    st.integers(min_value=0, max_value=10**12),
    st.lists(st.integers(0, 100), min_size=1, max_size=6),
)
def test_parts_always_add_up_to_the_total(total, weights):
    percents = weights[:-1] + [100 - sum(weights[:-1])] if sum(weights[:-1]) <= 100 else [100]
    parts = split_by_percent(total, percents)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)


def test_percentages_must_add_up_to_100():
    import pytest

    with pytest.raises(ValueError):
        split_by_percent(100, [50, 40])
