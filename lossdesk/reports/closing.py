"""结案统计表 and 审核统计 (issue 15 §6), two tables of the statistics registry.

结案统计表 reads each closed case's figures (reports.ClosedCase, kept by reports.casefacts),
so a month's closings are a grouped sum over that month's rows; 审核统计 counts the review
decisions (claims.Review) of the user's cases, with the returns by reason below it."""

from decimal import Decimal

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from lossdesk.claims.choices import ReviewDecision
from lossdesk.claims.models import Case, Review
from lossdesk.motor.models import AssessmentSheet
from lossdesk.reports import rollups
from lossdesk.reports.models import ClosedCase
from lossdesk.reports.statistics import (
    GROUPINGS,
    ROLLED_GROUPINGS,
    STATISTICS,
    Column,
    FromRollup,
    Row,
    Statistic,
    Table,
    one_decimal,
    ratio,
)
from lossdesk.rules.fees import LINE_LABELS, FeeLine

GROUPINGS.update({"line": "险种线", "level": "审核级别"})
US_PER_DAY = Decimal(86_400_000_000)
TOP_REASONS = 20  # return reasons are free text: the most frequent, then 其他


def _money(value) -> Decimal:
    return value if value is not None else Decimal("0.00")


class ClosingStatistic(FromRollup):
    slug = "closing"
    title = "结案统计表"
    description = (
        "已结案案件：结案数，首次送审定损金额与核定金额、核减金额与核减率，平均结案周期，"
        "审核退回案件与退回率，环节超时率。按结案时间统计。"
    )
    date_field = "closed_at"
    date_label = "结案时间"
    person_path = "surveyor"
    person_label = "查勘员"
    groupings = ("branch", "client", "line", "day", "week", "month", "person")
    rolled_groupings = (*ROLLED_GROUPINGS, "line")
    chart_column = "closed"

    # From the daily sums of the ClosedCase rows (reports.ClosedDay, decision 0024) of the
    # branches in scope, plus the ClosedCase rows of the cases shown to them from others.
    rollup = rollups.CLOSED

    def rows(self, cases):
        return ClosedCase.objects.filter(case__in=cases.values("pk"))

    def figures(self, components):
        return {
            **components,
            "assessed_sum": Decimal(components["assessed_sum"]),
            "approved_sum": Decimal(components["approved_sum"]),
        }

    def group_expression(self, group_by):
        if group_by == "line":
            return F("line")
        return super().group_expression(group_by)

    def _rolled_group(self, group_by):
        if group_by == "line":
            return F("line")
        return super()._rolled_group(group_by)

    def labels(self, group_by, keys):
        if group_by == "line":
            return {line.value: LINE_LABELS[line] for line in FeeLine}
        return super().labels(group_by, keys)

    def columns(self):
        return [
            Column("closed", "结案数"),
            Column("assessed", "首次送审定损金额(元)", "money"),
            Column("approved", "核定金额(元)", "money"),
            Column("reduction", "核减金额(元)", "money"),
            Column("reduction_rate", "核减率", "percent"),
            Column("cycle_days", "平均结案周期(天)", "days"),
            Column("returned", "审核退回案件"),
            Column("return_rate", "退回率", "percent"),
            Column("overdue_rate", "环节超时率", "percent"),
        ]

    def finish(self, values):
        values["assessed"] = _money(values.pop("assessed_sum"))
        values["approved"] = _money(values.pop("approved_sum"))
        values["reduction"] = values["assessed"] - values["approved"]
        values["reduction_rate"] = ratio(values["reduction"], values["assessed"])
        cycle = values.pop("cycle_sum")
        closed = values["closed"]
        values["cycle_days"] = one_decimal(Decimal(cycle) / closed / US_PER_DAY) if closed else None
        values["return_rate"] = ratio(values["returned"], values.pop("reviewed"))
        values["overdue_rate"] = ratio(values.pop("late_sum"), values.pop("deadlines_sum"))
        return values


