"""Motor's loss line: vehicles are assessed on an assessment sheet (定损单)."""

from decimal import Decimal

from django.db.models import Sum

from lossdesk.claims.choices import VEHICLE_KINDS, EventType
from lossdesk.claims.models import CaseEvent
from lossdesk.claims.registry import LossLine, register_loss_line


def sheets_total(items) -> Decimal:
    from lossdesk.motor.models import AssessmentSheet

    total = AssessmentSheet.objects.filter(loss_item__in=items).aggregate(total=Sum("total"))
    return total["total"] or Decimal("0.00")


def unassessed(item) -> str | None:
    sheet = getattr(item, "sheet", None)
    if sheet is None or not sheet.lines.exists():
        return f"{item.label} 尚未定损。"
    return None


def prepared_by(items, actor) -> bool:
    """Whether `actor` is the assessor of any of the items' sheets or ever saved one: a
    sheet keeps its number for the life of its loss item, and save events name it."""
    if items.filter(sheet__assessor=actor).exists():
        return True
    sheet_nos = [no for no in items.values_list("sheet__sheet_no", flat=True) if no]
    return CaseEvent.objects.filter(
        case_id__in=items.values("case_id"),
        actor=actor,
        type=EventType.SHEET_SAVED,
        data__sheet__in=sheet_nos,
    ).exists()


def sheet_serializer():
    from lossdesk.motor.api.serializers import SheetSummarySerializer

    return SheetSummarySerializer


def sheet_resource():
    from lossdesk.motor.api.views import VehicleSheetResource

    return VehicleSheetResource


VEHICLE_LINE = LossLine(
    name="motor",
    kinds=frozenset(VEHICLE_KINDS),
    document="sheet",
    document_label="定损单",
    editor="motor:sheet-edit",
    total=sheets_total,
    unassessed=unassessed,
    prepared_by=prepared_by,
    review_template="motor/includes/review_sheet.html",
    pdf_template="motor/includes/pdf_sheet.html",
    api_serializer=sheet_serializer,
    sheet_resource=sheet_resource,
    select_related=("sheet__assessor", "sheet__repair_shop"),
    review_prefetch=("sheet__lines",),
    missing_message="本案没有车辆损失标的。",
)


def register() -> None:
    register_loss_line(VEHICLE_LINE)
