"""SQL building blocks of the statistics: minutes between two timestamps, and medians per
group, portable between SQLite and PostgreSQL."""

from collections import defaultdict
from datetime import timedelta

from django.db import connection
from django.db.models import (
    Aggregate,
    BigIntegerField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    Window,
)
from django.db.models.functions import RowNumber


class DurationMinutes(Func):
    """A duration expression → minutes as a float. Django computes `later - earlier` as an
    interval on PostgreSQL and as microseconds elsewhere (SQLite, MySQL)."""

    output_field = FloatField()
    template = "((%(expressions)s) / 60000000.0)"

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM %(expressions)s)::double precision / 60.0)",
            **extra_context,
        )


class DurationMicroseconds(Func):
    """A duration expression → whole microseconds, so sums of durations are exact (the
    roll-ups add them up and divide once)."""

    output_field = BigIntegerField()
    template = "(%(expressions)s)"

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="ROUND(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint",
            **extra_context,
        )


def microseconds_between(earlier: str, later: str) -> DurationMicroseconds:
    return DurationMicroseconds(
        ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())
    )


def minutes_between(earlier: str, later: str) -> DurationMinutes:
    return DurationMinutes(ExpressionWrapper(F(later) - F(earlier), output_field=DurationField()))


def within(earlier: str, later: str, minutes: int) -> Q:
    """`later` is at most `minutes` after `earlier` (exact: compares timestamps)."""
    return Q(**{f"{later}__lte": F(earlier) + timedelta(minutes=minutes)})


def medians(queryset, group, value) -> dict:
    """{group key: median of `value`} over `queryset`, with `group` an expression, or None
    for one median over everything (keyed None). The database numbers the rows of each
    group in order of the value and returns only the middle one or two, whose mean is the
    median: at most two rows per group leave the database. PostgreSQL computes the same
    median with its ordered-set aggregate in one pass (several times faster over a month of
    dispatches at 1,000,000 cases, docs/benchmarks.md)."""
    if connection.vendor == "postgresql":
        return _percentiles(queryset, group, value)
    partition = [F("_group")] if group is not None else None
    ranked = queryset.annotate(_value=value).filter(_value__isnull=False)
    if group is not None:
        ranked = ranked.annotate(_group=group)
    ranked = ranked.annotate(
        _rank=Window(RowNumber(), partition_by=partition, order_by=F("_value").asc()),
        _count=Window(Count("pk"), partition_by=partition),
    ).filter(_rank__gte=(F("_count") + 1) / 2, _rank__lte=F("_count") / 2 + 1)
    middles: dict = defaultdict(list)
    if group is None:
        for number in ranked.values_list("_value", flat=True):
            middles[None].append(float(number))
    else:
        for key, number in ranked.values_list("_group", "_value"):
            middles[key].append(float(number))
    return {key: sum(values) / len(values) for key, values in middles.items()}


class Median(Aggregate):
    """PostgreSQL's median: the middle value, or the mean of the two middle ones."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _percentiles(queryset, group, value) -> dict:
    rows = queryset.annotate(_value=value).filter(_value__isnull=False).order_by()
    if group is None:
        found = rows.aggregate(_median=Median("_value"))["_median"]
        return {} if found is None else {None: float(found)}
    grouped = rows.values(_group=group).annotate(_median=Median("_value"))
    return {row["_group"]: float(row["_median"]) for row in grouped}
