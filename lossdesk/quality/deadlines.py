"""Case monitoring (案件监控): each case's deadline per stage, read from the case's own
records, and the reminders and escalations the scheduled job sends about them.

Quality reads the other apps' records and never changes them. When a case, a dispatch or a
document request is saved, the case's deadlines are recomputed after the commit
(`refresh_case_deadlines`); the scheduled job (`evaluate_deadlines`, manage.py
evaluate_deadlines) sends the reminder before a deadline and the escalation after it, each
at most once per deadline.

Where each stage starts and ends:

| stage | starts | met |
|---|---|---|
| dispatch 调度 | the report's 报案时间 | the first dispatch |
| arrival 到达现场 | the dispatch that arrived (else the latest) | its arrival |
| survey 完成查勘 | the arrival | the survey completed |
| assessment 定损 | the survey completed | the first submission for review |
| review 审核 | the latest submission | the next return, or the approval that ends the review |
| report 出具报告 | that approval | the report issued |
| documents 资料补充 | a request with a due date | its fulfilment (due at the due date's end) |
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from lossdesk.claims import registry
from lossdesk.claims.choices import FINAL_STATUSES, CaseStatus, EventType
from lossdesk.claims.models import Case, CaseEvent, DocumentRequest
from lossdesk.core.calendar import work_calendar  # the one calendar (decision 0019)
from lossdesk.notify.choices import TemplateCode
from lossdesk.org.models import Staff
from lossdesk.quality.choices import DeadlineStage, NoticeKind
from lossdesk.quality.models import (
    DUE_SOON,
    CaseDeadline,
    DeadlineNotice,
    DeadlineRule,
)
from lossdesk.rules.working_time import due_at

logger = logging.getLogger(__name__)

STAGE_EVENTS = (
    EventType.SURVEY_COMPLETED,
    EventType.SUBMITTED_FOR_REVIEW,
    EventType.REVIEW_APPROVED,
    EventType.REVIEW_RETURNED,
    EventType.REPORT_ISSUED,
)
# Who is reminded of a stage when no one person is responsible for it: the case's branch
# staff holding the right to do it.
STAGE_PERMISSIONS = {
    DeadlineStage.DISPATCH: "claims.dispatch_case",
    DeadlineStage.ARRIVAL: "claims.survey_case",
    DeadlineStage.SURVEY: "claims.survey_case",
    DeadlineStage.ASSESSMENT: "claims.assess_case",
    DeadlineStage.REVIEW: "claims.review_case",
    DeadlineStage.REPORT: "claims.issue_report",
    DeadlineStage.DOCUMENTS: "claims.request_documents",
}
ESCALATION_PERMISSION = "quality.receive_escalation"


@dataclass(frozen=True)
class Stage:
    stage: DeadlineStage
    started_at: datetime
    met_at: datetime | None
    person_id: int | None = None
    document_request_id: int | None = None
    due_at: datetime | None = None  # set by the record itself (a request's due date)


def stages_of(case: Case, dispatches, events, requests) -> list[Stage]:
    """The stages `case` has started, from its report, dispatches (oldest first), stage
    events (oldest first) and document requests."""
    stages = [
        Stage(
            DeadlineStage.DISPATCH,
            case.report.reported_at,
            dispatches[0].dispatched_at if dispatches else None,
        )
    ]
    for request in requests:
        if request.due_date is not None:
            stages.append(
                Stage(
                    DeadlineStage.DOCUMENTS,
                    request.requested_at,
                    request.fulfilled_at,
                    request.requested_by_id,
                    request.pk,
                    end_of_day(request.due_date),
                )
            )
    if not dispatches:
        return stages
    arrived = next((d for d in dispatches if d.arrived_at is not None), None)
    current = arrived or dispatches[-1]
    stages.append(
        Stage(DeadlineStage.ARRIVAL, current.dispatched_at, current.arrived_at, current.surveyor_id)
    )
    if arrived is None:
        return stages

    def first(types, after):
        return next((at for type_, at, _ in events if type_ in types and at >= after), None)

    surveyed = first({EventType.SURVEY_COMPLETED}, arrived.arrived_at)
    stages.append(Stage(DeadlineStage.SURVEY, arrived.arrived_at, surveyed, arrived.surveyor_id))
    if surveyed is None:
        return stages
    submitted = first({EventType.SUBMITTED_FOR_REVIEW}, surveyed)
    stages.append(Stage(DeadlineStage.ASSESSMENT, surveyed, submitted, case.surveyor_id))
    if submitted is None:
        return stages
    latest = max(at for type_, at, _ in events if type_ == EventType.SUBMITTED_FOR_REVIEW)
    # A level-one approval that sends the case to the second level does not end the review.
    decided = next(
        (
            (type_, at)
            for type_, at, data in events
            if at >= latest
            and (
                type_ == EventType.REVIEW_RETURNED
                or (type_ == EventType.REVIEW_APPROVED and approves(data))
            )
        ),
        None,
    )
    stages.append(Stage(DeadlineStage.REVIEW, latest, decided[1] if decided else None))
    if decided is None or decided[0] != EventType.REVIEW_APPROVED:
        return stages
    issued = first({EventType.REPORT_ISSUED}, decided[1])
    stages.append(Stage(DeadlineStage.REPORT, decided[1], issued))
    return stages


def approves(data: dict) -> bool:
    return (data.get("status") or [None, None])[-1] == CaseStatus.APPROVED


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time(0)))


def line_of(case: Case) -> str:
    """The case's line for its deadlines: that of its first loss item (本车 on a motor case)."""
    item = case.loss_items.order_by("seq").first()
    line = registry.line_for(item.kind) if item else None
    return line.name if line else ""


