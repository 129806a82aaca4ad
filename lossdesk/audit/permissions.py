# Granted to the auditor position only (org.positions).
VIEW_PII_ACCESS = "audit.view_piiaccess"
