from enum import StrEnum

from django.db import models

from lossdesk.claims.choices import FINAL_STATUSES, CaseStatus
from lossdesk.core.statemachine import StateMachine


class DispatchStatus(models.TextChoices):
    PENDING = "pending", "待接单"
    ACCEPTED = "accepted", "已接单"
    ARRIVED = "arrived", "已到达"
    DECLINED = "declined", "已拒单"
    TIMED_OUT = "timed_out", "超时未接单"
    SUPERSEDED = "superseded", "已改派"
    CANCELLED = "cancelled", "已取消"


ACTIVE_DISPATCH_STATUSES = (DispatchStatus.PENDING, DispatchStatus.ACCEPTED, DispatchStatus.ARRIVED)


class DispatchAction(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    TIME_OUT = "time_out"
    ARRIVE = "arrive"
    SUPERSEDE = "supersede"
    CANCEL = "cancel"


# A dispatch follows its case: the surveyor accepts or declines a pending one (or its accept
# deadline passes), records arrival once, and a re-dispatch or cancellation ends it.
DISPATCH_STATES = StateMachine(
    "调度",
    DispatchStatus,
    {
        DispatchAction.ACCEPT: ({DispatchStatus.PENDING}, DispatchStatus.ACCEPTED),
        DispatchAction.DECLINE: ({DispatchStatus.PENDING}, DispatchStatus.DECLINED),
        DispatchAction.TIME_OUT: ({DispatchStatus.PENDING}, DispatchStatus.TIMED_OUT),
        DispatchAction.ARRIVE: ({DispatchStatus.ACCEPTED}, DispatchStatus.ARRIVED),
        DispatchAction.SUPERSEDE: (ACTIVE_DISPATCH_STATUSES, DispatchStatus.SUPERSEDED),
        DispatchAction.CANCEL: (ACTIVE_DISPATCH_STATUSES, DispatchStatus.CANCELLED),
    },
    {
        DispatchAction.ACCEPT: "接单",
        DispatchAction.DECLINE: "拒单",
        DispatchAction.TIME_OUT: "超时未接单",
        DispatchAction.ARRIVE: "到达现场",
        DispatchAction.SUPERSEDE: "改派",
        DispatchAction.CANCEL: "取消调度",
    },
)


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


class DelegationAction(StrEnum):
    ACCEPT = "accept"
    REFUSE = "refuse"
    CANCEL = "cancel"
    RETURN = "return"


# A delegation is created requested; the receiving branch accepts or refuses it, the
# delegating branch may take it back while active, the receiving one hand an accepted one back.
DELEGATION_STATES = StateMachine(
    "委托",
    DelegationStatus,
    {
        DelegationAction.ACCEPT: ({DelegationStatus.REQUESTED}, DelegationStatus.ACCEPTED),
        DelegationAction.REFUSE: ({DelegationStatus.REQUESTED}, DelegationStatus.REFUSED),
        DelegationAction.CANCEL: (ACTIVE_DELEGATION_STATUSES, DelegationStatus.CANCELLED),
        DelegationAction.RETURN: ({DelegationStatus.ACCEPTED}, DelegationStatus.RETURNED),
    },
    {
        DelegationAction.ACCEPT: "接收",
        DelegationAction.REFUSE: "拒绝",
        DelegationAction.CANCEL: "撤回",
        DelegationAction.RETURN: "退回",
    },
)


class IntakeCaseAction(StrEnum):
    DELEGATE = "delegate"
    CREATE_CALLBACK = "create_callback"


# Intake's actions on a case that leave its state alone: delegating an open case, and the
# customer callback once it is closed.
INTAKE_CASE_STATES = StateMachine(
    "案件",
    CaseStatus,
    {
        IntakeCaseAction.DELEGATE: (set(CaseStatus) - FINAL_STATUSES, None),
        IntakeCaseAction.CREATE_CALLBACK: ({CaseStatus.CLOSED}, None),
    },
    {IntakeCaseAction.DELEGATE: "委托异地", IntakeCaseAction.CREATE_CALLBACK: "生成回访任务"},
)


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


class CallbackAction(StrEnum):
    SEND_LINK = "send_link"
    COMPLETE = "complete"
    MARK_UNREACHABLE = "mark_unreachable"
    DECLINE = "decline"
    FEEDBACK = "feedback"


# Until it is completed or declined a callback may be phoned (again, after "unreachable") or
# answered by the customer through the SMS link.
_CALLABLE = (*OPEN_CALLBACK_STATUSES, CallbackStatus.UNREACHABLE)
CALLBACK_STATES = StateMachine(
    "回访",
    CallbackStatus,
    {
        CallbackAction.SEND_LINK: ({CallbackStatus.PENDING}, CallbackStatus.SENT),
        CallbackAction.COMPLETE: (_CALLABLE, CallbackStatus.COMPLETED),
        CallbackAction.MARK_UNREACHABLE: (_CALLABLE, CallbackStatus.UNREACHABLE),
        CallbackAction.DECLINE: (_CALLABLE, CallbackStatus.DECLINED),
        CallbackAction.FEEDBACK: (_CALLABLE, CallbackStatus.COMPLETED),
    },
    {
        CallbackAction.SEND_LINK: "发送评价链接",
        CallbackAction.COMPLETE: "完成回访",
        CallbackAction.MARK_UNREACHABLE: "记录联系不上",
        CallbackAction.DECLINE: "记录客户拒访",
        CallbackAction.FEEDBACK: "客户评价",
    },
)
# The call centre's result of a phone call, as the action it takes.
CALL_RESULT_ACTIONS = {
    CallbackStatus.COMPLETED: CallbackAction.COMPLETE,
    CallbackStatus.UNREACHABLE: CallbackAction.MARK_UNREACHABLE,
    CallbackStatus.DECLINED: CallbackAction.DECLINE,
}


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "待确认"
    QUEUED = "queued", "排队中"
    RUNNING = "running", "导入中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ImportAction(StrEnum):
    QUEUE = "queue"
    START = "start"
    FINISH = "finish"
    FAIL = "fail"


# A batch is previewed while uploaded; confirming queues it once, and the background task
# runs a queued one to done, or to failed when the file as a whole cannot be read.
IMPORT_BATCH_STATES = StateMachine(
    "导入批次",
    ImportStatus,
    {
        ImportAction.QUEUE: ({ImportStatus.UPLOADED}, ImportStatus.QUEUED),
        ImportAction.START: ({ImportStatus.QUEUED}, ImportStatus.RUNNING),
        ImportAction.FINISH: ({ImportStatus.RUNNING}, ImportStatus.DONE),
        ImportAction.FAIL: ({ImportStatus.RUNNING}, ImportStatus.FAILED),
    },
    {
        ImportAction.QUEUE: "确认导入",
        ImportAction.START: "开始导入",
        ImportAction.FINISH: "完成导入",
        ImportAction.FAIL: "导入失败",
    },
)


class ImportRowStatus(models.TextChoices):
    IMPORTED = "imported", "已导入"
    SKIPPED = "skipped", "已存在，跳过"
    FAILED = "failed", "有错误"
