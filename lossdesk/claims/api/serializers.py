"""Case serializers: the list row, the full case detail (report with phones masked per
position, loss items, dispatches, survey, attachments, reviews, document requests, adjusting
report, version and the actions the caller may take) and the action bodies."""

from urllib.parse import quote

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import PKOnlyObject

from lossdesk.claims import registry, services
from lossdesk.claims.choices import (
    AccidentType,
    AttachmentKind,
    CancelReason,
    CaseStatus,
    DocumentRequestStatus,
    DocumentType,
    EventType,
    ImageProcessing,
    Liability,
    LossItemKind,
    LossItemStatus,
    PhotoCategory,
    PhotoCheck,
    ResurveyReason,
    ReviewDecision,
    SceneType,
)
from lossdesk.claims.models import (
    AdjustingReport,
    Attachment,
    Case,
    CaseEvent,
    DocumentRequest,
    LossItem,
    Resurvey,
    Review,
    SurveyRecord,
)
from lossdesk.claims.workflow import ACTION_LABELS, REVIEW_ACTIONS, Action, available_actions
from lossdesk.core.limits import NOTE_MAX, TEXT_MAX
from lossdesk.core.money_fields import AmountField
from lossdesk.org.api.base import EnumField, FieldsBuiltOnce, enum_or_null
from lossdesk.rules.money import QUANTITY


