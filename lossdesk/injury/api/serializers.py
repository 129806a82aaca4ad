"""The injury assessment at the shared /loss-items/{seq}/sheet resource: the body is the
calculator's (POST /api/v1/calc/injury) without `age` and `medical_amount`, plus the person
and the bills; the answer is what was stored."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lossdesk.calc.api import InjuryDependantSerializer, InjurySerializer
from lossdesk.claims.api.serializers import (
    SheetVersionField,
    SheetVersionSerializer,
    StaffRefSerializer,
    VersionSerializer,
)
from lossdesk.core.limits import NOTE_MAX, TEXT_MAX
from lossdesk.core.masking import mask_id_number, medical_for, reveal
from lossdesk.injury.choices import (
    FLAG_REASONS,
    DeductionReason,
    FlagDecision,
    FlagKind,
    FlagStatus,
    MedicalCategory,
    MedicalInsuranceClass,
    Relation,
    Sex,
    TreatmentOutcome,
    VisitKind,
)
from lossdesk.injury.models import (
    BillLine,
    DisabilityAppraisal,
    HospitalVisit,
    InjuredPerson,
    InjuryAssessment,
    InjurySurvey,
    InvestigationFlag,
    MedicalBill,
)
from lossdesk.injury.services.investigation import SURVEY_FIELDS
from lossdesk.org.api.base import EnumField, FieldsBuiltOnce

MASKED = "无「查看个人敏感信息」权限时打码。"
MEDICAL = "医疗信息：无「查看个人敏感信息」权限时隐藏，完整显示时记录。"
# A bill line's text that tells the treatment (decision 0026).
LINE_MEDICAL = ("item", "note")


class PersonInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(
        max_length=30, help_text="18 位居民身份证号码；出生日期、性别与年龄由号码得出。"
    )
    relation = EnumField(Relation)
    urban = serializers.BooleanField(required=False, help_text="适用城镇标准（默认 true）。")
    residence = serializers.CharField(max_length=200, required=False, allow_blank=True)
    occupation = serializers.CharField(max_length=100, required=False, allow_blank=True)
    income_evidence = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True)


class DependantInputSerializer(InjuryDependantSerializer):
    relation = serializers.CharField(max_length=20, required=False, allow_blank=True)


class BillLineInputSerializer(serializers.Serializer):
    category = EnumField(MedicalCategory)
    item = serializers.CharField(max_length=100)
    quantity = serializers.CharField(max_length=20, required=False, allow_blank=True)
    insurance_class = EnumField(MedicalInsuranceClass, required=False, allow_blank=True)
    claimed = serializers.CharField(max_length=40, help_text="申报金额。")
    reasonable = serializers.CharField(max_length=40, help_text="合理金额，不大于申报金额。")
    deduction_reason = EnumField(
        DeductionReason, required=False, allow_blank=True, help_text="有核减时必填。"
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class BillInputSerializer(serializers.Serializer):
    invoice_no = serializers.CharField(max_length=40)
    hospital = serializers.CharField(max_length=100)
    date = serializers.DateField()
    inpatient = serializers.BooleanField()
    lines = BillLineInputSerializer(many=True)


@extend_schema_field(BillInputSerializer(many=True))
class BillsField(serializers.ListField):
    """The bills as sent: `injury.services` audits them, every bill and line in one answer."""

    child = serializers.DictField()


class InjuryAssessmentInputSerializer(InjurySerializer, SheetVersionSerializer):
    # Not the caller's: age from the person's ID number, the medical amount from the audit.
    age = None
    medical_amount = None
    person = PersonInputSerializer()
    dependants = DependantInputSerializer(many=True, required=False)
    bills = BillsField(help_text="医疗票据及明细；整单替换。")
    remarks = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)


class PersonSerializer(serializers.ModelSerializer):
    sex = EnumField(Sex, read_only=True)
    relation = EnumField(Relation, read_only=True)
    age = serializers.SerializerMethodField(help_text="出险时年龄。")

    class Meta:
        model = InjuredPerson
        fields = [
            "name",
            "id_number",
            "sex",
            "birth_date",
            "age",
            "relation",
            "urban",
            "residence",
            "occupation",
            "income_evidence",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"id_number": {"help_text": MASKED}}

    def get_age(self, person) -> int | None:
        assessment = getattr(person.loss_item, "injury_assessment", None)
        return assessment.age if assessment is not None else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = getattr(self.context.get("request"), "user", None)
        data["id_number"] = reveal(
            user,
            instance.id_number,
            masked=mask_id_number(instance.id_number),
            field="id_number",
            case_no=instance.loss_item.case.case_no,
            person=instance.name,
        )
        return data


class BillLineSerializer(serializers.ModelSerializer):
    category = EnumField(MedicalCategory, read_only=True)
    insurance_class = EnumField(MedicalInsuranceClass, read_only=True, allow_blank=True)
    deduction_reason = EnumField(DeductionReason, read_only=True, allow_blank=True)

    class Meta:
        model = BillLine
        fields = [
            "seq",
            "category",
            "item",
            "quantity",
            "insurance_class",
            "claimed",
            "reasonable",
            "deducted",
            "deduction_reason",
            "note",
        ]
        read_only_fields = fields
        extra_kwargs = {"item": {"help_text": MEDICAL}, "note": {"help_text": MEDICAL}}


class BillSerializer(serializers.ModelSerializer):
    lines = BillLineSerializer(many=True, read_only=True)

    class Meta:
        model = MedicalBill
        fields = [
            "seq",
            "invoice_no",
            "hospital",
            "bill_date",
            "inpatient",
            "claimed_total",
            "reasonable_total",
            "deducted_total",
            "duplicate_of",
            "lines",
        ]
        read_only_fields = fields


class CompensationSerializer(serializers.Serializer):
    items = serializers.DictField(help_text="键同 /api/v1/calc/injury 的 items。")
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    standard = serializers.DictField()
    explanation = serializers.ListField(child=serializers.CharField())
    inputs = serializers.DictField(help_text="计算所用的输入（与计算器接口相同）。")
    split = serializers.DictField(
        allow_null=True,
        help_text="交强险分项与商业三者险的分摊（同 /api/v1/calc/injury 的 split，按查勘定责"
        "的责任与比例）；查勘记录尚未定责时为 null。",
    )


class InjuryAssessmentSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField()
    loss_item = serializers.IntegerField(source="loss_item.seq", read_only=True)
    loss_item_label = serializers.CharField(source="loss_item.label", read_only=True)
    assessor = StaffRefSerializer(read_only=True)
    person = PersonSerializer(source="loss_item.injured_person", read_only=True)
    bills = BillSerializer(many=True, read_only=True)
    compensation = serializers.SerializerMethodField()
    sheet_version = SheetVersionField()
    case_version = serializers.SerializerMethodField()

    class Meta:
        model = InjuryAssessment
        fields = [
            "kind",
            "assessment_no",
            "loss_item",
            "loss_item_label",
            "assessor",
            "outcome",
            "person",
            "bills",
            "claimed_total",
            "reasonable_total",
            "deducted_total",
            "compensation",
            "remarks",
            "updated_at",
            "sheet_version",
            "case_version",
        ]
        read_only_fields = fields
        extra_kwargs = {"remarks": {"help_text": MEDICAL}}

    def to_representation(self, instance):
        """The lines' names and notes and the remarks tell the treatment (a drug, a test, the
        diagnosis): medical data, hidden or shown in full and recorded (one record per
        answer: the access collector groups a request's showings)."""
        data = super().to_representation(instance)
        user = getattr(self.context.get("request"), "user", None)
        case_no = instance.loss_item.case.case_no
        for bill in data["bills"]:
            for line in bill["lines"]:
                for name in LINE_MEDICAL:
                    line[name] = medical_for(user, line[name] or "", case_no=case_no)
        data["remarks"] = medical_for(user, data["remarks"] or "", case_no=case_no)
        return data

    def get_kind(self, assessment) -> str:
        return "injury"

    @extend_schema_field(CompensationSerializer)
    def get_compensation(self, assessment) -> dict:
        return {
            "items": assessment.items,
            "total": str(assessment.total),
            "standard": assessment.standard,
            "explanation": assessment.explanation,
            "inputs": assessment.inputs,
            "split": assessment.split,
        }

    def get_case_version(self, assessment) -> int:
        return self.context["case_version"]


class InjuryAssessmentSummarySerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    assessor = StaffRefSerializer(read_only=True)
    sheet_version = SheetVersionField()

    class Meta:
        model = InjuryAssessment
        fields = [
            "assessment_no",
            "outcome",
            "total",
            "reasonable_total",
            "assessor",
            "sheet_version",
        ]
        read_only_fields = fields


# --- the survey and the medical investigation ------------------------------------------------


class MedicalFieldsSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """Shows the `medical_fields` in full only to positions that may see personal data,
    each showing recorded (core.masking.medical_for)."""

    medical_fields: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = getattr(self.context.get("request"), "user", None)
        case_no = instance.loss_item.case.case_no
        for name in self.medical_fields:
            data[name] = medical_for(user, data[name] or "", case_no=case_no)
        return data


class InjurySurveyInputSerializer(VersionSerializer):
    visited_on = serializers.DateField(help_text="首次查勘日期。")
    hospital = serializers.CharField(max_length=100)
    department = serializers.CharField(max_length=50, required=False, allow_blank=True)
    bed = serializers.CharField(max_length=20, required=False, allow_blank=True)
    admitted_on = serializers.DateField(required=False, allow_null=True)
    diagnosis = serializers.CharField(max_length=NOTE_MAX)
    description = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    discharged_on = serializers.DateField(required=False, allow_null=True)
    outcome = EnumField(TreatmentOutcome, required=False)


class InjurySurveySerializer(MedicalFieldsSerializer):
    outcome = EnumField(TreatmentOutcome, read_only=True)
    surveyed_by = StaffRefSerializer(read_only=True)
    medical_fields = ("diagnosis", "description")

    class Meta:
        model = InjurySurvey
        fields = [*SURVEY_FIELDS, "surveyed_by", "updated_at"]
        read_only_fields = fields
        extra_kwargs = {"diagnosis": {"help_text": MEDICAL}, "description": {"help_text": MEDICAL}}


class HospitalVisitInputSerializer(VersionSerializer):
    visited_on = serializers.DateField()
    kind = EnumField(VisitKind)
    present = serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text="伤者是否在床（住院伤者查床时填）；false 时自动提出“挂床住院”疑点。",
    )
    records_sampled = serializers.BooleanField(required=False, help_text="是否抽查病历。")
    findings = serializers.CharField(max_length=TEXT_MAX)


