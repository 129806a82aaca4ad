from django.apps import AppConfig


class InjuryConfig(AppConfig):
    name = "lossdesk.injury"
    label = "injury"
    verbose_name = "人伤"

    def ready(self) -> None:
        from lossdesk.injury import registration

        registration.register()
