from django.db import models


class PropertyCategory(models.TextChoices):
    ROAD_FACILITY = "road_facility", "道路设施/护栏"
    GREENERY = "greenery", "绿化"
    BUILDING = "building", "建筑物/门面"
    MUNICIPAL = "municipal", "市政设施"
    GOODS = "goods", "货物"
    ON_BOARD = "on_board", "车上/车内财物"
    CROPS_LIVESTOCK = "crops_livestock", "农作物/牲畜"
    OTHER = "other", "其他"


class OwnerType(models.TextChoices):
    PERSON = "person", "个人"
    ORGANISATION = "organisation", "单位"


class Treatment(models.TextChoices):
    """The sheet's treatments: rules.property.Treatment with its labels (a test keeps the
    two equal)."""

    REPLACE = "replace", "更换"
    COMPENSATE = "compensate", "赔偿"
    REPAIR = "repair", "修复"
    CLEAN_UP = "clean_up", "清理"
    LABOUR = "labour", "人工"


class OfferParty(models.TextChoices):
    OWNER = "owner", "物主"
    ADJUSTER = "adjuster", "公估方"
    INSURER = "insurer", "保险公司"
