import re
import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from lossdesk.claims import registry
from lossdesk.claims.choices import (
    PHOTO_CATEGORY_OF_TYPE,
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
    ResurveyReason,
    ReviewDecision,
    SceneType,
)
from lossdesk.core.limits import NOTE_MAX, TEXT_MAX
from lossdesk.core.masking import MASK_TAIL
from lossdesk.core.models import AppendOnlyModel, AppendOnlyQuerySet
from lossdesk.org.positions import CASE_VIEW
from lossdesk.org.scoping import ScopedQuerySet, sees_branches


class CaseQuerySet(ScopedQuerySet):
    """Case visibility, the one rule of org.scoping: a case belongs to its branch and, for
    scope own, to its surveyor and to whoever registered its report."""

    scope_owners = ("surveyor", "report__created_by")
    scope_permissions = {"view": CASE_VIEW}

    def scope_q(self, user) -> Q:
        """Widened by what the apps register: own also covers the cases whose assessment
        document the user prepared (every loss line's assessor); scopes that reach whole
        branches also cover the cases an app makes visible to them (a case delegated to a
        branch in another region, 委托异地, belongs to the receiving branch too)."""
        visible = super().scope_q(user)
        if not visible:  # scope all: every case
            return visible
        if sees_branches(user):
            return visible | self.shown_to_branches(user)
        prepared = Q(pk__in=[])
        for line in registry.loss_lines():
            prepared |= Q(**{line.assessor: user})
        return visible | Q(Exists(LossItem.objects.filter(prepared, case=OuterRef("pk"))))

    @staticmethod
    def shown_to_branches(user) -> Q:
        """The cases apps show to the user's branches beyond their own (delegated in)."""
        shown = Q(pk__in=[])
        for contribution in registry.contributions():
            if contribution.visible is not None:
                shown |= contribution.visible(user)
        return shown

    def search(self, q: str, *, phones: bool) -> "CaseQuerySet":
        """By case or report number, client claim number, plate, VIN, phone or the name of
        the reporter or driver. Without `phones` (the viewer may not see phones) a phone
        matches only on the last digits its mask shows, so searching cannot tell a masked
        viewer whose number is whose."""
        q = search_term(q)
        if not q:
            return self
        words = is_chinese_words(q)
        on_report = name_match(q)
        if not words or len(q) >= 3:
            on_report |= Q(report__client_claim_no__icontains=q)
        if not words:
            on_report |= (
                Q(report__report_no__icontains=q)
                | Q(report__plate__icontains=q)
                | Q(report__vin__icontains=q)
            )
            if phones:
                on_report |= phone_match(q, "contains")
            elif q.isdigit() and len(q) <= MASK_TAIL:
                on_report |= phone_match(q, "endswith")
        # One table per branch of the union, so each can use its own (trigram) indexes on
        # PostgreSQL (claims migrations 0009 and 0013), and IN keeps one row per case without
        # a DISTINCT over the whole scoped list (decision 0014).
        cases = Case.objects.order_by()
        found = cases.filter(on_report).values("pk")
        if not words:
            found = found.union(
                cases.filter(case_no__icontains=q).values("pk"),
                LossItem.objects.order_by().filter(plate__icontains=q).values("case_id"),
            )
        # The matches' ids first, as values: given a subquery the planner guesses how many
        # match and may walk the whole list in its order (index) to meet them (decision
        # 0017). A term matching more than SEARCH_IDS cases stays a subquery.
        ids = [row["pk"] for row in found.order_by("pk")[: SEARCH_IDS + 1]]
        return self.filter(pk__in=ids if len(ids) <= SEARCH_IDS else found)


PHONE_FIELDS = ("reporter_phone", "driver_phone")  # on the report


def search_term(q: str) -> str:
    return q.strip().upper().replace(" ", "")


NAME_FIELDS = ("reporter_name", "driver_name")  # on the report
SEARCH_IDS = 5_000
CHINESE_WORDS = re.compile(r"[\u3400-\u9fff]{2,}")


def is_chinese_words(q: str) -> bool:
    """Two or more Chinese characters and nothing else: no case or report number, plate,
    VIN or phone holds two in a row (their formats), so such a term is looked for only in
    names and, from three characters (a trigram to look up), client claim numbers
    (decision 0017)."""
    return CHINESE_WORDS.fullmatch(q) is not None


