from django.db import models

# The outcome is the calculator's (calc.choices.InjuryOutcomeChoices).


class Sex(models.TextChoices):
    """rules.id_number.Sex with its labels (a test keeps the two equal)."""

    MALE = "male", "男"
    FEMALE = "female", "女"


class Relation(models.TextChoices):
    """How the injured person was involved (与车辆的关系)."""

    DRIVER = "driver", "本车驾驶人"
    PASSENGER = "passenger", "本车乘车人"
    PEDESTRIAN = "pedestrian", "行人"
    THIRD_PARTY_OCCUPANT = "third_party_occupant", "三者车人员"
    OTHER = "other", "其他"


class MedicalCategory(models.TextChoices):
    """rules.medical_audit.MedicalCategory with its labels."""

    DRUGS = "drugs", "药品"
    EXAMINATION = "examination", "检查"
    TREATMENT = "treatment", "治疗"
    SURGERY = "surgery", "手术"
    BED = "bed", "床位"
    NURSING = "nursing", "护理"
    MATERIALS = "materials", "材料"
    OTHER = "other", "其他"


class MedicalInsuranceClass(models.TextChoices):
    A = "a", "甲"
    B = "b", "乙"
    C = "c", "丙"


class DeductionReason(models.TextChoices):
    """rules.medical_audit.DeductionReason with its labels."""

    NON_INSURED_DRUG = "non_insured_drug", "非医保用药"
    OVER_INSURANCE_LIMIT = "over_insurance_limit", "超医保限额"
    UNRELATED = "unrelated", "与事故无关"
    DUPLICATE_CHARGE = "duplicate_charge", "重复收费"
    NO_RECEIPT = "no_receipt", "无票据"
    BED_BLOCKING = "bed_blocking", "挂床期间费用"
    OTHER = "other", "其他"
