"""The calculators behind the API and the pages: parsed input in, a JSON-ready dict out.

Each function reads the standards it needs from the tables (`calc.standards`), calls the
pure rules package and returns the figures (money as strings with two decimals) together
with what a reader needs to check them: `explanation` (formula lines), `inputs` (what was
used), `standard` (the table or figures used, with their source), `rounding` and
`defaults_used` (every configurable default the caller did not set).

Bad input raises `RuleInputError` naming the field by its dotted path in the API body
(`losses.0.amount`, `third_party.liability_ratio`, `standard.year`). Nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from lossdesk.calc import standards
from lossdesk.calc.countries import country_name
from lossdesk.rules import commercial as rules_commercial
from lossdesk.rules import ctpl as rules_ctpl
from lossdesk.rules import depreciation as rules_depreciation
from lossdesk.rules import injury as rules_injury
from lossdesk.rules import injury_split as rules_split
from lossdesk.rules.errors import RuleInputError, parse_date, parse_enum
from lossdesk.rules.money import fmt_pct, rate, to_fen
from lossdesk.rules.total_loss import total_loss_test
from lossdesk.rules.vin import decode_vin, normalize_vin

ROUND_FEN = "金额四舍五入到分（ROUND_HALF_UP），只在各公式注明处取整"


def money(value: Decimal | None) -> str | None:
    """Decimal → "1234.50" (two decimals, half up); None stays None."""
    return None if value is None else f"{to_fen(value):.2f}"


def plain(value: Decimal) -> str:
    """A ratio or rate as a plain string without exponent: Decimal("0.70") → "0.70"."""
    return f"{value:f}"


def jsonable(value: Any) -> Any:
    """The validated input echoed back: Decimals and dates as strings, lists and dicts kept."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _prefixed(prefix: str, exc: RuleInputError) -> RuleInputError:
    return RuleInputError(f"{prefix}.{exc.field}", exc.message)


# ------------------------------------------------------------------------------------ VIN


def vin(text: str, today: date | None = None) -> dict:
    """Decode a VIN with the WMI table. A malformed VIN raises; a bad check digit does not."""
    normalized = normalize_vin(text)
    wmi = normalized[:3]
    small_code = wmi + normalized[11:14] if wmi[2] == "9" else None
    rows = standards.wmi_rows([k for k in (wmi, small_code) if k])
    table = {
        code: (row.manufacturer, row.manufacturer_zh, row.country) for code, row in rows.items()
    }
    info = decode_vin(normalized, table, today or timezone.localdate())
    country = country_name(info.country)
    row = rows.get(small_code) if small_code else None
    row = row or rows.get(wmi)

    explanation = ["VIN 共 17 位，只含数字和除 I、O、Q 以外的字母"]
    if info.check_digit_ok:
        explanation.append(
            f"校验位（第9位）{info.vin[8]} 与计算值 {info.expected_check_digit} 一致"
        )
    else:
        explanation.append(
            f"校验位（第9位）为 {info.vin[8]}，按 GB 16735 / ISO 3779 计算应为 "
            f"{info.expected_check_digit}：VIN 可能抄录有误，请核对"
        )
    if row is not None:
        name = " / ".join(x for x in (row.manufacturer_zh, row.manufacturer) if x)
        explanation.append(
            f"WMI {row.wmi} → {name}" + (f"（来源：{row.source}）" if row.source else "")
        )
    else:
        explanation.append(f"WMI {wmi} 不在本系统的 WMI 表中，制造厂未知")
    explanation.append(f"国家/地区：{country}" if country else "国家/地区：未能由 VIN 前两位确定")
    if info.model_year:
        explanation.append(
            f"年份代码（第10位）{info.vin[9]} → {info.model_year}年"
            "（30 年一循环，取不晚于明年的年份）"
        )
    else:
        explanation.append(f"第10位 {info.vin[9]} 不是年份代码")
    return {
        "vin": info.vin,
        "check_digit_ok": info.check_digit_ok,
        "check_digit": info.vin[8],
        "expected_check_digit": info.expected_check_digit,
        "wmi": info.wmi,
        "manufacturer": info.manufacturer,
        "manufacturer_zh": info.manufacturer_zh,
        "country": country,
        "model_year": info.model_year,
        "small_maker": info.small_maker,
        "wmi_entry": None
        if row is None
        else {"code": row.wmi, "source": row.source, "note": row.note},
        "explanation": explanation,
    }


