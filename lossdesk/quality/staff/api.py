"""Staff quality through the API (/api/v1/quality/…): the same services and reads as the
pages. Entries are seen within the data scope (quality.view_misconductrecord) and one's own
always; complaints and reports within theirs."""

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from lossdesk.claims.api.serializers import StaffRefSerializer
from lossdesk.core.limits import CODE_MAX, NOTE_MAX, TEXT_MAX
from lossdesk.org.api.base import EnumField, error_responses
from lossdesk.quality import permissions as perms
from lossdesk.quality.staff import queries, services
from lossdesk.quality.staff.choices import (
    AppealDecision,
    ComplaintConclusion,
    ComplaintSource,
    ComplaintStatus,
    ConductResult,
    MisconductStatus,
    ReportStatus,
    Severity,
)
from lossdesk.quality.staff.models import (
    Complaint,
    MisconductItem,
    MisconductRecord,
    WhistleblowerReport,
)

TAGS = ["quality"]


def needs(permission: str):
    class Holds(BasePermission):
        def has_permission(self, request, view):
            return request.user.has_perm(permission)

    return Holds


# ---------------------------------------------------------------------- serializers


class MisconductItemSerializer(serializers.ModelSerializer):
    severity = EnumField(Severity)

    class Meta:
        model = MisconductItem
        fields = [
            "id",
            "post",
            "code",
            "title",
            "severity",
            "min_points",
            "max_points",
            "effective_from",
            "effective_to",
        ]
        read_only_fields = fields


class MisconductEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class MisconductSerializer(serializers.ModelSerializer):
    person = StaffRefSerializer()
    item = MisconductItemSerializer()
    status = EnumField(MisconductStatus)
    case_no = serializers.CharField(source="case.case_no", allow_null=True, default=None)
    registered_by = StaffRefSerializer()
    decided_by = StaffRefSerializer(allow_null=True)
    evidence = MisconductEvidenceSerializer(many=True)

    class Meta:
        model = MisconductRecord
        fields = [
            "id",
            "person",
            "item",
            "occurred_on",
            "period",
            "case_no",
            "description",
            "points",
            "final_points",
            "status",
            "registered_by",
            "registered_at",
            "reply",
            "replied_at",
            "appeal_reason",
            "appealed_at",
            "decided_by",
            "decided_at",
            "decision_reason",
            "finalized_at",
            "evidence",
        ]
        read_only_fields = fields


class MisconductInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="被登记人 id")
    item = serializers.IntegerField(help_text="违规项目 id（GET /quality/misconduct-items）")
    points = serializers.IntegerField(help_text="扣分，须在项目的扣分范围内")
    occurred_on = serializers.DateField()
    description = serializers.CharField(max_length=TEXT_MAX)
    case_no = serializers.CharField(max_length=CODE_MAX, required=False, allow_blank=True)
    evidence = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="证据：图片或 PDF（multipart）"
    )


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=TEXT_MAX)


class AppealSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=TEXT_MAX)


class AppealDecisionSerializer(serializers.Serializer):
    decision = EnumField(AppealDecision)
    reason = serializers.CharField(max_length=NOTE_MAX)
    points = serializers.IntegerField(required=False, help_text="减分（reduced）后的扣分")


class EvidenceInputSerializer(serializers.Serializer):
    evidence = serializers.ListField(child=serializers.FileField())


class MisconductFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MisconductStatus.choices)
    period = django_filters.CharFilter()
    person = django_filters.NumberFilter(field_name="person_id")

    class Meta:
        model = MisconductRecord
        fields = ["status", "period", "person"]


def record_queryset(user):
    return (
        services.visible_records(user)
        .select_related("person", "item", "case", "registered_by", "decided_by")
        .prefetch_related("evidence")
    )


# ---------------------------------------------------------------------- misconduct


