"""The registry of risk-alert rules (业务风险预警). Each rule has an id (`code`), a version,
its parameters with their defaults (data: `AlertRuleSetting` overrides them, checked by the
rule), and `evaluate(case, params)`, which answers None or a `Hit`: the inputs it saw and a
sentence explaining it. A change of what a rule computes is a new version; an alert keeps
the version and the parameters it was raised with (docs/quality.md)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from lossdesk.claims.choices import AccidentType, CaseStatus
from lossdesk.claims.models import Case


class RuleParamError(Exception):
    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    default: int
    low: int
    high: int


@dataclass(frozen=True)
class Hit:
    inputs: dict
    explanation: str


class Rule:
    code = ""
    version = 1
    title = ""
    params: tuple[Param, ...] = ()

    def parameters(self, raw: dict | None) -> dict:
        """The rule's parameters: the defaults overridden by `raw`, each an integer in its
        range; an unknown or bad one is a RuleParamError naming it."""
        raw = dict(raw or {})
        known = {p.name: p for p in self.params}
        for name in raw:
            if name not in known:
                raise RuleParamError(name, "不是本规则的参数")
        values = {}
        for p in self.params:
            value = raw.get(p.name, p.default)
            if isinstance(value, bool) or not isinstance(value, int):
                raise RuleParamError(p.name, f"{p.label}须为整数")
            if not p.low <= value <= p.high:
                raise RuleParamError(p.name, f"{p.label}须在 {p.low} 到 {p.high} 之间")
            values[p.name] = value
        return values

    def evaluate(self, case: Case, params: dict) -> Hit | None:
        raise NotImplementedError


def _others(case: Case, days: int, match: Q) -> list[str]:
    """Case numbers of other live cases matching `match` whose accident lies within `days`
    of this one's."""
    when = case.report.accident_time
    return list(
        Case.objects.filter(match)
        .exclude(pk=case.pk)
        .exclude(status=CaseStatus.CANCELLED)
        .filter(
            report__accident_time__gte=when - timedelta(days=days),
            report__accident_time__lte=when + timedelta(days=days),
        )
        .order_by("report__accident_time")
        .values_list("case_no", flat=True)[:20]
    )


class RepeatVehicle(Rule):
    code = "repeat_vehicle"
    title = "同一车辆短期内多次出险"
    params = (Param("days", "间隔天数", 30, 1, 365),)

    def evaluate(self, case, params):
        report = case.report
        match = Q(report__plate=report.plate)
        if report.vin:
            match |= Q(report__vin=report.vin)
        others = _others(case, params["days"], match)
        if not others:
            return None
        return Hit(
            {"plate": report.plate, "vin": report.vin, "days": params["days"], "cases": others},
            f"车辆 {report.plate} 在出险前后 {params['days']} 天内另有 {len(others)} 起案件："
            f"{'、'.join(others)}。",
        )


class RepeatPhone(Rule):
    code = "repeat_phone"
    title = "同一电话短期内多次报案"
    params = (Param("days", "间隔天数", 30, 1, 365), Param("others", "另有案件数", 2, 1, 50))

    def evaluate(self, case, params):
        phone = case.report.reporter_phone
        if not phone:
            return None
        others = _others(case, params["days"], Q(report__reporter_phone=phone))
        if len(others) < params["others"]:
            return None
        # The phone is personal data: the alert names the cases, not the number.
        return Hit(
            {"days": params["days"], "cases": others},
            f"报案电话在出险前后 {params['days']} 天内另报 {len(others)} 起案件："
            f"{'、'.join(others)}。",
        )


class LateReport(Rule):
    code = "late_report"
    title = "出险后超时报案"
    params = (Param("hours", "报案时延（小时）", 48, 1, 24 * 30),)

    def evaluate(self, case, params):
        report = case.report
        delay = report.reported_at - report.accident_time
        hours = delay.total_seconds() / 3600
        if hours <= params["hours"]:
            return None
        return Hit(
            {
                "accident_time": timezone.localtime(report.accident_time).isoformat(),
                "reported_at": timezone.localtime(report.reported_at).isoformat(),
                "delay_hours": round(hours, 1),
                "hours": params["hours"],
            },
            f"出险 {hours:.1f} 小时后才报案，超过 {params['hours']} 小时。",
        )


class NightSingleVehicle(Rule):
    code = "night_single_vehicle"
    title = "夜间单方事故"
    params = (
        Param("from_hour", "夜间起（时）", 22, 0, 23),
        Param("to_hour", "夜间止（时）", 5, 0, 23),
    )

    def evaluate(self, case, params):
        survey = getattr(case, "survey", None)
        if survey is None or survey.accident_type != AccidentType.SINGLE_VEHICLE:
            return None
        hour = timezone.localtime(case.report.accident_time).hour
        start, end = params["from_hour"], params["to_hour"]
        night = start <= hour or hour < end if start > end else start <= hour < end
        if not night:
            return None
        at = timezone.localtime(case.report.accident_time)
        return Hit(
            {"accident_time": at.isoformat(), "from_hour": start, "to_hour": end},
            f"单方事故发生在夜间 {at:%H:%M}（{start}:00–{end}:00）。",
        )


RULES: dict[str, Rule] = {
    rule.code: rule for rule in (RepeatVehicle(), RepeatPhone(), LateReport(), NightSingleVehicle())
}
