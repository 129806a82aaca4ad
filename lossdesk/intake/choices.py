from django.db import models


class DispatchStatus(models.TextChoices):
    PENDING = "pending", "待接单"
    ACCEPTED = "accepted", "已接单"
    ARRIVED = "arrived", "已到达"
    DECLINED = "declined", "已拒单"
    TIMED_OUT = "timed_out", "超时未接单"
    SUPERSEDED = "superseded", "已改派"
    CANCELLED = "cancelled", "已取消"


ACTIVE_DISPATCH_STATUSES = (DispatchStatus.PENDING, DispatchStatus.ACCEPTED, DispatchStatus.ARRIVED)


class ReportChannel(models.TextChoices):
    UI = "ui", "页面登记"
    API = "api", "接口报案"
    IMPORT = "import", "批量导入"


class Skill(models.TextChoices):
    VEHICLE = "vehicle", "车辆"
    PROPERTY = "property", "物损"
    INJURY = "injury", "人伤"


class DispatchAlertKind(models.TextChoices):
    DECLINED = "declined", "查勘员拒单"
    TIMED_OUT = "timed_out", "超时未接单"


class DelegationStatus(models.TextChoices):
    REQUESTED = "requested", "待接收"
    ACCEPTED = "accepted", "已接收"
    REFUSED = "refused", "已拒绝"
    CANCELLED = "cancelled", "已撤回"
    RETURNED = "returned", "已退回"


# While a delegation is in one of these states both branches see the case.
ACTIVE_DELEGATION_STATUSES = (DelegationStatus.REQUESTED, DelegationStatus.ACCEPTED)


class CallbackMethod(models.TextChoices):
    PHONE = "phone", "电话回访"
    SMS = "sms", "短信链接"


class CallbackStatus(models.TextChoices):
    PENDING = "pending", "待回访"
    SENT = "sent", "已发送短信"
    COMPLETED = "completed", "已完成"
    UNREACHABLE = "unreachable", "联系不上"
    DECLINED = "declined", "客户拒访"


OPEN_CALLBACK_STATUSES = (CallbackStatus.PENDING, CallbackStatus.SENT)


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "待确认"
    QUEUED = "queued", "排队中"
    RUNNING = "running", "导入中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ImportRowStatus(models.TextChoices):
    IMPORTED = "imported", "已导入"
    SKIPPED = "skipped", "已存在，跳过"
    FAILED = "failed", "有错误"