class MisconductListView(generics.ListAPIView):
    serializer_class = MisconductSerializer
    filterset_class = MisconductFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return record_queryset(self.request.user)

    @extend_schema(tags=TAGS, summary="违规展业登记列表（数据范围内的及本人的）")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        summary="登记违规（扣分须在项目范围内，证据为图片或 PDF）",
        request={
            "application/json": MisconductInputSerializer,
            "multipart/form-data": MisconductInputSerializer,
        },
        responses={201: MisconductSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        data = MisconductInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        evidence = values.pop("evidence", [])
        record = services.do_register_misconduct(values, evidence=evidence, actor=request.user)
        return Response(
            MisconductSerializer(record_queryset(request.user).get(pk=record.pk)).data, 201
        )


@extend_schema(
    tags=TAGS,
    summary="一条违规展业登记",
    responses={200: MisconductSerializer, **error_responses(401, 404)},
)
class MisconductDetailView(APIView):
    def get(self, request, pk: int):
        services.record_for(request.user, pk)
        return Response(MisconductSerializer(record_queryset(request.user).get(pk=pk)).data)


class MisconductStep(APIView):
    """One step of an entry: the input serializer and the service that takes it."""

    input_serializer: type[serializers.Serializer]

    def act(self, record, values, user):
        raise NotImplementedError

    def post(self, request, pk: int):
        record = services.record_for(request.user, pk)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.act(record, dict(data.validated_data), request.user)
        return Response(MisconductSerializer(record_queryset(request.user).get(pk=pk)).data)


STEP_ERRORS = error_responses(400, 401, 403, 404, 409)


@extend_schema(
    tags=TAGS,
    summary="本人答复",
    request=ReplySerializer,
    responses={200: MisconductSerializer, **STEP_ERRORS},
)
class ReplyView(MisconductStep):
    input_serializer = ReplySerializer

    def act(self, record, values, user):
        services.do_reply_misconduct(record, reply=values["reply"], actor=user)


@extend_schema(
    tags=TAGS,
    summary="本人申诉",
    request=AppealSerializer,
    responses={200: MisconductSerializer, **STEP_ERRORS},
)
class AppealView(MisconductStep):
    input_serializer = AppealSerializer

    def act(self, record, values, user):
        services.do_appeal_misconduct(record, reason=values["reason"], actor=user)


@extend_schema(
    tags=TAGS,
    summary="裁决申诉（品质管理委员会成员，非登记人、非本人）",
    request=AppealDecisionSerializer,
    responses={200: MisconductSerializer, **STEP_ERRORS},
)
class DecisionView(MisconductStep):
    input_serializer = AppealDecisionSerializer

    def act(self, record, values, user):
        services.do_decide_appeal(
            record,
            decision=values["decision"],
            reason=values["reason"],
            points=values.get("points"),
            actor=user,
        )


class FinalizeSerializer(serializers.Serializer):
    pass


@extend_schema(
    tags=TAGS,
    summary="确认生效（计入累计扣分，达到标准即触发处理）",
    request=None,
    responses={200: MisconductSerializer, **STEP_ERRORS},
)
class FinalizeView(MisconductStep):
    input_serializer = FinalizeSerializer

    def act(self, record, values, user):
        services.do_finalize_misconduct(record, actor=user)


@extend_schema(
    tags=TAGS,
    summary="补充证据（图片或 PDF）",
    request={"multipart/form-data": EvidenceInputSerializer},
    responses={200: MisconductSerializer, **STEP_ERRORS},
)
class EvidenceView(MisconductStep):
    input_serializer = EvidenceInputSerializer
    parser_classes = [MultiPartParser, FormParser]

    def act(self, record, values, user):
        services.do_add_misconduct_evidence(record, values["evidence"], actor=user)


@extend_schema(
    tags=TAGS,
    summary="现行违规项目与扣分标准",
    responses={200: MisconductItemSerializer(many=True), **error_responses(401)},
)
class ItemListView(generics.ListAPIView):
    serializer_class = MisconductItemSerializer
    pagination_class = None

    def get_queryset(self):
        return MisconductItem.objects.in_effect(timezone.localdate())


# -------------------------------------------------------------------------- people


class QualityConsequenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    consequence = serializers.CharField(source="threshold.consequence")
    threshold = serializers.IntegerField(source="threshold.points")
    subject = serializers.CharField(source="threshold.subject")
    about = StaffRefSerializer()
    person = StaffRefSerializer()
    period = serializers.CharField()
    points = serializers.IntegerField()
    raised_at = serializers.DateTimeField()


class ConductEvaluationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    period = serializers.CharField()
    result = EnumField(ConductResult)
    points = serializers.IntegerField()
    comment = serializers.CharField()
    evaluator = StaffRefSerializer()
    evaluated_at = serializers.DateTimeField()


class CreditEntrySerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="award / violation / complaint")
    day = serializers.DateField()
    title = serializers.CharField()
    detail = serializers.CharField()
    points = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()


