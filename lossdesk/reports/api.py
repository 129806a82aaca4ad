"""The statistics tables through the API: GET /api/v1/statistics (the tables) and
GET /api/v1/statistics/{slug} (one table, the filters of its page as query parameters).
The same Statistic computes the page, the Excel export and this answer."""

from datetime import date
from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from lossdesk.core.errors import ErrorCode, NotFound, PermissionDenied, ServiceError
from lossdesk.org.api.base import error_responses
from lossdesk.reports import kpis
from lossdesk.reports.forms import StatisticsFilterForm
from lossdesk.reports.permissions import VIEW_STATISTICS
from lossdesk.reports.statistics import STATISTICS, Row, Table, available_statistics

FEN = Decimal("0.01")


def _check(user) -> None:
    if not user.has_perm(VIEW_STATISTICS):
        raise PermissionDenied("您的岗位没有「统计」权限。")


def _value(value, kind: str):
    """Money to the fen and other decimals as strings (the database may drop the scale of a
    sum); counts as numbers; no data as null."""
    if isinstance(value, Decimal):
        return format(value.quantize(FEN) if kind == "money" else value, "f")
    return value


def _row(row: Row, kinds: dict[str, str]) -> dict:
    key = row.key.isoformat() if isinstance(row.key, date) else row.key
    return {
        "key": None if key is None else str(key),
        "label": row.label,
        "values": {k: _value(v, kinds.get(k, "")) for k, v in row.values.items()},
    }


def table_data(table: Table) -> dict:
    kinds = {column.key: column.kind for column in table.columns}
    return {
        "slug": table.slug,
        "title": table.title,
        "group_by": table.group_by,
        "group_label": table.group_label,
        "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in table.columns],
        "rows": [_row(row, kinds) for row in table.rows],
        "total": _row(table.total, kinds),
        "subtables": [table_data(sub) for sub in table.subtables],
    }


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField(help_text="int、percent（比例，0.875 即 87.5%）、money、days…")


class RowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True, help_text="分组的键；合计行为 null。")
    label = serializers.CharField()
    values = serializers.DictField(
        help_text="列 key → 值；金额与比例为十进制字符串，无数据为 null。"
    )


class TableSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    group_by = serializers.CharField()
    group_label = serializers.CharField()
    columns = ColumnSerializer(many=True)
    rows = RowSerializer(many=True)
    total = RowSerializer()
    subtables = serializers.ListField(child=serializers.DictField(), help_text="同结构的附表。")


class StatisticRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    groupings = serializers.ListField(child=serializers.CharField())
    default_grouping = serializers.CharField()


FILTERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="起始日期（默认 30 天前）"),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="截止日期（默认今天）"),
    OpenApiParameter("branch", OpenApiTypes.INT, description="机构 id（数据范围内）"),
    OpenApiParameter("client", OpenApiTypes.INT, description="委托方 id"),
    OpenApiParameter("group_by", OpenApiTypes.STR, description="分组，见统计表的 groupings"),
]


class StatisticListView(APIView):
    @extend_schema(
        tags=["statistics"],
        summary="统计表列表",
        responses={200: StatisticRefSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request):
        _check(request.user)
        return Response(
            [
                {
                    "slug": s.slug,
                    "title": s.title,
                    "description": s.description,
                    "groupings": [key for key, _ in s.grouping_choices()],
                    "default_grouping": s.default_grouping,
                }
                for s in available_statistics()
            ]
        )


class StatisticView(APIView):
    @extend_schema(
        tags=["statistics"],
        summary="一张统计表（与统计页面、Excel 导出相同的数字）",
        parameters=FILTERS,
        responses={200: TableSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, slug: str):
        _check(request.user)
        statistic = STATISTICS.get(slug)
        if statistic is None or not statistic.available():
            raise NotFound("没有这张统计表。")
        form = StatisticsFilterForm(request.query_params, user=request.user, statistic=statistic)
        if not form.is_valid():
            fields = {name: [str(m) for m in errors] for name, errors in form.errors.items()}
            raise ServiceError("筛选条件有误。", code=ErrorCode.INVALID, fields=fields)
        return Response(table_data(statistic.compute(request.user, form.filters())))


class KpiView(APIView):
    @extend_schema(
        tags=["statistics"],
        summary="考核指标（一个月，按人员或机构，含考核得分）",
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, description="月份 YYYY-MM（默认本月）"),
            OpenApiParameter(
                "group_by", OpenApiTypes.STR, enum=["person", "branch"], description="默认 person"
            ),
        ],
        responses={200: TableSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request):
        _check(request.user)
        try:
            month = kpis.parse_month(request.query_params.get("month"))
            group_by = kpis.parse_group_by(request.query_params.get("group_by"))
        except kpis.KpiError as exc:
            raise ServiceError(
                exc.message, code=ErrorCode.INVALID, fields={exc.field: [exc.message]}
            ) from None
        return Response(table_data(kpis.compute(request.user, month, group_by)))
