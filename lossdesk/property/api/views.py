"""The property sheet's API resource (registry.LossLine.sheet_resource): claims serves it
at GET and PUT /cases/{case_no}/loss-items/{seq}/sheet for property loss items."""

from lossdesk.property import services
from lossdesk.property.api import serializers as s
from lossdesk.property.models import PropertySheet


class PropertySheetResource:
    input_serializer = s.PropertySheetInputSerializer
    output_serializer = s.PropertySheetSerializer

    @staticmethod
    def answer(request, loss_item, version: int) -> dict | None:
        sheet = (
            PropertySheet.objects.select_related("loss_item", "assessor")
            .prefetch_related("lines")
            .filter(loss_item=loss_item)
            .first()
        )
        if sheet is None:
            return None
        context = {"request": request, "case_version": version}
        return s.PropertySheetSerializer(sheet, context=context).data

    @classmethod
    def write(cls, request, case, loss_item, data) -> dict:
        sheet = services.do_save_property_sheet(
            loss_item,
            lines=[dict(line) for line in data["lines"]],
            remarks=data.get("remarks", ""),
            actor=request.user,
            expected_version=data.get("version"),
            expected_sheet_version=data.get("sheet_version"),
        )
        return cls.answer(request, loss_item, sheet.loss_item.case.version)
