"""Money helpers: strict Decimal parsing, rounding to the fen, proportional splits.

Money is always ``Decimal``. Inputs may be ``Decimal``, ``int`` or a numeric ``str``;
floats are refused because they cannot carry an exact amount in fen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from .errors import RuleInputError

FEN = Decimal("0.01")
ZERO = Decimal("0")
ONE = Decimal("1")

# Enough digits that intermediate products such as 4500 × 1000 / 21000 never lose a fen.
_CALC = Context(prec=40)

Number = Decimal | int | str

_PLAIN = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")


def D(value: object, field: str = "value") -> Decimal:
    """Parse ``value`` as an exact, finite Decimal or raise ``RuleInputError(field)``."""
    if isinstance(value, bool | float):
        raise RuleInputError(field, "须为精确数值（Decimal、整数或数字字符串），不接受浮点数")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        # Plain decimal notation only: thousands separators in their places, no exponent.
        text = value.strip()
        if not _PLAIN.fullmatch(text):
            raise RuleInputError(field, f"不是有效数字：{value!r}")
        result = Decimal(text.replace(",", ""))
    else:
        raise RuleInputError(field, f"不是有效数字：{value!r}")
    if not result.is_finite():
        raise RuleInputError(field, "须为有限数值")
    return result


@dataclass(frozen=True)
class Amount:
    """What a column can hold: ``max_digits`` digits, ``places`` of them after the point."""

    max_digits: int
    places: int

    @property
    def maximum(self) -> Decimal:
        return Decimal(10) ** (self.max_digits - self.places) - Decimal(10) ** -self.places


# The one set of limits for typed amounts, matching the database columns.
MONEY = Amount(max_digits=14, places=2)  # totals and amounts: ≤ 999,999,999,999.99
PRICE = Amount(max_digits=12, places=2)  # unit prices of lines and parts: ≤ 9,999,999,999.99
QUANTITY = Amount(max_digits=8, places=2)  # quantities of lines: ≤ 999,999.99

# Longest text worth reading: 15 digits, 4 separators, a point, a sign, ¥ and 元.
MAX_TEXT = 32
_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．－＋￥　", "0123456789,.-+¥ ")
_NUMBER = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?")
PATTERN = r"^\s*[+-]?[¥￥]?\s*[0-9０-９,，]*([.．][0-9０-９]*)?\s*元?\s*$"


NOT_A_NUMBER = "请输入数字。"


class AmountError(RuleInputError):
    """Typed text that is not an acceptable amount; ``message`` is shown to the user."""


def parse_amount(
    value: object,
    kind: Amount = MONEY,
    *,
    field: str = "value",
    positive: bool = False,
    allow_negative: bool = False,
) -> Decimal:
    """Typed text (or a JSON number) → Decimal, or ``AmountError`` with a Chinese message.

    Accepts "1,280.00", full-width "１２８０", "¥1280" and "1280元"; refuses NaN,
    Infinity, exponents ("1e5"), more than ``kind.places`` decimals, more than
    ``kind.maximum``, negatives (unless ``allow_negative``) and zero when ``positive``.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise AmountError(field, NOT_A_NUMBER)
    if isinstance(value, Decimal) and value.is_finite():
        value = format(value, "f")
    text = str(value).translate(_FULL_WIDTH).strip()
    if len(text) > MAX_TEXT:
        raise AmountError(field, NOT_A_NUMBER)
    text = text.removesuffix("元").strip()
    sign = ""
    if text[:1] in "+-" and text:
        sign, text = text[0], text[1:].lstrip()
    text = text.removeprefix("¥").strip()
    match = _NUMBER.fullmatch(text)
    if match is None or match[1] or not (match[2] or match[3]):
        raise AmountError(field, NOT_A_NUMBER)
    digits = match[2].replace(",", "") or "0"
    number = Decimal(f"{sign}{digits}.{match[3]}" if match[3] else sign + digits)
    if positive and number <= 0:
        raise AmountError(field, "必须大于 0。")
    if number < 0 and not allow_negative:
        raise AmountError(field, "不能小于 0。")
    if len(match[3] or "") > kind.places:
        raise AmountError(field, f"最多 {kind.places} 位小数。")
    if abs(number) > kind.maximum:
        raise AmountError(field, f"不能大于 {kind.maximum:,}。")
    return number


