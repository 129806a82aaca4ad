"""Who sees and works risk alerts; registered with org's table of positions from
QualityConfig.ready() (org.permissions). An alert is seen within its case's scope."""

VIEW_ALERT = "quality.view_alert"
RESOLVE_ALERT = "quality.resolve_alert"

QUALITY_PERMISSIONS: dict[str, list[str]] = {
    "branch_manager": [VIEW_ALERT, RESOLVE_ALERT],
    "reviewer": [VIEW_ALERT, RESOLVE_ALERT],
    "assessor": [VIEW_ALERT],
    "surveyor": [VIEW_ALERT],
    "dispatcher": [VIEW_ALERT],
}