def _absolute(serializer, url: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(url) if request else url


def _generic(field, instance):
    """One field's value as DRF's Serializer.to_representation reads it."""
    attribute = field.get_attribute(instance)
    value = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
    return None if value is None else field.to_representation(attribute)


class StaffRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class VersionSerializer(serializers.Serializer):
    """A case action's body. The optional `version` is the case version the caller saw;
    when it is no longer current the action is refused with 409 conflict."""

    version = serializers.IntegerField(
        required=False, min_value=1, help_text="调用方看到的案件版本；已被他人修改时返回 409。"
    )


class SheetVersionSerializer(VersionSerializer):
    """A save of a loss item's sheet carries `sheet_version`, the version of the sheet it
    started from (only a save of the sheet since refuses it), or, from an older caller, only
    the case's `version`."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="调用方看到的案件版本（旧参数）：只在未发送 sheet_version 时检查，"
        "案件有任何变动（含上传照片）即返回 409；发送了 sheet_version 时忽略。",
    )
    sheet_version = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="编辑开始时定损单的版本（GET 答复中的 sheet_version；尚无定损单时为 0）。"
        "只有定损单本身此后被保存过（他人保存、车辆定损单应用询价单等）才返回 409，"
        "答复带 current_sheet；案件其他变动（照片、查勘、资料）不影响保存。",
    )


class SheetVersionField(serializers.IntegerField):
    """A sheet's own version in its answer (claims.models.VersionedSheet), sent back as
    `sheet_version` by the next save."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("help_text", "定损单的版本，保存时作为 sheet_version 发回。")
        super().__init__(source="version", read_only=True, **kwargs)


# -------------------------------------------------------------------------- case parts


class LossItemSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """A loss item with a summary of its assessment document under the field its loss
    line names (`sheet` for vehicles); null until the document exists. A line may add more
    of its items (registry.LossLine.item_api_fields)."""

    kind = EnumField(LossItemKind, read_only=True)
    status = EnumField(LossItemStatus, read_only=True)

    class Meta:
        model = LossItem
        fields = ["id", "seq", "kind", "status", "label", "plate"]
        read_only_fields = fields

    def get_fields(self):
        fields = super().get_fields()
        self.line_kinds = {}  # a line's field -> the kinds of item it is read on
        for line in registry.loss_lines():
            added = {line.document: line.api_serializer()(read_only=True, allow_null=True)}
            if line.item_api_fields is not None:
                added.update(line.item_api_fields())
            fields.update(added)
            self.line_kinds.update(dict.fromkeys(added, line.kinds))
        return fields

    def to_representation(self, item: LossItem) -> dict:
        """Another line's fields are empty on an item (null, or [] for a list) without
        being read: the detail loads each line's parts for its own items only
        (api.views.load_line_parts, decision 0027)."""
        out = {}
        for name, field in self.fields.items():
            kinds = self.line_kinds.get(name)
            if kinds is None or item.kind in kinds:
                out[name] = _generic(field, item)
            else:
                out[name] = [] if isinstance(field, serializers.ListSerializer) else None
        return out


class SurveyRecordSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    scene = EnumField(SceneType, read_only=True)
    accident_type = EnumField(AccidentType, read_only=True)
    liability = EnumField(Liability, read_only=True)
    surveyed_by = StaffRefSerializer(read_only=True)

    class Meta:
        model = SurveyRecord
        fields = [
            "scene",
            "accident_type",
            "liability",
            "liability_ratio",
            "weather",
            "description",
            "travel_km",
            "surveyed_by",
            "updated_at",
        ]
        read_only_fields = fields


class ResurveySerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    surveyor = StaffRefSerializer(read_only=True, help_text="复勘人。")
    reason = EnumField(ResurveyReason, read_only=True)
    recorded_by = StaffRefSerializer(read_only=True)

    class Meta:
        model = Resurvey
        fields = ["id", "surveyor", "arrived_at", "reason", "note", "recorded_by", "recorded_at"]
        read_only_fields = fields


class PhotoFindingSerializer(serializers.Serializer):
    code = EnumField(PhotoCheck)
    message = serializers.CharField()
    attachment = serializers.IntegerField(
        required=False, help_text="near_duplicate：相似照片的附件 id。"
    )
    case_no = serializers.CharField(required=False, help_text="near_duplicate：相似照片的案件号。")
    distance = serializers.IntegerField(
        required=False, help_text="near_duplicate：感知哈希相差的位数。"
    )
    distance_km = serializers.FloatField(
        required=False, help_text="far_from_accident：拍摄地与出险地的距离（公里）。"
    )


class DuplicateRefSerializer(serializers.Serializer):
    attachment = serializers.IntegerField()
    case_no = serializers.CharField()


class AttachmentSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    kind = EnumField(AttachmentKind, read_only=True)
    doc_type = EnumField(DocumentType, read_only=True)
    loss_item = serializers.IntegerField(
        source="loss_item.seq",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="损失标的序号 seq；整案的附件为 null。",
    )
    uploaded_by = StaffRefSerializer(read_only=True)
    category = EnumField(
        PhotoCategory,
        read_only=True,
        help_text="照片分组（由资料类型得出）：现场、车辆、损失细节、单证。",
    )
    checks = PhotoFindingSerializer(
        many=True,
        read_only=True,
        help_text="真实性检查发现的问题：按 EXIF 的在上传时计算，相似照片（near_duplicate）"
        "在后台处理完成后补上；空表示未发现。",
    )
    duplicate_of = serializers.SerializerMethodField(
        help_text="其他案件中高度相似的照片（感知哈希相差不超过 6 位）；没有时为 null。"
    )
    download_url = serializers.SerializerMethodField(help_text="原图（与上传的字节完全相同）。")
    display_url = serializers.SerializerMethodField(
        help_text="带水印的展示图；非图片或尚未生成（processing 不是 ready）时为 null。"
    )
    thumbnail_url = serializers.SerializerMethodField(
        help_text="带水印的缩略图；非图片或尚未生成（processing 不是 ready）时为 null。"
    )
    processing = EnumField(
        ImageProcessing,
        read_only=True,
        help_text="展示图、缩略图和感知哈希在上传应答之后由后台任务生成：pending 处理中"
        "（display_url、thumbnail_url 为 null，相似照片检查未做），ready 已完成，"
        "failed 处理失败（原图已保存，原因见 processing_error）。非图片的附件为 ready。",
    )

    class Meta:
        model = Attachment
        fields = [
            "id",
            "kind",
            "doc_type",
            "category",
            "loss_item",
            "original_name",
            "content_type",
            "size",
            "width",
            "height",
            "sha256",
            "taken_at",
            "latitude",
            "longitude",
            "device",
            "checks",
            "duplicate_of",
            "uploaded_by",
            "uploaded_at",
            "download_url",
            "display_url",
            "thumbnail_url",
            "processing",
            "processing_error",
        ]
        read_only_fields = fields

    def _url(self, attachment: Attachment, name: str) -> str:
        url = reverse(name, kwargs={"case_no": attachment.case.case_no, "pk": attachment.pk})
        return _absolute(self, url)

    def get_download_url(self, attachment: Attachment) -> str:
        return self._url(attachment, "api:case-attachment-file")

    def get_display_url(self, attachment: Attachment) -> str | None:
        return self._url(attachment, "api:case-attachment-display") if attachment.display else None

    def get_thumbnail_url(self, attachment: Attachment) -> str | None:
        if not attachment.thumbnail:
            return None
        return self._url(attachment, "api:case-attachment-thumbnail")

    @extend_schema_field(DuplicateRefSerializer(allow_null=True))
    def get_duplicate_of(self, attachment: Attachment) -> dict | None:
        other = attachment.duplicate_of
        if other is None:
            return None
        return {"attachment": other.pk, "case_no": other.case.case_no}


class ReviewSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    decision = EnumField(ReviewDecision, read_only=True)
    reviewer = StaffRefSerializer(read_only=True)

    class Meta:
        model = Review
        fields = ["id", "level", "decision", "reason", "amount", "reviewer", "created_at"]
        read_only_fields = fields


class DocumentRequestSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    status = EnumField(DocumentRequestStatus, read_only=True)
    requested_by = StaffRefSerializer(read_only=True)
    fulfilled_by = StaffRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = DocumentRequest
        fields = [
            "id",
            "items",
            "due_date",
            "status",
            "requested_by",
            "requested_at",
            "fulfilled_by",
            "fulfilled_at",
            "fulfil_note",
        ]
        read_only_fields = fields


class AdjustingReportSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    issued_by = StaffRefSerializer(read_only=True)
    issuing_branch_name = serializers.CharField(source="issuing_branch.name", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = AdjustingReport
        fields = [
            "report_no",
            "amount",
            "issued_by",
            "issuing_branch",
            "issuing_branch_name",
            "issued_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, report: AdjustingReport) -> str:
        url = reverse("api:case-report-pdf", kwargs={"case_no": report.case.case_no})
        return _absolute(self, url)


class CaseEventSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    type = EnumField(EventType, read_only=True)
    type_label = serializers.CharField(source="get_type_display", read_only=True)
    actor = StaffRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "type", "type_label", "actor", "created_at", "message", "data"]
        read_only_fields = fields


# ------------------------------------------------------------------------------- cases


class CaseListSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    report_no = serializers.CharField(source="report.report_no", read_only=True)
    status = EnumField(CaseStatus, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    client_name = serializers.CharField(source="client.short_name", read_only=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    plate = serializers.CharField(source="report.plate", read_only=True)
    surveyor = StaffRefSerializer(read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "case_no",
            "report_no",
            "status",
            "status_label",
            "client",
            "client_name",
            "branch",
            "branch_name",
            "plate",
            "surveyor",
            "assessed_amount",
            "approved_amount",
            "opened_at",
            "closed_at",
            "version",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, case: Case) -> str:
        return _absolute(self, reverse("api:case-detail", kwargs={"case_no": case.case_no}))

    def to_representation(self, case: Case) -> dict:
        """The declared fields, read directly: DRF's generic path (a source lookup with
        `inspect.signature` per field, a URL reverse per row) was most of a list page's time
        at 50 rows (issue 16, decision 0025). Checked against the generic path by
        test_case_list_representation."""
        fields = self.fields
        surveyor = case.surveyor
        return {
            "case_no": case.case_no,
            "report_no": case.report.report_no,
            "status": case.status,
            "status_label": case.get_status_display(),
            "client": case.client_id,
            "client_name": case.client.short_name,
            "branch": case.branch_id,
            "branch_name": case.branch.name,
            "plate": case.report.plate,
            "surveyor": (
                None if surveyor is None else {"id": surveyor.pk, "full_name": surveyor.full_name}
            ),
            "assessed_amount": fields["assessed_amount"].to_representation(case.assessed_amount)
            if case.assessed_amount is not None
            else None,
            "approved_amount": fields["approved_amount"].to_representation(case.approved_amount)
            if case.approved_amount is not None
            else None,
            "opened_at": fields["opened_at"].to_representation(case.opened_at),
            "closed_at": fields["closed_at"].to_representation(case.closed_at)
            if case.closed_at is not None
            else None,
            "version": case.version,
            "url": self.case_url(case.case_no),
        }

    def case_url(self, case_no: str) -> str:
        """The detail URL, reversed once per response (a page's rows share it)."""
        root = self.root
        template = getattr(root, "_case_url", None)
        if template is None:
            placeholder = "__case_no__"
            template = self.get_url(Case(case_no=placeholder)).replace(placeholder, "{}")
            root._case_url = template
        return template.format(quote(case_no, safe=""))


class CaseDetailSerializer(CaseListSerializer):
    resume_status = serializers.SerializerMethodField()
    cancel_reason = serializers.SerializerMethodField()
    loss_items = LossItemSerializer(many=True, read_only=True)
    survey = SurveyRecordSerializer(read_only=True, allow_null=True)
    resurveys = ResurveySerializer(
        many=True, read_only=True, help_text="复勘记录（完成查勘后再次到场），按到达时间排列。"
    )
    attachments = AttachmentSerializer(many=True, read_only=True)
    reviews = ReviewSerializer(many=True, read_only=True)
    document_requests = DocumentRequestSerializer(many=True, read_only=True)
    adjusting_report = AdjustingReportSerializer(read_only=True, allow_null=True)
    available_actions = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "resume_status",
            "cancel_reason",
            "cancel_note",
            "loss_items",
            "survey",
            "resurveys",
            "attachments",
            "reviews",
            "document_requests",
            "adjusting_report",
            "available_actions",
        ]
        read_only_fields = fields

    def to_representation(self, case: Case) -> dict:
        """The list's fields read directly, the rest (nested parts, the apps' contributed
        fields) by DRF's generic path, in the declared order."""
        listed = super().to_representation(case)
        return {
            name: listed[name] if name in listed else _generic(field, case)
            for name, field in self.fields.items()
            if not field.write_only
        }

    def get_fields(self):
        """Claims' own fields, with each app's contributed ones after the field it names."""
        fields = super().get_fields()
        for contribution in registry.contributions():
            if contribution.api_fields is None:
                continue
            for name, field in contribution.api_fields().items():
                after = contribution.api_fields_after.get(name)
                names = list(fields)
                at = names.index(after) + 1 if after in fields else len(names)
                items = list(fields.items())
                items.insert(at, (name, field))
                fields = type(fields)(items)
        return fields

    @extend_schema_field(EnumField(CaseStatus, allow_null=True))
    def get_resume_status(self, case: Case) -> str | None:
        return enum_or_null(case.resume_status)

    @extend_schema_field(EnumField(CancelReason, allow_null=True))
    def get_cancel_reason(self, case: Case) -> str | None:
        return enum_or_null(case.cancel_reason)

    @extend_schema_field(serializers.ListField(child=EnumField(Action, labels=ACTION_LABELS)))
    def get_available_actions(self, case: Case) -> list[str]:
        user = self.context["request"].user
        actions = available_actions(user, case)
        reviews = set(REVIEW_ACTIONS.values())
        # Offered only to someone the review service would accept (as on the case page).
        if reviews & set(actions) and services.review_refusal(case, user) is not None:
            actions = [action for action in actions if action not in reviews]
        return [action.value for action in actions]


# ------------------------------------------------------------------------ action bodies


class SurveyInputSerializer(VersionSerializer):
    scene = EnumField(SceneType)
    accident_type = EnumField(AccidentType)
    liability = EnumField(Liability)
    weather = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=TEXT_MAX)
    travel_km = AmountField(
        kind=QUANTITY,
        required=False,
        allow_null=True,
        help_text="外勤里程（公里）：本次查勘往返行驶的里程，用于远程查勘费；"
        "不带此字段时保留原值，null 为未记录。",
    )


class ResurveyInputSerializer(VersionSerializer):
    surveyor = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="复勘人（员工 id）：本案机构或本案查勘员所在机构的在职查勘员；"
        "不带或为 null 时为本案查勘员。",
    )
    arrived_at = serializers.DateTimeField(
        help_text="到达现场时间：不能晚于现在，不能早于完成查勘的时间。"
    )
    reason = EnumField(ResurveyReason)
    note = serializers.CharField(
        max_length=NOTE_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="原因为「其他」（other）时必填。",
    )


class AttachmentInputSerializer(VersionSerializer):
    file = serializers.FileField(
        help_text="照片须为 JPEG、PNG、WebP 或 HEIC 图片；单证还可为 PDF。按内容判断类型。"
    )
    kind = EnumField(AttachmentKind)
    doc_type = EnumField(DocumentType)
    loss_item = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="损失标的序号 seq（可选）。"
    )


