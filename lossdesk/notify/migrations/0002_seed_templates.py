"""The SMS templates of the intake events. Only missing ones are created: texts the system
administrator has edited are kept."""

from django.db import migrations

TEMPLATES = [
    (
        "dispatch_to_surveyor",
        "调度通知查勘员",
        "【LossDesk】新案件{case_no}，地点：{place}，联系人：{contact_name} {contact_phone}",
        "case_no,place,contact_name,contact_phone",
    ),
    (
        "dispatch_to_customer",
        "调度通知客户",
        "您好，查勘员{surveyor_name}（{surveyor_phone}）已接案，预计{eta_minutes}分钟内到达",
        "surveyor_name,surveyor_phone,eta_minutes,case_no",
    ),
    (
        "callback_link",
        "回访评价链接",
        "您的案件{case_no}已结案，请点击评价服务：{url}",
        "case_no,url",
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
    dependencies = [("notify", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
