"""The standard SMS templates (as seeded by migration 0002). `send_sms` recreates one from
here if its row is missing (e.g. a database flushed by a test); rows the system
administrator edited are never overwritten."""

from lossdesk.notify.choices import TemplateCode

DEFAULT_TEMPLATES: dict[str, tuple[str, str, str]] = {
    # code: (name, body, variables the event supplies)
    TemplateCode.DISPATCH_TO_SURVEYOR: (
        "调度通知查勘员",
        "【LossDesk】新案件{case_no}，地点：{place}，联系人：{contact_name} {contact_phone}",
        "case_no,place,contact_name,contact_phone",
    ),
    TemplateCode.DISPATCH_TO_CUSTOMER: (
        "调度通知客户",
        "您好，查勘员{surveyor_name}（{surveyor_phone}）已接案，预计{eta_minutes}分钟内到达",
        "surveyor_name,surveyor_phone,eta_minutes,case_no",
    ),
    TemplateCode.CALLBACK_LINK: (
        "回访评价链接",
        "您的案件{case_no}已结案，请点击评价服务：{url}",
        "case_no,url",
    ),
}
