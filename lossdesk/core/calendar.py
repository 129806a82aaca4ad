"""The firm's working-day calendar (decision 0019): the mainland's published holidays and
make-up working days (the `chinese-calendar` package) under the administrator's corrections.

The corrections are a table of the app that keeps them (quality's 节假日调整, `CalendarDay`);
core imports no app, so that app registers a source from its `ready()`
(`register_corrections`), as the audit app fills `masking.on_reveal`. The arithmetic over the
calendar is pure (`lossdesk.rules.working_time`, `lossdesk.rules.off_hours`)."""

from collections.abc import Callable, Mapping
from datetime import date

import chinese_calendar

from lossdesk.rules.working_time import WorkCalendar

# Each source answers {date: working or not}; a later source wins for a date both name.
_corrections: list[Callable[[], Mapping[date, bool]]] = []


def register_corrections(source: Callable[[], Mapping[date, bool]]) -> None:
    if source not in _corrections:
        _corrections.append(source)


def published_working_day(day: date) -> bool | None:
    """The State Council's calendar as chinese-calendar knows it; None for other years."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def work_calendar() -> WorkCalendar:
    """The calendar as it stands: the published one under every registered correction."""
    overrides: dict[date, bool] = {}
    for source in _corrections:
        overrides.update(source())
    return WorkCalendar(overrides=overrides, official=published_working_day)