# --------------------------------------------------------------- actual value, total loss


def actual_value(data: Mapping[str, Any]) -> dict:
    """Depreciation and actual value (§2.5); with `repair_cost`, the total-loss test (§2.6)."""
    months = data.get("months")
    first_registration = data.get("first_registration")
    accident_date = data.get("accident_date")
    explanation: list[str] = []
    defaults: list[str] = []

    if months is None and first_registration is None:
        raise RuleInputError("months", "请填写已使用月数，或填写初次登记日期和出险日期")
    if months is not None and first_registration is not None:
        raise RuleInputError("months", "已使用月数与初次登记日期只填一项")
    if first_registration is not None:
        if accident_date is None:
            raise RuleInputError("accident_date", "按初次登记日期计算时须填写出险日期")
        months = rules_depreciation.whole_months(first_registration, accident_date)
        explanation.append(
            f"已使用月数：{first_registration} 初次登记至 {accident_date} 出险，"
            f"满 {months} 个月（不足一个月的不计）"
        )
    if accident_date is None:
        today = timezone.localdate()
        defaults.append(f"未填出险日期：按今天（{today}）选用折旧系数表")

    table = standards.depreciation_table(accident_date)
    result = rules_depreciation.actual_value(
        rules_depreciation.ActualValueInput(
            new_price=data["new_price"],
            vehicle_class=data["vehicle_class"],
            use=data["use"],
            months=months,
        ),
        table,
    )
    explanation.extend(result.explanation)

    total_loss = None
    extra = {k: data.get(k) for k in ("repair_cost", "salvage_value", "sum_insured")}
    if any(v is not None for v in extra.values()):
        if extra["repair_cost"] is None:
            raise RuleInputError("repair_cost", "推定全损测试须填写修复费用")
        if extra["salvage_value"] is None:
            defaults.append("未填残值：按 0 计")
        test = total_loss_test(
            extra["repair_cost"],
            result.actual_value,
            extra["salvage_value"] or 0,
            extra["sum_insured"],
        )
        explanation.extend(test.explanation)
        total_loss = {
            "is_constructive_total_loss": test.is_constructive_total_loss,
            "basis": money(test.basis),
            "payable_on_total_loss": money(test.payable_on_total_loss),
            "explanation": test.explanation,
        }

    return {
        "monthly_rate": plain(result.monthly_rate),
        "months": result.months,
        "depreciation_rate": plain(result.depreciation_rate.quantize(Decimal("0.0001"))),
        "capped": result.capped,
        "depreciation": money(result.depreciation),
        "actual_value": money(result.actual_value),
        "total_loss": total_loss,
        "standard": {
            "name": table.name,
            "effective_from": table.effective_from.isoformat(),
            "cap": plain(table.cap),
            "source": table.source,
        },
        "inputs": jsonable(data),
        "explanation": explanation,
        "rounding": "折旧金额四舍五入到分（ROUND_HALF_UP）；实际价值 = 新车购置价 − 折旧金额；"
        "按整月计算，不足一个月的不计",
        "defaults_used": defaults,
    }


# -------------------------------------------------------------------------------- CTPL


def _payment(p: rules_ctpl.Payment) -> dict:
    return {
        "payer": p.payer,
        "victim": p.victim,
        "kind": p.kind.value,
        "kind_label": rules_ctpl.KIND_LABELS[p.kind],
        "amount": money(p.amount),
    }


def _item_limits(items: rules_ctpl.ItemLimits) -> dict:
    return {kind.value: money(items.for_kind(kind)) for kind in rules_ctpl.LossKind}