def non_negative(value: object, field: str) -> Decimal:
    """``D(value)`` that must be ≥ 0."""
    result = D(value, field)
    if result < 0:
        raise RuleInputError(field, "不能为负数")
    return result


def rate(value: object, field: str) -> Decimal:
    """``D(value)`` that must lie in [0, 1] (a ratio or a deductible rate)."""
    result = D(value, field)
    if not ZERO <= result <= ONE:
        raise RuleInputError(field, "比例须在 0 到 1 之间")
    return result


def to_fen(value: object) -> Decimal:
    """Round to 0.01 yuan, half up (the documented rounding of every published example)."""
    return D(value).quantize(FEN, rounding=ROUND_HALF_UP)


def mul(*factors: Decimal) -> Decimal:
    """Exact-enough product of Decimals, independent of the caller's decimal context."""
    result = ONE
    for factor in factors:
        result = _CALC.multiply(result, factor)
    return result


def div(numerator: Decimal, denominator: Decimal) -> Decimal:
    """Quotient at 40 significant digits, independent of the caller's decimal context."""
    return _CALC.divide(numerator, denominator)


def split_by_weights(total: object, weights: Sequence[object]) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights``; the shares add up to ``to_fen(total)``.

    Every share is rounded half up to the fen, except the last share with a non-zero
    weight, which takes the rounding difference (the convention of the published
    examples, RULES §1.3). Callers choose the order of ``weights`` and so which share
    balances. Zero weights get zero.

    Should the balancing share come out negative (only possible when shares are worth
    about a fen or less, e.g. 0.03 split six ways: 0.005 rounds up five times), it is
    set to zero and the deficit is taken back one fen at a time from the preceding
    shares that were rounded up, walking backwards, so no share is ever negative.
    """
    total_fen = to_fen(non_negative(total, "total"))
    parsed = [non_negative(w, f"weights.{i}") for i, w in enumerate(weights)]
    if not parsed:
        raise RuleInputError("weights", "至少需要一个权重")
    weight_sum = sum(parsed, ZERO)
    if weight_sum == 0:
        if total_fen == 0:
            return [ZERO.quantize(FEN) for _ in parsed]
        raise RuleInputError("weights", "权重之和为零，无法分摊")

    with localcontext(_CALC):
        exact = [total_fen * w / weight_sum for w in parsed]
    shares = [to_fen(x) for x in exact]
    last = max(i for i, w in enumerate(parsed) if w > 0)
    shares[last] = total_fen - sum((s for i, s in enumerate(shares) if i != last), ZERO)

    if shares[last] < 0:
        deficit = -shares[last]
        shares[last] = ZERO.quantize(FEN)
        for i in range(last - 1, -1, -1):
            if deficit == 0:
                break
            if shares[i] > exact[i]:
                shares[i] -= FEN
                deficit -= FEN
    return shares


def fmt_money(amount: Decimal) -> str:
    """Show an amount with two decimals and no grouping, as in formulas: ``"61942.00"``."""
    return f"{to_fen(amount):.2f}"


def fmt_number(value: Decimal) -> str:
    """Show a plain number without trailing zeros or exponent: ``"4800"``, ``"32598.7"``."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def fmt_pct(value: Decimal) -> str:
    """Show a ratio as a percentage: ``Decimal("0.1")`` → ``"10%"``, ``0.006`` → ``"0.6%"``."""
    return f"{fmt_number(mul(value, Decimal(100)))}%"
