"""The injury loss line (人伤): an injured person is assessed on an injury assessment
(人伤定损: the person, the audited bills and the compensation); claims sees it."""

from lossdesk.claims.choices import LossItemKind
from lossdesk.claims.registry import LossLine, register_loss_line


def unassessed(item) -> str | None:
    if getattr(item, "injury_assessment", None) is None:
        return f"{item.label} 尚未人伤定损。"
    return None


def summary_serializer():
    from lossdesk.injury.api.serializers import InjuryAssessmentSummarySerializer

    return InjuryAssessmentSummarySerializer


def sheet_resource():
    from lossdesk.injury.api.views import InjuryAssessmentResource

    return InjuryAssessmentResource


INJURY_LINE = LossLine(
    name="injury",
    kinds=frozenset({LossItemKind.INJURY}),
    document="injury_assessment",
    document_label="人伤定损",
    number_field="assessment_no",
    unassessed=unassessed,
    review_template="injury/includes/review_item.html",
    pdf_template="injury/includes/pdf_item.html",
    api_serializer=summary_serializer,
    sheet_resource=sheet_resource,
    editor="injury:item",
    select_related=("injury_assessment__assessor", "injured_person"),
    review_prefetch=("injury_assessment__bills__lines",),
)


def register() -> None:
    register_loss_line(INJURY_LINE)
