"""Case monitoring through the API (quality.view_casedeadline, within the case scope): the
board's counts, the open deadlines behind them (`monitoring/overdue` is the overdue ones),
and the statistics of time to each stage and overdue rates."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from lossdesk.claims.api.serializers import StaffRefSerializer
from lossdesk.org.api.base import EnumField, ModelPermissions, error_responses
from lossdesk.quality import monitoring
from lossdesk.quality.choices import DeadlineStage, DeadlineStatus
from lossdesk.quality.models import CaseDeadline

STATISTICS_MAX_DAYS = 366


class ReadDeadlines(ModelPermissions):
    """quality.view_casedeadline to read; nothing else is offered (405)."""

    perms_map = {**ModelPermissions.perms_map, "POST": [], "PUT": [], "PATCH": [], "DELETE": []}


class MonitoringView(generics.GenericAPIView):
    permission_classes = [ReadDeadlines]
    queryset = CaseDeadline.objects.none()  # for the permission class; the reads scope


class CountsSerializer(serializers.Serializer):
    overdue = serializers.IntegerField(help_text="已超时")
    due_soon = serializers.IntegerField(help_text="1小时内到期")
    on_time = serializers.IntegerField(help_text="未到期")


class BoardRowSerializer(CountsSerializer):
    key = serializers.CharField(help_text="机构 id、环节代码或责任人 id（未指定为空）。")
    label = serializers.CharField()


class BoardSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField()
    group_by = EnumField(monitoring.GroupBy, labels=monitoring.GROUP_LABELS)
    totals = CountsSerializer()
    rows = BoardRowSerializer(many=True)


class BoardQuerySerializer(serializers.Serializer):
    group_by = EnumField(
        monitoring.GroupBy, labels=monitoring.GROUP_LABELS, default=monitoring.GroupBy.BRANCH
    )


@extend_schema(
    tags=["quality"],
    summary="案件监控看板：按机构、环节或责任人统计未完成时限（已超时、1小时内到期、未到期）",
    parameters=[BoardQuerySerializer],
    responses={200: BoardSerializer, **error_responses(400, 401, 403)},
)
class BoardView(MonitoringView):
    serializer_class = BoardSerializer
    pagination_class = None

    def get(self, request):
        query = BoardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        group_by = query.validated_data["group_by"]
        now = timezone.now()
        cells = monitoring.open_counts(request.user, now)
        body = {
            "as_of": now,
            "group_by": group_by,
            "totals": monitoring.totals(cells),
            "rows": monitoring.board(cells, monitoring.GroupBy(group_by)),
        }
        return Response(BoardSerializer(body).data)


class DeadlineSerializer(serializers.ModelSerializer):
    case_no = serializers.CharField(source="case.case_no", read_only=True)
    branch = serializers.CharField(source="case.branch.name", read_only=True)
    stage = EnumField(DeadlineStage, read_only=True)
    status = serializers.SerializerMethodField(help_text="overdue / due_soon / on_time")
    person = StaffRefSerializer(read_only=True, allow_null=True)
    overdue_minutes = serializers.SerializerMethodField(help_text="超时分钟数，未超时为 0。")

    class Meta:
        model = CaseDeadline
        fields = [
            "id",
            "case_no",
            "branch",
            "stage",
            "status",
            "person",
            "allowed",
            "started_at",
            "due_at",
            "overdue_minutes",
        ]
        read_only_fields = fields

    def get_status(self, deadline) -> str:
        return deadline.status_at(self.context["now"])

    def get_overdue_minutes(self, deadline) -> int:
        late = self.context["now"] - deadline.due_at
        return max(0, int(late / timedelta(minutes=1)))


class DrillQuerySerializer(serializers.Serializer):
    stage = EnumField(DeadlineStage, required=False)
    branch = serializers.IntegerField(required=False, min_value=1, help_text="机构 id")
    person = serializers.IntegerField(required=False, min_value=1, help_text="责任人 id")


class DeadlineQuerySerializer(DrillQuerySerializer):
    status = EnumField(
        monitoring.OpenStatus,
        labels=monitoring.OPEN_STATUS_LABELS,
        required=False,
        help_text="不填为全部未完成的时限。",
    )


class DeadlineListView(MonitoringView):
    serializer_class = DeadlineSerializer
    query_serializer = DeadlineQuerySerializer
    fixed_status = ""

    def deadlines(self):
        query = self.query_serializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        return monitoring.drill_down(
            self.request.user,
            self.now,
            status=self.fixed_status or params.get("status", ""),
            stage=params.get("stage", ""),
            branch=params.get("branch"),
            person=params.get("person"),
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": self.now}

    def get(self, request):
        self.now = timezone.now()
        page = self.paginate_queryset(self.deadlines())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(
    tags=["quality"],
    summary="未完成的案件时限（看板的下钻），按到期时间排序",
    parameters=[DeadlineQuerySerializer],
    responses={200: DeadlineSerializer(many=True), **error_responses(400, 401, 403)},
)
class OpenDeadlineListView(DeadlineListView):
    pass


@extend_schema(
    tags=["quality"],
    summary="已超时的案件时限，最早到期的在前",
    parameters=[DrillQuerySerializer],
    responses={200: DeadlineSerializer(many=True), **error_responses(400, 401, 403)},
)
class OverdueListView(DeadlineListView):
    query_serializer = DrillQuerySerializer
    fixed_status = DeadlineStatus.OVERDUE


class StatisticsQuerySerializer(serializers.Serializer):
    since = serializers.DateField(required=False, help_text="开始日期（含），默认 30 天前。")
    until = serializers.DateField(required=False, help_text="结束日期（含），默认今天。")

    def validate(self, attrs):
        until = attrs.get("until") or timezone.localdate()
        since = attrs.get("since") or until - timedelta(days=29)
        if since > until:
            raise serializers.ValidationError({"since": ["开始日期不能晚于结束日期。"]})
        if (until - since).days >= STATISTICS_MAX_DAYS:
            raise serializers.ValidationError(
                {"since": [f"统计区间不能超过 {STATISTICS_MAX_DAYS} 天。"]}
            )
        return {"since": since, "until": until}


class StageStatisticsSerializer(serializers.Serializer):
    stage = EnumField(DeadlineStage)
    label = serializers.CharField()
    started = serializers.IntegerField(help_text="区间内开始的环节数")
    met = serializers.IntegerField(help_text="已完成")
    met_late = serializers.IntegerField(help_text="超时完成")
    overdue = serializers.IntegerField(help_text="未完成且已超时")
    overdue_rate = serializers.FloatField(allow_null=True, help_text="(超时完成+已超时)/开始数")
    average_minutes = serializers.FloatField(allow_null=True, help_text="平均用时（分钟）")


@extend_schema(
    tags=["quality"],
    summary="各环节用时与超时率（按环节开始日期统计）",
    parameters=[StatisticsQuerySerializer],
    responses={200: StageStatisticsSerializer(many=True), **error_responses(400, 401, 403)},
)
class StatisticsView(MonitoringView):
    serializer_class = StageStatisticsSerializer
    pagination_class = None

    def get(self, request):
        query = StatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        since, until = period(query.validated_data["since"], query.validated_data["until"])
        rows = monitoring.statistics(request.user, since, until, timezone.now())
        return Response(StageStatisticsSerializer(rows, many=True).data)


def period(since, until) -> tuple[datetime, datetime]:
    """Local dates, both included, as [start, end) instants."""
    start = timezone.make_aware(datetime.combine(since, time(0)))
    end = timezone.make_aware(datetime.combine(until + timedelta(days=1), time(0)))
    return start, end
