"""The property loss line (三者物损): a property loss item is surveyed, assessed on a
property sheet (物损定损单) and negotiated with its owner; claims sees the sheet."""

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


def unassessed(item) -> str | None:
    """A property item goes to review surveyed and assessed, and an agreed amount above the
    assessed total only with its reason."""
    if getattr(item, "property_survey", None) is None:
        return f"{item.label} 尚未完成物损查勘。"
    sheet = getattr(item, "property_sheet", None)
    if sheet is None or not sheet.lines.exists():
        return f"{item.label} 尚未定损。"
    negotiation = getattr(item, "negotiation", None)
    if (
        negotiation is not None
        and negotiation.agreed_amount is not None
        and negotiation.agreed_amount > sheet.total
        and not negotiation.above_assessed_reason
    ):
        return f"{item.label} 协商金额高于定损合计，须说明原因。"
    return None


def sheet_serializer():
    from lossdesk.property.api.serializers import PropertySheetSummarySerializer

    return PropertySheetSummarySerializer


@cache
def item_api_prefetch() -> tuple[PreparedPrefetch, ...]:
    from lossdesk.property.models import Offer

    offers = joined(Offer.objects.all(), "recorded_by")
    return (PreparedPrefetch("offers", offers, through="negotiation"),)


def item_api_fields() -> dict:
    from lossdesk.property.api.serializers import NegotiationSerializer, PropertySurveySerializer

    return {
        "property_survey": PropertySurveySerializer(read_only=True, allow_null=True),
        "negotiation": NegotiationSerializer(read_only=True, allow_null=True),
    }


def sheet_resource():
    from lossdesk.property.api.views import PropertySheetResource

    return PropertySheetResource


def actions():
    from lossdesk.property.actions import PROPERTY_ACTIONS

    return PROPERTY_ACTIONS


PROPERTY_LINE = LossLine(
    name="property",
    kinds=frozenset({LossItemKind.PROPERTY}),
    document="property_sheet",
    document_label="物损定损单",
    editor="property:item",
    number_field="sheet_no",
    unassessed=unassessed,
    review_template="property/includes/review_item.html",
    pdf_template="property/includes/pdf_item.html",
    api_serializer=sheet_serializer,
    sheet_resource=sheet_resource,
    item_api_fields=item_api_fields,
    item_api_prefetch=item_api_prefetch,
    select_related=(
        "property_sheet__assessor",
        "property_survey__surveyed_by",
        "negotiation__agreement",
    ),
    review_prefetch=("property_sheet__lines", "negotiation__offers"),
)


def register() -> None:
    register_loss_line(PROPERTY_LINE)
    register_case_contribution(CaseContribution(app="property", actions=actions))
