from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "lossdesk.intake"
    label = "intake"
    verbose_name = "报案调度"

    def ready(self) -> None:
        from lossdesk.claims.signals import case_closed
        from lossdesk.intake.services import create_callback_on_close

        case_closed.connect(create_callback_on_close, dispatch_uid="intake-callback-on-close")
