"""Pages name the SMS channel in Chinese; the class path stays in the database and the API."""

from lossdesk.notify.backends import (
    AliyunBackend,
    BaseSmsBackend,
    ConsoleBackend,
    OutboxBackend,
    TencentBackend,
    backend_label,
)


class ProjectBackend(OutboxBackend):
    """A firm's own subclass without a label of its own."""


def test_each_backend_has_a_chinese_label_found_from_its_stored_name():
    expected = {
        OutboxBackend: "站内发件箱（不外发）",
        ConsoleBackend: "控制台输出（开发调试）",
        AliyunBackend: "阿里云短信",
        TencentBackend: "腾讯云短信",
    }
    for cls, label in expected.items():
        assert backend_label(cls().name) == label
    assert backend_label(ProjectBackend().name) == "站内发件箱（不外发）"  # inherited
    assert backend_label("somewhere.else.Backend") == BaseSmsBackend.label == "自定义短信通道"
    assert backend_label("") == ""
