"""Daily roll-ups of the statistics read most (报案统计, 调度统计, 三者物损, 人伤; issue 16,
decisions 0018, 0023): counts and sums per local day, branch, client and person, from which
a month or a year of the tables is a sum over a few thousand rows instead of an aggregate
over a million cases; and the histogram of arrival times the dispatch median is read from
(decision 0024).

Kept equal to the cases thus: a change to a case, its dispatches or its timeline writes a
`StaleCase` row in the same transaction (signals, `mark_stale`); before statistics are
read, `refresh` recomputes from the cases every roll-up row a stale case falls in (its
day, branch, client and person) and consumes the stale rows, under a row lock so two
readers do not refresh the same rows at once. With a worker, the commit queues that refresh
for it (tasks.refresh_statistics, decision 0028) and a read mostly finds nothing stale.
`rebuild` recomputes everything (manage.py rebuild_statistics; seed_cases calls it after
writing straight into the tables)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import (
    BigIntegerField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Floor, Trunc, TruncDate

from lossdesk.calc.choices import InjuryOutcomeChoices
from lossdesk.claims.choices import FINAL_STATUSES, CaseStatus, LossItemKind, LossItemStatus
from lossdesk.claims.filtersets import local_midnight
from lossdesk.claims.models import Case, LossItem
from lossdesk.intake.models import Dispatch
from lossdesk.reports import casefacts
from lossdesk.reports.aggregates import microseconds_between, within
from lossdesk.reports.histogram import US_PER_TENTH
from lossdesk.reports.models import (
    ArrivalDay,
    ArrivalMonth,
    CaseDay,
    ClosedCase,
    ClosedDay,
    DispatchDay,
    InjuryDay,
    PropertyDay,
    StaleCase,
)
from lossdesk.rules.months import next_month

BATCH = 5_000
KEYS_PER_QUERY = 200


@dataclass(frozen=True)
class Rollup:
    model: type
    # Lookups from a base row to the key: its date (the day is its local date), branch,
    # client and person; the model's key fields are day, branch, client and `person`.
    date: str
    branch: str
    client: str
    person: str
    person_field: str
    # Further key fields: {model field: lookup from a base row}.
    extra_keys: tuple[tuple[str, str], ...] = ()
    # The rows' period: "day" (the local day) or "month" (`day` is its first day).
    period: str = "day"

    def period_start(self):
        if self.period == "month":
            return Trunc(self.date, "month", output_field=DateField())
        return TruncDate(self.date)

    def bound(self, day: date):
        """The value of the base rows' date at the start of a local day."""
        return local_midnight(day)

    def period_end(self, start: date) -> date:
        return next_month(start) if self.period == "month" else start + timedelta(days=1)

    def rows(self):
        raise NotImplementedError

    def of_cases(self, case_ids):
        raise NotImplementedError

    def components(self) -> dict:
        raise NotImplementedError

    @property
    def person_attname(self) -> str:
        return f"{self.person_field}_id"

    def person_expression(self):
        return F(self.person)

    def grouped(self, rows):
        """{key fields, component fields} per key over the base `rows`."""
        return (
            rows.order_by()
            .values(
                day_=self.period_start(),
                branch_id_=F(self.branch),
                client_id_=F(self.client),
                person_id_=self.person_expression(),
                **{f"{name}_": F(lookup) for name, lookup in self.extra_keys},
            )
            .annotate(**self.components())
        )

    def build(self, grouped: Iterable[dict]):
        for values in grouped:
            yield self.model(
                day=values.pop("day_"),
                branch_id=values.pop("branch_id_"),
                client_id=values.pop("client_id_"),
                **{self.person_attname: values.pop("person_id_")},
                **{name: values.pop(f"{name}_") for name, _lookup in self.extra_keys},
                **{k: v or 0 for k, v in values.items()},
            )

    def write(self, grouped, *, stream: bool = True) -> int:
        """Insert the rows of `grouped`. A rebuild streams them through a server-side
        cursor; a refresh (a few keys) reads them at once: through a cursor, which
        PostgreSQL plans for its first rows, refreshing 10 stale cases took 1.6 s instead
        of 1.0 s at 1M cases (decision 0028)."""
        rows = grouped.iterator(chunk_size=BATCH) if stream else grouped
        batch, written = [], 0
        for row in self.build(rows):
            batch.append(row)
            if len(batch) >= BATCH:
                written += len(self.model.objects.bulk_create(batch))
                batch = []
        if batch:
            written += len(self.model.objects.bulk_create(batch))
        return written

    def rebuild(self) -> int:
        self.model.objects.all().delete()
        return self.write(self.grouped(self.rows()))

    def keys(self, case_ids: set[int]) -> set[tuple]:
        """(day, branch, client) of every row the cases' base rows fall in."""
        return {
            (v["day_"], v["branch_id_"], v["client_id_"])
            for v in self.grouped(self.of_cases(case_ids)).values(
                "day_", "branch_id_", "client_id_"
            )
        }

    def refresh(self, case_ids: set[int], also: Iterable[tuple] = ()) -> None:
        """Recompute every row of each day, branch and client the cases fall in (and of
        the keys `also`), whoever the person (a loss item's assessor changes; a case's
        registrar and a dispatch's surveyor do not, so for them this is the rows the cases
        are in and a few more)."""
        keys = sorted(self.keys(case_ids) | set(also))
        for start in range(0, len(keys), KEYS_PER_QUERY):
            chunk = keys[start : start + KEYS_PER_QUERY]
            stored, source = Q(pk__in=[]), Q(pk__in=[])
            for day, branch, client in chunk:
                stored |= Q(day=day, branch_id=branch, client_id=client)
                source |= Q(
                    **{
                        f"{self.date}__gte": self.bound(day),
                        f"{self.date}__lt": self.bound(self.period_end(day)),
                        self.branch: branch,
                        self.client: client,
                    }
                )
            self.model.objects.filter(stored).delete()
            self.write(self.grouped(self.rows().filter(source)), stream=False)