def name_match(q: str) -> Q:
    """A name starting with the term; one of three characters or more also anywhere in it.
    (A trigram index serves both; two characters inside a name have no trigram to look up,
    and most Chinese names are two or three characters long.)"""
    lookup = "icontains" if len(q) >= 3 else "istartswith"
    match = Q()
    for name in NAME_FIELDS:
        match |= Q(**{f"report__{name}__{lookup}": q})
    return match


def phone_match(q: str, lookup: str) -> Q:
    match = Q()
    for name in PHONE_FIELDS:
        match |= Q(**{f"report__{name}__{lookup}": q})
    return match


class Case(models.Model):
    """One adjusting job, opened when a report is registered (案件)."""

    case_no = models.CharField("案件号", max_length=20, unique=True, editable=False)
    report = models.OneToOneField(
        "intake.Report", models.PROTECT, related_name="case", verbose_name="报案"
    )
    # Both lead a composite index in Meta, which serves their lookups too.
    client = models.ForeignKey(
        "org.Client", models.PROTECT, related_name="cases", verbose_name="委托方", db_index=False
    )
    branch = models.ForeignKey(
        "org.Branch", models.PROTECT, related_name="cases", verbose_name="承办机构", db_index=False
    )
    status = models.CharField(
        "状态", max_length=20, choices=CaseStatus.choices, default=CaseStatus.REGISTERED
    )
    # Where a case paused for documents goes back to once they are all in.
    resume_status = models.CharField(
        "补充资料后恢复状态", max_length=20, choices=CaseStatus.choices, blank=True
    )
    version = models.PositiveIntegerField("版本", default=1)
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="surveyed_cases",
        verbose_name="查勘员",
    )
    assessed_amount = models.DecimalField(
        "定损金额", max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    approved_amount = models.DecimalField(
        "核定金额", max_digits=14, decimal_places=2, null=True, blank=True
    )
    cancel_reason = models.CharField(
        "注销原因", max_length=30, choices=CancelReason.choices, blank=True
    )
    cancel_note = models.CharField("注销说明", max_length=500, blank=True)
    opened_at = models.DateTimeField("立案时间")
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "案件"
        verbose_name_plural = "案件"
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["branch", "status", "-opened_at"]),
            models.Index(fields=["status", "-opened_at"]),
            models.Index(fields=["client", "-opened_at"]),
            # The list's order: its pages are read from the index (with the branch, which
            # the scope checks, so a deep page's ids need no table row; decision 0016).
            models.Index(fields=["-opened_at", "-id", "branch"], name="claims_case_list_order"),
        ]
        permissions = [
            ("dispatch_case", "调度"),
            ("survey_case", "查勘"),
            ("assess_case", "定损"),
            ("review_case", "审核（一级）"),
            ("review_case_second", "审核（二级）"),
            ("request_documents", "资料补充"),
            ("issue_report", "出具公估报告"),
            ("close_case", "结案"),
            ("cancel_case", "注销"),
        ]

    def __str__(self) -> str:
        return self.case_no


