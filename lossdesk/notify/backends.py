"""SMS delivery channels, chosen by settings.LOSSDESK_SMS_BACKEND (a dotted path):

- OutboxBackend (default): the database row is the message; delivery just marks it sent.
- ConsoleBackend: prints the message (development).
- AliyunBackend / TencentBackend: 阿里云短信 / 腾讯云短信 through their official SDKs, installed
  with the `aliyun` / `tencent` extras and imported only when such a backend sends.

A backend's `send(message)` returns a SendResult or raises SmsSendError; `retryable=False`
means trying again cannot help (wrong number, template not approved, no configuration)."""

import json
import sys
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

from lossdesk.notify import rendering


@dataclass
class SendResult:
    provider_message_id: str = ""
    response: dict = field(default_factory=dict)


class SmsSendError(Exception):
    def __init__(self, message: str, *, retryable: bool = True, response: dict | None = None):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.response = response or {}


class BaseSmsBackend:
    label = "自定义短信通道"  # what the pages show; `name` (the class path) is stored

    def send(self, message) -> SendResult:  # pragma: no cover - interface
        raise NotImplementedError

    @property
    def name(self) -> str:
        return f"{type(self).__module__}.{type(self).__qualname__}"


class OutboxBackend(BaseSmsBackend):
    """Nothing leaves the building: the outbox page is where the message is read."""

    label = "站内发件箱（不外发）"

    def send(self, message) -> SendResult:
        return SendResult(f"outbox-{message.pk}", {})


class ConsoleBackend(BaseSmsBackend):
    label = "控制台输出（开发调试）"
    stream = None  # sys.stdout at send time (tests swap it)

    def send(self, message) -> SendResult:
        stream = self.stream or sys.stdout
        stream.write(f"[SMS] {message.phone} ({message.template.code}): {message.body}\n")
        stream.flush()
        return SendResult(f"console-{message.pk}", {})


def _provider_config(name: str) -> dict:
    config = getattr(settings, name, None) or {}
    return dict(config)


def _require(config: dict, setting: str, *keys: str) -> None:
    missing = [key for key in keys if not config.get(key)]
    if missing:
        raise SmsSendError(f"{setting} 缺少配置：{', '.join(missing)}。", retryable=False)


def _provider_template(config: dict, setting: str, code: str) -> str:
    template_id = (config.get("templates") or {}).get(code)
    if not template_id:
        message = f"{setting}.templates 未配置模板「{code}」的通道模板编号。"
        raise SmsSendError(message, retryable=False)
    return template_id


class AliyunBackend(BaseSmsBackend):
    """阿里云短信 (Dysmsapi 2017-05-25, SendSms). settings.LOSSDESK_SMS_ALIYUN holds
    access_key_id, access_key_secret, sign_name, region_id, endpoint and templates
    (our template code → the approved Aliyun template code, e.g. SMS_123456789)."""

    label = "阿里云短信"

    SETTING = "LOSSDESK_SMS_ALIYUN"
    # Error codes that another try will not fix (the rest, e.g. flow control, are retried).
    PERMANENT = frozenset(
        {
            "isv.MOBILE_NUMBER_ILLEGAL",
            "isv.SMS_TEMPLATE_ILLEGAL",
            "isv.SMS_SIGNATURE_ILLEGAL",
            "isv.TEMPLATE_MISSING_PARAMETERS",
            "isv.INVALID_PARAMETERS",
            "isv.BLACK_KEY_CONTROL_LIMIT",
            "isv.DENY_IP_RANGE",
            "isv.MOBILE_COUNT_OVER_LIMIT",
            "InvalidAccessKeyId.NotFound",
            "SignatureDoesNotMatch",
        }
    )

    def build_request(self, message):
        from alibabacloud_dysmsapi20170525 import models as aliyun_models

        config = _provider_config(self.SETTING)
        _require(config, self.SETTING, "sign_name")
        return aliyun_models.SendSmsRequest(
            phone_numbers=message.phone,
            sign_name=config["sign_name"],
            template_code=_provider_template(config, self.SETTING, message.template.code),
            template_param=json.dumps(
                {k: str(v) for k, v in message.params.items()}, ensure_ascii=False
            ),
            out_id=str(message.pk),
        )

    def client(self):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import utils_models as open_api_models

        config = _provider_config(self.SETTING)
        _require(config, self.SETTING, "access_key_id", "access_key_secret")
        return Client(
            open_api_models.Config(
                access_key_id=config["access_key_id"],
                access_key_secret=config["access_key_secret"],
                region_id=config.get("region_id") or "cn-hangzhou",
                endpoint=config.get("endpoint") or "dysmsapi.aliyuncs.com",
                connect_timeout=int(config.get("connect_timeout_ms") or 5000),
                read_timeout=int(config.get("read_timeout_ms") or 10000),
            )
        )

    def send(self, message) -> SendResult:
        try:
            request = self.build_request(message)
            client = self.client()
        except ImportError:
            raise SmsSendError(
                "未安装阿里云短信 SDK（pip install 'lossdesk[aliyun]'）。", retryable=False
            ) from None
        from darabonba.runtime import RuntimeOptions

        try:
            response = client.send_sms_with_options(request, RuntimeOptions())
        except Exception as exc:  # network, throttling, auth: the SDK raises its own types
            code = getattr(exc, "code", "") or type(exc).__name__
            text = getattr(exc, "message", "") or str(exc)
            raise SmsSendError(
                f"阿里云短信调用失败：{code} {text}"[:500],
                retryable=code not in self.PERMANENT,
                response={"code": code},
            ) from exc
        body = response.body
        summary = {
            "code": body.code,
            "message": body.message,
            "biz_id": body.biz_id,
            "request_id": body.request_id,
        }
        if body.code != "OK":
            raise SmsSendError(
                f"阿里云短信拒绝：{body.code} {body.message}"[:500],
                retryable=body.code not in self.PERMANENT,
                response=summary,
            )
        return SendResult(body.biz_id or "", summary)


