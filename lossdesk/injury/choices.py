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
    # Reasons that rest on a confirmed finding of the medical investigation (FLAG_REASONS).
    IMPERSONATION = "impersonation", "冒名就医"
    OVER_TREATMENT = "over_treatment", "过度医疗"
    PRE_EXISTING = "pre_existing", "既往病史"
    OTHER = "other", "其他"


class TreatmentOutcome(models.TextChoices):
    """Where the treatment stands (治疗结果), from the survey and the follow-up."""

    TREATING = "treating", "治疗中"
    RECOVERED = "recovered", "痊愈"
    APPRAISAL = "appraisal", "伤残鉴定"
    DEATH = "death", "死亡"


class VisitKind(models.TextChoices):
    """A visit to the injured person (人伤查勘与跟踪、医疗巡查)."""

    FIRST = "first", "首次查勘"
    FOLLOW_UP = "follow_up", "跟踪回访"
    PATROL = "patrol", "医疗巡查"
    RESIDENT = "resident", "驻点驻院"


class FlagKind(models.TextChoices):
    """A suspicion of the medical investigation (医疗调查疑点)."""

    IMPERSONATION = "impersonation", "冒名就医"
    BED_BLOCKING = "bed_blocking", "挂床住院"
    OVER_TREATMENT = "over_treatment", "过度医疗"
    UNRELATED = "unrelated", "与本次事故无关"
    PRE_EXISTING = "pre_existing", "既往病史"


class FlagStatus(models.TextChoices):
    OPEN = "open", "待核实"
    CONFIRMED = "confirmed", "已确认"
    DISMISSED = "dismissed", "已排除"


class FlagDecision(models.TextChoices):
    """What deciding a flag makes of it (its status after)."""

    CONFIRMED = FlagStatus.CONFIRMED.value, "确认"
    DISMISSED = FlagStatus.DISMISSED.value, "排除"


# The deduction reason a confirmed flag gives the bill audit. A line deducted for one of
# these reasons needs a confirmed flag of its kind on the item; 与事故无关 is also a reason
# of its own (an unrelated drug on the bill needs no investigation).
FLAG_REASONS: dict[str, str] = {
    FlagKind.IMPERSONATION: DeductionReason.IMPERSONATION,
    FlagKind.BED_BLOCKING: DeductionReason.BED_BLOCKING,
    FlagKind.OVER_TREATMENT: DeductionReason.OVER_TREATMENT,
    FlagKind.UNRELATED: DeductionReason.UNRELATED,
    FlagKind.PRE_EXISTING: DeductionReason.PRE_EXISTING,
}
FLAG_ONLY_REASONS = frozenset(FLAG_REASONS.values()) - {DeductionReason.UNRELATED}
