"""Sending SMS. `send_sms` is the one way in: it validates, renders and stores the message,
and hands it to the background task only when the surrounding transaction commits, so a
rolled-back action never texts anyone. Delivery (`attempt_delivery`) runs in the task:
claim the message, call the backend outside any transaction, record the outcome, and
schedule a retry with a doubling delay until settings.LOSSDESK_SMS_MAX_ATTEMPTS."""

import logging
import time
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lossdesk.core.errors import PermissionDenied, ServiceError
from lossdesk.core.validators import normalize_phone, validate_mobile
from lossdesk.notify import rendering
from lossdesk.notify.backends import SmsSendError, get_backend
from lossdesk.notify.choices import SMS_STATES, DeliveryOutcome, Recipient, SmsAction, SmsStatus
from lossdesk.notify.defaults import DEFAULT_TEMPLATES
from lossdesk.notify.error_codes import NotifyErrorCode
from lossdesk.notify.models import SmsDeliveryLog, SmsMessage, SmsTemplate
from lossdesk.notify.permissions import RESEND_SMS

logger = logging.getLogger(__name__)


def _json_value(value):
    return value if isinstance(value, int | float | bool) else str(value)


def send_sms(
    phone: str,
    template: str,
    context: dict,
    *,
    case=None,
    recipient: str = Recipient.CUSTOMER,
    actor=None,
) -> SmsMessage:
    """Queue the SMS `template` (a template code) rendered with `context` to `phone`.

    Raises ServiceError (400, with a field message) for an invalid mobile number, an
    unknown or disabled template, an unknown recipient or a context that lacks one of the
    template's variables; nothing is stored then. Delivery starts after the caller's
    transaction commits (at once when there is none)."""
    message = compose_sms(phone, template, context, case=case, recipient=recipient, actor=actor)
    return queue_sms([message])[0]


def compose_sms(
    phone: str,
    template: str,
    context: dict,
    *,
    case=None,
    recipient: str = Recipient.CUSTOMER,
    actor=None,
) -> SmsMessage:
    """The validated, rendered message, not yet stored (send_sms's first half; its errors)."""
    phone = normalize_phone(phone or "")
    try:
        validate_mobile(phone)
    except ValidationError as exc:
        raise ServiceError(
            exc.messages[0], code=NotifyErrorCode.PHONE_INVALID, fields={"phone": exc.messages}
        ) from None
    if recipient not in Recipient.values:
        message = f"接收人类型无效：{recipient}。"
        raise ServiceError(
            message, code=NotifyErrorCode.RECIPIENT_INVALID, fields={"recipient": [message]}
        )
    sms_template = template_for(template)
    if sms_template is None or not sms_template.active:
        message = f"短信模板「{template}」不存在或已停用。"
        code = (
            NotifyErrorCode.TEMPLATE_NOT_FOUND
            if sms_template is None
            else NotifyErrorCode.TEMPLATE_INACTIVE
        )
        raise ServiceError(message, code=code, fields={"template": [message]})
    try:
        body = rendering.render(sms_template.body, context)
    except rendering.MissingVariables as exc:
        message = f"短信模板「{template}」缺少变量：{'、'.join(exc.names)}。"
        raise ServiceError(
            message, code=NotifyErrorCode.TEMPLATE_VARIABLES_MISSING, fields={"context": [message]}
        ) from None
    except rendering.TemplateSyntaxError as exc:
        message = f"短信模板「{template}」有误：{exc}"
        raise ServiceError(
            message, code=NotifyErrorCode.TEMPLATE_INVALID, fields={"template": [message]}
        ) from None
    used = rendering.placeholders(sms_template.body)
    return SmsMessage(
        phone=phone,
        recipient=recipient,
        template=sms_template,
        body=body,
        params={name: _json_value(context[name]) for name in used},
        case=case,
        branch=getattr(case, "branch", None) or getattr(actor, "branch", None),
        created_by=actor,
        next_attempt_at=timezone.now(),
    )


def queue_sms(messages: list[SmsMessage]) -> list[SmsMessage]:
    """Store composed messages in one insert and hand each to delivery after the commit.
    A dispatch texts the surveyor and the customer together (decision 0010)."""
    if not messages:
        return []
    # No savepoint: the rows are valid by now, and a savepoint costs two round trips.
    with transaction.atomic(savepoint=False):
        SmsMessage.objects.bulk_create(messages)
        for message in messages:
            transaction.on_commit(partial(enqueue_delivery, message.pk), robust=True)
    return messages


# code → (expires, template). Every dispatch sends two SMS; the templates change rarely, so
# each process keeps them for TEMPLATE_CACHE_SECONDS (a change made in another process shows
# within that time; in this one at once, see clear_template_cache).
TEMPLATE_CACHE_SECONDS = 60
_templates: dict[str, tuple[float, SmsTemplate]] = {}


def template_for(code: str) -> SmsTemplate | None:
    cached = _templates.get(code)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    template = SmsTemplate.objects.filter(code=code).first()
    if template is None and code in DEFAULT_TEMPLATES:
        name, body, variables = DEFAULT_TEMPLATES[code]
        template, _ = SmsTemplate.objects.get_or_create(
            code=code, defaults={"name": name, "body": body, "variables": variables}
        )
    if template is not None:
        _templates[code] = (time.monotonic() + TEMPLATE_CACHE_SECONDS, template)
    return template


def clear_template_cache(**kwargs) -> None:
    """Receiver for SmsTemplate saves and deletes (NotifyConfig.ready); tests call it too,
    as a rolled-back template row would otherwise outlive its test in the cache."""
    _templates.clear()


