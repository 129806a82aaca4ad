"""The median from a histogram of durations (reports.histogram, decision 0024) shows the
same value, to one decimal half up, as the median of the durations themselves computed the
way each database computes it."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from lossdesk.reports.histogram import (
    US_PER_TENTH,
    Bucket,
    median,
    postgresql_mean,
    sqlite_mean,
    tenths,
)
from lossdesk.reports.statistics import one_decimal

# Whole seconds around a few rounding boundaries (x.x5 minutes = 6k + 3 s), and any
# microsecond: ties, neighbours of a boundary and values far apart.
durations = st.one_of(
    st.integers(min_value=0, max_value=40).map(lambda s: (600 + s) * 1_000_000),
    st.integers(min_value=-2, max_value=2).map(lambda d: 741_000_000 + d),
    st.integers(min_value=0, max_value=5 * 24 * 3600 * 1_000_000),
)


def buckets_of(values: list[int]) -> list[Bucket]:
    found: dict[int, list[int]] = {}
    for us in values:
        found.setdefault(tenths(us), []).append(us)
    return [Bucket(t, len(vs), min(vs), max(vs)) for t, vs in found.items()]


def direct_median(values: list[int], mean) -> float:
    ordered = sorted(values)
    n = len(ordered)
    return mean(ordered[(n - 1) // 2], ordered[n // 2])


@given(
    values=st.lists(durations, min_size=1, max_size=60),
    parts=st.integers(min_value=1, max_value=4),
)
def test_the_histogram_median_shows_what_the_rows_median_shows(values, parts):
    # Split into several sources (roll-up rows of different days, rows counted directly)
    # whose buckets overlap.
    sources = [values[i::parts] for i in range(parts)]
    buckets = [b for source in sources for b in buckets_of(source)]
    for mean in (postgresql_mean, sqlite_mean):
        assert one_decimal(median(buckets, mean)) == one_decimal(direct_median(values, mean))


def test_buckets_round_half_up_to_a_tenth_of_a_minute():
    assert tenths(740_999_999) == 123  # 12.349… minutes
    assert tenths(741_000_000) == 124  # 12.35 → 12.4
    assert tenths(-1) == 0 and tenths(-3_000_001) == -1
    assert tenths(US_PER_TENTH * 7) == 7


def test_worked_examples():
    # 12:18 and 12:24 in different buckets (12.3, 12.4): their mean 12.35 rounds up.
    a, b = 738_000_000, 744_000_000
    for mean in (postgresql_mean, sqlite_mean):
        assert one_decimal(median(buckets_of([a, b]), mean)) == Decimal("12.4")
    # Two in one bucket: the bucket's value.
    assert median(buckets_of([738_000_000, 740_000_000]), sqlite_mean) == Decimal("12.3")
    # Three values: the middle one's bucket; none: no median.
    assert median(buckets_of([60_000_000, 300_000_000, 900_000_000]), sqlite_mean) == Decimal(5)
    assert median([], sqlite_mean) is None
