"""KPIs (考核指标, issue 15 §4) per person or branch for one month, and the KPI score against
the targets in force (reports.KpiTarget). Every definition is in docs/statistics.md, "KPIs".

Four sources, each one grouped aggregate over a month:
- the month's closed cases (reports.ClosedCase, one row per case with its figures read from
  its timeline): cases handled, cycle time, time per stage, people and hand-offs, return
  rate at review, overdue rate (its deadlines met late);
- the month's dispatches: the daily roll-up (reports.DispatchDay) for arrivals and the
  shares within 10 / 30 minutes, the rows for the median (window query, middle rows only);
- the callbacks finished in the month: satisfaction;
- quality's misconduct register (品质管理): the points of the final entries.

A person is the case's surveyor (查勘员: the dispatch's surveyor, the callback's surveyor);
a branch is the case's 承办机构. The user counts the branches of their scope (HQ its
subtree, a branch its own; scope own: their own figures only)."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from lossdesk.intake.models import Callback, Dispatch
from lossdesk.org.choices import DataScope
from lossdesk.org.models import Branch, Staff
from lossdesk.org.scoping import sees_branches
from lossdesk.quality.staff.choices import MisconductStatus
from lossdesk.quality.staff.models import MisconductRecord
from lossdesk.reports import rollups
from lossdesk.reports.aggregates import medians, minutes_between
from lossdesk.reports.choices import HIGHER_IS_BETTER, Indicator
from lossdesk.reports.models import ClosedCase, DispatchDay, KpiTarget
from lossdesk.reports.statistics import (
    Column,
    Row,
    Table,
    _branch_names,
    _staff_names,
    one_decimal,
    ratio,
)
from lossdesk.rules import months
from lossdesk.rules.errors import RuleInputError

GROUPINGS = {"person": "人员", "branch": "机构"}
US_PER_MINUTE = Decimal(60_000_000)
STAGE_COLUMNS = (  # (ClosedCase field, column key, label, microseconds per unit)
    ("dispatch_us", "dispatch_minutes", "报案至调度(分钟)", US_PER_MINUTE),
    ("survey_us", "survey_hours", "调度至查勘完成(小时)", US_PER_MINUTE * 60),
    ("assessment_us", "assessment_hours", "查勘至提交审核(小时)", US_PER_MINUTE * 60),
    ("review_us", "review_hours", "审核用时(小时)", US_PER_MINUTE * 60),
    ("report_us", "report_hours", "审核通过至出具报告(小时)", US_PER_MINUTE * 60),
    ("closing_us", "closing_hours", "出具报告至结案(小时)", US_PER_MINUTE * 60),
)
SCORE_CAP = Decimal(1)  # a surplus on one indicator does not make up for another's shortfall


class KpiError(ValueError):
    """A bad month or grouping, with the message to show."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def parse_month(value: str | None) -> date:
    """'YYYY-MM' → the month's first day; none → the current month."""
    if not value:
        return timezone.localdate().replace(day=1)
    try:
        return months.parse_month(value)
    except RuleInputError as exc:
        raise KpiError(exc.field, exc.message) from None


def parse_group_by(value: str | None) -> str:
    value = value or "person"
    if value not in GROUPINGS:
        raise KpiError("group_by", "分组只能是 person（人员）或 branch（机构）。")
    return value


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Scope:
    """How a user's data scope narrows each source: by the case's branch, or (scope own)
    to the user's own figures."""

    branches: list[int] | None  # None for every branch
    person: object | None  # the user, for scope own

    @classmethod
    def of(cls, user) -> "Scope":
        if user.data_scope == DataScope.ALL:
            return cls(None, None)
        if sees_branches(user):
            # The ids themselves (a firm has tens of branches): given a subquery the planner
            # guesses one branch and walks every case to reach a month's dispatches.
            ids = list(Branch.objects.for_user(user).values_list("pk", flat=True))
            return cls(None if len(ids) == Branch.objects.count() else ids, None)
        return cls(None, user)

    def narrow(self, queryset, branch: str, person: str):
        if self.branches is not None:
            queryset = queryset.filter(**{f"{branch}__in": self.branches})
        if self.person is not None:
            queryset = queryset.filter(**{person: self.person})
        return queryset


def _grouped(queryset, key: str, aggregates: dict) -> dict:
    """{group key: aggregates}."""
    rows = queryset.order_by().values(_key=F(key)).annotate(**aggregates)
    return {row.pop("_key"): row for row in rows}


def summed(groups) -> dict:
    """The groups' counts and sums added up: the total row without another query."""
    total: dict = {}
    for values in groups:
        for name, value in values.items():
            total[name] = (total.get(name) or 0) + (value or 0)
    return total


