"""The risk alerts through the API: the list and one alert within the user's case scope
(quality.view_alert), and their resolution (quality.resolve_alert)."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from lossdesk.org.api.base import ModelPermissions, error_responses
from lossdesk.quality import queries, services
from lossdesk.quality.alert_rules import RULES
from lossdesk.quality.api.serializers import (
    AlertSerializer,
    HitRateSerializer,
    ResolveInputSerializer,
)
from lossdesk.quality.choices import AlertStatus
from lossdesk.quality.models import Alert


class AlertFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices)
    rule = django_filters.ChoiceFilter(choices=[(code, r.title) for code, r in RULES.items()])
    case_no = django_filters.CharFilter(field_name="case__case_no")

    class Meta:
        model = Alert
        fields = ["status", "rule", "case_no"]


class ReadAlerts(ModelPermissions):
    """quality.view_alert to read; other methods are not offered (405), resolving is its
    own endpoint with its own right."""

    perms_map = {**ModelPermissions.perms_map, "POST": [], "PUT": [], "PATCH": [], "DELETE": []}


class ScopedAlerts:
    serializer_class = AlertSerializer
    permission_classes = [ReadAlerts]
    queryset = Alert.objects.none()  # for the permission class; get_queryset scopes

    def get_queryset(self):
        return queries.alerts_for(self.request.user).select_related("case", "resolved_by")


@extend_schema(
    tags=["quality"],
    summary="风险预警列表",
    responses={200: AlertSerializer(many=True), **error_responses(400, 401, 403)},
)
class AlertListView(ScopedAlerts, generics.ListAPIView):
    filterset_class = AlertFilter


@extend_schema(
    tags=["quality"],
    summary="一条风险预警",
    responses={200: AlertSerializer, **error_responses(401, 403, 404)},
)
class AlertDetailView(ScopedAlerts, generics.RetrieveAPIView):
    pass


class AlertResolveView(APIView):
    @extend_schema(
        tags=["quality"],
        summary="处理风险预警：确认或排除（排除须写理由）",
        request=ResolveInputSerializer,
        responses={200: AlertSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        alert = services.alert_for(request.user, pk)
        data = ResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert = services.do_resolve_alert(
            alert,
            decision=data.validated_data["decision"],
            reason=data.validated_data.get("reason", ""),
            actor=request.user,
        )
        return Response(AlertSerializer(alert, context={"request": request}).data)


@extend_schema(
    tags=["quality"],
    summary="各规则及版本的预警数与命中率",
    responses={200: HitRateSerializer(many=True), **error_responses(401, 403)},
)
class AlertStatisticsView(ScopedAlerts, generics.GenericAPIView):
    serializer_class = HitRateSerializer
    pagination_class = None

    def get(self, request):
        rows = queries.hit_rates(queries.alerts_for(request.user))
        return Response(HitRateSerializer(rows, many=True).data)
