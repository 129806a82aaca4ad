"""Calendar months named "YYYY-MM" (commission runs, KPIs, the quality committee's monthly
register): the one parser and the month arithmetic. Pure Python."""

import re
from datetime import date, timedelta

from .errors import RuleInputError

_MONTH = re.compile(r"(\d{4})-(\d{2})")
MONTH_HINT = "月份格式须为 YYYY-MM，如 2026-11。"


def parse_month(value: object, field: str = "month") -> date:
    """'2026-11' → date(2026, 11, 1); anything else is a RuleInputError on `field`."""
    match = _MONTH.fullmatch(value) if isinstance(value, str) else None
    if match is None or not 2000 <= int(match[1]) <= 2100 or not 1 <= int(match[2]) <= 12:
        raise RuleInputError(field, MONTH_HINT)
    return date(int(match[1]), int(match[2]), 1)


def next_month(month: date) -> date:
    """The first day of the month after `month`'s."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def last_day(month: date) -> date:
    return next_month(month) - timedelta(days=1)
