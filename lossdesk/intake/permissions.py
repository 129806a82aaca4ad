"""Which standard position may register reports, handle callbacks and change a client's
Excel import layout; registered with org's table of positions from IntakeConfig.ready()
(org.permissions)."""

REPORT_REGISTER = "intake.add_report"
CALLBACK_HANDLE = "intake.change_callback"
IMPORT_MAPPING_CHANGE = "intake.change_importmapping"  # a client's Excel import layout

INTAKE_PERMISSIONS: dict[str, list[str]] = {
    "branch_manager": [REPORT_REGISTER, CALLBACK_HANDLE, IMPORT_MAPPING_CHANGE],
    "dispatcher": [REPORT_REGISTER, CALLBACK_HANDLE],
}
