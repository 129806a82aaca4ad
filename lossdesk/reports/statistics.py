"""The statistics tables: report, dispatch, cancellation, delegation, callback, third-party
property and injury statistics, grouped by branch, client, period (day / week / month),
person, (property) category or (injury) disability grade.

Each table is one grouped SQL aggregate (`values(group).annotate(Count/Avg/Sum…)`) plus the
same aggregate without grouping for the total row; medians come from a window query that
returns the middle rows only (aggregates.medians). Rates are derived per result row from
those counts. Nothing loops over cases in Python.

Every table starts from `Case.objects.for_user(user)` (cases) or the rows of those cases
(dispatches, delegations, callbacks, property and injury loss items), so a user counts
exactly the cases they may see; the branch filter only narrows that further."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import (
    Avg,
    CharField,
    Count,
    DateField,
    DecimalField,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.functions import Cast, Coalesce, Concat, Trunc
from django.utils import timezone

from lossdesk.billing.choices import AdjustmentStatus
from lossdesk.billing.models import CaseFee, FeeAdjustment, PaymentAllocation
from lossdesk.claims.choices import (
    CancelReason,
    CaseStatus,
    EventType,
    LossItemStatus,
)
from lossdesk.claims.models import Case, CaseEvent
from lossdesk.injury.choices import DeductionReason, TreatmentOutcome
from lossdesk.injury.models import BillLine, MedicalBill
from lossdesk.intake.models import Dispatch
from lossdesk.org.choices import DataScope
from lossdesk.org.models import Branch, Client, Staff
from lossdesk.org.scoping import sees_branches
from lossdesk.property.choices import PropertyCategory
from lossdesk.reports import histogram
from lossdesk.reports.aggregates import medians, minutes_between
from lossdesk.reports.histogram import Bucket
from lossdesk.rules.injury import GRADE_LABELS
from lossdesk.rules.months import next_month

PERIODS = {"day": "day", "week": "week", "month": "month"}
GROUPINGS = {
    "branch": "机构",
    "client": "委托方",
    "day": "按日",
    "week": "按周",
    "month": "按月",
    "person": "人员",
    "route": "委托路线",
    "from_branch": "委托机构",
    "to_branch": "受托机构",
    "category": "物损类别",
    "grade": "伤残等级",
    "stage": "人伤进度",
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"  # int | percent | minutes | hours | days | money | rating | number


@dataclass
class Row:
    key: object
    label: str
    values: dict


@dataclass
class Filters:
    branch: Branch | None = None
    client: Client | None = None
    date_from: date | None = None
    date_to: date | None = None
    group_by: str = "branch"


@dataclass
class Table:
    slug: str
    title: str
    group_by: str
    group_label: str
    columns: list[Column]
    rows: list[Row]
    total: Row
    chart_column: str
    subtables: list["Table"] = field(default_factory=list)

    @property
    def chart_label(self) -> str:
        return next(c.label for c in self.columns if c.key == self.chart_column)

    @property
    def is_period(self) -> bool:
        return self.group_by in PERIODS


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def ratio(part, whole) -> Decimal | None:
    """part / whole as a fraction with four decimals (0.8750 = 87.5 %); None without a base."""
    if not whole:
        return None
    return (Decimal(part or 0) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def one_decimal(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _branch_names(keys) -> dict:
    return dict(Branch.objects.filter(pk__in=keys).values_list("pk", "name"))


def _client_names(keys) -> dict:
    return {
        pk: short or name
        for pk, short, name in Client.objects.filter(pk__in=keys).values_list(
            "pk", "short_name", "name"
        )
    }


def _staff_names(keys) -> dict:
    return {
        pk: full or username
        for pk, full, username in Staff.objects.filter(pk__in=keys).values_list(
            "pk", "full_name", "username"
        )
    }


def period_label(group_by: str, key) -> str:
    if key is None:
        return "（无）"
    if isinstance(key, datetime):
        key = key.date()
    if group_by == "month":
        return f"{key:%Y-%m}"
    if group_by == "week":
        year, week, _ = key.isocalendar()
        return f"{year}年第{week}周（{key:%m-%d}起）"
    return key.isoformat()


class Statistic:
    """One statistics table. Subclasses name the base rows, the paths from them to the
    case's branch and client, the date that places a row in a period, and the aggregates."""

    slug = ""
    title = ""
    description = ""
    date_field = ""
    date_label = ""
    branch_path = "branch"
    client_path = "client"
    person_path = ""
    person_label = "人员"
    groupings: tuple[str, ...] = ("branch", "client", "day", "week", "month", "person")
    default_grouping = "branch"
    chart_column = ""

    # -- to override ---------------------------------------------------------------------
    def available(self) -> bool:
        return True

    def base(self, user):
        raise NotImplementedError

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def aggregates(self) -> dict:
        raise NotImplementedError

    def finish(self, values: dict) -> dict:
        """Derived figures (rates, unit changes) of one result row."""
        return values

    def median_columns(self) -> dict:
        """Columns whose value is a median: {column key: value expression}."""
        return {}

    # -- shared --------------------------------------------------------------------------
    def grouping_choices(self) -> list[tuple[str, str]]:
        return [(g, self.person_label if g == "person" else GROUPINGS[g]) for g in self.groupings]

    def group_label(self, group_by: str) -> str:
        return dict(self.grouping_choices())[group_by]

    def filtered(self, user, filters: Filters):
        return self._narrowed(self.base(user), filters)

    def _narrowed(self, queryset, filters: Filters):
        """`queryset` within the filters' branch, client and dates."""
        if filters.branch is not None:
            queryset = queryset.filter(
                **{f"{self.branch_path}__path__startswith": filters.branch.path}
            )
        if filters.client is not None:
            queryset = queryset.filter(**{self.client_path: filters.client})
        if filters.date_from is not None:
            queryset = queryset.filter(**{f"{self.date_field}__gte": _start(filters.date_from)})
        if filters.date_to is not None:
            end = _start(filters.date_to + timedelta(days=1))
            queryset = queryset.filter(**{f"{self.date_field}__lt": end})
        return queryset

    def group_expression(self, group_by: str):
        if group_by in PERIODS:
            return Trunc(self.date_field, PERIODS[group_by], output_field=DateField())
        path = {"branch": self.branch_path, "client": self.client_path}.get(group_by)
        if group_by == "person":
            path = self.person_path
        return F(path)

    def labels(self, group_by: str, keys: list) -> dict:
        if group_by in PERIODS:
            return {key: period_label(group_by, key) for key in keys}
        if group_by == "branch":
            return _branch_names(keys)
        if group_by == "client":
            return _client_names(keys)
        return _staff_names(keys)

    def totals(self, user, filters: Filters) -> Row:
        """The total row only (the index page's key figures)."""
        queryset = self.filtered(user, filters)
        total = queryset.aggregate(**self.aggregates())
        for key, expression in self.median_columns().items():
            total[key] = medians(queryset, None, expression).get(None)
        return Row(key=None, label="合计", values=self.finish(total))

    def compute(self, user, filters: Filters) -> Table:
        group_by = filters.group_by if filters.group_by in self.groupings else None
        group_by = group_by or self.default_grouping
        queryset = self.filtered(user, filters)
        aggregates = self.aggregates()
        group = self.group_expression(group_by)
        grouped = list(
            queryset.annotate(_group=group)
            .values("_group")
            .annotate(**aggregates)
            .order_by("_group")
        )
        total = queryset.aggregate(**aggregates)
        for key, expression in self.median_columns().items():
            by_group = medians(queryset, group, expression)
            for values in grouped:
                values[key] = by_group.get(values["_group"])
            total[key] = medians(queryset, None, expression).get(None)
        labels = self.labels(group_by, [v["_group"] for v in grouped if v["_group"] is not None])
        rows = [
            Row(
                key=values["_group"],
                label=labels.get(values["_group"]) or "（无）",
                values=self.finish({k: v for k, v in values.items() if k != "_group"}),
            )
            for values in grouped
        ]
        self.sort_rows(group_by, rows)
        return Table(
            slug=self.slug,
            title=self.title,
            group_by=group_by,
            group_label=self.group_label(group_by),
            columns=self.columns(),
            rows=rows,
            total=Row(key=None, label="合计", values=self.finish(total)),
            chart_column=self.chart_column,
            subtables=self.subtables(queryset, total, group_by),
        )

    def sort_rows(self, group_by: str, rows: list[Row]) -> None:
        """Periods in time order; other groups largest chart figure first."""
        if group_by not in PERIODS:
            rows.sort(key=lambda row: (-(row.values.get(self.chart_column) or 0), row.label))

    def subtables(self, queryset, total: dict, group_by: str) -> list[Table]:
        return []


