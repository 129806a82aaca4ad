"""The registry of risk-alert rules (业务风险预警). Each rule has an id (`code`), a version,
its parameters with their defaults (data: `AlertRuleSetting` overrides them, checked by the
rule), and `evaluate(case, params)`, which answers None or a `Hit`: the inputs it saw and a
sentence explaining it. A change of what a rule computes is a new version; an alert keeps
the version and the parameters it was raised with (docs/quality.md)."""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone

from lossdesk.claims.choices import AccidentType, CaseStatus, LossItemStatus, PhotoCheck
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

    def closed_cases(self):
        """Closed and cancelled cases this rule still looks at (the job skips them for every
        other rule): a queryset, or None for none."""
        return None


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


class RepeatPerson(Rule):
    code = "repeat_person"
    title = "同一伤者短期内多次受伤"
    params = (Param("days", "间隔天数", 180, 1, 730),)

    def evaluate(self, case, params):
        ids = [
            i
            for i in case.loss_items.exclude(status=LossItemStatus.CANCELLED).values_list(
                "injured_person__id_number", flat=True
            )
            if i
        ]
        if not ids:
            return None
        others = _others(case, params["days"], Q(loss_items__injured_person__id_number__in=ids))
        if not others:
            return None
        # The ID number is personal data: the alert names the cases, not the person.
        return Hit(
            {"days": params["days"], "cases": sorted(set(others))},
            f"本案伤者在出险前后 {params['days']} 天内另见于案件："
            f"{'、'.join(sorted(set(others)))}。",
        )


def _sheets(case):
    """The case's vehicle assessment sheets (motor's, read through the loss items)."""
    return (
        apps.get_model("motor", "AssessmentSheet")
        .objects.filter(loss_item__case=case)
        .exclude(loss_item__status=LossItemStatus.CANCELLED)
        .select_related("repair_shop", "assessor")
        .order_by("loss_item__seq")
    )


class PartsOutsideModel(Rule):
    code = "parts_outside_model"
    title = "配件与车型不符"
    params = ()

    def evaluate(self, case, params):
        lines = list(
            apps.get_model("motor", "AssessmentLine")
            .objects.filter(sheet__in=_sheets(case))
            .exclude(fitment_warning="")
            .order_by("sheet__loss_item__seq", "seq")
            .values("sheet__sheet_no", "seq", "name", "part_no", "fitment_warning")
        )
        if not lines:
            return None
        shown = [
            {
                "sheet_no": x["sheet__sheet_no"],
                "seq": x["seq"],
                "name": x["name"],
                "part_no": x["part_no"],
                "warning": x["fitment_warning"],
            }
            for x in lines
        ]
        names = "、".join(f"{x['name']}（{x['part_no'] or '无编号'}）" for x in shown[:5])
        return Hit(
            {"lines": shown},
            f"定损单有 {len(shown)} 项配件不适配识别车型：{names}。",
        )


APPROVED_CASE = (CaseStatus.APPROVED, CaseStatus.REPORT_ISSUED, CaseStatus.CLOSED)


class AssessmentAboveUsual(Rule):
    code = "assessment_above_usual"
    title = "定损金额高于同车型常见范围"
    params = (
        Param("percentile", "分位数", 90, 50, 99),
        Param("min_sheets", "最少样本数", 20, 5, 1000),
        Param("days", "统计天数", 365, 30, 1095),
    )

    def evaluate(self, case, params):
        Sheet = apps.get_model("motor", "AssessmentSheet")
        since = timezone.now() - timedelta(days=params["days"])
        for sheet in _sheets(case):
            if not sheet.vehicle_model or sheet.total <= 0:
                continue
            past = (
                Sheet.objects.filter(
                    vehicle_model=sheet.vehicle_model,
                    loss_item__status=LossItemStatus.APPROVED,
                    loss_item__case__status__in=APPROVED_CASE,
                    updated_at__gte=since,
                )
                .exclude(loss_item__case=case)
                .order_by("total")
            )
            n = past.count()
            if n < params["min_sheets"]:
                continue
            # The nearest-rank percentile of the approved sheets' totals.
            rank = math.ceil(params["percentile"] / 100 * n)
            limit = past.values_list("total", flat=True)[rank - 1]
            if sheet.total <= limit:
                continue
            return Hit(
                {
                    "sheet_no": sheet.sheet_no,
                    "vehicle_model": sheet.vehicle_model,
                    "total": str(sheet.total),
                    "percentile_total": str(limit),
                    "sheets": n,
                },
                f"定损单 {sheet.sheet_no}（{sheet.vehicle_model}）合计 {sheet.total} 元，高于近 "
                f"{params['days']} 天同车型 {n} 张核损通过定损单的 P{params['percentile']}"
                f"（{limit} 元）。",
            )
        return None


class SurveyorShopShare(Rule):
    code = "surveyor_shop_share"
    title = "定损员集中送修同一修理厂"
    params = (
        Param("share", "占比（%）", 60, 10, 100),
        Param("min_sheets", "最少定损单数", 10, 3, 1000),
        Param("days", "统计天数", 90, 7, 365),
    )

    def evaluate(self, case, params):
        Sheet = apps.get_model("motor", "AssessmentSheet")
        since = timezone.now() - timedelta(days=params["days"])
        for sheet in _sheets(case):
            if sheet.repair_shop_id is None:
                continue
            counts = Sheet.objects.filter(
                assessor=sheet.assessor_id, updated_at__gte=since, repair_shop__isnull=False
            ).aggregate(
                all=Count("pk"), shop=Count("pk", filter=Q(repair_shop=sheet.repair_shop_id))
            )
            if counts["all"] < params["min_sheets"]:
                continue
            share = counts["shop"] * 100 / counts["all"]
            if share < params["share"]:
                continue
            return Hit(
                {
                    "assessor": sheet.assessor.full_name,
                    "repair_shop": sheet.repair_shop.name,
                    "shop_sheets": counts["shop"],
                    "sheets": counts["all"],
                    "share_percent": round(share, 1),
                },
                f"{sheet.assessor.full_name} 近 {params['days']} 天的 {counts['all']} 张定损单中 "
                f"{counts['shop']} 张（{share:.0f}%）送修 {sheet.repair_shop.name}，"
                f"不低于 {params['share']}%。",
            )
        return None


class PhotoFindings(Rule):
    code = "photo_findings"
    title = "照片真实性存疑"
    params = ()
    # Missing EXIF or GPS is common (messaging apps strip it): shown on the photo, not an alert.
    SUSPECT = (
        PhotoCheck.NEAR_DUPLICATE,
        PhotoCheck.TAKEN_BEFORE_ACCIDENT,
        PhotoCheck.TAKEN_LONG_AFTER_REPORT,
        PhotoCheck.FAR_FROM_ACCIDENT,
    )

    def evaluate(self, case, params):
        found = [
            {"attachment": pk, **check}
            for pk, checks in case.attachments.exclude(checks=[])
            .order_by("pk")
            .values_list("pk", "checks")
            for check in checks
            if check.get("code") in self.SUSPECT
        ]
        if not found:
            return None
        return Hit(
            {"findings": found},
            f"{len(found)} 项照片疑点："
            + "；".join(f["message"].rstrip("。") for f in found[:3])
            + "。",
        )


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        RepeatVehicle(),
        RepeatPhone(),
        RepeatPerson(),
        LateReport(),
        NightSingleVehicle(),
        PartsOutsideModel(),
        AssessmentAboveUsual(),
        SurveyorShopShare(),
        PhotoFindings(),
    )
}
