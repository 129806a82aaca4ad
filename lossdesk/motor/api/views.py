"""The vehicle sheet's API resource (registry.LossLine.sheet_resource): claims serves it at
GET and PUT /cases/{case_no}/loss-items/{seq}/sheet for vehicle loss items."""

from lossdesk.motor import services
from lossdesk.motor.api import serializers as s
from lossdesk.motor.models import AssessmentSheet


class VehicleSheetResource:
    input_serializer = s.SheetInputSerializer
    output_serializer = s.SheetSerializer

    @staticmethod
    def answer(request, loss_item, version: int) -> dict | None:
        sheet = (
            AssessmentSheet.objects.select_related("loss_item", "assessor", "repair_shop")
            .prefetch_related("lines")
            .filter(loss_item=loss_item)
            .first()
        )
        if sheet is None:
            return None
        context = {"request": request, "case_version": version}
        return s.SheetSerializer(sheet, context=context).data

    @classmethod
    def write(cls, request, case, loss_item, data) -> dict:
        sheet = services.do_save_assessment_sheet(
            loss_item,
            lines=[dict(line) for line in data["lines"]],
            repair_shop=data.get("repair_shop"),
            vehicle_model=data.get("vehicle_model", ""),
            remarks=data.get("remarks", ""),
            actor=request.user,
            expected_version=data.get("version"),
            expected_sheet_version=data.get("sheet_version"),
        )
        return cls.answer(request, loss_item, sheet.loss_item.case.version)