def closed_case_figures(queryset, key: str) -> dict:
    aggregates = {
        "cases": Count("pk"),
        "cycle_sum": Sum("cycle_us"),
        "people_sum": Sum("people"),
        "handoffs_sum": Sum("handoffs"),
        "reviewed": Count("pk", filter=Q(reviews__gt=0)),
        "returned": Count("pk", filter=Q(returns__gt=0)),
        "deadlines_sum": Sum("deadlines"),
        "late_sum": Sum("deadlines_late"),
    }
    for field, _key, _label, _unit in STAGE_COLUMNS:
        aggregates[f"{field}_sum"] = Sum(field)
        aggregates[f"{field}_n"] = Count(field)
    return _grouped(queryset, key, aggregates)


def dispatch_figures(queryset, key: str) -> dict:
    return _grouped(
        queryset,
        key,
        {"arrived": Sum("arrived"), "within_10": Sum("within_10"), "within_30": Sum("within_30")},
    )


def callback_figures(queryset, key: str) -> dict:
    return _grouped(
        queryset,
        key,
        {
            "rated": Count("pk", filter=Q(rating__isnull=False)),
            "satisfied": Count("pk", filter=Q(rating__gte=4)),
        },
    )


def quality_points(month: date, group_by: str, scope: Scope) -> tuple[dict, int]:
    """({group key: points}, all points) of the final misconduct entries (品质管理,
    违规展业登记 已生效) whose misconduct happened in the month, by the person registered
    and the branch they belonged to."""
    records = scope.narrow(
        MisconductRecord.objects.filter(
            status=MisconductStatus.FINAL,
            occurred_on__gte=month,
            occurred_on__lt=months.next_month(month),
        ),
        "branch",
        "person",
    )
    found = {
        k: v["points"]
        for k, v in _grouped(records, group_by, {"points": Sum("final_points")}).items()
    }
    return found, sum(found.values())


def _mean(total, count, unit: Decimal) -> Decimal | None:
    if not count:
        return None
    return one_decimal(Decimal(total or 0) / Decimal(count) / unit)