def _sheets_of_case():
    """The motor assessment sheets of the review's case, counted in a subquery (a join would
    repeat the review per sheet): each review looks at all of them, so a second review of a
    case counts its sheets again."""
    sheets = (
        AssessmentSheet.objects.filter(loss_item__case=OuterRef("case"))
        .order_by()
        .values("loss_item__case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sheets, output_field=IntegerField()), 0)


class ReviewStatistic(Statistic):
    slug = "review"
    title = "审核统计"
    description = (
        "审核（核损）结论：审核次数、通过与退回、退回率，涉及案件与审核的车辆定损单，送审与通过的定损"
        "金额；附按退回原因。按审核时间统计，可按审核人、审核级别分组。"
    )
    date_field = "created_at"
    date_label = "审核时间"
    branch_path = "case__branch"
    client_path = "case__client"
    person_path = "reviewer"
    person_label = "审核人"
    groupings = ("person", "level", "branch", "client", "day", "week", "month")
    default_grouping = "person"
    chart_column = "reviews"

    def base(self, user):
        return Review.objects.filter(case__in=Case.objects.for_user(user).values("pk"))

    def group_expression(self, group_by):
        if group_by == "level":
            return F("level")
        return super().group_expression(group_by)

    def labels(self, group_by, keys):
        if group_by == "level":
            return {1: "一级审核", 2: "二级审核"}
        return super().labels(group_by, keys)

    def columns(self):
        return [
            Column("reviews", "审核次数"),
            Column("approved", "通过"),
            Column("returned", "退回"),
            Column("return_rate", "退回率", "percent"),
            Column("cases", "涉及案件"),
            Column("sheets", "审核定损单(张次)"),
            Column("submitted_amount", "送审定损金额(元)", "money"),
            Column("approved_amount", "通过金额(元)", "money"),
        ]

    def aggregates(self):
        approved = Q(decision=ReviewDecision.APPROVED)
        return {
            "reviews": Count("pk"),
            "approved": Count("pk", filter=approved),
            "returned": Count("pk", filter=Q(decision=ReviewDecision.RETURNED)),
            "cases": Count("case", distinct=True),
            "sheets": Sum(_sheets_of_case()),
            "submitted_amount": Sum("amount"),
            "approved_amount": Sum("amount", filter=approved),
        }

    def finish(self, values):
        values["return_rate"] = ratio(values["returned"], values["reviews"])
        values["sheets"] = values["sheets"] or 0
        values["submitted_amount"] = _money(values["submitted_amount"])
        values["approved_amount"] = _money(values["approved_amount"])
        return values

    def subtables(self, queryset, total, group_by):
        """按退回原因: the returns of the selection by the reason as the reviewer wrote it
        (free text), the most frequent first; beyond TOP_REASONS, 其他."""
        grouped = list(
            queryset.filter(decision=ReviewDecision.RETURNED)
            .order_by()
            .values("reason")
            .annotate(returns=Count("pk"), amount=Sum("amount"))
            .order_by("-returns", "reason")
        )
        returns = sum(g["returns"] for g in grouped)
        rows = [
            Row(g["reason"], g["reason"] or "（未填写）", {"returns": g["returns"],
                "amount": _money(g["amount"]), "share": ratio(g["returns"], returns)})
            for g in grouped[:TOP_REASONS]
        ]  # fmt: skip
        rest = grouped[TOP_REASONS:]
        if rest:
            count = sum(g["returns"] for g in rest)
            amount = sum((_money(g["amount"]) for g in rest), Decimal("0.00"))
            rows.append(
                Row(
                    "", "其他", {"returns": count, "amount": amount, "share": ratio(count, returns)}
                )
            )
        amount = sum((r.values["amount"] for r in rows), Decimal("0.00"))
        return [
            Table(
                slug="review-return-reasons",
                title="按退回原因",
                group_by="reason",
                group_label="退回原因",
                columns=[
                    Column("returns", "退回次数"),
                    Column("amount", "退回时定损金额(元)", "money"),
                    Column("share", "占比", "percent"),
                ],
                rows=rows,
                total=Row(
                    None,
                    "合计",
                    {"returns": returns, "amount": amount, "share": ratio(returns, returns)},
                ),
                chart_column="returns",
            )
        ]


def register() -> None:
    """Into the statistics registry (ReportsConfig.ready)."""
    for statistic in (ClosingStatistic(), ReviewStatistic()):
        STATISTICS[statistic.slug] = statistic
