"""Choices of the calc app, taken from the rules package so the two can never disagree.

The Python names end in `Choices`; the class names (shown in the OpenAPI schema as
`<Name>Enum`) are the plain domain names."""

from django.db import models

from lossdesk.rules import injury as rules_injury
from lossdesk.rules.commercial import LIABILITY_LABELS, LiabilityLevel
from lossdesk.rules.ctpl import KIND_LABELS, LossKind
from lossdesk.rules.depreciation import (
    VEHICLE_CLASS_LABELS,
    VEHICLE_USE_LABELS,
    VehicleClass,
    VehicleUse,
)

VehicleClassChoices = models.TextChoices(
    "VehicleClass", [(c.name, (c.value, VEHICLE_CLASS_LABELS[c])) for c in VehicleClass]
)
VehicleUseChoices = models.TextChoices(
    "VehicleUse", [(u.name, (u.value, VEHICLE_USE_LABELS[u])) for u in VehicleUse]
)
LossKindChoices = models.TextChoices(
    "LossKind", [(k.name, (k.value, KIND_LABELS[k])) for k in LossKind]
)
LiabilityLevelChoices = models.TextChoices(
    "LiabilityLevel",
    [(level.name, (level.value, LIABILITY_LABELS[level])) for level in LiabilityLevel],
)
InjuryOutcomeChoices = models.TextChoices(
    "InjuryOutcome",
    [
        ("INJURY", (rules_injury.Outcome.injury.value, "受伤（未定残）")),
        ("DISABILITY", (rules_injury.Outcome.disability.value, "伤残")),
        ("DEATH", (rules_injury.Outcome.death.value, "死亡")),
    ],
)
AddonKindChoices = models.TextChoices(
    "DisabilityAddonKind",
    [
        (
            "TENTH_OF_GRADE",
            (rules_injury.AddonKind.tenth_of_grade.value, "每处增加该等级系数的十分之一（默认）"),
        ),
        ("PER_EXTRA_FIXED", (rules_injury.AddonKind.per_extra_fixed.value, "每处增加固定比例")),
        ("GRADE_TABLE", (rules_injury.AddonKind.grade_table.value, "按等级查附加指数表")),
    ],
)
