"""The figures of each closed case (reports.ClosedCase) that the KPIs and the closing
statistics add up: its cycle time and the time of each stage, how many people handled it
and how often it changed hands, its reviews and returns, its deadlines met late, and the
assessed and approved amounts (docs/statistics.md, "KPIs").

Read once per case from its timeline (CaseEvent), reviews and deadlines (quality's
CaseDeadline), so a month's KPIs are a grouped sum over the month's closed cases instead of
a walk through millions of events. Kept like the daily roll-ups (reports.rollups): a stale
case is recomputed by `refresh` before statistics are read; `rebuild` recomputes all."""

from collections import defaultdict
from datetime import datetime
from itertools import pairwise

from django.db.models.signals import post_delete, post_save

from lossdesk.claims import registry
from lossdesk.claims.choices import CaseStatus, EventType, ReviewDecision
from lossdesk.claims.models import Case, CaseEvent, LossItem, Review
from lossdesk.quality.models import CaseDeadline
from lossdesk.reports.models import ClosedCase

BATCH = 2_000

# The stages of a closed case on its timeline: (field, from, to). A stage starts at the
# first event of its `from` type (the report's time for None) and ends at the first of its
# `to` type after that; the review ends at the last approval (a second level or a return
# makes more than one round).
STAGES = (
    ("dispatch_us", None, EventType.DISPATCHED),
    ("survey_us", EventType.DISPATCHED, EventType.SURVEY_COMPLETED),
    ("assessment_us", EventType.SURVEY_COMPLETED, EventType.SUBMITTED_FOR_REVIEW),
    ("review_us", EventType.SUBMITTED_FOR_REVIEW, EventType.REVIEW_APPROVED),
    ("report_us", EventType.REVIEW_APPROVED, EventType.REPORT_ISSUED),
    ("closing_us", EventType.REPORT_ISSUED, EventType.CLOSED),
)
LAST_OF = frozenset({EventType.REVIEW_APPROVED})


def microseconds(earlier: datetime, later: datetime) -> int:
    delta = later - earlier
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def handoffs(actors: list) -> tuple[int, int]:
    """(people, hand-offs) of a timeline's human actors in time order: how many different
    people acted on the case, and how often the next person to act was not the last one
    (automatic events, without an actor, neither count nor break a run)."""
    people = [a for a in actors if a is not None]
    changes = sum(1 for before, after in pairwise(people) if before != after)
    return len(set(people)), changes


def stage_times(reported_at: datetime, events: list[tuple[str, datetime]]) -> dict:
    """{stage field: microseconds or None} from the case's events (type, time) in order."""
    first: dict = {}
    last: dict = {}
    for type_, at in events:
        first.setdefault(type_, at)
        last[type_] = at
    found = {}
    for name, start_type, end_type in STAGES:
        start = (
            reported_at
            if start_type is None
            else (last if start_type in LAST_OF else first).get(start_type)
        )
        end = (last if end_type in LAST_OF else first).get(end_type)
        ok = start is not None and end is not None and end >= start
        found[name] = microseconds(start, end) if ok else None
    return found


def compute(case_ids) -> list[ClosedCase]:
    """The ClosedCase rows of those of `case_ids` that are closed, from their records."""
    cases = list(
        Case.objects.filter(pk__in=case_ids, status=CaseStatus.CLOSED, closed_at__isnull=False)
        .order_by("pk")
        .values(
            "pk",
            "branch_id",
            "client_id",
            "surveyor_id",
            "opened_at",
            "closed_at",
            "approved_amount",
            "assessed_amount",
            "report__reported_at",
        )
    )
    if not cases:
        return []
    ids = [c["pk"] for c in cases]
    kinds: dict = {}
    for case_id, kind in (
        LossItem.objects.filter(case_id__in=ids)
        .order_by("case_id", "-seq")
        .values_list("case_id", "kind")
    ):
        kinds[case_id] = kind  # the last written is the lowest seq: the first item
    events = defaultdict(list)
    for case_id, type_, actor, at in (
        CaseEvent.objects.filter(case_id__in=ids)
        .order_by("case_id", "created_at", "pk")
        .values_list("case_id", "type", "actor_id", "created_at")
    ):
        events[case_id].append((type_, actor, at))
    reviews = defaultdict(list)
    for case_id, decision, amount in (
        Review.objects.filter(case_id__in=ids)
        .order_by("case_id", "created_at", "pk")
        .values_list("case_id", "decision", "amount")
    ):
        reviews[case_id].append((decision, amount))
    deadlines = defaultdict(lambda: [0, 0])
    for case_id, due_at, met_at in CaseDeadline.objects.filter(case_id__in=ids).values_list(
        "case_id", "due_at", "met_at"
    ):
        deadlines[case_id][0] += 1
        # Met after the deadline, or never met by the time the case closed.
        if met_at is None or met_at > due_at:
            deadlines[case_id][1] += 1
    rows = []
    for case in cases:
        pk = case["pk"]
        # Up to the closing: the customer callback after it is not the case's handling.
        timeline = [e for e in events[pk] if e[2] <= case["closed_at"]]
        people, changes = handoffs([actor for _type, actor, _at in timeline])
        line = registry.line_for(kinds[pk]) if pk in kinds else None
        decided = reviews[pk]
        rows.append(
            ClosedCase(
                case_id=pk,
                closed_at=case["closed_at"],
                branch_id=case["branch_id"],
                client_id=case["client_id"],
                surveyor_id=case["surveyor_id"],
                line=line.name if line else "",
                cycle_us=microseconds(case["opened_at"], case["closed_at"]),
                **stage_times(case["report__reported_at"], [(t, at) for t, _actor, at in timeline]),
                people=people,
                handoffs=changes,
                reviews=len(decided),
                returns=sum(1 for decision, _ in decided if decision == ReviewDecision.RETURNED),
                deadlines=deadlines[pk][0],
                deadlines_late=deadlines[pk][1],
                # What was first put to review (the first review saw it), else the last figure.
                assessed=decided[0][1] if decided else case["assessed_amount"],
                approved=case["approved_amount"] or 0,
            )
        )
    return rows


def refresh(case_ids) -> None:
    """Recompute the rows of these (stale) cases; a case no longer closed loses its row."""
    case_ids = sorted(case_ids)
    for start in range(0, len(case_ids), BATCH):
        chunk = case_ids[start : start + BATCH]
        ClosedCase.objects.filter(case_id__in=chunk).delete()
        ClosedCase.objects.bulk_create(compute(chunk))


def rebuild() -> int:
    """Every closed case's row recomputed; how many rows that wrote."""
    ClosedCase.objects.all().delete()
    closed = Case.objects.filter(status=CaseStatus.CLOSED).order_by("pk")
    written, after = 0, 0
    while True:
        chunk = list(closed.filter(pk__gt=after).values_list("pk", flat=True)[:BATCH])
        if not chunk:
            return written
        written += len(ClosedCase.objects.bulk_create(compute(chunk)))
        after = chunk[-1]


def connect() -> None:
    """A case's deadlines change after its commit (quality.deadlines): that makes it stale
    too, so its late stages are counted again."""
    from lossdesk.reports.rollups import mark_stale

    post_save.connect(mark_stale, sender=CaseDeadline, dispatch_uid="casefacts-deadline")
    post_delete.connect(mark_stale, sender=CaseDeadline, dispatch_uid="casefacts-deadline-del")