def _per_case(total, cases) -> Decimal | None:
    if not cases:
        return None
    return (Decimal(total or 0) / Decimal(cases)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def figures(facts: dict, dispatch: dict, callbacks: dict, median, points) -> dict:
    """One row's KPIs from its sources' components."""
    values = {
        "cases": facts.get("cases") or 0,
        "cycle_days": _mean(facts.get("cycle_sum"), facts.get("cases"), US_PER_MINUTE * 1440),
    }
    for field, key, _label, unit in STAGE_COLUMNS:
        values[key] = _mean(facts.get(f"{field}_sum"), facts.get(f"{field}_n"), unit)
    values["people"] = _per_case(facts.get("people_sum"), facts.get("cases"))
    values["handoffs"] = _per_case(facts.get("handoffs_sum"), facts.get("cases"))
    values["return_rate"] = ratio(facts.get("returned"), facts.get("reviewed"))
    values["overdue_rate"] = ratio(facts.get("late_sum"), facts.get("deadlines_sum"))
    arrived = dispatch.get("arrived") or 0
    values["arrived"] = arrived
    values["arrival_median"] = one_decimal(median)
    values["share_10"] = ratio(dispatch.get("within_10"), arrived)
    values["share_30"] = ratio(dispatch.get("within_30"), arrived)
    values["rated"] = callbacks.get("rated") or 0
    values["satisfaction"] = ratio(callbacks.get("satisfied"), callbacks.get("rated"))
    values["quality_points"] = points
    return values


# --- targets and the score ------------------------------------------------------------


def targets_in_force(month: date) -> dict:
    """{(indicator, branch id or None): KpiTarget} effective on the month's first day: per
    indicator and branch the latest row from on or before it."""
    found: dict = {}
    for target in KpiTarget.objects.filter(effective_from__lte=month).order_by(
        "effective_from", "pk"
    ):
        found[(target.indicator, target.branch_id)] = target  # later rows replace earlier
    return found


def target_for(targets: dict, indicator: str, branch_id) -> KpiTarget | None:
    """The branch's own target, else the one for every branch."""
    return targets.get((indicator, branch_id)) or targets.get((indicator, None))


def achievement(indicator: str, value: Decimal, target: Decimal) -> Decimal:
    """How far `value` meets `target`, from 0 to 1 (1: met or beaten)."""
    value, target = Decimal(value), Decimal(target)
    if indicator in HIGHER_IS_BETTER:
        if value >= target or target == 0:
            return SCORE_CAP
        return value / target
    if value <= target:
        return SCORE_CAP
    return target / value


def score(values: dict, targets: dict, branch_id) -> Decimal | None:
    """100 × Σ weight × achievement ÷ Σ weight over the indicators that have both a figure
    and a target; None when none has."""
    earned = weights = Decimal(0)
    for indicator in Indicator:
        value = values.get(indicator.value)
        target = target_for(targets, indicator.value, branch_id)
        if value is None or target is None:
            continue
        earned += target.weight * achievement(indicator, value, target.target)
        weights += target.weight
    if not weights:
        return None
    return (Decimal(100) * earned / weights).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- the table ------------------------------------------------------------------------


def columns() -> list[Column]:
    return [
        Column("cases", "结案数"),
        Column("cycle_days", "平均结案周期(天)", "days"),
        *[Column(key, label, "minutes" if "分钟" in label else "hours")
          for _f, key, label, _u in STAGE_COLUMNS],
        Column("people", "平均经手人数", "number"),
        Column("handoffs", "平均交接次数", "number"),
        Column("return_rate", "审核退回率", "percent"),
        Column("overdue_rate", "超时率", "percent"),
        Column("arrived", "到达次数"),
        Column("arrival_median", "中位调度到达(分钟)", "minutes"),
        Column("share_10", "10分钟内到达占比", "percent"),
        Column("share_30", "30分钟内到达占比", "percent"),
        Column("rated", "回访评分数"),
        Column("satisfaction", "回访满意率", "percent"),
        Column("quality_points", "品质扣分", "number"),
        Column("score", "考核得分", "number"),
    ]  # fmt: skip


def compute(user, month: date, group_by: str) -> Table:
    """The KPI table of `month` by person or branch, within the user's scope."""
    return compute_within(Scope.of(user), month, group_by)


def person_scores(branch_id: int, month: date) -> dict[int, Decimal]:
    """{staff id: score} of the people with figures in the branch's month (core.scores:
    billing's commission multipliers read them)."""
    table = compute_within(Scope([branch_id], None), month, "person")
    return {
        row.key: row.values["score"]
        for row in table.rows
        if row.key is not None and row.values["score"] is not None
    }


def compute_within(scope: Scope, month: date, group_by: str) -> Table:
    rollups.refresh()
    following = months.next_month(month)
    start, end = _midnight(month), _midnight(following)
    facts = scope.narrow(
        ClosedCase.objects.filter(closed_at__gte=start, closed_at__lt=end), "branch", "surveyor"
    )
    rolled = scope.narrow(
        DispatchDay.objects.filter(day__gte=month, day__lt=following), "branch", "surveyor"
    )
    dispatches = scope.narrow(
        Dispatch.objects.filter(dispatched_at__gte=start, dispatched_at__lt=end),
        "case__branch",
        "surveyor",
    )
    callbacks = scope.narrow(
        Callback.objects.filter(completed_at__gte=start, completed_at__lt=end),
        "case__branch",
        "surveyor",
    )
    key = {"person": "surveyor", "branch": "branch"}[group_by]
    case_key = {"person": "surveyor", "branch": "case__branch"}[group_by]
    arrival = minutes_between("dispatched_at", "arrived_at")
    found = {
        "facts": closed_case_figures(facts, key),
        "dispatch": dispatch_figures(rolled, key),
        "callbacks": callback_figures(callbacks, case_key),
        "median": medians(dispatches, F(case_key), arrival),
    }
    points, all_points = quality_points(month, group_by, scope)
    keys = set().union(*(found[name] for name in ("facts", "dispatch", "callbacks")), points)
    targets = targets_in_force(month)
    if group_by == "person":
        branch_of = dict(Staff.objects.filter(pk__in=keys).values_list("pk", "branch_id"))
        labels = _staff_names(k for k in keys if k is not None)
    else:
        branch_of = {k: k for k in keys}
        labels = _branch_names(k for k in keys if k is not None)
    rows = []
    for k in keys:
        values = figures(
            found["facts"].get(k, {}),
            found["dispatch"].get(k, {}),
            found["callbacks"].get(k, {}),
            found["median"].get(k),
            points.get(k) or 0,
        )
        values["score"] = score(values, targets, branch_of.get(k))
        rows.append(Row(key=k, label=labels.get(k) or "（无）", values=values))
    rows.sort(key=lambda r: (-(r.values["score"] or -1), -r.values["cases"], r.label))
    total = figures(
        *(summed(found[name].values()) for name in ("facts", "dispatch", "callbacks")),
        medians(dispatches, None, arrival).get(None),
        all_points,
    )
    total["score"] = score(total, targets, None)
    return Table(
        slug="kpis",
        title=f"考核指标 {month:%Y-%m}",
        group_by=group_by,
        group_label=GROUPINGS[group_by],
        columns=columns(),
        rows=rows,
        total=Row(key=None, label="合计", values=total),
        # The score needs targets; without any in force the chart shows the cases handled.
        chart_column="score" if any(r.values["score"] is not None for r in rows) else "cases",
    )
