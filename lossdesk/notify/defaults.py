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
    TemplateCode.DEADLINE_REMINDER: (
        "案件时限到期提醒",
        "【LossDesk】案件{case_no}的{stage}将于{due_at}到期，请及时处理。",
        "case_no,stage,due_at",
    ),
    TemplateCode.DEADLINE_ESCALATION: (
        "案件超时升级",
        "【LossDesk】案件{case_no}的{stage}已于{due_at}超时（责任人：{person}），请督办。",
        "case_no,stage,due_at,person",
    ),
}
