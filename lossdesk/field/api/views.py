"""The rescues of a case: GET /cases/{case_no}/rescues (the list) and POST (record one,
through the same declaration as the pages, field.actions.RecordRescue)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from lossdesk.claims.api.views import ACTION_ERRORS, READ_ERRORS, get_case, paginated_response
from lossdesk.field.actions import RecordRescue
from lossdesk.field.api import serializers as s
from lossdesk.field.models import Rescue


@extend_schema(tags=["rescues"])
class RescuesView(generics.GenericAPIView):
    serializer_class = s.RescueInputSerializer
    queryset = Rescue.objects.none()

    @extend_schema(
        summary="案件的救援记录",
        responses={200: s.RescueSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request, case_no):
        case = get_case(request, case_no)
        rescues = (
            Rescue.objects.filter(case=case)
            .select_related("recorded_by")
            .prefetch_related("photos")
            .order_by("started_at", "id")
        )
        return paginated_response(self, rescues, s.RescueSerializer)

    @extend_schema(
        summary="录入救援（拖车、搭电、换胎、送油、吊装等）",
        description=(
            "由本案查勘员在查勘或定损阶段录入。`photos` 为本案照片附件的 id（先上传照片）。"
            "可带 `version`：案件版本已变时返回 409。"
        ),
        request=s.RescueInputSerializer,
        responses={201: s.CreatedRescueSerializer, **ACTION_ERRORS},
    )
    def post(self, request, case_no):
        case = get_case(request, case_no)
        serializer = s.RescueInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        rescue = RecordRescue.run(case, data, actor=request.user, version=version)
        body, status = RecordRescue.api_answer(rescue, {"request": request})
        return Response(body, status=status)
