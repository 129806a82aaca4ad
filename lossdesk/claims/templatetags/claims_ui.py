"""Template helpers for cases: the status badge. `{% load claims_ui %}`."""

from django import template
from django.utils.html import format_html

from lossdesk.claims.choices import CaseStatus

register = template.Library()

# Bootstrap colour per case state; the order of work reads left (grey) to right (green).
STATUS_CLASSES = {
    CaseStatus.REGISTERED: "text-bg-secondary",
    CaseStatus.DISPATCHED: "text-bg-info",
    CaseStatus.SURVEYING: "text-bg-primary",
    CaseStatus.ASSESSING: "text-bg-primary",
    CaseStatus.IN_REVIEW: "text-bg-warning",
    CaseStatus.IN_SECOND_REVIEW: "text-bg-warning",
    CaseStatus.APPROVED: "text-bg-success",
    CaseStatus.AWAITING_DOCUMENTS: "text-bg-danger",
    CaseStatus.REPORT_ISSUED: "text-bg-success",
    CaseStatus.CLOSED: "text-bg-dark",
    CaseStatus.CANCELLED: "text-bg-light border",
}


@register.simple_tag
def status_badge(status: str, label: str = ""):
    """`{% status_badge case.status %}` → a coloured badge with the Chinese state name."""
    if not label:
        try:
            label = CaseStatus(status).label
        except ValueError:
            label = status
    css = STATUS_CLASSES.get(status, "text-bg-secondary")
    return format_html('<span class="badge status-badge {}">{}</span>', css, label)