def ctpl(data: Mapping[str, Any]) -> dict:
    """CTPL apportionment among the vehicles of one accident (§1.2–1.5)."""
    vehicles = [
        rules_ctpl.Vehicle(id=v["id"], at_fault=v["at_fault"]) for v in data.get("vehicles", [])
    ]
    losses = [
        rules_ctpl.Loss(
            victim=loss["victim"],
            kind=loss["kind"],
            amount=loss["amount"],
            vehicle_id=loss.get("vehicle_id") or None,
        )
        for loss in data.get("losses", [])
    ]
    no_fault_proxy = data.get("no_fault_proxy", False)
    result = rules_ctpl.apportion(
        rules_ctpl.CtplInput(
            accident_date=data["accident_date"],
            vehicles=vehicles,
            losses=losses,
            no_fault_proxy=no_fault_proxy,
        ),
        standards.ctpl_tables(),
    )
    limits = result.limits_used
    defaults = [] if "no_fault_proxy" in data else ["未指定无责代赔：按不适用（false）计算"]
    return {
        "payments": [_payment(p) for p in result.payments],
        "proxy_payments": [_payment(p) for p in result.proxy_payments],
        "first_pass": [_payment(p) for p in result.first_pass],
        "totals": {vid: money(amount) for vid, amount in result.totals.items()},
        "total_paid": money(sum(result.totals.values(), Decimal(0))),
        "shortfalls": [
            {
                "victim": s.victim,
                "kind": s.kind.value,
                "kind_label": rules_ctpl.KIND_LABELS[s.kind],
                "loss": money(s.loss),
                "paid": money(s.paid),
                "unpaid": money(s.unpaid),
            }
            for s in result.shortfalls
        ],
        "mutual_self_settlement": {
            "applies": result.mutual_self_settlement.applies,
            "reasons": result.mutual_self_settlement.reasons,
        },
        "standard": {
            "name": limits.name,
            "effective_from": limits.effective_from.isoformat(),
            "source": limits.source,
            "at_fault": _item_limits(limits.at_fault),
            "not_at_fault": _item_limits(limits.not_at_fault),
        },
        "inputs": jsonable(data),
        "explanation": result.explanation,
        "rounding": "各车分摊额四舍五入到分（ROUND_HALF_UP），最后一份（按限额从大到小、"
        "车辆标识排序）取差额，使分摊合计恰等于损失或限额",
        "defaults_used": defaults,
    }


# -------------------------------------------------------------------------- commercial


def _liability(value: Any) -> tuple[Decimal, str | None]:
    if isinstance(value, str) and value in rules_commercial.LiabilityLevel.__members__:
        level = rules_commercial.LiabilityLevel(value)
        return rules_commercial.LIABILITY_RATIOS[level], level.value
    return rules_commercial.liability_ratio(value), None


def _third_party(part: Mapping[str, Any], defaults: list[str]) -> dict:
    ratio, level = _liability(part.get("liability_ratio"))
    if level is not None:
        label = rules_commercial.LIABILITY_LABELS[rules_commercial.LiabilityLevel(level)]
        defaults.append(f"三者险责任比例按默认：{label} {fmt_pct(ratio)}")
    if part.get("liability_deductible_rate") is None:
        defaults.append("三者险事故责任免赔率未填：按 0（2020 版示范条款原文未核实，默认不扣）")
    result = rules_commercial.third_party_payout(
        rules_commercial.ThirdPartyInput(
            assessed_loss=part.get("assessed_loss"),
            ctpl_item_limits=part.get("ctpl_item_limits"),
            liability_ratio=ratio,
            policy_limit=part.get("policy_limit"),
            liability_deductible_rate=part.get("liability_deductible_rate") or 0,
            absolute_deductible_rates=part.get("absolute_deductible_rates") or [],
        )
    )
    return {
        "base": money(result.base),
        "liable_amount": money(result.liable_amount),
        "liability_ratio": plain(ratio),
        "liability_level": level,
        "limit_applies": result.limit_applies,
        "payout": money(result.payout),
        "explanation": result.explanation,
    }


def _own_damage(part: Mapping[str, Any], defaults: list[str]) -> dict:
    if part.get("liability_deductible_rate") is None:
        defaults.append("车损险事故责任免赔率未填：按 0（2020 版示范条款原文未核实，默认不扣）")
    total = bool(part.get("total_loss", False))
    result = rules_commercial.own_damage_payout(
        rules_commercial.OwnDamageInput(
            sum_insured=part.get("sum_insured"),
            repair_cost=part.get("repair_cost"),
            total_loss=total,
            actual_value=part.get("actual_value"),
            recovered_from_third_party=part.get("recovered_from_third_party") or 0,
            liability_deductible_rate=part.get("liability_deductible_rate") or 0,
            absolute_deductible_rates=part.get("absolute_deductible_rates") or [],
            absolute_deductible_amount=part.get("absolute_deductible_amount") or 0,
            salvage=part.get("salvage") or 0,
        )
    )
    return {
        "total_loss": result.total_loss,
        "basis": money(result.basis),
        "payout": money(result.payout),
        "capped_at_sum_insured": result.capped_at_sum_insured,
        "explanation": result.explanation,
    }


