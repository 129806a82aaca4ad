from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lossdesk.rules.working_time import (
    Duration,
    Unit,
    WorkCalendar,
    add_office_minutes,
    add_working_days,
    due_at,
    office_minutes_between,
    working_days_between,
)

# 国庆 2025 as the State Council published it: 1–8 October off, Sunday 28 September and
# Saturday 11 October worked instead (调休). Given as the administrator's table here; the
# quality app reads the same days from chinese-calendar.
GUOQING_2025 = {
    **{date(2025, 10, d): False for d in range(1, 9)},
    date(2025, 9, 28): True,
    date(2025, 10, 11): True,
}
CALENDAR = WorkCalendar(overrides=GUOQING_2025)


def at(*args) -> datetime:
    return datetime(*args)


def test_three_working_days_from_the_eve_of_guoqing_end_after_the_holiday() -> None:
    start = at(2025, 9, 30, 10, 0)  # Tuesday, the last working day before 国庆
    # 9, 10 and 11 October (the 调休 Saturday) are the three working days.
    assert add_working_days(start, 3, CALENDAR) == at(2025, 10, 11, 10, 0)


def test_a_make_up_saturday_counts_as_a_working_day() -> None:
    assert CALENDAR.is_working_day(date(2025, 10, 11))
    assert CALENDAR.is_working_day(date(2025, 9, 28))  # a Sunday, worked
    assert add_working_days(at(2025, 10, 10, 16, 30), 1, CALENDAR) == at(2025, 10, 11, 16, 30)


def test_a_stage_started_on_a_holiday_is_due_at_the_end_of_its_last_working_day() -> None:
    assert add_working_days(at(2025, 10, 3, 15, 0), 1, CALENDAR) == at(2025, 10, 10, 0, 0)
    assert add_working_days(at(2025, 10, 3, 15, 0), 2, CALENDAR) == at(2025, 10, 11, 0, 0)


def test_office_minutes_stop_at_closing_time_and_resume_on_the_next_working_day() -> None:
    # Friday 26 September 17:50 + 30 office minutes: 10 on Friday, 20 on the 调休 Sunday.
    assert add_office_minutes(at(2025, 9, 26, 17, 50), 30, CALENDAR) == at(2025, 9, 28, 9, 20)
    # Before opening the clock starts at 09:00.
    assert add_office_minutes(at(2025, 9, 29, 7, 0), 60, CALENDAR) == at(2025, 9, 29, 10, 0)
    # Across the whole holiday.
    assert add_office_minutes(at(2025, 9, 30, 17, 0), 120, CALENDAR) == at(2025, 10, 9, 10, 0)


def test_elapsed_minutes_and_hours_ignore_the_calendar() -> None:
    start = at(2025, 10, 1, 23, 30)
    assert due_at(start, Duration(10, Unit.MINUTES), CALENDAR) == at(2025, 10, 1, 23, 40)
    assert due_at(start, Duration(24, Unit.HOURS), CALENDAR) == at(2025, 10, 2, 23, 30)
    assert due_at(start, Duration(1, Unit.HOURS, office_hours=True), CALENDAR) == at(
        2025, 10, 9, 10, 0
    )


def test_the_administrators_table_wins_over_the_published_calendar() -> None:
    published = {date(2027, 2, 8): True}.get  # a year the package may not know yet
    calendar = WorkCalendar(overrides={date(2027, 2, 8): False}, official=published)
    assert not calendar.is_working_day(date(2027, 2, 8))
    assert WorkCalendar(official=published).is_working_day(date(2027, 2, 8))
    # A day neither knows is a working day Monday to Friday.
    assert calendar.is_working_day(date(2027, 2, 9))  # Tuesday
    assert not calendar.is_working_day(date(2027, 2, 13))  # Saturday


def test_the_timezone_of_the_start_is_kept() -> None:
    from datetime import timezone as tz

    beijing = tz(timedelta(hours=8))
    start = datetime(2025, 9, 30, 10, 0, tzinfo=beijing)
    assert add_working_days(start, 3, CALENDAR).tzinfo is beijing
    assert add_office_minutes(start, 600, CALENDAR).tzinfo is beijing


def test_bad_durations_and_calendars_are_refused() -> None:
    with pytest.raises(ValueError):
        Duration(-1, Unit.HOURS)
    with pytest.raises(ValueError):
        WorkCalendar(opens=time(18), closes=time(9))
    never = WorkCalendar(official=lambda day: False)
    with pytest.raises(ValueError, match="没有工作日"):
        add_working_days(at(2025, 1, 1, 9, 0), 1, never)


def test_a_duration_reads_as_chinese() -> None:
    assert str(Duration(3, Unit.WORKING_DAYS)) == "3 个工作日"
    assert str(Duration(30, Unit.MINUTES, office_hours=True)) == "30 分钟（工作时间）"


days_2025 = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31))
calendars = st.dictionaries(days_2025, st.booleans(), max_size=60).map(
    lambda table: WorkCalendar(overrides={**GUOQING_2025, **table})
)
starts = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 6, 30)).map(
    lambda moment: moment.replace(second=0, microsecond=0)
)


@given(calendars, starts, st.integers(min_value=0, max_value=3000))
def test_office_minutes_added_are_the_office_minutes_between(calendar, start, minutes) -> None:
    due = add_office_minutes(start, minutes, calendar)
    assert due >= start
    assert office_minutes_between(start, due, calendar) == pytest.approx(minutes)


@given(calendars, starts, st.integers(min_value=1, max_value=30))
def test_working_days_land_on_the_nth_working_day(calendar, start, days) -> None:
    due = add_working_days(start, days, calendar)
    if calendar.is_working_day(start.date()):
        assert calendar.is_working_day(due.date()) and due.time() == start.time()
        assert working_days_between(start.date(), due.date(), calendar) == days
    else:  # due at the end of the days-th working day after the start
        last = due.date() - timedelta(days=1)
        assert due.time() == time(0) and calendar.is_working_day(last)
        assert working_days_between(start.date(), last, calendar) == days


@given(calendars, starts, st.sampled_from(list(Unit)), st.booleans(), st.integers(0, 200))
def test_a_longer_duration_is_never_due_earlier(calendar, start, unit, office, amount) -> None:
    shorter = due_at(start, Duration(amount, unit, office), calendar)
    longer = due_at(start, Duration(amount + 1, unit, office), calendar)
    assert start <= shorter <= longer
