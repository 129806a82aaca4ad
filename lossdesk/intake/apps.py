from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "lossdesk.intake"
    label = "intake"
    verbose_name = "报案调度"
