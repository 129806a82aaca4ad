"""The adjusting report (公估报告) as a PDF, rendered by WeasyPrint from an HTML template.
Chinese text needs a CJK font on the machine (Debian: fonts-noto-cjk)."""

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from lossdesk.claims import registry


def adjusting_report_html(case, report) -> str:
    """The report as HTML, each loss item's assessment in the section its loss line gives."""
    survey = getattr(case, "survey", None)
    lines = registry.loss_lines()
    loss_items = list(
        case.loss_items.select_related(*registry.document_select_related()).prefetch_related(
            *(name for line in lines for name in line.review_prefetch)
        )
    )
    for item in loss_items:
        if line := registry.line_for(item.kind):
            item.document = getattr(item, line.document, None)
            item.pdf_template = line.pdf_template
    return render_to_string(
        "claims/pdf/adjusting_report.html",
        {
            "case": case,
            "report": case.report,
            "adjusting_report": report,
            "survey": survey,
            "resurveys": list(case.resurveys.select_related("surveyor").order_by("arrived_at")),
            "loss_items": loss_items,
            "reviews": case.reviews.select_related("reviewer").order_by("created_at"),
            "generated_at": timezone.localtime(),
            # The apps' sections after the loss items (page_templates slot "pdf"; context: case).
            "pdf_slot": registry.page_templates("pdf"),
        },
    )


def render_adjusting_report(case, report) -> bytes:
    return HTML(string=adjusting_report_html(case, report)).write_pdf()
