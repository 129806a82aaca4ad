"""The property loss line (三者物损): a property loss item is surveyed, assessed on a
property sheet (物损定损单) and negotiated with its owner; claims sees the sheet."""

from decimal import Decimal

from django.db.models import Sum

from lossdesk.claims.choices import EventType, LossItemKind
from lossdesk.claims.models import CaseEvent
from lossdesk.claims.registry import (
    CaseContribution,
    LossLine,
    register_case_contribution,
    register_loss_line,
)


def sheets_total(items) -> Decimal:
    from lossdesk.property.models import PropertySheet

    total = PropertySheet.objects.filter(loss_item__in=items).aggregate(total=Sum("total"))
    return total["total"] or Decimal("0.00")


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


def prepared_by(items, actor) -> bool:
    """Whether `actor` is the assessor of any of the items' sheets or ever saved one."""
    if items.filter(property_sheet__assessor=actor).exists():
        return True
    sheet_nos = [no for no in items.values_list("property_sheet__sheet_no", flat=True) if no]
    return CaseEvent.objects.filter(
        case_id__in=items.values("case_id"),
        actor=actor,
        type=EventType.SHEET_SAVED,
        data__sheet__in=sheet_nos,
    ).exists()


def sheet_serializer():
    from lossdesk.property.api.serializers import PropertySheetSummarySerializer

    return PropertySheetSummarySerializer


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
    total=sheets_total,
    unassessed=unassessed,
    prepared_by=prepared_by,
    review_template="property/includes/review_item.html",
    pdf_template="property/includes/pdf_item.html",
    api_serializer=sheet_serializer,
    sheet_resource=sheet_resource,
    item_api_fields=item_api_fields,
    item_api_prefetch=("negotiation__offers__recorded_by",),
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
