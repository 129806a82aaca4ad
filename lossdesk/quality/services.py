"""Evaluating the risk-alert rules on cases and working the alerts.

`evaluate_case` runs every enabled rule on one case and stores what fired; it is
idempotent: a rule's version fires at most once per case (a unique constraint backs it up
against two runs at once). `evaluate_cases` is the scheduled job's body (manage.py
evaluate_alerts): every case not closed or cancelled, or those given."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from lossdesk.claims.choices import CaseStatus, EventType
from lossdesk.claims.models import Case
from lossdesk.claims.services import record_event
from lossdesk.core.errors import Conflict, ErrorCode, NotFound, PermissionDenied, ServiceError
from lossdesk.core.limits import NOTE_MAX
from lossdesk.quality.alert_rules import RULES
from lossdesk.quality.choices import AlertStatus
from lossdesk.quality.error_codes import QualityErrorCode
from lossdesk.quality.models import Alert, AlertRuleSetting
from lossdesk.quality.permissions import RESOLVE_ALERT

FINAL = (CaseStatus.CLOSED, CaseStatus.CANCELLED)


def active_rules() -> list[tuple]:
    """(rule, parameters) of every enabled rule, the administrator's parameters applied."""
    settings = {s.rule: s for s in AlertRuleSetting.objects.all()}
    active = []
    for code, rule in RULES.items():
        setting = settings.get(code)
        if setting is not None and not setting.enabled:
            continue
        active.append((rule, rule.parameters(setting.params if setting else None)))
    return active


def evaluate_case(case: Case, rules=None) -> list[Alert]:
    """The alerts newly raised on `case`."""
    rules = active_rules() if rules is None else rules
    fired = set(Alert.objects.filter(case=case).values_list("rule", "rule_version"))
    raised = []
    for rule, params in rules:
        if (rule.code, rule.version) in fired:
            continue
        hit = rule.evaluate(case, params)
        if hit is None:
            continue
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    case=case,
                    rule=rule.code,
                    rule_version=rule.version,
                    inputs={**hit.inputs, "params": params},
                    explanation=hit.explanation[:NOTE_MAX],
                )
                record_event(
                    case,
                    EventType.ALERT_RAISED,
                    None,
                    f"{rule.title}：{alert.explanation}",
                    alert=alert.pk,
                    rule=rule.code,
                    rule_version=rule.version,
                )
        except IntegrityError:  # another run raised it meanwhile
            continue
        raised.append(alert)
    return raised


def evaluate_cases(cases=None) -> int:
    """Evaluate the given cases (default: every case still open, and the closed or cancelled
    ones a rule still looks at, e.g. a fee still unpaid, with that rule only); the number
    raised."""
    rules = active_rules()
    raised = 0
    if cases is None:
        cases = Case.objects.exclude(status__in=FINAL)
        for rule, params in rules:
            closed = rule.closed_cases()
            if closed is None:
                continue
            closed = closed.filter(status__in=FINAL).exclude(alerts__rule=rule.code)
            for case in closed.select_related("report", "survey").iterator(chunk_size=500):
                raised += len(evaluate_case(case, [(rule, params)]))
    cases = cases.select_related("report", "survey")
    return raised + sum(len(evaluate_case(case, rules)) for case in cases.iterator(chunk_size=500))


def alert_for(user, pk) -> Alert:
    alert = (
        Alert.objects.filter(case__in=Case.objects.for_user(user).values("pk"), pk=pk)
        .select_related("case")
        .first()
    )
    if alert is None:
        raise NotFound("未找到该预警。")
    return alert


@transaction.atomic
def do_resolve_alert(alert: Alert, *, decision: str, reason: str, actor) -> Alert:
    """Confirm or dismiss an open alert; a dismissal needs its reason."""
    if not actor.has_perm(RESOLVE_ALERT):
        raise PermissionDenied("您的岗位没有处理风险预警的权限。")
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != AlertStatus.OPEN:
        raise Conflict(
            f"该预警已{alert.get_status_display()}。",
            code=QualityErrorCode.ALERT_ALREADY_RESOLVED,
        )
    reason = (reason or "").strip()
    errors = {}
    if decision not in (AlertStatus.CONFIRMED, AlertStatus.DISMISSED):
        errors["decision"] = ["请选择确认或排除。"]
    if decision == AlertStatus.DISMISSED and not reason:
        errors["reason"] = ["排除预警须写明理由。"]
    if len(reason) > NOTE_MAX:
        errors["reason"] = [f"最多 {NOTE_MAX} 个字。"]
    if errors:
        raise ServiceError("预警处理有误。", code=ErrorCode.INVALID, fields=errors)
    alert.status = decision
    alert.reason = reason
    alert.resolved_by = actor
    alert.resolved_at = timezone.now()
    alert.save(update_fields=["status", "reason", "resolved_by", "resolved_at"])
    record_event(
        alert.case,
        EventType.ALERT_RESOLVED,
        actor,
        f"{alert.get_status_display()}风险预警「{alert.rule_title}」"
        + (f"：{reason}" if reason else "。"),
        alert=alert.pk,
        decision=decision,
    )
    return alert
