"""The SMS templates of case monitoring (quality: deadline reminders and escalations). Only
missing ones are created: texts the system administrator has edited are kept."""

from django.db import migrations

TEMPLATES = [
    (
        "deadline_reminder",
        "案件时限到期提醒",
        "【LossDesk】案件{case_no}的{stage}将于{due_at}到期，请及时处理。",
        "case_no,stage,due_at",
    ),
    (
        "deadline_escalation",
        "案件超时升级",
        "【LossDesk】案件{case_no}的{stage}已于{due_at}超时（责任人：{person}），请督办。",
        "case_no,stage,due_at,person",
    ),
]


def seed(apps, schema_editor):
    SmsTemplate = apps.get_model("notify", "SmsTemplate")
    for code, name, body, variables in TEMPLATES:
        SmsTemplate.objects.get_or_create(
            code=code, defaults={"name": name, "body": body, "variables": variables}
        )


def unseed(apps, schema_editor):
    SmsTemplate = apps.get_model("notify", "SmsTemplate")
    SmsTemplate.objects.filter(
        code__in=[code for code, *_ in TEMPLATES], messages__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0004_text_maximum_lengths")]

    operations = [migrations.RunPython(seed, unseed)]
