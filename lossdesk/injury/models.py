"""Bodily injury (人伤): the injured person of an injury loss item, their medical bills as
audited (费用审核) and the compensation assessed on the case (人伤定损). Each hangs off one
claims.LossItem of kind "injury". The arithmetic is the rules' (rules.medical_audit, the
calculator's rules.injury through calc.calculations.injury); what is stored here is its
result with the inputs, so a reviewer approves exactly what was computed."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from lossdesk.calc.choices import InjuryOutcomeChoices
from lossdesk.claims.models import VersionedSheet
from lossdesk.core.limits import NOTE_MAX, TEXT_MAX
from lossdesk.injury.choices import (
    DeductionReason,
    FlagKind,
    FlagStatus,
    MedicalCategory,
    MedicalInsuranceClass,
    Relation,
    Sex,
    TreatmentOutcome,
    VisitKind,
)

ZERO = Decimal("0.00")


class InjuredPerson(models.Model):
    """Who was hurt. The ID number is personal data: shown masked unless the viewer's
    position may see it, every full showing recorded (core.masking.reveal)."""

    loss_item = models.OneToOneField(
        "claims.LossItem", models.CASCADE, related_name="injured_person", verbose_name="损失标的"
    )
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号码", max_length=18)
    sex = models.CharField("性别", max_length=6, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    residence = models.CharField("经常居住地", max_length=200, blank=True)
    urban = models.BooleanField("适用城镇标准", default=True)
    occupation = models.CharField("职业", max_length=100, blank=True)
    income_evidence = models.CharField("收入证明", max_length=NOTE_MAX, blank=True)
    relation = models.CharField("与车辆关系", max_length=24, choices=Relation.choices)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="记录人"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "伤者"
        verbose_name_plural = "伤者"

    def __str__(self) -> str:
        return self.name


class InjurySurvey(models.Model):
    """The injury survey (人伤查勘) and where the treatment stands: the first visit's hospital,
    department, bed and diagnosis, the discharge and the outcome. The diagnosis and the injury
    description are medical data: shown in full only to positions that may see personal data,
    every showing recorded."""

    loss_item = models.OneToOneField(
        "claims.LossItem", models.CASCADE, related_name="injury_survey", verbose_name="损失标的"
    )
    visited_on = models.DateField("首次查勘日期")
    hospital = models.CharField("医院", max_length=100)
    department = models.CharField("科室", max_length=50, blank=True)
    bed = models.CharField("床号", max_length=20, blank=True)
    admitted_on = models.DateField("入院日期", null=True, blank=True)
    diagnosis = models.CharField("诊断", max_length=NOTE_MAX)
    description = models.TextField("伤情描述", max_length=TEXT_MAX, blank=True)
    discharged_on = models.DateField("出院日期", null=True, blank=True)
    outcome = models.CharField(
        "治疗结果",
        max_length=12,
        choices=TreatmentOutcome.choices,
        default=TreatmentOutcome.TREATING,
    )
    surveyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="查勘人"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "人伤查勘"
        verbose_name_plural = "人伤查勘"

    def __str__(self) -> str:
        return f"{self.hospital} {self.visited_on}"

    @property
    def hospital_days(self) -> int | None:
        """Days from admission to discharge, once both are known."""
        if self.admitted_on and self.discharged_on:
            return (self.discharged_on - self.admitted_on).days
        return None


class HospitalVisit(models.Model):
    """One visit to the injured person: follow-up (跟踪), hospital patrol (巡查) or a resident
    check (驻点), with whether they were in their bed and whether records were sampled."""

    loss_item = models.ForeignKey(
        "claims.LossItem", models.CASCADE, related_name="hospital_visits", verbose_name="损失标的"
    )
    visited_on = models.DateField("日期")
    kind = models.CharField("方式", max_length=12, choices=VisitKind.choices)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="走访人"
    )
    # None: not an inpatient visit, or not checked.
    present = models.BooleanField("伤者在床", null=True, blank=True)
    records_sampled = models.BooleanField("抽查病历", default=False)
    findings = models.TextField("情况", max_length=TEXT_MAX)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "医疗走访"
        verbose_name_plural = "医疗走访"
        ordering = ["loss_item", "visited_on", "pk"]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.get_kind_display()}"


class DisabilityAppraisal(models.Model):
    """One disability appraised (伤残鉴定) by an institution under 人体损伤致残程度分级 (2017):
    an injury with its grade. Several rows are several disabilities (多处伤残); the
    assessment's grades are these."""

    loss_item = models.ForeignKey(
        "claims.LossItem",
        models.CASCADE,
        related_name="disability_appraisals",
        verbose_name="损失标的",
    )
    injury = models.CharField("伤残部位及情形", max_length=200)
    grade = models.PositiveSmallIntegerField(
        "伤残等级", validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    clause = models.CharField("分级条款", max_length=30, blank=True)
    institution = models.CharField("鉴定机构", max_length=100)
    appraised_on = models.DateField("鉴定日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="记录人"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "伤残鉴定"
        verbose_name_plural = "伤残鉴定"
        ordering = ["loss_item", "grade", "pk"]

    def __str__(self) -> str:
        return f"{self.grade} 级 {self.injury}"


class InvestigationFlag(models.Model):
    """A suspicion of the medical investigation (医疗调查) with its evidence, then the
    decision. A confirmed flag lets the bill audit deduct for its reason
    (choices.FLAG_REASONS)."""

    loss_item = models.ForeignKey(
        "claims.LossItem",
        models.CASCADE,
        related_name="investigation_flags",
        verbose_name="损失标的",
    )
    kind = models.CharField("疑点", max_length=16, choices=FlagKind.choices)
    evidence = models.TextField("证据", max_length=TEXT_MAX)
    visit = models.ForeignKey(
        HospitalVisit,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="flags",
        verbose_name="发现于走访",
    )
    status = models.CharField(
        "结论", max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN
    )
    decision_note = models.CharField("结论说明", max_length=NOTE_MAX, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="提出人"
    )
    raised_at = models.DateTimeField("提出时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="认定人",
    )
    decided_at = models.DateTimeField("认定时间", null=True, blank=True)

    class Meta:
        verbose_name = "医疗调查疑点"
        verbose_name_plural = "医疗调查疑点"
        ordering = ["loss_item", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.get_status_display()}）"


class InjuryAssessment(VersionedSheet):
    """The assessed compensation of one injured person (人伤定损): the calculator's inputs
    as given, the standard it used, every item with its formula and the total, and the
    audited medical totals. Replaced whole by each save; its version moves with every save,
    all through do_save_injury_assessment."""

    loss_item = models.OneToOneField(
        "claims.LossItem",
        models.CASCADE,
        related_name="injury_assessment",
        verbose_name="损失标的",
    )
    assessment_no = models.CharField("人伤定损单号", max_length=24, unique=True, editable=False)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="定损人"
    )
    outcome = models.CharField("伤情结果", max_length=12, choices=InjuryOutcomeChoices.choices)
    age = models.PositiveSmallIntegerField("出险时年龄")
    # Kept beside the inputs for lists and statistics (hospital days, the gravest grade).
    hospital_days = models.PositiveIntegerField("住院天数", default=0)
    highest_grade = models.PositiveSmallIntegerField("最高伤残等级", null=True, blank=True)
    # What the calculator took (POST /api/v1/calc/injury's body, age and medical amount
    # filled in from the person and the audit) and what it answered.
    inputs = models.JSONField("计算输入")
    standard = models.JSONField("赔偿标准")
    items = models.JSONField("赔偿项目")
    explanation = models.JSONField("计算说明")
    # The compensation split into CTPL 分项 and 三者险 by the case's liability
    # (calc.calculations.injury_split); None while the survey has not decided liability.
    split = models.JSONField("交强险与三者险分摊", null=True, blank=True)
    total = models.DecimalField("赔偿合计", max_digits=14, decimal_places=2)
    claimed_total = models.DecimalField("医疗费申报合计", max_digits=14, decimal_places=2)
    reasonable_total = models.DecimalField("医疗费合理合计", max_digits=14, decimal_places=2)
    deducted_total = models.DecimalField("医疗费核减合计", max_digits=14, decimal_places=2)
    remarks = models.TextField("定损说明", max_length=TEXT_MAX, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "人伤定损"
        verbose_name_plural = "人伤定损"

    def __str__(self) -> str:
        return self.assessment_no

    @property
    def document_no(self) -> str:
        return self.assessment_no

    def audit_by_category(self) -> list[dict]:
        """The audit summed by category, with the deductions of each by reason ("非医保用药
        300.00、挂床期间费用 100.00"), in the categories' order; from the (prefetched) lines."""
        rows: dict[str, dict] = {}
        for bill in self.bills.all():
            for line in bill.lines.all():
                row = rows.setdefault(
                    line.category,
                    {
                        "label": line.get_category_display(),
                        "claimed": ZERO,
                        "reasonable": ZERO,
                        "deducted": ZERO,
                        "by_reason": {},
                    },
                )
                row["claimed"] += line.claimed
                row["reasonable"] += line.reasonable
                row["deducted"] += line.deducted
                if line.deducted:
                    label = line.get_deduction_reason_display()
                    row["by_reason"][label] = row["by_reason"].get(label, ZERO) + line.deducted
        ordered = [rows[c] for c in MedicalCategory.values if c in rows]
        for row in ordered:
            row["reasons"] = "、".join(f"{k} {v:,.2f}" for k, v in row.pop("by_reason").items())
        return ordered


class Dependant(models.Model):
    """A person the injured (or deceased) supported (被扶养人)."""

    assessment = models.ForeignKey(
        InjuryAssessment, models.CASCADE, related_name="dependants", verbose_name="人伤定损"
    )
    seq = models.PositiveSmallIntegerField("序号")
    relation = models.CharField("关系", max_length=20, blank=True)
    age = models.PositiveSmallIntegerField("年龄")
    supporters = models.PositiveSmallIntegerField("扶养人数", default=1)
    unable_to_work = models.BooleanField("丧失劳动能力又无其他生活来源", default=False)

    class Meta:
        verbose_name = "被扶养人"
        verbose_name_plural = "被扶养人"
        ordering = ["assessment", "seq"]

    def __str__(self) -> str:
        return f"{self.relation or '被扶养人'} {self.age} 岁"


class MedicalBill(models.Model):
    """One medical invoice (票据) as audited."""

    assessment = models.ForeignKey(
        InjuryAssessment, models.CASCADE, related_name="bills", verbose_name="人伤定损"
    )
    seq = models.PositiveSmallIntegerField("序号")
    invoice_no = models.CharField("票据号", max_length=40, db_index=True)
    hospital = models.CharField("医院", max_length=100)
    bill_date = models.DateField("票据日期")
    inpatient = models.BooleanField("住院")
    claimed_total = models.DecimalField("申报合计", max_digits=14, decimal_places=2)
    reasonable_total = models.DecimalField("合理合计", max_digits=14, decimal_places=2)
    deducted_total = models.DecimalField("核减合计", max_digits=14, decimal_places=2)
    # Other cases whose bills carry the same invoice number (a possible double claim).
    duplicate_of = models.CharField("重复票据案件", max_length=200, blank=True)

    class Meta:
        verbose_name = "医疗票据"
        verbose_name_plural = "医疗票据"
        ordering = ["assessment", "seq"]

    def __str__(self) -> str:
        return f"{self.hospital} {self.invoice_no}"


class BillLine(models.Model):
    bill = models.ForeignKey(MedicalBill, models.CASCADE, related_name="lines", verbose_name="票据")
    seq = models.PositiveSmallIntegerField("序号")
    category = models.CharField("类别", max_length=12, choices=MedicalCategory.choices)
    item = models.CharField("项目", max_length=100)
    quantity = models.DecimalField("数量", max_digits=8, decimal_places=2, null=True, blank=True)
    insurance_class = models.CharField(
        "医保类别", max_length=1, choices=MedicalInsuranceClass.choices, blank=True
    )
    claimed = models.DecimalField("申报金额", max_digits=14, decimal_places=2)
    reasonable = models.DecimalField("合理金额", max_digits=14, decimal_places=2)
    deducted = models.DecimalField("核减金额", max_digits=14, decimal_places=2)
    deduction_reason = models.CharField(
        "核减原因", max_length=24, choices=DeductionReason.choices, blank=True
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "票据明细"
        verbose_name_plural = "票据明细"
        ordering = ["bill", "seq"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.item}"
