"""Registering reports, dispatching surveyors (with the recommendation, decline and time-out),
delegating cases to another region and customer callbacks. See claims.services for the
conventions: `do_<verb>_<noun>(…, *, actor)`, one transaction, permission and state checked,
a case event written, side effects (SMS) queued to run after the commit."""

import functools
import hashlib
import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from lossdesk.claims import workflow
from lossdesk.claims.choices import FINAL_STATUSES, CaseStatus, EventType, LossItemKind
from lossdesk.claims.models import Case, LossItem
from lossdesk.claims.services import _bump, _move, events_in_one_insert, lock_case, record_event
from lossdesk.claims.workflow import Action
from lossdesk.core.errors import (
    Conflict,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ServiceError,
)
from lossdesk.core.numbering import next_numbers
from lossdesk.core.validators import is_mobile, normalize_phone, normalize_plate, normalize_vin
from lossdesk.intake import scoring, signals, sms
from lossdesk.intake.choices import (
    ACTIVE_DELEGATION_STATUSES,
    ACTIVE_DISPATCH_STATUSES,
    OPEN_CALLBACK_STATUSES,
    CallbackMethod,
    CallbackStatus,
    DelegationStatus,
    DispatchAlertKind,
    DispatchStatus,
    ReportChannel,
)
from lossdesk.intake.models import (
    Callback,
    Delegation,
    Dispatch,
    DispatchAlert,
    Report,
    RosterShift,
    shift_bounds,
)
from lossdesk.org.models import Branch, Position, Staff, covers_branch
from lossdesk.org.positions import CALLBACK_HANDLE, CASE_DISPATCH, CASE_SURVEY, REPORT_REGISTER

REPORT_FIELDS = (
    "client",
    "client_branch",
    "client_claim_no",
    "policy_no_ctpl",
    "policy_no_commercial",
    "plate",
    "vin",
    "reporter_name",
    "reporter_phone",
    "driver_name",
    "driver_phone",
    "accident_time",
    "accident_place",
    "accident_lat",
    "accident_lng",
    "description",
    "reported_at",
    "third_party_vehicles",
    "third_party_plates",
    "property_loss",
    "injured_persons",
)
DUPLICATE_WINDOW = timedelta(hours=72)
# What the recommendation reads of a surveyor (and the dispatch and its SMS after it).
CANDIDATE_FIELDS = (
    "username",
    "full_name",
    "mobile",
    "branch_id",
    "is_active",
    "skill_vehicle",
    "skill_property",
    "skill_injury",
    "last_lat",
    "last_lng",
    "last_position_at",
)
# How long after arriving a surveyor still counts as on site while the case is surveyed.
ON_SITE_WINDOW = timedelta(hours=8)
SKILL_OF_KIND = {
    LossItemKind.INSURED_VEHICLE: "vehicle",
    LossItemKind.THIRD_PARTY_VEHICLE: "vehicle",
    LossItemKind.PROPERTY: "property",
    LossItemKind.INJURY: "injury",
}


def _normalize(data: dict) -> dict:
    data = {k: v for k, v in data.items() if k in REPORT_FIELDS}
    for name in ("plate",):
        data[name] = normalize_plate(data.get(name, ""))
    data["vin"] = normalize_vin(data.get("vin", ""))
    for name in ("reporter_phone", "driver_phone"):
        data[name] = normalize_phone(data.get(name, ""))
    plates = [
        normalize_plate(p)
        for p in str(data.get("third_party_plates", "")).replace("，", ",").split(",")
    ]
    data["third_party_plates"] = ",".join(p for p in plates if p)
    return data


# ----------------------------------------------------------------------------- reports


