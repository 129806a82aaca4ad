"""Assessment-sheet arithmetic, pure Python: line amounts and sheet totals.

Each line amount is quantity × unit price rounded to the fen (half-up); the sheet total is
the sum of line amounts less the salvage value of replaced parts left to the owner."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from lossdesk.rules.money import to_fen

KINDS = ("replace", "repair", "paint", "labour", "materials", "sublet")


@dataclass(frozen=True)
class Line:
    kind: str
    quantity: Decimal
    unit_price: Decimal
    salvage_value: Decimal = Decimal("0")


@dataclass(frozen=True)
class SheetTotals:
    by_kind: dict[str, Decimal] = field(default_factory=dict)
    gross: Decimal = Decimal("0.00")
    salvage: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")


def line_amount(line: Line) -> Decimal:
    return to_fen(line.quantity * line.unit_price)


def salvage_error(line: Line) -> str | None:
    """Why the line's salvage value is not allowed, or None. Only a replaced part leaves
    salvage, and never more than the line's own amount: a line, and so a sheet, never
    totals below zero."""
    if not line.salvage_value:
        return None
    if line.kind != "replace":
        return "只有换件项目有残值。"
    if to_fen(line.salvage_value) > line_amount(line):
        return "残值不能大于该项目金额。"
    return None


def sheet_totals(lines: Iterable[Line]) -> SheetTotals:
    by_kind = dict.fromkeys(KINDS, Decimal("0.00"))
    salvage = Decimal("0.00")
    for line in lines:
        by_kind[line.kind] += line_amount(line)
        salvage += to_fen(line.salvage_value)
    gross = sum(by_kind.values(), Decimal("0.00"))
    return SheetTotals(by_kind=by_kind, gross=gross, salvage=salvage, total=gross - salvage)
