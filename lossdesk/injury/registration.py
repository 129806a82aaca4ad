"""The injury loss line (人伤): an injured person is surveyed and followed up, the medical
investigation decides its flags, and the person is assessed on an injury assessment
(人伤定损: the person, the audited bills and the compensation); claims sees it."""

from functools import cache

from lossdesk.claims.choices import LossItemKind
from lossdesk.claims.queries import joined
from lossdesk.claims.registry import (
    CaseContribution,
    LossLine,
    register_case_contribution,
    register_loss_line,
)
from lossdesk.core.prepared import PreparedPrefetch
from lossdesk.injury.choices import FlagStatus


def unassessed(item) -> str | None:
    """An injured person goes to review surveyed, with every flag of the investigation
    decided, and assessed."""
    if getattr(item, "injury_survey", None) is None:
        return f"{item.label} 尚未完成人伤查勘。"
    if item.investigation_flags.filter(status=FlagStatus.OPEN).exists():
        return f"{item.label} 有待认定的医疗调查疑点。"
    if getattr(item, "injury_assessment", None) is None:
        return f"{item.label} 尚未人伤定损。"
    return None


def item_api_fields() -> dict:
    from lossdesk.injury.api import serializers as s

    return {
        "injury_survey": s.InjurySurveySerializer(read_only=True, allow_null=True),
        "hospital_visits": s.HospitalVisitSerializer(many=True, read_only=True),
        "disability_appraisals": s.DisabilityAppraisalSerializer(many=True, read_only=True),
        "investigation_flags": s.InvestigationFlagSerializer(many=True, read_only=True),
    }


@cache
def item_api_prefetch() -> tuple[PreparedPrefetch, ...]:
    from lossdesk.injury.models import DisabilityAppraisal, HospitalVisit, InvestigationFlag

    return (
        PreparedPrefetch("hospital_visits", joined(HospitalVisit.objects.all(), "visitor")),
        PreparedPrefetch(
            "disability_appraisals", joined(DisabilityAppraisal.objects.all(), "recorded_by")
        ),
        PreparedPrefetch(
            "investigation_flags",
            joined(InvestigationFlag.objects.all(), "raised_by", "decided_by"),
        ),
    )


def actions():
    from lossdesk.injury.actions import INJURY_ACTIONS

    return INJURY_ACTIONS


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
    item_api_fields=item_api_fields,
    item_api_prefetch=item_api_prefetch,
    select_related=(
        "injury_assessment__assessor",
        "injured_person",
        "injury_survey__surveyed_by",
    ),
    review_prefetch=(
        "injury_assessment__bills__lines",
        "hospital_visits__visitor",
        "disability_appraisals",
        "investigation_flags",
    ),
)


def register() -> None:
    register_loss_line(INJURY_LINE)
    register_case_contribution(CaseContribution(app="injury", actions=actions))