class CaseRollup(Rollup):
    def rows(self):
        return Case.objects.all()

    def of_cases(self, case_ids):
        return Case.objects.filter(pk__in=case_ids)

    def components(self) -> dict:
        return {
            "reports": Count("pk"),
            "dispatched": Count("pk", filter=Exists(Dispatch.objects.filter(case=OuterRef("pk")))),
            "open": Count("pk", filter=~Q(status__in=FINAL_STATUSES)),
            "closed": Count("pk", filter=Q(status=CaseStatus.CLOSED)),
            "cancelled": Count("pk", filter=Q(status=CaseStatus.CANCELLED)),
            "injury": Count("pk", filter=Q(report__injured_persons__gt=0)),
            "delay_us": Sum(microseconds_between("report__accident_time", "report__reported_at")),
            "assessed": Sum("assessed_amount"),
            "close_us": Sum(
                microseconds_between("opened_at", "closed_at"), filter=Q(status=CaseStatus.CLOSED)
            ),
        }


class DispatchRollup(Rollup):
    def rows(self):
        return Dispatch.objects.all()

    def of_cases(self, case_ids):
        return Dispatch.objects.filter(case_id__in=case_ids)

    def components(self) -> dict:
        return {
            "dispatches": Count("pk"),
            "accepted": Count("pk", filter=Q(accepted_at__isnull=False)),
            "arrived": Count("pk", filter=Q(arrived_at__isnull=False)),
            "declined": Count("pk", filter=Q(declined_at__isnull=False)),
            "timed_out": Count("pk", filter=Q(timed_out_at__isnull=False)),
            "within_10": Count("pk", filter=within("dispatched_at", "arrived_at", 10)),
            "within_30": Count("pk", filter=within("dispatched_at", "arrived_at", 30)),
            "accept_us": Sum(microseconds_between("dispatched_at", "accepted_at")),
            "arrival_us": Sum(microseconds_between("dispatched_at", "arrived_at")),
        }


class ArrivalRollup(DispatchRollup):
    """The arrived dispatches by day, branch and client and by their dispatch → arrival
    time in tenths of a minute (in place of a person): a histogram for the median
    (decision 0024)."""

    def rows(self):
        return Dispatch.objects.filter(arrived_at__isnull=False)

    def of_cases(self, case_ids):
        # Every dispatch of the cases: one whose arrival was taken back leaves its row.
        return Dispatch.objects.filter(case_id__in=case_ids)

    @property
    def person_attname(self) -> str:
        return "tenths"

    def person_expression(self):
        return tenths(microseconds_between("dispatched_at", "arrived_at"))

    def components(self) -> dict:
        return arrival_components()


class ArrivalMonthRollup(Rollup):
    """The monthly arrival histogram summed from the daily one (refreshed before it): a
    month of a branch and client is a few hundred daily rows, not its dispatches."""

    def rows(self):
        return ArrivalDay.objects.all()

    def bound(self, day: date):
        return day  # the daily rows' own local day

    def person_expression(self):
        return F("tenths")

    @property
    def person_attname(self) -> str:
        return "tenths"

    def keys(self, case_ids: set[int]) -> set[tuple]:
        """The months, branches and clients of every dispatch of the cases."""
        month = Trunc("dispatched_at", "month", output_field=DateField())
        return set(
            Dispatch.objects.filter(case_id__in=case_ids)
            .order_by()
            .annotate(month=month)
            .values_list("month", "case__branch", "case__client")
            .distinct()
        )

    def components(self) -> dict:
        return {
            "arrivals": Sum("arrivals"),
            "shortest_us": Min("shortest_us"),
            "longest_us": Max("longest_us"),
        }


