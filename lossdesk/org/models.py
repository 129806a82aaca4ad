import uuid
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, Permission, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from knox.models import AbstractAuthToken

from lossdesk.core.validators import validate_mobile
from lossdesk.org.choices import BranchLevel, DataScope, RepairShopKind
from lossdesk.org.positions import ADMIN_POSITIONS
from lossdesk.org.scoping import ScopedQuerySet


class BranchQuerySet(ScopedQuerySet):
    scope_branch = ""  # a branch is its own


class Branch(models.Model):
    """A node of the firm's organisation tree. `path` ("/1/4/9/") makes "this branch and
    everything below it" a single indexed prefix match."""

    code = models.SlugField("机构代码", max_length=30, unique=True)
    name = models.CharField("机构名称", max_length=100, unique=True)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级机构",
    )
    level = models.CharField("层级", max_length=10, choices=BranchLevel.choices)
    province = models.CharField("省份", max_length=20, blank=True)
    city = models.CharField("城市", max_length=20, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)
    path = models.CharField(max_length=255, editable=False, db_index=True)
    active = models.BooleanField("启用", default=True)
    # Dispatch settings (intake): how long a surveyor has to accept, whether the system
    # dispatches the top-ranked surveyor itself, and the region used to tell 委托异地.
    accept_deadline_minutes = models.PositiveSmallIntegerField(
        "接单时限（分钟）",
        default=10,
        validators=[MinValueValidator(1)],
        help_text="查勘员超过该时间未接单，案件退回调度队列并提醒调度员。",
    )
    auto_dispatch = models.BooleanField(
        "自动调度", default=False, help_text="登记报案后由系统调度推荐排名第一的查勘员。"
    )
    region = models.CharField(
        "调度区域",
        max_length=30,
        blank=True,
        help_text="委托异地时据此判断是否异地；为空时按省份+城市。",
    )

    objects = BranchQuerySet.as_manager()

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if path != self.path:
            old = self.path
            Branch.objects.filter(pk=self.pk).update(path=path)
            if old:  # moved: carry the subtree along
                for child in Branch.objects.filter(path__startswith=old).exclude(pk=self.pk):
                    Branch.objects.filter(pk=child.pk).update(path=path + child.path[len(old) :])
            self.path = path

    @property
    def dispatch_region(self) -> str:
        """The region that decides whether a delegation goes to "another region"."""
        return self.region or f"{self.province}{self.city}" or self.code


class Position(models.Model):
    """A role: a set of permissions plus a data scope (岗位)."""

    code = models.SlugField("岗位代码", max_length=40, unique=True)
    name = models.CharField("岗位名称", max_length=50, unique=True)
    data_scope = models.CharField("数据范围", max_length=10, choices=DataScope.choices)
    permissions = models.ManyToManyField(Permission, blank=True, verbose_name="权限")
    description = models.CharField("说明", max_length=200, blank=True)
    # A new value whenever any position's permissions change (positions.permissions_changed):
    # each process keys what it remembers of a position's permissions by it (PositionBackend).
    permissions_token = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            old_code = Position.objects.filter(pk=self.pk).values_list("code", flat=True).first()
            if (
                old_code is not None
                and old_code != self.code
                and (old_code in ADMIN_POSITIONS or self.code in ADMIN_POSITIONS)
            ):
                # Renaming would move the fixed rights to another position, or lift them.
                raise ValidationError({"code": ["三员岗位的岗位代码不能修改。"]})
        super().save(*args, **kwargs)

    @property
    def is_administrator(self) -> bool:
        """One of the three administrator positions (三员), whose rights are fixed in code."""
        return self.code in ADMIN_POSITIONS


class StaffQuerySet(ScopedQuerySet):
    """The people a user may see and pick (e.g. as surveyor). Nobody owns a staff row, so
    scope own sees the user's branch. No permission: the views decide who may list staff."""


class StaffManager(UserManager.from_queryset(StaffQuerySet)):
    pass