def rule_for(rules, stage: str, case: Case, line: str) -> DeadlineRule | None:
    """The most specific rule for the stage: a client's over all clients, then a branch's
    over all branches, then a line's over all lines."""
    candidates = [
        rule
        for rule in rules
        if rule.stage == stage
        and rule.client_id in (None, case.client_id)
        and rule.branch_id in (None, case.branch_id)
        and rule.line in ("", line)
    ]
    return max(
        candidates,
        key=lambda r: (r.client_id is not None, r.branch_id is not None, r.line != ""),
        default=None,
    )


def remind_at(started_at: datetime, due: datetime) -> datetime:
    """An hour before, or halfway for a deadline shorter than two hours."""
    return due - min(DUE_SOON, (due - started_at) / 2)


def refresh_case_deadlines(case_id: int) -> None:
    """Recompute one case's deadlines from its records (the signals' on-commit work)."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("report")
            .filter(pk=case_id)
            .first()
        )
        if case is None:
            return
        dispatches = list(case.dispatches.order_by("dispatched_at", "pk"))
        events = list(
            CaseEvent.objects.filter(case=case, type__in=STAGE_EVENTS)
            .order_by("created_at", "pk")
            .values_list("type", "created_at", "data")
        )
        requests = list(DocumentRequest.objects.filter(case=case))
        stages = stages_of(case, dispatches, events, requests)
        if case.status in FINAL_STATUSES:  # a closed or cancelled case is watched no more
            stages = [s for s in stages if s.met_at is not None]
        rules = list(DeadlineRule.objects.all())
        line = line_of(case)
        calendar = work_calendar()
        existing = {(d.stage, d.document_request_id): d for d in case.deadlines.all()}
        keep = set()
        for stage in stages:
            rule = None
            due = stage.due_at
            if due is None:
                rule = rule_for(rules, stage.stage, case, line)
                if rule is None:
                    continue
                started = timezone.localtime(stage.started_at)
                due = due_at(started, rule.duration, calendar)
            key = (stage.stage, stage.document_request_id)
            row = existing.get(key)
            if row is not None and row.started_at != stage.started_at:
                row.delete()  # a new round of the stage (a new review): a new deadline
                row = None
            values = {
                "person_id": stage.person_id,
                "rule_id": rule.pk if rule else None,
                "allowed": str(rule.duration) if rule else f"截止 {stage.due_at:%Y-%m-%d}",
                "started_at": stage.started_at,
                "due_at": due,
                "met_at": stage.met_at,
                "remind_at": remind_at(stage.started_at, due),
            }
            if row is None:
                row = CaseDeadline.objects.create(
                    case=case,
                    stage=stage.stage,
                    document_request_id=stage.document_request_id,
                    **values,
                )
            elif any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                row.save()
            keep.add(row.pk)
        stale = [d.pk for d in existing.values() if d.pk not in keep]
        if stale:
            CaseDeadline.objects.filter(pk__in=stale).delete()


def schedule_refresh(case_id: int | None) -> None:
    """Recompute the case's deadlines once the current transaction commits (once per
    case and transaction, however many of its records the transaction saved)."""
    if case_id is None:
        return
    connection = transaction.get_connection()
    for _, pending, _ in connection.run_on_commit:
        if getattr(pending, "func", None) is refresh_case_deadlines and pending.args == (case_id,):
            return
    transaction.on_commit(partial(refresh_case_deadlines, case_id), robust=True)


def on_case_saved(sender, instance, **kwargs) -> None:
    schedule_refresh(instance.pk)


def on_case_record_saved(sender, instance, **kwargs) -> None:
    schedule_refresh(instance.case_id)


def connect() -> None:
    """Called from QualityConfig.ready()."""
    from django.db.models.signals import post_save

    post_save.connect(on_case_saved, sender="claims.Case", dispatch_uid="quality_deadline_case")
    for model in ("intake.Dispatch", "claims.DocumentRequest"):
        post_save.connect(on_case_record_saved, sender=model, dispatch_uid=f"quality_{model}")


def refresh_open_cases() -> int:
    """Recompute every open case's deadlines (after a change of the rules or calendar)."""
    ids = Case.objects.exclude(status__in=FINAL_STATUSES).values_list("pk", flat=True)
    count = 0
    for case_id in ids.iterator(chunk_size=1000):
        refresh_case_deadlines(case_id)
        count += 1
    return count


