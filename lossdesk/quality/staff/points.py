"""The arithmetic of quality points, pure Python: a person's running points in a period are
the sum of their final entries' points; a threshold is crossed once the total reaches it."""

from collections.abc import Iterable
from dataclasses import dataclass

# 优秀 only with no point in the half-year (criteria of the conduct evaluation; the domain
# sources give none, docs/quality.md).
EXCELLENT_MAX_POINTS = 0


@dataclass(frozen=True)
class Threshold:
    key: object
    points: int


def running_points(final_points: Iterable[int]) -> int:
    return sum(final_points)


def crossed(total: int, thresholds: Iterable[Threshold]) -> list[Threshold]:
    """The thresholds that `total` reaches (≥), lowest first."""
    return sorted((t for t in thresholds if total >= t.points), key=lambda t: t.points)


def allowed_results(total: int, failing_points: int | None) -> set[str]:
    """The conduct results a supervisor may give with `total` points: 优秀 only with none;
    once the person's threshold (`failing_points`, e.g. 15) is reached, only 不合格."""
    if failing_points is not None and total >= failing_points:
        return {"unqualified"}
    results = {"qualified", "basic", "unqualified"}
    if total <= EXCELLENT_MAX_POINTS:
        results.add("excellent")
    return results
