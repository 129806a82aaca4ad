"""The one exception every rule raises for bad input."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum


class RuleInputError(ValueError):
    """Bad input to a rule, naming the offending field by a dotted path.

    ``field`` follows the input structure, e.g. ``"losses.0.amount"`` or
    ``"standard.urban_consumption"``, so the API layer can map it straight onto
    ``{"error": {"fields": {field: message}}}``.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class RuleInputErrors(RuleInputError):
    """Every bad input of a form at once, so each bad cell can show its message.

    ``errors`` holds them in input order. As a ``RuleInputError`` it carries the first one's
    ``field`` and ``message``, so a handler that knows only single errors still shows one.
    """

    def __init__(self, errors: Sequence[RuleInputError]) -> None:
        if not errors:
            raise ValueError("RuleInputErrors needs at least one error")
        super().__init__(errors[0].field, errors[0].message)
        self.errors = list(errors)
        self.args = ("; ".join(str(error) for error in self.errors),)


def parse_enum[E: StrEnum](kind: type[E], value: object, field: str) -> E:
    """``kind(value)``, or ``RuleInputError(field)`` listing the allowed values."""
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise RuleInputError(field, f"未知取值 {value!r}，可选：{allowed}") from None


def parse_date(value: object, field: str) -> date:
    """A ``date`` (a ``datetime`` is cut to its date; an ISO ``YYYY-MM-DD`` text, as stored
    inputs keep it, is read), or ``RuleInputError(field)``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise RuleInputError(field, "须为日期")
