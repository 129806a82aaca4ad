"""Adjusting fees (公估费): a fee contract's terms applied to one case (issue 14 §7).

The terms are the JSON body a fee contract stores (``parse_terms`` reads and checks it,
``FeeTerms.as_json`` writes it back in one canonical form). One mode gives the base fee:

* ``percentage``: 核定金额 × ``rate``, raised to ``minimum`` and cut to ``maximum``;
* ``progressive`` (超额累进): each bracket's ``rate`` applies to the part of the amount
  inside the bracket; the fee is the sum over the brackets;
* ``flat_bracket`` (分档全额): the whole amount at the rate of the bracket containing it;
* ``per_case``: a fixed ``amount`` per case.

A bracket covers the amounts above the previous bracket's ``up_to`` (0 for the first) up
to and including its own; the last bracket has ``up_to: null`` (no upper end). Brackets
may name their lower end as ``from``, which must then equal the previous ``up_to``. The
bracket modes take ``minimum`` and ``maximum`` as percentage does.

Extras add up on top of the base fee: ``per_item`` × loss items; (``distance_km`` −
``km_threshold``, not below 0) × ``km_rate``; ``night_surcharge`` when the survey was at
night or on a holiday (the contract's ``night_from``–``night_to`` window, 22:00–06:00 by
default, tells the caller what night means: ``off_hours``); ``rescue_fee`` × rescues
coordinated; ``resurvey_fee`` × re-surveys. A case cancelled after the survey started earns
only ``cancellation_fee`` (0 when the contract has none); one cancelled before earns 0.

Each component is computed exactly and rounded half up to the fen once, at its end; the
fee is the sum of the rounded components. Every component has its explanation line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from enum import StrEnum

from .errors import RuleInputError, RuleInputErrors, parse_enum
from .money import (
    FEN,
    MONEY,
    PRICE,
    QUANTITY,
    ZERO,
    Amount,
    AmountError,
    Number,
    fmt_money,
    fmt_number,
    fmt_pct,
    mul,
    parse_amount,
    to_fen,
)
from .off_hours import NightWindow, parse_clock


class FeeMode(StrEnum):
    percentage = "percentage"
    progressive = "progressive"
    flat_bracket = "flat_bracket"
    per_case = "per_case"


MODE_LABELS: dict[FeeMode, str] = {
    FeeMode.percentage: "按核定金额比例",
    FeeMode.progressive: "超额累进",
    FeeMode.flat_bracket: "分档全额",
    FeeMode.per_case: "按件固定",
}


class FeeLine(StrEnum):
    """The lines a fee contract is made for: the names of the claims loss lines."""

    motor = "motor"
    property = "property"
    injury = "injury"


LINE_LABELS: dict[FeeLine, str] = {
    FeeLine.motor: "车险",
    FeeLine.property: "物损",
    FeeLine.injury: "人伤",
}

# A rate is a ratio in [0, 1] with at most 6 decimals ("0.035" is 3.5%).
RATE_PLACES = 6
_RATE_TEXT = Amount(max_digits=20, places=RATE_PLACES)
# Kilometres, like quantities: ≤ 999,999.99 with at most 2 decimals.
DISTANCE = QUANTITY
MAX_LOSS_ITEMS = 9999
MAX_CASE_EVENTS = 99  # rescues or re-surveys of one case
MAX_BRACKETS = 50

BRACKET_MODES = frozenset({FeeMode.progressive, FeeMode.flat_bracket})
# The keys each mode takes besides "mode" and the extras: (required, optional).
MODE_KEYS: dict[FeeMode, tuple[frozenset[str], frozenset[str]]] = {
    FeeMode.percentage: (frozenset({"rate"}), frozenset({"minimum", "maximum"})),
    FeeMode.progressive: (frozenset({"brackets"}), frozenset({"minimum", "maximum"})),
    FeeMode.flat_bracket: (frozenset({"brackets"}), frozenset({"minimum", "maximum"})),
    FeeMode.per_case: (frozenset({"amount"}), frozenset()),
}
EXTRA_KEYS: tuple[str, ...] = (
    "per_item",
    "km_rate",
    "km_threshold",
    "night_surcharge",
    "night_from",
    "night_to",
    "rescue_fee",
    "resurvey_fee",
    "cancellation_fee",
)
CLOCK_KEYS = ("night_from", "night_to")
BRACKET_KEYS = frozenset({"from", "up_to", "rate"})


@dataclass(frozen=True, slots=True)
class Bracket:
    """Amounts above ``lower`` up to and including ``up_to`` (None: no upper end)."""

    lower: Decimal
    up_to: Decimal | None
    rate: Decimal

    def contains(self, amount: Decimal) -> bool:
        above = amount > self.lower or (self.lower == 0 and amount == 0)
        return above and (self.up_to is None or amount <= self.up_to)

    def describe(self) -> str:
        if self.up_to is None:
            return f"{fmt_money(self.lower)} 以上"
        if self.lower == 0:
            return f"0 至 {fmt_money(self.up_to)}（含）"
        return f"{fmt_money(self.lower)} 以上至 {fmt_money(self.up_to)}（含）"


@dataclass(frozen=True, slots=True)
class FeeTerms:
    """A fee contract's terms, checked; amounts are Decimals with the column's places."""

    mode: FeeMode
    rate: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    brackets: tuple[Bracket, ...] = ()
    amount: Decimal | None = None
    per_item: Decimal | None = None
    km_rate: Decimal | None = None
    km_threshold: Decimal | None = None
    night_surcharge: Decimal | None = None
    night_from: time | None = None
    night_to: time | None = None
    rescue_fee: Decimal | None = None
    resurvey_fee: Decimal | None = None
    cancellation_fee: Decimal | None = None

    @property
    def night_window(self) -> NightWindow:
        """What night means for the surcharge: the contract's window, else 22:00–06:00."""
        default = NightWindow()
        return NightWindow(self.night_from or default.starts, self.night_to or default.ends)

    def as_json(self) -> dict[str, object]:
        """The canonical body: amounts and rates as decimal strings, absent keys left out."""
        body: dict[str, object] = {"mode": self.mode.value}
        if self.rate is not None:
            body["rate"] = _rate_text(self.rate)
        if self.mode in BRACKET_MODES:
            body["brackets"] = [
                {
                    "up_to": None if b.up_to is None else fmt_money(b.up_to),
                    "rate": _rate_text(b.rate),
                }
                for b in self.brackets
            ]
        for key in ("minimum", "maximum", "amount", *EXTRA_KEYS):
            value = getattr(self, key)
            if value is None:
                continue
            if key in CLOCK_KEYS:
                body[key] = f"{value:%H:%M}"
            elif key == "km_threshold":
                body[key] = _km_text(value)
            else:
                body[key] = fmt_money(value)
        return body


