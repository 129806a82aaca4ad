# Registered with org's table of positions from AuditConfig.ready() (org.permissions).
VIEW_PII_ACCESS = "audit.view_piiaccess"

AUDIT_ADMIN_PERMISSIONS: dict[str, list[str]] = {"auditor": [VIEW_PII_ACCESS]}
