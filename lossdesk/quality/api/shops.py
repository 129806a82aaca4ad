"""Repair-shop statistics through the API (reports' statistics right, within the case
scope): the ranking and one shop's figures, over the cases opened in a period."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from lossdesk.org.api.base import error_responses
from lossdesk.org.models import RepairShop
from lossdesk.quality.permissions import VIEW_STATISTICS
from lossdesk.quality.shop_views import PeriodForm
from lossdesk.quality.shops import ShopStatistic, shop_statistics


class MayViewStatistics(BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm(VIEW_STATISTICS)


class ShopRefSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="get_kind_display")
    branch = serializers.CharField(source="branch.name")

    class Meta:
        model = RepairShop
        fields = ["id", "name", "kind", "brand", "branch"]


class ShopStatisticSerializer(serializers.Serializer):
    shop = ShopRefSerializer()
    cases = serializers.IntegerField()
    vehicles = serializers.IntegerField(help_text="定损车辆（定损单数）")
    referrals = serializers.IntegerField(help_text="送修量：核损通过的车辆")
    approved_total = serializers.DecimalField(max_digits=18, decimal_places=2)
    approved_average = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    cycle_hours = serializers.DecimalField(
        max_digits=10, decimal_places=1, allow_null=True, help_text="立案到首次审核通过的平均小时数"
    )
    price_deviation = serializers.DecimalField(
        max_digits=8,
        decimal_places=4,
        allow_null=True,
        help_text="询价配件的定损金额相对目录价的偏离（0.05 = 高 5%）",
    )
    return_rate = serializers.DecimalField(
        max_digits=6, decimal_places=4, allow_null=True, help_text="审核退回过的案件占比"
    )
    open_alerts = serializers.IntegerField()
    confirmed_alerts = serializers.IntegerField()


PERIOD = [
    OpenApiParameter("date_from", str, description="立案日期起 YYYY-MM-DD（默认 90 天前）"),
    OpenApiParameter("date_to", str, description="立案日期止 YYYY-MM-DD（默认今天）"),
]


def period(request) -> tuple:
    form = PeriodForm(request.query_params)
    if not form.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    return form.cleaned_data["date_from"], form.cleaned_data["date_to"]


class ShopRankingView(APIView):
    permission_classes = [MayViewStatistics]

    @extend_schema(
        tags=["quality"],
        summary="修理厂统计排名（送修量从高到低）",
        parameters=PERIOD,
        responses={200: ShopStatisticSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request):
        stats = shop_statistics(request.user, *period(request))
        return Response(ShopStatisticSerializer(stats, many=True).data)


class ShopStatisticView(APIView):
    permission_classes = [MayViewStatistics]

    @extend_schema(
        tags=["quality"],
        summary="一家修理厂的统计",
        parameters=PERIOD,
        responses={200: ShopStatisticSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, pk: int):
        shop = get_object_or_404(RepairShop.objects.select_related("branch"), pk=pk)
        dates = period(request)
        found = shop_statistics(request.user, *dates, shop=shop)
        stat = found[0] if found else ShopStatistic(shop=shop)  # nothing in the period: zeros
        return Response(ShopStatisticSerializer(stat).data)