def commercial(data: Mapping[str, Any]) -> dict:
    """Commercial third-party (§2.4) and own-damage (§2.5–2.6) payouts, 2014 clause formulas."""
    third_party = data.get("third_party")
    own_damage = data.get("own_damage")
    if not third_party and not own_damage:
        raise RuleInputError("third_party", "请至少填写三者险（third_party）或车损险（own_damage）")
    defaults: list[str] = []
    explanation: list[str] = []
    out: dict[str, Any] = {"third_party": None, "own_damage": None}
    total = Decimal(0)
    for key, label, compute in (
        ("third_party", "商业三者险", _third_party),
        ("own_damage", "车损险", _own_damage),
    ):
        part = data.get(key)
        if not part:
            continue
        try:
            out[key] = compute(part, defaults)
        except RuleInputError as exc:
            raise _prefixed(key, exc) from None
        explanation.extend(f"{label}：{line}" for line in out[key]["explanation"])
        total += Decimal(out[key]["payout"])
    out.update(
        {
            "total": money(total),
            "standard": {
                "name": "机动车综合商业保险示范条款（2014版）第19、35条赔款公式",
                "source": "2014 版商业车险示范条款原文；2020 版条款原文未核实",
            },
            "inputs": jsonable(data),
            "explanation": explanation,
            "rounding": "赔款四舍五入到分（ROUND_HALF_UP），中间结果不取整",
            "defaults_used": defaults,
        }
    )
    return out


# ------------------------------------------------------------------------------ injury

INJURY_AMOUNT_FIELDS = (
    "medical_amount",
    "daily_income",
    "annual_income",
    "lost_income_amount",
    "nursing_daily_rate",
    "transport_amount",
    "hospital_food_daily",
    "nutrition_daily",
    "assistive_devices_amount",
    "mental_distress_amount",
    "appraisal_fee_amount",
)
INJURY_COUNT_FIELDS = {
    "lost_income_days": 0,
    "nursing_days": 0,
    "nursing_carers": 1,
    "hospital_days": 0,
    "nutrition_days": 0,
}


def _standard(
    spec: Mapping[str, Any] | None, accident_date: date | None = None
) -> tuple[rules_injury.Standard, dict, bool]:
    """(Standard, its description, named?) from {"province"[,"year"][,"region"]} or figures.

    With an accident date a named row must be in force that day (else an error on
    `standard` naming its dates and the row in force), and a province without a year picks
    the row in force; figures typed in are taken as they are."""
    if not spec:
        raise RuleInputError("standard", "请选择赔偿标准（省份和年度）或直接填写标准数值")
    named = spec.get("province") is not None or spec.get("year") is not None
    inline = spec.get("urban_disposable_income") is not None
    if named and inline:
        raise RuleInputError(
            "standard", "按省份年度选用，或直接填写城镇居民人均可支配收入等数值，二者只选其一"
        )
    if named:
        if spec.get("province") in (None, ""):
            raise RuleInputError("standard.province", "请填写省份")
        if spec.get("year") is None and accident_date is None:
            raise RuleInputError(
                "standard.year", "请填写统计年度，或填写出险日期以选用当日适用的标准"
            )
        try:
            span = standards.compensation_standard_for(
                spec["province"], spec.get("year"), spec.get("region"), accident_date
            )
        except RuleInputError as exc:
            if exc.field == "standard":
                raise
            raise _prefixed("standard", exc) from None
        row = span.row
        std = row.to_standard()
        info = {
            "kind": "table",
            "province": row.province,
            "region": row.region,
            "year": row.data_year,
            "label": std.label,
            "effective_from": span.start.isoformat(),
            "effective_to": span.end.isoformat() if span.end else None,
            "in_force": span.period,
            "urban_disposable_income": money(row.urban_disposable_income),
            "urban_consumption": money(row.urban_consumption),
            "average_wage": money(row.average_wage),
            "wage_label": row.wage_label,
            "wage_year": row.wage_year,
            "source": row.source,
            "note": row.note,
        }
        return std, info, True
    if not inline:
        raise RuleInputError("standard.urban_disposable_income", "请填写城镇居民人均可支配收入")
    label = spec.get("label") or "调用方填写的标准"
    std = rules_injury.Standard(
        urban_disposable_income=spec["urban_disposable_income"],
        urban_consumption=spec.get("urban_consumption"),
        average_wage=spec.get("average_wage"),
        label=label,
        wage_label=spec.get("wage_label") or "",
        source=spec.get("source") or "调用方直接填写",
    )
    info = {
        "kind": "inline",
        "label": label,
        "urban_disposable_income": money(Decimal(spec["urban_disposable_income"])),
        "urban_consumption": money(spec.get("urban_consumption")),
        "average_wage": money(spec.get("average_wage")),
        "wage_label": std.wage_label,
        "source": std.source,
    }
    return std, info, False


