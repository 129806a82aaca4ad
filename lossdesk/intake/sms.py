"""The intake app's one door to the SMS platform (lossdesk.notify.services.send_sms).

send_sms stores an outbox row and delivers after the surrounding transaction commits, so it
is called inside the service transaction: a rolled-back dispatch never texts anybody. A
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
    """send_sms through a savepoint; None when nothing was queued."""
    if not phone:
        return None
    if not apps.is_installed("lossdesk.notify"):
        logger.warning("SMS platform not installed; %s to %s not sent", template, mask_phone(phone))
        return None
    from lossdesk.notify.services import send_sms

    try:  # send_sms validates before it writes anything, in its own savepoint
        return send_sms(phone, template, context, case=case, recipient=recipient, actor=actor)
    except (ServiceError, ValidationError) as exc:
        logger.warning("SMS %s to %s refused: %s", template, mask_phone(phone), exc)
        return None