# --- read from the daily roll-ups (decision 0018) -----------------------------------------


def _add(into: dict, values: dict) -> None:
    for key, value in values.items():
        if value is not None:
            into[key] = (into.get(key) or 0) + value


def _per_minute(microseconds, count) -> Decimal | None:
    """The mean of durations summed in microseconds, in minutes."""
    if not count:
        return None
    return Decimal(microseconds or 0) / Decimal(count) / Decimal(60_000_000)


ROLLED_GROUPINGS = ("branch", "client", "day", "week", "month", "person")


class FromRollup(Statistic):
    """A table read from a daily roll-up (reports.rollups) instead of its rows: the roll-up
    rows of the branches in the user's scope, plus, counted from their rows, the cases the
    user sees outside those branches (delegated to them, 委托异地) or, for scope own, all
    their cases. Each figure follows from the summed components (`figures`); medians come
    from the rows (`column_medians`), 中位调度到达 from its histogram (decision 0024)."""

    rollup = None  # a reports.rollups.Rollup
    rolled_groupings = ROLLED_GROUPINGS  # the groupings its rows keep

    def rows(self, cases):
        """The base rows of these cases."""
        raise NotImplementedError

    def base(self, user):
        return self.rows(Case.objects.for_user(user))

    def figures(self, components: dict) -> dict:
        raise NotImplementedError

    def _rolled_group(self, group_by: str):
        if group_by in PERIODS:
            return (
                F("day") if group_by == "day" else Trunc("day", group_by, output_field=DateField())
            )
        return F({"branch": "branch", "client": "client"}.get(group_by, self.rollup.person_field))

    def _sources(self, user, filters: Filters, group_by: str | None, rollup, groupings):
        """(roll-up rows, cases counted from their rows) that make up what `user` sees in
        `filters`; either may be None. `groupings`: those the roll-up keeps."""
        cases = Case.objects.for_user(user)
        if cases.query.is_empty():
            return None, None
        rolled = rollup.model.objects.all()
        rest = None  # cases counted from their rows
        if user.data_scope != DataScope.ALL:
            if sees_branches(user):
                branches = Branch.objects.for_user(user)
                rolled = rolled.filter(branch__in=branches)
                # Only the cases shown to them from other branches: a small set, where
                # `cases` minus the branches would make the database read every case.
                shown = Case.objects.filter(Case.objects.shown_to_branches(user))
                rest = shown.exclude(branch__in=branches)
            else:
                rolled, rest = rolled.none(), cases
        if group_by is not None and group_by not in groupings:
            # A grouping the roll-up does not keep (a property category, a disability
            # grade, an injury stage): every case from its rows.
            return None, cases
        if filters.branch is not None:
            rolled = rolled.filter(branch__path__startswith=filters.branch.path)
        if filters.client is not None:
            rolled = rolled.filter(client=filters.client)
        if filters.date_from is not None:
            rolled = rolled.filter(day__gte=filters.date_from)
        if filters.date_to is not None:
            rolled = rolled.filter(day__lte=filters.date_to)
        return rolled, rest

    def components(self, user, filters: Filters, group_by: str | None) -> dict:
        """{group key (None without grouping): summed components} for what `user` sees."""
        from lossdesk.reports import rollups

        rollups.refresh()
        rolled, rest = self._sources(user, filters, group_by, self.rollup, self.rolled_groupings)
        names = list(self.rollup.components())
        sums = {name: Sum(name) for name in names}
        found: dict = {}
        if rolled is not None and group_by is None:
            _add(found.setdefault(None, {}), rolled.aggregate(**sums))
        elif rolled is not None:
            grouped = rolled.order_by().values(_group=self._rolled_group(group_by)).annotate(**sums)
            for values in grouped:
                _add(found.setdefault(values.pop("_group"), {}), values)
        if rest is not None:
            rows = self._narrowed(self.rows(rest), filters)
            if group_by is None:
                _add(found.setdefault(None, {}), rows.aggregate(**self.rollup.components()))
            else:
                grouped = (
                    rows.order_by()
                    .values(_group=self.group_expression(group_by))
                    .annotate(**self.rollup.components())
                )
                for values in grouped:
                    _add(found.setdefault(values.pop("_group"), {}), values)
        return found

    def _values(self, components: dict) -> dict:
        return self.figures({name: components.get(name) or 0 for name in self.rollup.components()})

    def column_medians(self, user, filters: Filters, group_by: str | None) -> dict:
        """{median column: ({group key: median}, the total's median)} from the rows; no
        groups without grouping."""
        queryset = self.filtered(user, filters)
        found = {}
        for key, expression in self.median_columns().items():
            by_group = {}
            if group_by is not None:
                by_group = medians(queryset, self.group_expression(group_by), expression)
            found[key] = (by_group, medians(queryset, None, expression).get(None))
        return found

    def totals(self, user, filters: Filters) -> Row:
        total = self._values(self.components(user, filters, None).get(None, {}))
        for key, (_groups, whole) in self.column_medians(user, filters, None).items():
            total[key] = whole
        return Row(key=None, label="合计", values=self.finish(total))

    def compute(self, user, filters: Filters) -> Table:
        group_by = filters.group_by if filters.group_by in self.groupings else None
        group_by = group_by or self.default_grouping
        found = self.components(user, filters, group_by)
        keys = sorted(found, key=lambda k: (k is None, k))
        grouped = {key: self._values(found[key]) for key in keys}
        summed: dict = {}
        for key in keys:
            _add(summed, found[key])
        total = self._values(summed)
        for key, (by_group, whole) in self.column_medians(user, filters, group_by).items():
            for group_key, values in grouped.items():
                values[key] = by_group.get(group_key)
            total[key] = whole
        labels = self.labels(group_by, [k for k in keys if k is not None])
        rows = [
            Row(key=key, label=labels.get(key) or "（无）", values=self.finish(values))
            for key, values in grouped.items()
        ]
        self.sort_rows(group_by, rows)
        return Table(
            slug=self.slug,
            title=self.title,
            group_by=group_by,
            group_label=self.group_label(group_by),
            columns=self.columns(),
            rows=rows,
            total=Row(key=None, label="合计", values=self.finish(total)),
            chart_column=self.chart_column,
            subtables=self.subtables(self.filtered(user, filters), total, group_by),
        )


