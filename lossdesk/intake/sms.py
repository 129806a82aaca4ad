"""The intake app's one door to the SMS platform (lossdesk.notify.services).

The platform stores outbox rows and delivers after the surrounding transaction commits, so
it is called inside the service transaction: a rolled-back dispatch never texts anybody. A
number or template the platform refuses is logged and skipped; it never undoes the
business action that asked for the message."""

import logging

from django.apps import apps
from django.core.exceptions import ValidationError

from lossdesk.core.errors import ServiceError
from lossdesk.core.masking import mask_phone

logger = logging.getLogger(__name__)

DISPATCH_TO_SURVEYOR = "dispatch_to_surveyor"
DISPATCH_TO_CUSTOMER = "dispatch_to_customer"
CALLBACK_LINK = "callback_link"


def send(phone: str, template: str, context: dict, *, case=None, recipient="customer", actor=None):
    """One SMS; the message, or None when nothing was queued."""
    return send_all([(phone, template, context, recipient)], case=case, actor=actor)[0]


def send_all(messages: list[tuple[str, str, dict, str]], *, case=None, actor=None) -> list:
    """Several SMS about one case — (phone, template, context, recipient) each — stored in
    one insert. Each entry gives its message, or None when it was not queued (no number, or
    a number or template the platform refuses: logged, never undoing the business action)."""
    if not apps.is_installed("lossdesk.notify"):
        logger.warning("SMS platform not installed; %d SMS not sent", len(messages))
        return [None] * len(messages)
    from lossdesk.notify.services import compose_sms, queue_sms

    composed = []
    for phone, template, context, recipient in messages:
        if not phone:
            composed.append(None)
            continue
        try:  # compose_sms validates and writes nothing: a refusal leaves no trace
            composed.append(
                compose_sms(phone, template, context, case=case, recipient=recipient, actor=actor)
            )
        except (ServiceError, ValidationError) as exc:
            logger.warning("SMS %s to %s refused: %s", template, mask_phone(phone), exc)
            composed.append(None)
    queue_sms([message for message in composed if message is not None])
    return composed