class Staff(AbstractUser):
    """A person of the firm; the login account. Permissions come only from the position."""

    full_name = models.CharField("姓名", max_length=50)
    branch = models.ForeignKey(
        Branch, models.PROTECT, null=True, blank=True, related_name="staff", verbose_name="所属机构"
    )
    position = models.ForeignKey(
        Position, models.PROTECT, null=True, blank=True, related_name="staff", verbose_name="岗位"
    )
    mobile = models.CharField("手机", max_length=20, blank=True, validators=[validate_mobile])
    employee_no = models.CharField("工号", max_length=30, blank=True)
    # Smart dispatch (intake.scoring): what a surveyor can survey and where they were last.
    skill_vehicle = models.BooleanField("技能：车辆", default=True)
    skill_property = models.BooleanField("技能：物损", default=False)
    skill_injury = models.BooleanField("技能：人伤", default=False)
    last_lat = models.DecimalField(
        "最近位置纬度", max_digits=9, decimal_places=6, null=True, blank=True
    )
    last_lng = models.DecimalField(
        "最近位置经度", max_digits=9, decimal_places=6, null=True, blank=True
    )
    last_position_at = models.DateTimeField("最近位置时间", null=True, blank=True)
    password_change_required = models.BooleanField(
        "须修改密码",
        default=False,
        editable=False,
        help_text="临时密码（新账号或被强制重置）：登录后必须先修改密码才能办理其他业务。",
    )

    objects = StaffManager()

    class Meta:
        verbose_name = "员工"
        verbose_name_plural = "员工"
        ordering = ["branch__path", "username"]
        permissions = [
            ("assign_position", "分配岗位"),
            ("view_pii", "查看完整个人敏感信息"),
            ("view_audit_log", "查看审计日志"),
            ("reset_password", "强制重置密码"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def data_scope(self) -> str | None:
        return self.position.data_scope if self.position_id else None

    @property
    def skills(self) -> frozenset[str]:
        """ "vehicle" / "property" / "injury": the loss kinds this person can survey."""
        flags = {
            "vehicle": self.skill_vehicle,
            "property": self.skill_property,
            "injury": self.skill_injury,
        }
        return frozenset(name for name, on in flags.items() if on)


class AuthToken(AbstractAuthToken):
    """An API token (django-rest-knox): one per login and device, kept only as a digest, with
    an idle and an absolute lifetime (REST_KNOX in settings), ended by a password change.
    `public_id` names it in
    GET/DELETE /api/v1/auth/tokens without revealing any part of the secret."""

    public_id = models.UUIDField("编号", default=uuid.uuid4, unique=True, editable=False)
    device = models.CharField("设备", max_length=200, blank=True)
    # The owner's session auth hash (an HMAC of the password hash) at login: like a session,
    # the token ends with any change of password, whichever path makes it.
    password_hash = models.CharField(max_length=128, blank=True, editable=False)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created"]


class Client(models.Model):
    """An insurer that commissions cases (委托方)."""

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30)
    second_review_threshold = models.DecimalField(
        "二级审核金额阈值",
        max_digits=14,
        decimal_places=2,
        default=Decimal("50000.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="定损总额超过该金额时需二级审核。",
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "委托方"
        verbose_name_plural = "委托方"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.short_name or self.name


class ClientBranch(models.Model):
    client = models.ForeignKey(
        Client, models.CASCADE, related_name="branches", verbose_name="委托方"
    )
    name = models.CharField("分支机构", max_length=100)
    province = models.CharField("省份", max_length=20, blank=True)
    city = models.CharField("城市", max_length=20, blank=True)

    class Meta:
        verbose_name = "委托方分支机构"
        verbose_name_plural = "委托方分支机构"
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="uniq_client_branch_name")
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.name}"


class ClientContact(models.Model):
    client_branch = models.ForeignKey(
        ClientBranch, models.CASCADE, related_name="contacts", verbose_name="委托方分支机构"
    )
    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=50, blank=True)
    mobile = models.CharField("手机", max_length=20, blank=True, validators=[validate_mobile])
    email = models.EmailField("邮箱", blank=True)

    class Meta:
        verbose_name = "委托方联系人"
        verbose_name_plural = "委托方联系人"

    def __str__(self) -> str:
        return self.name


class RepairShop(models.Model):
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=RepairShopKind.choices)
    brand = models.CharField("授权品牌", max_length=50, blank=True)
    branch = models.ForeignKey(
        Branch, models.PROTECT, related_name="repair_shops", verbose_name="所在机构"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    contact = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "修理厂"
        verbose_name_plural = "修理厂"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "name"], name="uniq_repair_shop_per_branch")
        ]

    def __str__(self) -> str:
        return self.name