# --- 报案统计 ---------------------------------------------------------------------------


class ReportStatistic(FromRollup):
    slug = "reports"
    title = "报案统计"
    description = "报案数及其去向：已调度、处理中、已结案、已注销；报案时延与结案周期。"
    date_field = "report__reported_at"
    date_label = "报案时间"
    person_path = "report__created_by"
    person_label = "登记人"
    chart_column = "reports"

    @property
    def rollup(self):
        from lossdesk.reports.rollups import CASES

        return CASES

    def rows(self, cases):
        return cases

    def figures(self, c):
        return {
            **{k: c[k] for k in ("reports", "dispatched", "open", "closed", "cancelled", "injury")},
            "report_delay": _per_minute(c["delay_us"], c["reports"]),
            "assessed": c["assessed"] or None,
            "close_minutes": _per_minute(c["close_us"], c["closed"]),
        }

    def columns(self):
        return [
            Column("reports", "报案数"),
            Column("dispatched", "已调度"),
            Column("open", "处理中"),
            Column("closed", "已结案"),
            Column("cancelled", "已注销"),
            Column("cancel_rate", "注销率", "percent"),
            Column("injury", "涉及人伤"),
            Column("report_delay", "平均报案时延(分钟)", "minutes"),
            Column("assessed", "定损金额合计(元)", "money"),
            Column("close_days", "平均结案周期(天)", "days"),
        ]

    def finish(self, values):
        close_minutes = values.pop("close_minutes", None)
        values["close_days"] = (
            one_decimal(Decimal(str(close_minutes)) / 1440) if close_minutes is not None else None
        )
        values["cancel_rate"] = ratio(values["cancelled"], values["reports"])
        values["report_delay"] = one_decimal(values["report_delay"])
        values["assessed"] = values["assessed"] or Decimal("0.00")
        return values


