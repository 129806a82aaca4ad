"""Motor's loss line: vehicles are assessed on an assessment sheet (定损单)."""

from lossdesk.claims.choices import VEHICLE_KINDS
from lossdesk.claims.registry import LossLine, register_loss_line


def unassessed(item) -> str | None:
    sheet = getattr(item, "sheet", None)
    if sheet is None or not sheet.lines.exists():
        return f"{item.label} 尚未定损。"
    return None


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
    number_field="sheet_no",
    unassessed=unassessed,
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
