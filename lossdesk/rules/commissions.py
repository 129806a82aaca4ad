"""Commissions (提成/佣金): what one person earns on one case for one role (issue 14 §5).

A commission rule is made for a role on a case (``CommissionRole``: the surveyor who
surveyed, the assessor who priced loss items, the reviewer who approved, the dispatcher who
sent the surveyor). Its terms (``parse_terms``; ``CommissionTerms.as_json`` writes them back
canonical) combine any of:

* ``rate``: a share of the case's fee (公估费), e.g. ``"0.08"`` is 8%;
* ``per_case``: a fixed amount per case;
* ``per_unit``: a fixed amount per unit of the role's work: a survey, a loss item assessed,
  an approval, a dispatch.

When several people hold one role on a case (two assessors, two review levels), the role's
share and its ``per_case`` amount are split in proportion to each person's units
(``units`` / ``role_units``); ``per_unit`` pays each person's own units.

An optional ``multiplier`` per person (e.g. ``"1.10"``) scales the line; absent it is 1. A
rule may instead turn the person's KPI score for the month (考核得分, 0–100) into the
multiplier by its ``score_multipliers`` bands: ``[{"from_score": "0", "multiplier":
"0.90"}, {"from_score": "80", "multiplier": "1.00"}, {"from_score": "90", "multiplier":
"1.10"}]`` — the band with the highest ``from_score`` at or below the score applies; no
score (no targets in force) or a score below every band leaves the line at 1.

A line is computed exactly and rounded half up to the fen once, at its end; a sheet's total
is the sum of its rounded lines. Each line has its explanation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from .errors import RuleInputError, RuleInputErrors, parse_enum
from .money import (
    FEN,
    MONEY,
    ONE,
    ZERO,
    Amount,
    AmountError,
    Number,
    div,
    fmt_money,
    fmt_number,
    fmt_pct,
    mul,
    parse_amount,
    to_fen,
)


class CommissionRole(StrEnum):
    surveyor = "surveyor"
    assessor = "assessor"
    reviewer = "reviewer"
    dispatcher = "dispatcher"


ROLE_LABELS: dict[CommissionRole, str] = {
    CommissionRole.surveyor: "查勘",
    CommissionRole.assessor: "定损",
    CommissionRole.reviewer: "审核",
    CommissionRole.dispatcher: "调度",
}
# What one unit of a role's work is, as the explanation counts it ("2 个标的").
UNIT_LABELS: dict[CommissionRole, str] = {
    CommissionRole.surveyor: "次查勘",
    CommissionRole.assessor: "个标的",
    CommissionRole.reviewer: "次审核通过",
    CommissionRole.dispatcher: "次调度",
}

TERM_KEYS: tuple[str, ...] = ("rate", "per_case", "per_unit")
MAX_BANDS = 10
_SCORE = Amount(max_digits=4, places=1)  # a KPI score: 0–100, one decimal
RATE_PLACES = 6
_RATE = Amount(max_digits=20, places=RATE_PLACES)
# A multiplier: a ratio in [0, 10] with at most 4 decimals ("1.1", "0.85").
MULTIPLIER_PLACES = 4
_MULTIPLIER = Amount(max_digits=6, places=MULTIPLIER_PLACES)
MAX_MULTIPLIER = Decimal(10)
MAX_UNITS = 9999
RATE_HINT = "比例须为 0 到 1 之间的小数（0.08 即 8%）"


@dataclass(frozen=True, slots=True)
class CommissionTerms:
    """A commission rule's terms, checked: at least one of rate, per_case, per_unit."""

    rate: Decimal | None = None
    per_case: Decimal | None = None
    per_unit: Decimal | None = None
    # (from score, multiplier), ascending by score.
    score_multipliers: tuple[tuple[Decimal, Decimal], ...] = ()

    def as_json(self) -> dict:
        body: dict = {}
        if self.rate is not None:
            body["rate"] = fmt_number(self.rate) if self.rate else "0"
        for key in ("per_case", "per_unit"):
            value = getattr(self, key)
            if value is not None:
                body[key] = fmt_money(value)
        if self.score_multipliers:
            body["score_multipliers"] = [
                {"from_score": fmt_number(low), "multiplier": fmt_number(multiplier)}
                for low, multiplier in self.score_multipliers
            ]
        return body

    def multiplier_for(self, score: Decimal | None) -> Decimal | None:
        """The multiplier of the band `score` falls in; None without a score or a band."""
        if score is None:
            return None
        found = None
        for low, multiplier in self.score_multipliers:
            if score >= low:
                found = multiplier
        return found


