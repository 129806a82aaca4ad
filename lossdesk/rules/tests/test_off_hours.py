from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lossdesk.rules.errors import RuleInputError
from lossdesk.rules.off_hours import NightWindow, off_hours, parse_clock
from lossdesk.rules.working_time import WorkCalendar

# 2026: 1 and 2 October (Thursday, Friday) are National Day holidays; Saturday 10 October a
# make-up working day.
PUBLISHED = {date(2026, 10, 1): False, date(2026, 10, 2): False, date(2026, 10, 10): True}
CALENDAR = WorkCalendar(official=PUBLISHED.get)
NIGHT = NightWindow()


@pytest.mark.parametrize(
    ("at", "night", "holiday"),
    [
        (datetime(2026, 9, 30, 21, 59), False, False),  # a Wednesday evening
        (datetime(2026, 9, 30, 22, 0), True, False),  # the start belongs to the night
        (datetime(2026, 10, 2, 5, 59), True, True),  # National Day week, before dawn
        (datetime(2026, 10, 2, 6, 0), False, True),  # the end does not
        (datetime(2026, 10, 1, 14, 0), False, True),  # National Day
        (datetime(2026, 10, 10, 14, 0), False, False),  # a 调休 Saturday is a working day
        (datetime(2026, 10, 11, 14, 0), False, True),  # a plain Sunday is a day off
    ],
)
def test_night_by_the_window_and_holiday_by_the_calendar(at, night, holiday) -> None:
    found = off_hours(at, NIGHT, CALENDAR)
    assert (found.night, found.holiday, found.applies) == (night, holiday, night or holiday)


def test_the_administrators_correction_wins_over_the_published_calendar() -> None:
    corrected = WorkCalendar(overrides={date(2026, 10, 1): True}, official=PUBLISHED.get)
    assert not off_hours(datetime(2026, 10, 1, 14, 0), NIGHT, corrected).holiday


def test_the_description_says_which_and_by_what_window() -> None:
    at = datetime(2026, 10, 1, 23, 10)
    assert off_hours(at, NIGHT, CALENDAR).describe() == (
        "2026-10-01 23:10：夜间（22:00–06:00）、节假日（非工作日）"
    )
    day = off_hours(datetime(2026, 9, 30, 9, 0), NIGHT, CALENDAR).describe()
    assert day == "2026-09-30 09:00：非夜间（22:00–06:00）、工作日"


def test_a_window_within_one_day_and_bad_clocks() -> None:
    evening = NightWindow(time(18, 0), time(23, 0))
    assert evening.contains(time(18, 0)) and not evening.contains(time(23, 0))
    assert not evening.contains(time(2, 0))
    assert parse_clock("07:30", "night_to") == time(7, 30)
    for bad in ("7:30", "24:00", "07:60", 730, None):
        with pytest.raises(RuleInputError) as caught:
            parse_clock(bad, "night_to")
        assert caught.value.field == "night_to"
    with pytest.raises(RuleInputError):
        NightWindow(time(6, 0), time(6, 0))


clocks = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@given(starts=clocks, ends=clocks, clock=clocks)
def test_a_window_and_its_complement_cover_the_day_once(starts, ends, clock) -> None:
    if starts == ends:
        return
    window, rest = NightWindow(starts, ends), NightWindow(ends, starts)
    assert window.contains(clock) != rest.contains(clock)


@given(day=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), clock=clocks)
def test_holiday_is_exactly_not_a_working_day(day, clock) -> None:
    at = datetime.combine(day, clock)
    assert off_hours(at, NIGHT, CALENDAR).holiday is not CALENDAR.is_working_day(day)
    assert off_hours(at, NIGHT, CALENDAR).night is NIGHT.contains(clock)
