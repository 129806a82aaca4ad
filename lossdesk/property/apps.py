from django.apps import AppConfig


class PropertyConfig(AppConfig):
    name = "lossdesk.property"
    label = "property"
    verbose_name = "三者物损"

    def ready(self) -> None:
        from lossdesk.property import registration

        registration.register()
