from django.contrib.auth import password_validation
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lossdesk.core.errors import PermissionDenied
from lossdesk.core.limits import PASSWORD_MAX
from lossdesk.core.masking import phone_for
from lossdesk.org.api.base import EnumField
from lossdesk.org.choices import BranchLevel, DataScope, RepairShopKind
from lossdesk.org.models import (
    AuthToken,
    Branch,
    Client,
    ClientBranch,
    ClientContact,
    Position,
    RepairShop,
    Staff,
)
from lossdesk.org.services import check_position_permissions

ASSIGN_POSITION = "org.assign_position"


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def _same(sent, current) -> bool:
    """Whether a submitted value equals the current one, JSON or form-encoded."""

    def plain(value) -> str:
        return "" if value is None else str(value).lower()

    return plain(sent) == plain(current)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    device = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="设备名称（可选），显示在令牌列表中；不填时记录 User-Agent。",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="以 `Authorization: Bearer <token>` 发送；只在此处出现一次。"
    )
    id = serializers.UUIDField(help_text="令牌编号，用于 DELETE /api/v1/auth/tokens/{id}。")
    expiry = serializers.DateTimeField(
        help_text="当前到期时间；每次使用顺延（空闲时限），但不超过签发后的绝对时限。"
    )
    password_change_required = serializers.BooleanField(
        help_text="为 true 时账号使用临时密码：修改密码（POST /api/v1/auth/password）前，"
        "其他接口均返回 403 password_change_required。"
    )