@dataclass(frozen=True, slots=True)
class FeeCase:
    """What a case brings to the fee. ``cancelled`` defaults to ``cancelled_after_survey``;
    ``approved_amount`` may be left out only for a cancelled case; ``loss_items`` is needed
    when the contract charges per loss item."""

    line: FeeLine | str
    approved_amount: Number | None = None
    cancelled_after_survey: bool = False
    cancelled: bool | None = None
    distance_km: Number | None = None
    night: bool = False
    loss_items: int | None = None
    rescues: int | None = None
    resurveys: int | None = None


@dataclass(frozen=True, slots=True)
class FeeComponent:
    code: str  # base, per_item, distance, night, rescue, resurvey, cancellation
    label: str
    amount: Decimal
    formula: str


@dataclass(frozen=True, slots=True)
class FeeResult:
    fee: Decimal
    components: list[FeeComponent]
    explanation: list[str]
    line: FeeLine
    terms: FeeTerms


# ------------------------------------------------------------------------------ terms


def parse_terms(body: object) -> FeeTerms:
    """Check a contract body; bad input raises ``RuleInputError`` (``RuleInputErrors`` when
    several fields are bad) naming the key, e.g. ``brackets.1.up_to``. The body is JSON:
    decimal strings are preferred, a JSON number is read through its shortest decimal text
    (0.03 as "0.03"), as the calculation API reads numbers."""
    if isinstance(body, FeeTerms):
        return body
    if not isinstance(body, Mapping):
        raise RuleInputError("mode", '收费条款须为对象，如 {"mode": "percentage", …}')
    if "mode" not in body:
        raise RuleInputError(
            "mode", "须填写收费方式（percentage、progressive、flat_bracket、per_case 之一）"
        )
    mode = parse_enum(FeeMode, body["mode"], "mode")
    required, optional = MODE_KEYS[mode]
    errors: list[RuleInputError] = []
    for key in sorted(set(body) - {"mode"} - required - optional - set(EXTRA_KEYS)):
        if key in {k for keys in MODE_KEYS.values() for k in keys[0] | keys[1]}:
            errors.append(RuleInputError(str(key), f"{MODE_LABELS[mode]}方式不使用此项"))
        else:
            errors.append(RuleInputError(str(key), "未知字段"))
    for key in sorted(required):
        if body.get(key) is None:
            errors.append(RuleInputError(key, "须填写"))

    values: dict[str, object] = {}

    def read(key: str, parse: Callable[[object, str], object]) -> None:
        if body.get(key) is None or any(e.field == key for e in errors):
            return
        try:
            values[key] = parse(body[key], key)
        except RuleInputErrors as exc:
            errors.extend(exc.errors)
        except RuleInputError as exc:
            errors.append(exc)

    # A key the mode does not take is already an error, and read() passes it over.
    read("rate", _parse_rate)
    money_keys = ("minimum", "maximum", "amount", "per_item", "night_surcharge")
    for key in (*money_keys, "rescue_fee", "resurvey_fee", "cancellation_fee"):
        read(key, _money)
    for key in CLOCK_KEYS:
        read(key, parse_clock)
    read("km_rate", lambda value, field: _amount(value, PRICE, field))
    read("km_threshold", lambda value, field: _amount(value, DISTANCE, field))
    read("brackets", _parse_brackets)

    minimum, maximum = values.get("minimum"), values.get("maximum")
    if isinstance(minimum, Decimal) and isinstance(maximum, Decimal) and maximum < minimum:
        errors.append(RuleInputError("maximum", f"最高收费不能低于最低收费 {fmt_money(minimum)}"))
    if body.get("km_threshold") is not None and body.get("km_rate") is None:
        errors.append(RuleInputError("km_threshold", "填写起算里程时须同时填写每公里收费 km_rate"))
    for key in CLOCK_KEYS:
        if body.get(key) is not None and body.get("night_surcharge") is None:
            message = "填写夜间时段时须同时填写夜间/节假日加收 night_surcharge"
            errors.append(RuleInputError(key, message))
    if values.get("night_from") is not None or values.get("night_to") is not None:
        default = NightWindow()
        try:
            NightWindow(
                values.get("night_from") or default.starts,  # type: ignore[arg-type]
                values.get("night_to") or default.ends,  # type: ignore[arg-type]
            )
        except RuleInputError as exc:
            errors.append(exc)
    if errors:
        raise errors[0] if len(errors) == 1 else RuleInputErrors(errors)
    return FeeTerms(mode=mode, **values)  # type: ignore[arg-type]


