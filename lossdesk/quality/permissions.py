"""Who sees and works risk alerts and who watches deadlines; registered with org's table of
positions from QualityConfig.ready() (org.permissions). An alert or a deadline is seen
within its case's scope."""

VIEW_ALERT = "quality.view_alert"
RESOLVE_ALERT = "quality.resolve_alert"
# The monitoring board (案件监控) and its API.
VIEW_DEADLINE = "quality.view_casedeadline"
# Repair-shop statistics are statistics: reports' right (a string, quality sits below reports).
VIEW_STATISTICS = "reports.view_statistics"
# Escalations of overdue deadlines go to the holders in the case's branch (its supervisors).
RECEIVE_ESCALATION = "quality.receive_escalation"

QUALITY_PERMISSIONS: dict[str, list[str]] = {
    "branch_manager": [VIEW_ALERT, RESOLVE_ALERT, VIEW_DEADLINE, RECEIVE_ESCALATION],
    "reviewer": [VIEW_ALERT, RESOLVE_ALERT, VIEW_DEADLINE],
    "assessor": [VIEW_ALERT],
    "surveyor": [VIEW_ALERT],
    "dispatcher": [VIEW_ALERT, VIEW_DEADLINE],
}

# The deadlines and the holiday table are the system administrator's settings.
QUALITY_ADMIN_PERMISSIONS: dict[str, list[str]] = {
    "system_admin": [
        f"quality.{action}_{model}"
        for model in ("deadlinerule", "calendarday")
        for action in ("add", "change", "delete", "view")
    ]
}