class TencentBackend(BaseSmsBackend):
    """腾讯云短信 (SMS 2021-01-11, SendSms). settings.LOSSDESK_SMS_TENCENT holds secret_id,
    secret_key, sdk_app_id, sign_name, region and templates (our template code → the
    approved Tencent template id). Tencent templates take positional parameters {1}, {2}…:
    they are our template's variables in the order the body first uses them."""

    label = "腾讯云短信"

    SETTING = "LOSSDESK_SMS_TENCENT"
    PERMANENT = frozenset(
        {
            "InvalidParameterValue.IncorrectPhoneNumber",
            "InvalidParameterValue.TemplateParameterFormatError",
            "InvalidParameterValue.TemplateParameterLengthLimit",
            "FailedOperation.TemplateIncorrectOrUnapproved",
            "FailedOperation.SignatureIncorrectOrUnapproved",
            "FailedOperation.PhoneNumberInBlacklist",
            "UnauthorizedOperation.SmsSdkAppIdVerifyFail",
            "AuthFailure.SecretIdNotFound",
            "AuthFailure.SignatureFailure",
        }
    )

    def build_request(self, message):
        from tencentcloud.sms.v20210111 import models as tencent_models

        config = _provider_config(self.SETTING)
        _require(config, self.SETTING, "sdk_app_id", "sign_name")
        request = tencent_models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{message.phone}"]
        request.SmsSdkAppId = str(config["sdk_app_id"])
        request.SignName = config["sign_name"]
        request.TemplateId = str(_provider_template(config, self.SETTING, message.template.code))
        request.TemplateParamSet = [
            str(message.params[name]) for name in rendering.placeholders(message.template.body)
        ]
        request.SessionContext = str(message.pk)
        return request

    def client(self):
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        config = _provider_config(self.SETTING)
        _require(config, self.SETTING, "secret_id", "secret_key")
        http = HttpProfile(reqTimeout=int(config.get("timeout_seconds") or 10))
        if config.get("endpoint"):
            http.endpoint = config["endpoint"]
        return sms_client.SmsClient(
            credential.Credential(config["secret_id"], config["secret_key"]),
            config.get("region") or "ap-guangzhou",
            ClientProfile(httpProfile=http),
        )

    def send(self, message) -> SendResult:
        try:
            request = self.build_request(message)
            client = self.client()
        except ImportError:
            raise SmsSendError(
                "未安装腾讯云短信 SDK（pip install 'lossdesk[tencent]'）。", retryable=False
            ) from None
        try:
            response = client.SendSms(request)
        except Exception as exc:  # TencentCloudSDKException and network errors
            code = getattr(exc, "code", "") or type(exc).__name__
            text = getattr(exc, "message", "") or str(exc)
            raise SmsSendError(
                f"腾讯云短信调用失败：{code} {text}"[:500],
                retryable=code not in self.PERMANENT,
                response={"code": code},
            ) from exc
        statuses = response.SendStatusSet or []
        status = statuses[0] if statuses else None
        summary = {
            "request_id": response.RequestId,
            "code": getattr(status, "Code", None),
            "message": getattr(status, "Message", None),
            "serial_no": getattr(status, "SerialNo", None),
        }
        if status is None or status.Code != "Ok":
            code = summary["code"] or "NoStatus"
            raise SmsSendError(
                f"腾讯云短信拒绝：{code} {summary['message'] or ''}"[:500],
                retryable=code not in self.PERMANENT,
                response=summary,
            )
        return SendResult(status.SerialNo or "", summary)


def backend_label(name: str) -> str:
    """The Chinese label of a stored backend name (class path), for the pages."""
    if not name:
        return ""
    classes, seen = [BaseSmsBackend], []
    while classes:  # every subclass, however deep
        cls = classes.pop()
        seen.append(cls)
        classes.extend(cls.__subclasses__())
    for cls in seen:
        if f"{cls.__module__}.{cls.__qualname__}" == name:
            return cls.label
    return BaseSmsBackend.label


def get_backend(path: str | None = None) -> BaseSmsBackend:
    return import_string(path or settings.LOSSDESK_SMS_BACKEND)()
