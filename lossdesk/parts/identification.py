"""Vehicle identification (车辆定型): a VIN's candidate models through the VIN rules, ranked,
each with the reason; and the manual path by make / series / year."""

from dataclasses import dataclass, field, replace
from datetime import date

from django.db.models import Q

from lossdesk.calc.countries import country_name
from lossdesk.core.errors import ErrorCode, ServiceError
from lossdesk.parts.error_codes import PartsErrorCode
from lossdesk.parts.models import Make, VehicleModel, VinRule
from lossdesk.rules.errors import RuleInputError
from lossdesk.rules.vin import SEED_WMIS, VinInfo, decode_vin

MAX_CANDIDATES = 50
# Scores: a rule whose year range holds the VIN's model year beats any rule that does not;
# within each, more fixed VDS characters win, then the rule's priority.
EXACT = 1000
NEAR = 500
WMI_ONLY = 100


def wmi_table():
    """The firm's WMI table (calc app) when it is there, else the seed table."""
    try:
        from lossdesk.calc.standards import wmi_table as calc_wmi_table
    except ImportError:
        return SEED_WMIS
    try:
        return calc_wmi_table() or SEED_WMIS
    except Exception:  # the table not migrated yet: the seed table is the same data
        return SEED_WMIS


@dataclass
class Candidate:
    model: VehicleModel
    score: int
    reason: str
    rule: VinRule | None = None
    exact: bool = True


@dataclass
class VinIdentification:
    info: VinInfo
    candidates: list[Candidate] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ambiguous(self) -> bool:
        """Several candidates share the best score: the assessor must pick one."""
        top = [c for c in self.candidates if c.score == self.candidates[0].score]
        return len(top) > 1 if self.candidates else False


def _rule_reason(rule: VinRule, info: VinInfo, vds: str, year_ok: bool) -> str:
    maker = info.manufacturer_zh or info.manufacturer or "未知厂商"
    parts = [
        f"WMI {info.wmi}（{maker}）",
        f"VDS {vds} 符合规则 {rule.vds_pattern}（{rule.specificity}/5 位确定）",
    ]
    year_code = info.vin[9]
    if info.model_year is None:
        parts.append(f"年款代码 {year_code} 无效")
    elif year_ok:
        parts.append(
            f"年款代码 {year_code} = {info.model_year}，在 {rule.year_from}–{rule.year_to} 内"
        )
    else:
        parts.append(
            f"年款代码 {year_code} = {info.model_year}，不在 {rule.year_from}–{rule.year_to} 内"
        )
    if rule.note:
        parts.append(rule.note)
    return "；".join(parts)


def identify_vin(vin: str, *, today: date | None = None) -> VinIdentification:
    try:
        info = decode_vin(vin, wmi_table(), today=today)
    except RuleInputError as exc:
        raise ServiceError(
            f"VIN 不正确：{exc.message}",
            code=PartsErrorCode.VIN_INVALID,
            fields={"vin": [exc.message]},
        ) from exc
    info = replace(info, country=country_name(info.country))
    result = VinIdentification(info=info)
    if not info.check_digit_ok:
        result.warnings.append(
            f"VIN 校验位（第9位）应为 {info.expected_check_digit}，请核对车架号；结果仅供参考。"
        )
    vds = info.vin[3:8]
    best: dict[int, Candidate] = {}
    rules = VinRule.objects.filter(wmi=info.wmi).select_related("model__series__make")
    for rule in rules:
        if not rule.vds_matches(vds):
            continue
        year_ok = info.model_year is not None and rule.year_from <= info.model_year <= rule.year_to
        score = (EXACT if year_ok else NEAR) + rule.specificity * 10 + rule.priority
        candidate = Candidate(
            rule.model, score, _rule_reason(rule, info, vds, year_ok), rule, exact=year_ok
        )
        if rule.model_id not in best or best[rule.model_id].score < score:
            best[rule.model_id] = candidate
    candidates = list(best.values())
    if any(c.exact for c in candidates):
        candidates = [c for c in candidates if c.exact]
    elif candidates:
        result.warnings.append("没有年款相符的规则，以下为年款不符的候选车型，请人工确认。")
    else:
        candidates = _wmi_only(info)
        if candidates:
            result.warnings.append("VIN 规则库没有匹配的车型，以下按品牌与年款列出，请人工选择。")
        else:
            result.warnings.append("无法识别该 VIN 的车型，请按品牌、车系、年款手工选择。")
    candidates.sort(
        key=lambda c: (
            -c.score,
            c.model.series.name,
            c.model.year,
            c.model.trim_level,
            c.model.code,
        )
    )
    result.candidates = candidates[:MAX_CANDIDATES]
    return result


def _wmi_only(info: VinInfo) -> list[Candidate]:
    makes = list(Make.objects.filter(wmi_codes__contains=info.wmi))
    if not makes or info.model_year is None:
        return []
    models = (
        VehicleModel.objects.filter(series__make__in=makes, year=info.model_year)
        .select_related("series__make")
        .order_by("series__name", "trim_level", "code")[:MAX_CANDIDATES]
    )
    return [
        Candidate(
            m,
            WMI_ONLY,
            f"WMI {info.wmi} 属于品牌 {m.series.make.name}，年款代码 {info.vin[9]} = "
            f"{info.model_year}；VDS {info.vin[3:8]} 无匹配规则，车系与配置需人工确认",
            exact=False,
        )
        for m in models
    ]


def models_by_path(make: str = "", series: str = "", year: str = ""):
    """Manual path: models of a make (id or name), optionally one series (id or name) and a
    model year. Raises ServiceError for a year that is not a number."""
    qs = VehicleModel.objects.select_related("series__make")
    errors = {}
    if make:
        qs = qs.filter(
            Q(series__make_id=int(make)) if make.isdigit() else Q(series__make__name=make)
        )
    if series:
        qs = qs.filter(Q(series_id=int(series)) if series.isdigit() else Q(series__name=series))
    if year:
        if not year.isdigit() or not 1950 <= int(year) <= 2100:
            errors["year"] = ["年款应为四位年份。"]
        else:
            qs = qs.filter(year=int(year))
    if errors:
        raise ServiceError("查询条件有误。", code=ErrorCode.INVALID, fields=errors)
    return qs.order_by("series__make__name", "series__name", "year", "trim_level", "code")
