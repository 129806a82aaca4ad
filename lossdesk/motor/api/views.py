"""The assessment sheet of a vehicle loss item: GET and PUT
/cases/{case_no}/loss-items/{seq}/sheet."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from lossdesk.claims.api.views import ACTION_ERRORS, READ_ERRORS, get_case
from lossdesk.core.errors import NotFound
from lossdesk.motor import services
from lossdesk.motor.api import serializers as s
from lossdesk.motor.models import AssessmentSheet


class SheetView(generics.GenericAPIView):
    serializer_class = s.SheetInputSerializer

    def get_serializer(self, *args, **kwargs):
        context = {**self.get_serializer_context(), **kwargs.pop("context", {})}
        return self.get_serializer_class()(*args, context=context, **kwargs)

    def get_loss_item(self, case, seq: int):
        loss_item = case.loss_items.filter(seq=seq).first()
        if loss_item is None:
            raise NotFound("本案没有该序号的损失标的。")
        return loss_item

    def sheet_response(self, loss_item, version: int) -> Response:
        sheet = (
            AssessmentSheet.objects.select_related("loss_item", "assessor", "repair_shop")
            .prefetch_related("lines")
            .get(loss_item=loss_item)
        )
        context = {"request": self.request, "case_version": version}
        return Response(s.SheetSerializer(sheet, context=context).data)

    @extend_schema(
        tags=["cases"], summary="查看定损单", responses={200: s.SheetSerializer, **READ_ERRORS}
    )
    def get(self, request, case_no, seq):
        case = get_case(request, case_no)
        loss_item = self.get_loss_item(case, seq)
        if not AssessmentSheet.objects.filter(loss_item=loss_item).exists():
            raise NotFound("该损失标的尚未编制定损单。")
        return self.sheet_response(loss_item, case.version)

    @extend_schema(
        tags=["cases"],
        summary="保存定损单（整单替换）",
        request=s.SheetInputSerializer,
        responses={200: s.SheetSerializer, **ACTION_ERRORS},
    )
    def put(self, request, case_no, seq):
        case = get_case(request, case_no)
        loss_item = self.get_loss_item(case, seq)
        serializer = self.get_serializer(data=request.data, context={"loss_item": loss_item})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        sheet = services.do_save_assessment_sheet(
            loss_item,
            lines=[dict(line) for line in data["lines"]],
            repair_shop=data.get("repair_shop"),
            vehicle_model=data.get("vehicle_model", ""),
            remarks=data.get("remarks", ""),
            actor=request.user,
            expected_version=data.get("version"),
        )
        return self.sheet_response(loss_item, sheet.loss_item.case.version)
