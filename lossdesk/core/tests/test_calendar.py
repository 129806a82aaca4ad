from datetime import date

import pytest

from lossdesk.core import calendar


@pytest.fixture(autouse=True)
def no_corrections(monkeypatch):
    """The published calendar alone (quality registers its table of corrections)."""
    monkeypatch.setattr(calendar, "_corrections", [])


def test_the_published_calendar_knows_national_day_and_the_make_up_working_days() -> None:
    work = calendar.work_calendar()
    assert not work.is_working_day(date(2025, 10, 1))  # National Day, a Wednesday
    assert work.is_working_day(date(2025, 9, 28))  # a 调休 Sunday
    assert not work.is_working_day(date(2025, 10, 4))  # a Saturday within the holiday


def test_a_year_the_package_does_not_know_is_none_then_monday_to_friday() -> None:
    assert calendar.published_working_day(date(2099, 1, 1)) is None
    assert calendar.work_calendar().is_working_day(date(2099, 1, 2))  # a Friday


def test_a_registered_correction_wins_over_the_published_calendar() -> None:
    calendar.register_corrections(lambda: {date(2025, 10, 1): True})
    calendar.register_corrections(lambda: {date(2025, 10, 1): False, date(2099, 1, 2): False})
    work = calendar.work_calendar()
    assert not work.is_working_day(date(2025, 10, 1))  # the later source wins
    assert not work.is_working_day(date(2099, 1, 2))


@pytest.mark.parametrize("day", [date(2025, 5, 1), date(2025, 1, 29)])
def test_labour_day_and_the_spring_festival_are_days_off(day) -> None:
    assert not calendar.work_calendar().is_working_day(day)