def enqueue_delivery(message_id: int, run_after=None) -> None:
    """Hand the message to the `deliver_sms` task. Backends that cannot defer (the
    immediate backend) get no run_after: the `retry_sms` sweep picks up later retries."""
    from lossdesk.notify.tasks import deliver_sms

    task = deliver_sms
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the sweep sends it when due
        task = task.using(run_after=run_after)
    task.enqueue(message_id)


def retry_delay(attempt: int) -> timedelta:
    """Delay before the attempt after `attempt` (1-based): base, 2×base, 4×base…"""
    return timedelta(seconds=settings.LOSSDESK_SMS_RETRY_DELAY * 2 ** (attempt - 1))


def attempt_delivery(message_id: int) -> str:
    """One delivery attempt; returns what happened ("sent", "retry", "failed", "skipped").

    The message is claimed in a short transaction (attempts + 1, next_attempt_at pushed to
    the retry time, which doubles as a lease against a second worker), sent outside any
    transaction (a slow provider must not hold a database lock), and the outcome is
    recorded in a second short transaction."""
    now = timezone.now()
    with transaction.atomic():
        message = (
            SmsMessage.objects.select_for_update()
            .select_related("template")
            .filter(pk=message_id, status=SmsStatus.QUEUED)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .first()
        )
        if message is None:
            return "skipped"  # sent, failed, or not due yet (another worker has it)
        message.attempts += 1
        message.last_attempt_at = now
        message.next_attempt_at = now + retry_delay(message.attempts)
        message.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])

    backend = get_backend()
    started = time.monotonic()
    error: SmsSendError | None = None
    try:
        result = backend.send(message)
    except SmsSendError as exc:
        error = exc
    except Exception as exc:  # a backend bug must not lose the message
        logger.exception("SMS backend %s crashed on message %s", backend.name, message.pk)
        error = SmsSendError(f"{type(exc).__name__}: {exc}"[:500])
    duration_ms = int((time.monotonic() - started) * 1000)

    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().get(pk=message.pk)
        message.backend = backend.name
        log = SmsDeliveryLog(
            message=message,
            attempt=message.attempts,
            backend=backend.name,
            duration_ms=duration_ms,
        )
        if error is None:
            SMS_STATES.move(message, SmsAction.SEND)
            message.sent_at = timezone.now()
            message.provider_message_id = result.provider_message_id
            message.next_attempt_at, message.error = None, ""
            message.redact()
            log.outcome = DeliveryOutcome.SENT
            log.provider_message_id, log.response = result.provider_message_id, result.response
            outcome = "sent"
        else:
            message.error = error.message[:500]
            log.outcome, log.error, log.response = (
                DeliveryOutcome.FAILED,
                error.message[:500],
                error.response,
            )
            if not error.retryable or message.attempts >= settings.LOSSDESK_SMS_MAX_ATTEMPTS:
                SMS_STATES.move(message, SmsAction.GIVE_UP)
                message.failed_at = timezone.now()
                message.next_attempt_at = None
                outcome = "failed"
            else:
                SMS_STATES.move(message, SmsAction.RETRY)
                retry_at = message.next_attempt_at
                transaction.on_commit(
                    partial(enqueue_delivery, message.pk, run_after=retry_at), robust=True
                )
                outcome = "retry"
        message.save()
        log.save()
    return outcome


def due_messages(now=None):
    """Queued messages whose (next) attempt is due: what the `retry_sms` sweep sends."""
    now = now or timezone.now()
    return SmsMessage.objects.filter(status=SmsStatus.QUEUED, next_attempt_at__lte=now)


def record_delivery_receipt(
    provider_message_id: str, *, delivered: bool, error: str = "", response=None
) -> SmsMessage | None:
    """A provider's delivery report (回执) for a sent message: delivered, or not (the
    handset was off too long, the number is dead…). Unknown ids are ignored."""
    with transaction.atomic():
        message = (
            SmsMessage.objects.select_for_update()
            .filter(provider_message_id=provider_message_id, status=SmsStatus.SENT)
            .first()
        )
        if message is None or not provider_message_id:
            return None
        now = timezone.now()
        if delivered:
            SMS_STATES.move(message, SmsAction.DELIVER)
            message.delivered_at = now
        else:
            SMS_STATES.move(message, SmsAction.UNDELIVER)
            message.failed_at, message.error = now, error[:500]
        message.save(update_fields=["status", "delivered_at", "failed_at", "error"])
        SmsDeliveryLog.objects.create(
            message=message,
            attempt=message.attempts,
            outcome=DeliveryOutcome.DELIVERED if delivered else DeliveryOutcome.UNDELIVERED,
            backend=message.backend,
            provider_message_id=provider_message_id,
            error=error[:500],
            response=response or {},
        )
    return message


@transaction.atomic
def do_resend_sms(message: SmsMessage, *, actor) -> SmsMessage:
    """Queue a failed message again with a fresh attempt budget (e.g. after the customer
    switched the phone on, or the provider's template was approved)."""
    if not actor.has_perm(RESEND_SMS):
        raise PermissionDenied("您的岗位没有重新发送短信的权限。")
    message = SmsMessage.objects.select_for_update().get(pk=message.pk)
    SMS_STATES.move(message, SmsAction.RESEND)
    message.failed_at = None
    message.attempts, message.next_attempt_at = 0, timezone.now()
    message.save(update_fields=["status", "failed_at", "attempts", "next_attempt_at"])
    transaction.on_commit(partial(enqueue_delivery, message.pk), robust=True)
    return message