def tenths(microseconds):
    """SQL of reports.histogram.tenths: minutes rounded half up to one decimal, × 10."""
    return Cast(
        Floor(
            ExpressionWrapper(
                (microseconds + Value(US_PER_TENTH // 2)) / Value(float(US_PER_TENTH)),
                output_field=FloatField(),
            )
        ),
        BigIntegerField(),
    )


def arrival_components() -> dict:
    duration = microseconds_between("dispatched_at", "arrived_at")
    return {
        "arrivals": Count("pk"),
        "shortest_us": Min(duration),
        "longest_us": Max(duration),
    }


class ClosedRollup(Rollup):
    """结案统计表's components per closing day, branch, client, surveyor and line, summed
    from the ClosedCase rows (themselves kept by reports.casefacts): refreshed after them,
    with the keys the stale cases' rows had before, since a closing day can change."""

    def rows(self):
        return ClosedCase.objects.all()

    def of_cases(self, case_ids):
        return ClosedCase.objects.filter(case_id__in=case_ids)

    def components(self) -> dict:
        return {
            "closed": Count("pk"),
            "assessed_sum": Sum("assessed"),
            "approved_sum": Sum("approved"),
            "cycle_sum": Sum("cycle_us"),
            "reviewed": Count("pk", filter=Q(reviews__gt=0)),
            "returned": Count("pk", filter=Q(returns__gt=0)),
            "deadlines_sum": Sum("deadlines"),
            "late_sum": Sum("deadlines_late"),
        }


def _item_count(rows, link: str):
    """The `rows` of the loss item (`link` leads from them to it) counted in a subquery:
    joining them would repeat the item's document once per row and multiply its sums."""
    counted = (
        rows.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class LossItemRollup(Rollup):
    """The live loss items of some kinds, by their case's report day, branch and client
    and by their document's assessor (decision 0023)."""

    kinds: tuple[str, ...] = ()

    def rows(self):
        return LossItem.objects.filter(kind__in=self.kinds).exclude(status=LossItemStatus.CANCELLED)

    def of_cases(self, case_ids):
        return self.rows().filter(case_id__in=case_ids)

    def keys(self, case_ids: set[int]) -> set[tuple]:
        # From the cases themselves: an item cancelled or removed leaves its day's row.
        return {
            (v["day"], v["branch"], v["client"])
            for v in Case.objects.filter(pk__in=case_ids)
            .order_by()
            .values("branch", "client", day=TruncDate("report__reported_at"))
        }


class PropertyRollup(LossItemRollup):
    kinds = (LossItemKind.PROPERTY,)

    def components(self) -> dict:
        agreed = Q(negotiation__agreed_amount__isnull=False)
        return {
            "items": Count("pk"),
            "assessed_items": Count("pk", filter=Q(property_sheet__isnull=False)),
            "negotiated": Count("pk", filter=agreed),
            "claimed": Sum("negotiation__claimed_amount"),
            "assessed": Sum("property_sheet__total"),
            "agreed": Sum("negotiation__agreed_amount"),
            "assessed_of_agreed": Sum("property_sheet__total", filter=agreed),
            "agreement_n": Count("pk", filter=Q(negotiation__agreed_at__isnull=False)),
            "agreement_us": Sum(
                microseconds_between("case__report__reported_at", "negotiation__agreed_at")
            ),
        }


class InjuryRollup(LossItemRollup):
    kinds = (LossItemKind.INJURY,)

    def components(self) -> dict:
        from lossdesk.injury.choices import FlagStatus
        from lossdesk.injury.models import HospitalVisit, InvestigationFlag, MedicalBill

        outcome = "injury_assessment__outcome"
        flags = InvestigationFlag.objects
        return {
            "items": Count("pk"),
            "open_items": Count("pk", filter=~Q(status=LossItemStatus.APPROVED)),
            "assessed_items": Count("pk", filter=Q(injury_assessment__isnull=False)),
            "visits": Sum(_item_count(HospitalVisit.objects, "loss_item")),
            "open_flags": Sum(_item_count(flags.filter(status=FlagStatus.OPEN), "loss_item")),
            "confirmed_flags": Sum(
                _item_count(flags.filter(status=FlagStatus.CONFIRMED), "loss_item")
            ),
            "hospital_days": Sum("injury_assessment__hospital_days"),
            "bills": Sum(_item_count(MedicalBill.objects, "assessment__loss_item")),
            "claimed": Sum("injury_assessment__claimed_total"),
            "reasonable": Sum("injury_assessment__reasonable_total"),
            "deducted": Sum("injury_assessment__deducted_total"),
            "compensation": Sum("injury_assessment__total"),
            "disability": Count("pk", filter=Q(**{outcome: InjuryOutcomeChoices.DISABILITY})),
            "death": Count("pk", filter=Q(**{outcome: InjuryOutcomeChoices.DEATH})),
            # From the report to the assessment's (last) save.
            "assess_us": Sum(
                microseconds_between("case__report__reported_at", "injury_assessment__updated_at")
            ),
        }


CASES = CaseRollup(
    CaseDay,
    date="report__reported_at",
    branch="branch",
    client="client",
    person="report__created_by",
    person_field="registrar",
)
DISPATCHES = DispatchRollup(
    DispatchDay,
    date="dispatched_at",
    branch="case__branch",
    client="case__client",
    person="surveyor",
    person_field="surveyor",
)
LOSS_ITEM_KEYS = {
    "date": "case__report__reported_at",
    "branch": "case__branch",
    "client": "case__client",
    "person_field": "assessor",
}
PROPERTY = PropertyRollup(PropertyDay, person="property_sheet__assessor", **LOSS_ITEM_KEYS)
INJURY = InjuryRollup(InjuryDay, person="injury_assessment__assessor", **LOSS_ITEM_KEYS)
ARRIVALS = ArrivalRollup(
    ArrivalDay,
    date="dispatched_at",
    branch="case__branch",
    client="case__client",
    person="",
    person_field="tenths",
)
ARRIVAL_MONTHS = ArrivalMonthRollup(
    ArrivalMonth,
    date="day",
    branch="branch",
    client="client",
    person="tenths",
    person_field="tenths",
    period="month",
)
ROLLUPS = (CASES, DISPATCHES, ARRIVALS, ARRIVAL_MONTHS, PROPERTY, INJURY)
# Summed from ClosedCase, so refreshed and rebuilt after it.
CLOSED = ClosedRollup(
    ClosedDay,
    date="closed_at",
    branch="branch",
    client="client",
    person="surveyor",
    person_field="surveyor",
    extra_keys=(("line", "line"),),
)


def mark_stale(sender, instance, raw=False, **kwargs) -> None:
    """post_save of a case, a dispatch or a timeline event: its case is stale. (Every
    service that changes a case records an event, also when it saves the case with an
    UPDATE that sends no signal.)"""
    if raw:  # loaddata
        return
    from lossdesk.reports.tasks import queue_refresh

    StaleCase.objects.create(case_id=instance.pk if sender is Case else instance.case_id)
    transaction.on_commit(queue_refresh, robust=True)


def connect() -> None:
    from django.db.models.signals import post_save

    from lossdesk.claims.models import CaseEvent

    for model in (Case, Dispatch, CaseEvent):
        post_save.connect(mark_stale, sender=model, dispatch_uid=f"rollups-{model.__name__}")


def refresh() -> int:
    """Bring the roll-ups up to date with every stale case; how many cases that was."""
    # Most reads find nothing stale: one look, without the savepoint and the lock (a mark
    # being written now is taken by the next read, as it would be after the lock).
    if not StaleCase.objects.exists():
        return 0
    with transaction.atomic():
        stale = list(StaleCase.objects.select_for_update().values_list("pk", "case_id"))
        if not stale:
            return 0
        case_ids = {case_id for _pk, case_id in stale}
        for rollup in ROLLUPS:
            rollup.refresh(case_ids)
        closed_before = CLOSED.keys(case_ids)
        casefacts.refresh(case_ids)
        CLOSED.refresh(case_ids, also=closed_before)
        StaleCase.objects.filter(pk__in=[pk for pk, _case in stale]).delete()
    return len(case_ids)


def rebuild() -> dict[str, int]:
    """Every roll-up recomputed from the cases: {model: rows written}."""
    with transaction.atomic():
        StaleCase.objects.all().delete()
        written = {r.model._meta.model_name: r.rebuild() for r in ROLLUPS}
        written.update(rebuild_closed())
        return written


def rebuild_closed() -> dict[str, int]:
    """Each closed case's figures and their daily sums recomputed (in the caller's
    transaction)."""
    return {"closedcase": casefacts.rebuild(), "closedday": CLOSED.rebuild()}
