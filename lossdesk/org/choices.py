from django.db import models


class BranchLevel(models.TextChoices):
    HQ = "hq", "总部"
    PROVINCE = "province", "省级分公司"
    CITY = "city", "市级分公司"


class DataScope(models.TextChoices):
    OWN = "own", "本人"
    BRANCH = "branch", "本机构"
    SUBTREE = "subtree", "本机构及下级"
    ALL = "all", "全部"


class RepairShopKind(models.TextChoices):
    DEALER_4S = "4s", "4S店"
    CLASS_1 = "class1", "一类修理厂"
    CLASS_2 = "class2", "二类修理厂"
    OTHER = "other", "其他"