def _addon_rule(spec: Mapping[str, Any] | None) -> rules_injury.AddonRule:
    """The add-on rule for several disabilities; fields not given keep the default's value."""
    default = rules_injury.DEFAULT_ADDON_RULE
    if not spec:
        return default
    kind = parse_enum(rules_injury.AddonKind, spec.get("kind") or default.kind.value, "kind")
    fixed_rate = rate(spec.get("fixed_rate") or 0, "fixed_rate")
    grade_table: dict[int, Decimal] = {}
    for key, value in (spec.get("grade_table") or {}).items():
        grade = int(key) if str(key).isdigit() else 0
        if not 1 <= grade <= 10:
            raise RuleInputError(f"grade_table.{key}", "伤残等级须为 1 到 10")
        grade_table[grade] = rate(value, f"grade_table.{key}")
    if kind is rules_injury.AddonKind.grade_table and not grade_table:
        raise RuleInputError("grade_table", "按附加指数表计算时须填写附加指数表")
    extras_cap = spec.get("extras_cap", default.extras_cap)  # an explicit None: no cap
    if extras_cap is not None:
        extras_cap = rate(extras_cap, "extras_cap")
    total_cap = rate(
        default.total_cap if spec.get("total_cap") is None else spec["total_cap"], "total_cap"
    )
    absorbs = spec.get("grade_one_absorbs")
    absorbs = default.grade_one_absorbs if absorbs is None else bool(absorbs)

    how = {
        rules_injury.AddonKind.tenth_of_grade: "每处增加其伤残赔偿指数的十分之一",
        rules_injury.AddonKind.per_extra_fixed: f"每处增加 {fmt_pct(fixed_rate)}",
        rules_injury.AddonKind.grade_table: "按附加指数表（"
        + "，".join(
            f"{rules_injury.GRADE_LABELS[g]} {fmt_pct(v)}" for g, v in sorted(grade_table.items())
        )
        + "）",
    }[kind]
    label = (
        f"多处伤残：{how}，"
        + (f"附加合计≤{fmt_pct(extras_cap)}" if extras_cap is not None else "附加合计不设上限")
        + f"，总计≤{fmt_pct(total_cap)}"
        + ("，一级吸收其余" if absorbs else "")
    )
    return rules_injury.AddonRule(
        kind=kind,
        fixed_rate=fixed_rate,
        grade_table=grade_table,
        extras_cap=extras_cap,
        total_cap=total_cap,
        grade_one_absorbs=absorbs,
        label=label,
    )


