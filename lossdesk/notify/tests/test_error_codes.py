"""Each refusal of the SMS platform carries its code (notify.error_codes). No API sends an
SMS: its callers (intake's dispatch and callbacks) log a refusal and carry on, so these
tests hold the service to its codes."""

import pytest

from lossdesk.core.errors import IllegalTransition, ServiceError
from lossdesk.notify.models import SmsMessage, SmsTemplate
from lossdesk.notify.services import do_resend_sms, send_sms

pytestmark = pytest.mark.django_db


def refusal(phone="13900001111", template="dispatch_to_surveyor", context=None, **extra):
    with pytest.raises(ServiceError) as exc:
        send_sms(phone, template, context, **extra)
    assert not SmsMessage.objects.exists()
    return exc.value


def test_an_invalid_mobile_number_is_phone_invalid(firm, dispatch_context):
    error = refusal(phone="12345", context=dispatch_context)
    assert (error.code, error.status) == ("phone_invalid", 400)


def test_an_unknown_recipient_kind_is_recipient_invalid(firm, dispatch_context):
    error = refusal(context=dispatch_context, recipient="boss")
    assert error.code == "recipient_invalid"


def test_an_unknown_template_is_template_not_found(firm, dispatch_context):
    error = refusal(template="no_such_event", context=dispatch_context)
    assert error.code == "template_not_found"


def test_a_disabled_template_is_template_inactive(firm, dispatch_context):
    SmsTemplate.objects.filter(code="dispatch_to_surveyor").update(active=False)
    error = refusal(context=dispatch_context)
    assert error.code == "template_inactive"


def test_a_context_without_a_template_variable_is_template_variables_missing(
    firm, dispatch_context
):
    del dispatch_context["contact_phone"]
    error = refusal(context=dispatch_context)
    assert error.code == "template_variables_missing"


def test_a_template_body_that_does_not_render_is_template_invalid(firm, dispatch_context):
    SmsTemplate.objects.filter(code="dispatch_to_surveyor").update(body="新案件{case_no")
    error = refusal(context=dispatch_context)
    assert error.code == "template_invalid"


def test_resending_a_message_that_has_not_failed_is_an_illegal_transition(firm, dispatch_context):
    """No API resends an SMS, so the service answers for SMS_STATES: 409, naming the state."""
    message = send_sms("13900001111", "dispatch_to_surveyor", dispatch_context)
    with pytest.raises(IllegalTransition) as exc:
        do_resend_sms(message, actor=firm.zhaoliu)
    assert (exc.value.code, exc.value.status) == ("illegal_transition", 409)
    assert exc.value.extra["current_state"] == "queued"
    message.refresh_from_db()
    assert message.attempts == 0 and message.status == "queued"