# --- 调度统计 ---------------------------------------------------------------------------


class DispatchStatistic(FromRollup):
    slug = "dispatch"
    title = "调度统计"
    description = (
        "调度次数、接单率、拒单与超时；调度到达用时的平均数、中位数及 10 / 30 分钟内到达占比。"
    )
    date_field = "dispatched_at"
    date_label = "调度时间"
    branch_path = "case__branch"
    client_path = "case__client"
    person_path = "surveyor"
    person_label = "查勘员"
    chart_column = "arrival_median"

    def median_columns(self):
        return {"arrival_median": minutes_between("dispatched_at", "arrived_at")}

    @property
    def rollup(self):
        from lossdesk.reports.rollups import DISPATCHES

        return DISPATCHES

    def column_medians(self, user, filters, group_by):
        """中位调度到达 per group and in total from the arrival histogram (reports.ArrivalDay,
        decision 0024), the same value the median of the rows shows; the total's buckets
        are the groups' added up. Called after `components`, which refreshed the roll-ups."""
        found = self.arrival_buckets(user, filters, group_by)
        postgresql = connection.vendor == "postgresql"
        mean = histogram.postgresql_mean if postgresql else histogram.sqlite_mean
        by_group = (
            {} if group_by is None else {k: histogram.median(b, mean) for k, b in found.items()}
        )
        whole = histogram.median([b for buckets in found.values() for b in buckets], mean)
        return {"arrival_median": (by_group, whole)}

    def arrival_buckets(self, user, filters: Filters, group_by: str | None) -> dict:
        """{group key (None without grouping): [histogram.Bucket]}: the arrival histogram's
        rows in the user's scope and the same buckets counted from the rows outside it."""
        from lossdesk.reports.rollups import ARRIVAL_MONTHS, ARRIVALS, arrival_components

        groupings = tuple(g for g in ROLLED_GROUPINGS if g != "person")
        rolled, rest = self._sources(user, filters, group_by, ARRIVALS, groupings)
        found: dict = defaultdict(list)
        if rolled is not None:
            group = {} if group_by is None else {"_group": self._rolled_group(group_by)}
            pieces = []
            # The whole months of the range from the monthly histogram, the rest by day
            # (a day or week grouping: every day).
            months, days = whole_months(filters.date_from, filters.date_to), []
            if months is None or group_by in ("day", "week"):
                pieces.append(rolled)
            else:
                first, last = months
                for start, end in (
                    (filters.date_from, first - timedelta(days=1)),
                    (next_month(last), filters.date_to),
                ):
                    if start <= end:
                        days.append(
                            Filters(**{**filters.__dict__, "date_from": start, "date_to": end})
                        )
                for part in days:
                    pieces.append(self._sources(user, part, group_by, ARRIVALS, groupings)[0])
                whole = Filters(**{**filters.__dict__, "date_from": first, "date_to": last})
                pieces.append(self._sources(user, whole, group_by, ARRIVAL_MONTHS, groupings)[0])
            parts = [
                piece.order_by()
                .values(**group, _tenths=F("tenths"))
                .annotate(n=Sum("arrivals"), lo=Min("shortest_us"), hi=Max("longest_us"))
                for piece in pieces
            ]
            buckets = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
            for v in buckets:
                found[v.get("_group")].append(Bucket(v["_tenths"], v["n"], v["lo"], v["hi"]))
        if rest is not None:
            rows = self._narrowed(self.rows(rest), filters).filter(arrived_at__isnull=False)
            group = {} if group_by is None else {"_group": self.group_expression(group_by)}
            buckets = (
                rows.order_by()
                .values(**group, _tenths=ARRIVALS.person_expression())
                .annotate(**arrival_components())
            )
            for v in buckets:
                found[v.get("_group")].append(
                    Bucket(v["_tenths"], v["arrivals"], v["shortest_us"], v["longest_us"])
                )
        return found

    def rows(self, cases):
        return Dispatch.objects.filter(case__in=cases.values("pk"))

    def figures(self, c):
        return {
            **{k: c[k] for k in DISPATCH_COUNTS},
            "accept_avg": _per_minute(c["accept_us"], c["accepted"]),
            "arrival_avg": _per_minute(c["arrival_us"], c["arrived"]),
        }

    def columns(self):
        return [
            Column("dispatches", "调度次数"),
            Column("accepted", "接单"),
            Column("acceptance_rate", "接单率", "percent"),
            Column("declined", "拒单"),
            Column("timed_out", "超时未接"),
            Column("arrived", "到达"),
            Column("accept_avg", "平均接单用时(分钟)", "minutes"),
            Column("arrival_avg", "平均调度到达(分钟)", "minutes"),
            Column("arrival_median", "中位调度到达(分钟)", "minutes"),
            Column("share_10", "10分钟内到达占比", "percent"),
            Column("share_30", "30分钟内到达占比", "percent"),
        ]

    def finish(self, values):
        values["acceptance_rate"] = ratio(values["accepted"], values["dispatches"])
        values["share_10"] = ratio(values.pop("within_10"), values["arrived"])
        values["share_30"] = ratio(values.pop("within_30"), values["arrived"])
        for key in ("accept_avg", "arrival_avg", "arrival_median"):
            values[key] = one_decimal(values.get(key))
        return values


