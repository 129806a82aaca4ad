"""Bodily injury (人伤): the injured person of an injury loss item, their medical bills as
audited (费用审核) and the compensation assessed on the case (人伤定损). Each hangs off one
claims.LossItem of kind "injury". The arithmetic is the rules' (rules.medical_audit, the
calculator's rules.injury through calc.calculations.injury); what is stored here is its
result with the inputs, so a reviewer approves exactly what was computed."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from lossdesk.calc.choices import InjuryOutcomeChoices
from lossdesk.core.limits import NOTE_MAX, TEXT_MAX
from lossdesk.injury.choices import (
    DeductionReason,
    MedicalCategory,
    MedicalInsuranceClass,
    Relation,
    Sex,
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


class InjuryAssessment(models.Model):
    """The assessed compensation of one injured person (人伤定损): the calculator's inputs
    as given, the standard it used, every item with its formula and the total, and the
    audited medical totals. Replaced whole by each save."""

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