class PeriodPointsSerializer(serializers.Serializer):
    period = serializers.CharField()
    points = serializers.IntegerField()


class PersonQualitySerializer(serializers.Serializer):
    person = StaffRefSerializer()
    period = serializers.CharField(help_text="当前考核期")
    points = serializers.IntegerField(help_text="当前考核期累计扣分（已生效）")
    by_period = PeriodPointsSerializer(many=True)
    consequences = QualityConsequenceSerializer(many=True)
    evaluations = ConductEvaluationSerializer(many=True)
    credit = CreditEntrySerializer(many=True, help_text="诚信档案：奖励、违规、投诉")


@extend_schema(
    tags=TAGS,
    summary="一个人的品质档案：累计扣分、处理、品行评定、诚信档案",
    responses={200: PersonQualitySerializer, **error_responses(401, 404)},
)
class PersonView(APIView):
    def get(self, request, pk: int):
        person = services.person_for(request.user, pk)
        return Response(PersonQualitySerializer(queries.person_quality(person)).data)


class EvaluationInputSerializer(serializers.Serializer):
    period = serializers.CharField(max_length=6, help_text="考核期，如 2026H2")
    result = EnumField(ConductResult)
    comment = serializers.CharField(max_length=NOTE_MAX)


@extend_schema(
    tags=TAGS,
    summary="品行评定（直接主管，每人每半年一次）",
    request=EvaluationInputSerializer,
    responses={201: ConductEvaluationSerializer, **error_responses(400, 401, 403, 404, 409)},
)
class EvaluationView(APIView):
    def post(self, request, pk: int):
        person = services.person_for(request.user, pk)
        data = EvaluationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evaluation = services.do_evaluate_conduct(person, data.validated_data, actor=request.user)
        return Response(ConductEvaluationSerializer(evaluation).data, 201)


class AwardInputSerializer(serializers.Serializer):
    awarded_on = serializers.DateField(required=False)
    title = serializers.CharField(max_length=100)
    reason = serializers.CharField(max_length=NOTE_MAX)


class QualityAwardSerializer(AwardInputSerializer):
    id = serializers.IntegerField()
    person = StaffRefSerializer()


@extend_schema(
    tags=TAGS,
    summary="登记奖励（计入诚信档案）",
    request=AwardInputSerializer,
    responses={201: QualityAwardSerializer, **error_responses(400, 401, 403, 404)},
)
class AwardView(APIView):
    def post(self, request, pk: int):
        person = services.person_for(request.user, pk)
        data = AwardInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        award = services.do_grant_award(person, data.validated_data, actor=request.user)
        return Response(QualityAwardSerializer(award).data, 201)


# ---------------------------------------------------------------------- complaints


class ComplaintSerializer(serializers.ModelSerializer):
    source = EnumField(ComplaintSource)
    status = EnumField(ComplaintStatus)
    client = serializers.CharField(source="client.short_name", allow_null=True, default=None)
    case_no = serializers.CharField(source="case.case_no", allow_null=True, default=None)
    staff = StaffRefSerializer(allow_null=True)
    misconduct = serializers.IntegerField(source="misconduct_id", allow_null=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "source",
            "complainant",
            "client",
            "case_no",
            "staff",
            "received_at",
            "summary",
            "status",
            "conclusion",
            "misconduct",
            "concluded_at",
        ]
        read_only_fields = fields


class ComplaintInputSerializer(serializers.Serializer):
    source = EnumField(ComplaintSource)
    complainant = serializers.CharField(max_length=50)
    client = serializers.IntegerField(required=False, help_text="保险公司 id")
    case_no = serializers.CharField(max_length=CODE_MAX, required=False, allow_blank=True)
    staff = serializers.IntegerField(required=False, help_text="被投诉人 id")
    summary = serializers.CharField(max_length=TEXT_MAX)


class ConcludeSerializer(serializers.Serializer):
    outcome = EnumField(ComplaintConclusion)
    conclusion = serializers.CharField(max_length=NOTE_MAX)
    item = serializers.IntegerField(required=False, help_text="属实时登记违规：违规项目 id")
    points = serializers.IntegerField(required=False)


