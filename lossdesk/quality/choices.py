from django.db import models


class AlertStatus(models.TextChoices):
    OPEN = "open", "待处理"
    CONFIRMED = "confirmed", "已确认"
    DISMISSED = "dismissed", "已排除"


class AlertDecision(models.TextChoices):
    """What resolving an alert makes of it (its status after)."""

    CONFIRMED = AlertStatus.CONFIRMED.value, "确认"
    DISMISSED = AlertStatus.DISMISSED.value, "排除"


class DeadlineStage(models.TextChoices):
    """The stages of a case that have a deadline (案件监控), in the order a case meets them."""

    DISPATCH = "dispatch", "调度"
    ARRIVAL = "arrival", "到达现场"
    SURVEY = "survey", "完成查勘"
    ASSESSMENT = "assessment", "定损"
    REVIEW = "review", "审核"
    REPORT = "report", "出具报告"
    DOCUMENTS = "documents", "资料补充"


class DeadlineUnit(models.TextChoices):
    MINUTES = "minutes", "分钟"
    HOURS = "hours", "小时"
    WORKING_DAYS = "working_days", "工作日"


class DeadlineStatus(models.TextChoices):
    """Where a stage stands against its deadline (computed from due_at, met_at and now)."""

    ON_TIME = "on_time", "未到期"
    DUE_SOON = "due_soon", "1小时内到期"
    OVERDUE = "overdue", "已超时"
    MET = "met", "按时完成"
    MET_LATE = "met_late", "超时完成"


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", "到期提醒"
    ESCALATION = "escalation", "超时升级"
