"""Rescue entry (救援): one service, `do_record_rescue`, in the house shape: one transaction
that locks the case within the actor's scope, checks the right and the state (the survey's:
a rescue is recorded by the case's surveyor while the case is surveyed or assessed), writes
the rescue with its photos, bumps the case version and appends the case event."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from lossdesk.claims.choices import AttachmentKind, EventType
from lossdesk.claims.models import Case
from lossdesk.claims.services import bump_version, lock_case, record_event
from lossdesk.claims.workflow import PERMISSIONS, Action
from lossdesk.core.errors import PermissionDenied, ServiceError
from lossdesk.core.templatetags.lossdesk_ui import money
from lossdesk.field.choices import RescueType
from lossdesk.field.error_codes import FieldErrorCode
from lossdesk.field.models import Rescue

# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=10)
FIELDS = ("type", "firm", "start_place", "end_place", "distance_km", "fee", "started_at")


def _problems(case: Case, data: dict, photo_ids: list[int]) -> dict[str, list[str]]:
    """What is wrong with a rescue's input beyond each field's own type and size."""
    problems: dict[str, list[str]] = {}
    if data["type"] not in RescueType.values:
        problems["type"] = ["请选择救援类型。"]
    if not data["firm"].strip():
        problems["firm"] = ["请填写救援单位。"]
    if not data["start_place"].strip():
        problems["start_place"] = ["请填写救援起点。"]
    if data["type"] == RescueType.TOW and not data.get("end_place", "").strip():
        problems["end_place"] = ["拖车须填写终点（拖往何处）。"]
    started, ended = data["started_at"], data["ended_at"]
    if ended < started:
        problems["ended_at"] = ["结束时间不能早于开始时间。"]
    if ended > timezone.now() + CLOCK_SKEW:
        problems["ended_at"] = ["结束时间不能晚于现在。"]
    accident = case.report.accident_time
    if started < accident - CLOCK_SKEW:
        problems["started_at"] = [
            f"开始时间不能早于出险时间（{timezone.localtime(accident):%Y-%m-%d %H:%M}）。"
        ]
    if photo_ids:
        found = set(
            case.attachments.filter(pk__in=photo_ids, kind=AttachmentKind.PHOTO).values_list(
                "pk", flat=True
            )
        )
        if missing := sorted(set(photo_ids) - found):
            problems["photos"] = [f"本案没有这些照片：{', '.join(map(str, missing))}。"]
    return problems


@transaction.atomic
def do_record_rescue(case: Case, data: dict, *, photos=(), actor, expected_version=None) -> Rescue:
    """Record a rescue. `data`: type, firm, start_place, end_place, distance_km and fee
    (Decimal), started_at and ended_at, note; `photos`: ids of the case's photos."""
    case, _ = lock_case(case, actor, Action.SAVE_SURVEY, expected_version)
    if case.surveyor_id != actor.pk and not actor.has_perm(PERMISSIONS[Action.DISPATCH]):
        raise PermissionDenied("只有被调度的查勘员可以录入本案救援。")
    photo_ids = sorted(set(photos))
    if problems := _problems(case, data, photo_ids):
        raise ServiceError("救援信息有误。", code=FieldErrorCode.INVALID_RESCUE, fields=problems)
    rescue = Rescue.objects.create(
        case=case,
        type=data["type"],
        firm=data["firm"].strip(),
        start_place=data["start_place"].strip(),
        end_place=data.get("end_place", "").strip(),
        distance_km=data["distance_km"],
        fee=data["fee"],
        started_at=data["started_at"],
        ended_at=data["ended_at"],
        note=data.get("note", "").strip(),
        recorded_by=actor,
    )
    rescue.photos.set(photo_ids)
    bump_version(case)
    record_event(
        case,
        EventType.RESCUE_RECORDED,
        actor,
        f"记录救援：{rescue.get_type_display()}，{rescue.firm}，"
        f"{rescue.distance_km} 公里，费用 {money(rescue.fee)} 元",
        amount=str(rescue.fee),  # the timeline shows every key; the message says the rest
    )
    return rescue
