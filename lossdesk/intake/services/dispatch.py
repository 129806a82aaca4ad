"""Dispatching surveyors: the recommendation, dispatch and re-dispatch, accept, decline, the
accept time-out, arrival and the surveyor's reported position."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from lossdesk.claims import workflow
from lossdesk.claims.choices import EventType, LossItemKind, LossItemStatus
from lossdesk.claims.models import Case
from lossdesk.claims.services import lock_case, move_case, record_event
from lossdesk.claims.workflow import Action
from lossdesk.core.errors import PermissionDenied, ServiceError
from lossdesk.intake import queries, scoring, signals, sms
from lossdesk.intake.choices import (
    ACTIVE_DISPATCH_STATUSES,
    DISPATCH_STATES,
    DelegationStatus,
    DispatchAction,
    DispatchAlertKind,
    DispatchStatus,
)
from lossdesk.intake.error_codes import IntakeErrorCode
from lossdesk.intake.models import (
    Delegation,
    Dispatch,
    DispatchAlert,
    Report,
    RosterShift,
    shift_bounds,
)
from lossdesk.org.models import Branch, Staff
from lossdesk.org.positions import CASE_SURVEY

SKILL_OF_KIND = {
    LossItemKind.INSURED_VEHICLE: "vehicle",
    LossItemKind.THIRD_PARTY_VEHICLE: "vehicle",
    LossItemKind.PROPERTY: "property",
    LossItemKind.INJURY: "injury",
}


def working_branch_id(case: Case) -> int:
    """The branch whose surveyors work the case: the receiving branch of an accepted
    delegation, otherwise the case's own branch."""
    delegated = (
        Delegation.objects.filter(case_id=case.pk, status=DelegationStatus.ACCEPTED)
        .values_list("to_branch_id", flat=True)
        .first()
    )
    return delegated or case.branch_id


def dispatchable_surveyors(case: Case, branch_id: int | None = None):
    """Active staff of the working branch whose position can survey."""
    return (
        Staff.objects.filter(
            branch_id=branch_id or working_branch_id(case),
            is_active=True,
            position__permissions__codename=CASE_SURVEY.split(".")[1],
            position__permissions__content_type__app_label="claims",
        )
        .select_related("position")
        .order_by("full_name")
    )


def recommend_surveyors(case: Case, *, now=None) -> list[scoring.Ranked]:
    """The working branch's surveyors ranked for this case (intake.scoring, docs/dispatch.md):
    on duty per the roster, distance to the accident, open field work, skills."""
    return _recommend(case, now=now)[0]


def _recommend(case: Case, *, now=None, branch_id=None, kinds=None):
    """(ranking, {staff id: Staff}) in two queries: the surveyors with their open field
    work (queries.surveyor_candidates), and the roster. `branch_id` and `kinds` (loss item kinds)
    save their queries when the caller knows them."""
    now = now or timezone.now()
    branch_id = branch_id or working_branch_id(case)
    rows = queries.surveyor_candidates(case, branch_id=branch_id, now=now)
    if not rows:
        return [], rows
    report = case.report
    today = timezone.localtime(now).date()
    shifts: dict[int, list[scoring.Shift]] = {}
    roster_kept = False
    for surveyor_id, zone, day, start_time, end_time in RosterShift.objects.filter(
        branch_id=branch_id, date__in=[today - timedelta(days=1), today]
    ).values_list("surveyor_id", "zone", "date", "start_time", "end_time"):
        start, end = shift_bounds(day, start_time, end_time)
        if day == today or start <= now < end:
            roster_kept = True
        shifts.setdefault(surveyor_id, []).append(scoring.Shift(start, end, zone))
    if kinds is None:
        kinds = {
            item.kind for item in case.loss_items.all() if item.status != LossItemStatus.CANCELLED
        }
    task = scoring.Task(
        at=now,
        place=report.accident_place,
        location=_point(report.accident_lat, report.accident_lng),
        needed_skills=frozenset(SKILL_OF_KIND[k] for k in kinds if k in SKILL_OF_KIND),
        roster_kept=roster_kept,
    )
    candidates = [
        scoring.Candidate(
            id=person.pk,
            name=person.full_name or person.username,
            skills=frozenset(
                skill
                for skill in ("vehicle", "property", "injury")
                if getattr(person, f"skill_{skill}")
            ),
            open_tasks=person.en_route + person.on_site,
            position=_point(person.last_lat, person.last_lng),
            position_at=person.last_position_at,
            shifts=tuple(shifts.get(person.pk, ())),
            declined=person.declined_reason,
        )
        for person in rows.values()
    ]
    return scoring.rank(candidates, task), rows


