"""Assessment periods (考核期): half-years named "2026H1" (January–June) and "2026H2"
(July–December). Pure Python."""

import re
from datetime import date

from lossdesk.rules import months
from lossdesk.rules.errors import RuleInputError

PERIOD_RE = re.compile(r"^(\d{4})H([12])$")


def period_of(day: date) -> str:
    return f"{day.year}H{1 if day.month <= 6 else 2}"


def bounds(period: str) -> tuple[date, date]:
    """First and last day of a period; ValueError for a name that is not one."""
    match = PERIOD_RE.match(period or "")
    if not match or not 2000 <= int(match[1]) <= 2100:
        raise ValueError(period)
    year, half = int(match[1]), int(match[2])
    if half == 1:
        return date(year, 1, 1), date(year, 6, 30)
    return date(year, 7, 1), date(year, 12, 31)


def label(period: str) -> str:
    year, half = period[:4], period[-1]
    return f"{year}年{'上' if half == '1' else '下'}半年"


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """ "2026Q3" → (1 July, 30 September); ValueError otherwise."""
    match = re.match(r"^(\d{4})Q([1-4])$", quarter or "")
    if not match or not 2000 <= int(match[1]) <= 2100:
        raise ValueError(quarter)
    year, q = int(match[1]), int(match[2])
    start = date(year, 3 * q - 2, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def month_bounds(month: str) -> tuple[date, date]:
    """ "2026-11" → (1 and 30 November); ValueError otherwise."""
    try:
        first = months.parse_month(month)
    except RuleInputError:
        raise ValueError(month) from None
    return first, months.last_day(first)