def check_earlier_reports(report: Report) -> Report | None:
    """One query for two questions about earlier reports (it runs for every registration:
    decision 0010). The client's claim number registered before is an error; the first
    earlier report of the same plate or VIN whose accident lies within 72 hours of this
    one's is returned as a likely duplicate (疑似重复报案): only a flag, the dispatcher
    decides."""
    claim = Q(client_id=report.client_id, client_claim_no=report.client_claim_no)
    wanted = claim
    if report.accident_time:
        same = Q(plate=report.plate)
        if report.vin:
            same |= Q(vin=report.vin)
        wanted |= same & Q(
            accident_time__gte=report.accident_time - DUPLICATE_WINDOW,
            accident_time__lte=report.accident_time + DUPLICATE_WINDOW,
        )
    duplicate = None
    for earlier in (
        Report.objects.filter(wanted)
        .exclude(pk=report.pk)
        .only("report_no", "plate", "vin", "accident_time", "client_id", "client_claim_no")
        .order_by("created_at", "id")
    ):
        if (earlier.client_id, earlier.client_claim_no) == (
            report.client_id,
            report.client_claim_no,
        ):
            message = "该委托方的赔案号已登记过报案，请勿重复登记。"
            raise ServiceError(message, fields={"client_claim_no": [message]})
        duplicate = duplicate or earlier
    return duplicate