def _point(lat, lng) -> tuple[float, float] | None:
    if lat is None or lng is None:
        return None
    return float(lat), float(lng)


def _reasons(ranked: scoring.Ranked | None) -> list[dict]:
    if ranked is None:
        return []
    return [
        {"factor": r.factor, "points": r.points, "weight": r.weight, "text": r.text}
        for r in ranked.reasons
    ]


def _create_dispatch(
    case: Case,
    surveyor: Staff,
    *,
    actor,
    ranking: list[scoring.Ranked],
    note: str = "",
    override_reason: str = "",
    auto: bool = False,
    fresh: bool = False,
) -> Dispatch:
    """The dispatch itself, on a case already locked (or, `fresh`, just created and so
    without dispatches or alerts) by the caller."""
    target = workflow.check(Action.DISPATCH, case.status)
    now = timezone.now()
    previous_id = case.surveyor_id
    if not fresh:
        DISPATCH_STATES.move_all(case.dispatches.all(), DispatchAction.SUPERSEDE)
    top = ranking[0] if ranking else None
    chosen = next((r for r in ranking if r.candidate.id == surveyor.pk), None)
    dispatch = Dispatch.objects.create(
        case=case,
        surveyor=surveyor,
        dispatched_by=actor,
        auto=auto,
        note=note.strip(),
        recommended_surveyor_id=top.candidate.id if top else None,
        score=Decimal(str(chosen.score)) if chosen else None,
        reasons=_reasons(chosen),
        override_reason=override_reason.strip(),
        dispatched_at=now,
    )
    if not fresh:
        DispatchAlert.objects.filter(case=case, resolved_at__isnull=True).update(resolved_at=now)
    case.surveyor = surveyor
    verb = "改派" if previous_id else "调度"
    message = f"{'系统自动' if auto else ''}{verb}查勘员 {surveyor}"
    if chosen:
        message += f"（推荐得分 {chosen.score}）"
    if dispatch.override_reason:
        message += f"；未选推荐第一的 {top.candidate.name}，原因：{dispatch.override_reason}"
    data = {"surveyor": [previous_id, surveyor.pk]}
    if chosen:
        data["score"] = chosen.score
    if dispatch.override_reason:
        data["override_reason"] = dispatch.override_reason
        data["recommended"] = top.candidate.id
    if auto:
        data["auto"] = True
    move_case(case, target, actor, EventType.DISPATCHED, message, **data, extra_fields=["surveyor"])
    _notify_dispatch(case, dispatch, chosen, actor)
    transaction.on_commit(lambda: signals.case_dispatched.send(Dispatch, dispatch=dispatch))
    return dispatch


def _notify_dispatch(case: Case, dispatch: Dispatch, chosen, actor) -> None:
    report = case.report
    surveyor = dispatch.surveyor
    to_surveyor = {
        "case_no": case.case_no,
        "place": report.accident_place,
        "contact_name": report.reporter_name,
        "contact_phone": report.reporter_phone,
    }
    to_customer = {
        "case_no": case.case_no,
        "surveyor_name": surveyor.full_name or surveyor.username,
        "surveyor_phone": surveyor.mobile or case.branch.phone,
        "eta_minutes": chosen.eta_minutes if chosen else scoring.ETA_UNKNOWN_MINUTES,
    }
    sms.send_all(
        [
            (surveyor.mobile, sms.DISPATCH_TO_SURVEYOR, to_surveyor, "staff"),
            (report.reporter_phone, sms.DISPATCH_TO_CUSTOMER, to_customer, "customer"),
        ],
        case=case,
        actor=actor,
    )


def auto_dispatch(case: Case, report: Report, *, kinds) -> Dispatch | None:
    """Branches with automatic dispatch: the top candidate, if on duty (or no roster is
    kept), is dispatched by the system (actor None) in the registering transaction."""
    case.report = report
    ranking, rows = _recommend(case, branch_id=case.branch_id, kinds=kinds)
    if not ranking or not ranking[0].auto_dispatchable:
        return None
    surveyor = rows[ranking[0].candidate.id]
    return _create_dispatch(case, surveyor, actor=None, ranking=ranking, auto=True, fresh=True)


