from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "lossdesk.intake"
    label = "intake"
    verbose_name = "报案调度"

    def ready(self) -> None:
        from lossdesk.intake import registration

        registration.register()