def complaint_queryset(user):
    return Complaint.objects.for_user(user).select_related("client", "case", "staff")


class ComplaintListView(generics.ListAPIView):
    serializer_class = ComplaintSerializer
    permission_classes = [needs(perms.VIEW_COMPLAINT)]

    def get_queryset(self):
        return complaint_queryset(self.request.user)

    @extend_schema(tags=TAGS, summary="投诉列表")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        summary="受理投诉",
        request=ComplaintInputSerializer,
        responses={201: ComplaintSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        data = ComplaintInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = services.do_receive_complaint(data.validated_data, actor=request.user)
        return Response(ComplaintSerializer(complaint).data, 201)


@extend_schema(
    tags=TAGS,
    summary="一条投诉",
    responses={200: ComplaintSerializer, **error_responses(401, 403, 404)},
)
class ComplaintDetailView(APIView):
    permission_classes = [needs(perms.VIEW_COMPLAINT)]

    def get(self, request, pk: int):
        return Response(ComplaintSerializer(services.complaint_for(request.user, pk)).data)


@extend_schema(
    tags=TAGS,
    summary="办结投诉（属实时可登记违规）",
    request=ConcludeSerializer,
    responses={200: ComplaintSerializer, **STEP_ERRORS},
)
class ConcludeView(APIView):
    def post(self, request, pk: int):
        complaint = services.complaint_for(request.user, pk)
        data = ConcludeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = services.do_conclude_complaint(
            complaint, data.validated_data, actor=request.user
        )
        return Response(ComplaintSerializer(complaint).data)


# ---------------------------------------------------------- whistle-blower reports


class WhistleblowerReportSerializer(serializers.ModelSerializer):
    status = EnumField(ReportStatus)
    reporter = StaffRefSerializer(allow_null=True)
    subject = StaffRefSerializer(allow_null=True)
    reward = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)

    class Meta:
        model = WhistleblowerReport
        fields = [
            "id",
            "reporter_name",
            "reporter",
            "subject",
            "content",
            "received_at",
            "status",
            "reward",
            "decision_reason",
            "decided_at",
        ]
        read_only_fields = fields


class WhistleblowerInputSerializer(serializers.Serializer):
    reporter_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    reporter = serializers.IntegerField(required=False, help_text="举报人为本公司员工时的 id")
    subject = serializers.IntegerField(required=False, help_text="被举报人 id")
    content = serializers.CharField(max_length=TEXT_MAX)


class WhistleblowerDecisionSerializer(serializers.Serializer):
    outcome = EnumField(ReportStatus)
    reason = serializers.CharField(max_length=NOTE_MAX)
    reward = serializers.CharField(
        max_length=32, required=False, allow_blank=True, help_text="奖励金额（元），仅 rewarded"
    )


def report_queryset(user):
    return WhistleblowerReport.objects.for_user(user).select_related("reporter", "subject")


class ReportListView(generics.ListAPIView):
    serializer_class = WhistleblowerReportSerializer
    permission_classes = [needs(perms.VIEW_REPORT)]

    def get_queryset(self):
        return report_queryset(self.request.user)

    @extend_schema(tags=TAGS, summary="举报列表")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        summary="受理举报",
        request=WhistleblowerInputSerializer,
        responses={201: WhistleblowerReportSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        data = WhistleblowerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.do_receive_report(data.validated_data, actor=request.user)
        return Response(WhistleblowerReportSerializer(report).data, 201)


@extend_schema(
    tags=TAGS,
    summary="一条举报",
    responses={200: WhistleblowerReportSerializer, **error_responses(401, 403, 404)},
)
class ReportDetailView(APIView):
    permission_classes = [needs(perms.VIEW_REPORT)]

    def get(self, request, pk: int):
        return Response(WhistleblowerReportSerializer(services.report_for(request.user, pk)).data)


@extend_schema(
    tags=TAGS,
    summary="举报查处与奖励决定",
    request=WhistleblowerDecisionSerializer,
    responses={200: WhistleblowerReportSerializer, **STEP_ERRORS},
)
class ReportDecideView(APIView):
    def post(self, request, pk: int):
        report = services.report_for(request.user, pk)
        data = WhistleblowerDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.do_decide_report(report, data.validated_data, actor=request.user)
        return Response(WhistleblowerReportSerializer(report).data)
