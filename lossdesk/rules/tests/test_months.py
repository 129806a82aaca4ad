from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lossdesk.rules.errors import RuleInputError
from lossdesk.rules.months import last_day, next_month, parse_month


@pytest.mark.parametrize(
    ("text", "first"), [("2026-11", date(2026, 11, 1)), ("2026-01", date(2026, 1, 1))]
)
def test_a_month_is_its_first_day(text, first):
    assert parse_month(text) == first


@pytest.mark.parametrize(
    "bad", ["2026-1", "2026-13", "2026-00", "26-11", "2026/11", "", None, 202611]
)
def test_anything_else_is_refused_on_the_field(bad):
    with pytest.raises(RuleInputError) as caught:
        parse_month(bad, "period")
    assert (caught.value.field, caught.value.message) == (
        "period",
        "月份格式须为 YYYY-MM，如 2026-11。",
    )


def test_december_runs_into_the_next_year_and_february_knows_leap_years():
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)
    assert (last_day(date(2028, 2, 1)), last_day(date(2026, 2, 1))) == (
        date(2028, 2, 29),
        date(2026, 2, 28),
    )


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 11, 30)))
def test_the_last_day_is_in_the_month_and_the_day_before_the_next(day):
    month = day.replace(day=1)
    assert last_day(month).replace(day=1) == month
    assert (next_month(month) - last_day(month)).days == 1 and next_month(month).day == 1
    assert parse_month(f"{month:%Y-%m}") == month