@transaction.atomic
def do_dispatch_case(
    case: Case,
    *,
    surveyor: Staff,
    note: str = "",
    override_reason: str = "",
    actor,
    expected_version=None,
) -> Dispatch:
    """Dispatch (or re-dispatch) a surveyor. Choosing someone scored below the top candidate
    is an override and needs a reason, kept on the dispatch and in the case event."""
    case, _ = lock_case(case, actor, Action.DISPATCH, expected_version)
    ranking, rows = _recommend(case)  # every active surveyor of the working branch
    if surveyor.pk not in rows:
        raise ServiceError(
            "所选人员不是本机构在职查勘员。",
            code=IntakeErrorCode.SURVEYOR_NOT_DISPATCHABLE,
            fields={"surveyor": ["请选择本机构在职查勘员。"]},
        )
    top = ranking[0] if ranking else None
    chosen = next((r for r in ranking if r.candidate.id == surveyor.pk), None)
    overridden = top is not None and chosen is not None and top.outranks(chosen)
    if overridden and not override_reason.strip():
        message = (
            f"未选择推荐排名第一的查勘员（{top.candidate.name}，{top.score} 分），请填写原因。"
        )
        raise ServiceError(
            message,
            code=IntakeErrorCode.OVERRIDE_REASON_REQUIRED,
            fields={"override_reason": [message]},
        )
    return _create_dispatch(
        case,
        surveyor,
        actor=actor,
        ranking=ranking,
        note=note,
        override_reason=override_reason if overridden else "",
    )


def _active_dispatch(case: Case, actor) -> Dispatch:
    dispatch = case.dispatches.filter(status__in=ACTIVE_DISPATCH_STATUSES).first()
    if dispatch is None or dispatch.surveyor_id != actor.pk:
        raise PermissionDenied("本案未调度给您。")
    return dispatch