class HospitalVisitSerializer(MedicalFieldsSerializer):
    kind = EnumField(VisitKind, read_only=True)
    visitor = StaffRefSerializer(read_only=True)
    medical_fields = ("findings",)

    class Meta:
        model = HospitalVisit
        fields = [
            "id",
            "visited_on",
            "kind",
            "visitor",
            "present",
            "records_sampled",
            "findings",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"findings": {"help_text": MEDICAL}}


class DisabilityAppraisalInputSerializer(VersionSerializer):
    injury = serializers.CharField(max_length=200, help_text="伤残部位及情形。")
    grade = serializers.IntegerField(min_value=1, max_value=10, help_text="1（最重）… 10。")
    clause = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text="人体损伤致残程度分级的条款号。"
    )
    institution = serializers.CharField(max_length=100)
    appraised_on = serializers.DateField()


class DisabilityAppraisalSerializer(MedicalFieldsSerializer):
    recorded_by = StaffRefSerializer(read_only=True)
    medical_fields = ("injury",)

    class Meta:
        model = DisabilityAppraisal
        fields = [
            "id",
            "injury",
            "grade",
            "clause",
            "institution",
            "appraised_on",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"injury": {"help_text": MEDICAL}}


class InvestigationFlagInputSerializer(VersionSerializer):
    kind = EnumField(FlagKind)
    evidence = serializers.CharField(max_length=TEXT_MAX)
    visit = serializers.IntegerField(
        required=False, allow_null=True, help_text="发现疑点的走访记录 id（本伤者的）。"
    )


class FlagDecisionInputSerializer(VersionSerializer):
    status = EnumField(FlagDecision, help_text="confirmed（确认）或 dismissed（排除）。")
    note = serializers.CharField(max_length=NOTE_MAX, help_text="认定理由。")


class InvestigationFlagSerializer(MedicalFieldsSerializer):
    kind = EnumField(FlagKind, read_only=True)
    status = EnumField(FlagStatus, read_only=True)
    raised_by = StaffRefSerializer(read_only=True)
    decided_by = StaffRefSerializer(read_only=True, allow_null=True)
    deduction_reason = serializers.SerializerMethodField(help_text="确认后费用审核可用的核减原因。")
    medical_fields = ("evidence", "decision_note")

    class Meta:
        model = InvestigationFlag
        fields = [
            "id",
            "kind",
            "evidence",
            "visit",
            "status",
            "decision_note",
            "deduction_reason",
            "raised_by",
            "raised_at",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"evidence": {"help_text": MEDICAL}, "decision_note": {"help_text": MEDICAL}}

    def get_deduction_reason(self, flag) -> str:
        return FLAG_REASONS[flag.kind]