def whole_months(date_from: date | None, date_to: date | None) -> tuple[date, date] | None:
    """(first, last): the first days of the first and last calendar months lying wholly
    within the range; None when there is none (or the range is open)."""
    if date_from is None or date_to is None:
        return None
    first = date_from if date_from.day == 1 else next_month(date_from.replace(day=1))
    last = date_to.replace(day=1)
    if next_month(last) - timedelta(days=1) != date_to:
        last = (last - timedelta(days=1)).replace(day=1)
    return (first, last) if first <= last else None


# --- 注销统计 ---------------------------------------------------------------------------


DISPATCH_COUNTS = (
    "dispatches",
    "accepted",
    "arrived",
    "declined",
    "timed_out",
    "within_10",
    "within_30",
)


def canceller():
    """The staff member who cancelled the case (the actor of its cancellation event)."""
    events = CaseEvent.objects.filter(case=OuterRef("pk"), type=EventType.CANCELLED)
    return Subquery(events.order_by("-created_at", "-id").values("actor")[:1])


class CancellationStatistic(Statistic):
    slug = "cancellation"
    title = "注销统计"
    description = "已注销案件按注销原因分布；从立案到注销的平均用时。按注销时间统计。"
    date_field = "closed_at"
    date_label = "注销时间"
    person_label = "注销人"
    chart_column = "cancelled"

    def base(self, user):
        return Case.objects.for_user(user).filter(status=CaseStatus.CANCELLED)

    def group_expression(self, group_by):
        if group_by == "person":
            return canceller()
        return super().group_expression(group_by)

    def columns(self):
        return [
            Column("cancelled", "注销数"),
            *[Column(f"reason_{r.value}", r.label) for r in CancelReason],
            Column("hours", "平均立案至注销(小时)", "hours"),
        ]

    def aggregates(self):
        return {
            "cancelled": Count("pk"),
            **{
                f"reason_{r.value}": Count("pk", filter=Q(cancel_reason=r.value))
                for r in CancelReason
            },
            "minutes": Avg(minutes_between("opened_at", "closed_at")),
        }

    def finish(self, values):
        minutes = values.pop("minutes", None)
        values["hours"] = one_decimal(Decimal(str(minutes)) / 60) if minutes is not None else None
        return values

    def subtables(self, queryset, total, group_by):
        """按注销原因: the reasons as rows, from the total row (no further query)."""
        cancelled = total.get("cancelled") or 0
        rows = [
            Row(
                key=r.value,
                label=r.label,
                values={
                    "count": total.get(f"reason_{r.value}") or 0,
                    "share": ratio(total.get(f"reason_{r.value}") or 0, cancelled),
                },
            )
            for r in CancelReason
        ]
        return [
            Table(
                slug="cancellation-reasons",
                title="按注销原因",
                group_by="reason",
                group_label="注销原因",
                columns=[Column("count", "注销数"), Column("share", "占比", "percent")],
                rows=rows,
                total=Row(None, "合计", {"count": cancelled, "share": ratio(cancelled, cancelled)}),
                chart_column="count",
            )
        ]


# --- 委托异地统计 (intake.Delegation, from issue 5 part A) ---------------------------------


