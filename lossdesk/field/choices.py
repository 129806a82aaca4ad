from django.db import models


class RescueType(models.TextChoices):
    TOW = "tow", "拖车"
    JUMP_START = "jump_start", "搭电"
    TYRE_CHANGE = "tyre_change", "换胎"
    FUEL_DELIVERY = "fuel_delivery", "送油"
    CRANE = "crane", "吊装"
    OTHER = "other", "其他"
