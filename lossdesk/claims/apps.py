from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "lossdesk.claims"
    label = "claims"
    verbose_name = "案件"
