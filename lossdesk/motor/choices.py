from django.db import models


class LineKind(models.TextChoices):
    REPLACE = "replace", "换件"
    REPAIR = "repair", "修复"
    PAINT = "paint", "喷漆"
    LABOUR = "labour", "工时"
    MATERIALS = "materials", "辅料"
    SUBLET = "sublet", "外修"