def _amount(value: object, kind: Amount, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise RuleInputError(field, '须为数字或数字字符串，如 "300.00"')
    return parse_amount(value, kind, field=field)


def _exact_amount(value: object, kind: Amount, field: str) -> Decimal:
    """A case's amount: Decimal, int or text, never a float (as every rule's input)."""
    if isinstance(value, float):
        raise RuleInputError(field, "须为精确数值（Decimal、整数或数字字符串），不接受浮点数")
    return _amount(value, kind, field)


def _money(value: object, field: str) -> Decimal:
    return _amount(value, MONEY, field)


def _parse_rate(value: object, field: str) -> Decimal:
    """A rate as a decimal ratio: "0.03" is 3%; at most 6 decimals, within [0, 1]."""
    try:
        result = _amount(value, _RATE_TEXT, field)
    except AmountError as exc:
        raise RuleInputError(
            field, f"费率须为 0 到 1 之间的小数（如 0.03 即 3%）：{exc.message}"
        ) from None
    if result > 1:
        raise RuleInputError(field, "费率须为 0 到 1 之间的小数（如 0.03 即 3%）")
    return result


def _parse_brackets(value: object, field: str) -> tuple[Bracket, ...]:
    if not isinstance(value, list | tuple) or not value:
        raise RuleInputError(field, '须为至少一档的列表：[{"up_to": …, "rate": …}, …]')
    if len(value) > MAX_BRACKETS:
        raise RuleInputError(field, f"最多 {MAX_BRACKETS} 档")
    errors: list[RuleInputError] = []
    parsed: list[tuple[Decimal | None, Decimal | None, Decimal | None] | None] = []
    for i, raw in enumerate(value):
        prefix = f"{field}.{i}"
        if not isinstance(raw, Mapping):
            errors.append(RuleInputError(prefix, '每一档须为 {"up_to": …, "rate": …}'))
            parsed.append(None)
            continue
        errors.extend(
            RuleInputError(f"{prefix}.{key}", "未知字段") for key in sorted(set(raw) - BRACKET_KEYS)
        )
        entry: list[Decimal | None] = []
        for key, parse in (("from", _money), ("up_to", _money), ("rate", _parse_rate)):
            if raw.get(key) is None:
                if key == "rate":
                    errors.append(RuleInputError(f"{prefix}.rate", "须填写"))
                elif key == "up_to" and key not in raw:
                    errors.append(
                        RuleInputError(
                            f"{prefix}.up_to", "须填写本档上限（最后一档填 null 表示不设上限）"
                        )
                    )
                entry.append(None)
                continue
            try:
                entry.append(parse(raw[key], f"{prefix}.{key}"))
            except RuleInputError as exc:
                errors.append(exc)
                entry.append(None)
        parsed.append((entry[0], entry[1], entry[2]))
    if errors:
        raise errors[0] if len(errors) == 1 else RuleInputErrors(errors)

    brackets: list[Bracket] = []
    lower = ZERO.quantize(FEN)
    last = len(value) - 1
    for i, item in enumerate(parsed):
        assert item is not None
        start, up_to, rate_ = item
        prefix = f"{field}.{i}"
        if start is not None and start < lower:
            raise RuleInputError(
                f"{prefix}.from",
                f"与上一档重叠：上一档止于 {fmt_money(lower)}，本档须自 {fmt_money(lower)} 以上起",
            )
        if start is not None and start > lower:
            raise RuleInputError(
                f"{prefix}.from",
                f"与上一档之间有空档：上一档止于 {fmt_money(lower)}，本档自 {fmt_money(start)} 起",
            )
        if up_to is None and i != last:
            raise RuleInputError(f"{prefix}.up_to", "只有最后一档可以不设上限（null）")
        if up_to is not None and i == last:
            raise RuleInputError(
                f"{prefix}.up_to", "最后一档须不设上限（null），否则超出的金额无档可依"
            )
        if up_to is not None and up_to <= lower:
            raise RuleInputError(
                f"{prefix}.up_to",
                f"须大于上一档的上限 {fmt_money(lower)}（各档须按金额从低到高排列，不能重叠）"
                if i
                else "第一档的上限须大于 0",
            )
        assert rate_ is not None
        brackets.append(Bracket(lower=lower, up_to=up_to, rate=rate_))
        if up_to is not None:
            lower = up_to
    return tuple(brackets)


def _rate_text(value: Decimal) -> str:
    return fmt_number(value) if value else "0"


def _km_text(value: Decimal) -> str:
    return fmt_number(value) if value else "0"


# ------------------------------------------------------------------------------- case


@dataclass(frozen=True, slots=True)
class CheckedCase:
    line: FeeLine
    approved_amount: Decimal | None
    cancelled: bool
    cancelled_after_survey: bool
    distance_km: Decimal
    night: bool
    loss_items: int | None
    rescues: int
    resurveys: int


def parse_case(case: FeeCase) -> CheckedCase:
    """The case's inputs checked; bad input names the case's key (``approved_amount``)."""
    line = parse_enum(FeeLine, case.line, "line")
    for key in ("cancelled_after_survey", "night"):
        if not isinstance(getattr(case, key), bool):
            raise RuleInputError(key, "须为 true 或 false")
    if case.cancelled is not None and not isinstance(case.cancelled, bool):
        raise RuleInputError("cancelled", "须为 true 或 false")
    after_survey = case.cancelled_after_survey
    cancelled = after_survey if case.cancelled is None else case.cancelled
    if after_survey and not cancelled:
        raise RuleInputError("cancelled_after_survey", "案件未注销，不能注明“查勘开始后注销”")
    amount = None
    if case.approved_amount is not None:
        amount = _exact_amount(case.approved_amount, MONEY, "approved_amount")
    elif not cancelled:
        raise RuleInputError("approved_amount", "须填写核定金额")
    distance = ZERO
    if case.distance_km is not None:
        distance = _exact_amount(case.distance_km, DISTANCE, "distance_km")
    items = case.loss_items
    if items is not None:
        if isinstance(items, bool) or not isinstance(items, int):
            raise RuleInputError("loss_items", "损失标的数须为整数")
        if not 0 <= items <= MAX_LOSS_ITEMS:
            raise RuleInputError("loss_items", f"损失标的数须在 0 到 {MAX_LOSS_ITEMS} 之间")
    counts = [_count(getattr(case, key), key) for key in ("rescues", "resurveys")]
    return CheckedCase(line, amount, cancelled, after_survey, distance, case.night, items, *counts)


def _count(value: object, field: str) -> int:
    """Rescues or re-surveys of the case: a whole number, 0 when not given."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleInputError(field, "须为整数")
    if not 0 <= value <= MAX_CASE_EVENTS:
        raise RuleInputError(field, f"须在 0 到 {MAX_CASE_EVENTS} 之间")
    return value


# -------------------------------------------------------------------------------- fee


def compute_fee(terms: FeeTerms | Mapping[str, object], case: FeeCase) -> FeeResult:
    """The fee of ``case`` under ``terms`` with an explanation line per component.

    Bad terms raise ``RuleInputError`` with the contract's key (``brackets.1.up_to``); call
    ``parse_terms`` first to tell them from the case's, which name the case's key."""
    terms = parse_terms(terms)
    checked = parse_case(case)
    line, amount, items = checked.line, checked.approved_amount, checked.loss_items
    header = f"{LINE_LABELS[line]}收费，{MODE_LABELS[terms.mode]}"
    if checked.cancelled:
        if checked.cancelled_after_survey:
            fee = terms.cancellation_fee if terms.cancellation_fee is not None else ZERO
            formula = (
                f"查勘开始后注销：只收注销费 {fmt_money(fee)}"
                if terms.cancellation_fee is not None
                else "查勘开始后注销：合同未约定注销费，0.00"
            )
        else:
            fee, formula = ZERO, "查勘开始前注销：不收费，0.00"
        component = FeeComponent("cancellation", "注销费", to_fen(fee), formula)
        return _result([component], line, terms, header)

    assert amount is not None
    components = [_base(terms, amount)]
    if terms.per_item is not None:
        if items is None:
            raise RuleInputError("loss_items", "合同按损失标的计费（per_item），须填写损失标的数")
        fee = to_fen(mul(terms.per_item, Decimal(items)))
        _bounded(fee, "loss_items")
        formula = f"{items} 个损失标的 × {fmt_money(terms.per_item)} = {fmt_money(fee)}"
        components.append(FeeComponent("per_item", "标的费", fee, formula))
    if terms.km_rate is not None:
        threshold = terms.km_threshold if terms.km_threshold is not None else ZERO
        distance = checked.distance_km
        beyond = max(distance - threshold, ZERO)
        fee = to_fen(mul(beyond, terms.km_rate))
        _bounded(fee, "distance_km")
        km = f"({fmt_number(distance)} − {fmt_number(threshold)}) km"
        if distance < threshold:
            km += " 不足起算里程，按 0 km"
        formula = f"{km} × {fmt_money(terms.km_rate)} = {fmt_money(fee)}"
        components.append(FeeComponent("distance", "远程查勘费", fee, formula))
    if terms.night_surcharge is not None:
        night = checked.night
        fee = terms.night_surcharge if night else ZERO.quantize(FEN)
        formula = (
            f"夜间或节假日查勘，加收 {fmt_money(fee)}" if night else "非夜间或节假日，不加收，0.00"
        )
        components.append(FeeComponent("night", "夜间/节假日加收", fee, formula))
    for code, label, rate, count, what in (
        ("rescue", "救援协调费", terms.rescue_fee, checked.rescues, "次救援协调"),
        ("resurvey", "复勘费", terms.resurvey_fee, checked.resurveys, "次复勘"),
    ):
        if rate is None:
            continue
        fee = to_fen(mul(rate, Decimal(count)))
        _bounded(fee, f"{code}s")
        formula = f"{count} {what} × {fmt_money(rate)} = {fmt_money(fee)}"
        components.append(FeeComponent(code, label, fee, formula))
    return _result(components, line, terms, header)


def _base(terms: FeeTerms, amount: Decimal) -> FeeComponent:
    label = f"基本费（{MODE_LABELS[terms.mode]}）"
    shown = fmt_money(amount)
    if terms.mode is FeeMode.per_case:
        assert terms.amount is not None
        return FeeComponent("base", label, terms.amount, f"每案 {fmt_money(terms.amount)}")
    if terms.mode is FeeMode.percentage:
        assert terms.rate is not None
        exact = mul(amount, terms.rate)
        formula = f"{shown} × {fmt_pct(terms.rate)} = {_exact(exact)}"
    elif terms.mode is FeeMode.progressive:
        parts = progressive_parts(terms.brackets, amount)
        exact = sum((part for _, part in parts), ZERO)
        texts = [
            f"{_portion(bracket, amount)} × {fmt_pct(bracket.rate)} = {_exact(part)}"
            for bracket, part in parts
        ]
        formula = "；".join(texts) + (f"；合计 {_exact(exact)}" if len(parts) > 1 else "")
    else:
        bracket = bracket_for(terms.brackets, amount)
        number = terms.brackets.index(bracket) + 1
        exact = mul(amount, bracket.rate)
        formula = (
            f"{shown} 在第 {number} 档（{bracket.describe()}），"
            f"{shown} × {fmt_pct(bracket.rate)} = {_exact(exact)}"
        )
    fee = to_fen(exact)
    if terms.minimum is not None and fee < terms.minimum:
        fee = terms.minimum
        formula += f"，低于最低收费，按最低收费 {fmt_money(fee)}"
    elif terms.maximum is not None and fee > terms.maximum:
        fee = terms.maximum
        formula += f"，高于最高收费，按最高收费 {fmt_money(fee)}"
    elif fee != exact:
        formula += f" ≈ {fmt_money(fee)}（四舍五入到分）"
    return FeeComponent("base", label, fee, formula)


def progressive_parts(
    brackets: tuple[Bracket, ...], amount: Decimal
) -> list[tuple[Bracket, Decimal]]:
    """Each bracket the amount reaches, with its rate × the part of the amount inside it
    (exact, not rounded). An amount of 0 reaches the first bracket with a part of 0."""
    parts = []
    for bracket in brackets:
        if amount <= bracket.lower and parts:
            break
        top = amount if bracket.up_to is None else min(amount, bracket.up_to)
        parts.append((bracket, mul(max(top - bracket.lower, ZERO), bracket.rate)))
    return parts


def bracket_for(brackets: tuple[Bracket, ...], amount: Decimal) -> Bracket:
    """The bracket containing the amount: above its lower end, up to and including its own."""
    for bracket in brackets:
        if bracket.contains(amount):
            return bracket
    raise RuleInputError("approved_amount", "金额不在任何一档内")  # brackets end open: unreachable


def _portion(bracket: Bracket, amount: Decimal) -> str:
    top = amount if bracket.up_to is None else min(amount, bracket.up_to)
    if bracket.lower == 0:
        return fmt_money(top)
    return f"({fmt_money(top)} − {fmt_money(bracket.lower)})"


def _exact(value: Decimal) -> str:
    """A computed figure: two decimals when exact to the fen, else every digit it has."""
    return fmt_money(value) if value == value.quantize(FEN) else fmt_number(value)


def _bounded(fee: Decimal, field: str) -> None:
    if fee > MONEY.maximum:
        raise RuleInputError(field, f"该项收费超出金额上限 {MONEY.maximum:,}")


def _result(
    components: list[FeeComponent], line: FeeLine, terms: FeeTerms, header: str
) -> FeeResult:
    fee = sum((c.amount for c in components), ZERO.quantize(FEN))
    _bounded(fee, "approved_amount")
    explanation = [header, *(f"{c.label}：{c.formula}" for c in components)]
    if len(components) > 1:
        addends = " + ".join(fmt_money(c.amount) for c in components)
        explanation.append(f"公估费 = {addends} = {fmt_money(fee)}")
    else:
        explanation.append(f"公估费 = {fmt_money(fee)}")
    return FeeResult(
        fee=fee, components=components, explanation=explanation, line=line, terms=terms
    )