@transaction.atomic
def do_accept_dispatch(case: Case, *, actor, expected_version=None) -> Dispatch:
    case, target = lock_case(case, actor, Action.ACCEPT, expected_version)
    dispatch = _active_dispatch(case, actor)
    DISPATCH_STATES.move(dispatch, DispatchAction.ACCEPT)
    dispatch.accepted_at = timezone.now()
    dispatch.save(update_fields=["status", "accepted_at"])
    minutes = int((dispatch.accepted_at - dispatch.dispatched_at).total_seconds() // 60)
    move_case(
        case,
        target,
        actor,
        EventType.DISPATCH_ACCEPTED,
        f"{actor} 接受调度（调度后 {minutes} 分钟）",
        dispatch_to_accept_minutes=minutes,
    )
    return dispatch


def _back_to_queue(
    case: Case, dispatch: Dispatch, *, kind: str, actor, event: EventType, message: str, **data
) -> DispatchAlert:
    """Decline and time-out (the case table's decline without an actor): the case goes back
    to the dispatcher's queue with an alert."""
    target = workflow.check(Action.DECLINE, case.status)
    previous = case.surveyor_id
    case.surveyor = None
    move_case(
        case,
        target,
        actor,
        event,
        message,
        surveyor=[previous, None],
        extra_fields=["surveyor"],
        **data,
    )
    return DispatchAlert.objects.create(case=case, dispatch=dispatch, kind=kind, message=message)


@transaction.atomic
def do_decline_dispatch(case: Case, *, reason: str, actor, expected_version=None) -> Dispatch:
    """The dispatched surveyor declines, with a reason; the case returns to the queue."""
    case, _ = lock_case(case, actor, Action.DECLINE, expected_version)
    dispatch = _active_dispatch(case, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            "拒单须填写原因。",
            code=IntakeErrorCode.REASON_REQUIRED,
            fields={"reason": ["请填写拒单原因。"]},
        )
    DISPATCH_STATES.move(dispatch, DispatchAction.DECLINE)
    dispatch.declined_at = timezone.now()
    dispatch.decline_reason = reason[:200]
    dispatch.save(update_fields=["status", "declined_at", "decline_reason"])
    _back_to_queue(
        case,
        dispatch,
        kind=DispatchAlertKind.DECLINED,
        actor=actor,
        event=EventType.DISPATCH_DECLINED,
        message=f"{actor} 拒绝调度：{dispatch.decline_reason}，案件退回调度队列",
        reason=dispatch.decline_reason,
    )
    return dispatch


def sweep_dispatch_timeouts(now=None) -> int:
    """Pending dispatches older than their branch's accept deadline are timed out: the case
    goes back to the dispatcher's queue with an alert. Returns how many. Run every minute
    (task intake.tasks.sweep_dispatch_timeouts, or `manage.py sweep_dispatch_timeouts`)."""
    now = now or timezone.now()
    pending = Dispatch.objects.filter(status=DispatchStatus.PENDING)
    branches = Branch.objects.filter(pk__in=pending.values("surveyor__branch_id")).values_list(
        "pk", "accept_deadline_minutes"
    )
    count = 0
    for branch_id, minutes in branches:
        overdue = pending.filter(
            surveyor__branch_id=branch_id, dispatched_at__lt=now - timedelta(minutes=minutes)
        ).values_list("pk", flat=True)
        for pk in list(overdue):
            count += _time_out(pk, now, minutes)
    return count


@transaction.atomic
def _time_out(dispatch_pk: int, now, minutes: int) -> int:
    dispatch = Dispatch.objects.select_related("surveyor").get(pk=dispatch_pk)
    case = Case.objects.select_for_update(of=("self",)).get(pk=dispatch.case_id)
    dispatch = Dispatch.objects.select_related("surveyor").get(pk=dispatch_pk)  # under the lock
    if not (
        DISPATCH_STATES.allowed_from(DispatchAction.TIME_OUT, dispatch.status)
        and workflow.allowed_from(Action.DECLINE, case.status)
    ):
        return 0  # accepted, declined or re-dispatched meanwhile
    DISPATCH_STATES.move(dispatch, DispatchAction.TIME_OUT)
    dispatch.timed_out_at = now
    dispatch.save(update_fields=["status", "timed_out_at"])
    _back_to_queue(
        case,
        dispatch,
        kind=DispatchAlertKind.TIMED_OUT,
        actor=None,
        event=EventType.DISPATCH_TIMED_OUT,
        message=f"{dispatch.surveyor} 超过 {minutes} 分钟未接单，案件退回调度队列",
        deadline_minutes=minutes,
    )
    return 1


@transaction.atomic
def do_record_arrival(case: Case, *, actor, expected_version=None) -> Dispatch:
    case, _ = lock_case(case, actor, Action.RECORD_ARRIVAL, expected_version)
    dispatch = _active_dispatch(case, actor)
    DISPATCH_STATES.move(dispatch, DispatchAction.ARRIVE)
    dispatch.arrived_at = timezone.now()
    minutes = int((dispatch.arrived_at - dispatch.dispatched_at).total_seconds() // 60)
    dispatch.dispatch_to_arrival_minutes = minutes
    dispatch.save(update_fields=["status", "arrived_at", "dispatch_to_arrival_minutes"])
    case.version += 1
    case.save(update_fields=["version"])
    record_event(
        case,
        EventType.ARRIVED,
        actor,
        f"到达现场（调度后 {minutes} 分钟）",
        dispatch_to_arrival_minutes=minutes,
    )
    return dispatch


@transaction.atomic
def do_record_position(staff: Staff, *, lat, lng, actor, at=None) -> Staff:
    """A surveyor's phone reports where they are (the distance part of the score)."""
    if actor.pk != staff.pk:
        raise PermissionDenied("只能上报本人位置。")
    errors = {}
    try:
        lat, lng = Decimal(str(lat)), Decimal(str(lng))
    except ArithmeticError:
        errors["lat"] = ["经纬度须为数字。"]
    else:
        if not Decimal("-90") <= lat <= Decimal("90"):
            errors["lat"] = ["纬度须在 -90 到 90 之间。"]
        if not Decimal("-180") <= lng <= Decimal("180"):
            errors["lng"] = ["经度须在 -180 到 180 之间。"]
    if errors:
        raise ServiceError("位置无效。", code=IntakeErrorCode.INVALID_POSITION, fields=errors)
    q = Decimal("0.000001")
    staff.last_lat, staff.last_lng = lat.quantize(q), lng.quantize(q)
    staff.last_position_at = at or timezone.now()
    staff.save(update_fields=["last_lat", "last_lng", "last_position_at"])
    return staff


def cancel_active_dispatches(case: Case) -> None:
    DISPATCH_STATES.move_all(case.dispatches.all(), DispatchAction.CANCEL)
    DispatchAlert.objects.filter(case=case, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )
