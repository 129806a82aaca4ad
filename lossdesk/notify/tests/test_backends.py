"""The cloud backends build the right SDK request. The SDK clients' send methods are
replaced: no test reaches the network."""

import json

import pytest
from alibabacloud_dysmsapi20170525 import client as aliyun_client
from alibabacloud_dysmsapi20170525 import models as aliyun_models
from tencentcloud.sms.v20210111 import models as tencent_models
from tencentcloud.sms.v20210111 import sms_client as tencent_client

from lossdesk.notify.backends import AliyunBackend, SmsSendError, TencentBackend, get_backend
from lossdesk.notify.services import send_sms

pytestmark = pytest.mark.django_db


@pytest.fixture
def aliyun(settings):
    settings.LOSSDESK_SMS_ALIYUN = {
        "access_key_id": "LTAI-test",
        "access_key_secret": "secret",
        "sign_name": "LossDesk公估",
        "region_id": "cn-hangzhou",
        "endpoint": "dysmsapi.aliyuncs.com",
        "templates": {"dispatch_to_surveyor": "SMS_480001", "callback_link": "SMS_480003"},
    }


@pytest.fixture
def tencent(settings):
    settings.LOSSDESK_SMS_TENCENT = {
        "secret_id": "AKID-test",
        "secret_key": "secret",
        "sdk_app_id": "1400000001",
        "sign_name": "LossDesk公估",
        "region": "ap-guangzhou",
        "templates": {"dispatch_to_surveyor": "2100001", "callback_link": "2100003"},
    }


@pytest.fixture
def message(firm, dispatch_context):
    return send_sms("13900001111", "dispatch_to_surveyor", dispatch_context, recipient="surveyor")


def _aliyun_response(code="OK", message="OK", biz_id="900619746936498440^0"):
    body = aliyun_models.SendSmsResponseBody(
        code=code, message=message, biz_id=biz_id, request_id="F655A8D5-B967-440B-8683"
    )
    return aliyun_models.SendSmsResponse(status_code=200, body=body)


def test_the_aliyun_backend_sends_the_template_code_sign_and_named_parameters(
    aliyun, message, monkeypatch
):
    calls = []

    def fake_send(client, request, runtime):
        calls.append((client, request))
        return _aliyun_response()

    monkeypatch.setattr(aliyun_client.Client, "send_sms_with_options", fake_send)
    result = AliyunBackend().send(message)

    ((client, request),) = calls
    assert isinstance(request, aliyun_models.SendSmsRequest)
    assert request.phone_numbers == "13900001111"
    assert request.sign_name == "LossDesk公估"
    assert request.template_code == "SMS_480001"
    assert json.loads(request.template_param) == {
        "case_no": "C2026030100001",
        "place": "杭州市西湖区文三路",
        "contact_name": "陈先生",
        "contact_phone": "13812345678",
    }
    assert request.out_id == str(message.pk)
    assert client._endpoint == "dysmsapi.aliyuncs.com"
    assert result.provider_message_id == "900619746936498440^0"
    assert result.response["code"] == "OK"


@pytest.mark.parametrize(
    ("code", "retryable"),
    [("isv.BUSINESS_LIMIT_CONTROL", True), ("isv.MOBILE_NUMBER_ILLEGAL", False)],
)
def test_an_aliyun_refusal_is_a_send_error_retried_only_when_it_may_pass_later(
    aliyun, message, monkeypatch, code, retryable
):
    monkeypatch.setattr(
        aliyun_client.Client,
        "send_sms_with_options",
        lambda client, request, runtime: _aliyun_response(code=code, message="触发限制"),
    )
    with pytest.raises(SmsSendError) as exc:
        AliyunBackend().send(message)
    assert exc.value.retryable is retryable
    assert exc.value.message == f"阿里云短信拒绝：{code} 触发限制"


def test_an_aliyun_network_error_is_retryable(aliyun, message, monkeypatch):
    def boom(client, request, runtime):
        raise ConnectionError("timed out")

    monkeypatch.setattr(aliyun_client.Client, "send_sms_with_options", boom)
    with pytest.raises(SmsSendError) as exc:
        AliyunBackend().send(message)
    assert exc.value.retryable is True
    assert "ConnectionError" in exc.value.message


def test_a_template_without_a_provider_template_id_fails_without_retry(aliyun, firm, monkeypatch):
    monkeypatch.setattr(
        aliyun_client.Client,
        "send_sms_with_options",
        lambda *args: pytest.fail("must not send"),
    )
    customer = send_sms(
        "13812345678",
        "dispatch_to_customer",
        {"surveyor_name": "张三", "surveyor_phone": "13900001111", "eta_minutes": 15},
    )
    with pytest.raises(SmsSendError) as exc:
        AliyunBackend().send(customer)
    assert exc.value.retryable is False
    assert "dispatch_to_customer" in exc.value.message


def test_missing_aliyun_credentials_fail_without_retry(settings, aliyun, message):
    settings.LOSSDESK_SMS_ALIYUN = {**settings.LOSSDESK_SMS_ALIYUN, "access_key_secret": ""}
    with pytest.raises(SmsSendError) as exc:
        AliyunBackend().send(message)
    assert exc.value.retryable is False
    assert "access_key_secret" in exc.value.message


def _tencent_response(code="Ok", serial="2028:f825e6b16e23f73f4123"):
    response = tencent_models.SendSmsResponse()
    response._deserialize(
        {
            "SendStatusSet": [
                {
                    "SerialNo": serial,
                    "PhoneNumber": "+8613900001111",
                    "Fee": 1,
                    "SessionContext": "",
                    "Code": code,
                    "Message": "send success" if code == "Ok" else "phone number error",
                    "IsoCode": "CN",
                }
            ],
            "RequestId": "a0aabda6-cf91-4f3e-a2c1",
        }
    )
    return response


def test_the_tencent_backend_sends_e164_numbers_and_positional_parameters(
    tencent, message, monkeypatch
):
    calls = []

    def fake_send(client, request):
        calls.append((client, request))
        return _tencent_response()

    monkeypatch.setattr(tencent_client.SmsClient, "SendSms", fake_send)
    result = TencentBackend().send(message)

    ((client, request),) = calls
    assert isinstance(request, tencent_models.SendSmsRequest)
    assert request.PhoneNumberSet == ["+8613900001111"]
    assert request.SmsSdkAppId == "1400000001"
    assert request.SignName == "LossDesk公估"
    assert request.TemplateId == "2100001"
    # {1} case_no, {2} place, {3} contact_name, {4} contact_phone: the body's order
    assert request.TemplateParamSet == [
        "C2026030100001",
        "杭州市西湖区文三路",
        "陈先生",
        "13812345678",
    ]
    assert request.SessionContext == str(message.pk)
    assert client.region == "ap-guangzhou"
    assert result.provider_message_id == "2028:f825e6b16e23f73f4123"


def test_a_tencent_status_other_than_ok_is_a_send_error(tencent, message, monkeypatch):
    monkeypatch.setattr(
        tencent_client.SmsClient,
        "SendSms",
        lambda client, request: _tencent_response(
            code="InvalidParameterValue.IncorrectPhoneNumber", serial=""
        ),
    )
    with pytest.raises(SmsSendError) as exc:
        TencentBackend().send(message)
    assert exc.value.retryable is False
    assert exc.value.response["code"] == "InvalidParameterValue.IncorrectPhoneNumber"


def test_a_tencent_sdk_exception_keeps_its_code(tencent, message, monkeypatch):
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
        TencentCloudSDKException,
    )

    def boom(client, request):
        raise TencentCloudSDKException("RequestLimitExceeded", "频率限制")

    monkeypatch.setattr(tencent_client.SmsClient, "SendSms", boom)
    with pytest.raises(SmsSendError) as exc:
        TencentBackend().send(message)
    assert exc.value.retryable is True
    assert exc.value.message == "腾讯云短信调用失败：RequestLimitExceeded 频率限制"


def test_a_cloud_backend_without_its_sdk_fails_without_retry(tencent, message, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_tencent(name, *args, **kwargs):
        if name.startswith("tencentcloud"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tencent)
    with pytest.raises(SmsSendError) as exc:
        TencentBackend().send(message)
    assert exc.value.retryable is False
    assert "lossdesk[tencent]" in exc.value.message


def test_the_backend_comes_from_the_setting(settings):
    settings.LOSSDESK_SMS_BACKEND = "lossdesk.notify.backends.TencentBackend"
    assert isinstance(get_backend(), TencentBackend)


def test_a_whole_delivery_through_aliyun_records_the_provider_id(
    aliyun, settings, firm, dispatch_context, monkeypatch, django_capture_on_commit_callbacks
):
    settings.LOSSDESK_SMS_BACKEND = "lossdesk.notify.backends.AliyunBackend"
    monkeypatch.setattr(
        aliyun_client.Client,
        "send_sms_with_options",
        lambda client, request, runtime: _aliyun_response(biz_id="BIZ-1"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms("13900001111", "dispatch_to_surveyor", dispatch_context)
    message.refresh_from_db()
    assert message.status == "sent"
    assert message.provider_message_id == "BIZ-1"
    assert message.delivery_logs.get().response["biz_id"] == "BIZ-1"
