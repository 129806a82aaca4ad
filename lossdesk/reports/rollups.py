"""Daily roll-ups of the two statistics read most (报案统计, 调度统计; issue 16, decision
0017): counts and sums per local day, branch, client and person, from which a month or a
year of the tables is a sum over a few thousand rows instead of an aggregate over a million
cases.

Kept equal to the cases thus: a change to a case, its dispatches or its timeline writes a
`StaleCase` row in the same transaction (signals, `mark_stale`); before statistics are
read, `refresh` recomputes from the cases every roll-up row a stale case falls in (its
day, branch, client and person) and consumes the stale rows, under a row lock so two
readers do not refresh the same rows at once. `rebuild` recomputes everything (manage.py
rebuild_statistics; seed_cases calls it after writing straight into the tables)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDate

from lossdesk.claims.choices import FINAL_STATUSES, CaseStatus
from lossdesk.claims.filtersets import local_midnight
from lossdesk.claims.models import Case
from lossdesk.intake.models import Dispatch
from lossdesk.reports import casefacts
from lossdesk.reports.aggregates import microseconds_between, within
from lossdesk.reports.models import CaseDay, DispatchDay, StaleCase

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

    def rows(self):
        raise NotImplementedError

    def of_cases(self, case_ids):
        raise NotImplementedError

    def components(self) -> dict:
        raise NotImplementedError

    def grouped(self, rows):
        """{key fields, component fields} per key over the base `rows`."""
        return (
            rows.order_by()
            .values(
                day=TruncDate(self.date),
                branch_id_=F(self.branch),
                client_id_=F(self.client),
                person_id_=F(self.person),
            )
            .annotate(**self.components())
        )

    def build(self, grouped: Iterable[dict]):
        for values in grouped:
            yield self.model(
                day=values.pop("day"),
                branch_id=values.pop("branch_id_"),
                client_id=values.pop("client_id_"),
                **{f"{self.person_field}_id": values.pop("person_id_")},
                **{k: v or 0 for k, v in values.items()},
            )

    def write(self, grouped) -> int:
        batch, written = [], 0
        for row in self.build(grouped.iterator(chunk_size=BATCH)):
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

    def refresh(self, case_ids: set[int]) -> None:
        """Recompute the rows of every key the cases fall in."""
        keys = {
            (v["day"], v["branch_id_"], v["client_id_"], v["person_id_"])
            for v in self.grouped(self.of_cases(case_ids)).values(
                "day", "branch_id_", "client_id_", "person_id_"
            )
        }
        keys = sorted(keys)
        for start in range(0, len(keys), KEYS_PER_QUERY):
            chunk = keys[start : start + KEYS_PER_QUERY]
            stored, source = Q(pk__in=[]), Q(pk__in=[])
            for day, branch, client, person in chunk:
                stored |= Q(
                    day=day,
                    branch_id=branch,
                    client_id=client,
                    **{f"{self.person_field}_id": person},
                )
                source |= Q(
                    **{
                        f"{self.date}__gte": local_midnight(day),
                        f"{self.date}__lt": local_midnight(day + timedelta(days=1)),
                        self.branch: branch,
                        self.client: client,
                        self.person: person,
                    }
                )
            self.model.objects.filter(stored).delete()
            self.write(self.grouped(self.rows().filter(source)))


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
ROLLUPS = (CASES, DISPATCHES)


def mark_stale(sender, instance, raw=False, **kwargs) -> None:
    """post_save of a case, a dispatch or a timeline event: its case is stale. (Every
    service that changes a case records an event, also when it saves the case with an
    UPDATE that sends no signal.)"""
    if raw:  # loaddata
        return
    StaleCase.objects.create(case_id=instance.pk if sender is Case else instance.case_id)


def connect() -> None:
    from django.db.models.signals import post_save

    from lossdesk.claims.models import CaseEvent

    for model in (Case, Dispatch, CaseEvent):
        post_save.connect(mark_stale, sender=model, dispatch_uid=f"rollups-{model.__name__}")


def refresh() -> int:
    """Bring the roll-ups up to date with every stale case; how many cases that was."""
    with transaction.atomic():
        stale = list(StaleCase.objects.select_for_update().values_list("pk", "case_id"))
        if not stale:
            return 0
        case_ids = {case_id for _pk, case_id in stale}
        for rollup in ROLLUPS:
            rollup.refresh(case_ids)
        casefacts.refresh(case_ids)
        StaleCase.objects.filter(pk__in=[pk for pk, _case in stale]).delete()
    return len(case_ids)


def rebuild() -> dict[str, int]:
    """Every roll-up recomputed from the cases: {model: rows written}."""
    with transaction.atomic():
        StaleCase.objects.all().delete()
        written = {r.model._meta.model_name: r.rebuild() for r in ROLLUPS}
        written["closedcase"] = casefacts.rebuild()
        return written
