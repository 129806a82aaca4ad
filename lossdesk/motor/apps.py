from django.apps import AppConfig


class MotorConfig(AppConfig):
    name = "lossdesk.motor"
    label = "motor"
    verbose_name = "车险定损"

    def ready(self) -> None:
        from lossdesk.motor import registration

        registration.register()
