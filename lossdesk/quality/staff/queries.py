"""Reads of staff quality: a person's page (points per period, consequences, evaluations,
the credit record) and the committee's monthly register and quarterly report."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, Sum
from django.utils import timezone

from lossdesk.quality.staff import periods
from lossdesk.quality.staff.choices import (
    ComplaintStatus,
    CreditKind,
    MisconductStatus,
)
from lossdesk.quality.staff.models import (
    Award,
    Complaint,
    ConductEvaluation,
    Consequence,
    MisconductRecord,
)
from lossdesk.quality.staff.services import points_by_period


@dataclass(frozen=True)
class CreditEntry:
    kind: str
    day: date
    title: str
    detail: str
    points: int | None = None
    status: str = ""

    @property
    def kind_label(self) -> str:
        return CreditKind(self.kind).label


def credit_record(person) -> list[CreditEntry]:
    """诚信档案: awards, violations (every entry but a cancelled one) and complaints about
    the person, newest first."""
    entries = [
        CreditEntry(CreditKind.AWARD, a.awarded_on, a.title, a.reason)
        for a in Award.objects.filter(person=person)
    ]
    records = (
        MisconductRecord.objects.filter(person=person)
        .exclude(final_points=0)
        .select_related("item")
    )
    entries += [
        CreditEntry(
            CreditKind.VIOLATION,
            r.occurred_on,
            r.item.title,
            r.description,
            r.final_points if r.final_points is not None else r.points,
            r.get_status_display(),
        )
        for r in records
    ]
    entries += [
        CreditEntry(
            CreditKind.COMPLAINT,
            timezone.localdate(c.received_at),
            f"{c.get_source_display()}投诉：{c.complainant}",
            c.conclusion or c.summary,
            status=c.get_status_display(),
        )
        for c in Complaint.objects.filter(staff=person)
    ]
    return sorted(entries, key=lambda e: e.day, reverse=True)


@dataclass
class PersonQuality:
    person: object
    period: str
    points: int
    by_period: list
    consequences: list
    evaluations: list
    records: list
    credit: list


def person_quality(person) -> PersonQuality:
    period = periods.period_of(timezone.localdate())
    by_period = points_by_period(person)
    consequences = list(
        Consequence.objects.filter(Q(person=person) | Q(about=person)).select_related(
            "threshold", "about", "person"
        )
    )
    return PersonQuality(
        person=person,
        period=period,
        points=by_period.get(period, 0),
        by_period=[
            {"period": k, "label": periods.label(k), "points": v} for k, v in by_period.items()
        ],
        consequences=consequences,
        evaluations=list(
            ConductEvaluation.objects.filter(person=person).select_related("evaluator")
        ),
        records=list(
            MisconductRecord.objects.filter(person=person).select_related("item", "registered_by")
        ),
        credit=credit_record(person),
    )


# --------------------------------------------------------------- the committee's books


def month_register(records, complaints, reports, start: date, end: date) -> dict:
    """The monthly register (月度登记表): the entries registered, the complaints and the
    reports received in [start, end], each within what the caller passed (their scope)."""
    return {
        "records": list(
            records.filter(registered_at__date__range=(start, end))
            .select_related("person__position", "branch", "item", "case", "registered_by")
            .order_by("registered_at", "pk")
        ),
        "complaints": list(
            complaints.filter(received_at__date__range=(start, end))
            .select_related("branch", "client", "case", "staff")
            .order_by("received_at", "pk")
        ),
        "reports": list(
            reports.filter(received_at__date__range=(start, end))
            .select_related("branch", "subject")
            .order_by("received_at", "pk")
        ),
    }


@dataclass
class PersonRow:
    branch: str
    name: str
    post: str
    entries: int = 0
    points: int = 0
    complaints: int = 0
    awards: int = 0


def quarter_report(records, complaints, awards, consequences, start: date, end: date) -> dict:
    """The quarterly report (季度报告): per person the final entries and their points, the
    substantiated complaints and the awards of the quarter; per item the entries and points;
    the consequences raised."""
    final = records.filter(status=MisconductStatus.FINAL, occurred_on__range=(start, end))
    people: dict[int, PersonRow] = {}

    def row(staff) -> PersonRow:
        if staff.pk not in people:
            people[staff.pk] = PersonRow(
                str(staff.branch or ""), str(staff), staff.position.name if staff.position else ""
            )
        return people[staff.pk]

    for r in final.select_related("person__branch", "person__position"):
        person = row(r.person)
        person.entries += 1
        person.points += r.final_points or 0
    substantiated = complaints.filter(
        status=ComplaintStatus.SUBSTANTIATED, concluded_at__date__range=(start, end)
    ).exclude(staff=None)
    for c in substantiated.select_related("staff__branch", "staff__position"):
        row(c.staff).complaints += 1
    for a in awards.filter(awarded_on__range=(start, end)).select_related(
        "person__branch", "person__position"
    ):
        row(a.person).awards += 1
    by_item = (
        final.values("item__code", "item__title", "item__severity")
        .annotate(entries=Count("pk"), points=Sum("final_points"))
        .order_by("item__code")
    )
    return {
        "people": sorted(people.values(), key=lambda p: (-p.points, p.branch, p.name)),
        "items": list(by_item),
        "consequences": list(
            consequences.filter(raised_at__date__range=(start, end))
            .select_related("threshold", "about", "person", "branch")
            .order_by("raised_at", "pk")
        ),
    }
