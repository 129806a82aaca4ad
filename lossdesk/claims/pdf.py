"""The adjusting report (公估报告) as a PDF, rendered by WeasyPrint from an HTML template.
Chinese text needs a CJK font on the machine (Debian: fonts-noto-cjk)."""

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML


def render_adjusting_report(case, report) -> bytes:
    survey = getattr(case, "survey", None)
    loss_items = list(
        case.loss_items.select_related("sheet", "sheet__repair_shop").prefetch_related(
            "sheet__lines"
        )
    )
    html = render_to_string(
        "claims/pdf/adjusting_report.html",
        {
            "case": case,
            "report": case.report,
            "adjusting_report": report,
            "survey": survey,
            "loss_items": loss_items,
            "reviews": case.reviews.select_related("reviewer").order_by("created_at"),
            "generated_at": timezone.localtime(),
        },
    )
    return HTML(string=html).write_pdf()
