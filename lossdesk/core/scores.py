"""Each person's KPI score for a month (考核得分, 0–100), for what scales by it below the
statistics: billing's commission multipliers (a rule's `score_multipliers`).

The statistics app computes the scores (its KPIs against the dated targets); core imports no
app, so that app registers a source from its `ready()` (`register_person_scores`), as
quality registers its calendar corrections (`core.calendar`)."""

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal

# Each source answers {staff id: score} for one branch's people in one month.
_sources: list[Callable[[int, date], Mapping[int, Decimal]]] = []


def register_person_scores(source: Callable[[int, date], Mapping[int, Decimal]]) -> None:
    if source not in _sources:
        _sources.append(source)


def person_scores(branch_id: int, month: date) -> dict[int, Decimal]:
    """The scores of the people with figures in the branch's month; none without a source
    or where no target is in force."""
    scores: dict[int, Decimal] = {}
    for source in _sources:
        scores.update(source(branch_id, month))
    return scores