@dataclass(frozen=True, slots=True)
class CommissionInput:
    """One person's part in one case: the case's ``fee`` (the basis of ``rate``), their
    ``units`` of the role's work and the ``role_units`` of everyone in the role on the case
    (``units`` ≤ ``role_units``), and their optional ``multiplier`` — or their KPI
    ``score`` for the terms' ``score_multipliers`` to turn into one."""

    role: CommissionRole | str
    fee: Number
    units: int = 1
    role_units: int | None = None  # None: the person holds the role alone (= units)
    multiplier: Number | None = None
    score: Number | None = None


@dataclass(frozen=True, slots=True)
class CommissionPart:
    code: str  # rate, per_case, per_unit
    label: str
    exact: Decimal
    formula: str


@dataclass(frozen=True, slots=True)
class CommissionResult:
    amount: Decimal
    exact: Decimal
    multiplier: Decimal
    parts: list[CommissionPart]
    explanation: list[str]


# ------------------------------------------------------------------------------ terms


def parse_terms(body: object) -> CommissionTerms:
    """Check a rule's terms; bad input raises ``RuleInputError`` naming the key
    (``RuleInputErrors`` when several are bad)."""
    if isinstance(body, CommissionTerms):
        return body
    if not isinstance(body, Mapping):
        raise RuleInputError("terms", '提成条款须为对象，如 {"rate": "0.08", "per_unit": "5.00"}')
    errors = [
        RuleInputError(str(key), "未知字段")
        for key in sorted(set(body) - {*TERM_KEYS, "score_multipliers"})
    ]
    values: dict = {}
    for key in TERM_KEYS:
        if body.get(key) is None:
            continue
        try:
            values[key] = _rate(body[key], key) if key == "rate" else _money(body[key], key)
        except RuleInputError as exc:
            errors.append(exc)
    bands = _bands(body.get("score_multipliers"), errors)
    if not values and not errors:
        errors.append(
            RuleInputError(
                "rate", "至少填写一项：rate（公估费比例）、per_case（每案）、per_unit（每件）"
            )
        )
    if errors:
        raise errors[0] if len(errors) == 1 else RuleInputErrors(errors)
    return CommissionTerms(**values, score_multipliers=bands)


def _bands(body: object, errors: list[RuleInputError]) -> tuple[tuple[Decimal, Decimal], ...]:
    """The score bands, each named ``score_multipliers.<i>.<key>`` when bad."""
    if body is None or body == []:
        return ()
    field = "score_multipliers"
    if not isinstance(body, list) or len(body) > MAX_BANDS:
        errors.append(RuleInputError(field, f"须为 1 到 {MAX_BANDS} 个分段的列表"))
        return ()
    bands: list[tuple[Decimal, Decimal]] = []
    for i, band in enumerate(body):
        if not isinstance(band, Mapping) or set(band) != {"from_score", "multiplier"}:
            errors.append(
                RuleInputError(f"{field}.{i}", '须为 {"from_score": "90", "multiplier": "1.10"}')
            )
            continue
        try:
            low = parse_score(band["from_score"], f"{field}.{i}.from_score")
            multiplier = parse_multiplier(band["multiplier"], f"{field}.{i}.multiplier")
        except RuleInputError as exc:
            errors.append(exc)
            continue
        if bands and low <= bands[-1][0]:
            errors.append(
                RuleInputError(f"{field}.{i}.from_score", "分段须按起始得分从低到高排列，且不重复")
            )
            continue
        bands.append((low, multiplier))
    return tuple(bands)


def parse_score(value: object, field: str = "score") -> Decimal:
    """A KPI score: 0 to 100, at most one decimal."""
    try:
        result = parse_amount(_text(value, field), _SCORE, field=field)
    except AmountError as exc:
        raise RuleInputError(field, f"考核得分须为 0 到 100 之间的数：{exc.message}") from None
    if result > 100:
        raise RuleInputError(field, "考核得分须为 0 到 100 之间的数")
    return result


def _text(value: object, field: str) -> object:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise RuleInputError(field, '须为数字字符串，如 "0.08" 或 "5.00"')
    return value


def _money(value: object, field: str) -> Decimal:
    return parse_amount(_text(value, field), MONEY, field=field)


def _rate(value: object, field: str) -> Decimal:
    try:
        result = parse_amount(_text(value, field), _RATE, field=field)
    except AmountError as exc:
        raise RuleInputError(
            field, f"比例须为 0 到 1 之间的小数（0.08 即 8%）：{exc.message}"
        ) from None
    if result > 1:
        raise RuleInputError(field, RATE_HINT)
    return result


