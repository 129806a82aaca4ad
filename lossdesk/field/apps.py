from django.apps import AppConfig


class FieldConfig(AppConfig):
    name = "lossdesk.field"
    label = "field"
    verbose_name = "手机移动作业"

    def ready(self) -> None:
        from lossdesk.field import registration

        registration.register()
