"""Registering reports and dispatching surveyors. See claims.services for the conventions."""

from django.db import transaction
from django.utils import timezone

from lossdesk.claims.choices import EventType, LossItemKind
from lossdesk.claims.models import Case, LossItem
from lossdesk.claims.services import _move, lock_case, record_event, validate_or_raise
from lossdesk.claims.workflow import Action
from lossdesk.core.errors import PermissionDenied, ServiceError
from lossdesk.core.numbering import next_number
from lossdesk.core.validators import normalize_phone, normalize_plate, normalize_vin
from lossdesk.intake import signals
from lossdesk.intake.choices import ACTIVE_DISPATCH_STATUSES, DispatchStatus
from lossdesk.intake.models import Dispatch, Report
from lossdesk.org.models import Staff
from lossdesk.org.positions import CASE_SURVEY, REPORT_REGISTER

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
    "description",
    "reported_at",
    "third_party_vehicles",
    "third_party_plates",
    "property_loss",
    "injured_persons",
)


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


@transaction.atomic
def do_register_report(data: dict, *, actor, branch=None) -> Case:
    """Register a report and open its case with one loss item per loss involved."""
    if not actor.has_perm(REPORT_REGISTER):
        raise PermissionDenied("您的岗位没有登记报案权限。")
    branch = branch or actor.branch
    if branch is None:
        raise ServiceError("登记人没有所属机构。", fields={"branch": ["请先为员工设置所属机构。"]})
    data = _normalize(data)
    data.setdefault("reported_at", timezone.now())
    report = Report(**data, branch=branch, created_by=actor)
    report.report_no = next_number("R")
    validate_or_raise(report)
    report.save()
    case = Case.objects.create(
        case_no=next_number("C"),
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
        f"登记报案 {report.report_no}（{report.client}，{report.plate}）",
        report_no=report.report_no,
        loss_items=len(items),
    )
    transaction.on_commit(lambda: signals.report_registered.send(Case, case=case))
    return case


def dispatchable_surveyors(case: Case):
    """Active staff of the case's branch whose position can survey. The seam for smart
    dispatch, which will rank these by roster, distance, workload and skills."""
    return (
        Staff.objects.filter(
            branch_id=case.branch_id,
            is_active=True,
            position__permissions__codename=CASE_SURVEY.split(".")[1],
            position__permissions__content_type__app_label="claims",
        )
        .select_related("position")
        .order_by("full_name")
    )


@transaction.atomic
def do_dispatch_case(
    case: Case, *, surveyor: Staff, note: str = "", actor, expected_version=None
) -> Dispatch:
    case, target = lock_case(case, actor, Action.DISPATCH, expected_version)
    if not dispatchable_surveyors(case).filter(pk=surveyor.pk).exists():
        raise ServiceError(
            "所选人员不是本机构在职查勘员。", fields={"surveyor": ["请选择本机构在职查勘员。"]}
        )
    previous = case.surveyor
    case.dispatches.filter(status__in=ACTIVE_DISPATCH_STATUSES).update(
        status=DispatchStatus.SUPERSEDED
    )
    dispatch = Dispatch.objects.create(
        case=case,
        surveyor=surveyor,
        dispatched_by=actor,
        note=note.strip(),
        dispatched_at=timezone.now(),
    )
    case.surveyor = surveyor
    verb = "改派" if previous else "调度"
    _move(
        case,
        target,
        actor,
        EventType.DISPATCHED,
        f"{verb}查勘员 {surveyor}",
        surveyor=[getattr(previous, "pk", None), surveyor.pk],
        extra_fields=["surveyor"],
    )
    transaction.on_commit(lambda: signals.case_dispatched.send(Dispatch, dispatch=dispatch))
    return dispatch


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
    _move(case, target, actor, EventType.DISPATCH_ACCEPTED, f"{actor} 接受调度")
    return dispatch


@transaction.atomic
def do_record_arrival(case: Case, *, actor, expected_version=None) -> Dispatch:
    case, _ = lock_case(case, actor, Action.RECORD_ARRIVAL, expected_version)
    dispatch = _active_dispatch(case, actor)
    if dispatch.arrived_at:
        raise ServiceError("已记录到达时间。", fields={"arrived_at": ["已记录到达时间。"]})
    dispatch.status, dispatch.arrived_at = DispatchStatus.ARRIVED, timezone.now()
    dispatch.save(update_fields=["status", "arrived_at"])
    case.version += 1
    case.save(update_fields=["version"])
    minutes = int((dispatch.arrived_at - dispatch.dispatched_at).total_seconds() // 60)
    record_event(
        case,
        EventType.ARRIVED,
        actor,
        f"到达现场（调度后 {minutes} 分钟）",
        dispatch_to_arrival_minutes=minutes,
    )
    return dispatch


def cancel_active_dispatches(case: Case) -> None:
    case.dispatches.filter(status__in=ACTIVE_DISPATCH_STATUSES).update(
        status=DispatchStatus.CANCELLED
    )
