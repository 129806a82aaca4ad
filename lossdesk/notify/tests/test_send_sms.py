from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction

from lossdesk.core.errors import IllegalTransition, PermissionDenied, ServiceError
from lossdesk.notify import services
from lossdesk.notify.backends import ConsoleBackend
from lossdesk.notify.choices import DeliveryOutcome, Recipient, SmsStatus
from lossdesk.notify.models import SmsDeliveryLog, SmsMessage, SmsTemplate
from lossdesk.notify.services import send_sms
from lossdesk.notify.tests.backends import RecordingBackend

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_send_sms_stores_the_rendered_message_and_delivers_it_only_after_commit(
    firm, recording_backend, dispatch_context, django_capture_on_commit_callbacks
):
    case = firm.registered_case()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = send_sms(
            "13900001111",
            "dispatch_to_surveyor",
            dispatch_context,
            case=case,
            recipient=Recipient.SURVEYOR,
            actor=firm.zhaoliu,
        )
        assert message.status == SmsStatus.QUEUED
        assert recording_backend.sent == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert message.body == (
        "【LossDesk】新案件C2026030100001，地点：杭州市西湖区文三路，联系人：陈先生 13812345678"
    )
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    assert message.attempts == 1 and message.sent_at is not None
    assert message.provider_message_id == f"rec-{message.pk}"
    assert message.branch == case.branch and message.created_by == firm.zhaoliu
    assert recording_backend.sent == [(message.pk, "13900001111", message.body)]
    log = message.delivery_logs.get()
    assert (log.attempt, log.outcome) == (1, DeliveryOutcome.SENT)


