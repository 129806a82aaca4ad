from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and `manage.py seed_demo`: above every app, nothing imports it."""

    name = "lossdesk.demo"
    label = "demo"
    verbose_name = "演示数据"
