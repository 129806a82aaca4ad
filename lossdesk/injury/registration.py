"""The injury loss line (人伤): an injured person is assessed on an injury assessment
(人伤定损: the person, the audited bills and the compensation); claims sees it."""

from lossdesk.claims.choices import EventType, LossItemKind
from lossdesk.claims.models import CaseEvent
from lossdesk.claims.registry import LossLine, register_loss_line


def total(items):
    from lossdesk.injury.services import assessments_total

    return assessments_total(items)


def unassessed(item) -> str | None:
    if getattr(item, "injury_assessment", None) is None:
        return f"{item.label} 尚未人伤定损。"
    return None


def prepared_by(items, actor) -> bool:
    """Whether `actor` is the assessor of any of the items' assessments or ever saved one."""
    if items.filter(injury_assessment__assessor=actor).exists():
        return True
    numbers = [n for n in items.values_list("injury_assessment__assessment_no", flat=True) if n]
    return CaseEvent.objects.filter(
        case_id__in=items.values("case_id"),
        actor=actor,
        type=EventType.SHEET_SAVED,
        data__sheet__in=numbers,
    ).exists()


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
    total=total,
    unassessed=unassessed,
    prepared_by=prepared_by,
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
