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

# Staff quality (品质管理): the register and its appeals, evaluations, awards, complaints and
# whistle-blower reports: the quality committee's members (品质管理委员) and the branch
# manager, who sits on it for the branch; anyone sees their own record (/quality/my-record/)
# without a right.
VIEW_MISCONDUCT = "quality.view_misconductrecord"
REGISTER_MISCONDUCT = "quality.add_misconductrecord"
DECIDE_APPEAL = "quality.decide_misconduct_appeal"
VIEW_EVALUATION = "quality.view_conductevaluation"
EVALUATE_CONDUCT = "quality.add_conductevaluation"
VIEW_AWARD = "quality.view_award"
GRANT_AWARD = "quality.add_award"
VIEW_COMPLAINT = "quality.view_complaint"
RECEIVE_COMPLAINT = "quality.add_complaint"
CONCLUDE_COMPLAINT = "quality.conclude_complaint"
VIEW_REPORT = "quality.view_whistleblowerreport"
RECEIVE_REPORT = "quality.add_whistleblowerreport"
DECIDE_REWARD = "quality.decide_report_reward"
COMMITTEE = [
    VIEW_MISCONDUCT,
    REGISTER_MISCONDUCT,
    DECIDE_APPEAL,
    VIEW_EVALUATION,
    EVALUATE_CONDUCT,
    VIEW_AWARD,
    GRANT_AWARD,
    VIEW_COMPLAINT,
    RECEIVE_COMPLAINT,
    CONCLUDE_COMPLAINT,
    VIEW_REPORT,
    RECEIVE_REPORT,
    DECIDE_REWARD,
]

QUALITY_PERMISSIONS: dict[str, list[str]] = {
    "branch_manager": [VIEW_ALERT, RESOLVE_ALERT, VIEW_DEADLINE, RECEIVE_ESCALATION, *COMMITTEE],
    "reviewer": [
        VIEW_ALERT,
        RESOLVE_ALERT,
        VIEW_DEADLINE,
        VIEW_MISCONDUCT,
        REGISTER_MISCONDUCT,
        VIEW_COMPLAINT,
    ],
    "assessor": [VIEW_ALERT],
    "surveyor": [VIEW_ALERT],
    "dispatcher": [VIEW_ALERT, VIEW_DEADLINE, VIEW_COMPLAINT, RECEIVE_COMPLAINT],
    "quality_committee": COMMITTEE,
}

# The deadlines and the holiday table are the system administrator's settings.
QUALITY_ADMIN_PERMISSIONS: dict[str, list[str]] = {
    "system_admin": [
        f"quality.{action}_{model}"
        for model in ("deadlinerule", "calendarday", "misconductitem", "pointthreshold")
        for action in ("add", "change", "delete", "view")
    ]
}