# The scheduled job: reminders and escalations.


@dataclass
class Sent:
    reminders: int = 0
    escalations: int = 0


def evaluate_deadlines(now: datetime | None = None) -> Sent:
    """Remind before open deadlines and escalate overdue ones, each once per deadline."""
    now = now or timezone.now()
    sent = Sent()
    open_rows = CaseDeadline.objects.open().select_related("case__branch", "person")
    for deadline in open_rows.filter(
        reminded_at__isnull=True, remind_at__lte=now, due_at__gt=now
    ).order_by("due_at", "pk"):
        sent.reminders += notify(deadline, NoticeKind.REMINDER, now)
    for deadline in open_rows.filter(escalated_at__isnull=True, due_at__lte=now).order_by(
        "due_at", "pk"
    ):
        sent.escalations += notify(deadline, NoticeKind.ESCALATION, now)
    return sent


def notify(deadline: CaseDeadline, kind: str, now: datetime) -> int:
    """Send `kind` about `deadline` if no run has sent it yet: an in-app notice and an SMS
    to each recipient. 1 when this run sent it, else 0."""
    marker = "reminded_at" if kind == NoticeKind.REMINDER else "escalated_at"
    with transaction.atomic():
        claimed = CaseDeadline.objects.filter(pk=deadline.pk, **{f"{marker}__isnull": True})
        if not claimed.update(**{marker: now}):
            return 0  # another run sent it
        recipients = recipients_of(deadline, kind)
        message = notice_text(deadline, kind)
        try:
            with transaction.atomic():
                DeadlineNotice.objects.bulk_create(
                    [
                        DeadlineNotice(
                            deadline=deadline, kind=kind, recipient=person, message=message
                        )
                        for person in recipients
                    ]
                )
        except IntegrityError:  # already noticed (a marker reset by hand): nothing new
            return 0
        text(deadline, kind, recipients)
    return 1


def recipients_of(deadline: CaseDeadline, kind: str) -> list[Staff]:
    staff = Staff.objects.filter(is_active=True).select_related("position")
    if kind == NoticeKind.REMINDER:
        if deadline.person is not None and deadline.person.is_active:
            return [deadline.person]
        return list(holding(staff, STAGE_PERMISSIONS[deadline.stage], deadline.case.branch))
    # Escalation: the supervisors of the case's branch, else of the nearest branch above.
    branch = deadline.case.branch
    while branch is not None:
        found = list(holding(staff, ESCALATION_PERMISSION, branch))
        if found:
            return found
        branch = branch.parent
    return []


def holding(staff, permission: str, branch):
    app_label, codename = permission.split(".")
    return staff.filter(
        branch=branch,
        position__permissions__content_type__app_label=app_label,
        position__permissions__codename=codename,
    ).order_by("pk")


def notice_text(deadline: CaseDeadline, kind: str) -> str:
    due = f"{timezone.localtime(deadline.due_at):%Y-%m-%d %H:%M}"
    stage = deadline.get_stage_display()
    if kind == NoticeKind.REMINDER:
        allowed = deadline.allowed
        return f"案件 {deadline.case.case_no} 的「{stage}」将于 {due} 到期（时限 {allowed}）。"
    person = deadline.person.full_name if deadline.person else "未指定"
    return f"案件 {deadline.case.case_no} 的「{stage}」已于 {due} 超时，责任人：{person}。"


def text(deadline: CaseDeadline, kind: str, recipients: list[Staff]) -> None:
    """The SMS beside the in-app notice, for recipients with a mobile number; a refusal of
    the SMS platform is logged and never undoes the notice."""
    from lossdesk.intake.sms import send_all

    template = (
        TemplateCode.DEADLINE_REMINDER
        if kind == NoticeKind.REMINDER
        else TemplateCode.DEADLINE_ESCALATION
    )
    context = {
        "case_no": deadline.case.case_no,
        "stage": deadline.get_stage_display(),
        "due_at": f"{timezone.localtime(deadline.due_at):%m-%d %H:%M}",
        "person": deadline.person.full_name if deadline.person else "未指定",
    }
    if kind == NoticeKind.REMINDER:
        del context["person"]
    messages = [(p.mobile, template, context, "staff") for p in recipients if p.mobile]
    if messages:
        send_all(messages, case=deadline.case)


def notices_for(user):
    """The user's notices, newest first."""
    return DeadlineNotice.objects.filter(recipient=user).select_related("deadline__case")
