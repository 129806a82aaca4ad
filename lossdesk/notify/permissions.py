"""Which standard position may do what with SMS; registered with org's table of positions
from NotifyConfig.ready() (org.permissions)."""

VIEW_SMS = "notify.view_smsmessage"
RESEND_SMS = "notify.resend_smsmessage"
EDIT_TEMPLATES = ["notify.view_smstemplate", "notify.change_smstemplate"]

NOTIFY_PERMISSIONS: dict[str, list[str]] = {
    "branch_manager": [VIEW_SMS, RESEND_SMS],
    "dispatcher": [VIEW_SMS, RESEND_SMS],
    "reviewer": [VIEW_SMS],
}
NOTIFY_ADMIN_PERMISSIONS: dict[str, list[str]] = {
    "system_admin": [VIEW_SMS, *EDIT_TEMPLATES],
    "auditor": [VIEW_SMS],
}