def parse_multiplier(value: object, field: str = "multiplier") -> Decimal:
    """A person's multiplier: 0 to 10, at most 4 decimals; None is 1."""
    if value is None:
        return ONE
    try:
        result = parse_amount(_text(value, field), _MULTIPLIER, field=field)
    except AmountError as exc:
        raise RuleInputError(field, f"考核系数须为 0 到 10 之间的数：{exc.message}") from None
    if result > MAX_MULTIPLIER:
        raise RuleInputError(field, "考核系数须为 0 到 10 之间的数")
    return result


# ------------------------------------------------------------------------------- line


def compute_commission(
    terms: CommissionTerms | Mapping[str, object], line: CommissionInput
) -> CommissionResult:
    """One person's commission on one case for one role, with its explanation."""
    terms = parse_terms(terms)
    role = parse_enum(CommissionRole, line.role, "role")
    if isinstance(line.fee, float):
        raise RuleInputError("fee", "须为精确数值（Decimal、整数或数字字符串），不接受浮点数")
    fee = parse_amount(_text(line.fee, "fee"), MONEY, field="fee")
    units, role_units = _units(line)
    multiplier = parse_multiplier(line.multiplier)
    scored = ""
    if line.multiplier is None and line.score is not None:
        score = parse_score(line.score)
        banded = terms.multiplier_for(score)
        if banded is not None:
            multiplier, scored = banded, f"（考核得分 {fmt_number(score)}）"
    share = div(Decimal(units), Decimal(role_units))
    unit = UNIT_LABELS[role]
    if units == role_units:
        of = ""
    else:
        of = f" × {units}/{role_units}（本人 {units} {unit}，共 {role_units} {unit}）"

    parts: list[CommissionPart] = []
    if terms.rate is not None:
        exact = mul(fee, terms.rate, share)
        formula = f"公估费 {fmt_money(fee)} × {fmt_pct(terms.rate)}{of} = {_exact(exact)}"
        parts.append(CommissionPart("rate", "按公估费比例", exact, formula))
    if terms.per_case is not None:
        exact = mul(terms.per_case, share)
        formula = f"每案 {fmt_money(terms.per_case)}{of} = {_exact(exact)}"
        parts.append(CommissionPart("per_case", "每案固定", exact, formula))
    if terms.per_unit is not None:
        exact = mul(terms.per_unit, Decimal(units))
        formula = f"{units} {unit} × {fmt_money(terms.per_unit)} = {_exact(exact)}"
        parts.append(CommissionPart("per_unit", "按件", exact, formula))

    before = sum((p.exact for p in parts), ZERO)
    exact = mul(before, multiplier)
    amount = to_fen(exact)
    if amount > MONEY.maximum:
        raise RuleInputError("fee", f"佣金超出金额上限 {MONEY.maximum:,}")
    explanation = [f"{ROLE_LABELS[role]}提成", *(f"{p.label}：{p.formula}" for p in parts)]
    addends = " + ".join(_exact(p.exact) for p in parts)
    total = f"({addends})" if len(parts) > 1 else addends
    if multiplier == ONE and line.multiplier is None and not scored:
        text = f"佣金 = {total} = {_exact(before)}"
    else:
        text = f"佣金 = {total} × 考核系数 {fmt_number(multiplier)}{scored} = {_exact(exact)}"
    if amount != exact:
        text += f" ≈ {fmt_money(amount)}（四舍五入到分）"
    explanation.append(text)
    return CommissionResult(
        amount=amount, exact=exact, multiplier=multiplier, parts=parts, explanation=explanation
    )


def _units(line: CommissionInput) -> tuple[int, int]:
    units = line.units
    if isinstance(units, bool) or not isinstance(units, int) or not 1 <= units <= MAX_UNITS:
        raise RuleInputError("units", f"件数须为 1 到 {MAX_UNITS} 的整数")
    role_units = units if line.role_units is None else line.role_units
    if isinstance(role_units, bool) or not isinstance(role_units, int):
        raise RuleInputError("role_units", "须为整数")
    if not units <= role_units <= MAX_UNITS:
        raise RuleInputError("role_units", f"本角色总件数须在 {units} 到 {MAX_UNITS} 之间")
    return units, role_units


def sheet_total(amounts: Iterable[Decimal]) -> Decimal:
    """A sheet's total: the sum of its lines, each already rounded to the fen."""
    return sum(amounts, ZERO.quantize(FEN))


def _exact(value: Decimal) -> str:
    """Two decimals when exact to the fen, else up to 6 decimals (cut, with an ellipsis)."""
    if value == value.quantize(FEN):
        return fmt_money(value)
    shown = value.quantize(Decimal("0.000001"), rounding=ROUND_DOWN)
    text = fmt_number(shown)
    return text + "…" if shown != value else text
