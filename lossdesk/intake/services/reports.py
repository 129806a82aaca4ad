"""Registering reports: the report's fields, the claim-number and likely-duplicate check, and
the case opened with one loss item per loss involved (automatic dispatch when the branch has
it switched on)."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lossdesk.claims.choices import EventType, LossItemKind
from lossdesk.claims.models import Case, LossItem
from lossdesk.claims.services import events_in_one_insert, record_event
from lossdesk.core.errors import (
    ErrorCode,
    PermissionDenied,
    ServiceError,
)
from lossdesk.core.numbering import next_numbers
from lossdesk.core.validators import normalize_phone, normalize_plate, normalize_vin
from lossdesk.intake import signals
from lossdesk.intake.choices import (
    ReportChannel,
)
from lossdesk.intake.error_codes import IntakeErrorCode
from lossdesk.intake.models import (
    Report,
)
from lossdesk.intake.permissions import REPORT_REGISTER
from lossdesk.intake.services.dispatch import auto_dispatch

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
            raise ServiceError(
                message,
                code=IntakeErrorCode.DUPLICATE_REPORT,
                fields={"client_claim_no": [message]},
            )
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
        raise ServiceError(
            "输入有误，请检查字段。", code=ErrorCode.INVALID, fields=exc.message_dict
        ) from exc
    if report.client_id is None:
        raise ServiceError(
            "请选择委托方。",
            code=IntakeErrorCode.CLIENT_REQUIRED,
            fields={"client": ["请选择委托方。"]},
        )


@transaction.atomic
def do_register_report(data: dict, *, actor, branch=None, channel: str = ReportChannel.UI) -> Case:
    """Register a report and open its case with one loss item per loss involved; flag a
    likely duplicate; dispatch automatically when the branch has it switched on."""
    if not actor.has_perm(REPORT_REGISTER):
        raise PermissionDenied("您的岗位没有登记报案权限。")
    branch = branch or actor.branch
    if branch is None:
        raise ServiceError(
            "登记人没有所属机构。",
            code=IntakeErrorCode.REGISTRAR_WITHOUT_BRANCH,
            fields={"branch": ["请先为员工设置所属机构。"]},
        )
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
            auto_dispatch(case, report, kinds={item.kind for item in items})
    transaction.on_commit(lambda: signals.report_registered.send(Case, case=case))
    return case