def injury(data: Mapping[str, Any]) -> dict:
    """Every item of 法释〔2022〕14号 that applies to the outcome and has its inputs (§3).

    With `accident_date`, a standard chosen from the table must be in force on that day (a
    province without a year picks the row in force). With `split` (`at_fault`,
    `third_party`, `liability_ratio`, `commercial_limit` and the deductible rates), the
    answer's `split` is `injury_split` of the items on the accident
    date, which is then required; without it `split` is None."""
    accident_date = data.get("accident_date")
    if accident_date is not None:
        accident_date = parse_date(accident_date, "accident_date")
    split_spec = data.get("split")
    if split_spec and accident_date is None:
        raise RuleInputError(
            "accident_date", "计算交强险与商业三者险分摊时须填写出险日期（按当日有效的交强险限额）"
        )
    std, std_info, named = _standard(data.get("standard"), accident_date)
    defaults: list[str] = []
    addon_spec = data.get("addon_rule")
    try:
        rule = _addon_rule(addon_spec)
    except RuleInputError as exc:
        raise _prefixed("addon_rule", exc) from None
    grades = list(data.get("disability_grades") or [])
    outcome = data.get("outcome")
    if outcome == rules_injury.Outcome.disability.value and not addon_spec and len(grades) > 1:
        defaults.append(f"多处伤残附加规则按默认：{rule.label}")

    counts = {}
    for name, fallback in INJURY_COUNT_FIELDS.items():
        value = data.get(name)
        counts[name] = fallback if value is None else value
    dependants = [
        rules_injury.Dependant(
            age=d.get("age"),
            supporters=1 if d.get("supporters") is None else d["supporters"],
            unable_to_work=bool(d.get("unable_to_work", False)),
        )
        for d in data.get("dependants") or []
    ]
    payload = rules_injury.InjuryInput(
        age=data.get("age"),
        outcome=outcome,
        standard=std,
        disability_grades=grades,
        dependants=dependants,
        addon_rule=rule,
        **{name: data.get(name) for name in INJURY_AMOUNT_FIELDS},
        **counts,
    )
    try:
        result = rules_injury.compute_injury(payload)
    except RuleInputError as exc:
        if named and exc.field.startswith("standard."):
            raise RuleInputError(
                exc.field,
                f"{exc.message}（{std_info['label']} 未收录该项，可在标准表中补充，"
                "或改为直接填写标准数值）",
            ) from None
        raise

    coefficient = None
    if outcome == rules_injury.Outcome.disability.value:
        coefficient = plain(rules_injury.disability_coefficient(grades, rule))
    explanation = list(result.explanation)
    if named and accident_date is not None:
        explanation.insert(
            1,
            f"出险日期 {accident_date.isoformat()}：适用 {std_info['label']}"
            f"（{std_info['in_force']}）",
        )
    items = {
        key: {"label": item.label, "amount": money(item.amount), "formula": item.formula}
        for key, item in result.items.items()
    }
    split = None
    if split_spec:
        split = _split_from_spec(items, accident_date, split_spec)
    return {
        "items": items,
        "split": split,
        "total": money(result.total),
        "compensation_years": rules_injury.compensation_years(payload.age),
        "disability_coefficient": coefficient,
        "standard": std_info,
        "inputs": jsonable(data),
        "explanation": explanation,
        "rounding": "各项分别计算，在每项末尾四舍五入到分（ROUND_HALF_UP）；合计为各项之和",
        "defaults_used": defaults,
    }


# ------------------------------------------------------------------------ injury split

SPLIT_ROUNDING = (
    "各项金额四舍五入到分；交强险按分项取 min(分项金额, 分项限额)；三者险赔款由未取整的"
    "应承担金额乘以免赔系数后四舍五入到分（ROUND_HALF_UP）；保险未赔 = 合计 − 交强险 − 三者险"
)


def _split_from_spec(items: dict, accident_date: date, spec: Mapping[str, Any]) -> dict:
    """The API's `split` object → `injury_split`, its errors named under `split.`."""
    try:
        split = injury_split(
            items,
            accident_date,
            spec.get("at_fault"),
            True if spec.get("third_party") is None else spec["third_party"],
            spec.get("liability_ratio"),
            spec.get("commercial_limit"),
            liability_deductible_rate=spec.get("liability_deductible_rate"),
            absolute_deductible_rates=spec.get("absolute_deductible_rates"),
        )
    except RuleInputError as exc:
        if exc.field == "accident_date":
            raise
        raise RuleInputError(f"split.{exc.field}", exc.message) from None
    if spec.get("third_party") is None:
        split["defaults_used"].insert(0, "未指定受害人是否为第三者：按第三者（非本车车上人员）计算")
    return split


