import pytest

from lossdesk.notify.tests.backends import RecordingBackend

DISPATCH_CONTEXT = {
    "case_no": "C2026030100001",
    "place": "杭州市西湖区文三路",
    "contact_name": "陈先生",
    "contact_phone": "13812345678",
}


@pytest.fixture
def recording_backend(settings):
    RecordingBackend.sent = []
    settings.LOSSDESK_SMS_BACKEND = "lossdesk.notify.tests.backends.RecordingBackend"
    return RecordingBackend


@pytest.fixture
def dispatch_context():
    return dict(DISPATCH_CONTEXT)