class ReviewInputSerializer(VersionSerializer):
    level = serializers.ChoiceField(
        choices=[1, 2],
        required=False,
        help_text="本次审核的级别（1 一级，2 二级），不带 version 时必填；"
        "案件已不在该级别时返回 409。",
    )
    decision = EnumField(ReviewDecision)
    reason = serializers.CharField(
        max_length=TEXT_MAX, required=False, allow_blank=True, default="", help_text="退回时必填。"
    )

    def validate(self, attrs):
        # A review must name what it acts on, or two reviewers acting together could have
        # the second one's level-1 decision land on level 2. Every missing piece at once.
        errors = {}
        if attrs.get("level") is None and attrs.get("version") is None:
            errors["level"] = ["请注明审核级别（1 或 2），或提供案件版本 version。"]
        if attrs["decision"] == ReviewDecision.RETURNED and not attrs["reason"].strip():
            errors["reason"] = ["退回须填写原因。"]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class DocumentRequestInputSerializer(VersionSerializer):
    items = serializers.CharField(max_length=TEXT_MAX, help_text="所需资料。")
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class FulfilInputSerializer(VersionSerializer):
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class CancelInputSerializer(VersionSerializer):
    reason = EnumField(CancelReason)
    note = serializers.CharField(
        max_length=NOTE_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="原因为「其他」时必填。",
    )


class CreatedInCaseMixin(serializers.Serializer):
    """An object created inside a case also reports the case's new version."""

    case_version = serializers.SerializerMethodField()

    def get_case_version(self, obj) -> int:
        return self.context["case_version"]


class CreatedAttachmentSerializer(CreatedInCaseMixin, AttachmentSerializer):
    class Meta(AttachmentSerializer.Meta):
        fields = [*AttachmentSerializer.Meta.fields, "case_version"]
        read_only_fields = fields


class CreatedDocumentRequestSerializer(CreatedInCaseMixin, DocumentRequestSerializer):
    class Meta(DocumentRequestSerializer.Meta):
        fields = [*DocumentRequestSerializer.Meta.fields, "case_version"]
        read_only_fields = fields


class CreatedResurveySerializer(CreatedInCaseMixin, ResurveySerializer):
    class Meta(ResurveySerializer.Meta):
        fields = [*ResurveySerializer.Meta.fields, "case_version"]
        read_only_fields = fields