def injury_split(
    items: Mapping[str, Any],
    accident_date: date,
    at_fault: bool,
    third_party: bool = True,
    liability_ratio: Any = None,
    commercial_limit: Any = None,
    *,
    liability_deductible_rate: Any = None,
    absolute_deductible_rates: Any = None,
) -> dict:
    """One injured person's compensation split into CTPL, commercial 三者险 and the rest.

    Contract (the injury line calls this with the case's data):

    * `items`: item key → amount, keys as `injury()` answers them (`medical`,
      `lost_income`, …, `mental_distress`, `appraisal_fee`: 鉴定费, which CTPL does not
      cover); an amount is a Decimal, int or decimal string, or an `injury()` item dict
      (`{"amount": "…", …}`), so a saved compensation's `items` can be passed as they are.
      None amounts are left out.
    * `accident_date`: picks the CTPL limit table in force (`CtplLimitTable`).
    * `at_fault`: the insured vehicle's CTPL is 有责 (True) or 无责 (False).
    * `third_party`: False for the insured vehicle's own driver or passengers (and the
      insured): CTPL and 三者险 then pay nothing.
    * `liability_ratio`: a level name (`full`, `major`, `equal`, `minor`, `none`) or a
      number in [0, 1]; may be None only when the vehicle is 无责 (then 0) or the person is
      not a third party.
    * `commercial_limit`: the 三者险 per-accident limit; None: no cap.
    * `liability_deductible_rate` (事故责任免赔率) and `absolute_deductible_rates`
      (绝对免赔率, summed): None is 0.

    Returns the JSON-ready `split` block of `POST /api/v1/calc/injury` (amounts as strings
    with two decimals): `accident_date`; `ctpl` (the table: `name`, `effective_from`,
    `source`, `at_fault`, the applied `limits` per 分项); `third_party`; `parts` (医疗费用 then
    死亡伤残: `kind`, `label`, `items` {key: {label, amount}}, `amount`, `limit`,
    `ctpl_paid`, `excess`); `uncovered` (`items`, `amount`); `total`; `ctpl_total`;
    `commercial` (`base`, `liability_ratio`, `liability_level`, `liable_amount`, `limit`,
    `limit_applies`, `liability_deductible_rate`, `absolute_deductible_rate`, `payout`);
    `insurance_total` (CTPL + 三者险); `unpaid`; `explanation`; `rounding`;
    `defaults_used`. Bad input raises `RuleInputError` named by these parameters
    (`liability_ratio`, `commercial_limit`, `items.<key>`, `accident_date`, …). Reads one
    table (the CTPL limits); writes nothing.
    """
    if accident_date is None:
        raise RuleInputError("accident_date", "请填写出险日期（按当日有效的交强险限额）")
    accident_date = parse_date(accident_date, "accident_date")
    limits = rules_ctpl.limits_for(accident_date, standards.ctpl_tables())
    amounts = {
        key: value.get("amount") if isinstance(value, Mapping) else value
        for key, value in (items or {}).items()
    }
    result = rules_split.split_injury(
        rules_split.SplitInput(
            items=amounts,
            limits=limits,
            at_fault=at_fault,
            third_party=third_party,
            liability_ratio=liability_ratio,
            commercial_limit=commercial_limit,
            liability_deductible_rate=liability_deductible_rate or 0,
            absolute_deductible_rates=absolute_deductible_rates or [],
        )
    )
    defaults = list(result.defaults_used)
    if liability_deductible_rate is None and result.third_party:
        defaults.append("三者险事故责任免赔率未填：按 0（2020 版示范条款原文未核实，默认不扣）")

    def labelled(amounts: Mapping[str, Decimal]) -> dict:
        return {
            key: {"label": rules_injury.ITEM_LABELS[key], "amount": money(value)}
            for key, value in amounts.items()
        }

    first, *rest = result.explanation
    explanation = [f"出险日期 {accident_date.isoformat()}，{first}", *rest]
    return {
        "accident_date": accident_date.isoformat(),
        "ctpl": {
            "name": limits.name,
            "effective_from": limits.effective_from.isoformat(),
            "source": limits.source,
            "at_fault": result.at_fault,
            "limits": {p.kind.value: money(p.limit) for p in result.parts},
        },
        "third_party": result.third_party,
        "parts": [
            {
                "kind": p.kind.value,
                "label": p.label,
                "items": labelled(p.items),
                "amount": money(p.amount),
                "limit": money(p.limit),
                "ctpl_paid": money(p.ctpl_paid),
                "excess": money(p.excess),
            }
            for p in result.parts
        ],
        "uncovered": {"items": labelled(result.uncovered), "amount": money(result.uncovered_total)},
        "total": money(result.total),
        "ctpl_total": money(result.ctpl_total),
        "commercial": {
            "base": money(result.commercial_base),
            "liability_ratio": plain(result.liability_ratio),
            "liability_level": result.liability_level.value if result.liability_level else None,
            "liable_amount": money(result.commercial_liable),
            "limit": money(result.commercial_limit),
            "limit_applies": result.commercial_limit_applies,
            "liability_deductible_rate": plain(result.liability_deductible_rate),
            "absolute_deductible_rate": plain(result.absolute_deductible_rate),
            "payout": money(result.commercial_payout),
        },
        "insurance_total": money(result.ctpl_total + result.commercial_payout),
        "unpaid": money(result.unpaid),
        "explanation": explanation,
        "rounding": SPLIT_ROUNDING,
        "defaults_used": defaults,
    }
