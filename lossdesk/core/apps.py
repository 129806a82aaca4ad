from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lossdesk.core"
    label = "core"
    verbose_name = "基础"
