"""Who sees the statistics pages; registered with org's table of positions from
ReportsConfig.ready() (org.permissions). What each person counts is still limited by
`Case.objects.for_user`."""

VIEW_STATISTICS = "reports.view_statistics"

REPORTS_PERMISSIONS: dict[str, list[str]] = {
    "branch_manager": [VIEW_STATISTICS],
    "dispatcher": [VIEW_STATISTICS],
    "reviewer": [VIEW_STATISTICS],
    "finance": [VIEW_STATISTICS],
}