class LossItem(models.Model):
    """One thing lost in a case: a vehicle, a piece of property or an injured person."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="loss_items", verbose_name="案件")
    seq = models.PositiveSmallIntegerField("序号")
    kind = models.CharField("损失类型", max_length=20, choices=LossItemKind.choices)
    status = models.CharField(
        "状态", max_length=12, choices=LossItemStatus.choices, default=LossItemStatus.PENDING
    )
    label = models.CharField("标的名称", max_length=100)
    plate = models.CharField("车牌号", max_length=12, blank=True)

    class Meta:
        verbose_name = "损失标的"
        verbose_name_plural = "损失标的"
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="uniq_loss_item_seq")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.label}"

    @property
    def is_vehicle(self) -> bool:
        return self.kind in (LossItemKind.INSURED_VEHICLE, LossItemKind.THIRD_PARTY_VEHICLE)


class VersionedSheet(models.Model):
    """A loss item's sheet that keeps its own version (decision 0007, amended): every save
    of the sheet moves it (`services.check_sheet_version` gives the next one), and an editor
    sends the one it started from, so only a save of the sheet meanwhile refuses a save, not
    a photo or another change to the case."""

    version = models.PositiveIntegerField("定损单版本", default=1, editable=False)

    class Meta:
        abstract = True


class SurveyRecord(models.Model):
    """What the surveyor found on site (查勘记录)."""

    case = models.OneToOneField(Case, models.CASCADE, related_name="survey", verbose_name="案件")
    scene = models.CharField("现场类型", max_length=12, choices=SceneType.choices)
    accident_type = models.CharField("事故类型", max_length=20, choices=AccidentType.choices)
    liability = models.CharField("事故责任", max_length=8, choices=Liability.choices)
    liability_ratio = models.DecimalField("责任比例", max_digits=3, decimal_places=2)
    weather = models.CharField("天气", max_length=20, blank=True)
    description = models.TextField("查勘情况", max_length=TEXT_MAX)
    # What the surveyor drove for this survey, there and back; the fee's remote-survey extra
    # (billing) counts the kilometres beyond the contract's threshold. Blank: not recorded.
    travel_km = models.DecimalField(
        "外勤里程（公里）",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="本次查勘往返行驶的里程，用于远程查勘费。",
    )
    surveyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="查勘人"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "查勘记录"
        verbose_name_plural = "查勘记录"

    def __str__(self) -> str:
        return f"{self.case} 查勘记录"


class Resurvey(models.Model):
    """A surveyor's visit to the scene, the vehicle or the property after the survey was
    completed (复勘), e.g. to see hidden damage once the vehicle is taken apart. Billed by
    the client's fee contract (`resurvey_fee`) per visit."""

    # The unique constraint below leads with the case, which serves the case's look-ups too.
    case = models.ForeignKey(
        Case, models.CASCADE, related_name="resurveys", verbose_name="案件", db_index=False
    )
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="复勘人"
    )
    arrived_at = models.DateTimeField("到达时间")
    reason = models.CharField("复勘原因", max_length=20, choices=ResurveyReason.choices)
    note = models.CharField("说明", max_length=NOTE_MAX, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="记录人"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "复勘记录"
        verbose_name_plural = "复勘记录"
        ordering = ["case", "arrived_at", "id"]
        constraints = [
            # One person arrives once at a time: a second record of it would bill it twice.
            models.UniqueConstraint(
                fields=["case", "surveyor", "arrived_at"], name="uniq_resurvey_visit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} 复勘 {timezone.localtime(self.arrived_at):%Y-%m-%d %H:%M}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # A random name: the original (often Chinese, sometimes hostile) name is kept in a field.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"cases/{instance.case.case_no}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A photo or document of a case, stored through Django's storage API."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="attachments", verbose_name="案件")
    loss_item = models.ForeignKey(
        LossItem,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name="损失标的",
    )
    kind = models.CharField("类别", max_length=10, choices=AttachmentKind.choices)
    doc_type = models.CharField("资料类型", max_length=30, choices=DocumentType.choices)
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField(max_length=64, db_index=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    # The client's id for this upload (Idempotency-Key): a retry answers this attachment
    # (decision 0015).
    idempotency_key = models.CharField("幂等键", max_length=100, null=True, blank=True)
    # Read from the image's EXIF (claims.photos); null when the photo does not say.
    taken_at = models.DateTimeField("拍摄时间", null=True, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    device = models.CharField("拍摄设备", max_length=100, blank=True)
    exif = models.JSONField("EXIF 摘要", default=dict, blank=True)
    # Watermarked copies of an image for the pages; the original file is never altered.
    display = models.FileField("展示图", upload_to=attachment_path, max_length=200, blank=True)
    thumbnail = models.FileField("缩略图", upload_to=attachment_path, max_length=200, blank=True)
    # The copies and the pHash are made after the upload answers (claims.tasks); a
    # document that is not an image has nothing to make and is ready at once.
    processing = models.CharField(
        "图片处理", max_length=10, choices=ImageProcessing.choices, default=ImageProcessing.READY
    )
    processing_error = models.CharField("处理失败原因", max_length=200, blank=True)
    # Authenticity findings of a photo: [{"code": PhotoCheck, "message": …}, …].
    checks = models.JSONField("真实性检查", default=list, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="相似照片",
    )

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["case", "uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="uniq_attachment_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def category(self) -> PhotoCategory:
        return PHOTO_CATEGORY_OF_TYPE.get(self.doc_type, PhotoCategory.DOCUMENTS)

    def served(self, variant: str = "file") -> tuple | None:
        """(stored file, content type, download name) of the original (`file`) or a
        watermarked copy (`display`, `thumbnail`: JPEG); None when it has no such copy."""
        if variant == "file":
            return self.file, self.content_type, self.original_name
        stored = getattr(self, variant)
        if not stored:
            return None
        return stored, "image/jpeg", f"{PurePath(self.original_name).stem}-{variant}.jpg"


class PhotoHash(models.Model):
    """A photo's 64-bit perceptual hash (pHash), with its four 16-bit bands each indexed
    together with the hash: two hashes at most 6 bits apart agree within one bit on at least
    one band, so the near-duplicate search probes 4 × 17 band values through the indexes
    (index-only) and checks the distance of the few hashes found (claims.photos)."""

    attachment = models.OneToOneField(
        Attachment, models.CASCADE, primary_key=True, related_name="photo_hash"
    )
    phash = models.BigIntegerField()  # the 64 bits as a signed integer
    band0 = models.SmallIntegerField()
    band1 = models.SmallIntegerField()
    band2 = models.SmallIntegerField()
    band3 = models.SmallIntegerField()

    class Meta:
        verbose_name = "照片感知哈希"
        verbose_name_plural = "照片感知哈希"
        indexes = [
            models.Index(fields=[f"band{i}", "phash"], name=f"claims_photohash_band{i}")
            for i in range(4)
        ]

    def __str__(self) -> str:
        return f"{self.phash & (2**64 - 1):016x}"


class DocumentRequest(models.Model):
    """Documents asked of the insured; an open request pauses the case (资料补充)."""

    case = models.ForeignKey(
        Case, models.CASCADE, related_name="document_requests", verbose_name="案件"
    )
    items = models.TextField("所需资料", max_length=TEXT_MAX)
    due_date = models.DateField("截止日期", null=True, blank=True)
    status = models.CharField(
        "状态",
        max_length=10,
        choices=DocumentRequestStatus.choices,
        default=DocumentRequestStatus.OPEN,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="发起人"
    )
    requested_at = models.DateTimeField("发起时间", auto_now_add=True)
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人",
    )
    fulfilled_at = models.DateTimeField("补齐时间", null=True, blank=True)
    fulfil_note = models.CharField("补齐说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "资料补充"
        verbose_name_plural = "资料补充"
        ordering = ["case", "requested_at"]

    def __str__(self) -> str:
        return f"{self.case} {self.items[:20]}"


class Review(models.Model):
    """One review decision (审核/核损) at level 1 or 2."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="reviews", verbose_name="案件")
    level = models.PositiveSmallIntegerField("审核级别")
    decision = models.CharField("结论", max_length=10, choices=ReviewDecision.choices)
    reason = models.TextField("意见", max_length=TEXT_MAX, blank=True)
    amount = models.DecimalField("审核时定损金额", max_digits=14, decimal_places=2)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="审核人"
    )
    created_at = models.DateTimeField("审核时间", auto_now_add=True)

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["case", "created_at"]

    def __str__(self) -> str:
        return f"{self.case} L{self.level} {self.decision}"


def report_path(instance: "AdjustingReport", filename: str) -> str:
    return f"reports/{instance.case.case_no}/{uuid.uuid4().hex}.pdf"


class AdjustingReport(models.Model):
    """The adjusting report delivered to the client (公估报告), frozen as a PDF."""

    case = models.OneToOneField(
        Case, models.PROTECT, related_name="adjusting_report", verbose_name="案件"
    )
    report_no = models.CharField("报告编号", max_length=24, unique=True)
    file = models.FileField("PDF", upload_to=report_path, max_length=200)
    amount = models.DecimalField("核定金额", max_digits=14, decimal_places=2)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="出具人"
    )
    issuing_branch = models.ForeignKey(
        "org.Branch", models.PROTECT, related_name="+", verbose_name="出具机构"
    )
    issued_at = models.DateTimeField("出具时间")

    class Meta:
        verbose_name = "公估报告"
        verbose_name_plural = "公估报告"

    def __str__(self) -> str:
        return self.report_no


class CaseEvent(AppendOnlyModel):
    """The case timeline: who did what, when, with before/after values. Append-only."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="events", verbose_name="案件")
    type = models.CharField("事件", max_length=30, choices=EventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", verbose_name="操作人"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    message = models.CharField("说明", max_length=500)
    data = models.JSONField("变更", default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "案件事件"
        verbose_name_plural = "案件事件"
        ordering = ["case", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.type}"
