from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "lossdesk.billing"
    label = "billing"
    verbose_name = "收费与结算"
