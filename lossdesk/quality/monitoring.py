"""Reads of case monitoring (案件监控), always within the user's case scope: the board's
counts of open deadlines by branch, stage or person, the deadlines behind a count (the
drill-down), and the statistics of time to each stage and overdue rates.

Only deadlines not met are on the board; their status at `now` is plain comparisons of
`due_at` on the partial index `deadline_open_due` (docs/benchmarks.md)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q

from lossdesk.quality.choices import DeadlineStage, DeadlineStatus
from lossdesk.quality.models import DUE_SOON, CaseDeadline, CaseDeadlineQuerySet


class OpenStatus(StrEnum):
    """The statuses of a deadline not met yet (the board's columns)."""

    OVERDUE = DeadlineStatus.OVERDUE.value
    DUE_SOON = DeadlineStatus.DUE_SOON.value
    ON_TIME = DeadlineStatus.ON_TIME.value


OPEN_STATUS_LABELS = {status: DeadlineStatus(status.value).label for status in OpenStatus}


class GroupBy(StrEnum):
    BRANCH = "branch"
    STAGE = "stage"
    PERSON = "person"


GROUP_LABELS = {GroupBy.BRANCH: "机构", GroupBy.STAGE: "环节", GroupBy.PERSON: "责任人"}
# group → (the key column, the label column)
GROUP_COLUMNS = {
    GroupBy.BRANCH: ("case__branch", "case__branch__name"),
    GroupBy.STAGE: ("stage", "stage"),
    GroupBy.PERSON: ("person", "person__full_name"),
}


def deadlines_for(user) -> CaseDeadlineQuerySet:
    return CaseDeadline.objects.for_user(user)


def status_q(status: str, now: datetime) -> Q:
    """The open deadlines in `status` at `now`."""
    soon = now + DUE_SOON
    return {
        DeadlineStatus.OVERDUE: Q(due_at__lt=now),
        DeadlineStatus.DUE_SOON: Q(due_at__gte=now, due_at__lt=soon),
        DeadlineStatus.ON_TIME: Q(due_at__gte=soon),
    }[status]


def counts(now: datetime) -> dict:
    return {status.value: Count("pk", filter=status_q(status, now)) for status in OpenStatus}


@dataclass(frozen=True)
class BoardRow:
    key: str
    label: str
    overdue: int
    due_soon: int
    on_time: int


def open_counts(user, now: datetime) -> list[dict]:
    """The user's open deadlines counted by status per branch, stage and person: one
    aggregate that every view of the board rolls up (a few hundred rows at most)."""
    columns = {column for pair in GROUP_COLUMNS.values() for column in pair}
    return list(
        deadlines_for(user).open().order_by().values(*sorted(columns)).annotate(**counts(now))
    )


def board(cells: list[dict], group_by: GroupBy) -> list[BoardRow]:
    """The open counts (open_counts) per group, most overdue first."""
    key, label = GROUP_COLUMNS[group_by]
    groups: dict = {}
    for cell in cells:
        group = groups.setdefault(cell[key], {"label": cell[label]} | dict.fromkeys(OpenStatus, 0))
        for status in OpenStatus:
            group[status] += cell[status.value]
    out = []
    for value, group in groups.items():
        if group_by == GroupBy.STAGE:
            text = DeadlineStage(group["label"]).label
        else:
            text = group["label"] or "未指定"
        out.append(
            BoardRow(
                key="" if value is None else str(value),
                label=text,
                overdue=group[OpenStatus.OVERDUE],
                due_soon=group[OpenStatus.DUE_SOON],
                on_time=group[OpenStatus.ON_TIME],
            )
        )
    out.sort(key=lambda r: (-r.overdue, -r.due_soon, r.label))
    return out


def totals(cells: list[dict]) -> dict:
    """The open counts (open_counts) by status."""
    return {status.value: sum(cell[status.value] for cell in cells) for status in OpenStatus}


def drill_down(
    user,
    now: datetime,
    *,
    status: str = "",
    stage: str = "",
    branch: int | None = None,
    person: int | None = None,
    no_person: bool = False,
) -> CaseDeadlineQuerySet:
    """The user's open deadlines behind one count of the board, soonest due first."""
    rows = deadlines_for(user).open()
    if status:
        rows = rows.filter(status_q(status, now))
    if stage:
        rows = rows.filter(stage=stage)
    if branch is not None:
        rows = rows.filter(case__branch=branch)
    if no_person:
        rows = rows.filter(person__isnull=True)
    elif person is not None:
        rows = rows.filter(person=person)
    return rows.select_related("case__branch", "person").order_by("due_at", "pk")


@dataclass(frozen=True)
class StageStatistics:
    stage: str
    label: str
    started: int
    met: int
    met_late: int
    overdue: int  # not met and past due now
    average_minutes: float | None  # from start to met, over the met ones

    @property
    def overdue_rate(self) -> float | None:
        """The share of the stages started that were met late or are overdue now."""
        return round((self.met_late + self.overdue) / self.started, 4) if self.started else None


def statistics(user, since: datetime, until: datetime, now: datetime) -> list[StageStatistics]:
    """Per stage, the deadlines started in [since, until) within the user's scope."""
    took = ExpressionWrapper(F("met_at") - F("started_at"), output_field=DurationField())
    rows = (
        deadlines_for(user)
        .filter(started_at__gte=since, started_at__lt=until)
        .order_by()
        .values("stage")
        .annotate(
            started=Count("pk"),
            met=Count("pk", filter=Q(met_at__isnull=False)),
            met_late=Count("pk", filter=Q(met_at__gt=F("due_at"))),
            overdue=Count("pk", filter=Q(met_at__isnull=True, due_at__lt=now)),
            took=Avg(took, filter=Q(met_at__isnull=False)),
        )
    )
    found = {row["stage"]: row for row in rows}
    out = []
    for stage in DeadlineStage:
        row = found.get(stage.value)
        if row is None:
            continue
        took_ = row["took"]
        out.append(
            StageStatistics(
                stage=stage.value,
                label=stage.label,
                started=row["started"],
                met=row["met"],
                met_late=row["met_late"],
                overdue=row["overdue"],
                average_minutes=None if took_ is None else round(minutes(took_), 1),
            )
        )
    return out


def minutes(value) -> float:
    # SQLite averages the durations as microseconds, PostgreSQL as an interval.
    if isinstance(value, timedelta):
        return value / timedelta(minutes=1)
    return float(value) / 60_000_000
