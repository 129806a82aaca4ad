from django.apps import AppConfig


class FakeLineConfig(AppConfig):
    name = "lossdesk.claims.tests.fake_line"
    label = "fake_line"
    verbose_name = "测试用损失线"