def test_an_sms_queued_in_a_rolled_back_transaction_is_never_stored_or_sent(
    firm, recording_backend, dispatch_context, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send_sms("13900001111", "dispatch_to_surveyor", dispatch_context)
        raise RuntimeError("the dispatch failed after the SMS was queued")
    assert callbacks == []
    assert not SmsMessage.objects.exists()
    assert recording_backend.sent == []


def test_the_default_outbox_backend_marks_the_message_sent(
    firm, settings, dispatch_context, django_capture_on_commit_callbacks
):
    settings.LOSSDESK_SMS_BACKEND = "lossdesk.notify.backends.OutboxBackend"
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms("13900001111", "dispatch_to_surveyor", dispatch_context)
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    assert message.backend == "lossdesk.notify.backends.OutboxBackend"
    assert message.provider_message_id == f"outbox-{message.pk}"


def test_the_callback_and_customer_templates_render_their_seeded_texts(
    firm, django_capture_on_commit_callbacks
):
    customer = send_sms(
        "13812345678",
        "dispatch_to_customer",
        {"surveyor_name": "张三", "surveyor_phone": "13900001111", "eta_minutes": 15},
    )
    callback = send_sms(
        "13812345678",
        "callback_link",
        {"case_no": "C1", "url": "https://lossdesk.example.com/cb/abc"},
    )
    assert customer.body == "您好，查勘员张三（13900001111）已接案，预计15分钟内到达"
    assert callback.body == "您的案件C1已结案，请点击评价服务：https://lossdesk.example.com/cb/abc"
    assert customer.params == {
        "surveyor_name": "张三",
        "surveyor_phone": "13900001111",
        "eta_minutes": 15,
    }


def test_a_missing_template_variable_is_a_field_error_and_stores_nothing(firm, dispatch_context):
    del dispatch_context["contact_phone"]
    dispatch_context["place"] = None
    with pytest.raises(ServiceError) as exc:
        send_sms("13900001111", "dispatch_to_surveyor", dispatch_context)
    assert exc.value.status == 400
    assert exc.value.fields["context"] == [
        "短信模板「dispatch_to_surveyor」缺少变量：place、contact_phone。"
    ]
    assert not SmsMessage.objects.exists()


@pytest.mark.parametrize("phone", ["12345", "", "1381234567x", "23812345678"])
def test_an_invalid_mobile_number_is_a_phone_field_error(firm, dispatch_context, phone):
    with pytest.raises(ServiceError) as exc:
        send_sms(phone, "dispatch_to_surveyor", dispatch_context)
    assert exc.value.fields["phone"] == ["手机号码不正确（11位，以1开头）。"]
    assert not SmsMessage.objects.exists()


@pytest.mark.parametrize("phone", ["02887654321", "028-87654321-12"])
def test_a_fixed_line_gets_no_sms_and_is_named_as_such(firm, dispatch_context, phone):
    with pytest.raises(ServiceError) as exc:
        send_sms(phone, "dispatch_to_surveyor", dispatch_context)
    assert exc.value.fields["phone"] == ["这是固定电话，不能接收短信，请填写手机号码。"]
    assert not SmsMessage.objects.exists()


def test_the_phone_is_normalised_before_it_is_stored(firm, dispatch_context):
    message = send_sms("+86 138-1234-5678", "dispatch_to_surveyor", dispatch_context)
    assert message.phone == "13812345678"


def test_an_unknown_or_disabled_template_is_a_template_field_error(firm, dispatch_context):
    with pytest.raises(ServiceError) as exc:
        send_sms("13900001111", "no_such_event", dispatch_context)
    assert "template" in exc.value.fields
    SmsTemplate.objects.filter(code="dispatch_to_surveyor").update(active=False)
    with pytest.raises(ServiceError) as exc:
        send_sms("13900001111", "dispatch_to_surveyor", dispatch_context)
    assert exc.value.fields["template"] == ["短信模板「dispatch_to_surveyor」不存在或已停用。"]


def test_an_unknown_recipient_kind_is_refused(firm, dispatch_context):
    with pytest.raises(ServiceError) as exc:
        send_sms("13900001111", "dispatch_to_surveyor", dispatch_context, recipient="boss")
    assert "recipient" in exc.value.fields


def test_a_template_the_admin_edited_is_used_and_a_deleted_standard_one_comes_back(
    firm, dispatch_context
):
    SmsTemplate.objects.filter(code="dispatch_to_surveyor").update(
        body="新案件{case_no}，请尽快联系{contact_name}"
    )
    assert send_sms("13900001111", "dispatch_to_surveyor", dispatch_context).body == (
        "新案件C2026030100001，请尽快联系陈先生"
    )
    SmsMessage.objects.all().delete()
    SmsTemplate.objects.filter(code="callback_link").delete()
    message = send_sms("13812345678", "callback_link", {"case_no": "C1", "url": "u"})
    assert message.body == "您的案件C1已结案，请点击评价服务：u"


def test_a_template_body_may_use_only_the_variables_its_event_supplies(firm):
    template = SmsTemplate.objects.get(code="callback_link")
    template.body = "案件{case_no}：{customer.id_number}"
    with pytest.raises(ValidationError) as exc:
        template.full_clean()
    assert "只能写 {变量名}" in exc.value.message_dict["body"][0]
    template.body = "案件{case_no}，评价：{url}，查勘员：{surveyor_name}"
    with pytest.raises(ValidationError) as exc:
        template.full_clean()
    assert exc.value.message_dict["body"][0].startswith("未知变量：surveyor_name")
    template.body = "案件{case_no}已结案，评价：{url}"
    template.full_clean()


def _travel_and_sweep(traveller, seconds: int) -> str:
    traveller.shift(timedelta(seconds=seconds))
    out = StringIO()
    call_command("retry_sms", stdout=out)
    return out.getvalue()


def test_a_failing_backend_is_retried_with_a_doubling_delay_then_marked_failed(
    firm, settings, dispatch_context, django_capture_on_commit_callbacks
):
    settings.LOSSDESK_SMS_BACKEND = "lossdesk.notify.tests.backends.FailingBackend"
    settings.LOSSDESK_SMS_MAX_ATTEMPTS = 3
    settings.LOSSDESK_SMS_RETRY_DELAY = 60
    with time_machine.travel(START, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            message = send_sms("13900001111", "dispatch_to_surveyor", dispatch_context)
        message.refresh_from_db()
        assert (message.status, message.attempts) == (SmsStatus.QUEUED, 1)
        assert message.next_attempt_at == START + timedelta(seconds=60)
        assert message.error == "短信网关超时"

        assert "已投递 0 条" in _travel_and_sweep(traveller, 59)  # not due yet
        assert "已投递 1 条" in _travel_and_sweep(traveller, 1)
        message.refresh_from_db()
        assert message.attempts == 2
        assert message.next_attempt_at == START + timedelta(seconds=60 + 120)

        _travel_and_sweep(traveller, 120)
        message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.FAILED, 3)
    assert message.failed_at == START + timedelta(seconds=180)
    assert message.next_attempt_at is None
    outcomes = list(message.delivery_logs.values_list("attempt", "outcome", "error"))
    assert outcomes == [(n, DeliveryOutcome.FAILED, "短信网关超时") for n in (1, 2, 3)]
    assert not services.due_messages(START + timedelta(days=1)).exists()


def test_a_task_backend_that_can_defer_gets_the_retry_scheduled_at_the_backoff_time(
    firm, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    settings.LOSSDESK_SMS_BACKEND = "lossdesk.notify.tests.backends.FailingBackend"
    settings.LOSSDESK_SMS_RETRY_DELAY = 30
    from django.tasks import default_task_backend

    with time_machine.travel(START, tick=False):
        message = SmsMessage.objects.create(
            phone="13900001111",
            recipient=Recipient.CUSTOMER,
            template=SmsTemplate.objects.get(code="callback_link"),
            body="x",
            next_attempt_at=START,
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert services.attempt_delivery(message.pk) == "retry"
    (result,) = default_task_backend.results
    assert result.task.module_path == "lossdesk.notify.tasks.deliver_sms"
    assert result.args == [message.pk]
    assert result.task.run_after == START + timedelta(seconds=30)


def test_a_permanent_provider_error_fails_at_once_without_retry(
    firm, settings, dispatch_context, django_capture_on_commit_callbacks
):
    settings.LOSSDESK_SMS_BACKEND = "lossdesk.notify.tests.backends.RejectingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms("13900001111", "dispatch_to_surveyor", dispatch_context)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error) == (
        SmsStatus.FAILED,
        1,
        "号码不存在",
    )
    assert message.delivery_logs.get().response == {"code": "MOBILE_ILLEGAL"}


def test_a_crashing_backend_is_logged_as_a_failed_attempt_not_lost(
    firm, settings, dispatch_context, django_capture_on_commit_callbacks
):
    settings.LOSSDESK_SMS_BACKEND = "lossdesk.notify.tests.backends.CrashingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms("13900001111", "dispatch_to_surveyor", dispatch_context)
    message.refresh_from_db()
    assert message.status == SmsStatus.QUEUED
    assert message.error == "RuntimeError: boom"


def test_a_message_is_sent_once_even_when_its_task_runs_twice(
    firm, recording_backend, dispatch_context, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms("13900001111", "dispatch_to_surveyor", dispatch_context)
    assert services.attempt_delivery(message.pk) == "skipped"
    assert len(recording_backend.sent) == 1


def test_a_delivery_receipt_marks_the_message_delivered_and_is_logged(
    firm, recording_backend, dispatch_context, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms("13900001111", "dispatch_to_surveyor", dispatch_context)
    assert services.record_delivery_receipt("unknown-id", delivered=True) is None
    services.record_delivery_receipt(f"rec-{message.pk}", delivered=True)
    message.refresh_from_db()
    assert message.status == SmsStatus.DELIVERED and message.delivered_at is not None
    assert list(message.delivery_logs.values_list("outcome", flat=True)) == [
        DeliveryOutcome.SENT,
        DeliveryOutcome.DELIVERED,
    ]


def test_resending_a_failed_message_queues_it_again_with_a_fresh_budget(
    firm, settings, dispatch_context, django_capture_on_commit_callbacks
):
    settings.LOSSDESK_SMS_BACKEND = "lossdesk.notify.tests.backends.RejectingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms("13900001111", "dispatch_to_surveyor", dispatch_context)
    with pytest.raises(PermissionDenied):
        services.do_resend_sms(message, actor=firm.lisi)
    RecordingBackend.sent = []
    settings.LOSSDESK_SMS_BACKEND = "lossdesk.notify.tests.backends.RecordingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.do_resend_sms(message, actor=firm.zhaoliu)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.SENT, 1)
    assert SmsDeliveryLog.objects.filter(message=message).count() == 2
    with pytest.raises(IllegalTransition) as exc:
        services.do_resend_sms(message, actor=firm.zhaoliu)
    assert exc.value.extra["current_state"] == SmsStatus.SENT


def test_the_console_backend_prints_the_number_and_text(firm, dispatch_context):
    message = send_sms("13900001111", "dispatch_to_surveyor", dispatch_context)
    backend = ConsoleBackend()
    backend.stream = StringIO()
    result = backend.send(message)
    assert (
        backend.stream.getvalue() == f"[SMS] 13900001111 (dispatch_to_surveyor): {message.body}\n"
    )
    assert result.provider_message_id == f"console-{message.pk}"


@pytest.mark.django_db(transaction=True)
def test_a_committed_action_texts_once_and_a_rolled_back_one_never_reaches_the_backend(
    recording_backend,
):
    from lossdesk.testing import Firm

    firm = Firm()
    context = {"case_no": "C1", "url": "https://x.example/cb"}
    with transaction.atomic():
        committed = send_sms("13812345678", "callback_link", context, actor=firm.zhaoliu)
        assert recording_backend.sent == []
    assert [pk for pk, _phone, _body in recording_backend.sent] == [committed.pk]

    with pytest.raises(RuntimeError), transaction.atomic():
        send_sms("13812345679", "callback_link", context, actor=firm.zhaoliu)
        raise RuntimeError("rolled back")
    assert len(recording_backend.sent) == 1
    assert list(SmsMessage.objects.values_list("phone", "status")) == [
        ("13812345678", SmsStatus.SENT)
    ]


def test_a_callback_link_token_is_shown_to_nobody_and_forgotten_once_sent(
    firm, recording_backend, django_capture_on_commit_callbacks
):
    url = "https://lossdesk.example.com/callback/zRejrgkEEdnfn7vBLbw1ijXv/"
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms("13812345678", "callback_link", {"case_no": "C1", "url": url})
        assert "zRejrgkEEdnfn7vBLbw1ijXv" not in message.body_for(firm.zhaoliu)
    ((_pk, _phone, sent_body),) = recording_backend.sent
    assert url in sent_body  # the customer gets the whole link
    message.refresh_from_db()
    assert (
        message.body
        == "您的案件C1已结案，请点击评价服务：https://lossdesk.example.com/callback/zRej…"
    )
    assert message.params["url"] == "https://lossdesk.example.com/callback/zRej…"
    assert message.body_for(firm.zhaoliu) == message.body
