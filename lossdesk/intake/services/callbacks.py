"""Customer callbacks after a case closes: the task (SMS link or phone), the call centre's
result and the customer's answer on the public page."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lossdesk.claims.choices import EventType
from lossdesk.claims.models import Case
from lossdesk.claims.services import record_event
from lossdesk.core.errors import (
    NotFound,
    PermissionDenied,
    ServiceError,
)
from lossdesk.core.validators import is_mobile
from lossdesk.intake import sms
from lossdesk.intake.choices import (
    CALL_RESULT_ACTIONS,
    CALLBACK_STATES,
    INTAKE_CASE_STATES,
    CallbackAction,
    CallbackMethod,
    CallbackStatus,
    IntakeCaseAction,
)
from lossdesk.intake.error_codes import IntakeErrorCode
from lossdesk.intake.models import (
    Callback,
)
from lossdesk.intake.permissions import CALLBACK_HANDLE


class CallbackExpired(ServiceError):
    code = IntakeErrorCode.CALLBACK_EXPIRED
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
    INTAKE_CASE_STATES.check(IntakeCaseAction.CREATE_CALLBACK, case.status)
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
            CALLBACK_STATES.move(callback, CallbackAction.SEND_LINK)
            callback.sent_at = timezone.now()
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


def _finish_callback(callback: Callback, *, action, rating, comment, note, actor) -> None:
    status = CALLBACK_STATES.move(callback, action)
    callback.completed_at = timezone.now()
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
        raise ServiceError(
            "请选择满意度评分。",
            code=IntakeErrorCode.INVALID_RATING,
            fields={"rating": ["请选择 1–5 分。"]},
        )
    try:
        value = int(rating)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ServiceError(
            "满意度评分须为 1–5 分。",
            code=IntakeErrorCode.INVALID_RATING,
            fields={"rating": ["请选择 1–5 分。"]},
        )
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
    action = CALL_RESULT_ACTIONS.get(status)
    if action is None:
        raise ServiceError(
            "回访结果无效。",
            code=IntakeErrorCode.INVALID_CALLBACK_RESULT,
            fields={"status": ["请选择回访结果。"]},
        )
    CALLBACK_STATES.check(action, callback.status)
    rating = _check_rating(rating) if status == CallbackStatus.COMPLETED else None
    if status == CallbackStatus.UNREACHABLE:
        callback.result_note = (note or "").strip()[:500]
        callback.called_by = actor
        CALLBACK_STATES.move(callback, action)
        callback.save(update_fields=["result_note", "called_by", "status"])
        record_event(
            callback.case, EventType.CALLBACK_COMPLETED, actor, "电话回访：联系不上，待再次回访"
        )
        return callback
    _finish_callback(
        callback, action=action, rating=rating, comment=comment, note=note, actor=actor
    )
    return callback


def callback_for_token(token: str, *, for_update: bool = False) -> Callback:
    """The callback behind a public link; NotFound for an unknown token, CallbackExpired
    once it expired, IllegalTransition once it was used."""
    if not token or len(token) < 32 or len(token) > 100:
        raise NotFound("链接无效。")
    queryset = Callback.objects.select_related("case", "surveyor")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    callback = queryset.filter(token_hash=hash_token(token)).first()
    if callback is None:
        raise NotFound("链接无效。")
    CALLBACK_STATES.check(CallbackAction.FEEDBACK, callback.status)
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
        action=CallbackAction.FEEDBACK,
        rating=rating,
        comment=comment,
        note="",
        actor=None,
    )
    return callback