def _model(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


class DelegationStatistic(Statistic):
    slug = "delegation"
    title = "委托异地统计"
    description = "委托异地的案件按委托机构、受托机构与状态统计；从发起到受托方答复的平均用时。"
    date_field = "requested_at"
    date_label = "委托时间"
    branch_path = "from_branch"
    client_path = "case__client"
    groupings = ("route", "from_branch", "to_branch", "client", "day", "week", "month")
    default_grouping = "route"
    chart_column = "delegations"
    FIELDS = ("case", "from_branch", "to_branch", "status", "requested_at", "decided_at")

    @property
    def model(self):
        return _model("intake", "Delegation")

    def available(self) -> bool:
        model = self.model
        return model is not None and all(has_field(model, name) for name in self.FIELDS)

    def statuses(self) -> list[tuple[str, str]]:
        return list(self.model._meta.get_field("status").choices or [])

    def base(self, user):
        return self.model.objects.filter(case__in=Case.objects.for_user(user).values("pk"))

    def filtered(self, user, filters):
        # The branch filter keeps delegations out of or into the chosen branch's subtree.
        branch, filters = filters.branch, Filters(**{**filters.__dict__, "branch": None})
        queryset = super().filtered(user, filters)
        if branch is not None:
            queryset = queryset.filter(
                Q(from_branch__path__startswith=branch.path)
                | Q(to_branch__path__startswith=branch.path)
            )
        return queryset

    def group_expression(self, group_by):
        if group_by == "route":
            return Concat(
                Cast("from_branch_id", CharField()),
                Value("→"),
                Cast("to_branch_id", CharField()),
                output_field=CharField(),
            )
        if group_by in ("from_branch", "to_branch"):
            return F(group_by)
        return super().group_expression(group_by)

    def labels(self, group_by, keys):
        if group_by == "route":
            ids = {int(part) for key in keys for part in str(key).split("→") if part}
            names = _branch_names(ids)
            return {
                key: " → ".join(names.get(int(p), "?") for p in str(key).split("→")) for key in keys
            }
        if group_by in ("from_branch", "to_branch"):
            return _branch_names(keys)
        return super().labels(group_by, keys)

    def columns(self):
        return [
            Column("delegations", "委托数"),
            *[Column(f"status_{value}", str(label)) for value, label in self.statuses()],
            Column("decision_hours", "平均答复用时(小时)", "hours"),
        ]

    def aggregates(self):
        return {
            "delegations": Count("pk"),
            **{
                f"status_{value}": Count("pk", filter=Q(status=value))
                for value, _label in self.statuses()
            },
            "decision_minutes": Avg(minutes_between("requested_at", "decided_at")),
        }

    def finish(self, values):
        minutes = values.pop("decision_minutes", None)
        values["decision_hours"] = (
            one_decimal(Decimal(str(minutes)) / 60) if minutes is not None else None
        )
        return values


# --- 回访统计 (intake.Callback, from issue 5 part A) --------------------------------------


class CallbackStatistic(Statistic):
    slug = "callback"
    title = "回访统计"
    description = (
        "结束的客户回访：有评分的平均评分、各评分分布与满意率（4 分及以上）。按回访完成时间统计。"
    )
    date_field = "completed_at"
    date_label = "回访完成时间"
    branch_path = "case__branch"
    client_path = "case__client"
    person_path = "surveyor"
    person_label = "查勘员"
    chart_column = "rating_avg"
    FIELDS = ("case", "surveyor", "rating", "completed_at")

    @property
    def model(self):
        return _model("intake", "Callback")

    def available(self) -> bool:
        model = self.model
        return model is not None and all(has_field(model, name) for name in self.FIELDS)

    def base(self, user):
        return self.model.objects.filter(
            case__in=Case.objects.for_user(user).values("pk"), completed_at__isnull=False
        )

    def columns(self):
        return [
            Column("callbacks", "结束回访"),
            Column("rated", "有评分"),
            Column("rating_avg", "平均评分", "rating"),
            *[Column(f"rating_{n}", f"{n}分") for n in range(5, 0, -1)],
            Column("satisfaction", "满意率", "percent"),
        ]

    def aggregates(self):
        return {
            "callbacks": Count("pk"),
            "rated": Count("pk", filter=Q(rating__isnull=False)),
            "rating_avg": Avg("rating"),
            **{f"rating_{n}": Count("pk", filter=Q(rating=n)) for n in range(1, 6)},
            "satisfied": Count("pk", filter=Q(rating__gte=4)),
        }

    def finish(self, values):
        values["satisfaction"] = ratio(values.pop("satisfied"), values["rated"])
        average = values.get("rating_avg")
        values["rating_avg"] = (
            Decimal(str(average)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if average is not None
            else None
        )
        return values


# --- 三者物损统计 (property, issue 11) ------------------------------------------------------


def _days(minutes) -> Decimal | None:
    return one_decimal(Decimal(str(minutes)) / 1440) if minutes is not None else None


class PropertyStatistic(FromRollup):
    slug = "property"
    title = "三者物损统计"
    description = (
        "三者物损标的：已定损、已协商，物主索赔、定损与协商金额，协商金额占定损金额的比例，"
        "报案至协商达成的平均与中位天数。按报案时间统计。"
    )
    date_field = "case__report__reported_at"
    date_label = "报案时间"
    branch_path = "case__branch"
    client_path = "case__client"
    person_path = "property_sheet__assessor"
    person_label = "定损人"
    groupings = ("category", "branch", "client", "day", "week", "month", "person")
    default_grouping = "category"
    chart_column = "assessed"

    @property
    def rollup(self):
        from lossdesk.reports.rollups import PROPERTY

        return PROPERTY

    def rows(self, cases):
        return self.rollup.rows().filter(case__in=cases.values("pk"))

    def figures(self, c):
        return {
            **{k: c[k] for k in ("items", "assessed_items", "negotiated", "claimed")},
            **{k: c[k] for k in ("assessed", "agreed", "assessed_of_agreed")},
            "agreement_minutes": _per_minute(c["agreement_us"], c["agreement_n"]),
        }

    def group_expression(self, group_by):
        if group_by == "category":
            return F("property_survey__category")
        return super().group_expression(group_by)

    def labels(self, group_by, keys):
        if group_by == "category":
            return dict(PropertyCategory.choices)
        return super().labels(group_by, keys)

    def median_columns(self):
        return {"agreement_median": minutes_between(self.date_field, "negotiation__agreed_at")}

    def columns(self):
        return [
            Column("items", "物损标的数"),
            Column("assessed_items", "已定损"),
            Column("negotiated", "已协商"),
            Column("claimed", "物主索赔金额合计(元)", "money"),
            Column("assessed", "定损金额合计(元)", "money"),
            Column("agreed", "协商金额合计(元)", "money"),
            Column("agreed_ratio", "协商/定损", "percent"),
            Column("agreement_days", "平均报案至协商达成(天)", "days"),
            Column("agreement_median", "中位报案至协商达成(天)", "days"),
        ]

    def finish(self, values):
        for key in ("claimed", "assessed", "agreed"):
            values[key] = values[key] or Decimal("0.00")
        # Like with like: the assessed totals of the agreed items only.
        values["agreed_ratio"] = ratio(values["agreed"], values.pop("assessed_of_agreed"))
        values["agreement_days"] = _days(values.pop("agreement_minutes"))
        values["agreement_median"] = _days(values.get("agreement_median"))
        return values


# --- 人伤统计 (injury, issue 12) -----------------------------------------------------------


# Where an injured person stands (案件监控 by stage), in the order of the work.
INJURY_STAGES = {
    "survey": "待人伤查勘",
    "treating": "治疗跟踪中",
    "appraisal": "伤残鉴定中",
    "assessment": "待人伤定损",
    "assessed": "已定损待提交",
    "in_review": "审核中",
    "approved": "核损通过",
}


def _injury_stage():
    survey_outcome = "injury_survey__outcome"
    return SqlCase(
        When(status=LossItemStatus.APPROVED, then=Value("approved")),
        When(status=LossItemStatus.SUBMITTED, then=Value("in_review")),
        When(injury_survey__isnull=True, then=Value("survey")),
        When(injury_assessment__isnull=False, then=Value("assessed")),
        When(**{survey_outcome: TreatmentOutcome.TREATING}, then=Value("treating")),
        When(**{survey_outcome: TreatmentOutcome.APPRAISAL}, then=Value("appraisal")),
        default=Value("assessment"),
        output_field=CharField(),
    )


def _money(value) -> Decimal:
    return value if value is not None else Decimal("0.00")


class InjuryStatistic(FromRollup):
    slug = "injury"
    title = "人伤统计"
    description = (
        "人伤标的：未核损、已定损、走访与医疗调查疑点、住院天数、医疗票据，医疗费申报、合理与"
        "核减金额及核减率，赔偿合计与平均赔偿，伤残与死亡人数，定损周期；可按人伤进度分组"
        "（案件监控）；附按核减原因与按医院的核减。按报案时间统计。"
    )
    date_field = "case__report__reported_at"
    date_label = "报案时间"
    branch_path = "case__branch"
    client_path = "case__client"
    person_path = "injury_assessment__assessor"
    person_label = "定损人"
    groupings = ("branch", "client", "day", "week", "month", "person", "grade", "stage")
    chart_column = "compensation"

    @property
    def rollup(self):
        from lossdesk.reports.rollups import INJURY

        return INJURY

    def rows(self, cases):
        return self.rollup.rows().filter(case__in=cases.values("pk"))

    def figures(self, c):
        return {
            **{k: c[k] for k in c if k != "assess_us"},
            "assess_minutes": _per_minute(c["assess_us"], c["assessed_items"]),
        }

    def group_expression(self, group_by):
        if group_by == "grade":
            return F("injury_assessment__highest_grade")
        if group_by == "stage":
            return _injury_stage()
        return super().group_expression(group_by)

    def labels(self, group_by, keys):
        if group_by == "grade":
            return GRADE_LABELS
        if group_by == "stage":
            return INJURY_STAGES
        return super().labels(group_by, keys)

    def sort_rows(self, group_by, rows):
        if group_by == "grade":  # 一级 (gravest) first, no grade last
            rows.sort(key=lambda row: (row.key is None, row.key or 0))
        elif group_by == "stage":  # in the order of the work
            order = list(INJURY_STAGES)
            rows.sort(key=lambda row: order.index(row.key))
        else:
            super().sort_rows(group_by, rows)

    def columns(self):
        return [
            Column("items", "人伤标的数"),
            Column("open_items", "未核损"),
            Column("assessed_items", "已定损"),
            Column("visits", "走访次数"),
            Column("open_flags", "待认定疑点"),
            Column("confirmed_flags", "确认疑点"),
            Column("hospital_days", "住院天数合计"),
            Column("bills", "票据数"),
            Column("claimed", "医疗费申报合计(元)", "money"),
            Column("reasonable", "合理合计(元)", "money"),
            Column("deducted", "核减合计(元)", "money"),
            Column("deduction_rate", "核减率", "percent"),
            Column("compensation", "赔偿合计(元)", "money"),
            Column("average", "平均赔偿(元)", "money"),
            Column("disability", "伤残"),
            Column("death", "死亡"),
            Column("assess_days", "平均定损周期(天)", "days"),
        ]

    def finish(self, values):
        for key in ("claimed", "reasonable", "deducted", "compensation"):
            values[key] = _money(values[key])
        for key in ("hospital_days", "bills", "visits", "open_flags", "confirmed_flags"):
            values[key] = values[key] or 0
        minutes = values.pop("assess_minutes", None)
        values["assess_days"] = (
            one_decimal(Decimal(str(minutes)) / 1440) if minutes is not None else None
        )
        values["deduction_rate"] = ratio(values["deducted"], values["claimed"])
        # Per assessed person: an item without an assessment has no compensation yet.
        values["average"] = (
            (values["compensation"] / values["assessed_items"]).quantize(
                Decimal("0.01"), ROUND_HALF_UP
            )
            if values["assessed_items"]
            else None
        )
        return values

    def subtables(self, queryset, total, group_by):
        items = queryset.values("pk")
        return [self._by_reason(items), self._by_hospital(items)]

    def _by_reason(self, items) -> Table:
        """按核减原因: the deducted bill lines of the selection, one row per reason."""
        found = {
            r["deduction_reason"]: r
            for r in BillLine.objects.filter(bill__assessment__loss_item__in=items, deducted__gt=0)
            .values("deduction_reason")
            .annotate(lines=Count("pk"), deducted=Sum("deducted"))
            .order_by()
        }
        deducted = sum((r["deducted"] for r in found.values()), Decimal("0.00"))
        none = {"lines": 0, "deducted": Decimal("0.00")}
        rows = [
            Row(
                key=reason.value,
                label=reason.label,
                values={
                    "lines": found.get(reason.value, none)["lines"],
                    "deducted": found.get(reason.value, none)["deducted"],
                    "share": ratio(found.get(reason.value, none)["deducted"], deducted),
                },
            )
            for reason in DeductionReason
        ]
        rows.sort(key=lambda row: -row.values["deducted"])  # stable: ties keep the choices' order
        return Table(
            slug="injury-deduction-reasons",
            title="按核减原因",
            group_by="deduction_reason",
            group_label="核减原因",
            columns=[
                Column("lines", "核减明细数"),
                Column("deducted", "核减金额(元)", "money"),
                Column("share", "占比", "percent"),
            ],
            rows=rows,
            total=Row(
                None,
                "合计",
                {
                    "lines": sum(r["lines"] for r in found.values()),
                    "deducted": deducted,
                    "share": ratio(deducted, deducted),
                },
            ),
            chart_column="deducted",
        )

    def _by_hospital(self, items) -> Table:
        """按医院: the bills of the selection by hospital, most claimed first."""
        grouped = (
            MedicalBill.objects.filter(assessment__loss_item__in=items)
            .values("hospital")
            .annotate(
                bills=Count("pk"), claimed=Sum("claimed_total"), deducted=Sum("deducted_total")
            )
            .order_by("-claimed", "hospital")
        )

        def values(bills: int, claimed, deducted) -> dict:
            claimed, deducted = _money(claimed), _money(deducted)
            rate = ratio(deducted, claimed)
            return {"bills": bills, "claimed": claimed, "deducted": deducted, "rate": rate}

        rows = [
            Row(f["hospital"], f["hospital"], values(f["bills"], f["claimed"], f["deducted"]))
            for f in grouped
        ]
        # Each bill is in exactly one hospital row, so the rows add up to the total.
        total = values(
            sum(r.values["bills"] for r in rows),
            sum((r.values["claimed"] for r in rows), Decimal("0.00")),
            sum((r.values["deducted"] for r in rows), Decimal("0.00")),
        )
        return Table(
            slug="injury-hospitals",
            title="按医院",
            group_by="hospital",
            group_label="医院",
            columns=[
                Column("bills", "票据数"),
                Column("claimed", "申报合计(元)", "money"),
                Column("deducted", "核减合计(元)", "money"),
                Column("rate", "核减率", "percent"),
            ],
            rows=rows,
            total=Row(None, "合计", total),
            chart_column="deducted",
        )


# --- 公估费收入 (fee revenue, issue 14 §8) --------------------------------------------------


MONEY = DecimalField(max_digits=18, decimal_places=2)


class FeeStatistic(Statistic):
    slug = "fees"
    title = "公估费收入统计"
    description = (
        "出具报告（或注销）时计算的公估费：案件数、计算公估费、已批准调整、应收公估费、已核销"
        "回款与未收金额，按计算时间统计；只统计有权查看公估费的岗位可见案件。"
    )
    date_field = "computed_at"
    date_label = "计算时间"
    branch_path = "case__branch"
    client_path = "case__client"
    groupings = ("client", "branch", "month", "week", "day")
    default_grouping = "client"
    chart_column = "receivable"

    def base(self, user):
        def total(queryset, **outer):
            sums = queryset.filter(**outer).order_by().values(*outer).annotate(s=Sum("amount"))
            return Coalesce(Subquery(sums.values("s")), Decimal("0.00"), output_field=MONEY)

        approved = FeeAdjustment.objects.filter(status=AdjustmentStatus.APPROVED)
        return CaseFee.objects.for_user(user).annotate(
            approved_adjustments=total(approved, case_fee=OuterRef("pk")),
            paid_amount=total(PaymentAllocation.objects, case=OuterRef("case")),
        )

    def columns(self):
        return [
            Column("cases", "案件数"),
            Column("computed", "计算公估费(元)", "money"),
            Column("adjusted", "已批准调整(元)", "money"),
            Column("receivable", "应收公估费(元)", "money"),
            Column("paid", "已核销回款(元)", "money"),
            Column("outstanding", "未收(元)", "money"),
            Column("paid_ratio", "回款率", "percent"),
        ]

    def aggregates(self):
        return {
            "cases": Count("pk"),
            "computed": Sum("computed_total"),
            "adjusted": Sum("approved_adjustments"),
            "paid": Sum("paid_amount"),
        }

    def finish(self, values):
        for key in ("computed", "adjusted", "paid"):
            values[key] = values[key] or Decimal("0.00")
        values["receivable"] = values["computed"] + values["adjusted"]
        values["outstanding"] = values["receivable"] - values["paid"]
        values["paid_ratio"] = ratio(values["paid"], values["receivable"])
        return values


STATISTICS: dict[str, Statistic] = {
    s.slug: s
    for s in (
        ReportStatistic(),
        DispatchStatistic(),
        CancellationStatistic(),
        DelegationStatistic(),
        CallbackStatistic(),
        PropertyStatistic(),
        InjuryStatistic(),
        FeeStatistic(),
    )
}


def available_statistics() -> list[Statistic]:
    return [s for s in STATISTICS.values() if s.available()]
