"""The median of durations from a histogram of them (decision 0024), with no Django import.

A duration falls in the bucket of its value in minutes rounded half up to one decimal (what
the statistics show: `tenths` = round-half-up(µs / 6,000,000)); each bucket keeps how many
durations it holds and the shortest and longest of them in microseconds. That fixes the
shown median exactly:

- one middle value (an odd count), or two in the same bucket: their mean lies in the bucket,
  so it shows as the bucket's value;
- two middle values in different buckets: the lower is the longest of its bucket and the
  upper the shortest of the next non-empty one (ranks N/2 and N/2 + 1 end and start them),
  so both are known to the microsecond and their mean is taken as the database takes it
  (`MiddleMean`), so it rounds the same way as the median from the rows.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

US_PER_TENTH = 6_000_000  # a tenth of a minute


def tenths(microseconds: int) -> int:
    """The bucket of a duration: minutes rounded half up to one decimal, times ten."""
    return (microseconds + US_PER_TENTH // 2) // US_PER_TENTH


@dataclass(frozen=True)
class Bucket:
    tenths: int
    count: int
    shortest_us: int
    longest_us: int


def merge(buckets: Iterable[Bucket]) -> list[Bucket]:
    """Buckets of several sources (roll-up rows, rows counted directly) added up, in order."""
    found: dict[int, Bucket] = {}
    for b in buckets:
        if b.count <= 0:
            continue
        seen = found.get(b.tenths)
        if seen is not None:
            b = Bucket(
                b.tenths,
                seen.count + b.count,
                min(seen.shortest_us, b.shortest_us),
                max(seen.longest_us, b.longest_us),
            )
        found[b.tenths] = b
    return [found[key] for key in sorted(found)]


# The mean of the two middle durations (µs) in minutes, computed as the database's own
# median computes it, so a tie on a rounding boundary rounds the same way.
MiddleMean = Callable[[int, int], float]


def postgresql_mean(lower_us: int, upper_us: int) -> float:
    """percentile_cont(0.5) over EXTRACT(EPOCH …)::double precision / 60.0: lower +
    (upper − lower) × 0.5 in doubles."""
    lower = float(Decimal(lower_us).scaleb(-6)) / 60.0
    upper = float(Decimal(upper_us).scaleb(-6)) / 60.0
    return lower + (upper - lower) * 0.5


def sqlite_mean(lower_us: int, upper_us: int) -> float:
    """The window query's middle rows (µs / 60000000.0) averaged in Python."""
    return (lower_us / 60_000_000.0 + upper_us / 60_000_000.0) / 2


def median(buckets: Iterable[Bucket], mean: MiddleMean) -> Decimal | float | None:
    """The median in minutes, exact to what one decimal (half up) shows; None when empty."""
    ordered = merge(buckets)
    total = sum(b.count for b in ordered)
    if not total:
        return None
    lower_rank = (total + 1) // 2  # 1-based; the same rank twice for an odd count
    upper_rank = total // 2 + 1
    seen = 0
    lower = None
    for b in ordered:
        if lower is None and seen + b.count >= lower_rank:
            lower = b
        if seen + b.count >= upper_rank:
            if b is lower:
                return Decimal(b.tenths) / 10
            return mean(lower.longest_us, b.shortest_us)
        seen += b.count
    raise AssertionError("unreachable: the ranks lie within the total")
