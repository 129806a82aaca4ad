"""Backends for tests: one that records what it sends, and two that fail."""

from lossdesk.notify.backends import BaseSmsBackend, SendResult, SmsSendError


class RecordingBackend(BaseSmsBackend):
    sent: list[tuple[int, str, str]] = []

    def send(self, message) -> SendResult:
        RecordingBackend.sent.append((message.pk, message.phone, message.body))
        return SendResult(f"rec-{message.pk}", {"ok": True})


class FailingBackend(BaseSmsBackend):
    def send(self, message) -> SendResult:
        raise SmsSendError("短信网关超时", response={"code": "Timeout"})


class RejectingBackend(BaseSmsBackend):
    def send(self, message) -> SendResult:
        raise SmsSendError("号码不存在", retryable=False, response={"code": "MOBILE_ILLEGAL"})


class CrashingBackend(BaseSmsBackend):
    def send(self, message) -> SendResult:
        raise RuntimeError("boom")