class AuthTokenSerializer(serializers.ModelSerializer):
    """One of the caller's tokens (the secret itself is never shown again)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    current = serializers.SerializerMethodField(help_text="是否为本次请求使用的令牌。")

    class Meta:
        model = AuthToken
        fields = ["id", "device", "created", "expiry", "current"]
        read_only_fields = fields

    def get_current(self, token: AuthToken) -> bool:
        request = self.context.get("request")
        return isinstance(getattr(request, "auth", None), AuthToken) and (
            request.auth.pk == token.pk
        )


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(
        max_length=128,
        trim_whitespace=False,
        help_text="至少 8 位，含大写字母、小写字母、数字、符号中的至少 3 类，"
        "不能与用户名或姓名相近。",
    )


class TemporaryPasswordSerializer(serializers.Serializer):
    temporary_password = serializers.CharField(
        help_text="临时密码，只显示这一次；员工首次登录后必须修改。"
    )


class BranchSerializer(serializers.ModelSerializer):
    level = EnumField(BranchLevel)

    class Meta:
        model = Branch
        fields = [
            "id",
            "code",
            "name",
            "parent",
            "level",
            "province",
            "city",
            "address",
            "phone",
            "path",
            "active",
        ]
        read_only_fields = ["path"]

    def validate_parent(self, parent):
        if parent and self.instance and parent.path.startswith(self.instance.path):
            raise serializers.ValidationError("上级机构不能是本机构或其下级机构。")
        return parent


# "app_label.codename": both columns are 100 characters in Django's tables.
PERMISSION_NAME_MAX = 201


@extend_schema_field(
    {"type": "string", "maxLength": PERMISSION_NAME_MAX, "example": "claims.review_case"}
)
class PermissionNameField(serializers.RelatedField):
    """A permission as "app_label.codename", e.g. "claims.review_case"."""

    default_error_messages = {
        "does_not_exist": "权限「{value}」不存在。",
        "max_length": f"权限名称不超过 {PERMISSION_NAME_MAX} 个字符。",
    }

    def to_representation(self, value: Permission) -> str:
        return f"{value.content_type.app_label}.{value.codename}"

    def to_internal_value(self, data) -> Permission:
        if len(str(data)) > PERMISSION_NAME_MAX:
            self.fail("max_length")
        app_label, _, codename = str(data).partition(".")
        try:
            return self.get_queryset().get(content_type__app_label=app_label, codename=codename)
        except Permission.DoesNotExist:
            self.fail("does_not_exist", value=data)


class PositionSerializer(serializers.ModelSerializer):
    data_scope = EnumField(DataScope)
    permissions = PermissionNameField(
        many=True,
        queryset=Permission.objects.select_related("content_type"),
        required=False,
        help_text='权限列表，每项 "app_label.codename"。',
    )

    class Meta:
        model = Position
        fields = ["id", "code", "name", "data_scope", "permissions", "description"]

    def validate(self, attrs):
        if self.instance is not None and "permissions" in attrs:
            try:
                check_position_permissions(self.instance, attrs["permissions"])
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.message_dict) from exc
        return attrs


SIMILARITY_FIELDS = ("username", "full_name", "email", "employee_no")
ACCOUNT_FIELDS = (
    "username",
    "full_name",
    "branch",
    "mobile",
    "employee_no",
    "email",
    "is_active",
    "password",
)


class StaffSerializer(serializers.ModelSerializer):
    """A staff account. The three administrators split the work (三员分立): the system
    administrator keeps accounts but cannot set a position; the security administrator sets
    positions and nothing else; nobody changes their own position."""

    password = serializers.CharField(
        max_length=PASSWORD_MAX,
        write_only=True,
        required=False,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="只写，仅在新建账号时：初始密码是临时密码，员工首次登录须修改；"
        "不填则账号不能用密码登录。此后密码只能由本人修改，系统管理员只能强制重置。",
    )
    position = serializers.PrimaryKeyRelatedField(
        queryset=Position.objects.all(),
        allow_null=True,
        required=False,
        help_text="岗位；仅有「分配岗位」权限（安全管理员）可写。",
    )
    position_name = serializers.CharField(source="position.name", read_only=True, default=None)
    branch_name = serializers.CharField(source="branch.name", read_only=True, default=None)

    class Meta:
        model = Staff
        fields = [
            "id",
            "username",
            "full_name",
            "branch",
            "branch_name",
            "position",
            "position_name",
            "mobile",
            "employee_no",
            "email",
            "is_active",
            "password",
            "last_login",
            "date_joined",
        ]
        read_only_fields = ["last_login", "date_joined"]
        extra_kwargs = {"mobile": {"help_text": "无「查看个人敏感信息」权限时打码显示。"}}

    def _may_edit_account(self, user) -> bool:
        return user.has_perm("org.add_staff" if self.instance is None else "org.change_staff")

    def get_fields(self):
        fields = super().get_fields()
        user = _user(self)
        if user is None or not user.is_authenticated:  # schema generation
            return fields
        if not user.has_perm(ASSIGN_POSITION):
            fields["position"].read_only = True
        if not self._may_edit_account(user):
            for name in ACCOUNT_FIELDS:
                fields[name].read_only = True
        return fields

    def to_internal_value(self, data):
        user = _user(self)
        if user is not None and hasattr(data, "keys"):
            self._refuse_fields_beyond_position(user, data)
        return super().to_internal_value(data)

    def _refuse_fields_beyond_position(self, user, data) -> None:
        """A field the caller may not write is refused when its value would change (a PUT
        may echo the current value back)."""
        current = self.to_representation(self.instance) if self.instance is not None else {}
        refused: dict[str, list[str]] = {}
        if "password" in data and self.instance is not None:
            refused["password"] = ["密码只能由本人修改；系统管理员可以强制重置密码。"]
        if "position" in data and not _same(data["position"], current.get("position")):
            if not user.has_perm(ASSIGN_POSITION):
                refused["position"] = ["分配岗位须由安全管理员进行。"]
            elif self.instance is not None and self.instance.pk == user.pk:
                refused["position"] = ["不能修改自己的岗位。"]
        if not self._may_edit_account(user):
            for name in ACCOUNT_FIELDS:
                if name in data and (
                    name == "password" or not _same(data[name], current.get(name))
                ):
                    refused[name] = ["您的岗位只能分配岗位，不能修改账号信息。"]
        if refused:
            raise PermissionDenied("没有修改这些字段的权限。", fields=refused)

    def validate(self, attrs):
        if attrs.get("password"):
            # The new account as it will be, so the password is checked against its name too.
            person = Staff(**{k: v for k, v in attrs.items() if k in SIMILARITY_FIELDS})
            try:
                password_validation.validate_password(attrs["password"], person)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs

    def create(self, validated_data):
        password = validated_data.pop("password", None)
        staff = Staff(**validated_data)
        if password:
            staff.set_password(password)
            staff.password_change_required = True  # chosen by an administrator: temporary
        else:
            staff.set_unusable_password()
        staff.save()
        return staff

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["mobile"] = phone_for(
            _user(self), data["mobile"], field="mobile", person=f"员工 {instance.username}"
        )
        return data


class ClientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "code", "name", "short_name", "second_review_threshold", "active"]


class ClientBranchSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClientBranch
        fields = ["id", "client", "name", "province", "city"]


class ClientContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClientContact
        fields = ["id", "client_branch", "name", "title", "mobile", "email"]
        extra_kwargs = {"mobile": {"help_text": "无「查看个人敏感信息」权限时打码显示。"}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["mobile"] = phone_for(
            _user(self), data["mobile"], field="mobile", person=f"委托方联系人 {instance.name}"
        )
        return data


class RepairShopSerializer(serializers.ModelSerializer):
    kind = EnumField(RepairShopKind)

    class Meta:
        model = RepairShop
        fields = ["id", "name", "kind", "brand", "branch", "address", "contact", "phone", "active"]