def _validate_report(report: Report) -> None:
    """Field and model validation, as a ServiceError with field messages. The related
    objects are instances the caller looked up, and report_no is fresh from its sequence,
    so the only uniqueness worth a query is the client's claim number, which
    check_earlier_reports looks up with the likely duplicates."""
    try:
        report.full_clean(
            exclude=["client", "client_branch", "branch", "created_by", "possible_duplicate_of"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        raise ServiceError("输入有误，请检查字段。", fields=exc.message_dict) from exc
    if report.client_id is None:
        raise ServiceError("请选择委托方。", fields={"client": ["请选择委托方。"]})


@transaction.atomic
def do_register_report(data: dict, *, actor, branch=None, channel: str = ReportChannel.UI) -> Case:
    """Register a report and open its case with one loss item per loss involved; flag a
    likely duplicate; dispatch automatically when the branch has it switched on."""
    if not actor.has_perm(REPORT_REGISTER):
        raise PermissionDenied("您的岗位没有登记报案权限。")
    branch = branch or actor.branch
    if branch is None:
        raise ServiceError("登记人没有所属机构。", fields={"branch": ["请先为员工设置所属机构。"]})
    data = _normalize(data)
    data.setdefault("reported_at", timezone.now())
    report = Report(**data, branch=branch, created_by=actor, channel=channel)
    report.report_no, case_no = next_numbers("R", "C")
    _validate_report(report)
    with events_in_one_insert():
        report.possible_duplicate_of = check_earlier_reports(report)
        report.save()
        case = Case.objects.create(
            case_no=case_no,
            report=report,
            client=report.client,
            branch=branch,
            opened_at=timezone.now(),
        )
        items = [
            LossItem(
                kind=LossItemKind.INSURED_VEHICLE, label=f"本车 {report.plate}", plate=report.plate
            )
        ]
        tp_plates = [p for p in report.third_party_plates.split(",") if p]
        for i in range(report.third_party_vehicles):
            plate = tp_plates[i] if i < len(tp_plates) else ""
            items.append(
                LossItem(
                    kind=LossItemKind.THIRD_PARTY_VEHICLE,
                    label=f"三者车{i + 1} {plate}".strip(),
                    plate=plate,
                )
            )
        if report.property_loss:
            items.append(LossItem(kind=LossItemKind.PROPERTY, label="三者物损"))
        for i in range(report.injured_persons):
            items.append(LossItem(kind=LossItemKind.INJURY, label=f"伤者{i + 1}"))
        for seq, item in enumerate(items, start=1):
            item.case, item.seq = case, seq
        LossItem.objects.bulk_create(items)
        record_event(
            case,
            EventType.REPORT_REGISTERED,
            actor,
            f"登记报案 {report.report_no}（{report.client}，{report.plate}，"
            f"{ReportChannel(channel).label}）",
            report_no=report.report_no,
            loss_items=len(items),
            channel=channel,
        )
        if (original := report.possible_duplicate_of) is not None:
            hours = abs(report.accident_time - original.accident_time).total_seconds() / 3600
            same = "车牌" if original.plate == report.plate else "VIN"
            record_event(
                case,
                EventType.POSSIBLE_DUPLICATE,
                actor,
                f"疑似重复报案：与报案 {original.report_no} {same}相同，"
                f"出险时间相差 {hours:.1f} 小时",
                duplicate_of=original.report_no,
            )
        if branch.auto_dispatch:
            _auto_dispatch(case, report, kinds={item.kind for item in items})
    transaction.on_commit(lambda: signals.report_registered.send(Case, case=case))
    return case


# ---------------------------------------------------------------------------- dispatch


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
    work (_candidates_sql), and the roster. `branch_id` and `kinds` (loss item kinds)
    save their queries when the caller knows them."""
    now = now or timezone.now()
    branch_id = branch_id or working_branch_id(case)
    app_label, codename = CASE_SURVEY.split(".")
    params = {
        "branch": branch_id,
        "app_label": app_label,
        "codename": codename,
        "case": case.pk,
        "pending": DispatchStatus.PENDING,
        "accepted": DispatchStatus.ACCEPTED,
        "arrived": DispatchStatus.ARRIVED,
        "since": connection.ops.adapt_datetimefield_value(now - ON_SITE_WINDOW),
        "surveying": CaseStatus.SURVEYING,
        "declined": DispatchStatus.DECLINED,
    }
    rows = {person.pk: person for person in Staff.objects.raw(_candidates_sql(), params)}
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
        kinds = {item.kind for item in case.loss_items.all() if item.status != "cancelled"}
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


@functools.cache
def _candidates_sql() -> str:
    """The working branch's active surveyors (as dispatchable_surveyors) with two counts of
    open field work, leaving out this case: dispatches not yet arrived (pending or accepted,
    always a case in field work), and arrivals within ON_SITE_WINDOW whose case is still
    being surveyed. Both counts are index range scans on (surveyor, status, arrived_at).
    `declined_reason` is the reason of their latest declined dispatch of this case (they
    are ranked last), found through the case's few dispatches.

    Written by hand because it runs for every report registered: the equivalent queryset
    (annotate with two correlated Subquery counts) took ≈ 6 ms of Python to build, compile
    and convert, three times the database's share (docs/benchmarks.md). The recommendation
    tests (workload, skills, roster, other branches, inactive staff) pin its meaning."""
    quote = connection.ops.quote_name
    staff, dispatch, case, permission, content_type, grants = (
        quote(model._meta.db_table)
        for model in (
            Staff,
            Dispatch,
            Case,
            Permission,
            ContentType,
            Position.permissions.through,
        )
    )
    columns = ", ".join(
        f"s.{quote(Staff._meta.get_field(name).column)}" for name in ("id", *CANDIDATE_FIELDS)
    )
    return f"""
        SELECT {columns},
          (SELECT COUNT(*) FROM {dispatch} d
            WHERE d.surveyor_id = s.id AND d.status IN (%(pending)s, %(accepted)s)
              AND d.case_id <> %(case)s) AS en_route,
          (SELECT COUNT(*) FROM {dispatch} d JOIN {case} c ON c.id = d.case_id
            WHERE d.surveyor_id = s.id AND d.status = %(arrived)s AND d.arrived_at >= %(since)s
              AND c.status = %(surveying)s AND d.case_id <> %(case)s) AS on_site,
          (SELECT d.decline_reason FROM {dispatch} d
            WHERE d.case_id = %(case)s AND d.surveyor_id = s.id AND d.status = %(declined)s
            ORDER BY d.declined_at DESC LIMIT 1) AS declined_reason
        FROM {staff} s
        WHERE s.branch_id = %(branch)s AND s.is_active AND s.position_id IN (
          SELECT g.position_id FROM {grants} g
          JOIN {permission} p ON p.id = g.permission_id
          JOIN {content_type} t ON t.id = p.content_type_id
          WHERE p.codename = %(codename)s AND t.app_label = %(app_label)s)
    """


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
        case.dispatches.filter(status__in=ACTIVE_DISPATCH_STATUSES).update(
            status=DispatchStatus.SUPERSEDED
        )
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
    _move(case, target, actor, EventType.DISPATCHED, message, **data, extra_fields=["surveyor"])
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


def _auto_dispatch(case: Case, report: Report, *, kinds) -> Dispatch | None:
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
            "所选人员不是本机构在职查勘员。", fields={"surveyor": ["请选择本机构在职查勘员。"]}
        )
    top = ranking[0] if ranking else None
    chosen = next((r for r in ranking if r.candidate.id == surveyor.pk), None)
    overridden = top is not None and chosen is not None and top.outranks(chosen)
    if overridden and not override_reason.strip():
        message = (
            f"未选择推荐排名第一的查勘员（{top.candidate.name}，{top.score} 分），请填写原因。"
        )
        raise ServiceError(message, fields={"override_reason": [message]})
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
    dispatch.status, dispatch.accepted_at = DispatchStatus.ACCEPTED, timezone.now()
    dispatch.save(update_fields=["status", "accepted_at"])
    minutes = int((dispatch.accepted_at - dispatch.dispatched_at).total_seconds() // 60)
    _move(
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
    """Decline and time-out: the case goes back to the dispatcher's queue with an alert."""
    previous = case.surveyor_id
    case.surveyor = None
    _move(
        case,
        CaseStatus.REGISTERED,
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
        raise ServiceError("拒单须填写原因。", fields={"reason": ["请填写拒单原因。"]})
    dispatch.status, dispatch.declined_at = DispatchStatus.DECLINED, timezone.now()
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
    if dispatch.status != DispatchStatus.PENDING or case.status != CaseStatus.DISPATCHED:
        return 0  # accepted, declined or re-dispatched meanwhile
    dispatch.status, dispatch.timed_out_at = DispatchStatus.TIMED_OUT, now
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
    if dispatch.arrived_at:
        raise ServiceError("已记录到达时间。", fields={"arrived_at": ["已记录到达时间。"]})
    dispatch.status, dispatch.arrived_at = DispatchStatus.ARRIVED, timezone.now()
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
        raise ServiceError("位置无效。", fields=errors)
    q = Decimal("0.000001")
    staff.last_lat, staff.last_lng = lat.quantize(q), lng.quantize(q)
    staff.last_position_at = at or timezone.now()
    staff.save(update_fields=["last_lat", "last_lng", "last_position_at"])
    return staff


def cancel_active_dispatches(case: Case) -> None:
    case.dispatches.filter(status__in=ACTIVE_DISPATCH_STATUSES).update(
        status=DispatchStatus.CANCELLED
    )
    DispatchAlert.objects.filter(case=case, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )


# -------------------------------------------------------------------------- delegation


def delegation_fee_share() -> Decimal:
    share = Decimal(str(settings.LOSSDESK_DELEGATION_FEE_SHARE)).quantize(Decimal("0.01"))
    if not Decimal("0") <= share <= Decimal("1"):
        raise ServiceError("系统设置 LOSSDESK_DELEGATION_FEE_SHARE 须在 0 到 1 之间。")
    return share


def _lock_for_delegation(case: Case, actor, expected_version=None) -> Case:
    if not actor.has_perm(CASE_DISPATCH):
        raise PermissionDenied("您的岗位没有「委托异地」权限。")
    locked = (
        Case.objects.for_user(actor)
        .select_for_update(of=("self",))
        .select_related("branch")
        .filter(pk=case.pk)
        .first()
    )
    if locked is None:
        raise NotFound("案件不存在或不在您的数据范围内。")
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            "案件已被他人修改，请刷新后重试。",
            current_state=locked.status,
            current_version=locked.version,
        )
    return locked


def _lock_delegation(delegation: Delegation, actor, expected_version=None):
    case = _lock_for_delegation(delegation.case, actor, expected_version)
    delegation = (
        Delegation.objects.select_for_update(of=("self",))
        .select_related("from_branch", "to_branch", "loss_item")
        .get(pk=delegation.pk)
    )
    return case, delegation


def _require_status(delegation: Delegation, *allowed: str, verb: str) -> None:
    if delegation.status not in allowed:
        label = DelegationStatus(delegation.status).label
        raise IllegalTransition(
            f"委托当前状态为「{label}」，不能{verb}。",
            current_state=delegation.status,
            current_state_label=label,
        )


@transaction.atomic
def do_request_delegation(
    case: Case,
    *,
    to_branch: Branch,
    loss_item: LossItem | None = None,
    note: str = "",
    actor,
    expected_version=None,
) -> Delegation:
    """Hand the case (or name one loss item of it) to a branch in another region."""
    case = _lock_for_delegation(case, actor, expected_version)
    if not covers_branch(actor, case.branch):
        raise PermissionDenied("只有承办机构可以发起委托异地。")
    if case.status in FINAL_STATUSES:
        raise IllegalTransition(
            f"案件当前状态为「{CaseStatus(case.status).label}」，不能委托异地。",
            current_state=case.status,
            current_state_label=CaseStatus(case.status).label,
        )
    errors = {}
    if to_branch is None or not to_branch.active:
        errors["to_branch"] = ["请选择启用的受托机构。"]
    elif to_branch.pk == case.branch_id:
        errors["to_branch"] = ["不能委托给本机构。"]
    elif to_branch.dispatch_region == case.branch.dispatch_region:
        errors["to_branch"] = ["受托机构与承办机构在同一区域，无需委托异地。"]
    if loss_item is not None and loss_item.case_id != case.pk:
        errors["loss_item"] = ["损失标的不属于本案。"]
    if errors:
        raise ServiceError("委托信息有误。", fields=errors)
    if Delegation.objects.filter(case=case, status__in=ACTIVE_DELEGATION_STATUSES).exists():
        raise Conflict("本案已有进行中的委托，请先撤回。", current_state=case.status)
    delegation = Delegation.objects.create(
        case=case,
        loss_item=loss_item,
        from_branch=case.branch,
        to_branch=to_branch,
        fee_share=delegation_fee_share(),
        note=note.strip()[:300],
        requested_by=actor,
        requested_at=timezone.now(),
    )
    _bump(case)
    what = f"（{loss_item.label}）" if loss_item else ""
    record_event(
        case,
        EventType.DELEGATION_REQUESTED,
        actor,
        f"委托异地{what}：{case.branch} → {to_branch}，受托机构分成 {delegation.fee_share}",
        delegation=delegation.pk,
        to_branch=to_branch.name,
        fee_share=str(delegation.fee_share),
    )
    return delegation


def _require_receiving(actor, delegation: Delegation) -> None:
    if not covers_branch(actor, delegation.to_branch):
        raise PermissionDenied("只有受托机构可以处理该委托。")


@transaction.atomic
def do_accept_delegation(delegation: Delegation, *, note: str = "", actor) -> Delegation:
    case, delegation = _lock_delegation(delegation, actor)
    _require_receiving(actor, delegation)
    _require_status(delegation, DelegationStatus.REQUESTED, verb="接收")
    delegation.status, delegation.decided_by = DelegationStatus.ACCEPTED, actor
    delegation.decided_at, delegation.decision_note = timezone.now(), note.strip()[:300]
    delegation.save()
    _bump(case)
    record_event(
        case,
        EventType.DELEGATION_ACCEPTED,
        actor,
        f"{delegation.to_branch} 接收委托，由受托机构调度查勘",
        delegation=delegation.pk,
    )
    return delegation


@transaction.atomic
def do_refuse_delegation(delegation: Delegation, *, reason: str, actor) -> Delegation:
    case, delegation = _lock_delegation(delegation, actor)
    _require_receiving(actor, delegation)
    _require_status(delegation, DelegationStatus.REQUESTED, verb="拒绝")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("拒绝委托须填写原因。", fields={"reason": ["请填写原因。"]})
    delegation.status, delegation.decided_by = DelegationStatus.REFUSED, actor
    delegation.decided_at, delegation.decision_note = timezone.now(), reason[:300]
    delegation.save()
    _bump(case)
    record_event(
        case,
        EventType.DELEGATION_REFUSED,
        actor,
        f"{delegation.to_branch} 拒绝委托：{delegation.decision_note}",
        delegation=delegation.pk,
        reason=delegation.decision_note,
    )
    return delegation


def _end_delegation(case, delegation, *, status, reason, actor, event, message) -> Delegation:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写原因。", fields={"reason": ["请填写原因。"]})
    delegation.status, delegation.ended_by = status, actor
    delegation.ended_at, delegation.end_reason = timezone.now(), reason[:300]
    delegation.save()
    # A dispatch to the receiving branch's surveyor not yet accepted goes back to the queue;
    # field work already under way stays with that surveyor.
    pending = case.dispatches.filter(
        status=DispatchStatus.PENDING, surveyor__branch_id=delegation.to_branch_id
    ).first()
    if pending is not None and case.status == CaseStatus.DISPATCHED:
        pending.status = DispatchStatus.CANCELLED
        pending.save(update_fields=["status"])
        previous, case.surveyor = case.surveyor_id, None
        _move(
            case,
            CaseStatus.REGISTERED,
            actor,
            event,
            f"{message}：{delegation.end_reason}；待接单的调度已取消",
            delegation=delegation.pk,
            reason=delegation.end_reason,
            surveyor=[previous, None],
            extra_fields=["surveyor"],
        )
    else:
        _bump(case)
        record_event(
            case,
            event,
            actor,
            f"{message}：{delegation.end_reason}",
            delegation=delegation.pk,
            reason=delegation.end_reason,
        )
    return delegation


@transaction.atomic
def do_cancel_delegation(delegation: Delegation, *, reason: str, actor) -> Delegation:
    """The delegating branch takes the case back (requested or accepted)."""
    case, delegation = _lock_delegation(delegation, actor)
    if not covers_branch(actor, delegation.from_branch):
        raise PermissionDenied("只有委托机构可以撤回委托。")
    _require_status(delegation, DelegationStatus.REQUESTED, DelegationStatus.ACCEPTED, verb="撤回")
    return _end_delegation(
        case,
        delegation,
        status=DelegationStatus.CANCELLED,
        reason=reason,
        actor=actor,
        event=EventType.DELEGATION_CANCELLED,
        message=f"{delegation.from_branch} 撤回委托",
    )


@transaction.atomic
def do_return_delegation(delegation: Delegation, *, reason: str, actor) -> Delegation:
    """The receiving branch hands an accepted delegation back."""
    case, delegation = _lock_delegation(delegation, actor)
    _require_receiving(actor, delegation)
    _require_status(delegation, DelegationStatus.ACCEPTED, verb="退回")
    return _end_delegation(
        case,
        delegation,
        status=DelegationStatus.RETURNED,
        reason=reason,
        actor=actor,
        event=EventType.DELEGATION_RETURNED,
        message=f"{delegation.to_branch} 退回委托",
    )


# --------------------------------------------------------------------------- callbacks


class CallbackExpired(ServiceError):
    status = 410


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def callback_url(token: str) -> str:
    return settings.LOSSDESK_PUBLIC_URL + reverse("intake:callback-public", args=[token])


@transaction.atomic
def do_create_callback(case: Case, *, method: str | None = None, actor=None) -> Callback:
    """After a case closes: a callback task, by SMS link (a single-use token valid for
    LOSSDESK_CALLBACK_LINK_DAYS days) or waiting for the call centre to phone."""
    case = Case.objects.select_for_update(of=("self",)).select_related("report").get(pk=case.pk)
    existing = Callback.objects.filter(case=case).first()
    if existing is not None:
        return existing
    if case.status != CaseStatus.CLOSED:
        raise IllegalTransition("只有已结案的案件才生成回访任务。", current_state=case.status)
    method = method or settings.LOSSDESK_CALLBACK_METHOD
    report = case.report
    if method not in CallbackMethod.values or (
        method == CallbackMethod.SMS and not is_mobile(report.reporter_phone)
    ):
        method = CallbackMethod.PHONE  # a fixed line gets no SMS link: the call centre phones
    callback = Callback(
        case=case,
        surveyor_id=case.surveyor_id,
        method=method,
        phone=report.reporter_phone,
        customer_name=report.reporter_name,
    )
    token = None
    if method == CallbackMethod.SMS:
        token = secrets.token_urlsafe(32)  # 43 characters
        callback.token_hash = hash_token(token)
        callback.token_expires_at = timezone.now() + timedelta(
            days=settings.LOSSDESK_CALLBACK_LINK_DAYS
        )
    callback.save()
    if token is not None:
        sent = sms.send(
            callback.phone,
            sms.CALLBACK_LINK,
            {"case_no": case.case_no, "url": callback_url(token)},
            case=case,
            recipient="customer",
            actor=actor,
        )
        if sent is not None:
            callback.status, callback.sent_at = CallbackStatus.SENT, timezone.now()
            callback.save(update_fields=["status", "sent_at"])
    record_event(
        case,
        EventType.CALLBACK_CREATED,
        actor,
        f"生成客户回访任务（{CallbackMethod(method).label}）",
        callback=callback.pk,
    )
    return callback


def create_callback_on_close(sender, case, **kwargs) -> None:
    """claims.signals.case_closed receiver (after the close commits)."""
    do_create_callback(case)


def _finish_callback(callback: Callback, *, status, rating, comment, note, actor) -> None:
    now = timezone.now()
    callback.status, callback.completed_at = status, now
    callback.rating, callback.comment = rating, (comment or "").strip()[:2000]
    callback.result_note = (note or "").strip()[:500]
    callback.called_by = actor
    callback.save()
    if status == CallbackStatus.COMPLETED:
        how = "电话回访" if actor else "客户通过短信链接评价"
        message = f"{how}：满意度 {rating} 分"
    else:
        message = f"电话回访：{CallbackStatus(status).label}"
    record_event(
        callback.case,
        EventType.CALLBACK_COMPLETED,
        actor,
        message,
        callback=callback.pk,
        rating=rating,
    )


def _check_rating(rating) -> int:
    if rating in (None, ""):
        raise ServiceError("请选择满意度评分。", fields={"rating": ["请选择 1–5 分。"]})
    try:
        value = int(rating)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ServiceError("满意度评分须为 1–5 分。", fields={"rating": ["请选择 1–5 分。"]})
    return value


@transaction.atomic
def do_record_callback_call(
    callback: Callback,
    *,
    status: str,
    rating=None,
    comment: str = "",
    note: str = "",
    actor,
) -> Callback:
    """The call centre's result of a phone callback: completed with a 1–5 rating, or the
    customer could not be reached (the task stays open for another try) or refused."""
    if not actor.has_perm(CALLBACK_HANDLE):
        raise PermissionDenied("您的岗位没有「客户回访」权限。")
    if not Case.objects.for_user(actor).filter(pk=callback.case_id).exists():
        raise NotFound("案件不存在或不在您的数据范围内。")
    callback = Callback.objects.select_for_update().select_related("case").get(pk=callback.pk)
    allowed = (*OPEN_CALLBACK_STATUSES, CallbackStatus.UNREACHABLE)
    if callback.status not in allowed:
        raise Conflict("该回访已完成。", current_state=callback.status)
    if status not in (
        CallbackStatus.COMPLETED,
        CallbackStatus.UNREACHABLE,
        CallbackStatus.DECLINED,
    ):
        raise ServiceError("回访结果无效。", fields={"status": ["请选择回访结果。"]})
    rating = _check_rating(rating) if status == CallbackStatus.COMPLETED else None
    if status == CallbackStatus.UNREACHABLE:
        callback.result_note = (note or "").strip()[:500]
        callback.called_by = actor
        callback.status = status
        callback.save(update_fields=["result_note", "called_by", "status"])
        record_event(
            callback.case, EventType.CALLBACK_COMPLETED, actor, "电话回访：联系不上，待再次回访"
        )
        return callback
    _finish_callback(
        callback, status=status, rating=rating, comment=comment, note=note, actor=actor
    )
    return callback


def callback_for_token(token: str, *, for_update: bool = False) -> Callback:
    """The callback behind a public link; NotFound for an unknown token, CallbackExpired
    once it expired, Conflict once it was used."""
    if not token or len(token) < 32 or len(token) > 100:
        raise NotFound("链接无效。")
    queryset = Callback.objects.select_related("case", "surveyor")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    callback = queryset.filter(token_hash=hash_token(token)).first()
    if callback is None:
        raise NotFound("链接无效。")
    if callback.status in (CallbackStatus.COMPLETED, CallbackStatus.DECLINED):
        raise Conflict("您已提交过评价，感谢您的反馈。", current_state=callback.status)
    if callback.token_expires_at is None or callback.token_expires_at <= timezone.now():
        raise CallbackExpired("链接已过期。")
    return callback


@transaction.atomic
def do_submit_callback_feedback(token: str, *, rating, comment: str = "") -> Callback:
    """The customer's answer on the public page: single use, until the link expires."""
    callback = callback_for_token(token, for_update=True)
    rating = _check_rating(rating)
    _finish_callback(
        callback,
        status=CallbackStatus.COMPLETED,
        rating=rating,
        comment=comment,
        note="",
        actor=None,
    )
    return callback
