from django.db import models


class AccessAction(models.TextChoices):
    SHOWN = "shown", "显示完整信息"
    SEARCHED = "searched", "按完整号码搜索命中"
